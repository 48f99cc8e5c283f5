//! The `newsdesk` command line: one binary, one subcommand per role.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::app::AppState;
use crate::config::{Config, ConfigError, Overrides};
use crate::services::{ServiceError, api_keys, staff};

#[derive(Parser, Debug)]
#[command(
    name = "newsdesk",
    version,
    about = "Publishing platform for independent newsrooms"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Directory for the SQLite database and media [default: ./data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<String>,
    /// sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data dir]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// TOML configuration file (see `newsdesk config`)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server
    Serve {
        /// Seed the demo newsroom on first start (safe to repeat)
        #[arg(long)]
        demo: bool,
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Apply database migrations and exit
    Migrate,
    /// Manage newsroom staff
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Manage Admin API keys
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Print a documented example configuration file
    Config,
    /// The demo newsroom
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Back up a SQLite newsroom while it serves: database and media into DIR
    Backup {
        /// A new or empty folder
        dir: std::path::PathBuf,
    },
    /// Put a backup back into the data folder, which must hold no newsroom yet
    Restore {
        /// The folder `newsdesk backup` wrote
        dir: std::path::PathBuf,
    },
    /// Copy a media folder (by default DATA_DIR/media) into the configured
    /// media store: the step from one server's disk to a shared bucket
    PushMedia {
        /// The folder to copy from
        #[arg(long)]
        from: Option<std::path::PathBuf>,
    },
    /// Check a signed story version (a saved .signed.json, or a story's URL)
    /// against the newsroom's public keys; exit 0 only if it is genuine
    Verify {
        /// A file, or an https URL of a story or of its .signed.json
        target: String,
        /// The newsroom's keys, saved from /.well-known/newsdesk-keys.json
        /// (needed for files; URLs fetch them from the same site when omitted)
        #[arg(long)]
        keys: Option<std::path::PathBuf>,
    },
    /// Replace the newsroom's signing key: the old one is retired (it still
    /// verifies what it signed) and kept beside the new one
    RotateSigningKey,
    /// Write the public site as static files (pages, feeds, sitemaps,
    /// media, signed versions) for any static host or bucket to serve
    Mirror {
        /// The folder to write into
        dir: Option<std::path::PathBuf>,
        /// An S3-compatible bucket instead (s3://bucket/prefix), reached
        /// with the media.s3_* settings
        #[arg(long)]
        to: Option<String>,
        /// Keep running, applying each change within seconds
        #[arg(long)]
        watch: bool,
    },
    /// Write the whole newsroom to one archive (.tar.gz) to move out or keep
    Export {
        /// The archive to write
        file: std::path::PathBuf,
    },
    /// Move a newsroom in from WordPress or Ghost, keeping its old links working
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Reader payments
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// An archive of `newsdesk export`, into an empty database
    Newsdesk {
        /// The .tar.gz file
        file: std::path::PathBuf,
    },
    /// A WordPress export (Tools → Export → All content; WXR .xml)
    Wordpress {
        /// The .xml file
        file: std::path::PathBuf,
        #[command(flatten)]
        options: ImportArgs,
    },
    /// A Ghost export (Settings → Labs/Migration → Export; .json)
    Ghost {
        /// The .json file
        file: std::path::PathBuf,
        #[command(flatten)]
        options: ImportArgs,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// Print what would be created, redirected and skipped; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// File every story in this language [default: from the file, and
    /// Ukrainian for Cyrillic text when the site has Ukrainian]
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,
    /// A copy of the old site's uploads (wp-content/uploads, or Ghost's
    /// content/images): images found there are moved in and re-encoded
    #[arg(long, value_name = "DIR")]
    pub media_from: Option<std::path::PathBuf>,
    /// Download images the folder does not have from their addresses in the
    /// file (public addresses only, at most 15 MB each)
    #[arg(long)]
    pub fetch_media: bool,
    /// WordPress: nested categories become sections too (by default they become tags)
    #[arg(long)]
    pub nested_categories_as_sections: bool,
    /// Ghost: keep every tag a tag (by default a story's first tag is its section)
    #[arg(long)]
    pub no_tag_sections: bool,
    /// Ghost: members who agreed to email become newsletter subscribers
    #[arg(long)]
    pub members: bool,
}

#[derive(Subcommand, Debug)]
pub enum PaymentsCommand {
    /// Ask Stripe and LiqPay what happened and record anything a lost webhook missed
    Reconcile {
        /// Look back to this day (YYYY-MM-DD) [default: three days ago]
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add a staff member and print their one-time password
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// owner, editor, author or contributor
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// Add a large archive of generated stories (for benchmarks and tests)
    Generate {
        /// How many stories
        #[arg(long)]
        articles: usize,
        /// Seed of the generator, so two runs write the same archive
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Create an Admin API key and print it (it is shown only once)
    Create {
        #[arg(long)]
        name: String,
        /// Comma-separated: content:read, content:write, donations:read
        #[arg(long, default_value = "content:read,content:write")]
        scopes: String,
    },
    /// List keys: id, name, scopes, when made, last used, revoked
    List,
    /// Revoke a key at once
    Revoke {
        /// The key's id, as `key list` shows it
        id: i64,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    if let Command::Config = cli.command {
        print!("{}", Config::example_toml());
        return ExitCode::SUCCESS;
    }
    if let Command::Verify { target, keys } = &cli.command {
        return verify(target, keys.as_deref());
    }
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        config_file: cli.common.config.clone().map(Into::into),
        listen,
        data_dir: cli.common.data_dir.clone(),
        database_url: cli.common.database_url.clone(),
    };
    let config = match Config::load(&overrides) {
        Ok(config) => config,
        Err(err) => return config_failure(&err),
    };
    init_tracing(matches!(cli.command, Command::Serve { .. }));
    let Some(runtime) = runtime(tokio::runtime::Builder::new_multi_thread()) else {
        return ExitCode::FAILURE;
    };
    match runtime.block_on(execute(cli.command, config)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The async runtime a command runs on; `None` (said on stderr) when it cannot start.
fn runtime(mut builder: tokio::runtime::Builder) -> Option<tokio::runtime::Runtime> {
    match builder.enable_all().build() {
        Ok(rt) => Some(rt),
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            None
        }
    }
}

/// `newsdesk verify`: needs no configuration, only the document and the keys.
fn verify(target: &str, keys: Option<&std::path::Path>) -> ExitCode {
    let Some(runtime) = runtime(tokio::runtime::Builder::new_current_thread()) else {
        return ExitCode::FAILURE;
    };
    let fetched = runtime.block_on(async {
        let remote = target.starts_with("https://") || target.starts_with("http://");
        let client = crate::integrations::http::provider_client()?;
        let get = |url: String| {
            let client = client.clone();
            async move {
                let response = client.get(&url).send().await?.error_for_status()?;
                anyhow::Ok(response.text().await?)
            }
        };
        let document = if remote {
            let url = if target.ends_with(".json") {
                target.to_owned()
            } else {
                format!("{}.signed.json", target.trim_end_matches('/'))
            };
            get(url).await?
        } else {
            std::fs::read_to_string(target)?
        };
        let keys = match (keys, remote) {
            (Some(file), _) => std::fs::read_to_string(file)?,
            (None, true) => {
                let url = url::Url::parse(target)?.join("/.well-known/newsdesk-keys.json")?;
                get(url.to_string()).await?
            }
            (None, false) => anyhow::bail!(
                "give the newsroom's keys with --keys FILE (saved from its /.well-known/newsdesk-keys.json)"
            ),
        };
        anyhow::Ok((document, keys))
    });
    let (document, keys) = match fetched {
        Ok(both) => both,
        Err(err) => {
            eprintln!("newsdesk: {err:#}");
            return ExitCode::from(2);
        }
    };
    #[derive(serde::Deserialize)]
    struct KeyList {
        keys: Vec<crate::services::signing::TrustedKey>,
    }
    let Ok(list) = serde_json::from_str::<KeyList>(&keys) else {
        eprintln!("newsdesk: the key list is not a newsdesk-keys.json");
        return ExitCode::from(2);
    };
    match crate::services::signing::verify_document(&document, &list.keys) {
        Ok(verified) => {
            let story = &verified.story;
            if story.get("text").is_some() {
                println!(
                    "genuine: live update {} of {}\nat {}: {}\nsigned with key {}",
                    story["id"],
                    story["story_url"].as_str().unwrap_or_default(),
                    story["at"].as_str().unwrap_or_default(),
                    story["text"].as_str().unwrap_or_default(),
                    verified.key_id
                );
                return ExitCode::SUCCESS;
            }
            println!(
                "genuine: version {} of {}\nheadline: {}\nsigned {} with key {}\nsha256 {}",
                story["version"],
                story["url"].as_str().unwrap_or_default(),
                story["headline"].as_str().unwrap_or_default(),
                story["signed_at"].as_str().unwrap_or_default(),
                verified.key_id,
                verified.story_sha256
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("NOT GENUINE: {err}");
            ExitCode::FAILURE
        }
    }
}

fn config_failure(err: &ConfigError) -> ExitCode {
    eprintln!("{err}");
    ExitCode::from(2)
}

fn init_tracing(serving: bool) {
    let default = if serving {
        "info,sqlx=warn,tower_http=warn,html5ever=error"
    } else {
        "warn,html5ever=error"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NEWSDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("NEWSDESK_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn execute(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { demo, .. } => serve(config, demo).await,
        Command::Migrate => {
            let state = AppState::new(config).await?;
            println!("database is up to date");
            state.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff {
            command: StaffCommand::Add { email, name, role },
        } => {
            let state = AppState::new(config).await?;
            let input = staff::NewStaffInput {
                email,
                name,
                role,
                bio: String::new(),
            };
            match staff::add_staff(&state, input).await {
                Ok((member, password)) => {
                    println!(
                        "added {} <{}> as {}",
                        member.name, member.email, member.role
                    );
                    println!("one-time password: {password}");
                    println!("they must choose a new password at first sign-in");
                    Ok(ExitCode::SUCCESS)
                }
                Err(ServiceError::Validation(fields)) => {
                    for field in fields {
                        eprintln!("error: --{}: {}", field.field, field.message);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(other) => Err(other.into()),
            }
        }
        Command::Key {
            command: KeyCommand::Create { name, scopes },
        } => {
            if name.trim().is_empty() || name.chars().count() > 100 {
                eprintln!("error: --name must be 1–100 characters");
                return Ok(ExitCode::from(2));
            }
            let scopes = match api_keys::parse_scopes(&scopes) {
                Ok(scopes) => scopes,
                Err(ServiceError::Validation(fields)) => {
                    for field in fields {
                        eprintln!("error: --{}: {}", field.field, field.message);
                    }
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            let state = AppState::new(config).await?;
            let (key, secret) =
                api_keys::create_scoped_key(&state.store, &name, &scopes, None).await?;
            crate::services::audit::record(
                &state,
                &crate::services::audit::Who::command_line(),
                "api key created",
                &format!("#{} {}", key.id, key.name),
                &key.scopes,
            )
            .await;
            println!(
                "created API key #{} \"{}\" ({})",
                key.id, key.name, key.scopes
            );
            println!("{secret}");
            println!("store it now: it cannot be shown again");
            Ok(ExitCode::SUCCESS)
        }
        Command::Key {
            command: KeyCommand::List,
        } => {
            let state = AppState::new(config).await?;
            let format = |t: Option<i64>| {
                t.and_then(|t| jiff::Timestamp::from_second(t).ok())
                    .map_or_else(
                        || "-".to_owned(),
                        |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
                    )
            };
            println!(
                "{:>4}  {:<24} {:<44} {:<16} {:<16} revoked",
                "id", "name", "scopes", "created", "last used"
            );
            for key in state.store.api_keys().await? {
                println!(
                    "{:>4}  {:<24} {:<44} {:<16} {:<16} {}",
                    key.id,
                    key.name,
                    key.scopes,
                    format(Some(key.created_at)),
                    format(key.last_used_at),
                    format(key.revoked_at),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Key {
            command: KeyCommand::Revoke { id },
        } => {
            let state = AppState::new(config).await?;
            match api_keys::revoke(&state.store, crate::store::ApiKeyId(id)).await {
                Ok(()) => {
                    crate::services::audit::record(
                        &state,
                        &crate::services::audit::Who::command_line(),
                        "api key revoked",
                        &format!("#{id}"),
                        "",
                    )
                    .await;
                    println!("revoked API key #{id}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(ServiceError::NotFound) => {
                    eprintln!("error: no live key #{id}");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Demo {
            command: DemoCommand::Generate { articles, seed },
        } => {
            if !(1..=10_000_000).contains(&articles) {
                eprintln!("error: --articles must be from 1 to 10000000");
                return Ok(ExitCode::from(2));
            }
            let state = AppState::new(config).await?;
            crate::demo::seed(&state).await?;
            let started = std::time::Instant::now();
            let written = crate::demo::generate::generate(&state, articles, seed).await?;
            println!(
                "generated {written} stories in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { dir } => {
            let state = AppState::new(config).await?;
            let outcome = crate::backup::take(&state, &dir).await;
            state.store.close().await;
            match outcome {
                Ok(summary) => {
                    println!(
                        "backed up into {}: database {} bytes, {} media files",
                        dir.display(),
                        summary.database_bytes,
                        summary.media_files
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    eprintln!("newsdesk: backup failed: {err}");
                    Ok(ExitCode::from(err.exit_code()))
                }
            }
        }
        Command::Restore { dir } => {
            let Some(database_file) = config.sqlite_file() else {
                eprintln!("newsdesk: {}", crate::backup::BackupError::Postgres);
                return Ok(ExitCode::from(2));
            };
            let media =
                crate::media_store::MediaStore::from_config(&config.media, &config.data_dir)?;
            match crate::backup::restore(&dir, &database_file, &media).await {
                Ok(summary) => {
                    println!(
                        "restored into {}: database {} bytes, {} media files",
                        config.data_dir.display(),
                        summary.database_bytes,
                        summary.media_files
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    eprintln!("newsdesk: restore failed: {err}");
                    Ok(ExitCode::from(err.exit_code()))
                }
            }
        }
        Command::Verify { .. } => Ok(ExitCode::from(2)),
        Command::Mirror { dir, to, watch } => {
            let target = match (dir, to) {
                (Some(dir), None) => crate::media_store::MediaStore::folder(&dir)?,
                (None, Some(to)) => {
                    let Some((bucket, prefix)) = crate::config::s3_bucket_and_prefix(&to) else {
                        eprintln!("newsdesk: --to must be s3://bucket or s3://bucket/prefix");
                        return Ok(ExitCode::from(2));
                    };
                    let mut s3 = config.media.s3_access.clone();
                    s3.bucket = bucket;
                    s3.prefix = prefix;
                    crate::media_store::MediaStore::bucket(&s3)?
                }
                _ => {
                    eprintln!("newsdesk: give a folder or --to s3://bucket/prefix (one of them)");
                    return Ok(ExitCode::from(2));
                }
            };
            let state = AppState::new(config).await?;
            let mut mirror = crate::mirror::Mirror::new(state.clone(), target);
            let started = std::time::Instant::now();
            let summary = mirror.full().await?;
            println!(
                "mirrored {} files into {} in {:.1} s",
                summary.written,
                mirror.place(),
                started.elapsed().as_secs_f64()
            );
            if watch {
                let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                let stopping = stop.clone();
                tokio::spawn(async move {
                    let _ = tokio::signal::ctrl_c().await;
                    stopping.store(true, std::sync::atomic::Ordering::Relaxed);
                });
                println!("watching for changes (Ctrl-C stops)");
                mirror
                    .watch(std::time::Duration::from_secs(2), || {
                        stop.load(std::sync::atomic::Ordering::Relaxed)
                    })
                    .await?;
            }
            state.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::RotateSigningKey => {
            let state = AppState::new(config).await?;
            let rotated = crate::services::signing::rotate(&state).await;
            state.store.close().await;
            let (old, new) = rotated?;
            println!(
                "retired key {old}; new signing key {new} (restart every node to sign with it)"
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::PushMedia { from } => {
            let from = from.unwrap_or_else(|| config.data_dir.join("media"));
            let media =
                crate::media_store::MediaStore::from_config(&config.media, &config.data_dir)?;
            if !media.is_remote() && from == config.data_dir.join("media") {
                eprintln!(
                    "newsdesk: media.store is not set: the media already live in {}",
                    from.display()
                );
                return Ok(ExitCode::from(2));
            }
            match crate::backup::put_tree(&from, &media).await {
                Ok(copied) => {
                    println!("copied {copied} media files into {}", media.place());
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    eprintln!("newsdesk: push-media failed: {err}");
                    Ok(ExitCode::from(err.exit_code()))
                }
            }
        }
        Command::Export { file } => {
            let state = AppState::new(config).await?;
            let outcome = crate::archive::export(&state, &file).await;
            state.store.close().await;
            match outcome {
                Ok(manifest) => {
                    let rows: u64 = manifest.tables.values().sum();
                    println!(
                        "wrote {}: {rows} rows in {} tables, {} files",
                        file.display(),
                        manifest.tables.len(),
                        manifest.files.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    eprintln!("newsdesk: export failed: {err}");
                    Ok(ExitCode::from(err.exit_code()))
                }
            }
        }
        Command::Import { command } => {
            let (file, args, wordpress) = match command {
                ImportCommand::Newsdesk { file } => return restore_archive(config, file).await,
                ImportCommand::Wordpress { file, options } => (file, options, true),
                ImportCommand::Ghost { file, options } => (file, options, false),
            };
            let state = AppState::new(config).await?;
            let options = crate::import::ImportOptions {
                dry_run: args.dry_run,
                language: args.language,
                media_from: args.media_from,
                members: args.members,
                fetch_media: args.fetch_media,
                nested_categories_as_sections: args.nested_categories_as_sections,
                no_tag_sections: args.no_tag_sections,
            };
            let outcome = if wordpress {
                crate::import::wordpress::import(&state, &file, &options).await
            } else {
                crate::import::ghost::import(&state, &file, &options).await
            };
            state.store.close().await;
            match outcome {
                Ok(report) => {
                    print!("{report}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) => {
                    eprintln!(
                        "newsdesk: import stopped, nothing of the failing batch was written: {err}"
                    );
                    Ok(ExitCode::from(err.exit_code()))
                }
            }
        }
        Command::Payments {
            command: PaymentsCommand::Reconcile { since },
        } => {
            let since = match since.as_deref().map(str::parse::<jiff::civil::Date>) {
                None => crate::store::now() - 3 * 86_400,
                Some(Ok(date)) => date
                    .to_zoned(config.site.timezone.clone())?
                    .timestamp()
                    .as_second(),
                Some(Err(_)) => {
                    eprintln!("error: --since must be a date such as 2026-11-01");
                    return Ok(ExitCode::from(2));
                }
            };
            let state = AppState::new(config).await?;
            let done = crate::services::donations::reconcile(&state, since).await?;
            println!(
                "recorded {} new payment events; {} were already recorded",
                done.applied, done.already_known
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Config => Ok(ExitCode::SUCCESS),
    }
}

async fn serve(mut config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    // The demo takes donations offline through the built-in test checkout.
    if demo {
        config.donations.sandbox = true;
    }
    let listen = config.listen;
    crate::http::server::raise_open_files_limit();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let state = AppState::new(config).await?;
    if demo && let Some(password) = crate::demo::seed(&state).await? {
        eprintln!(
            "demo staff (owner@, editor@, author@, contributor@example.com) password: {password}"
        );
        eprintln!("it is shown only now; set NEWSDESK_DEMO_PASSWORD to choose your own");
    }
    // A new newsroom starts with About, Team, standards and corrections pages.
    if let Err(e) = crate::services::pages::ensure_default_pages(&state).await {
        tracing::warn!(error = %e, "default pages not created");
    }
    if let Some(address) = state.config.metrics_listen {
        // Metrics are for the operator; a node that cannot serve them still serves readers.
        match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => {
                tokio::spawn(crate::metrics::serve(
                    listener,
                    state.clone(),
                    shutdown_signal(),
                ));
            }
            Err(e) => tracing::warn!(%address, error = %e, "cannot serve metrics"),
        }
    }
    let jobs = crate::jobs::Jobs::start(&state);
    tracing::info!(url = %state.urls.base_url(), "newsdesk is serving");
    eprintln!(
        "newsdesk is serving {} (Ctrl-C to stop)",
        state.urls.base_url()
    );
    crate::http::serve(listener, state.clone(), shutdown_signal()).await?;
    // Senders finish the message in hand before the process exits.
    jobs.stop(Duration::from_secs(30)).await;
    state.store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `newsdesk import newsdesk FILE`: an export back into an empty database.
async fn restore_archive(config: Config, file: std::path::PathBuf) -> anyhow::Result<ExitCode> {
    let state = AppState::new(config).await?;
    let outcome = crate::archive::restore(&state, &file).await;
    state.store.close().await;
    match outcome {
        Ok(summary) => {
            let rows: u64 = summary.rows.values().sum();
            println!(
                "restored {rows} rows and {} media files; staff sign in after choosing a new password (\"forgot password\")",
                summary.media_files
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("newsdesk: restore stopped, nothing was written: {err}");
            Ok(ExitCode::from(err.exit_code()))
        }
    }
}
