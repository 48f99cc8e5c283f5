//! Admin API keys: shown once at creation, stored only as a SHA-256 hash,
//! each limited to the scopes it was given and revocable at any time.

use sha2::{Digest, Sha256};

use super::{FieldError, ServiceError, ServiceResult};
use crate::store::{ApiKey, ApiKeyId, StaffId, Store};

pub const KEY_PREFIX: &str = "nd_";

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Read articles, sections, tags and staff.
    ContentRead,
    /// Create, change, publish and correct articles.
    ContentWrite,
    /// Read donations: donors' names and emails.
    DonationsRead,
}

impl Scope {
    pub const ALL: [Scope; 3] = [
        Scope::ContentRead,
        Scope::ContentWrite,
        Scope::DonationsRead,
    ];
    /// What `newsdesk key create` gives when no scopes are named: content, not donors.
    pub const DEFAULT: [Scope; 2] = [Scope::ContentRead, Scope::ContentWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ContentRead => "content:read",
            Scope::ContentWrite => "content:write",
            Scope::DonationsRead => "donations:read",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }
}

/// Whether a key was given `scope`.
pub fn allows(key: &ApiKey, scope: Scope) -> bool {
    key.scopes.split(',').any(|s| s.trim() == scope.as_str())
}

/// Parses `content:read,donations:read`; an unknown name is an error.
pub fn parse_scopes(text: &str) -> ServiceResult<Vec<Scope>> {
    let mut scopes = Vec::new();
    for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let scope = Scope::parse(name).ok_or_else(|| {
            ServiceError::Validation(vec![FieldError {
                field: "scopes".into(),
                message: format!(
                    "unknown scope {name:?}; use {}",
                    Scope::ALL.map(Scope::as_str).join(", ")
                ),
            }])
        })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "scopes".into(),
            message: "name at least one scope".into(),
        }]));
    }
    Ok(scopes)
}

/// Creates a key and returns it in full; it cannot be shown again.
pub async fn create_api_key(store: &Store, name: &str) -> ServiceResult<(ApiKey, String)> {
    create_scoped_key(store, name, &Scope::ALL, None).await
}

pub async fn create_scoped_key(
    store: &Store,
    name: &str,
    scopes: &[Scope],
    staff: Option<StaffId>,
) -> ServiceResult<(ApiKey, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "name".into(),
            message: "must be 1–100 characters".into(),
        }]));
    }
    let secret = format!("{KEY_PREFIX}{}", hex::encode(rand::random::<[u8; 24]>()));
    let scopes = scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let key = store
        .insert_api_key(
            name,
            &hash_key(&secret),
            &scopes,
            staff,
            crate::store::now(),
        )
        .await?;
    Ok((key, secret))
}

pub async fn revoke(store: &Store, id: ApiKeyId) -> ServiceResult<()> {
    if store.revoke_api_key(id, crate::store::now()).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The key a bearer token belongs to, if it is live.
pub async fn authenticate(store: &Store, token: &str) -> ServiceResult<Option<ApiKey>> {
    if !token.starts_with(KEY_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let key = store.api_key_by_hash(&hash_key(token)).await?;
    if let Some(key) = &key {
        store.touch_api_key(key, crate::store::now()).await?;
    }
    Ok(key)
}

fn hash_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
