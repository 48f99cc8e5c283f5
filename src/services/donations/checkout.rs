//! What the reader asked for, checked, and the checkout started with a
//! provider (Stripe, LiqPay, or the built-in sandbox).

#[allow(unused_imports)]
use super::*;

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

pub(super) fn field(field: &str, message: impl Into<String>) -> FieldError {
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

pub(super) async fn stripe_checkout(
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

pub(super) fn liqpay_checkout(
    state: &AppState,
    donation: Donation,
    money: Money,
    language: &str,
) -> Checkout {
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
