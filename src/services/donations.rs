//! Reader donations: checking what the reader asked for, starting a checkout
//! with a provider, applying what providers report exactly once, and the
//! numbers a newsroom's director asks for each month.

use std::collections::BTreeMap;

use serde::Serialize;

use super::money::{Currency, Money};
use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::config::CurrencyRules;
use crate::store::{ArticleId, Donation, LedgerEffect, LedgerEvent, NewDonation, StoreError};
use crate::store::{DonationStatus, Frequency, SubscriptionStatus};

pub const SANDBOX: &str = "sandbox";

pub fn rules(state: &AppState, currency: Currency) -> &CurrencyRules {
    let donations = &state.config.donations;
    match currency {
        Currency::Uah => &donations.uah,
        Currency::Eur => &donations.eur,
        Currency::Usd => &donations.usd,
    }
}

/// The currency the box offers first: hryvnias at home, euros abroad.
pub fn default_currency(language: &str) -> Currency {
    if language == "uk" {
        Currency::Uah
    } else {
        Currency::Eur
    }
}

pub const STRIPE: &str = "stripe";
pub const LIQPAY: &str = "liqpay";

/// Whether any way to pay is switched on.
pub fn accepting(state: &AppState) -> bool {
    let donations = &state.config.donations;
    donations.sandbox || donations.stripe.is_some() || donations.liqpay.is_some()
}

/// Hryvnias go through LiqPay when it is set up; cards in any currency through Stripe.
fn provider_for(state: &AppState, currency: Currency) -> Option<&'static str> {
    let donations = &state.config.donations;
    match currency {
        Currency::Uah if donations.liqpay.is_some() => Some(LIQPAY),
        _ if donations.stripe.is_some() => Some(STRIPE),
        _ if donations.sandbox => Some(SANDBOX),
        _ => None,
    }
}

/// Where the reader goes next to pay.
pub enum Checkout {
    Redirect(String),
    /// LiqPay's checkout is a signed form the reader's browser posts.
    LiqPayForm {
        form: crate::integrations::liqpay::CheckoutForm,
        donation: Box<Donation>,
    },
}

/// What the reader sent from the donation box.
#[derive(Debug, Default)]
pub struct DonationRequest {
    pub frequency: String,
    pub currency: String,
    /// A preset ("500") or "other".
    pub amount: String,
    pub other_amount: String,
    pub name: String,
    pub email: String,
    pub article_id: Option<i64>,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks a request; returns the frequency and amount, or every problem at once.
pub fn check_request(
    state: &AppState,
    request: &DonationRequest,
) -> ServiceResult<(Frequency, Money)> {
    let mut errors = Vec::new();
    let frequency = Frequency::parse(&request.frequency).unwrap_or_else(|| {
        errors.push(field("frequency", "choose one-time or monthly"));
        Frequency::OneTime
    });
    let Some(currency) = Currency::parse(&request.currency) else {
        errors.push(field("currency", "must be UAH, EUR or USD"));
        return Err(ServiceError::Validation(errors));
    };
    let text = if request.amount == "other" || request.amount.is_empty() {
        &request.other_amount
    } else {
        &request.amount
    };
    let rules = rules(state, currency);
    let money = match Money::parse(text, currency) {
        Ok(money) if money.minor < rules.min * currency.minor_per_major() => {
            errors.push(field(
                "amount",
                format!(
                    "must be at least {}",
                    Money::from_major(rules.min, currency)
                ),
            ));
            None
        }
        Ok(money) if money.minor > rules.max * currency.minor_per_major() => {
            errors.push(field(
                "amount",
                format!("must be at most {}", Money::from_major(rules.max, currency)),
            ));
            None
        }
        Ok(money) => Some(money),
        Err(e) => {
            errors.push(field("amount", e.to_string()));
            None
        }
    };
    let email = request.email.trim();
    if !email.is_empty()
        && (!email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace))
    {
        errors.push(field("email", "must be an email address"));
    }
    if request.name.chars().count() > 120 {
        errors.push(field("name", "must be at most 120 characters"));
    }
    match (money, errors.is_empty()) {
        (Some(money), true) => Ok((frequency, money)),
        _ => Err(ServiceError::Validation(errors)),
    }
}

/// Records the intent and returns where to send the reader to pay.
pub async fn start_checkout(
    state: &AppState,
    request: &DonationRequest,
    language: &str,
) -> ServiceResult<Checkout> {
    let (frequency, money) = check_request(state, request)?;
    let Some(provider) = provider_for(state, money.currency) else {
        return Err(ServiceError::Conflict(
            "donations are not set up yet".into(),
        ));
    };
    // The article is remembered only if it is a real one.
    let article_id = match request.article_id {
        Some(id) => state
            .store
            .article_row(ArticleId(id))
            .await
            .ok()
            .map(|a| a.id),
        None => None,
    };
    let public_id = hex::encode(rand::random::<[u8; 12]>());
    let donation = state
        .store
        .insert_donation(
            &NewDonation {
                public_id: &public_id,
                frequency,
                amount_minor: money.minor,
                currency: money.currency.code(),
                provider,
                donor_name: request.name.trim(),
                donor_email: &request.email.trim().to_lowercase(),
                article_id,
            },
            state.clock.now(),
        )
        .await?;
    tracing::info!(donation.id = %donation.id, amount = %money, %frequency, provider, "checkout started");
    match provider {
        STRIPE => stripe_checkout(state, &donation, money, language).await,
        LIQPAY => Ok(liqpay_checkout(state, donation, money, language)),
        _ => Ok(Checkout::Redirect(format!("/support/sandbox/{public_id}"))),
    }
}

async fn stripe_checkout(
    state: &AppState,
    donation: &Donation,
    money: Money,
    language: &str,
) -> ServiceResult<Checkout> {
    let Some(config) = &state.config.donations.stripe else {
        return Err(ServiceError::Conflict("Stripe is not set up".into()));
    };
    let monthly = donation.frequency == Frequency::Monthly;
    let site = &state.config.site.name;
    let mut form: Vec<(String, String)> = vec![
        (
            "mode".into(),
            if monthly { "subscription" } else { "payment" }.into(),
        ),
        (
            "line_items[0][price_data][currency]".into(),
            money.currency.code().to_lowercase(),
        ),
        (
            "line_items[0][price_data][unit_amount]".into(),
            money.minor.to_string(),
        ),
        (
            "line_items[0][price_data][product_data][name]".into(),
            if monthly {
                format!("Monthly support for {site}")
            } else {
                format!("Donation to {site}")
            },
        ),
        ("line_items[0][quantity]".into(), "1".into()),
        (
            "success_url".into(),
            state
                .urls
                .absolute(&format!("/support/thanks/{}", donation.public_id)),
        ),
        (
            "cancel_url".into(),
            state
                .urls
                .absolute(&format!("{}/support", state.urls.prefix(language))),
        ),
        ("client_reference_id".into(), donation.public_id.clone()),
        ("metadata[donation]".into(), donation.public_id.clone()),
        ("locale".into(), stripe_locale(language).into()),
    ];
    // Our donation id on the subscription and the payment, so events of a
    // shared Stripe account that newsdesk did not start can be told apart.
    if monthly {
        form.push((
            "line_items[0][price_data][recurring][interval]".into(),
            "month".into(),
        ));
        form.push((
            "subscription_data[metadata][donation]".into(),
            donation.public_id.clone(),
        ));
    } else {
        form.push(("submit_type".into(), "donate".into()));
        form.push((
            "payment_intent_data[metadata][donation]".into(),
            donation.public_id.clone(),
        ));
    }
    if !donation.donor_email.is_empty() {
        form.push(("customer_email".into(), donation.donor_email.clone()));
    }
    let client = crate::integrations::stripe::Client::new(&state.http, config);
    // Keyed by our own donation, so a retry after a crash cannot open a second session.
    let session = client
        .create_checkout_session(&form, &format!("donation-{}", donation.public_id))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, donation.id = %donation.id, "Stripe checkout failed");
            ServiceError::ProviderUnavailable("Stripe".into())
        })?;
    state
        .store
        .set_donation_provider_ref(&donation.public_id, &session.id)
        .await?;
    Ok(Checkout::Redirect(session.url))
}

/// Stripe Checkout's locale for a site language. Stripe has no Ukrainian
/// page; "auto" lets it follow the reader's browser instead of refusing.
pub fn stripe_locale(language: &str) -> &'static str {
    const SUPPORTED: &[&str] = &[
        "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr",
        "fr-CA", "hi-IN", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl",
        "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK",
        "zh-TW",
    ];
    // Russian is never offered for Ukrainian: "auto" picks the reader's own.
    if language == "uk" || language == "ru" {
        return "auto";
    }
    SUPPORTED
        .iter()
        .copied()
        .find(|l| *l == language)
        .unwrap_or("auto")
}

fn liqpay_checkout(state: &AppState, donation: Donation, money: Money, language: &str) -> Checkout {
    let Some(config) = &state.config.donations.liqpay else {
        return Checkout::Redirect("/support".into());
    };
    let monthly = donation.frequency == Frequency::Monthly;
    let site = &state.config.site.name;
    let mut params = serde_json::json!({
        "action": if monthly { "subscribe" } else { "pay" },
        "amount": money.major_string(),
        "currency": money.currency.code(),
        "description": if monthly { format!("Monthly support for {site}") } else { format!("Donation to {site}") },
        "order_id": donation.public_id,
        "result_url": state.urls.absolute(&format!("/support/thanks/{}", donation.public_id)),
        "server_url": state.urls.absolute("/webhooks/liqpay"),
        "language": if language == "uk" { "uk" } else { "en" },
    });
    if monthly {
        let start = jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string();
        params["subscribe"] = "1".into();
        params["subscribe_date_start"] = start.into();
        params["subscribe_periodicity"] = "month".into();
    }
    let client = crate::integrations::liqpay::Client::new(&state.http, config);
    Checkout::LiqPayForm {
        form: client.checkout_form(params),
        donation: Box::new(donation),
    }
}

/// Applies a verified Stripe event; `None` when newsdesk has no use for it.
pub async fn apply_stripe_event(
    state: &AppState,
    event: &crate::integrations::stripe::Event,
) -> ServiceResult<Option<bool>> {
    let Some(ledger) = from_stripe(event) else {
        return Ok(None);
    };
    let applied = apply_and_notify(state, &ledger).await?;
    // The customer lets the donor open Stripe's Customer Portal later.
    let object = &event.data.object;
    if let (Some(subscription), Some(customer)) =
        (object["subscription"].as_str(), object["customer"].as_str())
    {
        state
            .store
            .set_subscription_customer(STRIPE, subscription, customer)
            .await?;
    }
    Ok(Some(applied))
}

/// A short-lived Stripe Customer Portal address where the donor manages their card or cancels.
pub async fn stripe_portal(
    state: &AppState,
    email: &str,
    subscription_row: i64,
    return_url: &str,
) -> ServiceResult<String> {
    let config = state
        .config
        .donations
        .stripe
        .as_ref()
        .ok_or(ServiceError::NotFound)?;
    let subscription = state
        .store
        .subscriptions_of(email)
        .await?
        .into_iter()
        .find(|s| s.id == subscription_row && s.provider == STRIPE)
        .ok_or(ServiceError::NotFound)?;
    let customer = state
        .store
        .subscription_customer(subscription.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let client = crate::integrations::stripe::Client::new(&state.http, config);
    client
        .create_portal_session(
            &customer,
            return_url,
            &format!(
                "portal-{}-{}",
                subscription.id,
                hex::encode(rand::random::<[u8; 6]>())
            ),
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "cannot open the Stripe portal");
            ServiceError::Conflict(
                "the payment provider is not answering; please try again in a minute".into(),
            )
        })
}

/// Translates a verified Stripe event into the ledger's terms; `None` for events we do not need.
pub fn from_stripe(event: &crate::integrations::stripe::Event) -> Option<LedgerEvent> {
    let object = &event.data.object;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let effect = match event.kind.as_str() {
        // A delayed method (SEPA and the like) completes the session unpaid
        // and is paid later: async_payment_succeeded is when the money came.
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let subscription = text(&object["subscription"]);
            let paid = object["payment_status"] == "paid" || subscription.is_some();
            if !paid {
                return None;
            }
            LedgerEffect::CheckoutCompleted {
                paid: object["amount_total"]
                    .as_i64()
                    .zip(text(&object["currency"]).map(|c| c.to_uppercase())),
                donation_public_id: text(&object["client_reference_id"])
                    .or_else(|| text(&object["metadata"]["donation"]))?,
                provider_ref: text(&object["id"])?,
                // Monthly payments arrive as invoices, the first one included.
                payment_id: if subscription.is_some() {
                    None
                } else {
                    text(&object["payment_intent"]).or_else(|| text(&object["id"]))
                },
                subscription_id: subscription,
            }
        }
        "checkout.session.async_payment_failed" | "checkout.session.expired" => {
            LedgerEffect::CheckoutFailed {
                donation_public_id: text(&object["client_reference_id"])?,
            }
        }
        "invoice.paid" => LedgerEffect::RecurringPayment {
            subscription_id: invoice_subscription(object)?,
            payment_id: text(&object["id"])?,
            amount_minor: object["amount_paid"].as_i64()?,
            currency: text(&object["currency"])?.to_uppercase(),
            // Named on the invoice up to 2024-06-20; "basil" sends invoice_payment.paid instead.
            payment_intent: text(&object["payment_intent"]),
            started_here: invoice_subscription_metadata(object)
                .map(|metadata| metadata["donation"].is_string()),
        },
        // "basil" and later: which payment intent paid which invoice.
        "invoice_payment.paid" => LedgerEffect::PaymentLinked {
            payment_id: text(&object["invoice"])?,
            payment_intent: text(&object["payment"]["payment_intent"])?,
        },
        "invoice.payment_failed" => LedgerEffect::RecurringPaymentFailed {
            subscription_id: invoice_subscription(object)?,
        },
        "customer.subscription.deleted" => LedgerEffect::SubscriptionEnded {
            subscription_id: text(&object["id"])?,
            started_here: object["metadata"]
                .as_object()
                .map(|metadata| metadata.get("donation").is_some_and(|d| d.is_string())),
        },
        // A dispute takes the money back until it is decided; a won one returns it.
        "charge.dispute.created" => LedgerEffect::Refunded {
            payment_id: text(&object["payment_intent"])?,
            refunded_minor: object["amount"].as_i64()?,
        },
        "charge.dispute.closed" if object["status"] == "won" => LedgerEffect::Reinstated {
            payment_id: text(&object["payment_intent"])?,
            amount_minor: object["amount"].as_i64()?,
        },
        "charge.refunded" => LedgerEffect::Refunded {
            // Monthly payments are recorded by invoice, one-time ones by payment intent.
            payment_id: text(&object["invoice"]).or_else(|| text(&object["payment_intent"]))?,
            refunded_minor: object["amount_refunded"].as_i64()?,
        },
        _ => return None,
    };
    Some(LedgerEvent {
        provider: STRIPE.into(),
        event_id: event.id.clone(),
        at: event.created.unwrap_or_else(crate::store::now),
        effect,
    })
}

/// The metadata of the subscription an invoice belongs to, in either API shape.
fn invoice_subscription_metadata(invoice: &serde_json::Value) -> Option<&serde_json::Value> {
    [
        &invoice["parent"]["subscription_details"]["metadata"],
        &invoice["subscription_details"]["metadata"],
    ]
    .into_iter()
    .find(|m| m.is_object())
}

/// Where an invoice names its subscription: directly in older API versions,
/// under `parent.subscription_details` since "basil".
fn invoice_subscription(invoice: &serde_json::Value) -> Option<String> {
    invoice["subscription"]
        .as_str()
        .or_else(|| invoice["parent"]["subscription_details"]["subscription"].as_str())
        .map(str::to_owned)
}

/// Translates a verified LiqPay callback; `None` while a payment is still
/// pending. LiqPay's `sandbox` status is money only in test mode.
pub fn from_liqpay(callback: &serde_json::Value, test_mode: bool) -> Option<LedgerEvent> {
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::to_owned)
            .or_else(|| v.as_i64().map(|n| n.to_string()))
    };
    let order = text(&callback["order_id"])?;
    let payment = text(&callback["payment_id"]).unwrap_or_else(|| order.clone());
    let status = callback["status"].as_str()?;
    let action = callback["action"].as_str().unwrap_or("");
    let amount = || {
        let currency = Currency::parse(callback["currency"].as_str()?)?;
        let major = text(&callback["amount"])
            .or_else(|| callback["amount"].as_f64().map(|f| format!("{f:.2}")))?;
        Money::parse(&major, currency).ok()
    };
    let regular = action == "regular";
    let status = match status {
        "sandbox" if !test_mode => return None,
        "sandbox" => "success",
        other => other,
    };
    let effect = match status {
        "success" if regular => {
            let money = amount()?;
            LedgerEffect::RecurringPayment {
                subscription_id: order,
                payment_id: payment.clone(),
                amount_minor: money.minor,
                currency: money.currency.code().into(),
                payment_intent: None,
                // LiqPay's order id is our donation's id: every order is ours.
                started_here: None,
            }
        }
        "success" => LedgerEffect::CheckoutCompleted {
            donation_public_id: order,
            provider_ref: payment.clone(),
            payment_id: Some(payment.clone()),
            subscription_id: None,
            paid: Some(amount().map_or((0, String::new()), |m| {
                (m.minor, m.currency.code().to_owned())
            })),
        },
        "subscribed" => LedgerEffect::CheckoutCompleted {
            donation_public_id: order.clone(),
            provider_ref: payment.clone(),
            payment_id: Some(payment.clone()),
            subscription_id: Some(order),
            paid: amount().map(|m| (m.minor, m.currency.code().to_owned())),
        },
        "unsubscribed" => LedgerEffect::SubscriptionEnded {
            subscription_id: order,
            started_here: None,
        },
        "reversed" => LedgerEffect::Refunded {
            payment_id: payment.clone(),
            refunded_minor: amount()?.minor,
        },
        "failure" | "error" if regular => LedgerEffect::RecurringPaymentFailed {
            subscription_id: order,
        },
        "failure" | "error" => LedgerEffect::CheckoutFailed {
            donation_public_id: order,
        },
        _ => return None,
    };
    Some(LedgerEvent {
        provider: LIQPAY.into(),
        event_id: format!("{payment}:{status}:{action}"),
        at: crate::store::now(),
        effect,
    })
}

/// A pending sandbox donation, for the test checkout page.
pub async fn sandbox_donation(state: &AppState, public_id: &str) -> ServiceResult<Donation> {
    if !state.config.donations.sandbox {
        return Err(ServiceError::NotFound);
    }
    let donation = state.store.donation_by_public_id(public_id).await?;
    if donation.provider != SANDBOX {
        return Err(ServiceError::NotFound);
    }
    Ok(donation)
}

/// The sandbox's "payment": reported to the ledger exactly as a provider's
/// webhook would be, so the demo exercises the real path.
pub async fn sandbox_complete(
    state: &AppState,
    public_id: &str,
    paid: bool,
) -> ServiceResult<Donation> {
    let donation = sandbox_donation(state, public_id).await?;
    let effect = if paid {
        LedgerEffect::CheckoutCompleted {
            donation_public_id: donation.public_id.clone(),
            provider_ref: format!("sbx_cs_{}", donation.public_id),
            payment_id: Some(format!("sbx_pay_{}", donation.public_id)),
            subscription_id: (donation.frequency == Frequency::Monthly)
                .then(|| format!("sbx_sub_{}", donation.public_id)),
            paid: Some((donation.amount_minor, donation.currency.clone())),
        }
    } else {
        LedgerEffect::CheckoutFailed {
            donation_public_id: donation.public_id.clone(),
        }
    };
    let event = LedgerEvent {
        provider: SANDBOX.into(),
        event_id: format!(
            "sbx_evt_{}_{}",
            donation.public_id,
            if paid { "paid" } else { "cancelled" }
        ),
        at: state.clock.now(),
        effect,
    };
    apply_and_notify(state, &event).await?;
    Ok(state.store.donation_by_public_id(public_id).await?)
}

/// Applies a verified provider event once; repeats are logged and ignored.
/// No gift, refund or renewal is larger than this (minor units): ten million
/// in any of our currencies. Anything outside (0, this] is not money.
pub const MAX_PLAUSIBLE_MINOR: i64 = 1_000_000_000;

/// Refuses amounts no real payment has: negative, zero where money moved, absurd.
fn check_plausible(effect: &LedgerEffect) -> ServiceResult<()> {
    let plausible = |minor: i64, zero_ok: bool| {
        (if zero_ok { minor >= 0 } else { minor > 0 }) && minor <= MAX_PLAUSIBLE_MINOR
    };
    let ok = match effect {
        LedgerEffect::CheckoutCompleted { paid, .. } => paid
            .as_ref()
            .is_none_or(|(minor, _)| plausible(*minor, false)),
        LedgerEffect::RecurringPayment { amount_minor, .. } => plausible(*amount_minor, false),
        LedgerEffect::Refunded { refunded_minor, .. } => plausible(*refunded_minor, true),
        LedgerEffect::Reinstated { amount_minor, .. } => plausible(*amount_minor, false),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Validation(vec![FieldError {
            field: "amount".into(),
            message: "is not an amount a payment can have".into(),
        }]))
    }
}

pub async fn apply(state: &AppState, event: &LedgerEvent) -> ServiceResult<bool> {
    if let Err(err) = check_plausible(&event.effect) {
        tracing::warn!(provider = %event.provider, event.id = %event.event_id, "payment event with an impossible amount refused");
        return Err(err);
    }
    match state.store.apply_ledger_event(event).await {
        Ok(true) => {
            tracing::info!(provider = %event.provider, event.id = %event.event_id, "payment event applied");
            Ok(true)
        }
        Ok(false) => {
            tracing::info!(provider = %event.provider, event.id = %event.event_id, "payment event already applied");
            Ok(false)
        }
        Err(StoreError::NotFound) => Err(ServiceError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, Default, Clone)]
pub struct MonthIncome {
    pub label: String,
    pub readers_minor: i64,
    pub grants_minor: i64,
    /// Readers' part of the month's income, per hundred: the number the newsroom wants to grow.
    pub readers_share_percent: i64,
}

#[derive(Serialize)]
pub struct TopArticle {
    pub article_id: i64,
    pub headline: String,
    pub total_minor: i64,
    pub gifts: i64,
}

#[derive(Serialize)]
pub struct FundingSummary {
    pub currency: &'static str,
    pub active_monthly_donors: i64,
    pub monthly_recurring_minor: i64,
    /// Monthly supporters lost in the last 30 days, per hundred.
    pub churn_percent: i64,
    pub average_gift_minor: i64,
    pub months: Vec<MonthIncome>,
    /// Readers' share of the last twelve months' income, per hundred.
    pub readers_share_percent: i64,
    pub top_articles: Vec<TopArticle>,
}

/// The director's monthly numbers, in one currency.
pub async fn funding_summary(
    state: &AppState,
    currency: Currency,
) -> ServiceResult<FundingSummary> {
    let tz = &state.config.site.timezone;
    let current = state.clock.now();
    let year_ago = current - 366 * 86_400;
    let code = currency.code();
    let month_of = |ts: i64| {
        let (y, m, _) = crate::content::i18n::local_date(ts, tz);
        format!("{y:04}-{m:02}")
    };
    let mut months: BTreeMap<String, MonthIncome> = BTreeMap::new();
    let mut cursor = jiff::Timestamp::from_second(current)
        .map_err(|e| ServiceError::Conflict(e.to_string()))?
        .to_zoned(tz.clone());
    for _ in 0..12 {
        let label = format!("{:04}-{:02}", cursor.year(), cursor.month());
        months.insert(
            label.clone(),
            MonthIncome {
                label,
                ..Default::default()
            },
        );
        cursor = cursor
            .first_of_month()
            .and_then(|d| d.yesterday())
            .map_err(|e| ServiceError::Conflict(e.to_string()))?;
    }
    let payments = state.store.payments_since(year_ago).await?;
    let mut by_article: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let (mut this_month_total, mut this_month_count) = (0i64, 0i64);
    let this_month = month_of(current);
    for payment in payments.iter().filter(|p| p.currency == code) {
        let net = payment.amount_minor - payment.refunded_minor;
        let month = month_of(payment.paid_at);
        if let Some(row) = months.get_mut(&month) {
            row.readers_minor += net;
        }
        if month == this_month {
            this_month_total += net;
            this_month_count += 1;
        }
        if let Some(article) = payment.article_id {
            let entry = by_article.entry(article.0).or_default();
            entry.0 += net;
            entry.1 += 1;
        }
    }
    // A grant counts evenly over the months of its period.
    for grant in state
        .store
        .grants()
        .await?
        .iter()
        .filter(|g| g.currency == code)
    {
        let span_months =
            ((grant.period_end - grant.period_start + 15 * 86_400) / (30 * 86_400)).max(1);
        let per_month = grant.amount_minor / span_months;
        for row in months.values_mut() {
            let Some(start) = month_start(&row.label, tz) else {
                continue;
            };
            if start >= grant.period_start - 86_400 && start < grant.period_end {
                row.grants_minor += per_month;
            }
        }
    }
    let subscriptions = state.store.subscriptions().await?;
    let active: Vec<_> = subscriptions
        .iter()
        .filter(|s| s.currency == code && s.status != SubscriptionStatus::Cancelled)
        .collect();
    let cancelled_lately = subscriptions
        .iter()
        .filter(|s| {
            s.currency == code
                && s.cancelled_at.is_some_and(|c| c >= current - 30 * 86_400)
                && s.started_at < current - 30 * 86_400
        })
        .count() as i64;
    let at_start = active
        .iter()
        .filter(|s| s.started_at < current - 30 * 86_400)
        .count() as i64
        + cancelled_lately;
    let mut top: Vec<_> = by_article.into_iter().collect();
    top.sort_by_key(|(_, (total, _))| std::cmp::Reverse(*total));
    let mut top_articles = Vec::new();
    for (article_id, (total_minor, gifts)) in top.into_iter().take(10) {
        let headline = state
            .store
            .article_row(ArticleId(article_id))
            .await
            .map(|a| a.headline)
            .unwrap_or_default();
        top_articles.push(TopArticle {
            article_id,
            headline,
            total_minor,
            gifts,
        });
    }
    let months: Vec<MonthIncome> = months
        .into_values()
        .map(|mut m| {
            let total = m.readers_minor + m.grants_minor;
            m.readers_share_percent = if total > 0 {
                m.readers_minor * 100 / total
            } else {
                0
            };
            m
        })
        .collect();
    let readers: i64 = months.iter().map(|m| m.readers_minor).sum();
    let grants: i64 = months.iter().map(|m| m.grants_minor).sum();
    Ok(FundingSummary {
        currency: code,
        active_monthly_donors: active.len() as i64,
        monthly_recurring_minor: active.iter().map(|s| s.amount_minor).sum(),
        churn_percent: if at_start == 0 {
            0
        } else {
            cancelled_lately * 100 / at_start
        },
        average_gift_minor: if this_month_count == 0 {
            0
        } else {
            this_month_total / this_month_count
        },
        readers_share_percent: if readers + grants == 0 {
            0
        } else {
            readers * 100 / (readers + grants)
        },
        months,
        top_articles,
    })
}

fn month_start(label: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
    let (y, m) = label.split_once('-')?;
    let date = jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
    Some(date.to_zoned(tz.clone()).ok()?.timestamp().as_second())
}

pub struct GrantInput {
    pub funder: String,
    pub amount: String,
    pub currency: String,
    pub period_start: String,
    pub period_end: String,
    pub note: String,
}

/// Adds a grant to the ledger; dates are `YYYY-MM-DD` in the newsroom's zone.
pub async fn add_grant(state: &AppState, input: &GrantInput) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let funder = input.funder.trim();
    if funder.is_empty() || funder.chars().count() > 200 {
        errors.push(field("funder", "name the funder (at most 200 characters)"));
    }
    let currency = Currency::parse(&input.currency);
    if currency.is_none() {
        errors.push(field("currency", "must be UAH, EUR or USD"));
    }
    let money = currency
        .and_then(|c| Money::parse(&input.amount, c).ok())
        .filter(|m| m.minor > 0);
    if money.is_none() {
        errors.push(field(
            "amount",
            "must be an amount such as 120000 or 1500.50",
        ));
    }
    let tz = &state.config.site.timezone;
    let day = |text: &str| -> Option<i64> {
        let date: jiff::civil::Date = text.trim().parse().ok()?;
        Some(date.to_zoned(tz.clone()).ok()?.timestamp().as_second())
    };
    let (start, end) = (day(&input.period_start), day(&input.period_end));
    match (start, end) {
        (Some(s), Some(e)) if e > s => {}
        _ => errors.push(field("period", "give a start date before the end date")),
    }
    let (Some(money), Some(start), Some(end), true) = (money, start, end, errors.is_empty()) else {
        return Err(ServiceError::Validation(errors));
    };
    state
        .store
        .insert_grant(
            funder,
            money.minor,
            money.currency.code(),
            start,
            end,
            input.note.trim(),
            state.clock.now(),
        )
        .await?;
    Ok(())
}

/// Applies an event, then emails the donor a receipt for a new payment.
/// The receipt is best-effort: the money is recorded whether or not mail works.
pub async fn apply_and_notify(state: &AppState, event: &LedgerEvent) -> ServiceResult<bool> {
    let applied = apply(state, event).await?;
    let payment = match &event.effect {
        LedgerEffect::CheckoutCompleted {
            payment_id: Some(payment),
            ..
        } => Some(payment),
        LedgerEffect::RecurringPayment { payment_id, .. } => Some(payment_id),
        _ => None,
    };
    if let (true, Some(payment)) = (applied, payment) {
        let receipt = match state.store.receipt(&event.provider, payment).await {
            Ok(receipt) => receipt,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the payment for its receipt");
                None
            }
        };
        if let Some(receipt) = receipt {
            send_receipt(state, &receipt).await;
            super::webhooks::notify(
                state,
                super::webhooks::DONATION_COMPLETED,
                serde_json::json!({
                    "provider": event.provider,
                    "payment_id": payment,
                    "amount_minor": receipt.amount_minor,
                    "currency": receipt.currency,
                    "monthly": receipt.monthly != 0,
                    "email": receipt.email,
                    "paid_at": receipt.paid_at,
                }),
            )
            .await;
        }
    }
    if let (
        true,
        LedgerEffect::Refunded {
            payment_id,
            refunded_minor,
        },
    ) = (applied, &event.effect)
    {
        super::webhooks::notify(
            state,
            super::webhooks::DONATION_REFUNDED,
            serde_json::json!({
                "provider": event.provider,
                "payment_id": payment_id,
                "refunded_minor": refunded_minor,
            }),
        )
        .await;
    }
    Ok(applied)
}

async fn send_receipt(state: &AppState, receipt: &crate::store::Receipt) {
    let language = state.config.site.default_language.clone();
    let currency = Currency::parse(&receipt.currency).unwrap_or(Currency::Uah);
    let amount = Money::new(receipt.amount_minor, currency);
    let when = crate::content::i18n::format_datetime(
        receipt.paid_at,
        &language,
        &state.config.site.timezone,
    );
    let site = &state.config.site.name;
    let manage = state.urls.absolute("/support/manage");
    let text = format!(
        "Дякуємо за підтримку {site}! / Thank you for supporting {site}!\n\n\
         {} ({amount}){}\n{when}\n\n\
         Переглянути внески або зупинити щомісячну підтримку / See your gifts or stop monthly support:\n{manage}\n",
        amount.display(&language),
        if receipt.monthly == 1 {
            " — щомісяця / monthly"
        } else {
            ""
        },
    );
    if let Err(e) = state
        .mailer
        .send(
            &receipt.email,
            &format!("{site}: receipt / квитанція"),
            &text,
        )
        .await
    {
        tracing::warn!(error = %e, "cannot send a receipt");
    }
}

/// Links work for a day; at most three a day per address.
const DONOR_LINK_TTL: i64 = 86_400;
const MAX_DONOR_LINKS_PER_DAY: i64 = 3;

/// Emails a link to the donor's own page, if this address has given before.
/// The answer is the same either way.
pub async fn request_donor_link(state: &AppState, email: &str) -> ServiceResult<()> {
    let email = email.trim().to_lowercase();
    // Only someone who has given gets mail: the form cannot be used to
    // send our messages to strangers.
    let has_given = state
        .store
        .donations_of(&email)
        .await?
        .iter()
        .any(|d| d.status == DonationStatus::Completed);
    if email.is_empty() || !has_given {
        return Ok(());
    }
    let current = state.clock.now();
    if state
        .store
        .recent_donor_links(&email, current - 86_400)
        .await?
        >= MAX_DONOR_LINKS_PER_DAY
    {
        return Ok(());
    }
    let token = super::auth::random_token();
    state
        .store
        .insert_donor_link(
            &super::auth::token_hash(&token),
            &email,
            current,
            current + DONOR_LINK_TTL,
        )
        .await?;
    let link = state.urls.absolute(&format!("/support/manage/{token}"));
    let site = &state.config.site.name;
    let text = format!(
        "Ваші внески та щомісячна підтримка {site} / Your gifts and monthly support for {site}:\n{link}\n\n(24 h)\n"
    );
    state
        .mailer
        .send(
            &email,
            &format!("{site}: your support / ваша підтримка"),
            &text,
        )
        .await
        .map_err(|e| ServiceError::Conflict(format!("the email could not be sent: {e}")))
}

/// The donor a link belongs to, or not found.
pub async fn donor_email(state: &AppState, token: &str) -> ServiceResult<String> {
    if token.len() != 64 {
        return Err(ServiceError::NotFound);
    }
    state
        .store
        .donor_link(&super::auth::token_hash(token), state.clock.now())
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Stops a donor's monthly support at the provider, then in the ledger.
pub async fn cancel_monthly(
    state: &AppState,
    email: &str,
    subscription_row: i64,
) -> ServiceResult<()> {
    let subscription = state
        .store
        .subscriptions_of(email)
        .await?
        .into_iter()
        .find(|s| s.id == subscription_row && s.status != SubscriptionStatus::Cancelled)
        .ok_or(ServiceError::NotFound)?;
    let reference = subscription.provider_subscription_id.clone();
    let unreachable = |e: String| {
        tracing::error!(error = %e, "cannot cancel at the provider");
        ServiceError::Conflict(
            "the payment provider is not answering; please try again in a minute".into(),
        )
    };
    match subscription.provider.as_str() {
        STRIPE => {
            let config = state
                .config
                .donations
                .stripe
                .as_ref()
                .ok_or(ServiceError::NotFound)?;
            let client = crate::integrations::stripe::Client::new(&state.http, config);
            client
                .cancel_subscription(&reference, &format!("cancel-{reference}"))
                .await
                .map_err(|e| unreachable(e.to_string()))?;
        }
        LIQPAY => {
            let config = state
                .config
                .donations
                .liqpay
                .as_ref()
                .ok_or(ServiceError::NotFound)?;
            let client = crate::integrations::liqpay::Client::new(&state.http, config);
            client
                .request(serde_json::json!({ "action": "unsubscribe", "order_id": reference }))
                .await
                .map_err(|e| unreachable(e.to_string()))?;
        }
        _ => {}
    }
    let event = LedgerEvent {
        provider: subscription.provider,
        event_id: format!("donor-cancel-{reference}"),
        at: state.clock.now(),
        effect: LedgerEffect::SubscriptionEnded {
            subscription_id: reference,
            started_here: None,
        },
    };
    apply(state, &event).await?;
    Ok(())
}

/// What `newsdesk payments reconcile` did.
#[derive(Debug, Default)]
pub struct Reconciled {
    pub applied: usize,
    pub already_known: usize,
}

const STRIPE_EVENT_TYPES: [&str; 11] = [
    "invoice_payment.paid",
    "charge.dispute.created",
    "charge.dispute.closed",
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.deleted",
    "charge.refunded",
    "checkout.session.expired",
];

/// Asks the providers what happened since `since` and applies anything a
/// lost webhook did not bring. Safe to run any time: known events are no-ops.
pub async fn reconcile(state: &AppState, since: i64) -> ServiceResult<Reconciled> {
    let mut result = Reconciled::default();
    let mut count = |applied: bool| {
        if applied {
            result.applied += 1
        } else {
            result.already_known += 1
        }
    };
    if let Some(config) = &state.config.donations.stripe {
        let client = crate::integrations::stripe::Client::new(&state.http, config);
        let mut events = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = client
                .events_since(since, &STRIPE_EVENT_TYPES, after.as_deref())
                .await
                .map_err(|e| ServiceError::Conflict(e.to_string()))?;
            after = page.data.last().map(|e| e.id.clone());
            let more = page.has_more && after.is_some();
            events.extend(page.data);
            if !more {
                break;
            }
        }
        // Stripe lists newest first; apply in the order they happened.
        for event in events.iter().rev() {
            match apply_stripe_event(state, event).await {
                Ok(Some(applied)) => count(applied),
                Ok(None) | Err(ServiceError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    if let Some(config) = &state.config.donations.liqpay {
        let client = crate::integrations::liqpay::Client::new(&state.http, config);
        for donation in state.store.pending_donations(LIQPAY, since).await? {
            let status = client
                .request(serde_json::json!({ "action": "status", "order_id": donation.public_id }))
                .await
                .map_err(|e| ServiceError::Conflict(e.to_string()))?;
            if let Some(ledger) = from_liqpay(&status, state.config.donations.sandbox) {
                count(apply_and_notify(state, &ledger).await?);
            }
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liqpay_sandbox_payments_are_money_only_in_test_mode() {
        let callback = serde_json::json!({
            "order_id": "d1", "payment_id": 77, "status": "sandbox", "action": "pay",
            "amount": 500, "currency": "UAH",
        });
        assert!(from_liqpay(&callback, false).is_none());
        let event = from_liqpay(&callback, true).unwrap_or_else(|| panic!("test mode"));
        assert!(matches!(
            event.effect,
            LedgerEffect::CheckoutCompleted { paid: Some((50_000, ref c)), .. } if c == "UAH"
        ));
        let real = serde_json::json!({
            "order_id": "d1", "payment_id": 78, "status": "success", "action": "pay",
            "amount": "1.00", "currency": "USD",
        });
        let event = from_liqpay(&real, false).unwrap_or_else(|| panic!("success"));
        assert!(matches!(
            event.effect,
            LedgerEffect::CheckoutCompleted { paid: Some((100, ref c)), .. } if c == "USD"
        ));
    }
}
