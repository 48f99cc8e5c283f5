//! The funding dashboard: readers against grants, monthly supporters, the
//! articles that brought gifts; charts drawn on the server as SVG; CSV export.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::services::ServiceError;
use crate::services::donations::{self, FundingSummary, GrantInput};
use crate::services::money::{Currency, Money};
use crate::services::policy::Action;

#[derive(Deserialize)]
pub struct FundingQuery {
    currency: Option<String>,
}

fn currency_of(query: &FundingQuery) -> Currency {
    query
        .currency
        .as_deref()
        .and_then(Currency::parse)
        .unwrap_or(Currency::Uah)
}

async fn page(
    state: &AppState,
    staff: &Staff,
    language: &str,
    currency: Currency,
) -> Result<AdminPage, HttpError> {
    let summary: FundingSummary = donations::funding_summary(state, currency).await?;
    let t = state.locales.get(language).admin_words();
    let money = |minor: i64| Money::new(minor, currency).display(state.locales.get(language));
    let mut page = AdminPage::new(state, language, &t["funding"], Some(staff));
    page.set("summary", &summary)
        .set("currency", currency.code())
        .set("currencies", Currency::ALL.iter().map(|c| c.code()).collect::<Vec<_>>())
        .set("mrr", money(summary.monthly_recurring_minor))
        .set("average_gift", money(summary.average_gift_minor))
        .set(
            "months",
            summary
                .months
                .iter()
                .map(|m| serde_json::json!({ "label": m.label, "readers": money(m.readers_minor), "grants": money(m.grants_minor), "share": m.readers_share_percent }))
                .collect::<Vec<_>>(),
        )
        .set(
            "top",
            summary
                .top_articles
                .iter()
                .map(|a| serde_json::json!({ "id": a.article_id, "headline": a.headline, "total": money(a.total_minor), "gifts": a.gifts }))
                .collect::<Vec<_>>(),
        )
        .set("grants", state.store.grants().await?)
        .set(
            "mismatches",
            state
                .store
                .mismatched_donations(50)
                .await?
                .into_iter()
                .map(|(id, minor, currency, note)| serde_json::json!({"id": id, "pledged": format!("{}.{:02} {currency}", minor / 100, minor % 100), "note": note}))
                .collect::<Vec<_>>(),
        )
        .safe("chart", crate::http::charts::income_chart(
                &summary.months,
                &t["readers"],
                &t["grants"],
                "chart-title",
            ));
    Ok(page)
}

pub async fn show_funding(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Query(query): Query<FundingQuery>,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ViewFunding, None).await?;
    page(&state, &staff, &language, currency_of(&query))
        .await?
        .render(&state, "admin/funding.html")
}

pub async fn add_grant(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ViewFunding, None).await?;
    let input = GrantInput {
        funder: form.get("funder").to_owned(),
        amount: form.get("amount").to_owned(),
        currency: form.get("currency").to_owned(),
        period_start: form.get("period_start").to_owned(),
        period_end: form.get("period_end").to_owned(),
        note: form.get("note").to_owned(),
        purpose: form.get("purpose").to_owned(),
        public: form.get("public") == "on",
    };
    match donations::add_grant(&state, &input).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/admin/funding?currency={}", form.get("currency")))
                .into_response(),
        ),
        Err(ServiceError::Validation(errors)) => {
            let currency = Currency::parse(form.get("currency")).unwrap_or(Currency::Uah);
            let mut page = page(&state, &staff, &language, currency).await?;
            page.set("errors", &errors);
            page.render_status(
                &state,
                "admin/funding.html",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Shows a grant on the public transparency page, or hides it.
pub async fn publish_grant(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    StaffForm(staff, form): StaffForm,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ViewFunding, None).await?;
    donations::publish_grant(&state, id, form.get("public") == "on").await?;
    Ok(Redirect::to("/admin/funding").into_response())
}

/// Income by month as CSV, for the accountant's spreadsheet.
pub async fn export_csv(
    State(state): State<AppState>,
    staff: Staff,
    Query(query): Query<FundingQuery>,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::ViewFunding, None).await?;
    let currency = currency_of(&query);
    let summary = donations::funding_summary(&state, currency).await?;
    let mut csv = String::from("month,currency,readers,grants,readers_share_percent\n");
    for month in &summary.months {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            month.label,
            currency.code(),
            Money::new(month.readers_minor, currency).major_string(),
            Money::new(month.grants_minor, currency).major_string(),
            month.readers_share_percent
        ));
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"newsdesk-funding.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
