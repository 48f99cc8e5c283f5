//! Articles in the admin: the list, the editor, saving, and the workflow buttons.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::content::markdown::render_body;
use crate::http::admin::session::StaffForm;
use crate::http::error::HttpError;
use crate::http::form::FormData;
use crate::services::articles::{self as service, ArticleInput, CoverInput, SourceInput};
use crate::services::policy::Action;
use crate::services::previews;
use crate::services::workflow::{self, Transition};
use crate::services::{FieldError, ServiceError};
use crate::store::{
    ArticleFilter, ArticleId, ArticleStatus, ArticleView, Role, StoreResult, list_cursor,
    parse_list_cursor,
};

/// One line of an article list.
#[derive(Serialize)]
pub struct ArticleRowView {
    id: i64,
    headline: String,
    language: String,
    status: ArticleStatus,
    updated_at: i64,
    published_at: Option<i64>,
    authors: String,
    public_url: Option<String>,
}

pub async fn article_rows(
    state: &AppState,
    filter: &ArticleFilter,
    limit: i64,
) -> StoreResult<Vec<ArticleRowView>> {
    let cards = state.store.article_cards(filter, limit, 0).await?;
    Ok(row_views(state, cards))
}

fn row_views(state: &AppState, cards: Vec<crate::store::ArticleCard>) -> Vec<ArticleRowView> {
    cards
        .into_iter()
        .map(|c| ArticleRowView {
            id: c.id.0,
            public_url: (c.status == ArticleStatus::Published)
                .then(|| state.urls.article(&c.language, &c.slug, c.published_at))
                .flatten(),
            headline: c.headline,
            language: c.language,
            status: c.status,
            updated_at: c.updated_at,
            published_at: c.published_at,
            authors: c
                .authors
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    section: Option<String>,
    author: Option<String>,
    language: Option<String>,
    q: Option<String>,
    /// Where the previous page left off (keyset paging: every page costs the same).
    after: Option<String>,
}

/// Articles per page of the admin's list.
const ADMIN_PAGE: i64 = 50;

pub async fn list_articles(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Query(query): Query<ListQuery>,
) -> Result<Response, HttpError> {
    let nonempty = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
    let section_id = match nonempty(&query.section) {
        Some(slug) => state.store.section_by_slug(&slug).await.ok().map(|s| s.id),
        None => None,
    };
    let mut author_id = match nonempty(&query.author) {
        Some(slug) => state.store.staff_by_slug(&slug).await.ok().map(|s| s.id),
        None => None,
    };
    // Authors and contributors list only their own articles.
    if matches!(staff.0.role, Role::Author | Role::Contributor) {
        author_id = Some(staff.0.staff_id);
    }
    let filter = ArticleFilter {
        status: nonempty(&query.status).and_then(|s| ArticleStatus::parse(&s)),
        language: nonempty(&query.language),
        section_id,
        author_id,
        headline_contains: nonempty(&query.q).map(|q| q.chars().take(200).collect()),
        after: match nonempty(&query.after) {
            Some(cursor) => Some(parse_list_cursor(&cursor).ok_or(HttpError::NotFound)?),
            None => None,
        },
        ..Default::default()
    };
    let mut cards = state
        .store
        .article_cards(&filter, ADMIN_PAGE + 1, 0)
        .await?;
    let more = cards.len() as i64 > ADMIN_PAGE;
    cards.truncate(ADMIN_PAGE as usize);
    // The next page keeps the filters and starts after the last row shown.
    let next_url = more
        .then(|| cards.last().map(list_cursor))
        .flatten()
        .map(|cursor| {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in [
                ("status", &query.status),
                ("section", &query.section),
                ("author", &query.author),
                ("language", &query.language),
                ("q", &query.q),
            ] {
                if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                    url.append_pair(key, value);
                }
            }
            url.append_pair("after", &cursor);
            format!("/admin/articles?{}", url.finish())
        });
    let rows = row_views(&state, cards);
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["articles"],
        Some(&staff),
    );
    page.set("rows", rows)
        .set("sections", state.store.sections().await?)
        .set("staff", state.store.all_staff().await?)
        .set(
            "statuses",
            ArticleStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        )
        .set("next_url", next_url)
        .set(
            "filter",
            json!({
                "status": query.status, "section": query.section, "author": query.author,
                "language": query.language, "q": query.q,
            }),
        );
    page.render(&state, "admin/articles.html")
}

/// The editor's fields, from a stored article or from a submitted form.
#[derive(Serialize, Default)]
struct EditorForm {
    id: Option<i64>,
    version: Option<i64>,
    status: ArticleStatus,
    headline: String,
    standfirst: String,
    body: String,
    language: String,
    slug: String,
    section: String,
    tags: String,
    authors: Vec<String>,
    cover_url: String,
    cover_alt: String,
    cover_credit: String,
    sources: Vec<Value>,
    meta_title: String,
    meta_description: String,
    social_image: String,
    translation_of: String,
    public_url: Option<String>,
    scheduled_at: Option<i64>,
}

impl EditorForm {
    fn from_view(state: &AppState, view: &ArticleView) -> Self {
        let a = &view.article;
        EditorForm {
            id: Some(a.id.0),
            version: Some(a.version),
            status: a.status,
            headline: a.headline.clone(),
            standfirst: a.standfirst.clone(),
            body: a.body.clone(),
            language: a.language.clone(),
            slug: a.slug.clone(),
            section: view.section.as_ref().map(|s| s.slug.clone()).unwrap_or_default(),
            tags: view.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
            authors: view.authors.iter().map(|s| s.slug.clone()).collect(),
            cover_url: a.cover_url.clone().unwrap_or_default(),
            cover_alt: a.cover_alt.clone(),
            cover_credit: a.cover_credit.clone(),
            sources: view
                .sources
                .iter()
                .map(|s| json!({ "outlet": s.outlet, "url": s.url.clone().unwrap_or_default(), "citation": s.citation }))
                .collect(),
            meta_title: a.meta_title.clone(),
            meta_description: a.meta_description.clone(),
            social_image: a.social_image_url.clone().unwrap_or_default(),
            translation_of: String::new(),
            public_url: (a.status == ArticleStatus::Published).then(|| state.urls.article_row(a)).flatten(),
            scheduled_at: a.scheduled_at,
        }
    }

    fn from_form(form: &FormData, id: Option<i64>, status: ArticleStatus) -> Self {
        let outlets = form.all("source_outlet");
        let urls = form.all("source_url");
        let citations = form.all("source_citation");
        EditorForm {
            id,
            version: form.get("version").parse().ok(),
            status,
            headline: form.get("headline").to_owned(),
            standfirst: form.get("standfirst").to_owned(),
            body: form.get("body").replace("\r\n", "\n"),
            language: form.get("language").to_owned(),
            slug: form.get("slug").to_owned(),
            section: form.get("section").to_owned(),
            tags: form.get("tags").to_owned(),
            authors: form.all("author").into_iter().map(str::to_owned).collect(),
            cover_url: form.get("cover_url").to_owned(),
            cover_alt: form.get("cover_alt").to_owned(),
            cover_credit: form.get("cover_credit").to_owned(),
            sources: (0..outlets.len())
                .map(|i| {
                    json!({
                        "outlet": outlets[i],
                        "url": urls.get(i).copied().unwrap_or(""),
                        "citation": citations.get(i).copied().unwrap_or(""),
                    })
                })
                .collect(),
            meta_title: form.get("meta_title").to_owned(),
            meta_description: form.get("meta_description").to_owned(),
            social_image: form.get("social_image").to_owned(),
            translation_of: form.get("translation_of").to_owned(),
            public_url: None,
            scheduled_at: None,
        }
    }

    /// What the article service receives. People who write only their own
    /// articles stay in the byline, or they would lock themselves out; a
    /// byline left empty names the person saving.
    fn to_input(&self, staff: &Staff) -> ArticleInput {
        let mut authors = self.authors.clone();
        let writes_only_own = matches!(staff.0.role, Role::Author | Role::Contributor);
        if (writes_only_own || authors.is_empty()) && !authors.contains(&staff.0.slug) {
            authors.insert(0, staff.0.slug.clone());
        }
        let sources = self
            .sources
            .iter()
            .filter_map(|s| {
                let field = |k: &str| s[k].as_str().unwrap_or("").trim().to_owned();
                let (outlet, url, citation) = (field("outlet"), field("url"), field("citation"));
                (!(outlet.is_empty() && url.is_empty() && citation.is_empty())).then(|| {
                    SourceInput {
                        outlet,
                        url: Some(url).filter(|u| !u.is_empty()),
                        citation,
                    }
                })
            })
            .collect();
        ArticleInput {
            headline: Some(self.headline.clone()),
            standfirst: Some(self.standfirst.clone()),
            body: Some(self.body.clone()),
            language: Some(self.language.clone()),
            slug: Some(self.slug.trim().to_owned()).filter(|s| !s.is_empty()),
            section: Some(self.section.clone()),
            tags: Some(
                self.tags
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            ),
            authors: Some(authors),
            cover: Some(CoverInput {
                url: Some(self.cover_url.trim().to_owned()),
                alt: self.cover_alt.clone(),
                credit: self.cover_credit.clone(),
            }),
            sources: Some(sources),
            translation_of: self.translation_of.trim().parse().ok(),
            meta_title: Some(self.meta_title.clone()),
            meta_description: Some(self.meta_description.clone()),
            social_image: Some(self.social_image.clone()),
            version: self.version,
            saved_by_staff: Some(staff.actor()),
        }
    }
}

/// What the signed-in person may do with this article, for the buttons shown.
async fn permissions(
    state: &AppState,
    staff: &Staff,
    view: Option<&ArticleView>,
) -> Result<Value, HttpError> {
    let actor = staff.actor();
    let policy = workflow::site_policy(state).await?;
    let mut out = serde_json::Map::new();
    for (key, action) in [
        ("edit", Action::EditArticle),
        ("submit", Action::SubmitForReview),
        ("return_to_draft", Action::ReturnToDraft),
        ("publish", Action::Publish),
        ("schedule", Action::Schedule),
        ("unpublish", Action::Unpublish),
        ("correct", Action::AddCorrection),
    ] {
        let allowed = match view {
            Some(v) => workflow::allowed_by(&policy, actor, action, Some(v)),
            None => action == Action::EditArticle,
        };
        out.insert(key.into(), json!(allowed));
    }
    Ok(Value::Object(out))
}

async fn render_editor(
    state: &AppState,
    staff: &Staff,
    language: &str,
    form: &EditorForm,
    view: Option<&ArticleView>,
    extra: impl FnOnce(&mut AdminPage),
) -> Result<Response, HttpError> {
    let t = state.locales.get(language).admin_words();
    let title = if form.headline.is_empty() {
        t["new_article"].to_owned()
    } else {
        form.headline.clone()
    };
    let mut page = AdminPage::new(state, language, &title, Some(staff));
    page.set("form", form)
        .set("can", permissions(state, staff, view).await?)
        .set("sections", state.store.sections().await?)
        .set("staff", state.store.all_staff().await?)
        .set("site_languages", &state.config.site.languages)
        .set("timezone", &state.config.site.timezone_name)
        .set(
            "corrections",
            view.map(|v| v.corrections.clone()).unwrap_or_default(),
        )
        .set(
            "translations",
            view.map(|v| v.translations.clone()).unwrap_or_default(),
        );
    if let Some(view) = view {
        page.set("deliveries", delivery_rows(state, &view.article).await?)
            .set("live", state.store.live_page(view.article.id).await?)
            .set(
                "live_updates",
                state.store.live_updates(view.article.id).await?,
            );
    }
    extra(&mut page);
    page.render(state, "admin/editor.html")
}

pub async fn new_article(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    let form = EditorForm {
        language: state.config.site.default_language.clone(),
        status: ArticleStatus::Draft,
        authors: vec![staff.0.slug.clone()],
        sources: vec![json!({ "outlet": "", "url": "", "citation": "" })],
        ..Default::default()
    };
    render_editor(&state, &staff, &language, &form, None, |_| {}).await
}

pub async fn create_article(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    StaffForm(staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let form = EditorForm::from_form(&data, None, ArticleStatus::Draft);
    let saved_by = format!("staff:{}", staff.0.staff_id);
    match service::create_article(&state, form.to_input(&staff), &saved_by).await {
        Ok(view) => Ok(
            Redirect::to(&format!("/admin/articles/{}?saved=1", view.article.id)).into_response(),
        ),
        Err(ServiceError::Validation(errors)) => {
            let mut response = render_editor(&state, &staff, &language, &form, None, |p| {
                p.set("errors", &errors);
            })
            .await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn parse_id(raw: &str) -> Result<ArticleId, HttpError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ArticleId)
        .ok_or(HttpError::NotFound)
}

/// Loads an article the signed-in person may at least view; others get a 404,
/// which does not reveal that it exists.
pub async fn viewable(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
) -> Result<ArticleView, HttpError> {
    let view = state.store.article(id).await?;
    if !workflow::allowed(state, staff.actor(), Action::ViewArticle, Some(&view)).await? {
        return Err(HttpError::NotFound);
    }
    Ok(view)
}

#[derive(Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
    done: Option<String>,
}

pub async fn edit_article(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> Result<Response, HttpError> {
    let view = viewable(&state, &staff, parse_id(&id)?).await?;
    let form = EditorForm::from_view(&state, &view);
    let preview = if view.article.status == ArticleStatus::Published {
        None
    } else {
        Some(
            state
                .urls
                .absolute(&previews::preview_path(&state, view.article.id).await?),
        )
    };
    render_editor(&state, &staff, &language, &form, Some(&view), |p| {
        // Distribution actions say what happened; everything else was a save.
        let done = query.done.as_deref().unwrap_or("");
        let message = match done {
            "newsletter_queued" | "newsletter_already" | "delivery_retry" | "delivery_cancel" => {
                done
            }
            _ => "saved",
        };
        p.set("saved", query.saved.is_some() || query.done.is_some())
            .set("done_message", message)
            .set("preview_link", &preview);
    })
    .await
}

pub async fn save_article(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path(id): Path<String>,
    StaffForm(staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    let view = viewable(&state, &staff, id).await?;
    staff
        .require(&state, Action::EditArticle, Some(&view))
        .await?;
    let mut form = EditorForm::from_form(&data, Some(id.0), view.article.status);
    form.language = view.article.language.clone();
    let saved_by = format!("staff:{}", staff.0.staff_id);
    match service::update_article(&state, id, form.to_input(&staff), &saved_by).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/articles/{}?saved=1", id)).into_response()),
        Err(ServiceError::Validation(errors)) => {
            let mut response = render_editor(&state, &staff, &language, &form, Some(&view), |p| {
                p.set("errors", &errors);
            })
            .await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(ServiceError::Conflict(_)) => {
            // Nothing is overwritten and nothing is lost: the person's text stays in
            // the form, next to what the other person saved.
            let current = state.store.article(id).await?;
            let theirs = EditorForm::from_view(&state, &current);
            form.version = Some(current.article.version);
            let mut response =
                render_editor(&state, &staff, &language, &form, Some(&current), |p| {
                    p.set("conflict", &theirs);
                })
                .await?;
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    Path(id): Path<String>,
    StaffForm(staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let id = parse_id(&id)?;
    viewable(&state, &staff, id).await?;
    let transition = match data.get("action") {
        "submit" => Transition::Submit,
        "return_to_draft" => Transition::ReturnToDraft,
        "publish" => Transition::Publish,
        "unschedule" => Transition::Unschedule,
        "unpublish" => Transition::Unpublish,
        "schedule" => Transition::Schedule {
            at: parse_local_time(&state, data.get("scheduled_at"))?,
        },
        _ => return Err(HttpError::BadRequest("unknown workflow action".into())),
    };
    // The version the person saw; the buttons that put text live require it.
    let seen = data.get("version").parse::<i64>().ok();
    if seen.is_none()
        && matches!(
            transition,
            Transition::Publish | Transition::Schedule { .. }
        )
    {
        return Err(HttpError::Conflict(
            "the form did not say which version you reviewed; reload the article and try again"
                .into(),
        ));
    }
    match workflow::apply(&state, staff.actor(), id, transition, seen).await {
        Ok(_) => {}
        Err(ServiceError::StaleVersion { seen, current }) => {
            let mut page =
                super::history::revisions_page(&state, &staff, &language, id, seen, current)
                    .await?;
            page.set("stale", true);
            return page.render_status(&state, "admin/revisions.html", StatusCode::CONFLICT);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!(
        "/admin/articles/{}?done={}",
        id,
        data.get("action")
    ))
    .into_response())
}

/// Ends every preview link of the article given out so far.
pub async fn revoke_preview_links(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    let (id, _) = article_for(&state, &staff, &id, Action::EditArticle).await?;
    previews::revoke(&state, id).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}?done=previews_revoked")).into_response())
}

/// The article a form was posted about: visible to the person, and
/// `action` allowed on it.
async fn article_for(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: Action,
) -> Result<(ArticleId, ArticleView), HttpError> {
    let id = parse_id(id)?;
    let view = viewable(state, staff, id).await?;
    staff.require(state, action, Some(&view)).await?;
    Ok((id, view))
}

/// Live coverage from the editor: start, add an update, remove one, close.
pub async fn live_action(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    StaffForm(staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let (id, _) = article_for(&state, &staff, &id, Action::AddCorrection).await?;
    match action.as_str() {
        "start" => crate::services::live::start(&state, id).await?,
        "close" => crate::services::live::close(&state, id, data.get("summary")).await?,
        "update" => {
            let input = crate::services::live::UpdateInput {
                body: data.get("body").to_owned(),
                source: data.get("source").to_owned(),
                source_url: data.get("source_url").to_owned(),
                to_telegram: data.get("to_telegram") == "on",
            };
            crate::services::live::add_update(&state, id, Some(staff.0.staff_id), &input).await?;
        }
        "delete" => {
            let update = data
                .get("update")
                .parse::<i64>()
                .map_err(|_| HttpError::NotFound)?;
            crate::services::live::delete_update(&state, id, update).await?;
        }
        _ => return Err(HttpError::NotFound),
    }
    Ok(Redirect::to(&format!("/admin/articles/{id}?done=live#live")).into_response())
}

/// Appends to the public corrections and updates log of a published story.
pub async fn add_correction(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffForm(staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let (id, _) = article_for(&state, &staff, &id, Action::AddCorrection).await?;
    let input = service::CorrectionInput {
        kind: data.get("kind").to_owned(),
        text: data.get("text").to_owned(),
    };
    service::add_correction(&state, id, input).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}?done=correction")).into_response())
}

/// A `datetime-local` value, read in the newsroom's time zone.
fn parse_local_time(state: &AppState, value: &str) -> Result<i64, HttpError> {
    let invalid = || {
        HttpError::Validation(vec![FieldError {
            field: "scheduled_at".into(),
            message: "choose a date and time".into(),
        }])
    };
    let civil: jiff::civil::DateTime = value.trim().parse().map_err(|_| invalid())?;
    let zoned = civil
        .to_zoned(state.config.site.timezone.clone())
        .map_err(|_| invalid())?;
    Ok(zoned.timestamp().as_second())
}

/// Live preview: the same renderer as the public site.
pub async fn preview_body(
    State(state): State<AppState>,
    StaffForm(_staff, data): StaffForm,
) -> Result<Response, HttpError> {
    let html = render_body(data.get("body"), state.locales.get(data.get("language")));
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response())
}

/// The story's deliveries, newest state per channel target first, with
/// what staff can do about each.
async fn delivery_rows(
    state: &AppState,
    article: &crate::store::ArticleRow,
) -> Result<Vec<Value>, HttpError> {
    let deliveries = state.store.article_deliveries(article.id).await?;
    let mut rows = newsletter_rows(state, article).await?;
    rows.extend(deliveries.into_iter().rev().map(|d| {
        json!({
            "id": d.id,
            "channel": d.channel,
            "target": d.target,
            "action": d.action,
            "state": d.state,
            "attempts": d.attempts,
            "error": d.last_error,
            "updated_at": d.updated_at,
            "next_attempt_at": d.next_attempt_at,
            "can_retry": d.state.can_retry(),
            "can_cancel": d.state.can_cancel(),
        })
    }));
    Ok(rows)
}

/// Newsletter issues the story went out in, or its place in the next digest.
async fn newsletter_rows(
    state: &AppState,
    article: &crate::store::ArticleRow,
) -> Result<Vec<Value>, HttpError> {
    let mut rows: Vec<Value> = state
        .store
        .issues_with_article(article.id.0)
        .await?
        .into_iter()
        .map(|issue| {
            let state = if issue.waiting > 0 {
                "pending"
            } else if issue.sent == 0 && issue.failed > 0 {
                "dead"
            } else {
                "sent"
            };
            json!({
                "channel": "newsletter",
                "target": issue.subject,
                "action": if issue.issue_key.starts_with("story:") { "story" } else { "digest" },
                "state": state,
                "attempts": 0,
                "error": "",
                "counts": { "sent": issue.sent, "waiting": issue.waiting, "failed": issue.failed },
                "updated_at": issue.created_at,
            })
        })
        .collect();
    if crate::services::newsletter::in_next_digest(state, article).await? {
        rows.push(json!({
            "channel": "newsletter",
            "target": "",
            "action": "next_digest",
            "state": "pending",
            "attempts": 0,
            "error": "",
            "updated_at": article.published_at,
        }));
    }
    Ok(rows)
}

/// Retry or cancel one delivery; for those who may publish the story.
pub async fn change_delivery(
    State(state): State<AppState>,
    Path((id, action)): Path<(crate::store::DeliveryId, String)>,
    StaffForm(staff, _data): StaffForm,
) -> Result<Response, HttpError> {
    let delivery = state.store.delivery(id).await?;
    let article = ArticleId(delivery.article_id.ok_or(HttpError::NotFound)?);
    let view = viewable(&state, &staff, article).await?;
    staff.require(&state, Action::Publish, Some(&view)).await?;
    let changed = match action.as_str() {
        "retry" => state.store.retry_delivery(id, state.clock.now()).await?,
        "cancel" => state.store.cancel_delivery(id, state.clock.now()).await?,
        _ => return Err(HttpError::NotFound),
    };
    if !changed {
        return Err(HttpError::Conflict(
            "this delivery has moved on meanwhile; reload the page".into(),
        ));
    }
    Ok(Redirect::to(&format!(
        "/admin/articles/{}?done=delivery_{action}#h-distribution",
        article.0
    ))
    .into_response())
}

/// Sends a published story to its language's newsletter subscribers, once.
pub async fn send_newsletter(
    State(state): State<AppState>,
    Path(id): Path<String>,
    StaffForm(staff, _form): StaffForm,
) -> Result<Response, HttpError> {
    let (id, _) = article_for(&state, &staff, &id, Action::Publish).await?;
    let done = match crate::services::newsletter::send_story(&state, id).await? {
        Some(_) => "newsletter_queued",
        None => "newsletter_already",
    };
    Ok(Redirect::to(&format!(
        "/admin/articles/{}?done={done}#h-distribution",
        id.0
    ))
    .into_response())
}
