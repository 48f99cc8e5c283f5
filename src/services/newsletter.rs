//! The email newsletter: double opt-in sign-up, the daily digest ("the news
//! picture of the day") per language, single-story sends, one-click
//! unsubscribe, and a resumable sender that never mails anyone twice.

use serde::Serialize;
use serde_json::json;

use crate::app::AppState;
use crate::i18n::{Arg, local_date};
use crate::integrations::mail::{ListMessage, MailError};
use crate::services::email;
use crate::services::{FieldError, ServiceError};
use crate::store::{
    ArticleCard, ArticleFilter, ArticleId, ArticleStatus, NewIssue, StoreResult, Subscriber,
};
use crate::store::{IssueId, SubscriberId, SubscriberState};

/// Messages claimed per round; the lettre pool spreads them over its connections.
const BATCH: i64 = 50;
const LEASE_SECONDS: i64 = 600;
/// Where each recipient's own unsubscribe address goes in a stored issue body.
const UNSUBSCRIBE_SLOT: &str = "{{unsubscribe}}";
const CONFIRMATION_GAP: i64 = 600;
/// Sign-ups one client may send an hour, and confirmation mails one mailbox
/// (ignoring `+tags`) may get a day: nobody can flood a stranger's inbox.
pub const MAX_SIGN_UPS_PER_CLIENT_HOUR: i64 = 10;
pub const MAX_CONFIRMATIONS_PER_MAILBOX_DAY: i64 = 3;
const LINK_SECRET_SETTING: &str = "newsletter.link_secret";

/// The mailbox behind an address: `victim+1@x` and `victim+2@x` are one.
fn mailbox(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => email.to_owned(),
    }
}

/// The site's secret for unsubscribe links.
async fn link_secret(state: &AppState) -> StoreResult<String> {
    crate::services::site_secret(state, LINK_SECRET_SETTING)
        .await
        .map_err(|e| match e {
            ServiceError::Store(store) => store,
            other => crate::store::StoreError::Corrupt(other.to_string()),
        })
}

fn link_mac(secret: &str, subscriber: SubscriberId) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(format!("unsubscribe:{subscriber}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The token of a subscriber's unsubscribe link: their id, signed. It can
/// only unsubscribe, and nothing of it is stored.
pub async fn unsubscribe_token(state: &AppState, subscriber: SubscriberId) -> StoreResult<String> {
    Ok(format!(
        "{subscriber}-{}",
        link_mac(&link_secret(state).await?, subscriber)
    ))
}

/// The subscriber an unsubscribe token names, if its signature holds.
pub async fn subscriber_for_unsubscribe(
    state: &AppState,
    token: &str,
) -> Result<Subscriber, ServiceError> {
    let (id, mac) = token.split_once('-').ok_or(ServiceError::NotFound)?;
    let id = SubscriberId(id.parse().map_err(|_| ServiceError::NotFound)?);
    let expected = link_mac(&link_secret(state).await?, id);
    if !crate::services::auth::constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
        return Err(ServiceError::NotFound);
    }
    Ok(state.store.subscriber_by_id(id).await?)
}

/// The subscriber a confirmation token belongs to.
pub async fn subscriber_for_confirm(
    state: &AppState,
    token: &str,
) -> Result<Subscriber, ServiceError> {
    if token.len() != 64 {
        return Err(ServiceError::NotFound);
    }
    Ok(state
        .store
        .subscriber_by_token(&crate::services::auth::token_hash(token))
        .await?)
}

/// A reader asks for the newsletter. The confirmation link goes by email;
/// nothing is sent to the address until it is followed.
pub async fn sign_up(
    state: &AppState,
    email: &str,
    language: &str,
    client_ip: &str,
) -> Result<Subscriber, ServiceError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.parse::<lettre::Address>().is_ok()
        && !email.contains(['<', '>', ',', ' ']);
    if !valid {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "email".into(),
            message: state.locales.get(language).text("newsletter_email_invalid"),
        }]));
    }
    if !state.config.site.languages.iter().any(|l| l == language) {
        return Err(ServiceError::NotFound);
    }
    let current = state.clock.now();
    let throttled =
        || ServiceError::Throttled(state.locales.get(language).text("newsletter_throttled"));
    state
        .store
        .take_attempt(
            &format!("newsletter-client:{client_ip}"),
            current,
            current - 3600,
            MAX_SIGN_UPS_PER_CLIENT_HOUR,
        )
        .await?
        .ok_or_else(throttled)?;
    // Someone typing a stranger's address again and again sends them one
    // confirmation per ten minutes at most.
    let recently_asked = state
        .store
        .subscriber(&email, language)
        .await?
        .is_some_and(|s| {
            s.state == SubscriberState::Pending
                && s.changed_at > state.clock.now() - CONFIRMATION_GAP
        });
    let subscriber = state
        .store
        .subscribe(
            &email,
            language,
            &crate::services::auth::token_hash(&crate::services::auth::random_token()),
            state.clock.now(),
        )
        .await?;
    if subscriber.state != SubscriberState::Active && !recently_asked {
        if state
            .store
            .take_attempt(
                &format!("newsletter-mailbox:{}", mailbox(&email)),
                current,
                current - 86_400,
                MAX_CONFIRMATIONS_PER_MAILBOX_DAY,
            )
            .await?
            .is_none()
        {
            tracing::warn!(
                client.ip = client_ip,
                "newsletter confirmations to one mailbox throttled"
            );
            return Ok(subscriber);
        }
        // When the last confirmation went out (see `recently_asked`).
        state
            .store
            .set_subscriber_state(subscriber.id, SubscriberState::Pending, state.clock.now())
            .await?;
        // A new link each time; only its hash is kept.
        let token = crate::services::auth::random_token();
        state
            .store
            .set_confirm_token(subscriber.id, &crate::services::auth::token_hash(&token))
            .await?;
        let link = state.urls.absolute(&format!("/newsletter/confirm/{token}"));
        let sent = match email::compose(state, "confirm", language, json!({ "link": link })) {
            Ok(message) => state
                .mailer
                .send(&email, &message.subject, &message.text)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(err) = sent {
            tracing::warn!(error = %err, "cannot send the newsletter confirmation");
        }
    }
    Ok(subscriber)
}

/// Confirms a pending sign-up. A link for someone who has since left (or
/// bounced) confirms nothing: only a new sign-up can bring them back.
pub async fn confirm(state: &AppState, token: &str) -> Result<Subscriber, ServiceError> {
    let subscriber = subscriber_for_confirm(state, token).await?;
    match subscriber.state {
        SubscriberState::Pending => {
            state
                .store
                .set_subscriber_state(subscriber.id, SubscriberState::Active, state.clock.now())
                .await?;
            super::webhooks::notify(
                state,
                super::webhooks::SUBSCRIBER_CONFIRMED,
                serde_json::json!({ "email": subscriber.email, "language": subscriber.language }),
            )
            .await;
        }
        SubscriberState::Active => {}
        SubscriberState::Unsubscribed | SubscriberState::Bounced => {
            return Err(ServiceError::NotFound);
        }
    }
    Ok(subscriber)
}

/// Unsubscribes; never subscribes anyone, whatever their state.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<Subscriber, ServiceError> {
    let subscriber = subscriber_for_unsubscribe(state, token).await?;
    if subscriber.state == SubscriberState::Active || subscriber.state == SubscriberState::Pending {
        state
            .store
            .set_subscriber_state(
                subscriber.id,
                SubscriberState::Unsubscribed,
                state.clock.now(),
            )
            .await?;
    }
    Ok(subscriber)
}

/// The day's digest for each language whose hour has come, once per day
/// across all nodes (the issue key is unique). Returns the issues made.
pub async fn make_due_digests(state: &AppState, at: i64) -> Result<Vec<i64>, ServiceError> {
    let tz = &state.config.site.timezone;
    let local = jiff::Timestamp::from_second(at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone());
    let counts = state.store.subscriber_counts().await?;
    let mut made = Vec::new();
    for language in &state.config.site.languages {
        if local.hour() < *state.config.distribution.digest_hour.get(language) {
            continue;
        }
        let readers = counts
            .iter()
            .any(|(l, s, n)| l == language && s == "active" && *n > 0);
        if !readers {
            continue;
        }
        let key = digest_key(state, language, at);
        if state.store.has_issue(&key).await? {
            continue;
        }
        let filter = ArticleFilter {
            status: Some(ArticleStatus::Published),
            language: Some(language.clone()),
            published_from: Some(at - 86_400),
            ..Default::default()
        };
        let stories: Vec<IssueStory> = state
            .store
            .article_cards(&filter, 12, 0)
            .await?
            .into_iter()
            .map(|card| IssueStory::of_card(state, card))
            .collect();
        if stories.is_empty() {
            continue;
        }
        let date = state.locales.get(language).date(at, tz);
        let subject = state
            .locales
            .get(language)
            .format("digest_subject", &[("date", Arg::Text(&date))]);
        let issue = issue_for(state, key, language, subject, &stories, true)?;
        if let Some(id) = state.store.create_issue(&issue, state.clock.now()).await? {
            tracing::info!(issue = id, %language, "newsletter digest ready");
            made.push(id);
        }
    }
    Ok(made)
}

/// The day's digest key: one digest per language per local day.
pub fn digest_key(state: &AppState, language: &str, at: i64) -> String {
    let (y, m, d) = local_date(at, &state.config.site.timezone);
    format!("digest:{language}:{y:04}-{m:02}-{d:02}")
}

/// Whether a published story will be in its language's next digest: it is
/// recent, readers of its language exist, and today's digest is not out yet.
pub async fn in_next_digest(
    state: &AppState,
    article: &crate::store::ArticleRow,
) -> StoreResult<bool> {
    let at = state.clock.now();
    let recent = article.published_at.is_some_and(|p| p >= at - 86_400);
    if article.status != ArticleStatus::Published || !recent {
        return Ok(false);
    }
    let readers = state
        .store
        .subscriber_counts()
        .await?
        .iter()
        .any(|(l, s, n)| *l == article.language && s == "active" && *n > 0);
    Ok(readers
        && !state
            .store
            .has_issue(&digest_key(state, &article.language, at))
            .await?)
}

/// Sends one published story to its language's subscribers, once.
pub async fn send_story(state: &AppState, id: ArticleId) -> Result<Option<i64>, ServiceError> {
    let article = state.store.article_row(id).await?;
    if article.status != ArticleStatus::Published {
        return Err(ServiceError::Conflict(
            "only a published story can be sent".into(),
        ));
    }
    let story = IssueStory {
        id: article.id,
        link: crate::services::distribution::story_link(state, &article),
        headline: article.headline.clone(),
        standfirst: article.standfirst.clone(),
    };
    let issue = issue_for(
        state,
        format!("story:{}", id.0),
        &article.language,
        article.headline.clone(),
        &[story],
        false,
    )?;
    Ok(state.store.create_issue(&issue, state.clock.now()).await?)
}

/// One story as an issue lists it.
#[derive(Serialize)]
struct IssueStory {
    #[serde(skip)]
    id: ArticleId,
    link: String,
    headline: String,
    standfirst: String,
}

impl IssueStory {
    fn of_card(state: &AppState, card: ArticleCard) -> Self {
        IssueStory {
            id: card.id,
            link: state
                .urls
                .article(&card.language, &card.slug, card.published_at)
                .map(|p| state.urls.absolute(&p))
                .unwrap_or_default(),
            headline: card.headline,
            standfirst: card.standfirst,
        }
    }
}

/// An issue's text and HTML, from `templates/email/issue.*`; each
/// subscriber's own unsubscribe link replaces the slot when it is sent.
fn issue_for(
    state: &AppState,
    issue_key: String,
    language: &str,
    subject: String,
    stories: &[IssueStory],
    digest: bool,
) -> Result<NewIssue, ServiceError> {
    let message = email::compose(
        state,
        "issue",
        language,
        json!({
            "subject": subject,
            "stories": stories,
            "digest": digest,
            "unsubscribe": UNSUBSCRIBE_SLOT,
        }),
    )?;
    Ok(NewIssue {
        article_ids: stories.iter().map(|s| s.id.0).collect(),
        issue_key,
        language: language.to_owned(),
        subject,
        text_body: message.text,
        html_body: message.html.unwrap_or_default(),
    })
}

/// Sends claimed messages until none are left (or `stop` says so).
/// Returns how many were sent.
pub async fn send_pending(
    state: &AppState,
    stop: &(dyn Fn() -> bool + Sync),
) -> StoreResult<usize> {
    let mut sent = 0;
    let started = std::time::Instant::now();
    let pace = state.config.distribution.newsletter_per_second as f64;
    state
        .store
        .recover_interrupted_recipients(state.clock.now())
        .await?;
    let secret = link_secret(state).await?;
    let mut issues: std::collections::HashMap<IssueId, std::sync::Arc<crate::store::IssueRow>> =
        std::collections::HashMap::new();
    while !stop() {
        let recipients = state
            .store
            .claim_recipients(BATCH, state.clock.now(), LEASE_SECONDS)
            .await?;
        if recipients.is_empty() {
            break;
        }
        let mut jobs = tokio::task::JoinSet::new();
        for recipient in recipients {
            let issue = match issues.entry(recipient.issue_id) {
                std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
                std::collections::hash_map::Entry::Vacant(slot) => slot
                    .insert(std::sync::Arc::new(
                        state.store.issue(recipient.issue_id).await?,
                    ))
                    .clone(),
            };
            let state = state.clone();
            let unsubscribe = format!(
                "{}-{}",
                recipient.subscriber_id,
                link_mac(&secret, recipient.subscriber_id)
            );
            jobs.spawn(async move {
                let unsubscribe_url = state
                    .urls
                    .absolute(&format!("/newsletter/unsubscribe/{unsubscribe}"));
                // RFC 2919: a dot-atom, so the host without a port.
                let list_id = format!("newsletter.{}", state.urls.host());
                let message = ListMessage {
                    to: &recipient.email,
                    subject: &issue.subject,
                    text: &issue.text_body.replace(UNSUBSCRIBE_SLOT, &unsubscribe_url),
                    html: &issue.html_body.replace(UNSUBSCRIBE_SLOT, &unsubscribe_url),
                    unsubscribe_url: &unsubscribe_url,
                    list_id: &list_id,
                };
                let result = state.mailer.send_list(&message).await;
                (recipient, result)
            });
        }
        let (mut delivered, mut failed) = (Vec::new(), Vec::new());
        while let Some(joined) = jobs.join_next().await {
            let Ok((recipient, result)) = joined else {
                continue;
            };
            match result {
                Ok(()) => delivered.push(recipient),
                Err(MailError::Rejected(reason)) => {
                    // A hard bounce: this address gets nothing more.
                    tracing::info!(%reason, "newsletter address bounced");
                    state
                        .store
                        .set_subscriber_state(
                            recipient.subscriber_id,
                            SubscriberState::Bounced,
                            state.clock.now(),
                        )
                        .await?;
                    failed.push((recipient, reason));
                }
                Err(MailError::Deferred(reason)) => {
                    // A 4xx answer means the server did not take the message,
                    // so trying again later cannot deliver it twice.
                    tracing::warn!(%reason, "newsletter message deferred");
                    state
                        .store
                        .retry_recipient(&recipient, &reason, {
                            let policy = crate::jobs::RetryPolicy::of(state);
                            let attempts = recipient.attempts + 1;
                            (!policy.gives_up_after(attempts))
                                .then(|| state.clock.now() + policy.delay_after(attempts))
                        })
                        .await?;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "newsletter message not sent");
                    failed.push((recipient, err.to_string()));
                }
            }
        }
        sent += delivered.len();
        state
            .store
            .finish_recipients(&delivered, None, state.clock.now())
            .await?;
        for (recipient, reason) in failed {
            state
                .store
                .finish_recipients(
                    std::slice::from_ref(&recipient),
                    Some(&reason),
                    state.clock.now(),
                )
                .await?;
        }
        // Keep to the configured pace: readers come first.
        let due = std::time::Duration::from_secs_f64(sent as f64 / pace);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
    }
    Ok(sent)
}
