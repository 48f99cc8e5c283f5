//! The dashboard: what was published today, what is scheduled, what waits for review.

use axum::extract::State;
use axum::response::Response;

use super::articles::article_rows;
use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::store::{ArticleFilter, ArticleStatus, Role};

pub async fn show_dashboard(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    let tz = &state.config.site.timezone;
    let today_start = jiff::Timestamp::from_second(state.clock.now())
        .map_err(HttpError::internal)?
        .to_zoned(tz.clone())
        .start_of_day()
        .map_err(HttpError::internal)?
        .timestamp()
        .as_second();
    // Authors and contributors see their own work; editors and owners see the newsroom's.
    let mine = matches!(staff.0.role, Role::Author | Role::Contributor).then_some(staff.0.staff_id);
    let list = |status: ArticleStatus, from: Option<i64>| ArticleFilter {
        status: Some(status),
        published_from: from,
        author_id: mine,
        ..Default::default()
    };
    let published = article_rows(
        &state,
        &list(ArticleStatus::Published, Some(today_start)),
        50,
    )
    .await?;
    let scheduled = article_rows(&state, &list(ArticleStatus::Scheduled, None), 50).await?;
    let in_review = article_rows(&state, &list(ArticleStatus::InReview, None), 50).await?;
    let drafts = article_rows(&state, &list(ArticleStatus::Draft, None), 20).await?;
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["dashboard"],
        Some(&staff),
    );
    page.set("published", published)
        .set("scheduled", scheduled)
        .set("in_review", in_review)
        .set("drafts", drafts);
    page.render(&state, "admin/dashboard.html")
}
