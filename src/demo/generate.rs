//! `newsdesk demo generate --articles N`: a large archive for benchmarks and
//! tests — bilingual stories spread over years, in every section, with
//! tags and bylines, written straight to the store in batches.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::app::AppState;
use crate::content::slug::slugify;
use crate::store::GeneratedArticle;

const UK_WORDS: &[&str] = &[
    "уряд",
    "уряду",
    "урядом",
    "енергетика",
    "енергосистеми",
    "підстанція",
    "відновлення",
    "фінансування",
    "партнери",
    "джерела",
    "повідомляє",
    "міста",
    "лікарні",
    "волонтери",
    "ремонт",
    "рішення",
    "тисяч",
    "держава",
    "бюджет",
    "депутати",
    "сесія",
    "громада",
    "школа",
    "вчителі",
    "дороги",
    "мости",
    "залізниця",
    "зерно",
    "експорт",
    "банк",
];
const EN_WORDS: &[&str] = &[
    "government",
    "energy",
    "grid",
    "substation",
    "recovery",
    "funding",
    "partners",
    "sources",
    "reports",
    "cities",
    "hospitals",
    "volunteers",
    "repairs",
    "decision",
    "thousands",
    "state",
    "budget",
    "deputies",
    "session",
    "community",
    "school",
    "teachers",
    "roads",
    "bridges",
    "railway",
    "grain",
    "exports",
    "bank",
];

fn sentence(rng: &mut StdRng, words: &[&str], length: usize) -> String {
    let text: Vec<&str> = (0..length)
        .map(|_| words[rng.random_range(0..words.len())])
        .collect();
    let mut text = text.join(" ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text + "."
}

/// Adds `count` published stories (half of them as uk/en translation pairs)
/// over the last `years` years. Needs the demo newsroom (sections, staff).
pub async fn generate(state: &AppState, count: usize, seed: u64) -> anyhow::Result<usize> {
    let sections = state.store.sections().await?;
    let staff = state.store.all_staff().await?;
    anyhow::ensure!(
        !sections.is_empty() && !staff.is_empty(),
        "seed the demo newsroom first (newsdesk serve --demo, or demo generate seeds it)"
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tags = Vec::new();
    for n in 0..120 {
        let name = format!("{} {n}", UK_WORDS[n % UK_WORDS.len()]);
        tags.push(state.store.ensure_tag(&slugify(&name), &name).await?.id);
    }
    let span = 10 * 365 * 86_400;
    let start = state.clock.now() - span;
    let mut written = 0;
    let mut batch = Vec::with_capacity(500);
    let mut n = 0usize;
    while written + batch.len() < count {
        n += 1;
        let published_at = start + (span as f64 * n as f64 / count.max(1) as f64) as i64;
        let group = format!("gen-{seed}-{n}");
        let section = sections[rng.random_range(0..sections.len())].id;
        let author = staff[rng.random_range(0..staff.len())].id;
        let story_tags = (0..rng.random_range(1..4))
            .map(|_| tags[rng.random_range(0..tags.len())])
            .collect::<Vec<_>>();
        let languages: &[(&str, &[&str])] = if n.is_multiple_of(2) {
            &[("uk", UK_WORDS), ("en", EN_WORDS)]
        } else {
            &[("uk", UK_WORDS)]
        };
        for (language, words) in languages {
            if written + batch.len() >= count {
                break;
            }
            let headline = sentence(&mut rng, words, 9)
                .trim_end_matches('.')
                .to_owned();
            let paragraphs: Vec<String> = (0..rng.random_range(6..12))
                .map(|_| {
                    (0..4)
                        .map(|_| sentence(&mut rng, words, 12))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            batch.push(GeneratedArticle {
                translation_group: group.clone(),
                language: (*language).to_owned(),
                slug: format!(
                    "{}-{n}",
                    slugify(&headline).chars().take(60).collect::<String>()
                ),
                headline,
                standfirst: sentence(&mut rng, words, 20),
                body: paragraphs.join("\n\n"),
                section_id: section,
                author_id: author,
                tag_ids: story_tags.clone(),
                published_at,
            });
        }
        if batch.len() >= 500 {
            written += state.store.insert_generated(&batch).await?;
            batch.clear();
        }
    }
    written += state.store.insert_generated(&batch).await?;
    crate::services::stories_replaced(state).await?;
    Ok(written)
}
