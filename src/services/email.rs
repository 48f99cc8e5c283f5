//! Emails as templates: `templates/email/<name>.txt` (and `<name>.html`
//! where one exists) render a whole message in one language. The first line
//! is `Subject: …`; the words come from the language's Fluent files, so a
//! theme can restyle or reword any email without code.

use serde::Serialize;

use crate::app::AppState;

/// A message ready for the mailer.
#[derive(Debug, Clone)]
pub struct Email {
    pub subject: String,
    pub text: String,
    /// Only for emails with an HTML layout (newsletters).
    pub html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("email template {name}: {source}")]
pub struct EmailError {
    name: String,
    source: minijinja::Error,
}

/// Renders `email/<name>` in `language` with `values` (the site's name and
/// `lang` are always there).
pub fn compose(
    state: &AppState,
    name: &str,
    language: &str,
    values: impl Serialize,
) -> Result<Email, EmailError> {
    let context =
        minijinja::context! { lang => language, ..minijinja::Value::from_serialize(values) };
    let render = |file: String| {
        state
            .templates
            .render(&file, context.clone())
            .map_err(|source| EmailError { name: file, source })
    };
    let whole = render(format!("email/{name}.txt"))?;
    let (subject, text) = match whole.split_once('\n') {
        Some((first, rest)) if first.starts_with("Subject: ") => (
            first["Subject: ".len()..].trim().to_owned(),
            rest.trim_start_matches('\n'),
        ),
        _ => (String::new(), whole.as_str()),
    };
    let html = if state.templates.has(&format!("email/{name}.html")) {
        Some(render(format!("email/{name}.html"))?)
    } else {
        None
    };
    Ok(Email {
        subject,
        text: text.to_owned(),
        html,
    })
}
