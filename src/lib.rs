//! newsdesk: a self-hosted publishing platform for small, reader-funded
//! newsrooms. `main.rs` only parses the command line; everything else is
//! here so tests and tools can reuse it.
//!
//! - `cli`: subcommands (`serve`, `migrate`, `staff`, `key`, `config`)
//! - `config`: typed configuration from file, environment and flags
//! - `app`: the shared state handed to every request
//! - `http`: router, public site, Admin API, error mapping
//! - `services`: domain rules between handlers and the store
//! - `store`: all SQL, for SQLite and PostgreSQL
//! - `content`: Markdown, sanitizing, embeds, slugs
//! - `i18n`: languages as data: Fluent words, dates, sums and plurals per language
//! - `integrations`: clients for the outside world (SMTP)
//! - `jobs`: background work of a `serve` node, started in one place
//! - `demo`: the demo newsroom that `serve --demo` seeds
//! - `archive`, `backup`: moving out and back; backups of a serving SQLite newsroom

pub mod app;
pub mod archive;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod demo;
pub mod http;
pub mod i18n;
pub mod import;
pub mod integrations;
pub mod jobs;
pub mod media_store;
pub mod metrics;
pub mod mirror;
pub mod page_cache;
pub mod search;
pub mod services;
pub mod store;
pub mod templates;
pub mod urls;
