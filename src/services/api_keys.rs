//! Admin API keys: shown once at creation, stored only as a SHA-256 hash.

use sha2::{Digest, Sha256};

use super::ServiceResult;
use crate::store::{ApiKey, Store, now};

pub const KEY_PREFIX: &str = "nd_";

/// Creates a key and returns it in full; it cannot be shown again.
pub async fn create_api_key(store: &Store, name: &str) -> ServiceResult<(ApiKey, String)> {
    let secret = format!("{KEY_PREFIX}{}", hex::encode(rand::random::<[u8; 24]>()));
    let key = store
        .insert_api_key(name.trim(), &hash_key(&secret), now())
        .await?;
    Ok((key, secret))
}

/// The key a bearer token belongs to, if it is live.
pub async fn authenticate(store: &Store, token: &str) -> ServiceResult<Option<ApiKey>> {
    if !token.starts_with(KEY_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let key = store.api_key_by_hash(&hash_key(token)).await?;
    if let Some(key) = &key {
        store.touch_api_key(key, now()).await?;
    }
    Ok(key)
}

fn hash_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
