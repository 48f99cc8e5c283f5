//! Languages as data: every interface word, date, sum and plural comes from
//! Project Fluent files, `locales/<language>/*.ftl`, built into the binary
//! and overridable message by message from a theme's `locales/` folder.
//!
//! Adding a language is adding its folder (to the source tree or the theme)
//! and naming it in `site.languages`. A message a language lacks is taken
//! from English, so a partly translated language still renders whole pages.

mod dates;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use dates::{format_time, local_date, rfc3339};

/// `(language, file name, text)` of every locale file under `locales/`.
const BUILT_IN: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// The language every other one falls back to, message by message.
pub const FALLBACK: &str = "en";

/// Files whose messages templates read as `t.word` and `a.word`.
const SITE_WORDS_FILE: &str = "site.ftl";
const ADMIN_WORDS_FILE: &str = "admin.ftl";

#[derive(Debug, thiserror::Error)]
pub enum LocaleError {
    #[error("{file}: {errors}")]
    Syntax { file: String, errors: String },
    #[error("no locale for language \"{0}\": add locales/{0}/ to the theme or the source tree")]
    Missing(String),
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
}

/// The languages a newsroom can name in `site.languages`: those built in,
/// and those its theme brings.
pub fn available(theme_dir: Option<&Path>) -> BTreeSet<String> {
    let mut languages: BTreeSet<String> = BUILT_IN.iter().map(|(l, ..)| (*l).to_owned()).collect();
    if let Some(dir) = theme_dir
        && let Ok(entries) = std::fs::read_dir(dir.join("locales"))
    {
        languages.extend(
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned()),
        );
    }
    languages
}

/// The locales of a newsroom's languages, loaded once at start.
pub struct Locales {
    by_language: BTreeMap<String, Locale>,
    default_language: String,
}

impl Locales {
    pub fn load(
        languages: &[String],
        default_language: &str,
        theme_dir: Option<&Path>,
    ) -> Result<Self, LocaleError> {
        let mut by_language = BTreeMap::new();
        for language in languages {
            by_language.insert(language.clone(), Locale::load(language, theme_dir)?);
        }
        if !by_language.contains_key(default_language) {
            by_language.insert(
                default_language.to_owned(),
                Locale::load(default_language, theme_dir)?,
            );
        }
        Ok(Locales {
            by_language,
            default_language: default_language.to_owned(),
        })
    }

    /// A language's own name: "Українська", "English", "Polski".
    pub fn language_name(&self, language: &str) -> String {
        self.get(language).text("language_name")
    }

    /// A language's locale; a language the site does not publish in gets
    /// the default one.
    pub fn get(&self, language: &str) -> &Locale {
        self.by_language
            .get(language)
            .or_else(|| self.by_language.get(&self.default_language))
            .or_else(|| self.by_language.values().next())
            .unwrap_or_else(|| unreachable_locale())
    }
}

/// `Locales::load` always holds the default language, so this is never
/// reached; it keeps `get` total without a panic path in the types.
fn unreachable_locale() -> &'static Locale {
    static EMPTY: std::sync::OnceLock<Locale> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Locale::empty(FALLBACK))
}

/// One language: its Fluent bundle (with English beneath it) and the words
/// templates read, resolved once.
pub struct Locale {
    code: String,
    bundle: FluentBundle<FluentResource>,
    site_words: Words,
    admin_words: Words,
    /// People's names in another script are transliterated for this language.
    script: String,
}

impl Locale {
    fn empty(code: &str) -> Self {
        Locale {
            code: code.to_owned(),
            bundle: new_bundle(code),
            site_words: Words::default(),
            admin_words: Words::default(),
            script: "Latn".into(),
        }
    }

    /// A language as built into the binary, without a theme (tools, tests).
    pub fn built_in(code: &str) -> Result<Self, LocaleError> {
        Self::load(code, None)
    }

    fn load(code: &str, theme_dir: Option<&Path>) -> Result<Self, LocaleError> {
        let mut sources: Vec<(String, String, String)> = Vec::new();
        // English first, the language over it, the theme over both.
        let layers: &[&str] = if code == FALLBACK {
            &[FALLBACK]
        } else {
            &[FALLBACK, code]
        };
        for language in layers {
            for (l, name, text) in BUILT_IN {
                if l == language {
                    sources.push((
                        (*name).to_owned(),
                        format!("locales/{l}/{name}"),
                        (*text).to_owned(),
                    ));
                }
            }
        }
        let built_in_here = BUILT_IN.iter().any(|(l, ..)| *l == code);
        let mut from_theme = false;
        if let Some(dir) = theme_dir {
            for path in theme_files(&dir.join("locales").join(code)) {
                let text = std::fs::read_to_string(&path).map_err(|source| LocaleError::Read {
                    file: path.display().to_string(),
                    source,
                })?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                sources.push((name, path.display().to_string(), text));
                from_theme = true;
            }
        }
        if !built_in_here && !from_theme {
            return Err(LocaleError::Missing(code.to_owned()));
        }
        let mut bundle = new_bundle(code);
        let mut site_ids = BTreeSet::new();
        let mut admin_ids = BTreeSet::new();
        for (name, file, text) in sources {
            let resource = parse(&file, text)?;
            let ids = message_ids(&resource);
            match name.as_str() {
                SITE_WORDS_FILE => site_ids.extend(ids),
                ADMIN_WORDS_FILE => admin_ids.extend(ids),
                _ => {}
            }
            bundle.add_resource_overriding(resource);
        }
        let mut locale = Locale {
            code: code.to_owned(),
            bundle,
            site_words: Words::default(),
            admin_words: Words::default(),
            script: String::new(),
        };
        // Messages that take arguments are for `format`, not for the maps.
        let plain = |ids: &BTreeSet<String>| -> Words {
            Words(
                ids.iter()
                    .filter_map(|id| Some((id.clone(), locale.resolve(id, None)?)))
                    .collect(),
            )
        };
        let (site_words, admin_words) = (plain(&site_ids), plain(&admin_ids));
        locale.site_words = site_words;
        locale.admin_words = admin_words;
        locale.script = locale.text("script");
        Ok(locale)
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The public site's words, as templates read them (`t.word`).
    pub fn site_words(&self) -> &Words {
        &self.site_words
    }

    /// The admin's words (`a.word`).
    pub fn admin_words(&self) -> &Words {
        &self.admin_words
    }

    /// Whether people's names written in `script` are shown as written.
    pub fn writes_in(&self, script: &str) -> bool {
        self.script == script
    }

    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// A message without arguments.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// A message with arguments; numbers pick their plural form by the
    /// language's CLDR rules.
    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(language = %self.code, message = id, "no such message");
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(*text)),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(language = %self.code, message = id, ?errors, "message formatted with errors");
        }
        text.into_owned()
    }

    /// A message that needs no arguments; `None` if it is missing or needs some.
    fn resolve(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }

    /// A count in words: "5 статей", "5 stories", "5 artykułów".
    pub fn count(&self, id: &str, count: i64) -> String {
        self.format(id, &[("count", Arg::Number(count))])
    }
}

/// Words without arguments, resolved once: `words["home"]`. A missing word
/// reads as empty (a test holds every template's words to the locales).
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Words(BTreeMap<String, String>);

impl Words {
    pub fn contains_key(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
}

impl std::ops::Index<&str> for Words {
    type Output = str;

    fn index(&self, id: &str) -> &str {
        self.0.get(id).map_or("", String::as_str)
    }
}

/// An argument of a message.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(text)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(text)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

fn new_bundle(code: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks around every argument would end up in HTML
    // attributes, email subjects and Telegram posts.
    bundle.set_use_isolating(false);
    bundle
}

fn parse(file: &str, text: String) -> Result<FluentResource, LocaleError> {
    FluentResource::try_new(text).map_err(|(_, errors)| LocaleError::Syntax {
        file: file.to_owned(),
        errors: errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

fn theme_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests;
