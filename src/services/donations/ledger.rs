//! Applying a provider's report exactly once, after checking that it is
//! plausible, and telling the donor and the owner's systems.

#[allow(unused_imports)]
use super::*;

/// Applies a verified provider event once; repeats are logged and ignored.
/// No gift, refund or renewal is larger than this (minor units): ten million
/// in any of our currencies. Anything outside (0, this] is not money.
pub const MAX_PLAUSIBLE_MINOR: i64 = 1_000_000_000;

/// Refuses amounts no real payment has: negative, zero where money moved, absurd.
pub(super) fn check_plausible(effect: &LedgerEffect) -> ServiceResult<()> {
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
            crate::services::webhooks::notify(
                state,
                crate::services::webhooks::DONATION_COMPLETED,
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
        crate::services::webhooks::notify(
            state,
            crate::services::webhooks::DONATION_REFUNDED,
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
