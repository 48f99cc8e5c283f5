//! Email over SMTP (lettre, pooled connections, STARTTLS or implicit TLS as
//! the URL says). Without an SMTP server configured, messages go to the log,
//! so a newsroom trying newsdesk out can still reset a password.

use lettre::message::dkim::{DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use lettre::message::{Mailbox, MessageBuilder, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0:?}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("the SMTP server refused or failed: {0}")]
    Send(String),
    /// A temporary (4xx) refusal: the server did not take the message; try later.
    #[error("the SMTP server deferred the message: {0}")]
    Deferred(String),
    /// A permanent (5xx) refusal: the address does not exist or never accepts mail.
    #[error("the SMTP server rejected the address for good: {0}")]
    Rejected(String),
}

/// A newsletter message: text and HTML, with the RFC 8058 one-click
/// unsubscribe headers that mail clients show as an "Unsubscribe" button.
pub struct ListMessage<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub unsubscribe_url: &'a str,
    pub list_id: &'a str,
}

#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    /// Signs every message for the sender's domain, when configured.
    dkim: Option<std::sync::Arc<DkimConfig>>,
}

/// A DKIM key from its file's text: RSA (PKCS#1 PEM) or Ed25519 (base64).
pub fn dkim_key(text: &str) -> Option<DkimSigningKey> {
    let algorithm = if text.contains("BEGIN RSA PRIVATE KEY") {
        DkimSigningAlgorithm::Rsa
    } else {
        DkimSigningAlgorithm::Ed25519
    };
    DkimSigningKey::new(text.trim(), algorithm).ok()
}

/// The domain part of a mailbox (`news@example.org` → `example.org`).
fn domain_of(mailbox: &Mailbox) -> String {
    mailbox.email.domain().to_owned()
}

impl Mailer {
    /// `smtp_url` is `smtp://user:pass@host:587?tls=required`, `smtps://…` or
    /// `smtp://host:25` (plain, for a local relay); empty means "log only".
    pub fn new(
        smtp_url: &str,
        from: &str,
        dkim: Option<&(String, String)>,
    ) -> Result<Self, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| MailError::Address(from.to_owned()))?;
        let dkim = match dkim {
            Some((selector, key)) => {
                let key =
                    dkim_key(key).ok_or_else(|| MailError::Build("unreadable DKIM key".into()))?;
                Some(std::sync::Arc::new(DkimConfig::default_config(
                    selector.clone(),
                    domain_of(&from),
                    key,
                )))
            }
            None => None,
        };
        let transport = if smtp_url.is_empty() {
            None
        } else {
            Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
                    .map_err(|e| MailError::Build(e.to_string()))?
                    .build(),
            )
        };
        Ok(Mailer {
            transport,
            from,
            dkim,
        })
    }

    /// Headers every message carries: sender, recipient, subject, and a
    /// Message-ID on the sender's domain (spam filters mark mail without one).
    fn builder(&self, to: Mailbox, subject: &str) -> MessageBuilder {
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!(
                "<{}@{}>",
                hex::encode(rand::random::<[u8; 16]>()),
                domain_of(&self.from)
            )))
    }

    fn signed(&self, mut message: Message) -> Message {
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        message
    }

    pub fn sends_email(&self) -> bool {
        self.transport.is_some()
    }

    pub async fn send_list(&self, message: &ListMessage<'_>) -> Result<(), MailError> {
        use lettre::message::MultiPart;
        use lettre::message::header::{HeaderName, HeaderValue};
        let to_box: Mailbox = message
            .to
            .parse()
            .map_err(|_| MailError::Address(message.to.to_owned()))?;
        let Some(transport) = &self.transport else {
            tracing::info!(mail.to = %message.to, mail.subject = %message.subject, "no SMTP server configured; newsletter not sent");
            return Ok(());
        };
        let header = |name: &str, value: String| {
            HeaderName::new_from_ascii(name.to_owned())
                .map(|name| HeaderValue::new(name, value))
                .map_err(|e| MailError::Build(e.to_string()))
        };
        let built = self
            .builder(to_box, message.subject)
            .raw_header(header("List-Id", format!("<{}>", message.list_id))?)
            .raw_header(header(
                "List-Unsubscribe",
                format!("<{}>", message.unsubscribe_url),
            )?)
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_owned(),
            )?)
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(message.text.to_owned()))
                    .singlepart(SinglePart::html(message.html.to_owned())),
            )
            .map_err(|e| MailError::Build(e.to_string()))?;
        let built = self.signed(built);
        transport.send(built).await.map_err(|e| {
            if e.is_permanent() {
                MailError::Rejected(e.to_string())
            } else if e.is_transient() {
                MailError::Deferred(e.to_string())
            } else {
                MailError::Send(e.to_string())
            }
        })?;
        Ok(())
    }

    pub async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), MailError> {
        let to_box: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_owned()))?;
        let Some(transport) = &self.transport else {
            tracing::info!(mail.to = %to, mail.subject = %subject, "no SMTP server configured; the message follows\n{text}");
            return Ok(());
        };
        // A MIME part, so the message says MIME-Version: 1.0 beside its encoding.
        let message = self
            .builder(to_box, subject)
            .singlepart(SinglePart::plain(text.to_owned()))
            .map_err(|e| MailError::Build(e.to_string()))?;
        let message = self.signed(message);
        transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        tracing::info!(mail.to = %to, mail.subject = %subject, "email sent");
        Ok(())
    }
}
