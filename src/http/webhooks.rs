//! Payment providers' webhooks. Each request is verified before anything is
//! read from it, then applied to the ledger exactly once. A repeat answers 200
//! (so the provider stops retrying); a database failure answers 500 (so it
//! retries later and nothing is lost).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use crate::app::AppState;
use crate::http::error::HttpError;
use crate::integrations::{liqpay, stripe};
use crate::services::{ServiceError, donations};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stripe", post(stripe_webhook))
        .route("/liqpay", post(liqpay_callback))
}

fn refused(provider: &str, reason: &str) -> Response {
    tracing::warn!(provider, reason, "webhook refused");
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": reason })),
    )
        .into_response()
}

async fn record(
    state: &AppState,
    provider: &str,
    event: Option<crate::store::LedgerEvent>,
) -> Result<Response, HttpError> {
    let Some(event) = event else {
        return Ok((
            StatusCode::OK,
            axum::Json(json!({ "received": true, "used": false })),
        )
            .into_response());
    };
    match donations::apply_and_notify(state, &event).await {
        Ok(applied) => Ok((
            StatusCode::OK,
            axum::Json(json!({ "received": true, "duplicate": !applied })),
        )
            .into_response()),
        Err(ServiceError::NotFound) => {
            tracing::warn!(provider, event.id = %event.event_id, "webhook for a donation newsdesk did not start");
            Ok((
                StatusCode::OK,
                axum::Json(json!({ "received": true, "used": false })),
            )
                .into_response())
        }
        Err(ServiceError::Validation(_)) => Ok(refused(provider, "impossible amount")),
        Err(e) => Err(e.into()),
    }
}

pub async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let Some(config) = &state.config.donations.stripe else {
        return Err(HttpError::NotFound);
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = stripe::verify(
        signature,
        &body,
        &config.webhook_secret,
        state.clock.now(),
        stripe::DEFAULT_TOLERANCE_SECONDS,
    ) {
        return Ok(refused("stripe", &e.to_string()));
    }
    let Ok(event) = serde_json::from_slice::<stripe::Event>(&body) else {
        return Ok(refused("stripe", "not a Stripe event"));
    };
    match donations::apply_stripe_event(&state, &event).await {
        Ok(used) => Ok((
            StatusCode::OK,
            axum::Json(json!({ "received": true, "duplicate": used == Some(false) })),
        )
            .into_response()),
        Err(ServiceError::NotFound) => {
            tracing::warn!(event.id = %event.id, "Stripe event for a donation newsdesk did not start");
            Ok((
                StatusCode::OK,
                axum::Json(json!({ "received": true, "used": false })),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn liqpay_callback(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, HttpError> {
    let Some(config) = &state.config.donations.liqpay else {
        return Err(HttpError::NotFound);
    };
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let callback = match liqpay::open(&config.private_key, field("data"), field("signature")) {
        Ok(callback) => callback,
        Err(e) => return Ok(refused("liqpay", &e.to_string())),
    };
    if callback["public_key"]
        .as_str()
        .is_some_and(|k| k != config.public_key)
    {
        return Ok(refused("liqpay", "the callback is for another merchant"));
    }
    record(
        &state,
        "liqpay",
        donations::from_liqpay(&callback, state.config.donations.sandbox),
    )
    .await
}
