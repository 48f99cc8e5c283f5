//! Revisions: every save is kept; two can be compared and an old one restored.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::articles::write_of;
use super::policy::{Action, Actor};
use super::{ServiceError, ServiceResult, workflow};
use crate::app::AppState;
use crate::store::{ArticleId, ArticleView, ArticleWrite, RevisionSnapshot};

#[derive(Serialize)]
pub struct DiffLine {
    /// "equal", "insert" or "delete".
    pub tag: &'static str,
    pub text: String,
}

#[derive(Serialize)]
pub struct FieldDiff {
    pub field: &'static str,
    pub changed: bool,
    pub lines: Vec<DiffLine>,
}

fn snapshot(raw: &str) -> ServiceResult<ArticleWrite> {
    Ok(RevisionSnapshot::parse(raw)?.into_write())
}

fn sources_text(write: &ArticleWrite) -> String {
    write
        .sources
        .iter()
        .map(|s| {
            format!(
                "{} — {} — {}\n",
                s.outlet,
                s.url.as_deref().unwrap_or(""),
                s.citation
            )
        })
        .collect()
}

fn diff_field(field: &'static str, old: &str, new: &str) -> FieldDiff {
    let diff = TextDiff::from_lines(old, new);
    let lines: Vec<DiffLine> = diff
        .iter_all_changes()
        .map(|change| DiffLine {
            tag: match change.tag() {
                ChangeTag::Equal => "equal",
                ChangeTag::Insert => "insert",
                ChangeTag::Delete => "delete",
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect();
    FieldDiff {
        field,
        changed: lines.iter().any(|l| l.tag != "equal"),
        lines,
    }
}

/// Line-by-line differences between two saved versions.
pub async fn compare(
    state: &AppState,
    id: ArticleId,
    from: i64,
    to: i64,
) -> ServiceResult<Vec<FieldDiff>> {
    let old = snapshot(&state.store.revision(id, from).await?.snapshot)?;
    let new = snapshot(&state.store.revision(id, to).await?.snapshot)?;
    Ok(vec![
        diff_field("headline", &old.headline, &new.headline),
        diff_field("standfirst", &old.standfirst, &new.standfirst),
        diff_field("body", &old.body, &new.body),
        diff_field("sources", &sources_text(&old), &sources_text(&new)),
        diff_field("status", old.status.as_str(), new.status.as_str()),
    ])
}

/// Brings back an old version's text as a new save. Status, address and
/// dates stay as they are now: restoring words does not republish or move a story.
pub async fn restore(
    state: &AppState,
    actor: Actor,
    id: ArticleId,
    version: i64,
) -> ServiceResult<ArticleView> {
    let view = state.store.article(id).await?;
    for action in [Action::RestoreRevision, Action::EditArticle] {
        if !workflow::allowed(state, actor, action, Some(&view)).await? {
            return Err(ServiceError::Forbidden);
        }
    }
    let old = snapshot(&state.store.revision(id, version).await?.snapshot)?;
    let mut write = write_of(&view);
    write.headline = old.headline;
    write.standfirst = old.standfirst;
    write.body = old.body;
    write.cover_url = old.cover_url;
    write.cover_alt = old.cover_alt;
    write.cover_credit = old.cover_credit;
    write.section_id = old.section_id;
    write.meta_title = old.meta_title;
    write.meta_description = old.meta_description;
    write.tag_ids = old.tag_ids;
    write.sources = old.sources;
    if !old.author_ids.is_empty() {
        write.author_ids = old.author_ids;
    }
    let current = state.clock.now();
    let saved_by = format!("staff:{} (restored v{version})", actor.id);
    state
        .store
        .update_article(id, Some(view.article.version), &write, &saved_by, current)
        .await
        .map_err(ServiceError::from_save)?;
    super::articles::saved(state, id).await
}

#[cfg(test)]
mod tests {
    use super::diff_field;

    #[test]
    fn diffs_mark_inserted_and_deleted_lines() {
        let diff = diff_field("body", "one\ntwo\nthree\n", "one\n2\nthree\n");
        assert!(diff.changed);
        let tags: Vec<_> = diff
            .lines
            .iter()
            .map(|l| (l.tag, l.text.as_str()))
            .collect();
        assert_eq!(
            tags,
            vec![
                ("equal", "one"),
                ("delete", "two"),
                ("insert", "2"),
                ("equal", "three")
            ]
        );
        assert!(!diff_field("headline", "same", "same").changed);
    }
}
