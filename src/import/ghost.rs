//! `newsdesk import ghost FILE.json`: a Ghost 4–6 export (Settings →
//! Export, or the Admin API's `/db/`).
//!
//! A Ghost export is one JSON document, so it is read whole; exports of
//! even large Ghost sites are tens of megabytes. Users' password hashes
//! are never read into anything.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::convert::{self, text_of_html};
use super::{
    BATCH, ImportError, ImportOptions, ImportReport, LanguageChoice, SlugBook, add_legacy,
    ensure_section, ensure_staff, ensure_tag, legacy_key, list_target, remote_images,
};
use crate::app::AppState;
use crate::content::markdown::truncate_words;
use crate::content::slug::slugify;
use crate::store::{
    ArticleStatus, ArticleWrite, ImportedArticle, ImportedKind, ImportedPage, LegacyTarget,
    PageStatus, PageWrite, SectionId, StaffId, TagId,
};

const SOURCE: &str = "ghost";

/// Stands for `__GHOST_URL__` while images are found, so that they are
/// absolute; anything left is made site-relative afterwards.
const GHOST_URL: &str = "https://ghost-site.invalid";

#[derive(Deserialize)]
struct Export {
    db: Vec<Database>,
}

#[derive(Deserialize)]
struct Database {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    posts: Vec<Post>,
    #[serde(default)]
    posts_meta: Vec<PostMeta>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    tags: Vec<GhostTag>,
    #[serde(default)]
    posts_tags: Vec<PostTag>,
    #[serde(default)]
    posts_authors: Vec<PostAuthor>,
    #[serde(default)]
    settings: Vec<Setting>,
    #[serde(default)]
    members: Vec<Member>,
    #[serde(default)]
    members_newsletters: Vec<MemberNewsletter>,
}

/// A reader of the Ghost site. Only those who agreed to email come along.
#[derive(Deserialize)]
struct Member {
    id: String,
    email: String,
    /// Ghost 4: agreed to the newsletter.
    #[serde(default)]
    subscribed: Option<serde_json::Value>,
    /// Ghost stopped emailing them (bounces, spam complaints).
    #[serde(default)]
    email_disabled: Option<serde_json::Value>,
}

/// Ghost 5+: a member receives this newsletter.
#[derive(Deserialize)]
struct MemberNewsletter {
    member_id: String,
}

/// Ghost writes booleans as true/false or 1/0.
fn truthy(value: &Option<serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    }
}

#[derive(Deserialize)]
struct Post {
    id: String,
    title: Option<String>,
    slug: String,
    html: Option<String>,
    plaintext: Option<String>,
    feature_image: Option<String>,
    #[serde(rename = "type", default = "post_type")]
    kind: String,
    status: String,
    published_at: Option<String>,
    custom_excerpt: Option<String>,
    #[serde(default)]
    meta_title: Option<String>,
    #[serde(default)]
    meta_description: Option<String>,
}

fn post_type() -> String {
    "post".into()
}

#[derive(Deserialize)]
struct PostMeta {
    post_id: String,
    meta_title: Option<String>,
    meta_description: Option<String>,
    feature_image_alt: Option<String>,
    feature_image_caption: Option<String>,
}

/// Only the fields newsdesk uses: the password hash is not even parsed.
#[derive(Deserialize)]
struct User {
    id: String,
    name: String,
    slug: String,
    email: String,
}

#[derive(Deserialize)]
struct GhostTag {
    id: String,
    name: String,
    slug: String,
    #[serde(default)]
    visibility: Option<String>,
}

#[derive(Deserialize)]
struct PostTag {
    post_id: String,
    tag_id: String,
    #[serde(default)]
    sort_order: i64,
}

#[derive(Deserialize)]
struct PostAuthor {
    post_id: String,
    author_id: String,
    #[serde(default)]
    sort_order: i64,
}

#[derive(Deserialize)]
struct Setting {
    key: String,
    value: Option<serde_json::Value>,
}

fn read(file: &Path) -> Result<Data, ImportError> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|source| ImportError::Read {
        file: name.clone(),
        source,
    })?;
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    let export: Export = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        ImportError::Malformed {
            file: name.clone(),
            at: err.path().to_string(),
            message: err.inner().to_string(),
        }
    })?;
    let Some(database) = export.db.into_iter().next() else {
        return Err(ImportError::Malformed {
            file: name,
            at: "db".into(),
            message: "the export holds no database".into(),
        });
    };
    for (index, post) in database.data.posts.iter().enumerate() {
        let at = format!("db[0].data.posts[{index}]");
        if post.status == "published"
            && post
                .published_at
                .as_deref()
                .and_then(super::utc_time)
                .is_none()
        {
            return Err(ImportError::Malformed {
                file: name,
                at: format!("{at}.published_at"),
                message: format!("post {} is published without a valid date", post.id),
            });
        }
        if post.slug.trim().is_empty() {
            return Err(ImportError::Malformed {
                file: name,
                at: format!("{at}.slug"),
                message: "a post without a slug".into(),
            });
        }
    }
    Ok(database.data)
}

/// Imports a Ghost export; see the module documentation.
pub async fn import(
    state: &AppState,
    file: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let data = read(file)?;
    let dry = options.dry_run;
    let mut report = ImportReport::new("Ghost", dry);
    let setting = |key: &str| {
        data.settings
            .iter()
            .find(|s| s.key == key)
            .and_then(|s| s.value.as_ref())
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let languages = LanguageChoice::new(state, options, setting("locale").as_deref())?;
    let mut mover = super::media_mover(options)?;

    let mut staff: HashMap<&str, StaffId> = HashMap::new();
    let mut list_paths = Vec::new();
    for user in &data.users {
        if let Some(id) = ensure_staff(
            state,
            SOURCE,
            &user.id,
            &user.email,
            &user.name,
            dry,
            &mut report,
        )
        .await?
        {
            staff.insert(&user.id, id);
            if let Ok(member) = state.store.staff_by_id(id).await
                && let Some(key) = legacy_key(&format!("/author/{}", user.slug), None)
            {
                list_paths.push((key, list_target("author", &member.slug)));
            }
        }
    }

    // The first public tag of a post is its section; the rest are tags.
    // Internal tags ("#hash") are Ghost's own bookkeeping and stay behind.
    let public_tags: HashMap<&str, &GhostTag> = data
        .tags
        .iter()
        .filter(|t| !t.name.starts_with('#') && t.visibility.as_deref() != Some("internal"))
        .map(|t| (t.id.as_str(), t))
        .collect();
    let skipped_internal = data.tags.len() - public_tags.len();
    for _ in 0..skipped_internal {
        report.skip("internal tags (#…)");
    }
    let mut post_tags: HashMap<&str, Vec<(i64, &GhostTag)>> = HashMap::new();
    for link in &data.posts_tags {
        if let Some(tag) = public_tags.get(link.tag_id.as_str()) {
            post_tags
                .entry(link.post_id.as_str())
                .or_default()
                .push((link.sort_order, tag));
        }
    }
    for tags in post_tags.values_mut() {
        tags.sort_by_key(|(order, _)| *order);
    }
    let mut sections: HashMap<&str, SectionId> = HashMap::new();
    let mut tags: HashMap<&str, TagId> = HashMap::new();
    let primary: std::collections::HashSet<&str> = post_tags
        .values()
        .filter(|_| !options.no_tag_sections)
        .filter_map(|t| t.first().map(|(_, tag)| tag.id.as_str()))
        .collect();
    for tag in public_tags.values() {
        let slug = slugify(&tag.slug);
        if primary.contains(tag.id.as_str())
            && let Some(id) =
                ensure_section(state, SOURCE, &tag.id, &slug, &tag.name, dry, &mut report).await?
        {
            sections.insert(&tag.id, id);
        }
        if let Some(id) = ensure_tag(state, &slug, &tag.name, dry, &mut report).await? {
            tags.insert(&tag.id, id);
        }
        let target = if primary.contains(tag.id.as_str()) {
            list_target("section", &slug)
        } else {
            list_target("tag", &slug)
        };
        if let Some(key) = legacy_key(&format!("/tag/{}", tag.slug), None)
            && (primary.contains(tag.id.as_str()) || slug != tag.slug)
        {
            list_paths.push((key, target));
        }
    }
    list_paths.push(("/rss".into(), LegacyTarget::Path("/feed.xml".into())));
    add_legacy(state, &list_paths, dry, &mut report).await?;

    let mut post_authors: HashMap<&str, Vec<(i64, StaffId)>> = HashMap::new();
    for link in &data.posts_authors {
        if let Some(id) = staff.get(link.author_id.as_str()) {
            post_authors
                .entry(link.post_id.as_str())
                .or_default()
                .push((link.sort_order, *id));
        }
    }
    let meta: HashMap<&str, &PostMeta> = data
        .posts_meta
        .iter()
        .map(|m| (m.post_id.as_str(), m))
        .collect();

    let mut slugs = SlugBook::default();
    let mut batch: Vec<ImportedArticle> = Vec::with_capacity(BATCH);
    let bar = super::progress(data.posts.len(), "importing");
    for post in &data.posts {
        bar.inc(1);
        let kind = if post.kind == "page" {
            ImportedKind::Page
        } else {
            ImportedKind::Article
        };
        if state
            .store
            .imported_id(SOURCE, kind, &post.id)
            .await?
            .is_some()
        {
            report.unchanged(
                if kind == ImportedKind::Page {
                    "pages"
                } else {
                    "stories"
                },
                1,
            );
            continue;
        }
        let html = post
            .html
            .clone()
            .or_else(|| {
                post.plaintext.as_ref().map(|text| {
                    text.split("\n\n")
                        .map(|p| format!("<p>{}</p>", crate::content::escape_html(p)))
                        .collect::<String>()
                })
            })
            .unwrap_or_default()
            .replace("__GHOST_URL__", GHOST_URL);
        let converted = convert::ghost(&html);
        let title = text_of_html(post.title.as_deref().unwrap_or(""));
        let title = if title.is_empty() {
            format!("Untitled ({})", post.slug)
        } else {
            title
        };
        let language = languages.of(&format!("{title} {}", converted.markdown));
        if !converted.unconverted.is_empty() {
            report.unconverted.push((
                format!("{} \"{title}\"", post.slug),
                converted.unconverted.clone(),
            ));
        }
        let mut authors = post_authors
            .get(post.id.as_str())
            .cloned()
            .unwrap_or_default();
        authors.sort_by_key(|(order, _)| *order);
        let mut body = converted.markdown;
        let mut cover_url = post
            .feature_image
            .as_deref()
            .map(|url| url.replace("__GHOST_URL__", GHOST_URL));
        super::move_images(
            state,
            &mut mover,
            authors.first().map(|(_, id)| *id),
            dry,
            &mut body,
            &mut cover_url,
            &mut report,
        )
        .await?;
        // Links to the old site's own pages become links on this one.
        let body = body.replace(GHOST_URL, "");
        let cover_url = cover_url.map(|url| url.replace(GHOST_URL, ""));
        report.remote_images += remote_images(&body);
        let old_path = legacy_key(&format!("/{}", post.slug), None);
        let post_meta = meta.get(post.id.as_str());
        if kind == ImportedKind::Page {
            let status = if post.status == "published" {
                PageStatus::Published
            } else {
                PageStatus::Draft
            };
            let slug = slugs
                .page_slug(
                    &state.store,
                    &language,
                    &super::slug_from(&post.slug, &title, "page", &post.id),
                )
                .await?;
            let legacy_paths: Vec<String> = old_path
                .into_iter()
                .filter(|p| *p != state.urls.page(&language, &slug))
                .collect();
            report.redirects += legacy_paths.len();
            report.created("pages", 1);
            if !dry {
                state
                    .store
                    .import_page(
                        SOURCE,
                        &ImportedPage {
                            source_id: post.id.clone(),
                            write: PageWrite {
                                translation_group: format!("ghost-page-{}", post.id),
                                language,
                                slug,
                                title,
                                body,
                                meta_description: post_meta
                                    .and_then(|m| m.meta_description.clone())
                                    .unwrap_or_default(),
                                status,
                                position: 0,
                            },
                            legacy_paths,
                        },
                        state.clock.now(),
                    )
                    .await?;
            }
            continue;
        }
        let status = match post.status.as_str() {
            "published" | "sent" => ArticleStatus::Published,
            "scheduled" => ArticleStatus::Scheduled,
            "draft" => ArticleStatus::Draft,
            other => {
                report.skip(format!("posts with status {other}"));
                continue;
            }
        };
        let time = post.published_at.as_deref().and_then(super::utc_time);
        let tags_of_post = post_tags.get(post.id.as_str());
        let section_id = tags_of_post
            .and_then(|t| t.first())
            .and_then(|(_, tag)| sections.get(tag.id.as_str()).copied());
        let tag_ids: Vec<TagId> = tags_of_post
            .map(|t| {
                t.iter()
                    .skip(1)
                    .filter_map(|(_, tag)| tags.get(tag.id.as_str()).copied())
                    .collect()
            })
            .unwrap_or_default();
        let mut authors = post_authors
            .get(post.id.as_str())
            .cloned()
            .unwrap_or_default();
        authors.sort_by_key(|(order, _)| *order);
        let slug = slugs
            .article_slug(
                &state.store,
                &language,
                &super::slug_from(&post.slug, &title, "story", &post.id),
            )
            .await?;
        let pick = |own: &Option<String>, from_meta: Option<&Option<String>>| {
            own.clone()
                .or_else(|| from_meta.and_then(|m| m.clone()))
                .unwrap_or_default()
        };
        let write = ArticleWrite {
            translation_group: format!("ghost-{}", post.id),
            language,
            slug,
            headline: title,
            standfirst: truncate_words(
                &text_of_html(post.custom_excerpt.as_deref().unwrap_or("")),
                600,
            ),
            body,
            cover_url,
            cover_alt: post_meta
                .and_then(|m| m.feature_image_alt.clone())
                .unwrap_or_default(),
            cover_credit: text_of_html(
                &post_meta
                    .and_then(|m| m.feature_image_caption.clone())
                    .unwrap_or_default(),
            ),
            section_id,
            status,
            meta_title: pick(&post.meta_title, post_meta.map(|m| &m.meta_title)),
            meta_description: pick(
                &post.meta_description,
                post_meta.map(|m| &m.meta_description),
            ),
            social_image_url: None,
            published_at: (status == ArticleStatus::Published)
                .then_some(time)
                .flatten(),
            content_updated_at: None,
            scheduled_at: (status == ArticleStatus::Scheduled)
                .then_some(time)
                .flatten(),
            author_ids: authors.into_iter().map(|(_, id)| id).collect(),
            tag_ids,
            sources: Vec::new(),
            as_history: true,
        };
        batch.push(ImportedArticle {
            source_id: post.id.clone(),
            write,
            legacy_paths: old_path
                .into_iter()
                .flat_map(|p| [format!("{p}/amp"), p])
                .collect(),
        });
        if batch.len() >= BATCH {
            flush(state, &mut batch, dry, &mut report).await?;
        }
    }
    flush(state, &mut batch, dry, &mut report).await?;
    bar.finish_and_clear();
    if options.members {
        import_members(state, &data, options, &mut report).await?;
    } else if !data.members.is_empty() {
        *report
            .skipped
            .entry("members (add --members to bring those who agreed to email)".into())
            .or_default() += data.members.len();
    }
    if !dry {
        crate::services::stories_replaced(state).await?;
    }
    Ok(report)
}

/// Members who agreed to email become active subscribers in the site's
/// language (or `--language`); the rest stay behind.
async fn import_members(
    state: &AppState,
    data: &Data,
    options: &ImportOptions,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let receiving: std::collections::HashSet<&str> = data
        .members_newsletters
        .iter()
        .map(|m| m.member_id.as_str())
        .collect();
    let language = options
        .language
        .clone()
        .unwrap_or_else(|| state.config.site.default_language.clone());
    for member in &data.members {
        let email = member.email.trim().to_lowercase();
        let agreed = receiving.contains(member.id.as_str()) || truthy(&member.subscribed);
        if !agreed || truthy(&member.email_disabled) || !email.contains('@') || email.len() > 254 {
            report.skip("members who did not agree to email (or whose email stopped working)");
            continue;
        }
        if options.dry_run {
            report.created("subscribers", 1);
            continue;
        }
        let token = hex::encode(rand::random::<[u8; 24]>());
        if state
            .store
            .import_subscriber(&email, &language, &token, state.clock.now())
            .await?
        {
            report.created("subscribers", 1);
        } else {
            report.unchanged("subscribers", 1);
        }
    }
    Ok(())
}

async fn flush(
    state: &AppState,
    batch: &mut Vec<ImportedArticle>,
    dry: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    super::flush(state, SOURCE, batch, dry, report).await
}
