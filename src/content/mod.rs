//! Turning what staff write into what readers see: Markdown, embeds, slugs,
//! interface words and dates.

pub mod embed;
pub mod i18n;
pub mod markdown;
pub mod slug;
