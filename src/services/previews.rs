//! Signed, expiring links that show an unpublished article to anyone who has
//! the link (a source checking a quote, a lawyer), without an account.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::ServiceResult;
use crate::app::AppState;
use crate::store::ArticleId;

/// How long a preview link works.
pub const PREVIEW_TTL_SECONDS: i64 = 48 * 3600;
const SECRET_KEY: &str = "preview.secret";

async fn secret(state: &AppState) -> ServiceResult<String> {
    super::site_secret(state, SECRET_KEY).await
}

/// Links are signed with the article's epoch; moving it on revokes them all.
async fn epoch(state: &AppState, id: ArticleId) -> ServiceResult<String> {
    Ok(state
        .store
        .setting(&format!("preview.epoch.{id}"))
        .await?
        .unwrap_or_else(|| "0".into()))
}

/// Every preview link of this article given out so far stops working.
pub async fn revoke(state: &AppState, id: ArticleId) -> ServiceResult<()> {
    state
        .store
        .set_setting(
            &format!("preview.epoch.{id}"),
            &format!(
                "{}-{}",
                state.clock.now(),
                hex::encode(rand::random::<[u8; 4]>())
            ),
        )
        .await?;
    Ok(())
}

fn signature(secret: &str, id: ArticleId, epoch: &str, expires: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("preview:{id}:{epoch}:{expires}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A root-relative preview address valid for [`PREVIEW_TTL_SECONDS`].
pub async fn preview_path(state: &AppState, id: ArticleId) -> ServiceResult<String> {
    let expires = state.clock.now() + PREVIEW_TTL_SECONDS;
    let sig = signature(&secret(state).await?, id, &epoch(state, id).await?, expires);
    Ok(format!("/preview/{id}?expires={expires}&sig={sig}"))
}

/// Whether a preview link is genuine and still valid.
pub async fn verify(
    state: &AppState,
    id: ArticleId,
    expires: i64,
    sig: &str,
) -> ServiceResult<bool> {
    if expires < state.clock.now() || sig.len() != 64 {
        return Ok(false);
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret(state).await?.as_bytes()) else {
        return Ok(false);
    };
    let epoch = epoch(state, id).await?;
    mac.update(format!("preview:{id}:{epoch}:{expires}").as_bytes());
    let Ok(bytes) = hex::decode(sig) else {
        return Ok(false);
    };
    Ok(mac.verify_slice(&bytes).is_ok())
}
