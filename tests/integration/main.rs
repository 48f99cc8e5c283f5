//! Integration tests: the real HTTP app on SQLite and on PostgreSQL.
//! Every test in `on_both_backends!` runs once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fakes;
mod smtp;
mod util;

mod accounts;
mod admin;
mod api;
mod archive;
mod backup;
mod cdn;
mod cli;
mod content_api;
mod credentials;
mod distribution;
mod donations;
mod feeds;
mod import;
mod languages;
mod live;
mod media_store;
mod metrics;
mod mirror;
mod newsletter;
mod outage;
mod pages;
mod payments;
mod security;
mod seo;
mod signing;
mod site;
mod snapshots;
mod store;
mod webhooks;
