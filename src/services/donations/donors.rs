//! A donor's own page: the emailed link, stopping a monthly gift, the
//! Stripe portal.

#[allow(unused_imports)]
use super::*;

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

/// Links work for a day; at most three a day per address.
pub(super) const DONOR_LINK_TTL: i64 = 86_400;

pub(super) const MAX_DONOR_LINKS_PER_DAY: i64 = 3;

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
    let token = crate::services::auth::random_token();
    state
        .store
        .insert_donor_link(
            &crate::services::auth::token_hash(&token),
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
        .donor_link(&crate::services::auth::token_hash(token), state.clock.now())
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
