//! Live coverage: a story becomes a live page, editors add timestamped
//! updates (each with its author, a source and, if they wish, a Telegram
//! post), and readers already on the page are told of each update at once.
//!
//! One broadcast per node fans each update out to every reader connected
//! to that node: the update is read from the database once and drawn once,
//! however many readers wait for it. Other nodes learn of it through the
//! content change every update records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::broadcast;

use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::store::{ArticleId, ArticleStatus, LiveUpdate, NewLiveUpdate, StaffId};

pub const MAX_UPDATE_CHARS: usize = 5000;
/// Messages a slow reader may fall behind by before it is told to reload.
const BACKLOG: usize = 64;

/// What readers of a live page are told.
#[derive(Debug)]
pub enum LiveEvent {
    /// A new update, drawn once for everyone (by the first reader's task).
    Update {
        update: LiveUpdate,
        html: OnceLock<String>,
    },
    /// Something else changed (an update removed, the coverage closed): reload.
    Changed,
}

#[derive(Debug)]
pub struct LiveMessage {
    pub article: ArticleId,
    pub event: LiveEvent,
}

/// What readers on this node were last told about a live page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveMark {
    /// The newest update announced.
    pub newest: i64,
    /// How many updates the page had then.
    pub count: i64,
    pub closed: bool,
}

/// This node's fan-out of live updates to connected readers.
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveMessage>>,
    /// What was last announced per story, so each update is announced once.
    announced: Mutex<HashMap<ArticleId, LiveMark>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub {
            sender: broadcast::channel(BACKLOG).0,
            announced: Mutex::new(HashMap::new()),
        }
    }
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("readers", &self.sender.receiver_count())
            .finish()
    }
}

impl LiveHub {
    /// A reader joins, having seen the page as `mark` says: messages from now on.
    pub fn subscribe(
        &self,
        article: ArticleId,
        mark: LiveMark,
    ) -> broadcast::Receiver<Arc<LiveMessage>> {
        if let Ok(mut announced) = self.announced.lock() {
            announced.entry(article).or_insert(mark);
        }
        self.sender.subscribe()
    }

    /// Readers connected to this node, on any live page.
    pub fn readers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Tells this node's readers of `article` what changed since the last
    /// announcement: each new update; that they should reload when an
    /// update was removed or the coverage closed. Called for every change
    /// to the story, by this node or another, so it says each thing once.
    pub async fn announce(&self, state: &AppState, article: ArticleId) -> ServiceResult<()> {
        if self.sender.receiver_count() == 0 {
            return Ok(());
        }
        let Some(before) = self.mark(article) else {
            return Ok(()); // nobody here has this story open
        };
        let updates = state
            .store
            .live_updates_after(article, before.newest)
            .await?;
        let (count, newest) = state.store.live_update_count(article).await?;
        let closed = state
            .store
            .live_page(article)
            .await?
            .is_none_or(|page| page.closed_at.is_some());
        let now = LiveMark {
            newest: newest.max(before.newest),
            count,
            closed,
        };
        {
            let Ok(mut announced) = self.announced.lock() else {
                return Ok(());
            };
            // Another round may have announced the same meanwhile.
            if announced.get(&article) != Some(&before) {
                return Ok(());
            }
            announced.insert(article, now);
        }
        let added = updates.len() as i64;
        for update in updates {
            let _ = self.sender.send(Arc::new(LiveMessage {
                article,
                event: LiveEvent::Update {
                    update,
                    html: OnceLock::new(),
                },
            }));
        }
        if count != before.count + added || closed != before.closed {
            let _ = self.sender.send(Arc::new(LiveMessage {
                article,
                event: LiveEvent::Changed,
            }));
        }
        Ok(())
    }

    fn mark(&self, article: ArticleId) -> Option<LiveMark> {
        self.announced.lock().ok()?.get(&article).copied()
    }
}

fn invalid(field: &str, message: &str) -> ServiceError {
    ServiceError::Validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

async fn published(state: &AppState, article: ArticleId) -> ServiceResult<()> {
    let row = state.store.article_row(article).await?;
    if row.status != ArticleStatus::Published {
        return Err(ServiceError::Conflict(
            "publish the story first: only a published story can be a live page".into(),
        ));
    }
    Ok(())
}

/// After any live change: sign the new version, drop the cached pages, tell readers.
async fn changed(state: &AppState, article: ArticleId) -> ServiceResult<()> {
    super::articles::saved(state, article).await?;
    state.live.announce(state, article).await
}

pub async fn start(state: &AppState, article: ArticleId) -> ServiceResult<()> {
    published(state, article).await?;
    state.store.start_live(article, state.clock.now()).await?;
    changed(state, article).await
}

pub async fn close(state: &AppState, article: ArticleId, summary: &str) -> ServiceResult<()> {
    let summary = summary.trim();
    if summary.chars().count() > MAX_UPDATE_CHARS {
        return Err(invalid("summary", "is too long"));
    }
    if !state
        .store
        .close_live(article, summary, state.clock.now())
        .await?
    {
        return Err(ServiceError::Conflict(
            "this story is not a live page".into(),
        ));
    }
    changed(state, article).await
}

/// What an editor types for one update.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    /// The update's text (Markdown, at most 5000 characters).
    pub body: String,
    /// Who said or showed it (optional).
    #[serde(default)]
    pub source: String,
    /// A link to the source (optional, http or https).
    #[serde(default)]
    pub source_url: String,
    /// Also post it to the story's Telegram channel.
    #[serde(default)]
    pub to_telegram: bool,
}

/// How a live page ends.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// What readers should take away, shown at the top of the page.
    #[serde(default)]
    pub summary: String,
}

pub async fn add_update(
    state: &AppState,
    article: ArticleId,
    author: Option<StaffId>,
    input: &UpdateInput,
) -> ServiceResult<i64> {
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > MAX_UPDATE_CHARS {
        return Err(invalid(
            "body",
            "write the update (at most 5000 characters)",
        ));
    }
    if !body.chars().all(crate::content::is_xml_char) {
        return Err(invalid("body", "must not contain control characters"));
    }
    let source = input.source.trim();
    if source.chars().count() > 200 {
        return Err(invalid("source", "at most 200 characters"));
    }
    let source_url = match input.source_url.trim() {
        "" => None,
        url => match url::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && url.len() <= 2000 => {
                Some(url)
            }
            _ => return Err(invalid("source_url", "must be an http(s) address")),
        },
    };
    match state.store.live_page(article).await? {
        Some(page) if page.closed_at.is_none() => {}
        Some(_) => return Err(ServiceError::Conflict("this coverage is closed".into())),
        None => {
            return Err(ServiceError::Conflict(
                "this story is not a live page".into(),
            ));
        }
    }
    published(state, article).await?;
    let id = state
        .store
        .insert_live_update(
            &NewLiveUpdate {
                article,
                author,
                body,
                source,
                source_url,
            },
            state.clock.now(),
        )
        .await?;
    let row = state.store.article_row(article).await?;
    if let Some(update) = state
        .store
        .live_updates_after(article, id - 1)
        .await?
        .into_iter()
        .find(|u| u.id == id)
    {
        super::signing::sign_update(state, &row, &update).await?;
    }
    if input.to_telegram {
        super::distribution::post_live_update(state, article, id, body).await?;
    }
    changed(state, article).await?;
    Ok(id)
}

pub async fn delete_update(state: &AppState, article: ArticleId, id: i64) -> ServiceResult<()> {
    if !state
        .store
        .delete_live_update(article, id, state.clock.now())
        .await?
    {
        return Err(ServiceError::Store(crate::store::StoreError::NotFound));
    }
    changed(state, article).await
}
