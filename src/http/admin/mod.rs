//! The newsroom admin at `/admin`: server-rendered pages, progressively
//! enhanced by `static/admin.js`. Every handler takes [`session::Staff`] and
//! asks the policy before acting; every form carries the CSRF token.

mod account;
mod articles;
mod dashboard;
mod form;
mod history;
mod media;
mod password;
pub mod session;
mod sign_in;
mod staff;
mod two_factor;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Value;
use serde_json::{Map, Value as Json, json};

use crate::app::AppState;
use crate::content::i18n;
use crate::http::error::HttpError;
use session::Staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route(
            "/sign-in",
            get(sign_in::show_sign_in).post(sign_in::submit_sign_in),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/sign-out-everywhere", post(sign_in::sign_out_everywhere))
        .route(
            "/account",
            get(account::show_account).post(account::change_password),
        )
        .route(
            "/password-reset",
            get(password::show_reset_request).post(password::submit_reset_request),
        )
        .route(
            "/password/{token}",
            get(password::show_set_password).post(password::submit_set_password),
        )
        .route("/staff", get(staff::show_staff).post(staff::invite))
        .route(
            "/sign-in/code",
            get(two_factor::show_code).post(two_factor::submit_code),
        )
        .route(
            "/account/2fa",
            get(two_factor::show_setup).post(two_factor::change_setup),
        )
        .route(
            "/settings",
            get(staff::show_settings).post(staff::save_settings),
        )
        .route(
            "/articles",
            get(articles::list_articles).post(articles::create_article),
        )
        .route("/articles/new", get(articles::new_article))
        .route(
            "/articles/{id}",
            get(articles::edit_article).post(articles::save_article),
        )
        .route("/articles/{id}/workflow", post(articles::change_status))
        .route("/articles/{id}/corrections", post(articles::add_correction))
        .route("/articles/{id}/revisions", get(history::show_revisions))
        .route(
            "/articles/{id}/revisions/{version}/restore",
            post(history::restore_revision),
        )
        .route("/preview", post(articles::preview_body))
        .route(
            "/media",
            get(media::show_media)
                .post(media::upload_media)
                .layer(DefaultBodyLimit::max(
                    crate::services::media::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/media/{id}/delete", post(media::delete_media))
}

/// The admin's language: the site's default language, or the one chosen with `?lang=`.
pub fn admin_language(state: &AppState, chosen: Option<&str>) -> String {
    match chosen {
        Some(l) if state.config.site.languages.iter().any(|x| x == l) => l.to_owned(),
        _ => state.config.site.default_language.clone(),
    }
}

/// An admin page being assembled.
pub struct AdminPage {
    context: Map<String, Json>,
    safe: Vec<(&'static str, String)>,
}

impl AdminPage {
    pub fn new(state: &AppState, language: &str, title: &str, staff: Option<&Staff>) -> Self {
        let mut context = Map::new();
        context.insert("lang".into(), json!(language));
        context.insert("a".into(), json!(i18n::admin_strings(language)));
        context.insert("title".into(), json!(title));
        context.insert("site_name".into(), json!(state.config.site.name));
        context.insert(
            "languages".into(),
            json!(
                state
                    .config
                    .site
                    .languages
                    .iter()
                    .map(|l| json!({"code": l, "name": i18n::language_name(l)}))
                    .collect::<Vec<_>>()
            ),
        );
        if let Some(Staff(session)) = staff {
            context.insert(
                "me".into(),
                json!({
                    "name": session.name,
                    "role": session.role.as_str(),
                    "must_change_password": session.must_change_password,
                }),
            );
            context.insert("csrf".into(), json!(session.csrf_token));
        }
        AdminPage {
            context,
            safe: Vec::new(),
        }
    }

    pub fn set(&mut self, key: &str, value: impl serde::Serialize) -> &mut Self {
        self.context.insert(
            key.to_owned(),
            serde_json::to_value(value).unwrap_or(Json::Null),
        );
        self
    }

    /// Markup we generated ourselves (the QR code), inserted unescaped.
    pub fn safe(&mut self, key: &'static str, html: String) -> &mut Self {
        self.safe.push((key, html));
        self
    }

    pub fn render(&self, state: &AppState, template: &str) -> Result<Response, HttpError> {
        let mut value = Value::from_serialize(&self.context);
        if !self.safe.is_empty() {
            let extra: std::collections::BTreeMap<&str, Value> = self
                .safe
                .iter()
                .map(|(k, v)| (*k, Value::from_safe_string(v.clone())))
                .collect();
            value = minijinja::context! { ..Value::from(extra), ..value };
        }
        let html = state.templates.render(template, value)?;
        let mut response = Html(html).into_response();
        // Admin pages hold drafts and tokens: never stored by browsers or proxies.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    }
}
