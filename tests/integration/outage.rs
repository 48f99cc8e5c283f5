//! The database goes away and comes back: readers keep the pages the node
//! holds, everything else gets a styled 503 at once, `/healthz` and the
//! admin say so, and the node recovers by itself. PostgreSQL is a cluster
//! of the test's own, stopped and started again (never the shared server);
//! SQLite is a file that becomes unreadable and then readable again.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::util::{AdminSession, Backend, TestApp};

/// A PostgreSQL cluster in a temporary folder, on a port of its own.
struct ThrowawayPostgres {
    folder: PathBuf,
    port: u16,
    bin: PathBuf,
}

impl ThrowawayPostgres {
    fn start() -> ThrowawayPostgres {
        let bin = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
            .expect("pg_config (PostgreSQL's server packages) is needed");
        let folder = std::env::temp_dir().join(format!(
            "newsdesk-own-cluster-{:08x}",
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&folder).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = ThrowawayPostgres { folder, port, bin };
        // PostgreSQL refuses to run as root: it runs as its own user then.
        if running_as_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.folder));
        }
        run(cluster
            .command("initdb")
            .args(["-U", "postgres", "--auth=trust", "--no-sync", "-D"])
            .arg(cluster.folder.join("data")));
        cluster.resume();
        cluster
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.folder.display()
        );
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-o", &options, "-l"])
            .arg(self.folder.join("log"))
            .args(["-w", "start"]));
    }

    fn stop(&self) {
        run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "fast", "-w", "stop"]));
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn run(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `/healthz` is public: a flood of it shares one question to the database.
#[tokio::test]
async fn a_flood_of_health_checks_asks_the_database_once() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::with_demo(backend).await;
        let before = app.state.store.health().times_asked();
        let answers = futures_util::future::join_all((0..100).map(|_| app.get("/healthz"))).await;
        assert!(answers.iter().all(|a| a.body.starts_with("ok")));
        let asked = app.state.store.health().times_asked() - before;
        assert!(
            asked <= 2,
            "{backend:?}: asked {asked} times for 100 checks"
        );
    }
}

#[tokio::test]
async fn a_postgres_server_stopped_and_started_again() {
    let cluster = ThrowawayPostgres::start();
    let app = TestApp::with_demo_on(&cluster.url()).await;
    let editor = app.sign_in("editor@example.com").await;
    let home = app.page("/").await;

    cluster.stop();
    survives_the_outage(&app, &editor, &home).await;
    cluster.resume();
    recovers(&app, &editor).await;
}

#[tokio::test]
async fn an_sqlite_file_that_becomes_unreadable_and_readable_again() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let editor = app.sign_in("editor@example.com").await;
    let home = app.page("/").await;

    let file = app.data_dir.join("newsdesk.db");
    let bytes = std::fs::read(&file).unwrap();
    // The same file, every byte gone: what a failing disk leaves.
    std::fs::write(&file, vec![0u8; bytes.len()]).unwrap();
    survives_the_outage(&app, &editor, &home).await;
    std::fs::write(&file, &bytes).unwrap();
    recovers(&app, &editor).await;
}

async fn survives_the_outage(app: &TestApp, editor: &AdminSession, home: &str) {
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "kept in rotation");
    assert!(health.body.starts_with("degraded"), "{}", health.body);

    let cached = app.get("/").await;
    assert_eq!(cached.status, StatusCode::OK, "readers keep what is cached");
    assert_eq!(cached.body, home);

    let started = Instant::now();
    let uncached = app.get("/section/news").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered at once, not after waiting for a connection"
    );
    assert_eq!(uncached.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(uncached.header("retry-after").parse::<u32>().is_ok());
    assert!(uncached.header("content-type").starts_with("text/html"));
    assert!(
        uncached.body.contains("Щось пішло не так"),
        "{}",
        uncached.body
    );

    let started = Instant::now();
    let search = app.get("/search?q=%D0%B1%D1%83%D1%80%D1%96").await;
    assert!(started.elapsed() < Duration::from_secs(1), "search too");
    assert_eq!(search.status, StatusCode::SERVICE_UNAVAILABLE);

    let admin = app.admin_get(editor, "/admin").await;
    assert_eq!(admin.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        admin.body.contains("База даних не відповідає"),
        "the admin says so: {}",
        admin.body
    );
}

async fn recovers(app: &TestApp, editor: &AdminSession) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = app.get("/healthz").await;
        if health.body.starts_with("ok") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never recovered: {}",
            health.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.get("/section/news").await.status, StatusCode::OK);
    let admin = app.admin_get(editor, "/admin").await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(
        admin.body.contains("База даних не відповідала з"),
        "staff learn of the outage: {}",
        admin.body
    );
}
