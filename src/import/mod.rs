//! Moving in: a WordPress or Ghost newsroom's archive, with its old
//! addresses kept working.
//!
//! Each importer reads the whole file once to validate it before anything
//! is written, then writes in batches (one transaction each). Every row
//! remembers the source record it came from, so running the same file again
//! changes nothing and an interrupted run resumes. Imported stories are
//! history: they are never sent to channels or subscribers.

pub mod convert;
pub mod ghost;
pub mod media;
pub mod wordpress;

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::app::AppState;
use crate::content::slug::slugify;
use crate::store::{
    ImportedKind, LegacyTarget, NewStaff, Role, SectionId, StaffId, Store, StoreError, TagId,
};

/// How many stories go in one transaction.
const BATCH: usize = 200;

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// The language of every story; otherwise taken from the file (and
    /// from the script of each story: Cyrillic text is Ukrainian).
    pub language: Option<String>,
    /// A copy of the old site's uploads (`wp-content/uploads`, Ghost's
    /// `content/images`): images found there are moved in.
    pub media_from: Option<std::path::PathBuf>,
    /// Download images from the addresses in the file (public addresses
    /// only) when the media folder does not have them.
    pub fetch_media: bool,
    /// WordPress: nested categories become sections too, not tags.
    pub nested_categories_as_sections: bool,
    /// Ghost: every tag stays a tag; no sections are made from them.
    pub no_tag_sections: bool,
    /// Ghost: bring members who agreed to receive email as newsletter
    /// subscribers.
    pub members: bool,
}

/// Why an import stopped before writing anything (or, for the store, in
/// the middle of a batch that was rolled back).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not what it claims to be; `at` is the element path.
    #[error("{file}: {at}: {message}")]
    Malformed {
        file: String,
        at: String,
        message: String,
    },
    #[error("{0}")]
    Unusable(String),
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

impl ImportError {
    /// Bad input is exit code 2, like a bad command line; the rest is 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Malformed { .. } | Self::Unusable(_) | Self::Read { .. } => 2,
            Self::Store(_) => 1,
        }
    }
}

/// What an import did (or, dry, would do).
#[derive(Debug, Default)]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    pub created: BTreeMap<&'static str, usize>,
    /// Already imported by an earlier run, left as they are.
    pub unchanged: BTreeMap<&'static str, usize>,
    pub redirects: usize,
    /// Records not imported, by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Per story: what its body held that newsdesk cannot show.
    pub unconverted: Vec<(String, Vec<String>)>,
    /// Images that still point at the old site.
    pub remote_images: usize,
    /// Images moved in from `--media-from` (or, dry, found there).
    pub images_moved: usize,
}

impl ImportReport {
    fn new(source: &str, dry_run: bool) -> Self {
        ImportReport {
            source: source.into(),
            dry_run,
            ..Default::default()
        }
    }

    fn created(&mut self, kind: &'static str, count: usize) {
        *self.created.entry(kind).or_default() += count;
    }

    fn unchanged(&mut self, kind: &'static str, count: usize) {
        *self.unchanged.entry(kind).or_default() += count;
    }

    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would create"
        } else {
            "created"
        };
        writeln!(
            f,
            "{} import{}",
            self.source,
            if self.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        )?;
        for (kind, count) in &self.created {
            writeln!(f, "  {verb} {count} {kind}")?;
        }
        for (kind, count) in &self.unchanged {
            writeln!(f, "  unchanged (imported before): {count} {kind}")?;
        }
        let redirect_verb = if self.dry_run {
            "would redirect"
        } else {
            "redirects"
        };
        writeln!(f, "  {redirect_verb}: {} old addresses", self.redirects)?;
        for (reason, count) in &self.skipped {
            writeln!(f, "  skipped {count}: {reason}")?;
        }
        if self.images_moved > 0 {
            let verb = if self.dry_run { "would move" } else { "moved" };
            writeln!(f, "  {verb} {} images in", self.images_moved)?;
        }
        if self.remote_images > 0 {
            writeln!(
                f,
                "  {} images still point at the old site: readers do not see them until the media are moved",
                self.remote_images
            )?;
        }
        if !self.unconverted.is_empty() {
            writeln!(
                f,
                "  not converted (kept as text or left out; check these stories):"
            )?;
            for (story, items) in &self.unconverted {
                writeln!(f, "    {story}: {}", items.join(", "))?;
            }
        }
        Ok(())
    }
}

/// Languages a story may be filed in, and how to choose among them.
struct LanguageChoice {
    forced: Option<String>,
    file: Option<String>,
    default: String,
    configured: Vec<String>,
}

impl LanguageChoice {
    fn new(
        state: &AppState,
        options: &ImportOptions,
        file_language: Option<&str>,
    ) -> Result<Self, ImportError> {
        let configured = state.config.site.languages.clone();
        if let Some(forced) = &options.language
            && !configured.contains(forced)
        {
            return Err(ImportError::Unusable(format!(
                "--language {forced} is not one of the site's languages ({})",
                configured.join(", ")
            )));
        }
        // "en-US" → "en"
        let file = file_language
            .map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase())
            .filter(|l| configured.contains(l));
        Ok(LanguageChoice {
            forced: options.language.clone(),
            file,
            default: state.config.site.default_language.clone(),
            configured,
        })
    }

    /// The forced language, else Ukrainian for Cyrillic text (when the site
    /// has it), else the file's language, else the site's default.
    fn of(&self, text: &str) -> String {
        if let Some(forced) = &self.forced {
            return forced.clone();
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).take(400);
        let (mut cyrillic, mut total) = (0, 0);
        for c in letters {
            total += 1;
            if ('\u{0400}'..='\u{04FF}').contains(&c) {
                cyrillic += 1;
            }
        }
        if total > 0 && cyrillic * 2 > total && self.configured.iter().any(|l| l == "uk") {
            return "uk".into();
        }
        self.file.clone().unwrap_or_else(|| self.default.clone())
    }
}

/// A newsdesk slug for a record: its own slug transliterated, else its
/// title's; when neither keeps a letter (Greek, say, which the
/// transliteration does not cover) `kind-id`, so no story is called "2".
fn slug_from(own: &str, title: &str, kind: &str, id: &str) -> String {
    let has_letter = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
    for candidate in [slugify(&percent_decode(own)), slugify(title)] {
        if has_letter(&candidate) {
            return candidate;
        }
    }
    format!("{kind}-{}", slugify(id))
}

/// A progress bar on the operator's terminal (nothing when stderr is not
/// one, as in scripts and tests).
fn progress(total: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// The media folder of the options, checked before anything is written.
fn media_mover(options: &ImportOptions) -> Result<Option<media::MediaMover>, ImportError> {
    if options.media_from.is_none() && !options.fetch_media {
        return Ok(None);
    }
    let dir = options.media_from.as_deref();
    media::MediaMover::new(dir, options.fetch_media)
        .map(Some)
        .map_err(|source| ImportError::Read {
            file: dir.map(|d| d.display().to_string()).unwrap_or_default(),
            source,
        })
}

/// Who uploaded moved images: the story's author, else the first owner.
async fn uploader(
    state: &AppState,
    author: Option<StaffId>,
    dry_run: bool,
) -> Result<Option<StaffId>, ImportError> {
    if dry_run {
        return Ok(None);
    }
    if author.is_some() {
        return Ok(author);
    }
    Ok(state
        .store
        .all_staff()
        .await?
        .into_iter()
        .find(|s| s.role == Role::Owner)
        .map(|s| s.id))
}

/// Moves a story's images in and rewrites its body and cover to them.
async fn move_images(
    state: &AppState,
    mover: &mut Option<media::MediaMover>,
    author: Option<StaffId>,
    dry_run: bool,
    body: &mut String,
    cover: &mut Option<String>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let Some(mover) = mover else {
        return Ok(());
    };
    let before = mover.copied;
    let who = uploader(state, author, dry_run).await?;
    if !dry_run && who.is_none() {
        return Ok(());
    }
    *body = mover.rewrite(state, who, body).await;
    if let Some(url) = cover.clone()
        && let Some(new) = mover.move_one(state, who, &url).await
    {
        *cover = Some(new);
    }
    report.images_moved += mover.copied - before;
    Ok(())
}

/// Slugs handed out during this run, so two stories of one batch do not
/// both take a free slug before either is written.
#[derive(Default)]
struct SlugBook {
    taken: HashSet<(SlugOf, String, String)>,
}

/// Stories and pages have separate addresses, so separate slugs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum SlugOf {
    Story,
    Page,
}

impl SlugBook {
    async fn article_slug(
        &mut self,
        store: &Store,
        language: &str,
        base: &str,
    ) -> Result<String, StoreError> {
        let base = if base.is_empty() { "story" } else { base };
        self.free(SlugOf::Story, store, language, base).await
    }

    async fn page_slug(
        &mut self,
        store: &Store,
        language: &str,
        base: &str,
    ) -> Result<String, StoreError> {
        let base = if base.is_empty() { "page" } else { base };
        let base = if RESERVED_PAGE_SLUGS.contains(&base) {
            format!("{base}-page")
        } else {
            base.to_owned()
        };
        self.free(SlugOf::Page, store, language, &base).await
    }

    /// `base`, or `base-2`, `base-3`…: the first that neither the database
    /// nor this run has given out.
    async fn free(
        &mut self,
        of: SlugOf,
        store: &Store,
        language: &str,
        base: &str,
    ) -> Result<String, StoreError> {
        for n in 1..10_000 {
            let candidate = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}-{n}")
            };
            let key = (of, language.to_owned(), candidate.clone());
            if self.taken.contains(&key) {
                continue;
            }
            let found = match of {
                SlugOf::Story => store.article_by_slug(language, &candidate).await.map(drop),
                SlugOf::Page => store.page_by_slug(language, &candidate).await.map(drop),
            };
            match found {
                Err(StoreError::NotFound) => {
                    self.taken.insert(key);
                    return Ok(candidate);
                }
                Ok(()) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(format!("{base}-{}", rand::random::<u32>()))
    }
}

/// First path segments the site itself answers; a page cannot take them.
pub const RESERVED_PAGE_SLUGS: &[&str] = &[
    "admin",
    "api",
    "author",
    "feed.xml",
    "atom.xml",
    "healthz",
    "media",
    "newsletter",
    "preview",
    "robots.txt",
    "search",
    "section",
    "sitemap.xml",
    "sitemaps",
    "news-sitemap.xml",
    "static",
    "support",
    "tag",
    "verify",
    "videos",
    "webhooks",
    "en",
    "uk",
    "well-known",
];

/// Staff from another system: contributors without a password, matched by
/// email so that a second import (or an existing colleague) is not doubled.
async fn ensure_staff(
    state: &AppState,
    source: &str,
    source_id: &str,
    email: &str,
    name: &str,
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<Option<StaffId>, ImportError> {
    let store = &state.store;
    if let Some(id) = store
        .imported_id(source, ImportedKind::Staff, source_id)
        .await?
    {
        report.unchanged("staff", 1);
        return Ok(Some(StaffId(id)));
    }
    let email = email.trim().to_ascii_lowercase();
    let email = if email.contains('@') {
        email
    } else {
        format!("{}@imported.invalid", slugify(source_id))
    };
    match store.staff_by_email(&email).await {
        Ok(existing) => {
            if !dry_run {
                store
                    .record_import_source(source, ImportedKind::Staff, source_id, existing.id.0)
                    .await?;
            }
            report.unchanged("staff", 1);
            return Ok(Some(existing.id));
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    report.created("staff", 1);
    if dry_run {
        return Ok(None);
    }
    let name = if name.trim().is_empty() {
        source_id
    } else {
        name.trim()
    };
    let base = slugify(name);
    let mut slug = if base.is_empty() {
        "staff".into()
    } else {
        base
    };
    for n in 2..1000 {
        match store.staff_by_slug(&slug).await {
            Err(StoreError::NotFound) => break,
            Ok(_) => slug = format!("{}-{n}", slugify(name)),
            Err(e) => return Err(e.into()),
        }
    }
    let staff = store
        .insert_staff(
            &NewStaff {
                email,
                name: name.to_owned(),
                slug,
                bio: String::new(),
                role: Role::Contributor,
                password_hash: None,
                password_must_change: false,
            },
            state.clock.now(),
        )
        .await?;
    store
        .record_import_source(source, ImportedKind::Staff, source_id, staff.id.0)
        .await?;
    Ok(Some(staff.id))
}

async fn ensure_section(
    state: &AppState,
    source: &str,
    source_id: &str,
    slug: &str,
    name: &str,
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<Option<SectionId>, ImportError> {
    let store = &state.store;
    let slug = if slug.is_empty() {
        "section".to_owned()
    } else {
        slug.to_owned()
    };
    if let Some(id) = store
        .imported_id(source, ImportedKind::Section, source_id)
        .await?
    {
        report.unchanged("sections", 1);
        return Ok(Some(SectionId(id)));
    }
    let existing = match store.section_by_slug(&slug).await {
        Ok(section) => Some(section.id),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    if existing.is_some() {
        report.unchanged("sections", 1);
    } else {
        report.created("sections", 1);
    }
    if dry_run {
        return Ok(existing);
    }
    let id = match existing {
        Some(id) => id,
        None => {
            let position = store.sections().await?.len() as i64;
            let language = state.config.site.default_language.as_str();
            store
                .insert_section(&slug, &[(language, name)], position)
                .await?
                .id
        }
    };
    store
        .record_import_source(source, ImportedKind::Section, source_id, id.0)
        .await?;
    Ok(Some(id))
}

async fn ensure_tag(
    state: &AppState,
    slug: &str,
    name: &str,
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<Option<TagId>, ImportError> {
    let slug = if slug.is_empty() {
        slugify(name)
    } else {
        slug.to_owned()
    };
    if slug.is_empty() {
        return Ok(None);
    }
    match state.store.tag_by_slug(&slug).await {
        Ok(tag) => {
            report.unchanged("tags", 1);
            return Ok(Some(tag.id));
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    report.created("tags", 1);
    if dry_run {
        return Ok(None);
    }
    Ok(Some(state.store.ensure_tag(&slug, name).await?.id))
}

/// The key an old address is stored and looked up under: the path
/// percent-decoded, slashes collapsed, no trailing slash, lower case; a
/// query only for WordPress's numeric links (`/?p=123`).
pub fn legacy_key(path: &str, query: Option<&str>) -> Option<String> {
    let decoded = percent_decode(path);
    let mut key = String::with_capacity(decoded.len());
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return None;
        }
        key.push('/');
        key.push_str(&segment.to_lowercase());
    }
    if key.is_empty() {
        key.push('/');
    }
    if let Some(query) = query {
        let pair = query.split('&').find(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            matches!(name, "p" | "page_id" | "cat" | "tag" | "author")
        })?;
        let (name, value) = pair.split_once('=')?;
        if value.is_empty() || value.len() > 200 {
            return None;
        }
        return Some(format!(
            "{key}?{name}={}",
            percent_decode(value).to_lowercase()
        ));
    }
    (key.len() <= 1000).then_some(key)
}

fn percent_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where an old address of a list leads on this site.
fn list_target(kind: &str, slug: &str) -> LegacyTarget {
    LegacyTarget::Path(format!("/{kind}/{slug}"))
}

/// The path and query of a link, relative to the old site's base path.
fn path_of_link(link: &str, base: &str) -> Option<(String, Option<String>)> {
    let url = url::Url::parse(link).ok()?;
    let base_path = url::Url::parse(base)
        .ok()
        .map(|b| b.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let path = url.path();
    let path = path.strip_prefix(&base_path).unwrap_or(path);
    Some((path.to_owned(), url.query().map(str::to_owned)))
}

/// A time as other systems export it: RFC 3339, or "YYYY-MM-DD HH:MM:SS"
/// in UTC (WordPress's `post_date_gmt`, Ghost's columns). WordPress's zero
/// date of unpublished posts is no time.
fn utc_time(text: &str) -> Option<i64> {
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_second());
    }
    let civil: jiff::civil::DateTime = text.replace(' ', "T").parse().ok()?;
    Some(
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second(),
    )
}

/// Counts images whose address is on another host: the renderer drops them.
fn remote_images(markdown: &str) -> usize {
    let html = markdown.matches("<img src=\"http").count();
    let markdown_images = markdown
        .match_indices("![")
        .filter(|(at, _)| {
            markdown[*at..]
                .split_once(')')
                .is_some_and(|(image, _)| image.contains("](http"))
        })
        .count();
    html + markdown_images
}

/// Adds old addresses of the site's lists (not tied to one story).
async fn add_legacy(
    state: &AppState,
    paths: &[(String, LegacyTarget)],
    dry_run: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    for (path, target) in paths {
        let new = dry_run
            || state
                .store
                .add_legacy_path(path, target, state.clock.now())
                .await?;
        if new {
            report.redirects += 1;
        }
    }
    Ok(())
}

/// Writes a batch of stories in one transaction (or, dry, counts them).
async fn flush(
    state: &AppState,
    source: &str,
    batch: &mut Vec<crate::store::ImportedArticle>,
    dry: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    report.redirects += batch.iter().map(|a| a.legacy_paths.len()).sum::<usize>();
    if dry {
        report.created("stories", batch.len());
    } else {
        let created = state
            .store
            .import_articles(source, batch, state.clock.now())
            .await?;
        report.created("stories", created);
        if created < batch.len() {
            report.unchanged("stories", batch.len() - created);
        }
    }
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_addresses_have_one_key_however_they_are_written() {
        assert_eq!(
            legacy_key("/2013/01/05/markup-title/", None).as_deref(),
            Some("/2013/01/05/markup-title")
        );
        assert_eq!(
            legacy_key(
                "//greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/",
                None
            )
            .as_deref(),
            Some("/greek/επίπεδο-2")
        );
        assert_eq!(legacy_key("/", Some("p=1164")).as_deref(), Some("/?p=1164"));
        assert_eq!(
            legacy_key("/", Some("utm_source=x&page_id=2")).as_deref(),
            Some("/?page_id=2")
        );
        assert_eq!(legacy_key("/", Some("utm_source=x")), None);
        assert_eq!(legacy_key("/a/../admin", None), None);
    }
}
