//! Domain rules between the HTTP handlers and the store: validation,
//! workflow transitions, credentials. Handlers call one function here.

pub mod api_keys;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod distribution;
pub mod donations;
pub mod email;
pub mod fediverse;
pub mod live;
pub mod media;
pub mod money;
pub mod newsletter;
pub mod pages;
pub mod policy;
pub mod previews;
pub mod revisions;
pub mod signing;
pub mod staff;
pub mod taxonomy;
pub mod two_factor;
pub mod videos;
pub mod webhooks;
pub mod workflow;

use serde::Serialize;

use crate::store::StoreError;

/// One problem with one field of an input, as shown to the person who sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    /// The signed-in person's role does not allow this.
    #[error("not allowed")]
    Forbidden,
    #[error("conflict: {0}")]
    Conflict(String),
    /// The person acted on a version of the article that is no longer current.
    #[error("the article changed since version {seen}")]
    StaleVersion { seen: i64, current: i64 },
    /// An outside provider refused or did not answer; nothing was charged.
    #[error("provider unavailable: {0}")]
    ProviderUnavailable(String),
    /// Too many attempts; the message says when to try again.
    #[error("too many attempts: {0}")]
    Throttled(String),
    #[error("cannot go from {from} to {to}")]
    InvalidTransition { from: String, to: String },
    #[error(transparent)]
    Store(StoreError),
    /// A theme's email template does not render.
    #[error(transparent)]
    Email(#[from] email::EmailError),
}

/// A change every page may show (a static page, a section, the videos):
/// this node's whole page cache goes, and the other nodes hear of it
/// through the database.
pub async fn site_changed(state: &crate::app::AppState) -> ServiceResult<()> {
    state.page_cache.clear();
    state.store.record_site_change(state.clock.now()).await?;
    Ok(())
}

/// Stories written in bulk, past the one write path (an import, a restore,
/// generated stories): this node's cache goes, and every node clears its
/// own and builds its search index again.
pub async fn stories_replaced(state: &crate::app::AppState) -> Result<(), StoreError> {
    state.page_cache.clear();
    state
        .store
        .record_every_story_change(state.clock.now())
        .await?;
    Ok(())
}

/// A random secret made once for the whole site (the first node to claim
/// the setting wins; the others read it): signs preview and unsubscribe links.
pub async fn site_secret(state: &crate::app::AppState, name: &str) -> ServiceResult<String> {
    if let Some(secret) = state.store.setting(name).await? {
        return Ok(secret);
    }
    state
        .store
        .claim_setting(name, &auth::random_token())
        .await?;
    Ok(state.store.setting(name).await?.unwrap_or_default())
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Store(other),
        }
    }
}

impl ServiceError {
    /// For saves based on a version someone else has since replaced.
    pub fn from_save(err: StoreError) -> Self {
        match err {
            StoreError::StaleVersion => {
                ServiceError::Conflict("the article changed meanwhile; reload and try again".into())
            }
            other => other.into(),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
