use super::*;

fn built_in_languages() -> Vec<String> {
    available(None).into_iter().collect()
}

fn ids_of(language: &str, file: &str) -> BTreeSet<String> {
    BUILT_IN
        .iter()
        .filter(|(l, name, _)| *l == language && *name == file)
        .flat_map(|(_, name, text)| {
            let resource = parse(name, (*text).to_owned()).unwrap();
            message_ids(&resource)
        })
        .collect()
}

/// Every built-in locale parses, and holds every message English has in the
/// files readers see. Ukrainian and English are complete, admin included; a
/// newer language may leave the admin to English.
#[test]
fn every_built_in_locale_parses_and_is_complete() {
    let languages = built_in_languages();
    assert!(languages.len() >= 3, "{languages:?}");
    for language in &languages {
        Locale::load(language, None).unwrap();
        let files: &[&str] = if ["uk", "en"].contains(&language.as_str()) {
            &["site.ftl", "admin.ftl", "language.ftl", "messages.ftl"]
        } else {
            &["site.ftl", "language.ftl", "messages.ftl"]
        };
        for file in files {
            let english = ids_of(FALLBACK, file);
            let own = ids_of(language, file);
            let missing: Vec<_> = english.difference(&own).collect();
            let stray: Vec<_> = own.difference(&english).collect();
            assert!(missing.is_empty(), "{language}/{file} lacks {missing:?}");
            assert!(stray.is_empty(), "{language}/{file} has unknown {stray:?}");
        }
    }
}

#[test]
fn counts_follow_each_language_s_plural_rules() {
    let uk = Locale::load("uk", None).unwrap();
    let words: Vec<_> = [1, 2, 5, 11, 21, 22, 25]
        .iter()
        .map(|n| uk.count("stories_count", *n))
        .collect();
    assert_eq!(
        words,
        [
            "1 матеріал",
            "2 матеріали",
            "5 матеріалів",
            "11 матеріалів",
            "21 матеріал",
            "22 матеріали",
            "25 матеріалів"
        ]
    );
    let pl = Locale::load("pl", None).unwrap();
    let words: Vec<_> = [1, 2, 5, 12, 22, 21]
        .iter()
        .map(|n| pl.count("stories_count", *n))
        .collect();
    assert_eq!(
        words,
        [
            "1 artykuł",
            "2 artykuły",
            "5 artykułów",
            "12 artykułów",
            "22 artykuły",
            "21 artykułów"
        ]
    );
    let en = Locale::load("en", None).unwrap();
    assert_eq!(en.count("stories_count", 1), "1 story");
    assert_eq!(en.count("stories_count", 21), "21 stories");
}

#[test]
fn dates_read_naturally() {
    let tz = TimeZone::get("Europe/Kyiv").unwrap();
    let uk = Locale::load("uk", None).unwrap();
    let en = Locale::load("en", None).unwrap();
    let pl = Locale::load("pl", None).unwrap();
    // 2026-11-25 12:05:00 UTC is 14:05 in Kyiv.
    let ts = 1_795_608_300;
    assert_eq!(uk.datetime(ts, &tz), "25 листопада 2026, 14:05");
    assert_eq!(en.datetime(ts, &tz), "25 November 2026, 14:05");
    assert_eq!(pl.date(ts, &tz), "25 listopada 2026");
    assert_eq!(uk.day_heading(ts, ts + 3600, &tz), "Сьогодні");
    assert_eq!(en.day_heading(ts - 86_400, ts, &tz), "Yesterday");
    assert_eq!(
        uk.day_heading(ts - 2 * 86_400, ts, &tz),
        "понеділок, 23 листопада"
    );
    assert_eq!(
        pl.day_heading(ts - 2 * 86_400, ts, &tz),
        "poniedziałek, 23 listopada"
    );
}

/// A theme changes single words of a built-in language, and brings a
/// language of its own; what that one lacks comes from English.
#[test]
fn a_theme_overrides_words_and_adds_a_language() {
    let theme = std::env::temp_dir().join(format!("newsdesk-locales-{}", std::process::id()));
    std::fs::create_dir_all(theme.join("locales/uk")).unwrap();
    std::fs::create_dir_all(theme.join("locales/crh")).unwrap();
    std::fs::write(theme.join("locales/uk/site.ftl"), "home = На початок\n").unwrap();
    std::fs::write(
        theme.join("locales/crh/site.ftl"),
        "home = Baş saife\nsearch = Qıdıruv\n",
    )
    .unwrap();
    std::fs::write(
        theme.join("locales/crh/language.ftl"),
        "language_name = Qırımtatarca\n",
    )
    .unwrap();
    assert!(available(Some(&theme)).contains("crh"));
    let languages = ["uk".to_owned(), "crh".to_owned()];
    let locales = Locales::load(&languages, "uk", Some(&theme)).unwrap();
    let uk = locales.get("uk");
    assert_eq!(&uk.site_words()["home"], "На початок");
    assert_eq!(&uk.site_words()["search"], "Пошук");
    let crh = locales.get("crh");
    assert_eq!(&crh.site_words()["home"], "Baş saife");
    assert_eq!(&crh.site_words()["older"], "Older stories");
    assert_eq!(crh.text("language_name"), "Qırımtatarca");
    // A language nobody has a folder for is refused by name.
    let unknown = ["xx".to_owned()];
    let err = Locales::load(&unknown, "xx", Some(&theme))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("\"xx\""), "{err}");
    // A broken file names itself.
    std::fs::write(theme.join("locales/crh/site.ftl"), "home = {\n").unwrap();
    let err = Locales::load(&languages, "uk", Some(&theme))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("site.ftl"), "{err}");
    std::fs::remove_dir_all(&theme).unwrap();
}

use jiff::tz::TimeZone;
use std::path::Path;

/// Every message the code or a template asks for by name exists in English
/// (and so, by the completeness test, in every complete language): a typo
/// in `locale.text("…")` or `tr("…")` fails here, not on a reader's page.
#[test]
fn every_message_the_code_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let english = Locale::built_in(FALLBACK).unwrap();
    let mut sources = Vec::new();
    let mut folders = vec![root.join("src"), root.join("templates")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e != "ftl") {
                sources.push((
                    path.clone(),
                    std::fs::read_to_string(&path).unwrap_or_default(),
                ));
            }
        }
    }
    let mut named = 0;
    let mut missing = Vec::new();
    for (path, text) in &sources {
        let rust = path.extension().is_some_and(|e| e == "rs");
        let callers: &[&str] = if rust {
            &[".text(\"", ".format(\"", ".count(\""]
        } else {
            &["tr(\""]
        };
        for caller in callers {
            for (at, _) in text.match_indices(caller) {
                // In Rust, only calls on a locale (`locale.text`, `locales.get(l).text`).
                let mut from = at.saturating_sub(60);
                while !text.is_char_boundary(from) {
                    from -= 1;
                }
                let before = &text[from..at];
                if rust && !before.contains("locale") {
                    continue;
                }
                let id: String = text[at + caller.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // Built names (`month_{}`, `embed_title_{}`) are checked below.
                if id.is_empty() || text[at + caller.len() + id.len()..].starts_with('{') {
                    continue;
                }
                named += 1;
                if !english.has(&id) {
                    missing.push(format!(
                        "{}: {id}",
                        path.strip_prefix(root).unwrap_or(path).display()
                    ));
                }
            }
        }
    }
    assert!(named > 20, "the scan found only {named} names");
    for built in (1..=12)
        .map(|m| format!("month_{m}"))
        .chain((1..=7).map(|d| format!("weekday_{d}")))
        .chain(["youtube", "tiktok", "x", "telegram"].map(|p| format!("embed_title_{p}")))
        .chain(["uah", "eur", "usd"].map(|c| format!("money_{c}")))
    {
        if !english.has(&built) {
            missing.push(built);
        }
    }
    assert!(
        missing.is_empty(),
        "messages that do not exist: {missing:#?}"
    );
}
