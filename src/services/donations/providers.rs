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

    /// Stripe's own example object for `resource` in one API version's shape
    /// (the shared fixtures, as the integration tests use them).
    fn stripe_object(version: &str, resource: &str, ours: serde_json::Value) -> serde_json::Value {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let file = std::env::var_os("NEWSDESK_FIXTURES_DIR")
            .map(std::path::PathBuf::from)
            .into_iter()
            .chain(manifest.ancestors().map(|dir| dir.join("shared/fixtures")))
            .map(|dir| dir.join(format!("stripe/fixtures3-{version}.json")))
            .find(|file| file.is_file())
            .unwrap_or_else(|| panic!("set NEWSDESK_FIXTURES_DIR to the shared fixtures"));
        let all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut object = all["resources"][resource].clone();
        assert!(object.is_object(), "{version}: no {resource}");
        merge(&mut object, ours);
        object
    }

    fn merge(target: &mut serde_json::Value, ours: serde_json::Value) {
        match ours {
            serde_json::Value::Object(fields) => {
                if !target.is_object() {
                    *target = serde_json::json!({});
                }
                for (key, value) in fields {
                    merge(&mut target[key.as_str()], value);
                }
            }
            other => *target = other,
        }
    }

    fn event(kind: &str, object: serde_json::Value) -> Option<LedgerEvent> {
        from_stripe(&crate::integrations::stripe::Event {
            id: "evt_1".into(),
            kind: kind.into(),
            created: Some(1_700_000_000),
            data: crate::integrations::stripe::EventData { object },
        })
    }

    /// The translator reads Stripe's recorded objects in both API shapes:
    /// the subscription named on the invoice (2024) or under its parent
    /// (2025 "basil" and later), disputes and refunds by payment intent.
    #[test]
    fn stripe_objects_of_both_api_versions_become_ledger_events() {
        let old = stripe_object(
            "2024-07",
            "invoice",
            serde_json::json!({
                "id": "in_1", "subscription": "sub_1", "amount_paid": 500, "currency": "uah",
                "payment_intent": "pi_1", "subscription_details": { "metadata": { "donation": "d1" } },
            }),
        );
        let new = stripe_object(
            "2026-08",
            "invoice",
            serde_json::json!({
                "id": "in_1", "amount_paid": 500, "currency": "uah",
                "parent": { "subscription_details": { "subscription": "sub_1", "metadata": { "donation": "d1" } } },
            }),
        );
        for (version, invoice, intent) in [("2024-07", old, Some("pi_1")), ("2026-08", new, None)] {
            let effect = event("invoice.paid", invoice).map(|e| e.effect);
            assert!(
                matches!(
                    &effect,
                    Some(LedgerEffect::RecurringPayment { subscription_id, payment_id, amount_minor: 500, currency, payment_intent, started_here: Some(true) })
                        if subscription_id == "sub_1" && payment_id == "in_1" && currency == "UAH"
                            && payment_intent.as_deref() == intent
                ),
                "{version}: {effect:?}"
            );
        }
        let linked = event(
            "invoice_payment.paid",
            stripe_object(
                "2026-08",
                "invoice_payment",
                serde_json::json!({ "invoice": "in_1", "payment": { "payment_intent": "pi_1" } }),
            ),
        );
        assert!(matches!(
            linked.map(|e| e.effect),
            Some(LedgerEffect::PaymentLinked { ref payment_id, ref payment_intent })
                if payment_id == "in_1" && payment_intent == "pi_1"
        ));
        for version in ["2024-07", "2026-08"] {
            let dispute = stripe_object(
                version,
                "dispute",
                serde_json::json!({ "payment_intent": "pi_2" }),
            );
            assert!(
                matches!(
                    event("charge.dispute.created", dispute.clone()).map(|e| e.effect),
                    Some(LedgerEffect::Refunded { ref payment_id, refunded_minor: 1000 }) if payment_id == "pi_2"
                ),
                "{version}"
            );
            // Stripe's example dispute is still open: closing it is not a win.
            assert!(
                event("charge.dispute.closed", dispute).is_none(),
                "{version}"
            );
            let refunded = stripe_object(
                version,
                "charge",
                serde_json::json!({ "payment_intent": "pi_3", "amount_refunded": 300 }),
            );
            assert!(
                matches!(
                    event("charge.refunded", refunded).map(|e| e.effect),
                    Some(LedgerEffect::Refunded { ref payment_id, refunded_minor: 300 }) if payment_id == "pi_3"
                ),
                "{version}"
            );
            // A session whose money has not come (a bank debit on its way) is nothing yet.
            let unpaid = stripe_object(
                version,
                "checkout.session",
                serde_json::json!({ "client_reference_id": "d2", "payment_status": "unpaid", "subscription": null }),
            );
            assert!(
                event("checkout.session.completed", unpaid).is_none(),
                "{version}"
            );
        }
    }
}
