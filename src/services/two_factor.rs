//! TOTP two-factor sign-in (RFC 6238: 6 digits, 30-second steps, one step of
//! clock drift allowed), as authenticator apps expect.
//!
//! Codes are a million-to-one guess, so guesses are what we limit: every
//! form that takes a code (sign-in, confirming set-up, turning it off)
//! charges one attempt to the account's code buckets before checking it,
//! a correct password never clears them, a code is accepted once, and when
//! a bucket fills the person is told by email that someone has their
//! password.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

use super::audit;
use super::auth::StaffSession;
use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::store::AttemptId;

const REQUIRED_KEY: &str = "policy.require_2fa";

/// Wrong codes per account: a short window and a whole day.
pub const MAX_CODE_FAILURES_SHORT: i64 = 5;
pub const CODE_WINDOW_SECONDS: i64 = 15 * 60;
pub const MAX_CODE_FAILURES_DAY: i64 = 20;
const STEP_SECONDS: i64 = 30;

fn totp(state: &AppState, secret_base32: &str, account: &str) -> ServiceResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|_| ServiceError::Conflict("the stored two-factor secret is unreadable".into()))?;
    let issuer = state.config.site.name.replace(':', " ");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some(issuer),
        account.replace(':', " "),
    )
    .map_err(|e| ServiceError::Conflict(format!("cannot use the two-factor secret: {e}")))
}

fn too_many() -> ServiceError {
    ServiceError::Throttled(
        "too many wrong codes; two-factor sign-in is locked for 15 minutes".into(),
    )
}

fn wrong_code() -> ServiceError {
    ServiceError::Validation(vec![FieldError {
        field: "code".into(),
        message: "the code is not right; check the time on your phone".into(),
    }])
}

/// Whether the owner made two-factor sign-in mandatory.
pub async fn required(state: &AppState) -> ServiceResult<bool> {
    Ok(state.store.setting(REQUIRED_KEY).await?.as_deref() == Some("true"))
}

pub async fn set_required(state: &AppState, on: bool) -> ServiceResult<()> {
    Ok(state
        .store
        .set_setting(REQUIRED_KEY, if on { "true" } else { "false" })
        .await?)
}

/// What the set-up page shows: the secret as text and as a QR code.
pub struct Setup {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_svg: String,
}

/// Starts (or restarts) setting up an authenticator app.
pub async fn begin_setup(state: &AppState, session: &StaffSession) -> ServiceResult<Setup> {
    let (existing, enabled_at) = state.store.totp(session.staff_id).await?;
    if enabled_at.is_some() {
        return Err(ServiceError::Conflict(
            "two-factor sign-in is already on".into(),
        ));
    }
    let secret = match existing {
        Some(secret) => secret,
        None => {
            let secret = Secret::Raw(rand::random::<[u8; 20]>().to_vec())
                .to_encoded()
                .to_string();
            state
                .store
                .set_totp(session.staff_id, Some(&secret), None)
                .await?;
            secret
        }
    };
    let totp = totp(state, &secret, &session.email)?;
    let otpauth_url = totp.get_url();
    let qr_svg = QrCode::new(otpauth_url.as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    Ok(Setup {
        secret,
        otpauth_url,
        qr_svg,
    })
}

/// Turns two-factor sign-in on once the app shows a matching code.
pub async fn confirm_setup(
    state: &AppState,
    session: &StaffSession,
    code: &str,
) -> ServiceResult<()> {
    let (Some(secret), None) = state.store.totp(session.staff_id).await? else {
        return Err(ServiceError::Conflict("start the set-up again".into()));
    };
    let attempts = charge(state, session).await?;
    let Some(step) = matching_step(
        &totp(state, &secret, &session.email)?,
        code,
        state.clock.now(),
    ) else {
        after_failure(state, session).await;
        return Err(wrong_code());
    };
    release(state, attempts).await?;
    state.store.accept_totp_step(session.staff_id, step).await?;
    state
        .store
        .set_totp(session.staff_id, Some(&secret), Some(state.clock.now()))
        .await?;
    tracing::info!(staff.id = %session.staff_id, "two-factor sign-in turned on");
    Ok(())
}

/// Turns it off with a current code, unless the owner requires it.
pub async fn disable(state: &AppState, session: &StaffSession, code: &str) -> ServiceResult<()> {
    if required(state).await? {
        return Err(ServiceError::Conflict(
            "the newsroom requires two-factor sign-in".into(),
        ));
    }
    verify(state, session, code).await?;
    state.store.set_totp(session.staff_id, None, None).await?;
    tracing::info!(staff.id = %session.staff_id, "two-factor sign-in turned off");
    audit::record(
        state,
        &audit::Who::staff(session),
        "two-factor turned off",
        "",
        "",
    )
    .await;
    Ok(())
}

/// Charges one guess to both of the account's code buckets.
async fn charge(state: &AppState, session: &StaffSession) -> ServiceResult<[AttemptId; 2]> {
    let current = state.clock.now();
    let staff = session.staff_id;
    let short = state
        .store
        .take_attempt(
            &format!("code:{staff}"),
            current,
            current - CODE_WINDOW_SECONDS,
            MAX_CODE_FAILURES_SHORT,
        )
        .await?
        .ok_or_else(too_many)?;
    let Some(day) = state
        .store
        .take_attempt(
            &format!("code-day:{staff}"),
            current,
            current - 86_400,
            MAX_CODE_FAILURES_DAY,
        )
        .await?
    else {
        state.store.release_attempt(short).await?;
        return Err(too_many());
    };
    Ok([short, day])
}

async fn release(state: &AppState, attempts: [AttemptId; 2]) -> ServiceResult<()> {
    for attempt in attempts {
        state.store.release_attempt(attempt).await?;
    }
    Ok(())
}

/// A wrong code stays charged; when it filled a bucket, the person hears of it.
async fn after_failure(state: &AppState, session: &StaffSession) {
    let staff = session.staff_id;
    let current = state.clock.now();
    audit::record(
        state,
        &audit::Who::staff(session),
        "two-factor code wrong",
        "",
        "",
    )
    .await;
    let short = state
        .store
        .attempts(&format!("code:{staff}"), current - CODE_WINDOW_SECONDS)
        .await
        .unwrap_or(0);
    if short != MAX_CODE_FAILURES_SHORT {
        return;
    }
    tracing::warn!(staff.id = %staff, client.ip = %session.client_ip, "two-factor sign-in locked after wrong codes");
    audit::record(
        state,
        &audit::Who::staff(session),
        "two-factor locked",
        "",
        "",
    )
    .await;
    let message = super::email::compose(
        state,
        "two_factor_locked",
        &state.config.site.default_language,
        serde_json::json!({
            "failures": MAX_CODE_FAILURES_SHORT,
            "address": session.client_ip,
            "minutes": CODE_WINDOW_SECONDS / 60,
        }),
    );
    let sent = match message {
        Ok(message) => state
            .mailer
            .send(&session.email, &message.subject, &message.text)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(err) = sent {
        tracing::error!(error = %err, "cannot send the two-factor warning");
    }
}

/// Checks a code of an enabled second factor: charged, once only, warned on lock.
async fn verify(state: &AppState, session: &StaffSession, code: &str) -> ServiceResult<()> {
    let (Some(secret), Some(_)) = state.store.totp(session.staff_id).await? else {
        return Err(wrong_code());
    };
    let attempts = charge(state, session).await?;
    let step = matching_step(
        &totp(state, &secret, &session.email)?,
        code,
        state.clock.now(),
    );
    let accepted = match step {
        Some(step) => state.store.accept_totp_step(session.staff_id, step).await?,
        None => false,
    };
    if !accepted {
        after_failure(state, session).await;
        return Err(wrong_code());
    }
    release(state, attempts).await
}

/// The time step whose code this is (now, or one step either side).
fn matching_step(totp: &TOTP, code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now.max(0);
    [current - STEP_SECONDS, current, current + STEP_SECONDS]
        .into_iter()
        .filter(|t| *t >= 0)
        .find(|t| {
            super::auth::constant_time_eq(totp.generate(*t as u64).as_bytes(), code.as_bytes())
        })
        .map(|t| t / STEP_SECONDS)
}

/// The second step of signing in.
pub async fn complete_sign_in(state: &AppState, session: &StaffSession) -> ServiceResult<()> {
    state.store.confirm_session_code(session.session_id).await?;
    audit::record(
        state,
        &audit::Who::staff(session),
        "sign-in code accepted",
        "",
        "",
    )
    .await;
    Ok(())
}

/// Checks the code owed by a half-signed-in session, then completes it.
pub async fn sign_in_with_code(
    state: &AppState,
    session: &StaffSession,
    code: &str,
) -> ServiceResult<()> {
    verify(state, session, code).await?;
    complete_sign_in(state, session).await
}

/// The code for a secret at a Unix time, for tests that play the authenticator app.
pub fn code_at(secret_base32: &str, unix_seconds: i64) -> Option<String> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into()).ok()?;
    Some(totp.generate(u64::try_from(unix_seconds).ok()?))
}

/// The current code for a secret.
pub fn current_code(secret_base32: &str) -> Option<String> {
    code_at(secret_base32, crate::store::now())
}
