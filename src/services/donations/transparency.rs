//! Where the money comes from, for readers: income by month from readers and
//! from grants, how many support us, and the grants the owner chose to
//! publish. Built live from the ledger; nothing names a reader.

#[allow(unused_imports)]
use super::*;

/// One currency's year, as the transparency page shows it.
#[derive(Serialize)]
pub struct CurrencyYear {
    pub currency: &'static str,
    pub months: Vec<MonthIncome>,
    /// Readers' share of the last twelve months' income, per hundred.
    pub readers_share_percent: i64,
    pub readers_minor: i64,
    pub grants_minor: i64,
    pub monthly_supporters: i64,
}

/// A grant as readers see it.
#[derive(Serialize)]
pub struct PublicGrant {
    pub funder: String,
    pub purpose: String,
    pub amount_minor: i64,
    pub currency: String,
    pub period_start: i64,
    pub period_end: i64,
}

#[derive(Serialize)]
pub struct PublicFunding {
    /// The language's own currency first, then any other with income.
    pub years: Vec<CurrencyYear>,
    pub grants: Vec<PublicGrant>,
}

pub async fn public_funding(state: &AppState, language: &str) -> ServiceResult<PublicFunding> {
    let first = default_currency(state, language);
    let mut order = vec![first];
    order.extend(Currency::ALL.iter().copied().filter(|c| *c != first));
    // One read of the ledger for every currency (and the grants below).
    let ledger = Ledger::read(state).await?;
    let mut years = Vec::new();
    for currency in order {
        let summary = summarize(state, currency, &ledger).await?;
        let readers_minor: i64 = summary.months.iter().map(|m| m.readers_minor).sum();
        let grants_minor: i64 = summary.months.iter().map(|m| m.grants_minor).sum();
        if currency != first && readers_minor + grants_minor == 0 {
            continue;
        }
        if currency == state.readers_share.currency(state) {
            state
                .readers_share
                .set(summary.readers_share_percent, readers_minor + grants_minor);
        }
        years.push(CurrencyYear {
            currency: currency.code(),
            readers_share_percent: summary.readers_share_percent,
            readers_minor,
            grants_minor,
            monthly_supporters: summary.active_monthly_donors,
            months: summary.months,
        });
    }
    let grants = ledger
        .grants
        .iter()
        .filter(|g| g.published_at.is_some())
        .map(|g| PublicGrant {
            funder: g.funder.clone(),
            purpose: g.purpose.clone(),
            amount_minor: g.amount_minor,
            currency: g.currency.clone(),
            period_start: g.period_start,
            period_end: g.period_end,
        })
        .collect();
    Ok(PublicFunding { years, grants })
}

/// Readers' share of the budget, known on every node for the donation box
/// (which is drawn without asking the database); -1 until first counted.
#[derive(Debug)]
pub struct ReadersShare(std::sync::atomic::AtomicI64);

impl Default for ReadersShare {
    fn default() -> Self {
        ReadersShare(std::sync::atomic::AtomicI64::new(-1))
    }
}

impl ReadersShare {
    /// The share in the site's default currency, once there is any income to share.
    pub fn percent(&self) -> Option<i64> {
        let value = self.0.load(std::sync::atomic::Ordering::Relaxed);
        (value > 0).then_some(value)
    }

    fn set(&self, percent: i64, income_minor: i64) {
        let value = if income_minor > 0 { percent } else { -1 };
        self.0.store(value, std::sync::atomic::Ordering::Relaxed);
    }

    /// The currency the share is counted in: the site's default language's.
    pub fn currency(&self, state: &AppState) -> Currency {
        default_currency(state, &state.config.site.default_language)
    }

    /// Counts it again from the ledger.
    pub async fn refresh(&self, state: &AppState) -> ServiceResult<()> {
        let summary = funding_summary(state, self.currency(state)).await?;
        let income: i64 = summary
            .months
            .iter()
            .map(|m| m.readers_minor + m.grants_minor)
            .sum();
        self.set(summary.readers_share_percent, income);
        Ok(())
    }
}
