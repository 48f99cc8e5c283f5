//! Reader donations: checking what the reader asked for, starting a checkout
//! with a provider, applying what providers report exactly once, and the
//! numbers a newsroom's director asks for each month.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::AppState;
use crate::config::CurrencyRules;
use crate::services::money::{Currency, Money};
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::{ArticleId, Donation, LedgerEffect, LedgerEvent, NewDonation, StoreError};
use crate::store::{DonationStatus, Frequency, SubscriptionStatus};

mod checkout;
mod donors;
mod funding;
mod ledger;
mod providers;
mod receipts;
mod reconcile;
mod transparency;

pub use checkout::*;
pub use donors::*;
pub use funding::*;
pub use ledger::*;
pub use providers::*;
use receipts::*;
pub use reconcile::*;
pub use transparency::*;

pub const SANDBOX: &str = "sandbox";

pub fn rules(state: &AppState, currency: Currency) -> &CurrencyRules {
    let donations = &state.config.donations;
    match currency {
        Currency::Uah => &donations.uah,
        Currency::Eur => &donations.eur,
        Currency::Usd => &donations.usd,
    }
}

/// The currency the box offers first (`donations.default_currency`):
/// by default hryvnias for Ukrainian pages, euros for the others.
pub fn default_currency(state: &AppState, language: &str) -> Currency {
    *state.config.donations.default_currency.get(language)
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
