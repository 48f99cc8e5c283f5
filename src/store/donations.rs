//! The donation ledger. Provider events are applied through
//! [`Store::apply_ledger_event`]: the event id is recorded in the same
//! transaction as its effect, so a repeated delivery is a no-op and a crash
//! leaves either both or neither.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use super::models::{ArticleId, DonationId};
use super::states::{DonationStatus, Frequency, SubscriptionStatus};
use super::{Store, StoreError, StoreResult};

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct Donation {
    pub id: DonationId,
    pub public_id: String,
    pub frequency: Frequency,
    pub amount_minor: i64,
    pub currency: String,
    pub provider: String,
    pub status: DonationStatus,
    pub donor_name: String,
    pub donor_email: String,
    pub article_id: Option<ArticleId>,
    pub provider_ref: Option<String>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

pub struct NewDonation<'a> {
    pub public_id: &'a str,
    pub frequency: Frequency,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub provider: &'a str,
    pub donor_name: &'a str,
    pub donor_email: &'a str,
    pub article_id: Option<ArticleId>,
}

/// What a provider told us, already verified and translated into ledger terms.
#[derive(Clone, Debug)]
pub struct LedgerEvent {
    pub provider: String,
    /// The provider's own id of this event: the unit of exactly-once.
    pub event_id: String,
    pub at: i64,
    pub effect: LedgerEffect,
}

#[derive(Clone, Debug)]
pub enum LedgerEffect {
    /// The reader finished checkout; the first payment may come with it.
    CheckoutCompleted {
        donation_public_id: String,
        provider_ref: String,
        payment_id: Option<String>,
        subscription_id: Option<String>,
        /// What the provider says was paid (minor units, currency), when it says.
        paid: Option<(i64, String)>,
    },
    CheckoutFailed {
        donation_public_id: String,
    },
    /// A monthly charge went through (possibly before we heard of the checkout).
    RecurringPayment {
        subscription_id: String,
        payment_id: String,
        amount_minor: i64,
        currency: String,
        /// The payment intent that paid it, when the provider names it here.
        payment_intent: Option<String>,
        /// Whether the provider's record carries our donation id; `Some(false)`
        /// for a subscription of a shared account that newsdesk never started,
        /// which is ignored unless we already know it.
        started_here: Option<bool>,
    },
    RecurringPaymentFailed {
        subscription_id: String,
    },
    SubscriptionEnded {
        subscription_id: String,
        started_here: Option<bool>,
    },
    /// `refunded_minor` is the total refunded so far for the payment.
    Refunded {
        payment_id: String,
        refunded_minor: i64,
    },
    /// A payment (an invoice) was made through this payment intent: refunds
    /// and disputes that name only the intent belong to it.
    PaymentLinked {
        payment_id: String,
        payment_intent: String,
    },
    /// A dispute the newsroom won: money taken back by a dispute returns.
    Reinstated {
        payment_id: String,
        amount_minor: i64,
    },
}

const DONATION_COLUMNS: &str = "id, public_id, frequency, amount_minor, currency, provider, status, donor_name, \
     donor_email, article_id, provider_ref, created_at, completed_at";

impl Store {
    pub async fn insert_donation(&self, new: &NewDonation<'_>, now: i64) -> StoreResult<Donation> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO donations (public_id, frequency, amount_minor, currency, provider, status, donor_name, \
             donor_email, article_id, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9) \
             RETURNING {DONATION_COLUMNS}"
        ))
        .bind(new.public_id)
        .bind(new.frequency)
        .bind(new.amount_minor)
        .bind(new.currency)
        .bind(new.provider)
        .bind(new.donor_name)
        .bind(new.donor_email)
        .bind(new.article_id.map(|a| a.0))
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }

    pub async fn donation_by_public_id(&self, public_id: &str) -> StoreResult<Donation> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DONATION_COLUMNS} FROM donations WHERE public_id = $1"
        ))
        .bind(public_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Donations created in `[from, until)`, newest first, optionally of one status.
    /// Paid and refunded totals (minor units) of each of these donations' payments.
    pub async fn payment_totals(
        &self,
        donation_ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, (i64, i64)>> {
        if donation_ids.is_empty() {
            return Ok(Default::default());
        }
        // Ids are integers from our own rows, so they can stand in the SQL.
        let ids = donation_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT donation_id, CAST(SUM(amount_minor) AS BIGINT), CAST(SUM(refunded_minor) AS BIGINT) \
             FROM payments WHERE donation_id IN ({ids}) GROUP BY donation_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, paid, refunded)| (id, (paid, refunded)))
            .collect())
    }

    pub async fn donations_between(
        &self,
        from: i64,
        until: i64,
        status: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Donation>> {
        let status_clause = if status.is_some() {
            " AND status = $4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {DONATION_COLUMNS} FROM donations WHERE created_at >= $1 AND created_at < $2{status_clause} \
             ORDER BY created_at DESC, id DESC LIMIT $3"
        );
        let mut query = sqlx::query_as::<_, Donation>(&sql)
            .bind(from)
            .bind(until)
            .bind(limit);
        if let Some(status) = status {
            query = query.bind(status.to_owned());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// Remembers the provider's id for the checkout (a Stripe session id).
    pub async fn set_donation_provider_ref(
        &self,
        public_id: &str,
        reference: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE donations SET provider_ref = $2 WHERE public_id = $1")
            .bind(public_id)
            .bind(reference)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Applies a provider event exactly once; returns false for a repeat.
    pub async fn apply_ledger_event(&self, event: &LedgerEvent) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let kind = match &event.effect {
            LedgerEffect::CheckoutCompleted { .. } => "checkout_completed",
            LedgerEffect::CheckoutFailed { .. } => "checkout_failed",
            LedgerEffect::RecurringPayment { .. } => "recurring_payment",
            LedgerEffect::RecurringPaymentFailed { .. } => "recurring_payment_failed",
            LedgerEffect::SubscriptionEnded { .. } => "subscription_ended",
            LedgerEffect::Refunded { .. } => "refunded",
            LedgerEffect::Reinstated { .. } => "reinstated",
            LedgerEffect::PaymentLinked { .. } => "payment_linked",
        };
        let recorded = sqlx::query(
            "INSERT INTO provider_events (provider, event_id, kind, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (provider, event_id) DO NOTHING",
        )
        .bind(&event.provider)
        .bind(&event.event_id)
        .bind(kind)
        .bind(event.at)
        .execute(&mut *tx)
        .await?;
        if recorded.rows_affected() == 0 {
            return Ok(false);
        }
        apply_effect(&mut tx, &event.provider, event.at, &event.effect).await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn apply_effect(
    conn: &mut AnyConnection,
    provider: &str,
    at: i64,
    effect: &LedgerEffect,
) -> StoreResult<()> {
    match effect {
        LedgerEffect::CheckoutCompleted {
            donation_public_id,
            provider_ref,
            payment_id,
            subscription_id,
            paid,
        } => {
            let pledge: Donation = sqlx::query_as(&format!(
                "SELECT {DONATION_COLUMNS} FROM donations WHERE public_id = $1"
            ))
            .bind(donation_public_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
            // One order is paid once: a second payment for it is not a second gift.
            if pledge.status == DonationStatus::Completed {
                tracing::warn!(donation = %pledge.public_id, provider_ref, "a completed order was reported paid again");
                sqlx::query("UPDATE donations SET payment_mismatch = $2 WHERE id = $1")
                    .bind(pledge.id)
                    .bind(format!("reported paid again ({provider_ref})"))
                    .execute(&mut *conn)
                    .await?;
                return Ok(());
            }
            // The ledger believes what the provider took, not what the form pledged.
            if let Some((amount, currency)) = paid
                && (*amount != pledge.amount_minor
                    || !currency.eq_ignore_ascii_case(&pledge.currency))
            {
                tracing::warn!(donation = %pledge.public_id, amount, currency, "paid amount differs from the pledge");
                sqlx::query("UPDATE donations SET payment_mismatch = $2 WHERE id = $1")
                    .bind(pledge.id)
                    .bind(format!(
                        "paid {amount} {} (minor units) via {provider_ref}",
                        currency.to_uppercase()
                    ))
                    .execute(&mut *conn)
                    .await?;
                return Ok(());
            }
            let donation: Donation = sqlx::query_as(&format!(
                "UPDATE donations SET status = 'completed', completed_at = $2, provider_ref = $3 \
                 WHERE public_id = $1 RETURNING {DONATION_COLUMNS}"
            ))
            .bind(donation_public_id)
            .bind(at)
            .bind(provider_ref)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
            let subscription = match subscription_id {
                Some(reference) => Some(
                    upsert_subscription(
                        conn,
                        provider,
                        reference,
                        donation.amount_minor,
                        &donation.currency,
                        at,
                    )
                    .await?,
                ),
                None => None,
            };
            if let Some(subscription) = subscription {
                // The checkout tells us who and where from; a renewal that came first did not.
                sqlx::query(
                    "UPDATE subscriptions SET donation_id = $2, donor_email = $3, article_id = $4, amount_minor = $5 WHERE id = $1",
                )
                .bind(subscription)
                .bind(donation.id)
                .bind(&donation.donor_email)
                .bind(donation.article_id.map(|a| a.0))
                .bind(donation.amount_minor)
                .execute(&mut *conn)
                .await?;
                sqlx::query("UPDATE payments SET donation_id = $2, article_id = $3 WHERE subscription_id = $1 AND donation_id IS NULL")
                    .bind(subscription)
                    .bind(donation.id)
                    .bind(donation.article_id.map(|a| a.0))
                    .execute(&mut *conn)
                    .await?;
            }
            if let Some(payment) = payment_id {
                insert_payment(
                    conn,
                    provider,
                    payment,
                    Some(donation.id.0),
                    subscription,
                    donation.amount_minor,
                    &donation.currency,
                    donation.article_id,
                    at,
                )
                .await?;
            }
        }
        LedgerEffect::CheckoutFailed { donation_public_id } => {
            sqlx::query("UPDATE donations SET status = 'failed' WHERE public_id = $1 AND status = 'pending'")
                .bind(donation_public_id)
                .execute(&mut *conn)
                .await?;
        }
        LedgerEffect::RecurringPayment {
            subscription_id,
            payment_id,
            amount_minor,
            currency,
            payment_intent,
            started_here,
        } => {
            if *started_here == Some(false)
                && !subscription_known(conn, provider, subscription_id).await?
            {
                tracing::info!(
                    subscription_id,
                    "payment for a subscription newsdesk did not start; ignored"
                );
                return Ok(());
            }
            if let Some(intent) = payment_intent {
                link_payment(conn, provider, payment_id, intent).await?;
            }
            let subscription =
                upsert_subscription(conn, provider, subscription_id, *amount_minor, currency, at)
                    .await?;
            let (donation, article): (Option<i64>, Option<i64>) =
                sqlx::query_as("SELECT donation_id, article_id FROM subscriptions WHERE id = $1")
                    .bind(subscription)
                    .fetch_one(&mut *conn)
                    .await?;
            sqlx::query(
                "UPDATE subscriptions SET status = 'active' WHERE id = $1 AND status = 'past_due'",
            )
            .bind(subscription)
            .execute(&mut *conn)
            .await?;
            insert_payment(
                conn,
                provider,
                payment_id,
                donation,
                Some(subscription),
                *amount_minor,
                currency,
                article.map(ArticleId),
                at,
            )
            .await?;
        }
        LedgerEffect::RecurringPaymentFailed { subscription_id } => {
            sqlx::query(
                "UPDATE subscriptions SET status = 'past_due' WHERE provider = $1 AND provider_subscription_id = $2 AND status = 'active'",
            )
            .bind(provider)
            .bind(subscription_id)
            .execute(&mut *conn)
            .await?;
        }
        LedgerEffect::SubscriptionEnded {
            subscription_id,
            started_here,
        } => {
            if *started_here == Some(false)
                && !subscription_known(conn, provider, subscription_id).await?
            {
                return Ok(());
            }
            // The end may arrive before anything else about the subscription: keep it, cancelled.
            sqlx::query(
                "INSERT INTO subscriptions (provider, provider_subscription_id, amount_minor, currency, status, started_at, cancelled_at) \
                 VALUES ($1, $2, 0, '', 'cancelled', $3, $3) \
                 ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET status = 'cancelled', cancelled_at = $3",
            )
            .bind(provider)
            .bind(subscription_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        LedgerEffect::Refunded {
            payment_id,
            refunded_minor,
        } => {
            // Kept even when the payment is not recorded yet; insert_payment picks it up.
            sqlx::query(
                "INSERT INTO refunds (provider, provider_payment_id, refunded_minor) VALUES ($1, $2, $3) \
                 ON CONFLICT (provider, provider_payment_id) DO UPDATE SET refunded_minor = \
                 CASE WHEN refunds.refunded_minor > excluded.refunded_minor THEN refunds.refunded_minor ELSE excluded.refunded_minor END",
            )
            .bind(provider)
            .bind(payment_id)
            .bind(*refunded_minor)
            .execute(&mut *conn)
            .await?;
            apply_refunds(conn, provider, payment_id).await?;
        }
        LedgerEffect::PaymentLinked {
            payment_id,
            payment_intent,
        } => link_payment(conn, provider, payment_id, payment_intent).await?,
        LedgerEffect::Reinstated {
            payment_id,
            amount_minor,
        } => {
            // Each event applies once, so taking the amount off is safe.
            for (table, matching) in [
                ("refunds", "provider_payment_id = $2"),
                (
                    "payments",
                    "(provider_payment_id = $2 OR payment_intent = $2)",
                ),
            ] {
                sqlx::query(&format!(
                    "UPDATE {table} SET refunded_minor = CASE WHEN refunded_minor > $3 THEN refunded_minor - $3 ELSE 0 END \
                     WHERE provider = $1 AND {matching}"
                ))
                .bind(provider)
                .bind(payment_id)
                .bind(*amount_minor)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

async fn subscription_known(
    conn: &mut AnyConnection,
    provider: &str,
    reference: &str,
) -> StoreResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2",
    )
    .bind(provider)
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Records that `payment_intent` paid `payment_id`, then lets refunds named
/// by either find the payment.
async fn link_payment(
    conn: &mut AnyConnection,
    provider: &str,
    payment_id: &str,
    payment_intent: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO payment_links (provider, payment_intent, provider_payment_id) VALUES ($1, $2, $3) \
         ON CONFLICT (provider, payment_intent) DO NOTHING",
    )
    .bind(provider)
    .bind(payment_intent)
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE payments SET payment_intent = $3 WHERE provider = $1 AND provider_payment_id = $2",
    )
    .bind(provider)
    .bind(payment_id)
    .bind(payment_intent)
    .execute(&mut *conn)
    .await?;
    apply_refunds(conn, provider, payment_id).await
}

/// The subscription's row id, created active if this is the first we hear of it.
async fn upsert_subscription(
    conn: &mut AnyConnection,
    provider: &str,
    reference: &str,
    amount_minor: i64,
    currency: &str,
    at: i64,
) -> StoreResult<i64> {
    sqlx::query(
        "INSERT INTO subscriptions (provider, provider_subscription_id, amount_minor, currency, status, started_at) \
         VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (provider, provider_subscription_id) DO NOTHING",
    )
    .bind(provider)
    .bind(reference)
    .bind(amount_minor)
    .bind(currency)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "SELECT id FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2",
    )
    .bind(provider)
    .bind(reference)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

#[expect(clippy::too_many_arguments, reason = "one payment row")]
async fn insert_payment(
    conn: &mut AnyConnection,
    provider: &str,
    payment_id: &str,
    donation_id: Option<i64>,
    subscription_id: Option<i64>,
    amount_minor: i64,
    currency: &str,
    article_id: Option<ArticleId>,
    at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO payments (provider, provider_payment_id, donation_id, subscription_id, amount_minor, currency, article_id, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, provider_payment_id) DO NOTHING",
    )
    .bind(provider)
    .bind(payment_id)
    .bind(donation_id)
    .bind(subscription_id)
    .bind(amount_minor)
    .bind(currency)
    .bind(article_id.map(|a| a.0))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    // A link that arrived before the payment itself.
    sqlx::query(
        "UPDATE payments SET payment_intent = (SELECT l.payment_intent FROM payment_links l \
         WHERE l.provider = $1 AND l.provider_payment_id = $2) \
         WHERE provider = $1 AND provider_payment_id = $2 AND payment_intent IS NULL \
         AND EXISTS (SELECT 1 FROM payment_links l WHERE l.provider = $1 AND l.provider_payment_id = $2)",
    )
    .bind(provider)
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    apply_refunds(conn, provider, payment_id).await
}

/// Brings a payment's refunded amount up to what the provider has reported.
async fn apply_refunds(
    conn: &mut AnyConnection,
    provider: &str,
    payment_id: &str,
) -> StoreResult<()> {
    // A refund may be named by the payment's own id or by its payment intent.
    sqlx::query(
        "UPDATE payments SET refunded_minor = (SELECT MAX(r.refunded_minor) FROM refunds r \
         WHERE r.provider = payments.provider \
         AND r.provider_payment_id IN (payments.provider_payment_id, payments.payment_intent)) \
         WHERE provider = $1 AND (provider_payment_id = $2 OR payment_intent = $2) \
         AND EXISTS (SELECT 1 FROM refunds r WHERE r.provider = payments.provider \
         AND r.provider_payment_id IN (payments.provider_payment_id, payments.payment_intent) \
         AND r.refunded_minor > payments.refunded_minor)",
    )
    .bind(provider)
    .bind(payment_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A payment as the funding dashboard reads it.
#[derive(Clone, Debug, FromRow)]
pub struct PaymentRow {
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub currency: String,
    pub paid_at: i64,
    pub article_id: Option<ArticleId>,
    pub subscription_id: Option<i64>,
}

#[derive(Clone, Debug, FromRow)]
pub struct SubscriptionRow {
    pub status: SubscriptionStatus,
    pub amount_minor: i64,
    pub currency: String,
    pub started_at: i64,
    pub cancelled_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, FromRow)]
pub struct Grant {
    pub id: i64,
    pub funder: String,
    pub amount_minor: i64,
    pub currency: String,
    pub period_start: i64,
    pub period_end: i64,
    pub note: String,
    /// What the grant is for, as readers may read it.
    pub purpose: String,
    /// Shown on the transparency page since; `None`: kept private.
    pub published_at: Option<i64>,
}

const GRANT_COLUMNS: &str =
    "id, funder, amount_minor, currency, period_start, period_end, note, purpose, published_at";

impl Store {
    pub async fn payments_since(&self, since: i64) -> StoreResult<Vec<PaymentRow>> {
        Ok(sqlx::query_as(
            "SELECT amount_minor, refunded_minor, currency, paid_at, article_id, subscription_id FROM payments \
             WHERE paid_at >= $1 ORDER BY paid_at",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn subscriptions(&self) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(sqlx::query_as(
            "SELECT status, amount_minor, currency, started_at, cancelled_at FROM subscriptions",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn grants(&self) -> StoreResult<Vec<Grant>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants ORDER BY period_start DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Shows a grant on the transparency page, or hides it; false if there is no such grant.
    pub async fn set_grant_published(
        &self,
        id: i64,
        published_at: Option<i64>,
    ) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE grants SET published_at = $2 WHERE id = $1")
            .bind(id)
            .bind(published_at)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    #[expect(clippy::too_many_arguments, reason = "one grant row")]
    pub async fn insert_grant(
        &self,
        funder: &str,
        amount_minor: i64,
        currency: &str,
        period_start: i64,
        period_end: i64,
        note: &str,
        purpose: &str,
        published: bool,
        now: i64,
    ) -> StoreResult<Grant> {
        Ok(sqlx::query_as(&format!(
            "INSERT INTO grants (funder, amount_minor, currency, period_start, period_end, note, purpose, published_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {GRANT_COLUMNS}"
        ))
        .bind(funder)
        .bind(amount_minor)
        .bind(currency)
        .bind(period_start)
        .bind(period_end)
        .bind(note)
        .bind(purpose)
        .bind(published.then_some(now))
        .bind(now)
        .fetch_one(&self.pool)
        .await?)
    }
}

/// What a receipt says about one payment.
#[derive(Clone, Debug, FromRow)]
pub struct Receipt {
    pub email: String,
    pub amount_minor: i64,
    pub currency: String,
    pub monthly: i64,
    pub paid_at: i64,
}

/// A donor's monthly support, as their own page shows it.
#[derive(Clone, Debug, Serialize, FromRow)]
pub struct DonorSubscription {
    pub id: i64,
    pub provider: String,
    pub provider_subscription_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: SubscriptionStatus,
    pub started_at: i64,
}

impl Store {
    /// The receipt for a payment, if we know whom to send it to.
    pub async fn receipt(&self, provider: &str, payment_id: &str) -> StoreResult<Option<Receipt>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(NULLIF(d.donor_email, ''), s.donor_email, '') AS email, p.amount_minor, p.currency, \
             CASE WHEN p.subscription_id IS NULL THEN 0 ELSE 1 END AS monthly, p.paid_at \
             FROM payments p LEFT JOIN donations d ON d.id = p.donation_id LEFT JOIN subscriptions s ON s.id = p.subscription_id \
             WHERE p.provider = $1 AND p.provider_payment_id = $2",
        )
        .bind(provider)
        .bind(payment_id)
        .fetch_optional(&self.pool)
        .await?
        .filter(|r: &Receipt| !r.email.is_empty()))
    }

    pub async fn donations_of(&self, email: &str) -> StoreResult<Vec<Donation>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DONATION_COLUMNS} FROM donations WHERE donor_email = $1 ORDER BY created_at DESC LIMIT 500"
        ))
        .bind(email)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn subscriptions_of(&self, email: &str) -> StoreResult<Vec<DonorSubscription>> {
        Ok(sqlx::query_as(
            "SELECT id, provider, provider_subscription_id, amount_minor, currency, status, started_at FROM subscriptions \
             WHERE donor_email = $1 ORDER BY started_at DESC",
        )
        .bind(email)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Forgets who a donor is; the amounts stay in the ledger.
    pub async fn forget_donor(&self, email: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE donations SET donor_email = '', donor_name = '' WHERE donor_email = $1",
        )
        .bind(email)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE subscriptions SET donor_email = '' WHERE donor_email = $1")
            .bind(email)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM donor_links WHERE email = $1")
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn insert_donor_link(
        &self,
        token_hash: &str,
        email: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO donor_links (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(email)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn recent_donor_links(&self, email: &str, since: i64) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM donor_links WHERE email = $1 AND created_at >= $2",
        )
        .bind(email)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// The email a live link belongs to.
    pub async fn donor_link(&self, token_hash: &str, now: i64) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT email FROM donor_links WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(e,)| e))
    }
}

impl Store {
    /// Remembers the provider's customer behind a subscription (idempotent).
    pub async fn set_subscription_customer(
        &self,
        provider: &str,
        subscription: &str,
        customer: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE subscriptions SET provider_customer = $3 WHERE provider = $1 AND provider_subscription_id = $2")
            .bind(provider)
            .bind(subscription)
            .bind(customer)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The provider's customer behind a subscription, if known.
    pub async fn subscription_customer(&self, id: i64) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT provider_customer FROM subscriptions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(c,)| c))
    }

    /// Checkouts still waiting for word from a provider.
    /// Donations whose payment did not match the pledge, newest first: for the owner to look into.
    pub async fn mismatched_donations(
        &self,
        limit: i64,
    ) -> StoreResult<Vec<(String, i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT public_id, amount_minor, currency, payment_mismatch FROM donations \
             WHERE payment_mismatch IS NOT NULL ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn pending_donations(
        &self,
        provider: &str,
        since: i64,
    ) -> StoreResult<Vec<Donation>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DONATION_COLUMNS} FROM donations WHERE provider = $1 AND status = 'pending' AND created_at >= $2 ORDER BY created_at"
        ))
        .bind(provider)
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }
}
