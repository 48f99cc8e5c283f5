//! Money as integer minor units with a currency: no floating point anywhere.
//! Conversion to major units happens only at the edge (LiqPay wants "150.50").

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Uah,
    Eur,
    Usd,
}

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Uah, Currency::Eur, Currency::Usd];

    /// ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Uah => "UAH",
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
        }
    }

    pub fn parse(code: &str) -> Option<Currency> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    /// All three have two decimals (kopiykas, cents).
    pub fn minor_per_major(self) -> i64 {
        100
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is not an amount of money")]
    NotAnAmount,
    #[error("has more than two decimals")]
    TooPrecise,
    #[error("is too large")]
    TooLarge,
}

/// Amounts above this are refused before any arithmetic (10 billion major units).
const LARGEST_MINOR: i64 = 1_000_000_000_000;

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub fn from_major(major: i64, currency: Currency) -> Self {
        Money {
            minor: major.saturating_mul(currency.minor_per_major()),
            currency,
        }
    }

    /// Reads what a reader typed: "500", "500.50", "500,5", "1 000".
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .collect();
        let cleaned = cleaned.replace(',', ".");
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(MoneyError::NotAnAmount);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if whole.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::NotAnAmount)?;
        let cents: i64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| MoneyError::NotAnAmount)?;
        let minor = whole * currency.minor_per_major() + cents;
        if minor > LARGEST_MINOR {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money { minor, currency })
    }

    /// "150" or "150.50", for providers that take major units.
    pub fn major_string(self) -> String {
        let per = self.currency.minor_per_major();
        let (whole, cents) = (self.minor / per, (self.minor % per).abs());
        if cents == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{cents:02}")
        }
    }

    /// As readers see it: "500 грн", "€10", "$25.50", as each language
    /// writes it (`money_<currency>` in its locale).
    pub fn display(self, locale: &crate::i18n::Locale) -> String {
        let message = format!("money_{}", self.currency.code().to_ascii_lowercase());
        let amount = self.major_string();
        locale.format(&message, &[("amount", crate::i18n::Arg::Text(&amount))])
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major_string(), self.currency.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn parses_what_readers_type() {
        assert_eq!(
            Money::parse("500", Currency::Uah),
            Ok(Money::new(50_000, Currency::Uah))
        );
        assert_eq!(
            Money::parse(" 1 000,5 ", Currency::Uah),
            Ok(Money::new(100_050, Currency::Uah))
        );
        assert_eq!(
            Money::parse("10.05", Currency::Eur),
            Ok(Money::new(1_005, Currency::Eur))
        );
        assert_eq!(
            Money::parse("10.055", Currency::Eur),
            Err(MoneyError::TooPrecise)
        );
        for bad in ["", "-5", "5e3", "abc", ".5", "1.2.3", "NaN", "∞"] {
            assert_eq!(
                Money::parse(bad, Currency::Usd),
                Err(MoneyError::NotAnAmount),
                "{bad}"
            );
        }
        assert_eq!(
            Money::parse("99999999999999999999", Currency::Usd),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn formats_for_providers_and_readers() {
        assert_eq!(Money::new(15_050, Currency::Uah).major_string(), "150.50");
        assert_eq!(Money::from_major(250, Currency::Uah).major_string(), "250");
        assert_eq!(
            Money::from_major(500, Currency::Uah).display(&Locale::built_in("uk").unwrap()),
            "500 грн"
        );
        let en = Locale::built_in("en").unwrap();
        assert_eq!(Money::new(2_550, Currency::Usd).display(&en), "$25.50");
        let pl = Locale::built_in("pl").unwrap();
        assert_eq!(Money::new(2_550, Currency::Eur).display(&pl), "25.50 €");
        assert_eq!(Money::from_major(10, Currency::Eur).to_string(), "10 EUR");
        assert_eq!(Currency::parse("uah"), Some(Currency::Uah));
        assert_eq!(Currency::parse("GBP"), None);
    }
}
