//! The newsroom admin at `/admin`: server-rendered pages, progressively
//! enhanced by `static/admin.js`. Every handler takes [`session::Staff`] and
//! asks the policy before acting; every form carries the CSRF token.

mod account;
mod articles;
mod dashboard;
mod distribution;
mod funding;
mod history;
mod media;
mod pages;
mod password;
mod sections;
pub mod session;
mod sign_in;
mod staff;
mod two_factor;
mod webhooks;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Redirect;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::Value;
use serde_json::{Map, Value as Json, json};

use crate::app::AppState;
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
        .route("/staff/{id}/{action}", post(staff::change_member))
        .route("/keys", post(staff::create_key))
        .route("/keys/{id}/revoke", post(staff::revoke_key))
        .route("/audit", get(staff::show_audit))
        .route("/funding", get(funding::show_funding))
        .route("/pages", get(pages::show_pages))
        .route(
            "/sections",
            get(sections::show_sections).post(sections::save_section),
        )
        .route("/sections/{slug}", post(sections::save_section))
        .route(
            "/webhooks",
            get(webhooks::show_webhooks).post(webhooks::add_webhook),
        )
        .route("/webhooks/{id}/delete", post(webhooks::delete_webhook))
        .route("/pages/new", get(pages::new_page).post(pages::create_page))
        .route("/pages/{id}", get(pages::show_page).post(pages::save_page))
        .route("/pages/{id}/delete", post(pages::delete_page))
        .route("/distribution", get(distribution::show_distribution))
        .route("/funding/grants", post(funding::add_grant))
        .route("/funding/grants/{id}/public", post(funding::publish_grant))
        .route("/funding.csv", get(funding::export_csv))
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
        .route(
            "/articles/{id}/preview-links/revoke",
            post(articles::revoke_preview_links),
        )
        .route("/articles/{id}/newsletter", post(articles::send_newsletter))
        .route("/deliveries/{id}/{action}", post(articles::change_delivery))
        .route("/articles/{id}/corrections", post(articles::add_correction))
        .route("/articles/{id}/live/{action}", post(articles::live_action))
        .route("/articles/{id}/revisions", get(history::show_revisions))
        .route(
            "/articles/{id}/revisions/{version}/restore",
            post(history::restore_revision),
        )
        .route("/preview", post(articles::preview_body))
        .route("/language/{code}", get(choose_language))
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

const LANGUAGE_COOKIE: &str = "nd_admin_lang";

/// The admin's language: `?lang=` if given, else the one chosen before
/// (a cookie set by `/admin/language/{code}`), else the site's default.
pub struct AdminLang(pub String);

impl FromRequestParts<AppState> for AdminLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let languages = &state.config.site.languages;
        let from_query = parts.uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.into_owned())
        });
        let chosen = from_query.filter(|l| languages.contains(l)).or_else(|| {
            session::cookie(&parts.headers, LANGUAGE_COOKIE).filter(|l| languages.contains(l))
        });
        Ok(AdminLang(chosen.unwrap_or_else(|| {
            state.config.site.default_language.clone()
        })))
    }
}

/// Remembers the admin language and goes back to the page the switch was on.
async fn choose_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !state.config.site.languages.contains(&code) {
        return HttpError::NotFound.into_response();
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        });
    let mut response = Redirect::to(&session::safe_next(back.as_deref())).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{LANGUAGE_COOKIE}={code}; Path=/admin; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
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
        context.insert("a".into(), json!(state.locales.get(language).admin_words()));
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
                    .map(|l| json!({"code": l, "name": state.locales.language_name(l)}))
                    .collect::<Vec<_>>()
            ),
        );
        // An outage in the last hour: staff learn that saves were refused then.
        if let crate::store::DatabaseStatus::Answering {
            last_outage: Some((from, until)),
        } = state.store.health().status()
            && state.clock.now() - until < 3600
        {
            let zone = &state.config.site.timezone;
            let (from, until) = (
                crate::i18n::format_time(from, zone),
                crate::i18n::format_time(until, zone),
            );
            context.insert(
                "database_outage".into(),
                json!(state.locales.get(language).format(
                    "database_was_down",
                    &[
                        ("from", crate::i18n::Arg::Text(&from)),
                        ("until", crate::i18n::Arg::Text(&until)),
                    ],
                )),
            );
        }
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

    /// Renders with a status other than 200: a form shown again with its errors.
    pub fn render_status(
        &self,
        state: &AppState,
        template: &str,
        status: StatusCode,
    ) -> Result<Response, HttpError> {
        let mut response = self.render(state, template)?;
        *response.status_mut() = status;
        Ok(response)
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
