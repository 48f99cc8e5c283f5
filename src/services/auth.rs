//! Staff sign-in: argon2id passwords, database-backed sessions, throttling.
//!
//! The cookie holds a random token; the database holds only its SHA-256, so
//! a leaked database cannot be replayed as sessions.
//!
//! Failed attempts are counted in the database (so the limits hold across
//! every node) per address and per account *from that address*: failures
//! from elsewhere never lock a person out of their own address, and
//! failures for unknown emails count only against the address that sent
//! them. Each attempt is charged before the password is checked, so no
//! amount of concurrency gets more guesses through than the limit.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use sha2::{Digest, Sha256};

use super::staff::hash_password;
use super::{FieldError, ServiceError, ServiceResult, audit};
use crate::app::AppState;
use crate::store::{Role, SessionView, StaffId};

/// Sessions last this long after the last request.
pub const SESSION_IDLE_SECONDS: i64 = 12 * 3600;
/// Failed attempts are counted over this window.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Wrong passwords for one account from one address.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Wrong passwords from one address, whatever the account.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A verified hash to check against when the email is unknown, so a wrong
/// email costs the same time as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YsU5a5UJdvN2CT6m1XqGkJbSLV4yyaqRgN8xMLTGbDo";

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong email or password")]
    Invalid,
    #[error("too many failed attempts")]
    Throttled { retry_after_minutes: i64 },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The signed-in person, as every admin handler sees them.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub session_id: i64,
    pub staff_id: StaffId,
    pub name: String,
    pub email: String,
    pub slug: String,
    pub role: Role,
    pub csrf_token: String,
    pub must_change_password: bool,
    /// The address of the request this session came with (see `http::client_addr`).
    pub client_ip: String,
    /// Signed in with a password, still owing the two-factor code.
    pub awaiting_code: bool,
    pub totp_enabled: bool,
}

impl StaffSession {
    fn from_view(view: SessionView) -> Option<Self> {
        Some(StaffSession {
            session_id: view.session_id,
            staff_id: view.staff_id,
            name: view.name,
            email: view.email,
            slug: view.slug,
            role: view.role,
            csrf_token: view.csrf_token,
            must_change_password: view.password_must_change != 0,
            client_ip: String::new(),
            awaiting_code: view.awaiting_code != 0,
            totp_enabled: view.totp_enabled != 0,
        })
    }

    /// Constant-time comparison of a submitted CSRF token.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        constant_time_eq(
            &Sha256::digest(self.csrf_token.as_bytes()),
            &Sha256::digest(submitted.as_bytes()),
        )
    }
}

/// Compares secrets without an early exit, so timing tells nothing of where
/// they differ (tokens, codes, signatures).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits as hex: sessions, reset links, donor links, newsletter links.
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

async fn verify_password(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn address_bucket(ip: &str) -> String {
    format!("signin-addr:{ip}")
}

fn account_bucket(staff: StaffId, ip: &str) -> String {
    format!("signin-account:{staff}:{ip}")
}

/// Checks email and password; on success returns the new session's cookie token.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<(String, StaffSession), SignInError> {
    let email = email.trim().to_lowercase();
    let current = state.clock.now();
    let since = current - THROTTLE_WINDOW_SECONDS;
    let throttled = || {
        tracing::warn!(staff.email = %email, client.ip = %ip, "sign-in throttled");
        SignInError::Throttled {
            retry_after_minutes: THROTTLE_WINDOW_SECONDS / 60,
        }
    };
    let store = &state.store;
    let Some(address_attempt) = store
        .take_attempt(
            &address_bucket(ip),
            current,
            since,
            MAX_FAILURES_PER_ADDRESS,
        )
        .await
        .map_err(ServiceError::from)?
    else {
        return Err(throttled());
    };
    let credentials = store
        .credentials(&email)
        .await
        .map_err(ServiceError::from)?;
    let mut account_attempt = None;
    if let Some(c) = &credentials {
        account_attempt = store
            .take_attempt(
                &account_bucket(c.id, ip),
                current,
                since,
                MAX_FAILURES_PER_ACCOUNT,
            )
            .await
            .map_err(ServiceError::from)?;
        if account_attempt.is_none() {
            store
                .release_attempt(address_attempt)
                .await
                .map_err(ServiceError::from)?;
            return Err(throttled());
        }
    }
    let (staff_id, hash) = match credentials {
        Some(c) if c.disabled_at.is_none() => (
            Some(c.id),
            c.password_hash.unwrap_or_else(|| DUMMY_HASH.to_owned()),
        ),
        _ => (None, DUMMY_HASH.to_owned()),
    };
    let verified = verify_password(hash, password.to_owned()).await;
    let Some(staff_id) = staff_id.filter(|_| verified) else {
        // The attempts stay charged: they are the record of this failure.
        tracing::info!(staff.email = %email, client.ip = %ip, "sign-in failed");
        // Failures against real accounts go to the audit log; guesses at
        // invented addresses only to the log, so they cannot fill it.
        if account_attempt.is_some() {
            audit::record(
                state,
                &audit::Who::anonymous(&email, ip),
                "sign-in failed",
                &email,
                "",
            )
            .await;
        }
        return Err(SignInError::Invalid);
    };
    store
        .release_attempt(address_attempt)
        .await
        .map_err(ServiceError::from)?;
    if account_attempt.is_some() {
        store
            .clear_attempts(&account_bucket(staff_id, ip))
            .await
            .map_err(ServiceError::from)?;
    }
    let (_, totp_enabled_at) = store.totp(staff_id).await.map_err(ServiceError::from)?;
    let token = random_token();
    store
        .insert_session(
            &token_hash(&token),
            staff_id,
            &random_token(),
            current,
            current + SESSION_IDLE_SECONDS,
            &user_agent.chars().take(300).collect::<String>(),
            ip,
            totp_enabled_at.is_some(),
        )
        .await
        .map_err(ServiceError::from)?;
    let mut session = authenticate(state, &token)
        .await?
        .ok_or(SignInError::Invalid)?;
    session.client_ip = ip.to_owned();
    tracing::info!(staff.id = %staff_id, client.ip = %ip, "signed in");
    audit::record(state, &audit::Who::staff(&session), "sign-in", "", "").await;
    Ok((token, session))
}

/// The session a cookie token belongs to, sliding its expiry forward.
pub async fn authenticate(state: &AppState, token: &str) -> ServiceResult<Option<StaffSession>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let current = state.clock.now();
    let Some(view) = state.store.session(&token_hash(token), current).await? else {
        return Ok(None);
    };
    if current - view.last_seen_at > 60 {
        state
            .store
            .touch_session(view.session_id, current, current + SESSION_IDLE_SECONDS)
            .await?;
    }
    Ok(StaffSession::from_view(view))
}

pub async fn sign_out(state: &AppState, token: &str) -> ServiceResult<()> {
    Ok(state.store.delete_session(&token_hash(token)).await?)
}

pub async fn sign_out_everywhere(state: &AppState, staff: StaffId) -> ServiceResult<u64> {
    Ok(state.store.delete_sessions_of(staff).await?)
}

/// Sets a new password after checking the current one; ends other sessions.
pub async fn change_password(
    state: &AppState,
    session: &StaffSession,
    current_password: &str,
    new_password: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let hash = state
        .store
        .credentials(&session.email)
        .await?
        .and_then(|c| c.password_hash)
        .unwrap_or_else(|| DUMMY_HASH.to_owned());
    if !verify_password(hash, current_password.to_owned()).await {
        errors.push(FieldError {
            field: "current_password".into(),
            message: "is not your current password".into(),
        });
    }
    if new_password.chars().count() < MIN_PASSWORD_CHARS {
        errors.push(FieldError {
            field: "new_password".into(),
            message: format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let hash = hash_password(new_password)?;
    state
        .store
        .set_password(session.staff_id, &hash, false)
        .await?;
    state.store.delete_sessions_of(session.staff_id).await?;
    Ok(())
}

/// Reset links work for an hour; invitations for a week.
pub const RESET_TTL_SECONDS: i64 = 3600;
pub const INVITE_TTL_SECONDS: i64 = 7 * 86_400;
/// At most this many reset emails per person per hour.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

/// Emails a reset link if the address belongs to someone. The answer is the
/// same either way, so the form does not reveal who works here.
pub async fn request_password_reset(state: &AppState, email: &str) -> ServiceResult<()> {
    let email = email.trim().to_lowercase();
    let Some(credentials) = state.store.credentials(&email).await? else {
        tracing::info!(staff.email = %email, "password reset for an unknown address");
        return Ok(());
    };
    let current = state.clock.now();
    if state
        .store
        .recent_password_tokens(credentials.id, current - 3600)
        .await?
        >= MAX_RESETS_PER_HOUR
    {
        tracing::warn!(staff.id = %credentials.id, "password reset throttled");
        return Ok(());
    }
    let token = random_token();
    // Only the newest link works.
    state
        .store
        .retire_password_tokens(credentials.id, current)
        .await?;
    state
        .store
        .insert_password_token(
            &token_hash(&token),
            credentials.id,
            "reset",
            current,
            current + RESET_TTL_SECONDS,
        )
        .await?;
    let link = state.urls.absolute(&format!("/admin/password/{token}"));
    let message = super::email::compose(
        state,
        "password_reset",
        &state.config.site.default_language,
        serde_json::json!({ "link": link }),
    )?;
    send_or_log(state, &email, &message).await
}

/// Adds a staff member without a password and emails them a link to choose one.
pub async fn invite_staff(
    state: &AppState,
    input: super::staff::NewStaffInput,
) -> ServiceResult<crate::store::Staff> {
    // A random password nobody knows until they choose their own.
    let member = super::staff::add_staff_with_password(state, input, &random_token(), true).await?;
    let current = state.clock.now();
    let token = random_token();
    state
        .store
        .insert_password_token(
            &token_hash(&token),
            member.id,
            "invite",
            current,
            current + INVITE_TTL_SECONDS,
        )
        .await?;
    let link = state.urls.absolute(&format!("/admin/password/{token}"));
    let message = super::email::compose(
        state,
        "invitation",
        &state.config.site.default_language,
        serde_json::json!({ "link": link, "role": member.role }),
    )?;
    send_or_log(state, &member.email, &message).await?;
    Ok(member)
}

/// Sets a new password through a reset or invitation link; ends all sessions.
pub async fn set_password_with_token(
    state: &AppState,
    token: &str,
    new_password: &str,
) -> ServiceResult<()> {
    if new_password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "new_password".into(),
            message: format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        }]));
    }
    let hash = hash_password(new_password)?;
    let Some(staff) = state
        .store
        .use_password_token(&token_hash(token), state.clock.now())
        .await?
    else {
        return Err(ServiceError::NotFound);
    };
    state.store.set_password(staff, &hash, false).await?;
    state.store.delete_sessions_of(staff).await?;
    state
        .store
        .retire_password_tokens(staff, state.clock.now())
        .await?;
    tracing::info!(staff.id = %staff, "password set through an emailed link");
    Ok(())
}

pub async fn password_token_valid(state: &AppState, token: &str) -> ServiceResult<bool> {
    if token.len() != 64 {
        return Ok(false);
    }
    Ok(state
        .store
        .password_token_valid(&token_hash(token), state.clock.now())
        .await?)
}

async fn send_or_log(
    state: &AppState,
    to: &str,
    message: &super::email::Email,
) -> ServiceResult<()> {
    let sent = state.mailer.send(to, &message.subject, &message.text).await;
    sent.map_err(|e| {
        tracing::error!(error = %e, mail.to = %to, "cannot send email");
        ServiceError::Conflict("the email could not be sent; try again later".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(
            Argon2::default()
                .verify_password(b"anything", &parsed)
                .is_err()
        );
    }

    #[test]
    fn token_hashes_are_stable_and_opaque() {
        assert_eq!(token_hash("a"), token_hash("a"));
        assert_ne!(token_hash("a"), "a");
        assert_eq!(random_token().len(), 64);
    }
}
