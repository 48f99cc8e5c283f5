//! Page templates: built into the binary, each overridable by a file of the
//! same name in the configured theme folder.

use std::path::PathBuf;
use std::sync::Arc;

use minijinja::{Environment, Value};

use crate::config::SiteConfig;
use crate::i18n::{self, Arg, Locales};
use crate::urls::Urls;

/// Every template of the built-in theme, embedded in the binary.
macro_rules! built_in {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const BUILT_IN: &[(&str, &str)] = built_in![
    "base.html",
    "macros.html",
    "home.html",
    "article.html",
    "live_update.html",
    "list.html",
    "search.html",
    "verify.html",
    "page.html",
    "error.html",
    "rss.xml",
    "atom.xml",
    "sitemap.xml",
    "sitemap_index.xml",
    "news_sitemap.xml",
    "support.html",
    "transparency.html",
    "sandbox.html",
    "thanks.html",
    "newsletter.html",
    "newsletter_form.html",
    "videos.html",
    "liqpay.html",
    "donor_request.html",
    "donor.html",
    "admin/base.html",
    "admin/_list.html",
    "admin/sign_in.html",
    "admin/dashboard.html",
    "admin/distribution.html",
    "admin/articles.html",
    "admin/editor.html",
    "admin/account.html",
    "admin/revisions.html",
    "admin/media.html",
    "admin/password_reset.html",
    "admin/password_set.html",
    "admin/staff.html",
    "admin/settings.html",
    "admin/code.html",
    "admin/two_factor.html",
    "admin/funding.html",
    "admin/pages.html",
    "admin/page_editor.html",
    "admin/webhooks.html",
    "admin/audit.html",
    "admin/sections.html",
    "email/confirm.txt",
    "email/issue.txt",
    "email/issue.html",
    "email/receipt.txt",
    "email/password_reset.txt",
    "email/invitation.txt",
    "email/two_factor_locked.txt",
];

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    pub fn new(site: &SiteConfig, urls: Urls, locales: Arc<Locales>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        let theme_dir: Option<PathBuf> = site.theme_dir.clone();
        env.set_loader(move |name| {
            if let Some(dir) = &theme_dir {
                // Names come from our own code, but never let one leave the theme folder.
                if !name.contains("..") && !name.starts_with('/') {
                    let path = dir.join(name);
                    if path.is_file() {
                        return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                            minijinja::Error::new(
                                minijinja::ErrorKind::InvalidOperation,
                                "cannot read theme file",
                            )
                            .with_source(e)
                        });
                    }
                }
            }
            Ok(BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| (*src).to_owned()))
        });
        env.set_formatter(escape_without_slashes);
        // In tests and debug builds a missing value may be tested (`{% if x
        // %}`) but never printed, iterated or looked into, so a misspelt
        // name fails a test. A release build renders it blank rather than
        // fail a reader's page.
        env.set_undefined_behavior(if cfg!(debug_assertions) {
            minijinja::UndefinedBehavior::SemiStrict
        } else {
            minijinja::UndefinedBehavior::Lenient
        });
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let (tz, words) = (site.timezone.clone(), locales.clone());
        env.add_filter("date", move |ts: i64, language: String| {
            words.get(&language).date(ts, &tz)
        });
        let (tz, words) = (site.timezone.clone(), locales.clone());
        env.add_filter("datetime", move |ts: i64, language: String| {
            words.get(&language).datetime(ts, &tz)
        });
        let tz = site.timezone.clone();
        env.add_filter("time", move |ts: i64| i18n::format_time(ts, &tz));
        // `{{ tr("stories_count", count=n) }}`: a message with arguments in
        // the page's language (`lang`), plural forms included.
        let words = locales.clone();
        env.add_function(
            "tr",
            move |state: &minijinja::State<'_, '_>,
                  id: String,
                  kwargs: minijinja::value::Kwargs| {
                let language = state
                    .lookup("lang")
                    .and_then(|l| l.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let mut texts = Vec::new();
                let mut numbers = Vec::new();
                for name in kwargs.args() {
                    let value: Value = kwargs.get(name)?;
                    match i64::try_from(value.clone()) {
                        Ok(n) => numbers.push((name, n)),
                        Err(_) => texts.push((name, value.to_string())),
                    }
                }
                let mut args: Vec<(&str, Arg<'_>)> = Vec::new();
                args.extend(numbers.iter().map(|(k, n)| (*k, Arg::Number(*n))));
                args.extend(texts.iter().map(|(k, t)| (*k, Arg::Text(t))));
                Ok::<_, minijinja::Error>(words.get(&language).format(&id, &args))
            },
        );
        env.add_filter("iso", |ts: i64| {
            jiff::Timestamp::from_second(ts)
                .map(|t| t.to_string())
                .unwrap_or_default()
        });
        let tz = site.timezone.clone();
        env.add_filter("rfc2822", move |ts: i64| {
            jiff::Timestamp::from_second(ts)
                .ok()
                .and_then(|t| jiff::fmt::rfc2822::to_string(&t.to_zoned(tz.clone())).ok())
                .unwrap_or_default()
        });
        let absolute = urls.clone();
        env.add_filter("absolute", move |path: String| absolute.absolute(&path));
        env.add_global("site_name", Value::from(site.name.clone()));
        env.add_global("base_url", Value::from(urls.base_url().to_owned()));
        // Load every built-in template now so a broken theme fails at start, not on a reader.
        for (name, _) in BUILT_IN {
            env.get_template(name)?;
        }
        Ok(Templates { env: Arc::new(env) })
    }

    /// Whether a template exists, built in or in the theme.
    pub fn has(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}

/// minijinja's HTML escaping also rewrites `/` as `&#x2f;`, which bloats every
/// URL in a page and its feeds. Escaping `& < > " '` is what HTML and XML need.
fn escape_without_slashes(
    out: &mut minijinja::Output<'_>,
    state: &minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if state.auto_escape() != minijinja::AutoEscape::None && !value.is_safe() => {
            let mut last = 0;
            for (i, c) in text.char_indices() {
                let replacement = match c {
                    '&' => "&amp;",
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '"' => "&quot;",
                    '\'' => "&#39;",
                    _ => continue,
                };
                out.write_str(&text[last..i])?;
                out.write_str(replacement)?;
                last = i + 1;
            }
            out.write_str(&text[last..])?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};

    /// Every `t.word` and `a.word` a template prints exists in every
    /// language, including templates no other test renders.
    #[test]
    fn every_interface_word_a_template_names_exists() {
        let mut missing = Vec::new();
        for (name, source) in BUILT_IN {
            let locales = test_locales();
            for (prefix, words) in [
                ("t.", locales.get("uk").site_words()),
                ("t.", locales.get("en").site_words()),
                ("t.", locales.get("pl").site_words()),
                ("a.", locales.get("uk").admin_words()),
                ("a.", locales.get("en").admin_words()),
            ] {
                // Where the template binds the name to something else
                // (`{% for t in translations %}`), it is not the words.
                let bound = &prefix[..1];
                if [
                    format!("for {bound} in"),
                    format!("set {bound} ="),
                    format!("({bound},"),
                    format!("({bound})"),
                ]
                .iter()
                .any(|binding| source.contains(binding.as_str()))
                {
                    continue;
                }
                for (at, _) in source.match_indices(prefix) {
                    let before = source[..at].chars().next_back();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                        continue;
                    }
                    let word: String = source[at + 2..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !word.is_empty() && !words.contains_key(&word) {
                        missing.push(format!("{name}: {prefix}{word}"));
                    }
                }
            }
        }
        missing.dedup();
        assert!(missing.is_empty(), "missing words: {missing:#?}");
    }

    fn test_locales() -> Locales {
        let languages = ["uk", "en", "pl"].map(String::from);
        Locales::load(&languages, "uk", None).unwrap()
    }

    fn test_templates() -> Templates {
        let config = Config::load_from(&Overrides::default(), &Default::default()).unwrap();
        Templates::new(
            &config.site,
            Urls::new("http://x", "uk", config.site.timezone.clone()),
            Arc::new(test_locales()),
        )
        .unwrap()
    }

    /// Messages with arguments read the page's language and plural rules.
    #[test]
    fn templates_count_in_the_page_s_language() {
        let templates = test_templates();
        let template = templates
            .env
            .template_from_named_str("c.html", "{{ tr(\"stories_count\", count=n) }}")
            .unwrap();
        let render = |lang: &str, n: i64| template.render(minijinja::context! { lang, n }).unwrap();
        assert_eq!(render("uk", 3), "3 матеріали");
        assert_eq!(render("pl", 5), "5 artykułów");
        assert_eq!(render("en", 1), "1 story");
    }

    #[test]
    fn escapes_markup_but_keeps_urls_readable() {
        let templates = test_templates();
        let out = templates
            .env
            .template_from_named_str("t.html", "<a href=\"{{ u }}\">{{ h }}</a>")
            .unwrap()
            .render(
                minijinja::context! { u => "/a/b?x=1&y=\"2\"", h => "<script>alert('x')</script>" },
            )
            .unwrap();
        assert_eq!(
            out,
            "<a href=\"/a/b?x=1&amp;y=&quot;2&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</a>"
        );
    }
}
