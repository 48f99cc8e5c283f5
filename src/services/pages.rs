//! Static pages: About, Team, Editorial standards, Corrections policy,
//! Contacts. Not news: never in lists, feeds or sitemaps of stories.

use crate::app::AppState;
use crate::content::slug::{is_valid_slug, slugify};
use crate::import::RESERVED_PAGE_SLUGS;
use crate::services::audit::{self, Who};
use crate::services::{FieldError, ServiceError, ServiceResult};
use crate::store::{Page, PageId, PageStatus, PageWrite, StoreError};

/// What the admin form sends.
#[derive(Clone, Debug, Default)]
pub struct PageInput {
    pub language: String,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub meta_description: String,
    pub published: bool,
    pub position: String,
    /// Another page this one translates (its id), when made as a translation.
    pub translation_of: Option<PageId>,
}

const MAX_BODY: usize = 200_000;

fn validate(state: &AppState, input: &PageInput) -> Result<PageWrite, ServiceError> {
    let mut errors = Vec::new();
    let mut error = |field: &str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        error("title", "must be 1–200 characters");
    }
    if !state.config.site.languages.contains(&input.language) {
        error("language", "must be one of the site's languages");
    }
    let slug = if input.slug.trim().is_empty() {
        slugify(title)
    } else {
        input.slug.trim().to_owned()
    };
    if !is_valid_slug(&slug) {
        error("slug", "use lower-case letters, digits and hyphens");
    } else if RESERVED_PAGE_SLUGS.contains(&slug.as_str()) {
        error("slug", "this address belongs to the site itself");
    }
    if input.body.len() > MAX_BODY {
        error("body", "is too long");
    }
    if input.meta_description.chars().count() > 400 {
        error("meta_description", "must be at most 400 characters");
    }
    let position = match input.position.trim() {
        "" => 0,
        text => match text.parse::<i64>() {
            Ok(n) if (0..=10_000).contains(&n) => n,
            _ => {
                error("position", "must be a whole number from 0 to 10000");
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    Ok(PageWrite {
        translation_group: String::new(),
        language: input.language.clone(),
        slug,
        title: title.to_owned(),
        body: input.body.replace("\r\n", "\n"),
        meta_description: input.meta_description.trim().to_owned(),
        status: if input.published {
            PageStatus::Published
        } else {
            PageStatus::Draft
        },
        position,
    })
}

fn slug_conflict(err: StoreError) -> ServiceError {
    match err {
        StoreError::Conflict { constraint } if constraint.contains("slug") => {
            ServiceError::Validation(vec![FieldError {
                field: "slug".into(),
                message: "another page in this language already uses this address".into(),
            }])
        }
        StoreError::Conflict { .. } => ServiceError::Validation(vec![FieldError {
            field: "language".into(),
            message: "this page already has a version in that language".into(),
        }]),
        other => other.into(),
    }
}

pub async fn create(state: &AppState, who: &Who, input: &PageInput) -> ServiceResult<PageId> {
    let mut write = validate(state, input)?;
    write.translation_group = match input.translation_of {
        Some(original) => state.store.page(original).await?.translation_group,
        None => hex::encode(rand::random::<[u8; 12]>()),
    };
    let id = state
        .store
        .insert_page(&write, state.clock.now())
        .await
        .map_err(slug_conflict)?;
    // Every page's footer lists the pages.
    super::site_changed(state).await?;
    audit::record(
        state,
        who,
        "page created",
        &format!("page {id}"),
        &write.title,
    )
    .await;
    Ok(id)
}

pub async fn update(
    state: &AppState,
    who: &Who,
    id: PageId,
    input: &PageInput,
) -> ServiceResult<()> {
    let before: Page = state.store.page(id).await?;
    let mut write = validate(state, input)?;
    write.translation_group = before.translation_group.clone();
    state
        .store
        .update_page(id, &write, state.clock.now())
        .await
        .map_err(slug_conflict)?;
    // A renamed page keeps its old address working.
    if before.is_published() && (before.slug != write.slug || before.language != write.language) {
        let old = state.urls.page(&before.language, &before.slug);
        state
            .store
            .add_legacy_path(
                &old,
                &crate::store::LegacyTarget::Page(id),
                state.clock.now(),
            )
            .await?;
    }
    // Every page's footer lists the pages.
    super::site_changed(state).await?;
    audit::record(
        state,
        who,
        "page saved",
        &format!("page {id}"),
        &write.title,
    )
    .await;
    Ok(())
}

pub async fn delete(state: &AppState, who: &Who, id: PageId) -> ServiceResult<()> {
    let page = state.store.page(id).await?;
    state.store.delete_page(id).await?;
    // Every page's footer lists the pages.
    super::site_changed(state).await?;
    audit::record(
        state,
        who,
        "page deleted",
        &format!("page {id}"),
        &page.title,
    )
    .await;
    Ok(())
}

/// Pages a new newsroom starts with, in the languages they are written in:
/// (language, name, text with `title:` and `slug:` lines, a blank line, the body).
const DEFAULT_PAGES: &[(&str, &str, &str)] = &[
    (
        "en",
        "about",
        include_str!("../../templates/default_pages/en/about.md"),
    ),
    (
        "en",
        "team",
        include_str!("../../templates/default_pages/en/team.md"),
    ),
    (
        "en",
        "editorial-standards",
        include_str!("../../templates/default_pages/en/editorial-standards.md"),
    ),
    (
        "en",
        "corrections-policy",
        include_str!("../../templates/default_pages/en/corrections-policy.md"),
    ),
    (
        "uk",
        "about",
        include_str!("../../templates/default_pages/uk/about.md"),
    ),
    (
        "uk",
        "team",
        include_str!("../../templates/default_pages/uk/team.md"),
    ),
    (
        "uk",
        "editorial-standards",
        include_str!("../../templates/default_pages/uk/editorial-standards.md"),
    ),
    (
        "uk",
        "corrections-policy",
        include_str!("../../templates/default_pages/uk/corrections-policy.md"),
    ),
];

/// Where a page's body lists the staff (name, bio, link to their stories).
pub const TEAM_MARKER: &str = "<p>[[team]]</p>";

/// Creates About, Team, Editorial standards and Corrections policy, once in
/// a newsroom's life (deleted ones stay deleted), in each site language they
/// are written in, published and linked from every footer. Editable like any page.
pub async fn ensure_default_pages(state: &AppState) -> ServiceResult<usize> {
    if !state
        .store
        .claim_setting("default_pages_created", "1")
        .await?
    {
        return Ok(0);
    }
    let mut groups: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let mut created = 0;
    for (position, (language, name, text)) in DEFAULT_PAGES.iter().enumerate() {
        if !state.config.site.languages.iter().any(|l| l == language) {
            continue;
        }
        let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
        let field = |key: &str| {
            head.lines()
                .find_map(|line| line.strip_prefix(key))
                .map(str::trim)
                .unwrap_or_default()
                .to_owned()
        };
        let write = PageWrite {
            translation_group: groups
                .entry(name)
                .or_insert_with(|| hex::encode(rand::random::<[u8; 12]>()))
                .clone(),
            language: (*language).to_owned(),
            slug: field("slug:"),
            title: field("title:"),
            body: body.replace("{prefix}", &state.urls.prefix(language)),
            meta_description: String::new(),
            status: PageStatus::Published,
            position: (position % 4) as i64 * 10 + 10,
        };
        match state.store.insert_page(&write, state.clock.now()).await {
            Ok(_) => created += 1,
            // A page of the newsroom's own already has the address: theirs stays.
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    super::site_changed(state).await?;
    Ok(created)
}

/// The staff list a Team page shows where its body says `[[team]]`: those
/// with a byline on a published story (a reporter who must stay unnamed is
/// never listed because they have an account).
pub async fn team_html(state: &AppState, language: &str) -> ServiceResult<String> {
    use crate::content::escape_html;
    let mut html = String::from("<ul class=\"team\">");
    for person in state.store.bylined_staff().await? {
        html.push_str(&format!(
            "<li class=\"team__person\"><a href=\"{}\">{}</a>",
            escape_html(&state.urls.author(language, &person.slug)),
            escape_html(&person.name)
        ));
        if !person.bio.is_empty() {
            html.push_str(&format!(" — {}", escape_html(&person.bio)));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    Ok(html)
}
