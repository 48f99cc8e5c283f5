//! URL-encoded form bodies with repeated fields (authors, source rows,
//! currencies), which serde's flat forms cannot express.

use axum::body::Bytes;

pub struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    pub fn parse(body: &Bytes) -> Self {
        FormData {
            pairs: url::form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The page language a public form was sent from (its `lang` field), or the
/// site's default when it names no language of the site.
pub fn form_language(state: &crate::app::AppState, data: &FormData) -> String {
    let site = &state.config.site;
    match data.get("lang") {
        l if site.languages.iter().any(|x| x == l) => l.to_owned(),
        _ => site.default_language.clone(),
    }
}
