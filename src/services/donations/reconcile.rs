//! `payments reconcile`: what the providers know that webhooks may have
//! missed.

#[allow(unused_imports)]
use super::*;

/// What `newsdesk payments reconcile` did.
#[derive(Debug, Default)]
pub struct Reconciled {
    pub applied: usize,
    pub already_known: usize,
}

pub(super) const STRIPE_EVENT_TYPES: [&str; 11] = [
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
