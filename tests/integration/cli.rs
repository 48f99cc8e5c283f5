//! The `newsdesk` binary as an operator uses it.

use std::process::Command;

use axum::body::Body;
use axum::http::{Method, StatusCode};

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

fn newsdesk(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(args)
        .env_remove("NEWSDESK_LISTEN")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

on_both_backends!(commands_work_beside_a_running_server);

async fn commands_work_beside_a_running_server(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let db = app.database_url.clone();
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            newsdesk(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
    };

    let (code, out, err) = run(vec!["migrate".into(), "--database-url".into(), db.clone()])
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("up to date"));

    let (code, out, err) = run(vec![
        "key".into(),
        "create".into(),
        "--name".into(),
        "importer".into(),
        "--database-url".into(),
        db.clone(),
    ])
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let key = out
        .lines()
        .find(|l| l.starts_with("nd_"))
        .unwrap()
        .to_owned();
    let auth = format!("Bearer {key}");
    let listed = app
        .request(
            Method::GET,
            "/api/admin/sections",
            &[("authorization", &auth)],
            Body::empty(),
        )
        .await;
    assert_eq!(
        listed.status,
        StatusCode::OK,
        "the printed key works on the running server"
    );
    let (code, out, err) = run(vec![
        "key".into(),
        "list".into(),
        "--database-url".into(),
        db.clone(),
    ])
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("importer"))
        .unwrap()
        .to_owned();
    assert!(line.contains("content:read,content:write"), "{line}");
    assert!(
        !line.contains("donations"),
        "donors are not in a key by default"
    );
    let id = line.split_whitespace().next().unwrap().to_owned();
    let (code, _, err) = run(vec![
        "key".into(),
        "revoke".into(),
        id,
        "--database-url".into(),
        db.clone(),
    ])
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let after = app
        .request(
            Method::GET,
            "/api/admin/sections",
            &[("authorization", &auth)],
            Body::empty(),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "revoked at once");

    let (code, out, err) = run(vec![
        "staff".into(),
        "add".into(),
        "--email".into(),
        "New.Reporter@Example.com".into(),
        "--name".into(),
        "Оксана Петренко".into(),
        "--role".into(),
        "author".into(),
        "--database-url".into(),
        db.clone(),
    ])
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("one-time password: "));
    let staff = app
        .state
        .store
        .staff_by_email("new.reporter@example.com")
        .await
        .unwrap();
    assert_eq!(staff.slug, "oksana-petrenko");
    assert_eq!(staff.role.as_str(), "author");

    let (code, _, err) = run(vec![
        "staff".into(),
        "add".into(),
        "--email".into(),
        "new.reporter@example.com".into(),
        "--name".into(),
        "Twin".into(),
        "--role".into(),
        "author".into(),
        "--database-url".into(),
        db.clone(),
    ])
    .await
    .unwrap();
    assert_eq!(code, 2);
    assert!(
        err.contains("--email") && err.contains("already exists"),
        "{err}"
    );
    let (code, _, err) = run(vec![
        "staff".into(),
        "add".into(),
        "--email".into(),
        "x@example.com".into(),
        "--name".into(),
        "X".into(),
        "--role".into(),
        "king".into(),
        "--database-url".into(),
        db,
    ])
    .await
    .unwrap();
    assert_eq!(code, 2);
    assert!(err.contains("--role"), "{err}");
}

#[test]
fn help_lists_every_subcommand() {
    let (code, out, _) = newsdesk(&["--help"]);
    assert_eq!(code, 0);
    // The names listed under "Commands:", not words found anywhere (the
    // `--config` option must not stand in for the `config` command).
    let commands: Vec<&str> = out
        .split_once("Commands:")
        .and_then(|(_, rest)| rest.split_once("Options:"))
        .map(|(list, _)| list)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    for command in [
        "serve", "migrate", "staff", "key", "config", "demo", "export", "import", "payments",
    ] {
        assert!(
            commands.contains(&command),
            "{command} in --help: {commands:?}"
        );
    }
    let (_, serve_help, _) = newsdesk(&["serve", "--help"]);
    for option in [
        "--demo",
        "--listen",
        "--data-dir",
        "--database-url",
        "--config",
    ] {
        assert!(serve_help.contains(option), "{option} in serve --help");
    }
}

#[test]
fn a_wrong_config_value_is_one_clear_line_and_exit_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(["serve"])
        .env("NEWSDESK_SITE_PAGE_SIZE", "lots")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("site.page_size") && err.contains("lots") && err.contains("whole number"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    let (code, _, err) = newsdesk(&["migrate", "--database-url", "mysql://db"]);
    assert_eq!(code, 2);
    assert!(err.contains("database.url"), "{err}");
    let (code, _, err) = newsdesk(&["migrate", "--config", "/nonexistent/newsdesk.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let (code, out, _) = newsdesk(&["config"]);
    assert_eq!(code, 0);
    assert!(out.contains("NEWSDESK_DATABASE_URL"));
    toml::from_str::<toml::Table>(&out).unwrap();
}

#[test]
fn an_import_is_tried_dry_then_refuses_a_broken_file_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("newsdesk-cli-import-{}", rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let export = crate::util::shared_fixture("wordpress/themeunittestdata.wordpress.xml");
    let (code, out, err) = newsdesk(&[
        "import",
        "wordpress",
        export.to_str().unwrap(),
        "--dry-run",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(out.contains("would create 58 stories"), "{out}");
    assert!(
        err.is_empty(),
        "a clean run writes nothing to stderr: {err}"
    );

    let broken = dir.join("broken.xml");
    std::fs::write(
        &broken,
        "<rss><channel><wp:wxr_version>1.2</wp:wxr_version><item>",
    )
    .unwrap();
    let (code, out, err) = newsdesk(&[
        "import",
        "wordpress",
        broken.to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
    assert!(err.contains("rss/channel/item"), "{err}");
    let (code, _, err) = newsdesk(&[
        "import",
        "ghost",
        dir.join("missing.json").to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");

    // Out to one archive and into another, empty, data directory.
    let (code, _, err) = newsdesk(&[
        "staff",
        "add",
        "--email",
        "o@example.org",
        "--name",
        "Owner",
        "--role",
        "owner",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 0, "{err}");
    let archive = dir.join("newsroom.tar.gz");
    let (code, out, err) = newsdesk(&["export", archive.to_str().unwrap(), "--data-dir", data]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote"), "{out}");
    let copy = dir.join("copy");
    let copy = copy.to_str().unwrap();
    let (code, out, err) = newsdesk(&[
        "import",
        "newsdesk",
        archive.to_str().unwrap(),
        "--data-dir",
        copy,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("restored"), "{out}");
    let (code, _, err) = newsdesk(&[
        "import",
        "newsdesk",
        archive.to_str().unwrap(),
        "--data-dir",
        copy,
    ]);
    assert_eq!(code, 2, "a second restore over a newsroom is refused");
    assert!(err.contains("already holds a newsroom"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
