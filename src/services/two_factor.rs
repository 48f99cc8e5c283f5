//! TOTP two-factor sign-in (RFC 6238: 6 digits, 30-second steps, one step of
//! clock drift allowed), as authenticator apps expect.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

use super::auth::{MAX_FAILURES_PER_ACCOUNT, StaffSession, THROTTLE_WINDOW_SECONDS};
use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::store::{StaffId, now};

const REQUIRED_KEY: &str = "policy.require_2fa";

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
    if !check(&totp(state, &secret, &session.email)?, code) {
        return Err(wrong_code());
    }
    state
        .store
        .set_totp(session.staff_id, Some(&secret), Some(now()))
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
    if !verify(state, session.staff_id, &session.email, code).await? {
        return Err(wrong_code());
    }
    state.store.set_totp(session.staff_id, None, None).await?;
    tracing::info!(staff.id = %session.staff_id, "two-factor sign-in turned off");
    Ok(())
}

async fn verify(state: &AppState, staff: StaffId, email: &str, code: &str) -> ServiceResult<bool> {
    let (Some(secret), Some(_)) = state.store.totp(staff).await? else {
        return Ok(false);
    };
    Ok(check(&totp(state, &secret, email)?, code))
}

fn check(totp: &TOTP, code: &str) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    code.len() == 6
        && code.bytes().all(|b| b.is_ascii_digit())
        && totp.check(&code, now().max(0) as u64)
}

/// The second step of signing in. Wrong codes count as failed sign-ins.
pub async fn complete_sign_in(
    state: &AppState,
    session: &StaffSession,
    code: &str,
    ip: &str,
) -> ServiceResult<()> {
    let current = now();
    let (by_email, _) = state
        .store
        .sign_in_failures(&session.email, ip, current - THROTTLE_WINDOW_SECONDS)
        .await?;
    if by_email >= MAX_FAILURES_PER_ACCOUNT {
        return Err(ServiceError::Conflict(
            "too many failed attempts; try again in 15 minutes".into(),
        ));
    }
    if !verify(state, session.staff_id, &session.email, code).await? {
        state
            .store
            .record_sign_in_failure(&session.email, ip, current)
            .await?;
        return Err(wrong_code());
    }
    state.store.confirm_session_code(session.session_id).await?;
    Ok(())
}

/// The current code for a secret, for tests that play the authenticator app.
pub fn current_code(secret_base32: &str) -> Option<String> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, "x".into())
        .ok()?
        .generate_current()
        .ok()
}
