//! Distribution at a glance: which channels are on, what waits, what failed
//! and needs a person, and how the newsletter is doing.

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::session::Staff;
use super::{AdminLang, AdminPage};
use crate::app::AppState;
use crate::http::error::HttpError;
use crate::services::fediverse;
use crate::services::policy::Action;

pub async fn show_distribution(
    State(state): State<AppState>,
    AdminLang(language): AdminLang,
    staff: Staff,
) -> Result<Response, HttpError> {
    staff.require(&state, Action::Publish, None).await?;
    let config = &state.config.distribution;
    let mut problems = Vec::new();
    for delivery in state.store.problem_deliveries(50).await? {
        let headline = match delivery.article_id {
            Some(id) => state
                .store
                .article_row(crate::store::ArticleId(id))
                .await
                .map(|a| a.headline)
                .unwrap_or_default(),
            None => String::new(),
        };
        problems.push(json!({ "delivery": delivery, "headline": headline }));
    }
    let channels = json!({
        "telegram": config.telegram.as_ref().map(|t| t.channels.iter().map(|(l, c)| format!("{c} ({l})")).collect::<Vec<_>>()),
        "x": config.x.is_some(),
        "fediverse": config.fediverse_username.as_ref().map(|name| format!("@{name}@{}", fediverse::domain(&state))),
        "followers": state.store.follower_count().await?,
        "digest_hour": state.config.site.languages.iter().map(|l| format!("{}:00 ({l})", config.digest_hour.get(l))).collect::<Vec<_>>().join(", "),
        "youtube": config.videos.youtube_channel_id,
        "tiktok": config.videos.tiktok_urls.len(),
    });
    let mut page = AdminPage::new(
        &state,
        &language,
        &state.locales.get(&language).admin_words()["distribution"],
        Some(&staff),
    );
    page.set("channels", channels)
        .set("counts", state.store.delivery_counts().await?)
        .set("problems", problems)
        .set("subscribers", state.store.subscriber_counts().await?)
        .set("issues", state.store.recent_issues(20).await?);
    page.render(&state, "admin/distribution.html")
}
