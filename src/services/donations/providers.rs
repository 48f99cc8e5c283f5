//! What Stripe and LiqPay report, translated into the ledger's events:
//! the only place that knows their payloads' shapes.

#[allow(unused_imports)]
use super::*;

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
pub(super) fn invoice_subscription_metadata(
    invoice: &serde_json::Value,
) -> Option<&serde_json::Value> {
    [
        &invoice["parent"]["subscription_details"]["metadata"],
        &invoice["subscription_details"]["metadata"],
    ]
    .into_iter()
    .find(|m| m.is_object())
}

/// Where an invoice names its subscription: directly in older API versions,
/// under `parent.subscription_details` since "basil".
pub(super) fn invoice_subscription(invoice: &serde_json::Value) -> Option<String> {
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
