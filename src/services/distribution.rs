//! Fans stories out to Telegram, X and the Fediverse through the outbox.
//!
//! The article write records an event in its own transaction; the worker
//! here expands each event once into deliveries (one per channel target)
//! and sends them one by one: claim with a lease, send, record. Content is
//! rendered at send time from the current article, so a delivery that waited
//! sends the story as it is now.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::app::AppState;
use crate::integrations::telegram::{self, PostRef};
use crate::integrations::{SendError, x};
use crate::jobs::RetryPolicy;
use crate::store::{
    ArticleId, ArticleRow, ArticleStatus, Attempt, Channel, Delivery, NewDelivery, OutboxAction,
    PostedState, StoreError, StoreResult,
};

/// X posts go to one account; its deliveries share this target.
const X_ACCOUNT: &str = "account";
/// How long one node holds a claimed delivery; well above the HTTP timeout.
const LEASE_SECONDS: i64 = 300;
/// Telegram allows about one message per second per chat.
const TELEGRAM_GAP: Duration = Duration::from_millis(1050);

/// Expands recorded events into deliveries for the channels configured now.
pub async fn expand_events(state: &AppState) -> StoreResult<usize> {
    let events = state.store.pending_outbox_events(100).await?;
    let mut expanded = 0;
    for event in events {
        let article = match state.store.article_row(ArticleId(event.article_id)).await {
            Ok(article) => Some(article),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let mut deliveries = Vec::new();
        if let Some(article) = &article {
            deliveries = deliveries_for(state, article, event.action).await?;
        }
        if state
            .store
            .expand_outbox_event(event.id, &deliveries, state.clock.now())
            .await?
        {
            expanded += 1;
        }
    }
    Ok(expanded)
}

async fn deliveries_for(
    state: &AppState,
    article: &ArticleRow,
    action: OutboxAction,
) -> StoreResult<Vec<NewDelivery>> {
    let config = &state.config.distribution;
    let delivery = |channel: Channel, target: &str| NewDelivery {
        article_id: Some(article.id),
        channel,
        target: target.to_owned(),
        action: action.as_str().to_owned(),
        payload: String::new(),
    };
    let mut out = Vec::new();
    if let Some(chat) = config
        .telegram
        .as_ref()
        .and_then(|t| t.channels.get(&article.language))
    {
        out.push(delivery(Channel::Telegram, chat));
    }
    // X has no editing: an update leaves the post as it is.
    if config.x.is_some() && action != OutboxAction::Update {
        out.push(delivery(Channel::X, X_ACCOUNT));
    }
    if config.fediverse_username.is_some() {
        for inbox in state.store.follower_inboxes().await? {
            out.push(delivery(Channel::Fediverse, &inbox));
        }
    }
    out.extend(
        super::webhooks::deliveries_for(
            state,
            super::webhooks::article_event(action),
            Some(article.id),
            super::webhooks::article_data(state, article),
        )
        .await?,
    );
    Ok(out)
}

/// Queues a live update for the story's Telegram channel (if it has one):
/// a message of its own, linking to the update's place on the page.
pub async fn post_live_update(
    state: &AppState,
    article: ArticleId,
    update: i64,
    text: &str,
) -> StoreResult<()> {
    let row = state.store.article_row(article).await?;
    let Some(chat) = state
        .config
        .distribution
        .telegram
        .as_ref()
        .and_then(|t| t.channels.get(&row.language))
    else {
        return Ok(());
    };
    let payload = serde_json::json!({ "update": update, "text": text }).to_string();
    state
        .store
        .enqueue_delivery(
            &NewDelivery {
                article_id: Some(article),
                channel: Channel::Telegram,
                target: chat.clone(),
                action: LIVE_UPDATE.to_owned(),
                payload,
            },
            state.clock.now(),
        )
        .await?;
    Ok(())
}

/// The delivery action of a live update's own Telegram message.
pub const LIVE_UPDATE: &str = "live_update";

/// Sends due deliveries; one per node at a time, so provider limits hold.
pub struct Worker {
    state: AppState,
    last_sent: HashMap<String, Instant>,
}

impl Worker {
    pub fn new(state: AppState) -> Self {
        Worker {
            state,
            last_sent: HashMap::new(),
        }
    }

    /// Expands events and sends everything due now; returns how many
    /// deliveries were attempted. Stops early when `stop` says so.
    pub async fn run_once(&mut self, stop: &(dyn Fn() -> bool + Sync)) -> StoreResult<usize> {
        expand_events(&self.state).await?;
        self.state
            .store
            .recover_interrupted_deliveries(self.state.clock.now())
            .await?;
        let mut attempted = 0;
        while !stop() {
            let Some(delivery) = self
                .state
                .store
                .claim_delivery(self.state.clock.now(), LEASE_SECONDS)
                .await?
            else {
                break;
            };
            attempted += 1;
            self.pace(&delivery).await;
            let outcome = self.send(&delivery).await;
            let attempt = match outcome {
                Ok(Step::Done(attempt)) => attempt,
                Ok(Step::Postpone) => {
                    self.state
                        .store
                        .postpone_delivery(
                            delivery.id,
                            self.state.clock.now() + 5,
                            self.state.clock.now(),
                        )
                        .await?;
                    continue;
                }
                Err(error) => self.failure(&delivery, error),
            };
            if let Attempt::Dead { error } | Attempt::Failed { error, .. } = &attempt {
                tracing::warn!(delivery = %delivery.id, channel = %delivery.channel, target = %delivery.target, %error, "delivery failed");
            }
            self.state
                .store
                .finish_delivery(
                    &delivery,
                    &attempt,
                    RetryPolicy::of(&self.state).max_attempts,
                    self.state.clock.now(),
                )
                .await?;
        }
        Ok(attempted)
    }

    async fn pace(&mut self, delivery: &Delivery) {
        if delivery.channel != Channel::Telegram {
            return;
        }
        if let Some(last) = self.last_sent.get(&delivery.target) {
            let wait = TELEGRAM_GAP.saturating_sub(last.elapsed());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        self.last_sent
            .insert(delivery.target.clone(), Instant::now());
    }

    fn failure(&self, delivery: &Delivery, error: SendError) -> Attempt {
        let at = self.state.clock.now();
        match error {
            SendError::Wait { seconds, reason } => Attempt::Wait {
                until: at + seconds.min(86_400) as i64,
                reason,
            },
            SendError::Transient(error) => Attempt::Failed {
                error,
                retry_at: at + RetryPolicy::of(&self.state).delay_after(delivery.attempts),
            },
            SendError::Permanent(error) => Attempt::Dead { error },
        }
    }

    async fn send(&self, delivery: &Delivery) -> Result<Step, SendError> {
        let state = &self.state;
        match delivery.channel {
            // A webhook carries what happened as it was then.
            Channel::Webhook => return super::webhooks::deliver(state, delivery).await,
            // A Follow's Accept and the like: an activity, not a story.
            Channel::Fediverse if delivery.article_id.is_none() => {
                return crate::services::fediverse::deliver_payload(state, delivery).await;
            }
            Channel::Telegram | Channel::X | Channel::Fediverse => {}
        }
        let Some(article_id) = delivery.article_id else {
            return Ok(skipped("no story"));
        };
        let article = match state.store.article_row(ArticleId(article_id)).await {
            Ok(article) => article,
            Err(StoreError::NotFound) => return Ok(skipped("the story was deleted")),
            Err(e) => return Err(SendError::Transient(e.to_string())),
        };
        let published = article.status == ArticleStatus::Published;
        if delivery.action != "unpublish" && !published {
            return Ok(skipped("the story is no longer published"));
        }
        match delivery.channel {
            Channel::Telegram => self.send_telegram(delivery, &article).await,
            Channel::X => self.send_x(delivery, &article).await,
            Channel::Fediverse => {
                crate::services::fediverse::deliver_story(state, delivery, &article).await
            }
            Channel::Webhook => Ok(skipped("a webhook is sent above")),
        }
    }

    /// For an update or unpublish: the original post, or what to do without it.
    async fn original(
        &self,
        delivery: &Delivery,
        article: &ArticleRow,
    ) -> Result<Original, SendError> {
        match self
            .state
            .store
            .posted_remote_id(article.id, delivery.channel, &delivery.target)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?
        {
            PostedState::Posted(remote) => Ok(Original::Posted(remote)),
            PostedState::OnItsWay => Ok(Original::Wait),
            PostedState::NotPosted => Ok(Original::None),
        }
    }

    async fn send_telegram(
        &self,
        delivery: &Delivery,
        article: &ArticleRow,
    ) -> Result<Step, SendError> {
        let Some(config) = &self.state.config.distribution.telegram else {
            return Ok(skipped("Telegram is no longer configured"));
        };
        let client = telegram::Client::new(&self.state.http, config);
        let chat = delivery.target.as_str();
        if delivery.action == LIVE_UPDATE {
            let payload: serde_json::Value = serde_json::from_str(&delivery.payload)
                .map_err(|e| SendError::Permanent(format!("unreadable live update: {e}")))?;
            let link = format!(
                "{}#update-{}",
                story_link(&self.state, article),
                payload["update"]
            );
            let read = self.state.locales.get(&article.language).text("read_story");
            let text = telegram::story_post(
                &article.headline,
                payload["text"].as_str().unwrap_or_default(),
                &link,
                &read,
                telegram::MESSAGE_LIMIT,
            );
            // Its own message; never the one a later edit of the story changes.
            client.send_story(chat, None, &text, &text, &link).await?;
            return Ok(sent_with(None));
        }
        let post = TelegramPost::of(&self.state, article);
        if delivery.action == "publish" {
            let sent = client
                .send_story(
                    chat,
                    post.photo.as_deref(),
                    &post.caption,
                    &post.message,
                    &post.link,
                )
                .await?;
            return Ok(sent_with(Some(sent.encode())));
        }
        let remote = match self.original(delivery, article).await? {
            Original::Posted(remote) => remote,
            Original::Wait => return Ok(Step::Postpone),
            Original::None => return Ok(skipped("the story was never posted here")),
        };
        let post_ref = PostRef::decode(&remote)
            .ok_or_else(|| SendError::Permanent(format!("unreadable post reference {remote}")))?;
        if delivery.action == "unpublish" {
            client.delete_story(chat, &post_ref).await?;
        } else {
            client
                .edit_story(chat, &post_ref, &post.caption, &post.message, &post.link)
                .await?;
        }
        Ok(sent_with(None))
    }

    async fn send_x(&self, delivery: &Delivery, article: &ArticleRow) -> Result<Step, SendError> {
        let Some(config) = &self.state.config.distribution.x else {
            return Ok(skipped("X is no longer configured"));
        };
        let client = x::Client {
            http: &self.state.http,
            config,
        };
        if delivery.action == "unpublish" {
            return match self.original(delivery, article).await? {
                Original::Posted(id) => {
                    client.delete(&id).await?;
                    Ok(sent_with(None))
                }
                Original::Wait => Ok(Step::Postpone),
                Original::None => Ok(skipped("the story was never posted here")),
            };
        }
        let link = story_link(&self.state, article);
        let posted = client.post(&x_text(&article.headline, &link)).await?;
        if let Some(until) = posted.pause_until {
            // The window's allowance is used up: hold X until it resets.
            let _ = self
                .state
                .store
                .pause_channel(Channel::X, X_ACCOUNT, until)
                .await;
        }
        Ok(sent_with(Some(posted.id)))
    }
}

enum Original {
    Posted(String),
    Wait,
    None,
}

/// What the worker does with a claimed delivery after trying it.
pub enum Step {
    Done(Attempt),
    /// An earlier delivery of the same story must go out first.
    Postpone,
}

pub(crate) fn skipped(reason: &str) -> Step {
    Step::Done(Attempt::Skipped {
        reason: reason.to_owned(),
    })
}

pub(crate) fn sent_with(remote_id: Option<String>) -> Step {
    Step::Done(Attempt::Sent { remote_id })
}

/// The absolute address of a published story.
pub fn story_link(state: &AppState, article: &ArticleRow) -> String {
    state
        .urls
        .article_row(article)
        .map(|path| state.urls.absolute(&path))
        .unwrap_or_else(|| state.urls.base_url().to_owned())
}

/// A story's Telegram post in both forms: caption (photo) and message.
struct TelegramPost {
    photo: Option<String>,
    caption: String,
    message: String,
    link: String,
}

impl TelegramPost {
    fn of(state: &AppState, article: &ArticleRow) -> Self {
        let link = story_link(state, article);
        let read = state.locales.get(&article.language).text("read_story");
        TelegramPost {
            photo: article
                .social_image_url
                .as_deref()
                .or(article.cover_url.as_deref())
                .map(|url| state.urls.absolute(url)),
            caption: telegram::story_post(
                &article.headline,
                &article.standfirst,
                &link,
                &read,
                telegram::CAPTION_LIMIT,
            ),
            message: telegram::story_post(
                &article.headline,
                &article.standfirst,
                &link,
                &read,
                telegram::MESSAGE_LIMIT,
            ),
            link,
        }
    }
}

/// Headline and link within X's 280 weighted characters; the headline is
/// cut at a word, the link always kept.
pub fn x_text(headline: &str, link: &str) -> String {
    let room = x::MAX_WEIGHT - x::URL_WEIGHT - 2;
    let headline = headline.trim();
    if x::weighted_length(headline) <= room {
        return format!("{headline}\n\n{link}");
    }
    let mut cut = String::new();
    for word in headline.split_inclusive(char::is_whitespace) {
        if x::weighted_length(&format!("{cut}{word}")) + 1 > room {
            break;
        }
        cut.push_str(word);
    }
    if cut.trim().is_empty() {
        cut = headline
            .chars()
            .scan(0, |used, c| {
                *used += x::weighted_length(&c.to_string());
                (*used < room).then_some(c)
            })
            .collect();
    }
    format!("{}…\n\n{link}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_posts_fit_280_and_keep_the_link() {
        let link = "https://news.example.org/2026/11/25/a-very-long-slug-that-x-counts-as-23";
        let short = x_text("Енергетики повернули світло", link);
        assert_eq!(short, format!("Енергетики повернули світло\n\n{link}"));
        let long = x_text(&"Дуже довгий заголовок ".repeat(30), link);
        assert!(
            x::weighted_length(&long) <= 280,
            "{}",
            x::weighted_length(&long)
        );
        assert!(long.ends_with(&format!("…\n\n{link}")));
        let emoji = x_text(&"🇺🇦".repeat(200), link);
        assert!(x::weighted_length(&emoji) <= 280);
    }
}
