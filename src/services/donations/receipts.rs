//! The receipt a donor gets by email.

#[allow(unused_imports)]
use super::*;

pub(super) async fn send_receipt(state: &AppState, receipt: &crate::store::Receipt) {
    let language = state.config.site.default_language.clone();
    let currency = Currency::parse(&receipt.currency).unwrap_or(Currency::Uah);
    let amount = Money::new(receipt.amount_minor, currency);
    let when = crate::content::i18n::format_datetime(
        receipt.paid_at,
        &language,
        &state.config.site.timezone,
    );
    let site = &state.config.site.name;
    let manage = state.urls.absolute("/support/manage");
    let text = format!(
        "Дякуємо за підтримку {site}! / Thank you for supporting {site}!\n\n\
         {} ({amount}){}\n{when}\n\n\
         Переглянути внески або зупинити щомісячну підтримку / See your gifts or stop monthly support:\n{manage}\n",
        amount.display(&language),
        if receipt.monthly == 1 {
            " — щомісяця / monthly"
        } else {
            ""
        },
    );
    if let Err(e) = state
        .mailer
        .send(
            &receipt.email,
            &format!("{site}: receipt / квитанція"),
            &text,
        )
        .await
    {
        tracing::warn!(error = %e, "cannot send a receipt");
    }
}
