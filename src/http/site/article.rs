//! The article page.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::Lang;
use super::cache::CacheTags;
use super::views::{LinkView, Page, author_links, card_views, nav_sections};
use crate::app::AppState;

use crate::content::markdown::{plain_text, render_body};
use crate::content::slug::display_name;
use crate::http::error::HttpError;
use crate::store::{ArticleStatus, ArticleView};

pub async fn show_article(
    State(state): State<AppState>,
    Extension(Lang(language)): Extension<Lang>,
    Path((year, month, day, slug)): Path<(String, String, String, String)>,
) -> Result<Response, HttpError> {
    if !is_date_part(&year, 4)
        || !is_date_part(&month, 2)
        || !is_date_part(&day, 2)
        || slug.len() > 200
    {
        return Err(HttpError::NotFound);
    }
    // `slug.signed.json` and kin: the story's signed versions beside it.
    let (slug, signed) = match super::verify::signed_file(&slug) {
        Some((base, wanted)) => (base.to_owned(), Some(wanted)),
        None => (slug, None),
    };
    let Some(view) = state.store.published_article(&language, &slug).await? else {
        if signed.is_some() {
            return Err(HttpError::NotFound);
        }
        return redirect_renamed(&state, &language, &slug).await;
    };
    let Some(path) = state.urls.article_row(&view.article) else {
        return Err(HttpError::NotFound);
    };
    if let Some(wanted) = signed {
        if !path.ends_with(&format!("/{year}/{month}/{day}/{slug}")) {
            return Err(HttpError::NotFound);
        }
        return super::verify::signed_version(&state, &view, &path, wanted).await;
    }
    if path
        != format!(
            "{}/{year}/{month}/{day}/{slug}",
            state.urls.prefix(&language)
        )
    {
        // Right story, wrong date in the address: send readers to the one true URL.
        return Ok(Redirect::permanent(&path).into_response());
    }
    render_article(&state, &language, &view, &path).await
}

/// A story whose slug was changed after publication: permanent redirect to its address now.
async fn redirect_renamed(
    state: &AppState,
    language: &str,
    slug: &str,
) -> Result<Response, HttpError> {
    let Some(id) = state.store.slug_redirect(language, slug).await? else {
        return Err(HttpError::NotFound);
    };
    let row = state.store.article_row(id).await?;
    match state
        .urls
        .article_row(&row)
        .filter(|_| row.status == ArticleStatus::Published)
    {
        Some(path) => Ok(Redirect::permanent(&path).into_response()),
        None => Err(HttpError::NotFound),
    }
}

fn is_date_part(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

#[derive(serde::Deserialize)]
pub struct PreviewQuery {
    expires: Option<i64>,
    sig: Option<String>,
}

/// An unpublished article through a signed, expiring link. Never cached, never indexed.
pub async fn show_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<PreviewQuery>,
) -> Result<Response, HttpError> {
    let id = id
        .parse::<i64>()
        .map(crate::store::ArticleId)
        .map_err(|_| HttpError::NotFound)?;
    let (Some(expires), Some(sig)) = (query.expires, query.sig) else {
        return Err(HttpError::NotFound);
    };
    if !crate::services::previews::verify(&state, id, expires, &sig).await? {
        return Err(HttpError::NotFound);
    }
    let view = state.store.article(id).await?;
    // Taken down is taken down: its preview links end with it.
    if view.article.status == crate::store::ArticleStatus::Unpublished {
        return Err(HttpError::NotFound);
    }
    let path = format!("/preview/{id}");
    let language = view.article.language.clone();
    let mut response = render_article(&state, &language, &view, &path).await?;
    response.extensions_mut().remove::<CacheTags>();
    let headers = response.headers_mut();
    headers.insert(
        "x-robots-tag",
        axum::http::HeaderValue::from_static("noindex"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn render_article(
    state: &AppState,
    language: &str,
    view: &ArticleView,
    path: &str,
) -> Result<Response, HttpError> {
    let article = &view.article;
    let sections = nav_sections(state).await?;
    let tag_ids: Vec<_> = view.tags.iter().map(|t| t.id).collect();
    let related = state.store.related_articles(article, &tag_ids, 4).await?;
    let related_views = card_views(state, &related, &sections);
    let published_at = article.published_at.unwrap_or(article.created_at);
    let updated_at = article
        .content_updated_at
        .filter(|u| *u > published_at + 60);
    let description = if !article.meta_description.is_empty() {
        article.meta_description.clone()
    } else if !article.standfirst.is_empty() {
        article.standfirst.clone()
    } else {
        plain_text(&article.body, 200)
    };
    let title = if article.meta_title.is_empty() {
        &article.headline
    } else {
        &article.meta_title
    };
    let canonical = state.urls.absolute(path);
    let cover = article
        .cover_url
        .as_ref()
        .map(|url| state.urls.absolute(url));
    // Social cards may use their own picture; otherwise the cover.
    let social_image = article
        .social_image_url
        .as_ref()
        .map(|url| state.urls.absolute(url))
        .or_else(|| cover.clone());

    let translations: Vec<_> = view
        .translations
        .iter()
        .filter(|t| t.status == ArticleStatus::Published)
        .filter_map(|t| {
            let url = state.urls.article(&t.language, &t.slug, t.published_at)?;
            Some(json!({
                "lang": t.language,
                "language_name": state.locales.language_name(&t.language),
                "headline": t.headline,
                "url": url,
                "absolute_url": state.urls.absolute(&url),
            }))
        })
        .collect();
    let mut alternates = vec![json!({ "lang": language, "url": canonical })];
    // x-default: the version in the site's default language, where there is one.
    let default_language = &state.config.site.default_language;
    let default_version = if language == default_language {
        Some(canonical.clone())
    } else {
        translations
            .iter()
            .find(|t| t["lang"] == default_language.as_str())
            .and_then(|t| t["absolute_url"].as_str().map(str::to_owned))
    };
    if let Some(url) = default_version {
        alternates.push(json!({ "lang": "x-default", "url": url }));
    }
    alternates.extend(
        translations
            .iter()
            .map(|t| json!({ "lang": &t["lang"], "url": &t["absolute_url"] })),
    );

    let authors = author_links(state, language, &view.authors);
    let section = view.section.as_ref().map(|s| LinkView {
        name: s.name(language).to_owned(),
        url: state.urls.section(language, &s.slug),
    });
    let tags: Vec<LinkView> = view
        .tags
        .iter()
        .map(|t| LinkView {
            name: t.name.clone(),
            url: state.urls.tag(language, &t.slug),
        })
        .collect();

    let live = state.store.live_page(article.id).await?;
    let live_updates = match &live {
        Some(_) => state.store.live_updates(article.id).await?,
        None => Vec::new(),
    };
    let mut json_ld = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        // Google reads at most 110 characters; the page keeps the whole headline.
        "headline": shorten(&article.headline, JSON_LD_HEADLINE_CHARS),
        "description": description,
        "datePublished": crate::i18n::rfc3339(published_at),
        "dateModified": crate::i18n::rfc3339(article.content_updated_at.unwrap_or(published_at)),
        "inLanguage": language,
        "mainEntityOfPage": { "@type": "WebPage", "@id": canonical },
        "url": canonical,
        "image": cover.iter().collect::<Vec<_>>(),
        "author": view.authors.iter().map(|a| json!({
            "@type": "Person",
            "name": display_name(&a.name, state.locales.get(language)),
            "url": state.urls.absolute(&state.urls.author(language, &a.slug)),
        })).collect::<Vec<_>>(),
        "publisher": publisher(state, language),
        "articleSection": section.as_ref().map(|s| s.name.clone()),
        "keywords": view.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
    });
    if let Some(live) = &live {
        // Search engines show live pages with their newest updates.
        json_ld["@type"] = json!("LiveBlogPosting");
        json_ld["coverageStartTime"] = json!(crate::i18n::rfc3339(live.started_at));
        if let Some(closed) = live.closed_at {
            json_ld["coverageEndTime"] = json!(crate::i18n::rfc3339(closed));
        }
        json_ld["liveBlogUpdate"] = live_updates
            .iter()
            .take(50)
            .map(|u| {
                let text = plain_text(&u.body, 5000);
                json!({
                    "@type": "BlogPosting",
                    "headline": shorten(&text, JSON_LD_HEADLINE_CHARS),
                    "articleBody": text,
                    "datePublished": crate::i18n::rfc3339(u.created_at),
                    "url": format!("{canonical}#update-{}", u.id),
                    "author": u.author_name.as_ref().map(|name| json!({ "@type": "Person", "name": name })),
                })
            })
            .collect();
    }

    // The language switcher leads to this story's translation where there is one.
    let languages: Vec<_> = state
        .config
        .site
        .languages
        .iter()
        .map(|l| {
            let url = if l == language {
                path.to_owned()
            } else {
                translations
                    .iter()
                    .find(|t| t["lang"] == l.as_str())
                    .and_then(|t| t["url"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| state.urls.home(l))
            };
            json!({ "code": l, "name": state.locales.language_name(l), "url": url, "current": l == language })
        })
        .collect();
    let mut page = Page::new(state, language, title, path, &sections);
    page.set("languages", &languages);
    page.set(
        "article",
        json!({
            "id": article.id,
            "headline": article.headline,
            "standfirst": article.standfirst,
            "cover_url": article.cover_url.as_deref().map(|url| state.urls.media(url)),
            "cover_alt": article.cover_alt,
        "cover_srcset": article.cover_url.as_deref().and_then(|url| cover_srcset(state, url)),
            "cover_credit": article.cover_credit,
            "published_at": published_at,
            "updated_at": updated_at,
            "language": language,
        }),
    )
    .set("description", &description);
    if let Some(image) = &social_image {
        // An upload's own size, so cards render before the picture loads.
        let local = article
            .social_image_url
            .as_deref()
            .or(article.cover_url.as_deref())
            .unwrap_or_default();
        let size = state.store.media_size(local).await?;
        page.set("og_image", image)
            .set("og_image_width", size.map(|(w, _)| w))
            .set("og_image_height", size.map(|(_, h)| h));
    }
    if let Some(live) = &live {
        page.set(
            "live",
            json!({
                "open": live.closed_at.is_none() && article.status == ArticleStatus::Published,
                "started_at": live.started_at,
                "closed_at": live.closed_at,
                "summary": live.summary,
                "events_url": format!("{path}/events"),
                "feed_url": format!("{path}/feed.xml"),
                "updates_url": format!("{path}.updates.json"),
                "newest": live_updates.first().map_or(0, |u| u.id),
                "count": live_updates.len(),
            }),
        )
        .set(
            "live_updates",
            live_update_views(state, language, &live_updates),
        );
    }
    // Published stories have signed versions beside them (previews do not).
    if article.status == ArticleStatus::Published {
        let verify: String = url::form_urlencoded::byte_serialize(canonical.as_bytes()).collect();
        page.set("signed_url", format!("{path}.signed.json"))
            .set("versions_url", format!("{path}.versions.json"))
            .set(
                "verify_url",
                format!("{}/verify?q={verify}", state.urls.prefix(language)),
            );
    }
    page.set("og_type", "article")
        .set("authors", &authors)
        .set("section", &section)
        .set("tags", &tags)
        .set("sources", &view.sources)
        .set("corrections", &view.corrections)
        .set("translations", &translations)
        .set("alternates", &alternates)
        .set("related", &related_views)
        .set(
            "donate",
            super::support::donate_box(state, language, Some(article.id.0)),
        )
        .safe(
            "body_html",
            state
                .urls
                .media_in_html(render_body(&article.body, state.locales.get(language))),
        )
        .safe("json_ld", script_safe_json(&json_ld));

    // The page shows its translations' and related stories' headlines too.
    let ids = std::iter::once(article.id)
        .chain(view.translations.iter().map(|t| t.id))
        .chain(related.iter().map(|r| r.id));
    page.render(state, "article.html", Some(CacheTags::article_page(ids)))
}

/// Updates as the page and the live stream draw them.
pub fn live_update_views(
    state: &AppState,
    language: &str,
    updates: &[crate::store::LiveUpdate],
) -> Vec<serde_json::Value> {
    updates
        .iter()
        .map(|u| {
            json!({
                "id": u.id,
                "at": u.created_at,
                "author": u.author_name,
                "author_url": u.author_slug.as_ref().map(|slug| state.urls.author(language, slug)),
                "body_html": state.urls.media_in_html(render_body(&u.body, state.locales.get(language))),
                "source": u.source,
                "source_url": u.source_url,
            })
        })
        .collect()
}

/// `srcset` for an uploaded cover: phones download the 480 or 960 pixel copy.
fn cover_srcset(state: &AppState, url: &str) -> Option<String> {
    let sizes = crate::services::media::WIDTHS
        .iter()
        .map(|w| {
            crate::services::media::variant(url, *w)
                .map(|v| format!("{} {w}w", state.urls.media(&v)))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(sizes.join(", "))
}

/// JSON inside `<script>`: `</script>` and `<!--` in text must not end or confuse the element.
pub fn script_safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Characters of a headline that search engines read in structured data.
pub const JSON_LD_HEADLINE_CHARS: usize = 110;

/// `text` cut at a word boundary to at most `max` characters, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '—', '-']))
}

/// The publisher as JSON-LD: the newsroom with its logo.
pub fn publisher(state: &AppState, language: &str) -> serde_json::Value {
    let logo = &state.config.site.logo_url;
    let mut logo_json = json!({ "@type": "ImageObject", "url": state.urls.absolute(logo) });
    if logo == "/static/logo.png" {
        let (width, height) = super::assets::LOGO_SIZE;
        logo_json["width"] = json!(width);
        logo_json["height"] = json!(height);
    }
    json!({
        "@type": "NewsMediaOrganization",
        "name": state.config.site.name,
        "url": state.urls.absolute(&state.urls.home(language)),
        "logo": logo_json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_script_cannot_close_the_element() {
        let text = script_safe_json(&json!({ "headline": "</script><script>alert(1)</script>" }));
        assert!(!text.contains("</script"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>");
    }
}
