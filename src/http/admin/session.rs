//! The signed-in staff member as an extractor, the session cookie, and CSRF checks.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::http::client_addr;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::auth::{self, SESSION_IDLE_SECONDS, StaffSession};
use crate::services::policy::{Action, Actor};
use crate::services::two_factor;
use crate::services::workflow;
use crate::store::ArticleView;

pub const SESSION_COOKIE: &str = "nd_session";

/// A form posted by a signed-in staff member, its CSRF token already
/// checked: what every admin POST starts with, in one place.
pub struct StaffForm(pub Staff, pub FormData);

impl FromRequest<AppState> for StaffForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = FormData::parse(&body);
        staff
            .check_csrf(form.get("csrf"))
            .map_err(IntoResponse::into_response)?;
        Ok(StaffForm(staff, form))
    }
}

/// A request from a signed-in staff member. Without a valid session, page
/// requests are sent to the sign-in page and anything else gets a 401.
pub struct Staff(pub StaffSession);

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.0.staff_id,
            role: self.0.role,
        }
    }

    /// Refuses with 403 unless the role table allows `action` (on `article`, if given).
    pub async fn require(
        &self,
        state: &AppState,
        action: Action,
        article: Option<&ArticleView>,
    ) -> Result<(), HttpError> {
        if workflow::allowed(state, self.actor(), action, article).await? {
            Ok(())
        } else {
            Err(HttpError::Forbidden("your role does not allow this".into()))
        }
    }

    /// Every state-changing request carries the session's CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), HttpError> {
        if self.0.csrf_matches(submitted) {
            Ok(())
        } else {
            tracing::warn!(staff.id = %self.0.staff_id, "CSRF token mismatch");
            Err(HttpError::Forbidden(
                "the form has expired; reload the page and try again".into(),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let session = match token {
            Some(token) => auth::authenticate(state, &token)
                .await
                .map_err(|e| HttpError::from(e).into_response())?,
            None => None,
        };
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .and_then(|OriginalUri(uri)| uri.path_and_query().map(|p| p.as_str().to_owned()))
            .unwrap_or_else(|| "/admin".into());
        let is_get = parts.method == Method::GET;
        let redirect_or = |target: String, otherwise: HttpError| {
            if is_get {
                Redirect::to(&target).into_response()
            } else {
                otherwise.into_response()
            }
        };
        let Some(mut session) = session else {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Err(redirect_or(
                format!("/admin/sign-in?next={encoded}"),
                HttpError::Unauthorized,
            ));
        };
        session.client_ip = client_ip(&parts.extensions);
        if session.awaiting_code {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            return Err(redirect_or(
                format!("/admin/sign-in/code?next={encoded}"),
                HttpError::Unauthorized,
            ));
        }
        // A one-time password opens only the page where it is replaced.
        if session.must_change_password
            && !path.starts_with("/admin/account")
            && !path.starts_with("/admin/sign-out")
        {
            return Err(redirect_or(
                "/admin/account?first=1".into(),
                HttpError::Forbidden("choose your own password first".into()),
            ));
        }
        // When the owner requires two-factor sign-in, people without it may only set it up.
        let setting_up =
            path.starts_with("/admin/account/2fa") || path.starts_with("/admin/sign-out");
        if !session.totp_enabled
            && !setting_up
            && two_factor::required(state)
                .await
                .map_err(|e| HttpError::from(e).into_response())?
        {
            return Err(redirect_or(
                "/admin/account/2fa".into(),
                HttpError::Forbidden("set up two-factor sign-in first".into()),
            ));
        }
        Ok(Staff(session))
    }
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `Secure` is added when the site is served over HTTPS.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.urls.base_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={SESSION_IDLE_SECONDS}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static("nd_session=; Path=/admin"))
}

pub fn cleared_cookie() -> HeaderValue {
    HeaderValue::from_static("nd_session=; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The client's address, for throttling, sessions and the audit log.
pub fn client_ip(parts_extensions: &axum::http::Extensions) -> String {
    client_addr::of(parts_extensions).to_string()
}

/// Only admin paths on this site are allowed as a place to return to after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Only visible ASCII: a CR or LF would split the Location header.
        Some(n)
            if n.starts_with("/admin")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/admin".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_and_refuses_open_redirects() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; nd_session=abc; b=2"),
        );
        assert_eq!(cookie(&headers, "nd_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        assert_eq!(
            safe_next(Some("/admin/articles?status=draft")),
            "/admin/articles?status=draft"
        );
        assert_eq!(safe_next(Some("https://evil.example/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.example")), "/admin");
        assert_eq!(safe_next(None), "/admin");
        assert_eq!(safe_next(Some("/admin\r\nSet-Cookie: x=1")), "/admin");
        assert_eq!(safe_next(Some("/admin/a b")), "/admin");
    }
}
