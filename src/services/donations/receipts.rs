//! The receipt a donor gets by email (`templates/email/receipt.txt`).
//! Donations do not record the page's language, so the receipt is in the
//! site's default language with English beneath it when that differs.

#[allow(unused_imports)]
use super::*;

pub(super) async fn send_receipt(state: &AppState, receipt: &crate::store::Receipt) {
    let currency = Currency::parse(&receipt.currency).unwrap_or(Currency::Uah);
    let amount = Money::new(receipt.amount_minor, currency);
    let tz = &state.config.site.timezone;
    let default = state.config.site.default_language.as_str();
    let mut languages = vec![default];
    if default != crate::i18n::FALLBACK {
        languages.push(crate::i18n::FALLBACK);
    }
    let mut parts = Vec::new();
    for language in languages {
        let locale = state.locales.get(language);
        let values = serde_json::json!({
            "amount": amount.display(locale),
            "amount_in_code": amount.to_string(),
            "monthly": receipt.monthly == 1,
            "when": locale.datetime(receipt.paid_at, tz),
            "manage": state.urls.absolute("/support/manage"),
        });
        match crate::services::email::compose(state, "receipt", language, values) {
            Ok(message) => parts.push(message),
            Err(e) => tracing::error!(error = %e, "cannot compose a receipt"),
        }
    }
    let Some(first) = parts.first() else {
        return;
    };
    let subject = first.subject.clone();
    let text = parts
        .iter()
        .map(|m| m.text.trim_end())
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    if let Err(e) = state.mailer.send(&receipt.email, &subject, &text).await {
        tracing::warn!(error = %e, "cannot send a receipt");
    }
}
