//! `/support/transparency`: where the newsroom's money comes from, live
//! from the ledger, with a chart, a table and a CSV of the same numbers.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Lang;
use super::cache::CacheTags;
use super::views::{Page, nav_sections};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::donations;
use crate::services::money::{Currency, Money};

pub async fn show_transparency(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    let funding = donations::public_funding(&state, &language).await?;
    let locale = state.locales.get(&language);
    let words = locale.site_words();
    let money = |minor: i64, code: &str| {
        Currency::parse(code).map_or_else(String::new, |c| Money::new(minor, c).display(locale))
    };
    let years: Vec<_> = funding
        .years
        .iter()
        .map(|year| {
            json!({
                "currency": year.currency,
                "readers_share": year.readers_share_percent,
                "readers": money(year.readers_minor, year.currency),
                "grants": money(year.grants_minor, year.currency),
                "monthly_supporters": year.monthly_supporters,
                "chart": crate::http::charts::income_chart(
                    &year.months,
                    &words["transparency_readers"],
                    &words["transparency_grants"],
                    &format!("chart-{}", year.currency),
                ),
                "months": year.months.iter().map(|m| json!({
                    "label": m.label,
                    "readers": money(m.readers_minor, year.currency),
                    "grants": money(m.grants_minor, year.currency),
                    "share": m.readers_share_percent,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let grants: Vec<_> = funding
        .grants
        .iter()
        .map(|g| {
            json!({
                "funder": g.funder,
                "purpose": g.purpose,
                "amount": money(g.amount_minor, &g.currency),
                "period_start": g.period_start,
                "period_end": g.period_end,
            })
        })
        .collect();
    let sections = nav_sections(&state).await?;
    let path = format!("{}/support/transparency", state.urls.prefix(&language));
    let mut page = Page::new(
        &state,
        &language,
        &words["transparency_title"],
        &path,
        &sections,
    );
    page.set("years", &years)
        .set("grants", &grants)
        .set("csv_url", format!("{path}.csv"))
        .set(
            "support_url",
            format!("{}/support", state.urls.prefix(&language)),
        );
    // Kept like every page: at most five minutes old, so gifts show up soon.
    page.render(
        &state,
        "transparency.html",
        Some(CacheTags::until_cleared()),
    )
}

/// The same numbers as CSV, one row per currency and month.
pub async fn transparency_csv(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    let funding = donations::public_funding(&state, &language).await?;
    let mut csv = String::from("month,currency,readers,grants,readers_share_percent\n");
    for year in &funding.years {
        let Some(currency) = Currency::parse(year.currency) else {
            continue;
        };
        for month in &year.months {
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                month.label,
                year.currency,
                Money::new(month.readers_minor, currency).major_string(),
                Money::new(month.grants_minor, currency).major_string(),
                month.readers_share_percent
            ));
        }
    }
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"transparency.csv\""),
            ),
        ],
        csv,
    )
        .into_response();
    response.extensions_mut().insert(CacheTags::until_cleared());
    Ok(response)
}
