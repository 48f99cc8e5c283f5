//! Rows as the store reads and writes them. Write models are `New*` /
//! `*Write`; joined read models are `*View` and `ArticleCard`.

use serde::Serialize;
use sqlx::FromRow;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            serde::Deserialize,
            sqlx::Type,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(ArticleId);
id_type!(StaffId);
id_type!(SectionId);
id_type!(TagId);
id_type!(ApiKeyId);
id_type!(PageId);
id_type!(DonationId);
id_type!(DeliveryId);
id_type!(SubscriberId);
id_type!(IssueId);

pub use super::states::{ArticleStatus, CorrectionKind, Role};

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Staff {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    pub slug: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub created_at: i64,
    /// Set while the person is disabled: no sign-in, no keys, stories kept.
    pub disabled_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub slug: String,
    pub bio: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub password_must_change: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub id: SectionId,
    pub slug: String,
    pub position: i64,
    /// The section's name in each language it has one in.
    pub names: std::collections::BTreeMap<String, String>,
}

impl Section {
    /// The name in `language`; a language without one borrows English,
    /// then any name, then the slug.
    pub fn name(&self, language: &str) -> &str {
        self.names
            .get(language)
            .or_else(|| self.names.get(crate::i18n::FALLBACK))
            .or_else(|| self.names.values().next())
            .map_or(self.slug.as_str(), String::as_str)
    }
}

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Tag {
    pub id: TagId,
    pub slug: String,
    pub name: String,
}

/// The article's own columns, without its joined lists.
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct ArticleRow {
    pub id: ArticleId,
    pub translation_group: String,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub cover_credit: String,
    pub section_id: Option<SectionId>,
    pub status: ArticleStatus,
    pub meta_title: String,
    pub meta_description: String,
    pub social_image_url: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    pub content_updated_at: Option<i64>,
    pub scheduled_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, FromRow)]
pub struct Source {
    pub outlet: String,
    pub url: Option<String>,
    pub citation: String,
}

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct Correction {
    pub id: i64,
    pub kind: CorrectionKind,
    pub body: String,
    pub created_at: i64,
}

/// Who wrote a story, as shown in bylines.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct AuthorRef {
    pub id: StaffId,
    pub name: String,
    pub slug: String,
}

/// The same story in another language.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct TranslationLink {
    pub id: ArticleId,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub status: ArticleStatus,
    pub published_at: Option<i64>,
}

/// An article with everything its page shows.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: ArticleRow,
    pub section: Option<Section>,
    pub authors: Vec<AuthorRef>,
    pub tags: Vec<Tag>,
    pub sources: Vec<Source>,
    pub corrections: Vec<Correction>,
    pub translations: Vec<TranslationLink>,
}

/// A story as list pages, feeds and sitemaps show it.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct ArticleCard {
    pub id: ArticleId,
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub standfirst: String,
    pub cover_url: Option<String>,
    pub cover_alt: String,
    pub section_id: Option<SectionId>,
    pub status: ArticleStatus,
    pub version: i64,
    pub published_at: Option<i64>,
    pub content_updated_at: Option<i64>,
    pub updated_at: i64,
    #[sqlx(skip)]
    pub authors: Vec<AuthorRef>,
}

/// What the search index keeps of a published story.
#[derive(Clone, Debug, FromRow)]
pub struct SearchDocument {
    pub id: ArticleId,
    pub language: String,
    pub headline: String,
    pub standfirst: String,
    pub body: String,
    pub published_at: Option<i64>,
    pub status: ArticleStatus,
}

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct Revision {
    pub id: i64,
    pub article_id: ArticleId,
    pub version: i64,
    pub saved_by: String,
    pub snapshot: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Comma-separated: `content:read`, `content:write`, `donations:read`.
    pub scopes: String,
    pub revoked_at: Option<i64>,
    pub staff_id: Option<StaffId>,
}
