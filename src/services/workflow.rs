//! The editorial workflow: draft → in review → scheduled or published →
//! unpublished, with the role checks of [`super::policy`] at every step.

use super::articles::write_of;
use super::policy::{Action, Actor, ArticleAccess, Policy};
use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::store::{ArticleId, ArticleStatus, ArticleView, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Submit,
    ReturnToDraft,
    Publish,
    Schedule { at: i64 },
    Unschedule,
    Unpublish,
}

impl Transition {
    fn action(self) -> Action {
        match self {
            Transition::Submit => Action::SubmitForReview,
            Transition::ReturnToDraft => Action::ReturnToDraft,
            Transition::Publish => Action::Publish,
            Transition::Schedule { .. } | Transition::Unschedule => Action::Schedule,
            Transition::Unpublish => Action::Unpublish,
        }
    }

    /// The status it leads to, if it may start from `from`.
    fn target(self, from: ArticleStatus) -> Option<ArticleStatus> {
        use ArticleStatus as S;
        match (self, from) {
            (Transition::Submit, S::Draft) => Some(S::InReview),
            (Transition::ReturnToDraft, S::InReview) => Some(S::Draft),
            (Transition::Publish, S::Draft | S::InReview | S::Scheduled | S::Unpublished) => {
                Some(S::Published)
            }
            (
                Transition::Schedule { .. },
                S::Draft | S::InReview | S::Unpublished | S::Scheduled,
            ) => Some(S::Scheduled),
            (Transition::Unschedule, S::Scheduled) => Some(S::Draft),
            (Transition::Unpublish, S::Published) => Some(S::Unpublished),
            _ => None,
        }
    }
}

/// Loads the policy switches the owner set.
pub async fn site_policy(state: &AppState) -> ServiceResult<Policy> {
    let authors_can_publish = state
        .store
        .setting("policy.authors_can_publish")
        .await?
        .as_deref()
        == Some("true");
    Ok(Policy {
        authors_can_publish,
    })
}

/// Whether `actor` may do `action` to this article.
pub async fn allowed(
    state: &AppState,
    actor: Actor,
    action: Action,
    view: Option<&ArticleView>,
) -> ServiceResult<bool> {
    Ok(allowed_by(&site_policy(state).await?, actor, action, view))
}

/// [`allowed`] with the policy already loaded, for pages that ask many questions at once.
pub fn allowed_by(
    policy: &Policy,
    actor: Actor,
    action: Action,
    view: Option<&ArticleView>,
) -> bool {
    let ids: Vec<_> = view
        .map(|v| v.authors.iter().map(|a| a.id).collect())
        .unwrap_or_default();
    let access = view.map(|v| ArticleAccess {
        status: v.article.status,
        author_ids: &ids,
    });
    policy.can(actor, action, access.as_ref())
}

/// Moves an article along the workflow. `seen_version` is the version the
/// person was looking at: publishing must put live exactly what the editor
/// reviewed, so a story saved since is refused as stale.
pub async fn apply(
    state: &AppState,
    actor: Actor,
    id: ArticleId,
    transition: Transition,
    seen_version: Option<i64>,
) -> ServiceResult<ArticleView> {
    let view = state.store.article(id).await?;
    if !allowed(state, actor, transition.action(), Some(&view)).await? {
        return Err(ServiceError::Forbidden);
    }
    if let Some(seen) = seen_version
        && seen != view.article.version
    {
        return Err(ServiceError::StaleVersion {
            seen,
            current: view.article.version,
        });
    }
    let from = view.article.status;
    let Some(to) = transition.target(from) else {
        return Err(ServiceError::InvalidTransition {
            from: from.as_str().into(),
            to: format!("{transition:?}").to_lowercase(),
        });
    };
    let current = state.clock.now();
    let mut write = write_of(&view);
    write.status = to;
    match transition {
        Transition::Publish => {
            if view.article.body.trim().is_empty() || view.authors.is_empty() {
                return Err(ServiceError::Validation(vec![FieldError {
                    field: "body".into(),
                    message: "a story needs a body and an author before it is published".into(),
                }]));
            }
            write.scheduled_at = None;
            if write.published_at.is_none() {
                write.published_at = Some(current);
            }
        }
        Transition::Schedule { at } => {
            if at <= current {
                return Err(ServiceError::Validation(vec![FieldError {
                    field: "scheduled_at".into(),
                    message: "must be in the future".into(),
                }]));
            }
            write.scheduled_at = Some(at);
        }
        Transition::Unschedule => write.scheduled_at = None,
        _ => {}
    }
    let saved_by = format!("staff:{}", actor.id);
    state
        .store
        .update_article(id, Some(view.article.version), &write, &saved_by, current)
        .await
        .map_err(ServiceError::from_save)?;
    super::articles::saved(state, id).await?;
    if to == ArticleStatus::Unpublished {
        crate::services::previews::revoke(state, id).await?;
    }
    tracing::info!(article.id = %id, staff.id = %actor.id, to = to.as_str(), "workflow transition");
    let action = match to {
        ArticleStatus::Published => Some("published"),
        ArticleStatus::Unpublished => Some("unpublished"),
        ArticleStatus::Scheduled => Some("scheduled"),
        _ => None,
    };
    if let Some(action) = action {
        let who = crate::services::audit::Who {
            staff: Some(actor.id),
            label: saved_by.clone(),
            ip: String::new(),
        };
        crate::services::audit::record(
            state,
            &who,
            action,
            &format!("article {id}"),
            &write.headline,
        )
        .await;
    }
    Ok(state.store.article(id).await?)
}

/// Publishes every scheduled article whose time has come. Each is published
/// by a version-checked update, so two nodes racing publish it once.
pub async fn publish_due(state: &AppState) -> ServiceResult<usize> {
    let due = state.store.due_scheduled(state.clock.now()).await?;
    let mut published = 0;
    for id in due {
        let view = state.store.article(id).await?;
        let mut write = write_of(&view);
        if view.article.status != ArticleStatus::Scheduled {
            continue;
        }
        let at = view
            .article
            .scheduled_at
            .unwrap_or_else(|| state.clock.now());
        write.status = ArticleStatus::Published;
        write.published_at = Some(view.article.published_at.unwrap_or(at));
        write.scheduled_at = None;
        match state
            .store
            .update_article(
                id,
                Some(view.article.version),
                &write,
                "scheduler",
                state.clock.now(),
            )
            .await
        {
            Ok(_) => {
                super::articles::saved(state, id).await?;
                tracing::info!(article.id = %id, "scheduled article published");
                published += 1;
            }
            Err(StoreError::StaleVersion) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(published)
}
