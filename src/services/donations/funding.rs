//! The numbers a newsroom's director asks for each month, and grants.

#[allow(unused_imports)]
use super::*;

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
    let ledger = Ledger::read(state).await?;
    summarize(state, currency, &ledger).await
}

/// The year's payments, the grants and the subscriptions, read once for
/// every currency a page shows.
pub struct Ledger {
    pub(super) payments: Vec<crate::store::PaymentRow>,
    pub(super) grants: Vec<crate::store::Grant>,
    pub(super) subscriptions: Vec<crate::store::SubscriptionRow>,
}

impl Ledger {
    pub async fn read(state: &AppState) -> ServiceResult<Ledger> {
        let year_ago = state.clock.now() - 366 * 86_400;
        Ok(Ledger {
            payments: state.store.payments_since(year_ago).await?,
            grants: state.store.grants().await?,
            subscriptions: state.store.subscriptions().await?,
        })
    }
}

/// One currency's numbers from what the ledger holds.
pub async fn summarize(
    state: &AppState,
    currency: Currency,
    ledger: &Ledger,
) -> ServiceResult<FundingSummary> {
    let tz = &state.config.site.timezone;
    let current = state.clock.now();
    let code = currency.code();
    let month_of = |ts: i64| {
        let (y, m, _) = crate::i18n::local_date(ts, tz);
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
    let payments = &ledger.payments;
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
    for grant in ledger.grants.iter().filter(|g| g.currency == code) {
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
    let subscriptions = &ledger.subscriptions;
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
    top.truncate(10);
    // One query for the ten headlines, not one each.
    let ids: Vec<ArticleId> = top.iter().map(|(id, _)| ArticleId(*id)).collect();
    let mut headlines = state.store.article_headlines(&ids).await?;
    let top_articles = top
        .into_iter()
        .map(|(article_id, (total_minor, gifts))| TopArticle {
            article_id,
            headline: headlines.remove(&ArticleId(article_id)).unwrap_or_default(),
            total_minor,
            gifts,
        })
        .collect();
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

pub(super) fn month_start(label: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
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
    /// What readers are told the grant is for.
    pub purpose: String,
    /// Show the funder, purpose and sum on the transparency page.
    pub public: bool,
}

/// Adds a grant to the ledger; dates are `YYYY-MM-DD` in the newsroom's zone.
pub async fn add_grant(state: &AppState, input: &GrantInput) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let funder = input.funder.trim();
    if funder.is_empty() || funder.chars().count() > 200 {
        errors.push(field("funder", "name the funder (at most 200 characters)"));
    }
    if input.purpose.trim().chars().count() > 300 {
        errors.push(field("purpose", "at most 300 characters"));
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
            input.purpose.trim(),
            input.public,
            state.clock.now(),
        )
        .await?;
    Ok(())
}

/// Shows a grant on the transparency page or hides it again.
pub async fn publish_grant(state: &AppState, id: i64, public: bool) -> ServiceResult<()> {
    let when = public.then(|| state.clock.now());
    if !state.store.set_grant_published(id, when).await? {
        return Err(ServiceError::Store(crate::store::StoreError::NotFound));
    }
    // The page is cached with the site's pages: every node drops it.
    crate::services::site_changed(state).await
}
