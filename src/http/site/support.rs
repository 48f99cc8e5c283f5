//! The donation box, the /support page, and the built-in test checkout.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::Lang;
use super::views::{Page, nav_sections};
use crate::app::AppState;

use crate::http::error::HttpError;
use crate::http::form::{FormData, form_language};
use crate::services::donations::{self, Checkout, DonationRequest};
use crate::services::money::{Currency, Money};
use crate::services::{FieldError, ServiceError};
use crate::store::{DonationStatus, Frequency, SubscriptionStatus};

/// What the donation box template needs. Pages that show it stay cacheable:
/// nothing in it depends on the reader.
pub fn donate_box(state: &AppState, language: &str, article_id: Option<i64>) -> Value {
    let currency = donations::default_currency(state, language);
    let rules = donations::rules(state, currency);
    json!({
        "enabled": donations::accepting(state),
        "article_id": article_id,
        "currency": currency.code(),
        "presets": rules.presets.iter().map(|p| json!({
            "value": p.to_string(),
            "label": Money::from_major(*p, currency).display(state.locales.get(language)),
        })).collect::<Vec<_>>(),
        "default_preset": rules.presets.get(rules.presets.len() / 2).map(i64::to_string),
        "currencies": Currency::ALL.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "min": Money::from_major(rules.min, currency).display(state.locales.get(language)),
        "readers_share": state.readers_share.percent(),
        "transparency_url": format!("{}/support/transparency", state.urls.prefix(language)),
    })
}

async fn support_page(
    state: &AppState,
    language: &str,
    errors: &[FieldError],
) -> Result<Response, HttpError> {
    let sections = nav_sections(state).await?;
    let t = state.locales.get(language).site_words();
    let path = format!("{}/support", state.urls.prefix(language));
    let mut page = Page::new(state, language, &t["support_page_title"], &path, &sections);
    page.set("donate", donate_box(state, language, None))
        .set("donation_errors", errors);
    page.render(state, "support.html", None)
}

pub async fn show_support(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
) -> Result<Response, HttpError> {
    support_page(&state, &language, &[]).await
}

/// The box's form. Works without JavaScript; the button pressed says how often.
pub async fn donate(State(state): State<AppState>, body: Bytes) -> Result<Response, HttpError> {
    let form = FormData::parse(&body);
    let get = |name: &str| form.get(name).to_owned();
    let language = form_language(&state, &form);
    // Without JavaScript both currency fields arrive: presets are in the box's
    // own currency (the first), another amount in the one chosen beside it (the last).
    let currencies = form.all("currency");
    let currency = if get("amount") == "other" {
        currencies.last()
    } else {
        currencies.first()
    };
    let request = DonationRequest {
        frequency: get("frequency"),
        currency: currency.map(|c| (*c).to_owned()).unwrap_or_default(),
        amount: get("amount"),
        other_amount: get("other_amount"),
        name: get("name"),
        email: get("email"),
        article_id: get("article_id").parse().ok(),
    };
    match donations::start_checkout(&state, &request, &language).await {
        Ok(Checkout::Redirect(target)) => Ok(Redirect::to(&target).into_response()),
        Ok(Checkout::LiqPayForm { form, donation }) => {
            let mut page =
                support_frame(&state, &language, "support_page_title", "/support").await?;
            page.set("donation", donation_view(&state, &language, &donation))
                .set("liqpay", json!({ "action": form.action, "data": form.data, "signature": form.signature }))
                .set("noindex", true);
            page.render(&state, "liqpay.html", None)
        }
        Err(ServiceError::Validation(errors)) => {
            tracing::info!(fields = errors.len(), "donation form refused");
            let mut response = support_page(&state, &language, &errors).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        // The provider refused or is down: nothing was charged; say so and offer the way back.
        Err(ServiceError::ProviderUnavailable(provider)) => {
            tracing::warn!(provider, "payment provider unavailable at checkout");
            let message =
                state.locales.get(&language).site_words()["provider_unavailable"].to_owned();
            let errors = [FieldError {
                field: "provider".into(),
                message,
            }];
            let mut response = support_page(&state, &language, &errors).await?;
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("60"),
            );
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// The site frame for a support page, in `language`, titled by an interface word.
async fn support_frame(
    state: &AppState,
    language: &str,
    title_key: &str,
    path: &str,
) -> Result<Page, HttpError> {
    let sections = nav_sections(state).await?;
    let title = &state.locales.get(language).site_words()[title_key];
    Ok(Page::new(state, language, title, path, &sections))
}

fn donation_view(state: &AppState, language: &str, donation: &crate::store::Donation) -> Value {
    let currency = Currency::parse(&donation.currency).unwrap_or(Currency::Uah);
    json!({
        "public_id": donation.public_id,
        "amount": Money::new(donation.amount_minor, currency).display(state.locales.get(language)),
        "monthly": donation.frequency == Frequency::Monthly,
        "status": donation.status,
        "home_url": state.urls.home(language),
    })
}

async fn sandbox_page(
    state: &AppState,
    template: &str,
    public_id: &str,
) -> Result<Response, HttpError> {
    let donation = donations::sandbox_donation(state, public_id).await?;
    let language = state.config.site.default_language.clone();
    let mut page = support_frame(
        state,
        &language,
        "sandbox_title",
        &format!("/support/sandbox/{public_id}"),
    )
    .await?;
    page.set("donation", donation_view(state, &language, &donation))
        .set("noindex", true);
    page.render(state, template, None)
}

pub async fn show_sandbox(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> Result<Response, HttpError> {
    sandbox_page(&state, "sandbox.html", &public_id).await
}

pub async fn submit_sandbox(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    body: Bytes,
) -> Result<Response, HttpError> {
    let paid = url::form_urlencoded::parse(&body).any(|(k, v)| k == "action" && v == "pay");
    donations::sandbox_complete(&state, &public_id, paid).await?;
    Ok(Redirect::to(&format!("/support/thanks/{public_id}")).into_response())
}

/// Where providers send the reader back. The webhook, not this visit, records the payment.
pub async fn show_thanks(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
) -> Result<Response, HttpError> {
    let donation = state.store.donation_by_public_id(&public_id).await?;
    let language = state.config.site.default_language.clone();
    let mut page = support_frame(
        &state,
        &language,
        "thanks_title",
        &format!("/support/thanks/{public_id}"),
    )
    .await?;
    page.set("donation", donation_view(&state, &language, &donation))
        .set("noindex", true);
    page.render(&state, "thanks.html", None)
}

fn form_field(body: &Bytes, name: &str) -> String {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn donor_request_page(state: &AppState, sent: bool) -> Result<Response, HttpError> {
    let language = state.config.site.default_language.clone();
    let mut page = support_frame(state, &language, "manage_support", "/support/manage").await?;
    page.set("sent", sent).set("noindex", true);
    page.render(state, "donor_request.html", None)
}

pub async fn show_donor_request(State(state): State<AppState>) -> Result<Response, HttpError> {
    donor_request_page(&state, false).await
}

pub async fn submit_donor_request(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, HttpError> {
    donations::request_donor_link(&state, &form_field(&body, "email")).await?;
    donor_request_page(&state, true).await
}

/// A donor's own page: their gifts, their monthly support, their data.
pub async fn show_donor(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let email = donations::donor_email(&state, &token).await?;
    let language = state.config.site.default_language.clone();
    let money = |minor: i64, currency: &str| {
        Money::new(minor, Currency::parse(currency).unwrap_or(Currency::Uah))
            .display(state.locales.get(&language))
    };
    let gifts: Vec<Value> = state
        .store
        .donations_of(&email)
        .await?
        .iter()
        .filter(|d| d.status == DonationStatus::Completed)
        .map(|d| json!({ "amount": money(d.amount_minor, &d.currency), "monthly": d.frequency == Frequency::Monthly, "at": d.completed_at.unwrap_or(d.created_at) }))
        .collect();
    let monthly: Vec<Value> = state
        .store
        .subscriptions_of(&email)
        .await?
        .iter()
        .map(|s| json!({ "id": s.id, "amount": money(s.amount_minor, &s.currency), "active": s.status != SubscriptionStatus::Cancelled, "since": s.started_at, "stripe": s.provider == donations::STRIPE }))
        .collect();
    let mut page = support_frame(&state, &language, "manage_support", "/support/manage").await?;
    page.set("email", &email)
        .set("gifts", gifts)
        .set("monthly", monthly)
        .set("token", &token)
        .set("noindex", true);
    let mut response = page.render(&state, "donor.html", None)?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

pub async fn cancel_monthly(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, HttpError> {
    let email = donations::donor_email(&state, &token).await?;
    let id: i64 = form_field(&body, "subscription")
        .parse()
        .map_err(|_| HttpError::NotFound)?;
    donations::cancel_monthly(&state, &email, id).await?;
    Ok(Redirect::to(&format!("/support/manage/{token}")).into_response())
}

/// Everything newsdesk keeps about a donor, as JSON.
pub async fn export_donor(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let email = donations::donor_email(&state, &token).await?;
    let body = json!({
        "email": email,
        "donations": state.store.donations_of(&email).await?,
        "monthly_support": state.store.subscriptions_of(&email).await?,
    });
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                axum::http::HeaderValue::from_static("attachment; filename=\"my-donations.json\""),
            ),
        ],
        body.to_string(),
    )
        .into_response())
}

/// Erases the donor's name and email; amounts stay for the accounts.
pub async fn forget_donor(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, HttpError> {
    let email = donations::donor_email(&state, &token).await?;
    state.store.forget_donor(&email).await?;
    tracing::info!("a donor's data was erased at their request");
    crate::services::audit::record(
        &state,
        &crate::services::audit::Who::anonymous("donor (emailed link)", ""),
        "donor erased",
        "",
        "",
    )
    .await;
    Ok(Redirect::to("/support/manage").into_response())
}

/// Stripe's Customer Portal, where the donor updates their card or cancels.
pub async fn open_portal(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, HttpError> {
    let email = donations::donor_email(&state, &token).await?;
    let id: i64 = form_field(&body, "subscription")
        .parse()
        .map_err(|_| HttpError::NotFound)?;
    let back = state.urls.absolute(&format!("/support/manage/{token}"));
    let url = donations::stripe_portal(&state, &email, id, &back).await?;
    Ok(Redirect::to(&url).into_response())
}
