//! Newsletter subscribers, issues (a digest or one story) and the per-reader
//! send log that lets a send resume after a crash without repeats.

use serde::Serialize;
use sqlx::FromRow;

use super::states::{RecipientState, SubscriberState};
use super::{Backend, IssueId, Store, StoreResult, SubscriberId};

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Subscriber {
    pub id: SubscriberId,
    pub email: String,
    pub language: String,
    pub state: SubscriberState,
    pub token: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub changed_at: i64,
}

const SUBSCRIBER_COLUMNS: &str =
    "id, email, language, state, token, created_at, confirmed_at, changed_at";

#[derive(Clone, Debug)]
pub struct NewIssue {
    pub issue_key: String,
    pub language: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub article_ids: Vec<i64>,
}

#[derive(Clone, Debug, FromRow)]
pub struct IssueRow {
    pub id: IssueId,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// One message to send: an issue to a subscriber.
#[derive(Clone, Debug, FromRow)]
pub struct Recipient {
    pub issue_id: IssueId,
    pub subscriber_id: SubscriberId,
    pub email: String,
    pub token: String,
    /// Tries before this one.
    pub attempts: i64,
}

#[derive(Clone, Debug, FromRow, Serialize)]
pub struct IssueSummary {
    pub id: IssueId,
    pub issue_key: String,
    pub language: String,
    pub subject: String,
    pub created_at: i64,
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
}

impl Store {
    /// Records a sign-up (or a repeated one) as pending; returns the
    /// subscriber, whose token goes into the confirmation link. An active
    /// subscriber stays active.
    pub async fn subscribe(
        &self,
        email: &str,
        language: &str,
        token: &str,
        now: i64,
    ) -> StoreResult<Subscriber> {
        sqlx::query(
            "INSERT INTO newsletter_subscribers (email, language, state, token, created_at, changed_at) \
             VALUES ($1, $2, 'pending', $3, $4, $4) ON CONFLICT (email, language) DO UPDATE SET \
             state = CASE WHEN newsletter_subscribers.state = 'active' THEN 'active' ELSE 'pending' END, \
             changed_at = CASE WHEN newsletter_subscribers.state IN ('active', 'pending') \
             THEN newsletter_subscribers.changed_at ELSE excluded.changed_at END",
        )
        .bind(email)
        .bind(language)
        .bind(token)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE email = $1 AND language = $2"
        ))
        .bind(email)
        .bind(language)
        .fetch_one(&self.pool)
        .await?)
    }

    /// A subscriber who confirmed elsewhere (an imported list): active at
    /// once. Someone already known here keeps their state, so a person who
    /// left this list is not signed up again. `true` when new.
    pub async fn import_subscriber(
        &self,
        email: &str,
        language: &str,
        token: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO newsletter_subscribers (email, language, state, token, created_at, confirmed_at, changed_at) \
             VALUES ($1, $2, 'active', $3, $4, $4, $4) ON CONFLICT (email, language) DO NOTHING",
        )
        .bind(email)
        .bind(language)
        .bind(token)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn subscriber(&self, email: &str, language: &str) -> StoreResult<Option<Subscriber>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE email = $1 AND language = $2"
        ))
        .bind(email)
        .bind(language)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn subscriber_by_id(&self, id: SubscriberId) -> StoreResult<Subscriber> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Replaces the confirmation token's hash: only the newest link confirms.
    pub async fn set_confirm_token(&self, id: SubscriberId, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE newsletter_subscribers SET token = $2 WHERE id = $1")
            .bind(id)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The subscriber whose confirmation token hashes to `token_hash`.
    pub async fn subscriber_by_token(&self, token: &str) -> StoreResult<Subscriber> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM newsletter_subscribers WHERE token = $1"
        ))
        .bind(token)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Moves a subscriber to `state` (`active`, `unsubscribed`, `bounced`).
    pub async fn set_subscriber_state(
        &self,
        id: SubscriberId,
        state: SubscriberState,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE newsletter_subscribers SET state = $2, changed_at = $3, \
             confirmed_at = CASE WHEN $2 = 'active' THEN COALESCE(confirmed_at, $3) ELSE confirmed_at END \
             WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Subscribers per language and state.
    pub async fn subscriber_counts(&self) -> StoreResult<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT language, state, CAST(COUNT(*) AS BIGINT) FROM newsletter_subscribers \
             GROUP BY language, state ORDER BY language, state",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn has_issue(&self, issue_key: &str) -> StoreResult<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM newsletter_issues WHERE issue_key = $1")
                .bind(issue_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// Creates an issue with a recipient row for every active subscriber of
    /// its language, in one transaction. `None` if the key was taken (another
    /// node, or an earlier run, made it).
    pub async fn create_issue(&self, issue: &NewIssue, now: i64) -> StoreResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO newsletter_issues (issue_key, language, subject, text_body, html_body, created_at, article_ids) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (issue_key) DO NOTHING RETURNING id",
        )
        .bind(&issue.issue_key)
        .bind(&issue.language)
        .bind(&issue.subject)
        .bind(&issue.text_body)
        .bind(&issue.html_body)
        .bind(now)
        .bind(format!(
            ",{},",
            issue
                .article_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id,)) = id else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO newsletter_recipients (issue_id, subscriber_id, state) \
             SELECT $1, id, 'pending' FROM newsletter_subscribers WHERE language = $2 AND state = 'active'",
        )
        .bind(id)
        .bind(&issue.language)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn issue(&self, id: IssueId) -> StoreResult<IssueRow> {
        Ok(sqlx::query_as(
            "SELECT id, subject, text_body, html_body FROM newsletter_issues WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Messages whose sender died mid-send (the lease ran out) become
    /// `unknown` and are never sent again: a reader may miss one digest, but
    /// never gets it twice.
    pub async fn recover_interrupted_recipients(&self, now: i64) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE newsletter_recipients SET state = 'unknown', locked_until = NULL \
             WHERE state = 'sending' AND locked_until < $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Claims up to `limit` due messages for `lease` seconds.
    pub async fn claim_recipients(
        &self,
        limit: i64,
        now: i64,
        lease: i64,
    ) -> StoreResult<Vec<Recipient>> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let mut tx = self.pool.begin().await?;
        let claimed: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
            "UPDATE newsletter_recipients SET state = 'sending', locked_until = $2 \
             WHERE (issue_id, subscriber_id) IN (SELECT issue_id, subscriber_id FROM newsletter_recipients \
             WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY issue_id, subscriber_id LIMIT $3{lock}) \
             AND state = 'pending' \
             RETURNING issue_id, subscriber_id, attempts"
        ))
        .bind(now)
        .bind(now + lease)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut recipients = Vec::with_capacity(claimed.len());
        let mut unsubscribed = Vec::new();
        if !claimed.is_empty() {
            let ids = claimed
                .iter()
                .map(|(_, subscriber, _)| subscriber.to_string())
                .collect::<Vec<_>>()
                .join(",");
            // Ids are integers from our own rows, so they can stand in the SQL.
            let subscribers: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
                "SELECT id, email, token, state FROM newsletter_subscribers WHERE id IN ({ids})"
            ))
            .fetch_all(&mut *tx)
            .await?;
            let by_id: std::collections::HashMap<i64, (String, String, String)> = subscribers
                .into_iter()
                .map(|(id, email, token, state)| (id, (email, token, state)))
                .collect();
            for (issue_id, subscriber_id, attempts) in claimed {
                match by_id.get(&subscriber_id) {
                    Some((email, token, state)) if state == SubscriberState::Active.as_str() => {
                        recipients.push(Recipient {
                            issue_id: IssueId(issue_id),
                            subscriber_id: SubscriberId(subscriber_id),
                            email: email.clone(),
                            token: token.clone(),
                            attempts,
                        })
                    }
                    // Unsubscribed since the issue was made.
                    _ => unsubscribed.push(Recipient {
                        issue_id: IssueId(issue_id),
                        subscriber_id: SubscriberId(subscriber_id),
                        email: String::new(),
                        token: String::new(),
                        attempts,
                    }),
                }
            }
        }
        set_recipients(&mut tx, &unsubscribed, RecipientState::Skipped, "", 0).await?;
        tx.commit().await?;
        Ok(recipients)
    }

    /// A message the server refused for now: tried again at `retry_at`, or
    /// recorded as failed when `retry_at` is `None` (attempts used up).
    pub async fn retry_recipient(
        &self,
        recipient: &Recipient,
        error: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        let state = match retry_at {
            Some(_) => RecipientState::Pending,
            None => RecipientState::Failed,
        };
        sqlx::query(
            "UPDATE newsletter_recipients SET attempts = attempts + 1, error = $3, locked_until = NULL, \
             next_attempt_at = COALESCE($4, next_attempt_at), state = $5 \
             WHERE issue_id = $1 AND subscriber_id = $2 AND state = 'sending'",
        )
        .bind(recipient.issue_id)
        .bind(recipient.subscriber_id)
        .bind(error)
        .bind(retry_at)
        .bind(state)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records how a batch of messages went: `error` is `None` for sent.
    pub async fn finish_recipients(
        &self,
        recipients: &[Recipient],
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        let state = if error.is_some() {
            RecipientState::Failed
        } else {
            RecipientState::Sent
        };
        set_recipients(&mut conn, recipients, state, error.unwrap_or(""), now).await
    }

    pub async fn recent_issues(&self, limit: i64) -> StoreResult<Vec<IssueSummary>> {
        self.issue_summaries("", "", limit).await
    }

    /// The issues a story went out in.
    pub async fn issues_with_article(&self, article: i64) -> StoreResult<Vec<IssueSummary>> {
        self.issue_summaries("WHERE i.article_ids LIKE $2", &format!("%,{article},%"), 20)
            .await
    }

    async fn issue_summaries(
        &self,
        condition: &str,
        pattern: &str,
        limit: i64,
    ) -> StoreResult<Vec<IssueSummary>> {
        let sql = format!(
            "SELECT i.id, i.issue_key, i.language, i.subject, i.created_at, \
             CAST(COALESCE(SUM(CASE WHEN r.state = 'sent' THEN 1 ELSE 0 END), 0) AS BIGINT) AS sent, \
             CAST(COALESCE(SUM(CASE WHEN r.state IN ({waiting}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS waiting, \
             CAST(COALESCE(SUM(CASE WHEN r.state IN ({failed}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed \
             FROM newsletter_issues i LEFT JOIN newsletter_recipients r ON r.issue_id = i.id {condition} \
             GROUP BY i.id, i.issue_key, i.language, i.subject, i.created_at ORDER BY i.id DESC LIMIT $1",
            waiting = RecipientState::sql_list(RecipientState::WAITING),
            failed = RecipientState::sql_list(RecipientState::FAILED),
        );
        let mut query = sqlx::query_as(&sql).bind(limit);
        if !condition.is_empty() {
            query = query.bind(pattern);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// How many times each subscriber got each issue; tests use it to prove no repeats.
    pub async fn recipient_states(
        &self,
        issue_id: IssueId,
    ) -> StoreResult<Vec<(i64, RecipientState)>> {
        Ok(sqlx::query_as(
            "SELECT subscriber_id, state FROM newsletter_recipients WHERE issue_id = $1 ORDER BY subscriber_id",
        )
        .bind(issue_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Moves claimed messages to `state`, one statement per issue.
async fn set_recipients(
    conn: &mut sqlx::AnyConnection,
    recipients: &[Recipient],
    state: RecipientState,
    error: &str,
    now: i64,
) -> StoreResult<()> {
    let mut by_issue: std::collections::BTreeMap<IssueId, Vec<String>> = Default::default();
    for r in recipients {
        by_issue
            .entry(r.issue_id)
            .or_default()
            .push(r.subscriber_id.to_string());
    }
    for (issue, subscribers) in by_issue {
        sqlx::query(&format!(
            "UPDATE newsletter_recipients SET state = $2, error = $3, sent_at = $4, locked_until = NULL \
             WHERE issue_id = $1 AND state = 'sending' AND subscriber_id IN ({})",
            subscribers.join(",")
        ))
        .bind(issue)
        .bind(state)
        .bind(error)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
