//! Donations through the Admin API, for the newsroom's accounting tools.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiCaller, ApiQuery};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::FieldError;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DonationQuery {
    /// `YYYY-MM-DD`, inclusive, in the newsroom's time zone.
    from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    to: Option<String>,
    /// pending, completed, failed or refunded
    status: Option<String>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/admin/donations", tag = "admin", params(DonationQuery),
    responses((status = 200, description = "Donations with donors' names and emails (needs donations:read)", body = Object)), security(("api_key" = [])))]
pub async fn list_donations(
    State(state): State<AppState>,
    caller: ApiCaller,
    client: crate::http::client_addr::ClientAddr,
    ApiQuery(query): ApiQuery<DonationQuery>,
) -> Result<Json<Value>, HttpError> {
    crate::services::audit::record(&state, &caller.who(client), "donors read", "donations", "")
        .await;
    let tz = &state.config.site.timezone;
    let mut errors = Vec::new();
    let mut day = |field: &str, text: Option<&str>, default: i64, next_day: bool| -> i64 {
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            return default;
        };
        let parsed = text
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| if next_day { d.tomorrow().ok() } else { Some(d) });
        match parsed.and_then(|d| d.to_zoned(tz.clone()).ok()) {
            Some(z) => z.timestamp().as_second(),
            None => {
                errors.push(FieldError {
                    field: field.into(),
                    message: "must be a date such as 2026-11-25".into(),
                });
                default
            }
        }
    };
    let from = day("from", query.from.as_deref(), 0, false);
    let until = day("to", query.to.as_deref(), i64::MAX / 2, true);
    let status = query.status.filter(|s| !s.is_empty());
    if status
        .as_deref()
        .is_some_and(|s| !["pending", "completed", "failed", "cancelled"].contains(&s))
    {
        errors.push(FieldError {
            field: "status".into(),
            message: "must be pending, completed, failed or cancelled".into(),
        });
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            message: "must be from 1 to 1000".into(),
        });
    }
    if !errors.is_empty() {
        return Err(HttpError::Validation(errors));
    }
    let donations = state
        .store
        .donations_between(from, until, status.as_deref(), limit)
        .await?;
    // What was paid, refunded and kept, so refunds show where donations are read.
    let ids: Vec<i64> = donations.iter().map(|d| d.id.0).collect();
    let totals = state.store.payment_totals(&ids).await?;
    let donations: Vec<Value> = donations
        .iter()
        .map(|d| {
            let (paid, refunded) = totals.get(&d.id.0).copied().unwrap_or((0, 0));
            let mut row = serde_json::to_value(d).unwrap_or(Value::Null);
            row["paid_minor"] = json!(paid);
            row["refunded_minor"] = json!(refunded);
            row["net_minor"] = json!(paid - refunded);
            row
        })
        .collect();
    Ok(Json(json!({ "donations": donations })))
}
