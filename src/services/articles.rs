//! Writing articles: validation, slugs, translations, publishing and the
//! corrections log. Every successful write drops the cached pages it affects.

use serde::Deserialize;

use super::{FieldError, ServiceError, ServiceResult};
use crate::app::AppState;
use crate::content::slug::{is_valid_slug, slugify};
use crate::store::{
    ArticleId, ArticleRow, ArticleStatus, ArticleView, ArticleWrite, Correction, Source, StoreError,
};

pub const MAX_HEADLINE: usize = 300;
pub const MAX_STANDFIRST: usize = 1_000;
pub const MAX_BODY: usize = 200_000;
pub const MAX_SOURCES: usize = 50;
pub const MAX_TAGS: usize = 20;
pub const MAX_AUTHORS: usize = 10;

/// What a person or program sends to create or change an article. On update,
/// absent fields keep their value.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub headline: Option<String>,
    pub standfirst: Option<String>,
    pub body: Option<String>,
    pub language: Option<String>,
    pub slug: Option<String>,
    /// Section slug.
    pub section: Option<String>,
    /// Tag names; slugs are derived.
    pub tags: Option<Vec<String>>,
    /// Staff slugs or emails, in byline order.
    pub authors: Option<Vec<String>>,
    pub cover: Option<CoverInput>,
    pub sources: Option<Vec<SourceInput>>,
    /// Another article this one translates; joins its translation group.
    pub translation_of: Option<i64>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    /// Picture for social cards when it should differ from the cover; a path on this site.
    pub social_image: Option<String>,
    /// Optimistic lock: the version the client last read.
    pub version: Option<i64>,
    /// The person saving, when it is a person: `translation_of` may only
    /// name an article they may see. API keys and the command line see all.
    #[serde(skip)]
    pub saved_by_staff: Option<crate::services::policy::Actor>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverInput {
    pub url: Option<String>,
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub credit: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    pub outlet: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub citation: String,
}

/// Collects every problem with an input, so the client can fix all at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn text(&mut self, field: &str, value: &str, max: usize, required: bool) {
        if required && value.trim().is_empty() {
            self.add(field, "must not be empty");
        } else if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if value.chars().any(|c| {
            !crate::content::is_xml_char(c) || c.is_control() && !matches!(c, '\n' | '\r' | '\t')
        }) {
            self.add(
                field,
                "must not contain control characters or non-characters",
            );
        }
    }

    fn finish(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(self.0))
        }
    }
}

fn is_http_url(value: &str) -> bool {
    url::Url::parse(value)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .unwrap_or(false)
}

/// Covers come from this site only ("/media/…"): a remote image would be a
/// third-party request from every reader's browser.
fn is_local_image_path(value: &str) -> bool {
    value.len() < 500
        && !value.contains(['"', '<', '>', '\\', ' ', '?', '#'])
        && !value.contains("..")
        && crate::content::local_path(value).is_some_and(|path| path == value)
}

/// The translation group of the article `other`, if the person saving may
/// see it. "No such article" and "not yours to see" are one answer, so the
/// form reveals nothing about which ids exist.
async fn translation_group_of(
    state: &AppState,
    other: i64,
    language: &str,
    input: &ArticleInput,
    problems: &mut Problems,
) -> ServiceResult<Option<String>> {
    let unknown = "no article you can see has this id";
    let view = match state.store.article(ArticleId(other)).await {
        Ok(view) => view,
        Err(StoreError::NotFound) => {
            problems.add("translation_of", unknown);
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(actor) = input.saved_by_staff
        && !crate::services::workflow::allowed(
            state,
            actor,
            crate::services::policy::Action::ViewArticle,
            Some(&view),
        )
        .await?
    {
        problems.add("translation_of", unknown);
        return Ok(None);
    }
    if view.article.language == language {
        problems.add("translation_of", "must be an article in another language");
        return Ok(None);
    }
    Ok(Some(view.article.translation_group))
}

pub async fn create_article(
    state: &AppState,
    input: ArticleInput,
    saved_by: &str,
) -> ServiceResult<ArticleView> {
    let mut problems = Problems::default();
    let language = input.language.clone().unwrap_or_default();
    if !state.config.site.languages.contains(&language) {
        problems.add(
            "language",
            format!("must be one of: {}", state.config.site.languages.join(", ")),
        );
    }
    if input.headline.is_none() {
        problems.add("headline", "is required");
    }
    if input.authors.as_ref().is_none_or(Vec::is_empty) {
        problems.add("authors", "name at least one author");
    }
    let translation_group = match input.translation_of {
        Some(other) => translation_group_of(state, other, &language, &input, &mut problems)
            .await?
            .unwrap_or_default(),
        None => new_translation_group(),
    };
    let empty = ArticleWrite {
        translation_group,
        language,
        slug: String::new(),
        headline: String::new(),
        standfirst: String::new(),
        body: String::new(),
        cover_url: None,
        cover_alt: String::new(),
        cover_credit: String::new(),
        section_id: None,
        status: ArticleStatus::Draft,
        meta_title: String::new(),
        meta_description: String::new(),
        social_image_url: None,
        published_at: None,
        content_updated_at: None,
        scheduled_at: None,
        author_ids: Vec::new(),
        tag_ids: Vec::new(),
        sources: Vec::new(),
        as_history: false,
    };
    let mut write = apply_input(state, empty, &input, &mut problems).await?;
    problems.finish()?;
    if write.slug.is_empty() {
        write.slug = free_slug(state, &write.language, &slugify(&write.headline), None).await?;
    }
    let id = state
        .store
        .insert_article(&write, saved_by, state.clock.now())
        .await
        .map_err(conflict_to_field)?;
    tracing::info!(article.id = %id, saved_by, "article created");
    Ok(state.store.article(id).await?)
}

pub async fn update_article(
    state: &AppState,
    id: ArticleId,
    input: ArticleInput,
    saved_by: &str,
) -> ServiceResult<ArticleView> {
    let existing = state.store.article(id).await?;
    let current = &existing.article;
    let mut problems = Problems::default();
    if input
        .language
        .as_ref()
        .is_some_and(|l| *l != current.language)
    {
        problems.add("language", "cannot change; create a translation instead");
    }
    // Linking to a translation later joins that story's translation group.
    let joined_group = match input.translation_of {
        Some(other) if other == id.0 => {
            problems.add("translation_of", "an article cannot translate itself");
            None
        }
        Some(other) => {
            translation_group_of(state, other, &current.language, &input, &mut problems).await?
        }
        None => None,
    };
    if input.authors.as_ref().is_some_and(Vec::is_empty) {
        problems.add("authors", "name at least one author");
    }
    let base = write_of(&existing);
    let mut write = apply_input(state, base, &input, &mut problems).await?;
    problems.finish()?;
    if let Some(group) = joined_group {
        write.translation_group = group;
    }
    if write.slug.is_empty() {
        write.slug = free_slug(state, &write.language, &slugify(&write.headline), Some(id)).await?;
    }
    state
        .store
        .update_article(id, input.version, &write, saved_by, state.clock.now())
        .await
        .map_err(conflict_to_field)?;
    let view = saved(state, id).await?;
    tracing::info!(article.id = %id, saved_by, "article updated");
    Ok(view)
}

/// How a story is published: now (news), or with the date it was first
/// published elsewhere (a backfill, which is history and is not sent out).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// RFC 3339 time in the past, for a story that was never published
    /// here: it takes its place in the archive and goes to no channel,
    /// newsletter or webhook.
    #[schema(format = DateTime, example = "2019-04-01T09:30:00Z")]
    pub published_at: Option<String>,
}

/// The earliest backdated publication accepted: older dates are typos.
const EARLIEST_BACKFILL: i64 = 315_532_800; // 1980-01-01

/// Publishes now, or as history on a past date. A story published before
/// keeps its original date and URL.
pub async fn publish_article(
    state: &AppState,
    id: ArticleId,
    saved_by: &str,
    input: PublishInput,
) -> ServiceResult<ArticleView> {
    let view = state.store.article(id).await?;
    let status = view.article.status;
    let at = state.clock.now();
    let mut problems = Problems::default();
    let backdated = match input.published_at.as_deref() {
        None => None,
        Some(text) => match text.parse::<jiff::Timestamp>().map(|t| t.as_second()) {
            Ok(when) if when > at => {
                problems.add(
                    "published_at",
                    "must be in the past; schedule future stories",
                );
                None
            }
            Ok(when) if when < EARLIEST_BACKFILL => {
                problems.add("published_at", "must be after 1980");
                None
            }
            Ok(when) if view.article.published_at.is_some() => {
                problems.add(
                    "published_at",
                    "this story was published before and keeps its first date",
                );
                Some(when)
            }
            Ok(when) => Some(when),
            Err(_) => {
                problems.add(
                    "published_at",
                    "must be an RFC 3339 time, e.g. 2019-04-01T09:30:00Z",
                );
                None
            }
        },
    };
    if status == ArticleStatus::Published && problems.0.is_empty() && backdated.is_none() {
        return Ok(view);
    }
    if view.article.body.trim().is_empty() {
        problems.add("body", "must not be empty to publish");
    }
    if view.authors.is_empty() {
        problems.add("authors", "name at least one author to publish");
    }
    problems.finish()?;
    let mut write = write_of(&view);
    write.status = ArticleStatus::Published;
    write.scheduled_at = None;
    if let Some(when) = backdated {
        write.published_at = Some(when);
        write.as_history = true;
    } else if write.published_at.is_none() {
        write.published_at = Some(at);
    }
    state
        .store
        .update_article(id, Some(view.article.version), &write, saved_by, at)
        .await?;
    tracing::info!(article.id = %id, saved_by, "article published");
    saved(state, id).await
}

pub async fn unpublish_article(
    state: &AppState,
    id: ArticleId,
    saved_by: &str,
) -> ServiceResult<ArticleView> {
    let view = state.store.article(id).await?;
    if view.article.status != ArticleStatus::Published {
        return Err(ServiceError::InvalidTransition {
            from: view.article.status.to_string(),
            to: ArticleStatus::Unpublished.as_str().into(),
        });
    }
    let mut write = write_of(&view);
    write.status = ArticleStatus::Unpublished;
    state
        .store
        .update_article(
            id,
            Some(view.article.version),
            &write,
            saved_by,
            state.clock.now(),
        )
        .await?;
    crate::services::previews::revoke(state, id).await?;
    tracing::info!(article.id = %id, saved_by, "article unpublished");
    saved(state, id).await
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// "correction" (something was wrong) or "update" (news moved on).
    #[serde(default = "default_kind")]
    pub kind: String,
    pub text: String,
}

fn default_kind() -> String {
    "correction".into()
}

pub async fn add_correction(
    state: &AppState,
    id: ArticleId,
    input: CorrectionInput,
) -> ServiceResult<Correction> {
    let mut problems = Problems::default();
    if !matches!(input.kind.as_str(), "correction" | "update") {
        problems.add("kind", "must be \"correction\" or \"update\"");
    }
    problems.text("text", &input.text, 2_000, true);
    problems.finish()?;
    let correction = state
        .store
        .add_correction(id, &input.kind, input.text.trim(), state.clock.now())
        .await?;
    saved(state, id).await?;
    Ok(correction)
}

/// What follows every committed write of a story, whichever path made it
/// (editor, API, workflow, scheduler, revision restore): the cached pages
/// that show it are dropped — its own, its language's lists, and its
/// translations', which list it among their versions. Returns it as saved.
pub(crate) async fn saved(state: &AppState, id: ArticleId) -> ServiceResult<ArticleView> {
    let view = state.store.article(id).await?;
    // Signed before the pages drop, so a page rendered next names the new version.
    // The story is saved already; a signing failure is logged and the next save signs.
    if let Err(e) = super::signing::sign_if_changed(state, &view).await {
        tracing::error!(article.id = %id, error = %e, "story version not signed");
    }
    state
        .page_cache
        .invalidate_article(id, &view.article.language);
    for translation in &view.translations {
        state
            .page_cache
            .invalidate_article(translation.id, &translation.language);
    }
    Ok(view)
}

/// Fills `write` from `input`, recording problems instead of stopping at the first.
async fn apply_input(
    state: &AppState,
    mut write: ArticleWrite,
    input: &ArticleInput,
    problems: &mut Problems,
) -> ServiceResult<ArticleWrite> {
    if let Some(headline) = &input.headline {
        problems.text("headline", headline, MAX_HEADLINE, true);
        write.headline = headline.trim().to_owned();
    }
    if let Some(standfirst) = &input.standfirst {
        problems.text("standfirst", standfirst, MAX_STANDFIRST, false);
        write.standfirst = standfirst.trim().to_owned();
    }
    if let Some(body) = &input.body {
        if body.len() > MAX_BODY {
            problems.add("body", format!("must be at most {MAX_BODY} bytes"));
        } else if !body.chars().all(crate::content::is_xml_char) {
            problems.add(
                "body",
                "must not contain control characters or non-characters",
            );
        }
        write.body = body.clone();
    }
    if let Some(slug) = &input.slug {
        if !is_valid_slug(slug) {
            problems.add(
                "slug",
                "use lowercase latin letters, digits and single hyphens (at most 120)",
            );
        }
        write.slug = slug.clone();
    }
    if let Some(meta_title) = &input.meta_title {
        problems.text("meta_title", meta_title, 200, false);
        write.meta_title = meta_title.trim().to_owned();
    }
    if let Some(meta_description) = &input.meta_description {
        problems.text("meta_description", meta_description, 400, false);
        write.meta_description = meta_description.trim().to_owned();
    }
    if let Some(image) = &input.social_image {
        match image.trim() {
            "" => write.social_image_url = None,
            path if is_local_image_path(path) => write.social_image_url = Some(path.to_owned()),
            _ => problems.add(
                "social_image",
                "must be a path on this site such as /media/card.jpg",
            ),
        }
    }
    if let Some(section) = &input.section {
        if section.is_empty() {
            write.section_id = None;
        } else {
            match state.store.section_by_slug(section).await {
                Ok(s) => write.section_id = Some(s.id),
                Err(StoreError::NotFound) => {
                    problems.add("section", format!("no section \"{section}\""))
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    if let Some(authors) = &input.authors {
        if authors.len() > MAX_AUTHORS {
            problems.add("authors", format!("at most {MAX_AUTHORS} authors"));
        }
        let found = state.store.staff_by_handles(authors).await?;
        for handle in authors {
            if !found
                .iter()
                .any(|s| s.slug == *handle || s.email.eq_ignore_ascii_case(handle))
            {
                problems.add("authors", format!("no staff member \"{handle}\""));
            }
        }
        write.author_ids = found.iter().map(|s| s.id).collect();
        write.author_ids.dedup();
    }
    if let Some(tags) = &input.tags {
        if tags.len() > MAX_TAGS {
            problems.add("tags", format!("at most {MAX_TAGS} tags"));
        }
        let mut ids = Vec::new();
        for name in tags.iter().take(MAX_TAGS) {
            let name = name.trim();
            let slug = slugify(name);
            let clean = name
                .chars()
                .all(|c| crate::content::is_xml_char(c) && !c.is_control());
            if slug.is_empty() || name.chars().count() > 60 || !clean {
                problems.add(
                    "tags",
                    format!(
                        "\"{name}\" is not a usable tag (1–60 characters with letters or digits)"
                    ),
                );
                continue;
            }
            let tag = state.store.ensure_tag(&slug, name).await?;
            if !ids.contains(&tag.id) {
                ids.push(tag.id);
            }
        }
        write.tag_ids = ids;
    }
    if let Some(cover) = &input.cover {
        match cover
            .url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) if !is_local_image_path(url) => problems.add(
                "cover.url",
                "must be a path on this site such as /media/cover.jpg; upload remote images first",
            ),
            Some(url) => {
                if cover.alt.trim().is_empty() {
                    problems.add(
                        "cover.alt",
                        "describe the image for readers who cannot see it",
                    );
                }
                write.cover_url = Some(url.to_owned());
            }
            None => write.cover_url = None,
        }
        problems.text("cover.alt", &cover.alt, 300, false);
        problems.text("cover.credit", &cover.credit, 200, false);
        write.cover_alt = cover.alt.trim().to_owned();
        write.cover_credit = cover.credit.trim().to_owned();
    }
    if let Some(sources) = &input.sources {
        if sources.len() > MAX_SOURCES {
            problems.add("sources", format!("at most {MAX_SOURCES} sources"));
        }
        write.sources = Vec::new();
        for (i, source) in sources.iter().enumerate() {
            problems.text(&format!("sources[{i}].outlet"), &source.outlet, 200, true);
            problems.text(
                &format!("sources[{i}].citation"),
                &source.citation,
                200,
                false,
            );
            let url = source
                .url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty());
            if url.is_some_and(|url| !is_http_url(url) || url.len() > 2_000) {
                problems.add(format!("sources[{i}].url"), "must be an http(s) URL");
            }
            write.sources.push(Source {
                outlet: source.outlet.trim().to_owned(),
                url: url.map(str::to_owned),
                citation: source.citation.trim().to_owned(),
            });
        }
    }
    Ok(write)
}

/// The write model that reproduces an article as it is.
pub fn write_of(view: &ArticleView) -> ArticleWrite {
    let a: &ArticleRow = &view.article;
    ArticleWrite {
        translation_group: a.translation_group.clone(),
        language: a.language.clone(),
        slug: a.slug.clone(),
        headline: a.headline.clone(),
        standfirst: a.standfirst.clone(),
        body: a.body.clone(),
        cover_url: a.cover_url.clone(),
        cover_alt: a.cover_alt.clone(),
        cover_credit: a.cover_credit.clone(),
        section_id: a.section_id,
        status: a.status,
        meta_title: a.meta_title.clone(),
        meta_description: a.meta_description.clone(),
        social_image_url: a.social_image_url.clone(),
        published_at: a.published_at,
        content_updated_at: a.content_updated_at,
        scheduled_at: a.scheduled_at,
        author_ids: view.authors.iter().map(|s| s.id).collect(),
        tag_ids: view.tags.iter().map(|t| t.id).collect(),
        sources: view.sources.clone(),
        as_history: false,
    }
}

/// `base`, or `base-2`, `base-3`… whichever is free in this language.
async fn free_slug(
    state: &AppState,
    language: &str,
    base: &str,
    own: Option<ArticleId>,
) -> ServiceResult<String> {
    let base = if base.is_empty() { "story" } else { base };
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}-{n}")
        };
        match state.store.article_by_slug(language, &candidate).await {
            Err(StoreError::NotFound) => return Ok(candidate),
            Ok(existing) if Some(existing.id) == own => return Ok(candidate),
            Ok(_) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(format!("{base}-{}", rand::random::<u32>()))
}

fn new_translation_group() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

/// Unique violations become field errors the client can act on.
fn conflict_to_field(err: StoreError) -> ServiceError {
    match err {
        StoreError::Conflict { constraint } if constraint.contains("slug") => {
            ServiceError::Validation(vec![FieldError {
                field: "slug".into(),
                message: "another article in this language already uses this slug".into(),
            }])
        }
        StoreError::Conflict { constraint } if constraint.contains("translation_group") => {
            ServiceError::Validation(vec![FieldError {
                field: "translation_of".into(),
                message: "that story already has a version in this language".into(),
            }])
        }
        StoreError::StaleVersion => ServiceError::Conflict(
            "someone else saved this article since you opened it; reload to see their changes"
                .into(),
        ),
        other => other.into(),
    }
}
