//! Clients for the outside world. Each takes its address from configuration,
//! so tests aim it at a local server that speaks the real protocol.

pub mod activitypub;
pub mod http;
pub mod liqpay;
pub mod mail;
pub mod message_signatures;
pub mod stripe;
pub mod telegram;
pub mod videos;
pub mod x;

/// Why a post to a channel did not go out, as the outbox needs to know it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    /// The provider asked us to wait (HTTP 429, rate-limit headers).
    #[error("{reason} (wait {seconds} s)")]
    Wait { seconds: u64, reason: String },
    /// Worth retrying: timeouts, 5xx, connection failures.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help: bad credentials, a refused request.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    /// 5xx and 408 are worth a retry; other 4xx are not.
    pub fn from_status(status: reqwest::StatusCode, what: String) -> Self {
        if status.is_server_error() || status == reqwest::StatusCode::REQUEST_TIMEOUT {
            SendError::Transient(what)
        } else {
            SendError::Permanent(what)
        }
    }
}
