//! Signed story versions: each published version is signed, chained to the
//! one before, listed publicly, checked by an independent verifier (PyNaCl,
//! written from docs/SIGNING.md alone), by `newsdesk verify`, and on /verify.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::util::{ArticleBuilder, Backend, TestApp};

on_both_backends!(published_versions_are_signed_chained_and_checkable_by_anyone);

/// Runs the independent Python verifier; (exit code, what it printed).
pub(crate) fn python_verify(dir: &std::path::Path, files: &[(&str, &str)]) -> (i32, String) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let python = std::env::var("NEWSDESK_TEST_PYTHON").unwrap_or("python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/signing/verify.py");
    let output = std::process::Command::new(&python)
        .arg(script)
        .args(files.iter().map(|(name, _)| dir.join(name)))
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !said.contains("ModuleNotFoundError"),
        "PyNaCl is missing (scripts/test installs it into target/test-python): {said}"
    );
    (output.status.code().unwrap_or(-1), said)
}

fn newsdesk_verify(args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

async fn published_versions_are_signed_chained_and_checkable_by_anyone(backend: Backend) {
    let mut app = TestApp::with_newsroom(backend, &[]).await;
    let story = app
        .publish(
            ArticleBuilder::new("Міст через Дніпро відкрили")
                .body("Міст відкрили у вівторок зранку, сказав мер.\n\nРух запустять за тиждень.")
                .json(),
        )
        .await;
    let id = story["id"].as_i64().unwrap();
    let path = TestApp::path_of(story["url"].as_str().unwrap());

    // The page links its signed versions and the check.
    let page = app.page(&path).await;
    assert!(page.contains(&format!("href=\"{path}.versions.json\"")));
    assert!(page.contains(&format!("href=\"{path}.signed.json\"")));
    assert!(page.contains("/verify?q=http"));

    let keys = app.get("/.well-known/newsdesk-keys.json").await;
    assert_eq!(keys.status, StatusCode::OK);
    assert_eq!(keys.header("access-control-allow-origin"), "*");
    let key_list: Value = keys.json();
    assert_eq!(key_list["keys"][0]["algorithm"], "Ed25519");
    let v1 = app.get(&format!("{path}.signed.json")).await;
    assert_eq!(v1.status, StatusCode::OK);
    let v1_json: Value = v1.json();
    assert_eq!(v1_json["format"], "newsdesk-signed-story/1");
    assert_eq!(v1_json["story"]["version"], 1);
    assert_eq!(v1_json["story"]["previous_sha256"], Value::Null);
    assert!(
        v1_json["story"]["body"]
            .as_str()
            .unwrap()
            .contains("у вівторок")
    );

    // A save that changes nothing readers see makes no version; an edit makes version 2.
    let unchanged = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "meta_description": "Опис для пошуковиків" })),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::OK, "{}", unchanged.body);
    let edited = app
        .api(
            Method::PATCH,
            &format!("/api/admin/articles/{id}"),
            Some(json!({ "body": "Міст відкрили у середу зранку, сказав мер.\n\nРух запустять за тиждень." })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let corrected = app
        .api(
            Method::POST,
            &format!("/api/admin/articles/{id}/corrections"),
            Some(
                json!({ "kind": "correction", "text": "Міст відкрили в середу, а не у вівторок." }),
            ),
        )
        .await;
    assert!(corrected.status.is_success(), "{}", corrected.body);
    let versions: Value = app.get(&format!("{path}.versions.json")).await.json();
    let numbers: Vec<i64> = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3], "the meta description made no version");
    let v2 = app.get(&format!("{path}.v2.signed.json")).await.body;
    let v3 = app.get(&format!("{path}.signed.json")).await.body;
    let v3_json: Value = serde_json::from_str(&v3).unwrap();
    assert_eq!(
        v3_json["story"]["corrections"][0]["text"], "Міст відкрили в середу, а не у вівторок.",
        "the corrections log is signed"
    );
    assert_eq!(
        app.get(&format!("{path}.v9.signed.json")).await.status,
        StatusCode::NOT_FOUND
    );

    // An independent verifier agrees, and sees the chain; a forgery fails everywhere.
    let dir = app.data_dir.join("verify");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, said) = python_verify(
        &dir,
        &[
            ("keys.json", &keys.body),
            ("v2.json", &v2),
            ("v1.json", &v1.body),
        ],
    );
    assert_eq!(code, 0, "{said}");
    assert!(said.starts_with("genuine 2 "), "{said}");
    let v2_json: Value = serde_json::from_str(&v2).unwrap();
    let v1_sha =
        said_sha(&python_verify(&dir, &[("keys.json", &keys.body), ("v1.json", &v1.body)]).1);
    assert_eq!(v2_json["story"]["previous_sha256"], v1_sha.as_str());
    let forged = v3.replace("у середу", "у четвер");
    let (code, said) = python_verify(&dir, &[("keys.json", &keys.body), ("forged.json", &forged)]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("bad signature"), "{said}");
    let (code, said) = python_verify(
        &dir,
        &[
            ("keys.json", &keys.body),
            ("v3.json", &v3),
            ("v1.json", &v1.body),
        ],
    );
    assert_eq!(code, 1, "v1 is not v3's previous version: {said}");

    // `newsdesk verify` offline, against the saved key file.
    let keys_file = dir.join("keys.json").display().to_string();
    let (code, said) = newsdesk_verify(&[
        &dir.join("v3.json").display().to_string(),
        "--keys",
        &keys_file,
    ]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("genuine: version 3"), "{said}");
    let (code, said) = newsdesk_verify(&[
        &dir.join("forged.json").display().to_string(),
        "--keys",
        &keys_file,
    ]);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("NOT GENUINE"), "{said}");

    // A new key: the old one is retired but still verifies what it signed.
    let rotated = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .arg("rotate-signing-key")
        .args(["--database-url", &app.database_url])
        .args(["--data-dir", &app.data_dir.display().to_string()])
        .output()
        .unwrap();
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let (second, _) = app.second_node().await;
    assert_ne!(second.signing.key_id(), app.state.signing.key_id());
    let after = newsdesk::services::signing::published_keys(&second)
        .await
        .unwrap();
    assert_eq!(after["keys"].as_array().unwrap().len(), 2);
    let old = after["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == app.state.signing.key_id())
        .unwrap();
    assert!(old["retired_at"].is_string(), "{after}");
    let (code, said) = python_verify(&dir, &[("keys.json", &after.to_string()), ("v3.json", &v3)]);
    assert_eq!(code, 0, "{said}");

    // /verify: by link, by a quote still there, by one a later version changed, and a fake.
    let ask = |q: &str| {
        let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        format!("/verify?q={encoded}")
    };
    let by_link = app
        .get(&ask(&format!("http://news.example.org{path}")))
        .await;
    assert_eq!(by_link.status, StatusCode::OK);
    assert!(
        by_link.body.contains("Ми це опублікували."),
        "{}",
        by_link.body
    );
    assert!(by_link.body.contains(&format!("{path}.v3.signed.json")));
    let current = app.get(&ask("«Рух запустять  за тиждень»")).await;
    assert!(
        current.body.contains("Ми це опублікували."),
        "{}",
        current.body
    );
    let changed = app
        .get(&ask("Міст відкрили у вівторок зранку, сказав мер"))
        .await;
    assert!(
        changed
            .body
            .contains("Ми це опублікували, але пізніша версія матеріалу це змінила."),
        "{}",
        changed.body
    );
    assert!(
        changed
            .body
            .contains("<del>Міст відкрили у вівторок зранку, сказав мер.</del>")
    );
    assert!(
        changed
            .body
            .contains("<ins>Міст відкрили у середу зранку, сказав мер.</ins>")
    );
    assert!(
        changed
            .body
            .contains("Міст відкрили в середу, а не у вівторок.")
    );
    let fake = app
        .get(&ask("Міст через Дніпро закрили назавжди, сказав мер"))
        .await;
    assert!(
        fake.body.contains("Ми не знайшли нашого матеріалу"),
        "{}",
        fake.body
    );
}

fn said_sha(said: &str) -> String {
    said.split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_owned()
}
