//! `newsdesk import wordpress FILE.xml`: WordPress eXtended RSS (WXR 1.1,
//! 1.2), as WordPress's exporter and WordPress.com write it.
//!
//! The file is streamed twice (validate, then write), never loaded whole,
//! so a 50,000-post archive imports in bounded memory.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::convert::{self, Attachment, Attachments};
use super::media::MediaMover;
use super::{
    BATCH, ImportError, ImportOptions, ImportReport, LanguageChoice, SlugBook, add_legacy,
    ensure_section, ensure_staff, ensure_tag, legacy_key, list_target, move_images, path_of_link,
    remote_images,
};
use crate::app::AppState;
use crate::content::markdown::{plain_text, truncate_words};
use crate::content::slug::slugify;
use crate::store::{
    ArticleStatus, ArticleWrite, ImportedArticle, ImportedKind, ImportedPage, LegacyTarget,
    PageStatus, PageWrite, SectionId, StaffId, TagId,
};

const SOURCE: &str = "wordpress";

/// What the channel says about the old site.
#[derive(Clone, Debug, Default)]
pub struct Channel {
    pub title: String,
    pub link: String,
    pub language: String,
    pub base_blog_url: String,
    pub wxr_version: String,
}

#[derive(Clone, Debug, Default)]
pub struct Author {
    pub login: String,
    pub email: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Default)]
pub struct Term {
    /// "category", "post_tag" or another taxonomy.
    pub taxonomy: String,
    pub slug: String,
    pub parent: String,
    pub name: String,
}

#[derive(Clone, Debug, Default)]
pub struct Item {
    pub title: String,
    pub link: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub post_id: String,
    pub post_date: String,
    pub post_date_gmt: String,
    pub post_name: String,
    pub status: String,
    pub post_parent: String,
    pub post_type: String,
    pub attachment_url: String,
    /// A password-protected post is not public: it comes in as a draft.
    pub post_password: String,
    /// (domain, nicename, name)
    pub categories: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
    pub comments: usize,
}

impl Item {
    fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

pub enum Record {
    Author(Author),
    Term(Term),
    Item(Box<Item>),
}

/// Reads a WXR file one record at a time.
pub struct WxrReader {
    reader: quick_xml::Reader<BufReader<File>>,
    file: String,
    buf: Vec<u8>,
    stack: Vec<String>,
    text: String,
    pub channel: Channel,
    author: Option<Author>,
    term: Option<Term>,
    item: Option<Item>,
    meta: Option<(String, String)>,
    category: Option<(String, String)>,
}

impl WxrReader {
    pub fn open(path: &Path) -> Result<Self, ImportError> {
        let file = File::open(path).map_err(|source| ImportError::Read {
            file: path.display().to_string(),
            source,
        })?;
        let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, file));
        reader.config_mut().check_end_names = true;
        Ok(WxrReader {
            reader,
            file: path.display().to_string(),
            buf: Vec::with_capacity(64 * 1024),
            stack: Vec::new(),
            text: String::new(),
            channel: Channel::default(),
            author: None,
            term: None,
            item: None,
            meta: None,
            category: None,
        })
    }

    fn malformed(&self, message: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            file: self.file.clone(),
            at: if self.stack.is_empty() {
                "document".into()
            } else {
                self.stack.join("/")
            },
            message: format!(
                "{} (near byte {})",
                message.into(),
                self.reader.buffer_position()
            ),
        }
    }

    fn not_wordpress(&self) -> ImportError {
        ImportError::Unusable(format!(
            "{}: not a WordPress export (no wp:wxr_version in the channel)",
            self.file
        ))
    }

    /// The next author, term or item; `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record>, ImportError> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event.into_owned(),
                Err(err) => return Err(self.malformed(err.to_string())),
            };
            match event {
                Event::Start(start) => self.open_element(&start)?,
                Event::Empty(start) => {
                    self.open_element(&start)?;
                    if let Some(record) = self.close_element()? {
                        return Ok(Some(record));
                    }
                }
                Event::End(_) => {
                    if let Some(record) = self.close_element()? {
                        return Ok(Some(record));
                    }
                }
                Event::Text(text) => {
                    let decoded = text
                        .xml10_content()
                        .map_err(|e| self.malformed(e.to_string()))?;
                    self.text.push_str(&decoded);
                }
                Event::CData(data) => {
                    let decoded = data.decode().map_err(|e| self.malformed(e.to_string()))?;
                    self.text.push_str(&decoded);
                }
                Event::GeneralRef(reference) => {
                    if let Some(c) = reference
                        .resolve_char_ref()
                        .map_err(|e| self.malformed(e.to_string()))?
                    {
                        self.text.push(c);
                    } else {
                        let name = reference
                            .decode()
                            .map_err(|e| self.malformed(e.to_string()))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(value) => self.text.push_str(value),
                            None => {
                                return Err(self.malformed(format!("unknown entity &{name};")));
                            }
                        }
                    }
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err(self.malformed("the file ends in the middle of an element"));
                    }
                    if self.channel.wxr_version.is_empty() {
                        return Err(self.not_wordpress());
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    fn open_element(&mut self, start: &BytesStart) -> Result<(), ImportError> {
        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        if self.stack.is_empty() && name != "rss" {
            return Err(self.malformed(format!(
                "not a WordPress export: the document is <{name}>, not <rss>"
            )));
        }
        if self.stack.len() > 64 {
            return Err(self.malformed("elements nested too deeply"));
        }
        let parent = self.stack.last().map(String::as_str).unwrap_or("");
        match (parent, name.as_str()) {
            ("channel", "item") => {
                // WordPress writes the version before the first item.
                if self.channel.wxr_version.is_empty() {
                    return Err(self.not_wordpress());
                }
                self.item = Some(Item::default())
            }
            ("channel", "wp:author") => self.author = Some(Author::default()),
            ("channel", "wp:category") => {
                self.term = Some(Term {
                    taxonomy: "category".into(),
                    ..Default::default()
                })
            }
            ("channel", "wp:tag") => {
                self.term = Some(Term {
                    taxonomy: "post_tag".into(),
                    ..Default::default()
                })
            }
            ("channel", "wp:term") => self.term = Some(Term::default()),
            ("item", "wp:postmeta") => self.meta = Some(Default::default()),
            ("item", "wp:comment") => {
                if let Some(item) = &mut self.item {
                    item.comments += 1;
                }
            }
            ("item", "category") => {
                let attr = |key: &str| {
                    start
                        .try_get_attribute(key)
                        .ok()
                        .flatten()
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default()
                };
                self.category = Some((attr("domain"), attr("nicename")));
            }
            _ => {}
        }
        self.stack.push(name);
        self.text.clear();
        Ok(())
    }

    fn close_element(&mut self) -> Result<Option<Record>, ImportError> {
        let Some(name) = self.stack.pop() else {
            return Err(self.malformed("a closing tag without an opening one"));
        };
        let parent = self.stack.last().map(String::as_str).unwrap_or("");
        let text = std::mem::take(&mut self.text);
        match (parent, name.as_str()) {
            ("channel", "title") => self.channel.title = text.trim().into(),
            ("channel", "link") => self.channel.link = text.trim().into(),
            ("channel", "language") => self.channel.language = text.trim().into(),
            ("channel", "wp:base_blog_url") => self.channel.base_blog_url = text.trim().into(),
            ("channel", "wp:wxr_version") => self.channel.wxr_version = text.trim().into(),
            ("channel", "item") => {
                return Ok(self.item.take().map(|i| Record::Item(Box::new(i))));
            }
            ("channel", "wp:author") => return Ok(self.author.take().map(Record::Author)),
            ("channel", "wp:category" | "wp:tag" | "wp:term") => {
                return Ok(self.term.take().map(Record::Term));
            }
            ("wp:author", field) => {
                if let Some(author) = &mut self.author {
                    let text = text.trim().to_owned();
                    match field {
                        "wp:author_login" => author.login = text,
                        "wp:author_email" => author.email = text,
                        "wp:author_display_name" => author.display_name = text,
                        _ => {}
                    }
                }
            }
            ("wp:category" | "wp:tag" | "wp:term", field) => {
                if let Some(term) = &mut self.term {
                    let text = text.trim().to_owned();
                    match field {
                        "wp:category_nicename" | "wp:tag_slug" | "wp:term_slug" => term.slug = text,
                        "wp:category_parent" | "wp:term_parent" => term.parent = text,
                        "wp:cat_name" | "wp:tag_name" | "wp:term_name" => term.name = text,
                        "wp:term_taxonomy" => term.taxonomy = text,
                        _ => {}
                    }
                }
            }
            ("wp:postmeta", field) => {
                if let Some(meta) = &mut self.meta {
                    match field {
                        "wp:meta_key" => meta.0 = text.trim().to_owned(),
                        "wp:meta_value" => meta.1 = text,
                        _ => {}
                    }
                }
            }
            ("item", "wp:postmeta") => {
                if let (Some(item), Some(meta)) = (&mut self.item, self.meta.take()) {
                    item.meta.push(meta);
                }
            }
            ("item", "category") => {
                if let (Some(item), Some((domain, nicename))) =
                    (&mut self.item, self.category.take())
                {
                    item.categories
                        .push((domain, nicename, text.trim().to_owned()));
                }
            }
            ("item", field) => {
                if let Some(item) = &mut self.item {
                    match field {
                        "title" => item.title = text.trim().to_owned(),
                        "link" => item.link = text.trim().to_owned(),
                        "dc:creator" => item.creator = text.trim().to_owned(),
                        "content:encoded" => item.content = text,
                        "excerpt:encoded" => item.excerpt = text,
                        "wp:post_id" => item.post_id = text.trim().to_owned(),
                        "wp:post_date" => item.post_date = text.trim().to_owned(),
                        "wp:post_date_gmt" => item.post_date_gmt = text.trim().to_owned(),
                        "wp:post_name" => item.post_name = text.trim().to_owned(),
                        "wp:status" => item.status = text.trim().to_owned(),
                        "wp:post_parent" => item.post_parent = text.trim().to_owned(),
                        "wp:post_type" => item.post_type = text.trim().to_owned(),
                        "wp:attachment_url" => item.attachment_url = text.trim().to_owned(),
                        "wp:post_password" => item.post_password = text.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

/// What the validating pass learns.
#[derive(Default)]
struct Scan {
    authors: Vec<Author>,
    terms: Vec<Term>,
    attachments: Attachments,
    items: usize,
}

fn validate(item: &Item, index: usize, file: &str) -> Result<(), ImportError> {
    let at = format!("rss/channel/item[{}]", index + 1);
    let bad = |message: String| ImportError::Malformed {
        file: file.to_owned(),
        at: at.clone(),
        message,
    };
    if item.post_id.is_empty() || !item.post_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!(
            "wp:post_id must be a number, found {:?}",
            item.post_id
        )));
    }
    if item.post_type.is_empty() {
        return Err(bad("wp:post_type is missing".into()));
    }
    if matches!(item.post_type.as_str(), "post" | "page") {
        if item.status.is_empty() {
            return Err(bad(format!("post {}: wp:status is missing", item.post_id)));
        }
        if item.status == "publish" && wordpress_time(item).is_none() {
            return Err(bad(format!(
                "post {}: wp:post_date_gmt {:?} is not a date",
                item.post_id, item.post_date_gmt
            )));
        }
    }
    Ok(())
}

/// The item's time as Unix seconds: `post_date_gmt`, or `post_date` read in
/// UTC when the GMT one is the zero date of an unpublished post.
fn wordpress_time(item: &Item) -> Option<i64> {
    super::utc_time(&item.post_date_gmt).or_else(|| super::utc_time(&item.post_date))
}

/// The nicenames of categories, with their parents, to find top levels.
struct Categories {
    parent: HashMap<String, String>,
}

impl Categories {
    fn root(&self, slug: &str) -> String {
        let mut current = slug.to_owned();
        for _ in 0..32 {
            match self.parent.get(&current) {
                Some(parent) if !parent.is_empty() => current = parent.clone(),
                _ => break,
            }
        }
        current
    }

    /// "/category/parent/child" as WordPress writes nested archives.
    fn archive_path(&self, slug: &str) -> String {
        let mut chain = vec![slug.to_owned()];
        let mut current = slug.to_owned();
        for _ in 0..32 {
            match self.parent.get(&current) {
                Some(parent) if !parent.is_empty() => {
                    chain.push(parent.clone());
                    current = parent.clone();
                }
                _ => break,
            }
        }
        chain.reverse();
        format!("/category/{}", chain.join("/"))
    }
}

/// Imports a WXR file; see the module documentation.
pub async fn import(
    state: &AppState,
    file: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let file_name = file.display().to_string();
    let mut report = ImportReport::new("WordPress", options.dry_run);
    let dry = options.dry_run;

    // Pass 1: the whole file is checked before anything is written.
    let mut reader = WxrReader::open(file)?;
    let mut scan = Scan::default();
    while let Some(record) = reader.next_record()? {
        match record {
            Record::Author(author) => scan.authors.push(author),
            Record::Term(term) => scan.terms.push(term),
            Record::Item(item) => {
                validate(&item, scan.items, &file_name)?;
                scan.items += 1;
                if item.post_type == "attachment" && !item.attachment_url.is_empty() {
                    scan.attachments.insert(
                        item.post_id.clone(),
                        Attachment {
                            url: item.attachment_url.clone(),
                            alt: item
                                .meta("_wp_attachment_image_alt")
                                .unwrap_or_default()
                                .to_owned(),
                            caption: convert::text_of_html(&item.excerpt),
                            parent: Some(item.post_parent.clone()).filter(|p| p != "0"),
                        },
                    );
                }
            }
        }
    }
    let channel = reader.channel.clone();
    let base = if channel.base_blog_url.is_empty() {
        channel.link.clone()
    } else {
        channel.base_blog_url.clone()
    };
    let languages = LanguageChoice::new(state, options, Some(&channel.language))?;
    let mut mover = super::media_mover(options)?;

    // Staff, sections and tags first: stories point at them.
    let mut staff: HashMap<String, StaffId> = HashMap::new();
    for author in &scan.authors {
        if let Some(id) = ensure_staff(
            state,
            SOURCE,
            &author.login,
            &author.email,
            &author.display_name,
            dry,
            &mut report,
        )
        .await?
        {
            staff.insert(author.login.clone(), id);
        }
    }
    let categories = Categories {
        parent: scan
            .terms
            .iter()
            .filter(|t| t.taxonomy == "category")
            .map(|t| (t.slug.clone(), t.parent.clone()))
            .collect(),
    };
    let mut sections: HashMap<String, SectionId> = HashMap::new();
    let mut category_tags: HashMap<String, TagId> = HashMap::new();
    let mut tags: HashMap<String, TagId> = HashMap::new();
    let mut list_paths = Vec::new();
    for term in &scan.terms {
        let local_slug = slugify(&super::percent_decode(&term.slug));
        match term.taxonomy.as_str() {
            "category" if term.parent.is_empty() || options.nested_categories_as_sections => {
                if term.slug == "uncategorized" {
                    continue;
                }
                if let Some(id) = ensure_section(
                    state,
                    SOURCE,
                    &term.slug,
                    &local_slug,
                    &term.name,
                    dry,
                    &mut report,
                )
                .await?
                {
                    sections.insert(term.slug.clone(), id);
                }
                for (suffix, target) in [
                    ("", list_target("section", &local_slug)),
                    (
                        "/feed",
                        LegacyTarget::Path(format!("/section/{local_slug}/feed.xml")),
                    ),
                ] {
                    if let Some(key) = legacy_key(
                        &format!("{}{suffix}", categories.archive_path(&term.slug)),
                        None,
                    ) {
                        list_paths.push((key, target));
                    }
                }
            }
            "category" => {
                if let Some(id) =
                    ensure_tag(state, &local_slug, &term.name, dry, &mut report).await?
                {
                    category_tags.insert(term.slug.clone(), id);
                }
                if let Some(key) = legacy_key(&categories.archive_path(&term.slug), None) {
                    list_paths.push((key, list_target("tag", &local_slug)));
                }
            }
            "post_tag" => {
                if let Some(id) =
                    ensure_tag(state, &local_slug, &term.name, dry, &mut report).await?
                {
                    tags.insert(term.slug.clone(), id);
                }
                if local_slug != term.slug
                    && let Some(key) = legacy_key(&format!("/tag/{}", term.slug), None)
                {
                    list_paths.push((key, list_target("tag", &local_slug)));
                }
                if let Some(key) = legacy_key(&format!("/tag/{}/feed", term.slug), None) {
                    list_paths.push((
                        key,
                        LegacyTarget::Path(format!("/tag/{local_slug}/feed.xml")),
                    ));
                }
            }
            other => report.skip(format!("terms of taxonomy {other}")),
        }
    }
    for author in &scan.authors {
        if let Some(id) = staff.get(&author.login)
            && let Ok(member) = state.store.staff_by_id(*id).await
            && let Some(key) = legacy_key(&format!("/author/{}", author.login), None)
        {
            list_paths.push((key, list_target("author", &member.slug)));
        }
    }
    for (old, new) in [("/feed", "/feed.xml"), ("/feed/atom", "/atom.xml")] {
        list_paths.push((old.to_owned(), LegacyTarget::Path(new.to_owned())));
    }
    add_legacy(state, &list_paths, dry, &mut report).await?;

    // Pass 2: stories and pages, in batches.
    let bar = super::progress(scan.items, "importing");
    let mut reader = WxrReader::open(file)?;
    let mut slugs = SlugBook::default();
    let mut batch: Vec<ImportedArticle> = Vec::with_capacity(BATCH);
    let mut comments = 0;
    while let Some(record) = reader.next_record()? {
        let Record::Item(item) = record else { continue };
        bar.inc(1);
        comments += item.comments;
        match item.post_type.as_str() {
            "post" => {
                let Some(article) = article_of(
                    state,
                    &item,
                    &scan.attachments,
                    &categories,
                    &sections,
                    &category_tags,
                    &tags,
                    &staff,
                    &languages,
                    &base,
                    &mut slugs,
                    &mut mover,
                    dry,
                    &mut report,
                )
                .await?
                else {
                    continue;
                };
                batch.push(article);
                if batch.len() >= BATCH {
                    flush(state, &mut batch, dry, &mut report).await?;
                }
            }
            "page" => {
                import_page(
                    state,
                    &item,
                    &scan.attachments,
                    &languages,
                    &base,
                    &mut slugs,
                    &mut mover,
                    dry,
                    &mut report,
                )
                .await?
            }
            "attachment" => report.skip("media library entries (images are linked from stories)"),
            "nav_menu_item" => report.skip("menu items"),
            other => report.skip(format!("items of type {other}")),
        }
    }
    flush(state, &mut batch, dry, &mut report).await?;
    bar.finish_and_clear();
    if comments > 0 {
        *report
            .skipped
            .entry("comments (newsdesk has no comments)".into())
            .or_default() += comments;
    }
    if !dry {
        crate::services::stories_replaced(state).await?;
    }
    Ok(report)
}

async fn flush(
    state: &AppState,
    batch: &mut Vec<ImportedArticle>,
    dry: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    super::flush(state, SOURCE, batch, dry, report).await
}

/// A WordPress post as a newsdesk story; `None` when it is skipped or was
/// imported before.
#[allow(clippy::too_many_arguments)]
async fn article_of(
    state: &AppState,
    item: &Item,
    attachments: &Attachments,
    categories: &Categories,
    sections: &HashMap<String, SectionId>,
    category_tags: &HashMap<String, TagId>,
    tags: &HashMap<String, TagId>,
    staff: &HashMap<String, StaffId>,
    languages: &LanguageChoice,
    base: &str,
    slugs: &mut SlugBook,
    mover: &mut Option<MediaMover>,
    dry: bool,
    report: &mut ImportReport,
) -> Result<Option<ImportedArticle>, ImportError> {
    let status = match item.status.as_str() {
        "publish" if !item.post_password.is_empty() => {
            report.skip("password-protected posts published (imported as drafts)");
            ArticleStatus::Draft
        }
        "publish" => ArticleStatus::Published,
        "draft" | "private" => ArticleStatus::Draft,
        "pending" => ArticleStatus::InReview,
        "future" => ArticleStatus::Scheduled,
        other => {
            report.skip(format!("posts with status {other}"));
            return Ok(None);
        }
    };
    if state
        .store
        .imported_id(SOURCE, ImportedKind::Article, &item.post_id)
        .await?
        .is_some()
    {
        report.unchanged("stories", 1);
        return Ok(None);
    }
    let converted = convert::wordpress(&item.content, &item.post_id, attachments);
    let headline = headline_of(&item.title, &converted.markdown, &item.post_id);
    let language = languages.of(&format!("{headline} {}", converted.markdown));
    let slug_base = super::slug_from(&item.post_name, &headline, "story", &item.post_id);
    let slug = slugs
        .article_slug(&state.store, &language, &slug_base)
        .await?;
    if !converted.unconverted.is_empty() {
        report.unconverted.push((
            format!("post {} \"{headline}\"", item.post_id),
            converted.unconverted.clone(),
        ));
    }

    let mut section_id = None;
    let mut tag_ids = Vec::new();
    for (domain, nicename, _) in &item.categories {
        match domain.as_str() {
            "category" => {
                if let Some(id) = sections.get(nicename) {
                    section_id = section_id.or(Some(*id));
                } else {
                    if let Some(tag) = category_tags.get(nicename) {
                        tag_ids.push(*tag);
                    }
                    section_id =
                        section_id.or_else(|| sections.get(&categories.root(nicename)).copied());
                }
            }
            "post_tag" => {
                if let Some(tag) = tags.get(nicename) {
                    tag_ids.push(*tag);
                }
            }
            _ => {}
        }
    }
    tag_ids.sort();
    tag_ids.dedup();
    let time = wordpress_time(item);
    let cover = item
        .meta("_thumbnail_id")
        .and_then(|id| attachments.get(id));
    let seo_title = item
        .meta("_yoast_wpseo_title")
        .or_else(|| item.meta("rank_math_title"))
        .filter(|t| !t.contains("%%") && !t.contains('%'))
        .unwrap_or_default();
    let seo_description = item
        .meta("_yoast_wpseo_metadesc")
        .or_else(|| item.meta("rank_math_description"))
        .filter(|t| !t.contains("%%"))
        .unwrap_or_default();
    let author = staff.get(&item.creator).copied();
    let mut body = converted.markdown;
    let mut cover_url = cover.map(|c| c.url.clone());
    move_images(state, mover, author, dry, &mut body, &mut cover_url, report).await?;
    report.remote_images += remote_images(&body);
    let write = ArticleWrite {
        translation_group: format!("wordpress-{}", item.post_id),
        language: language.clone(),
        slug,
        headline,
        standfirst: truncate_words(&convert::text_of_html(&item.excerpt), 600),
        body,
        cover_url,
        cover_alt: cover.map(|c| c.alt.clone()).unwrap_or_default(),
        cover_credit: cover.map(|c| c.caption.clone()).unwrap_or_default(),
        section_id,
        status,
        meta_title: truncate_words(&convert::text_of_html(seo_title), 200),
        meta_description: truncate_words(&convert::text_of_html(seo_description), 400),
        social_image_url: None,
        published_at: if status == ArticleStatus::Published {
            time
        } else {
            None
        },
        content_updated_at: None,
        scheduled_at: if status == ArticleStatus::Scheduled {
            time
        } else {
            None
        },
        author_ids: author.into_iter().collect(),
        tag_ids,
        sources: Vec::new(),
        as_history: true,
    };
    let mut legacy_paths = Vec::new();
    if let Some(key) = legacy_key("/", Some(&format!("p={}", item.post_id))) {
        legacy_paths.push(key);
    }
    if let Some((path, query)) = path_of_link(&item.link, base)
        && let Some(key) = legacy_key(&path, query.as_deref())
        && key != "/"
    {
        legacy_paths.push(key.clone());
        legacy_paths.push(format!("{key}/amp"));
    }
    legacy_paths.sort();
    legacy_paths.dedup();
    Ok(Some(ImportedArticle {
        source_id: item.post_id.clone(),
        write,
        legacy_paths,
    }))
}

#[allow(clippy::too_many_arguments)]
async fn import_page(
    state: &AppState,
    item: &Item,
    attachments: &Attachments,
    languages: &LanguageChoice,
    base: &str,
    slugs: &mut SlugBook,
    mover: &mut Option<MediaMover>,
    dry: bool,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let status = match item.status.as_str() {
        "publish" if !item.post_password.is_empty() => PageStatus::Draft,
        "publish" => PageStatus::Published,
        "draft" | "private" | "pending" | "future" => PageStatus::Draft,
        other => {
            report.skip(format!("pages with status {other}"));
            return Ok(());
        }
    };
    if state
        .store
        .imported_id(SOURCE, ImportedKind::Page, &item.post_id)
        .await?
        .is_some()
    {
        report.unchanged("pages", 1);
        return Ok(());
    }
    let converted = convert::wordpress(&item.content, &item.post_id, attachments);
    let title = headline_of(&item.title, &converted.markdown, &item.post_id);
    let language = languages.of(&format!("{title} {}", converted.markdown));
    let slug_base = super::slug_from(&item.post_name, &title, "page", &item.post_id);
    let slug = slugs.page_slug(&state.store, &language, &slug_base).await?;
    if !converted.unconverted.is_empty() {
        report.unconverted.push((
            format!("page {} \"{title}\"", item.post_id),
            converted.unconverted.clone(),
        ));
    }
    let mut body = converted.markdown;
    move_images(state, mover, None, dry, &mut body, &mut None, report).await?;
    report.remote_images += remote_images(&body);
    let mut legacy_paths = Vec::new();
    if let Some(key) = legacy_key("/", Some(&format!("page_id={}", item.post_id))) {
        legacy_paths.push(key);
    }
    if let Some((path, query)) = path_of_link(&item.link, base)
        && let Some(key) = legacy_key(&path, query.as_deref())
        && key != "/"
        && key != state.urls.page(&language, &slug)
    {
        legacy_paths.push(key);
    }
    report.redirects += legacy_paths.len();
    report.created("pages", 1);
    if dry {
        return Ok(());
    }
    let page = ImportedPage {
        source_id: item.post_id.clone(),
        write: PageWrite {
            translation_group: format!("wordpress-page-{}", item.post_id),
            language,
            slug,
            title,
            body,
            meta_description: String::new(),
            status,
            position: 0,
        },
        legacy_paths,
    };
    state
        .store
        .import_page(SOURCE, &page, state.clock.now())
        .await?;
    Ok(())
}

/// Titles may hold markup ("Title <em>With</em> Markup") or be empty.
fn headline_of(title: &str, body: &str, id: &str) -> String {
    let text = truncate_words(&convert::text_of_html(title), 300);
    if !text.trim().is_empty() {
        return text;
    }
    let from_body = plain_text(body, 80);
    if from_body.trim().is_empty() {
        format!("Untitled ({id})")
    } else {
        from_body
    }
}
