//! The demo newsroom: staff, sections and about forty original stories in
//! Ukrainian and English, written for newsdesk (see `newsroom.toml`).
//!
//! Seeding happens once per database; later starts find the marker and
//! leave everything, including the newsroom's own edits, alone.

pub mod generate;

use std::collections::HashMap;

use serde::Deserialize;

use crate::app::AppState;
use crate::content::slug::slugify;
use crate::services::staff::{generate_password, hash_password};
use crate::store::{ArticleStatus, ArticleWrite, NewStaff, Role, Source, StaffId, TagId};

const NEWSROOM: &str = include_str!("newsroom.toml");
const SEEDED_MARKER: &str = "demo.seeded";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Newsroom {
    sections: Vec<DemoSection>,
    staff: Vec<DemoStaff>,
    stories: Vec<DemoStory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSection {
    slug: String,
    uk: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStaff {
    name: String,
    email: String,
    role: String,
    bio: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStory {
    section: String,
    /// Staff emails, in byline order.
    authors: Vec<String>,
    /// How long before seeding the story was published.
    hours_ago: f64,
    #[serde(default)]
    cover: Option<String>,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    sources: Vec<DemoSource>,
    #[serde(default)]
    corrections: Vec<DemoCorrection>,
    uk: Option<DemoText>,
    en: Option<DemoText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoText {
    headline: String,
    standfirst: String,
    body: String,
    #[serde(default)]
    cover_alt: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSource {
    outlet: String,
    url: Option<String>,
    uk: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCorrection {
    kind: String,
    hours_after: f64,
    uk: String,
    en: String,
}

/// Seeds the demo newsroom unless this database already has it. Returns the
/// staff password when one was generated, so the caller can show it once.
pub async fn seed(state: &AppState) -> anyhow::Result<Option<String>> {
    let newsroom: Newsroom = toml::from_str(NEWSROOM)?;
    if !state.store.claim_setting(SEEDED_MARKER, "seeding").await? {
        tracing::info!("demo newsroom already present");
        if let Some(password) = &state.config.demo_password {
            set_staff_passwords(state, &newsroom, password).await?;
        }
        return Ok(None);
    }
    match seed_newsroom(state, &newsroom).await {
        Ok(count) => {
            tracing::info!(articles = count, "demo newsroom seeded");
            let (password, generated) = match &state.config.demo_password {
                Some(p) => (p.clone(), None),
                None => {
                    let p = generate_password();
                    (p.clone(), Some(p))
                }
            };
            set_staff_passwords(state, &newsroom, &password).await?;
            Ok(generated)
        }
        Err(err) => {
            // Let the next start try again rather than leave a half-seeded marker.
            let _ = state.store.delete_setting(SEEDED_MARKER).await;
            Err(err)
        }
    }
}

/// Every demo account gets the same password: this is a demo.
async fn set_staff_passwords(
    state: &AppState,
    newsroom: &Newsroom,
    password: &str,
) -> anyhow::Result<()> {
    let hash = hash_password(password)?;
    for member in &newsroom.staff {
        let staff = state.store.staff_by_email(&member.email).await?;
        state.store.set_password(staff.id, &hash, false).await?;
    }
    Ok(())
}

/// Only the demo's sections and staff (each with `password`), no stories:
/// a newsroom for tests that write their own.
pub async fn seed_staff(state: &AppState, password: &str) -> anyhow::Result<()> {
    let newsroom: Newsroom = toml::from_str(NEWSROOM)?;
    seed_sections_and_staff(state, &newsroom).await?;
    set_staff_passwords(state, &newsroom, password).await
}

type SeededIds = (
    HashMap<String, crate::store::SectionId>,
    HashMap<String, StaffId>,
);

async fn seed_sections_and_staff(
    state: &AppState,
    newsroom: &Newsroom,
) -> anyhow::Result<SeededIds> {
    let store = &state.store;
    let start = state.clock.now();
    let mut sections = HashMap::new();
    for (position, s) in newsroom.sections.iter().enumerate() {
        let section = match store.section_by_slug(&s.slug).await {
            Ok(existing) => existing,
            Err(_) => {
                store
                    .insert_section(&s.slug, &[("uk", &s.uk), ("en", &s.en)], position as i64)
                    .await?
            }
        };
        sections.insert(s.slug.clone(), section.id);
    }
    let mut staff: HashMap<String, StaffId> = HashMap::new();
    for member in &newsroom.staff {
        let existing = store.staff_by_email(&member.email).await;
        let id = match existing {
            Ok(found) => found.id,
            Err(_) => {
                let role = Role::parse(&member.role)
                    .ok_or_else(|| anyhow::anyhow!("demo role {}", member.role))?;
                store
                    .insert_staff(
                        &NewStaff {
                            email: member.email.clone(),
                            name: member.name.clone(),
                            slug: slugify(&member.name),
                            bio: member.bio.clone(),
                            role,
                            password_hash: None,
                            password_must_change: false,
                        },
                        start,
                    )
                    .await?
                    .id
            }
        };
        staff.insert(member.email.clone(), id);
    }
    Ok((sections, staff))
}

async fn seed_newsroom(state: &AppState, newsroom: &Newsroom) -> anyhow::Result<usize> {
    let store = &state.store;
    let start = state.clock.now();
    let (sections, staff) = seed_sections_and_staff(state, newsroom).await?;
    let mut count = 0;
    for story in &newsroom.stories {
        let published_at = start - (story.hours_ago * 3600.0) as i64;
        let group = hex::encode(rand::random::<[u8; 12]>());
        for (language, text) in [("uk", &story.uk), ("en", &story.en)] {
            let Some(text) = text else { continue };
            if !state.config.site.languages.iter().any(|l| l == language) {
                continue;
            }
            let mut tag_ids: Vec<TagId> = Vec::new();
            for name in &text.tags {
                tag_ids.push(store.ensure_tag(&slugify(name), name).await?.id);
            }
            let last_correction = story
                .corrections
                .iter()
                .map(|c| published_at + (c.hours_after * 3600.0) as i64)
                .max();
            let write = ArticleWrite {
                translation_group: group.clone(),
                language: language.into(),
                slug: slugify(&text.headline),
                headline: text.headline.clone(),
                standfirst: text.standfirst.clone(),
                body: text.body.trim().to_owned(),
                cover_url: story.cover.clone(),
                cover_alt: text.cover_alt.clone(),
                cover_credit: story.credit.clone(),
                section_id: sections.get(&story.section).copied(),
                status: ArticleStatus::Published,
                meta_title: String::new(),
                meta_description: String::new(),
                social_image_url: None,
                published_at: Some(published_at),
                content_updated_at: last_correction,
                scheduled_at: None,
                author_ids: story
                    .authors
                    .iter()
                    .filter_map(|e| staff.get(e).copied())
                    .collect(),
                tag_ids,
                sources: story
                    .sources
                    .iter()
                    .map(|s| Source {
                        outlet: s.outlet.clone(),
                        url: s.url.clone(),
                        citation: if language == "uk" {
                            s.uk.clone()
                        } else {
                            s.en.clone()
                        },
                    })
                    .collect(),
                as_history: true,
            };
            let id = store
                .insert_history_article(&write, "demo", published_at)
                .await?;
            for correction in &story.corrections {
                let body = if language == "uk" {
                    &correction.uk
                } else {
                    &correction.en
                };
                let at = published_at + (correction.hours_after * 3600.0) as i64;
                store.add_correction(id, &correction.kind, body, at).await?;
            }
            count += 1;
        }
    }
    store.delete_setting(SEEDED_MARKER).await?;
    store
        .claim_setting(SEEDED_MARKER, &start.to_string())
        .await?;
    crate::services::stories_replaced(state).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_newsroom_is_complete() {
        let newsroom: Newsroom = toml::from_str(NEWSROOM).unwrap();
        let articles: usize = newsroom
            .stories
            .iter()
            .map(|s| usize::from(s.uk.is_some()) + usize::from(s.en.is_some()))
            .sum();
        assert!((36..=48).contains(&articles), "{articles} articles");
        assert!((4..=5).contains(&newsroom.sections.len()));
        for role in [
            "owner@example.com",
            "editor@example.com",
            "author@example.com",
            "contributor@example.com",
        ] {
            assert!(newsroom.staff.iter().any(|s| s.email == role), "{role}");
        }
        for story in &newsroom.stories {
            assert!(!story.sources.is_empty(), "every demo story has sources");
            assert!(
                newsroom.sections.iter().any(|s| s.slug == story.section),
                "{}",
                story.section
            );
            for author in &story.authors {
                assert!(
                    newsroom.staff.iter().any(|s| s.email == *author),
                    "{author}"
                );
            }
        }
        let bodies: String = newsroom
            .stories
            .iter()
            .flat_map(|s| [s.uk.as_ref(), s.en.as_ref()])
            .flatten()
            .map(|t| t.body.as_str())
            .collect();
        for host in ["youtube.com/watch", "tiktok.com/@", "x.com/", "t.me/"] {
            assert!(bodies.contains(host), "an embed of {host}");
        }
        assert!(
            newsroom
                .stories
                .iter()
                .filter(|s| !s.corrections.is_empty())
                .count()
                >= 3
        );
    }
}
