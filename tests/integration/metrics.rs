//! What an operator watches: `/metrics` on its own address, and JSON logs
//! whose lines carry each request's id. Runs the real binary.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::on_both_backends;
use crate::util::{Backend, TestApp};

on_both_backends!(a_node_reports_metrics_apart_and_logs_each_request_by_its_id);

/// The node process, stopped even when an assertion fails first.
struct Node(std::process::Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn a_node_reports_metrics_apart_and_logs_each_request_by_its_id(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (site_port, metrics_port) = (free_port(), free_port());
    let data_dir = app.data_dir.join("node");
    let log_file = app.data_dir.join("node.log");
    let node = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(["serve", "--database-url", &app.database_url])
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{site_port}")])
        .env(
            "NEWSDESK_METRICS_LISTEN",
            format!("127.0.0.1:{metrics_port}"),
        )
        .env("NEWSDESK_LOG_FORMAT", "json")
        .env("NEWSDESK_LOG", "info,tower_http=debug")
        .stderr(std::fs::File::create(&log_file).unwrap())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut node = Node(node);
    let site = format!("http://127.0.0.1:{site_port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{site}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "{}", std::fs::read_to_string(&log_file).unwrap());

    let first = client.get(format!("{site}/")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let id = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 16, "{id}");
    let forged = client
        .get(format!("{site}/"))
        .header("x-request-id", "chosen-by-a-stranger")
        .send()
        .await
        .unwrap();
    let second_id = forged.headers()["x-request-id"].to_str().unwrap();
    assert!(second_id != id && second_id != "chosen-by-a-stranger");
    assert_eq!(
        client
            .get(format!("{site}/no-such-page"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .request(
                reqwest::Method::from_bytes(b"BREW").unwrap(),
                format!("{site}/")
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
            / 100,
        4
    );
    // Not on the public site.
    assert_eq!(
        client
            .get(format!("{site}/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let scrape = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    for line in [
        "newsdesk_http_requests_total{route=\"/\",method=\"GET\",status=\"2xx\"} 2",
        // The static pages' pattern: a path nobody published is one of those.
        "newsdesk_http_requests_total{route=\"/{slug}\",method=\"GET\",status=\"4xx\"} 2",
        "newsdesk_http_requests_total{route=\"/\",method=\"other\",status=\"4xx\"} 1",
        "newsdesk_page_cache_hits_total 1",
        // The home page once, and the two pages not found (looked up too).
        "newsdesk_page_cache_misses_total 3",
        "newsdesk_page_render_duration_seconds_count 3",
        "newsdesk_http_request_duration_seconds_bucket{le=\"0.0005\",route=\"/\"}",
        "newsdesk_database_connections{state=\"idle\"}",
        "newsdesk_search_index_ready",
        "newsdesk_work_items{kind=\"outbox_events\",state=\"waiting\"} 0",
        "# EOF",
    ] {
        assert!(text.contains(line), "{line} not in\n{text}");
    }
    assert!(!text.contains("no-such-page"), "paths never become labels");

    node.0.kill().unwrap();
    node.0.wait().unwrap();
    let log = std::fs::read_to_string(&log_file).unwrap();
    let line = log
        .lines()
        .find(|line| line.contains(&id))
        .unwrap_or_else(|| panic!("no log line names {id}:\n{log}"));
    let parsed: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(parsed["span"]["request_id"], id.as_str(), "{line}");
    assert_eq!(parsed["span"]["uri"], "/", "{line}");
}
