//! Email over SMTP (lettre, pooled connections, STARTTLS or implicit TLS as
//! the URL says). Without an SMTP server configured, messages go to the log,
//! so a newsroom trying newsdesk out can still reset a password.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0:?}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("the SMTP server refused or failed: {0}")]
    Send(String),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp_url` is `smtp://user:pass@host:587?tls=required`, `smtps://…` or
    /// `smtp://host:25` (plain, for a local relay); empty means "log only".
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::Address(from.to_owned()))?;
        let transport = if smtp_url.is_empty() {
            None
        } else {
            Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
                    .map_err(|e| MailError::Build(e.to_string()))?
                    .build(),
            )
        };
        Ok(Mailer { transport, from })
    }

    pub fn sends_email(&self) -> bool {
        self.transport.is_some()
    }

    pub async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), MailError> {
        let to_box: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let Some(transport) = &self.transport else {
            tracing::info!(mail.to = %to, mail.subject = %subject, "no SMTP server configured; the message follows\n{text}");
            return Ok(());
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to_box)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|e| MailError::Build(e.to_string()))?;
        transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        tracing::info!(mail.to = %to, mail.subject = %subject, "email sent");
        Ok(())
    }
}
