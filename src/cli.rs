//! The `theodoi` command: serve, migrate, user and unit administration,
//! import, backup and restore, and the demo. Every command that touches
//! data takes `--db` (env `THEODOI_DB`); every command that serves takes
//! `--listen` (env `THEODOI_LISTEN`).

mod data;
mod onboard;
mod units;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::auth::sealed::DataKey;
use crate::clock;
use crate::config::Config;
use crate::import::{self, UnitEntry, resolve_units};
use crate::store::{Actor, Store};
use crate::web::{self, AppState};

#[derive(Parser, Debug)]
#[command(
    name = "theodoi",
    version,
    about = "Theo Dõi: theo dõi thực hiện Nghị quyết 57-NQ/TW"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DbArg {
    /// Database: a SQLite file path (default) or a postgres:// URL.
    #[arg(long, env = "THEODOI_DB", default_value = "theodoi.db")]
    pub db: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "THEODOI_LISTEN", default_value = "127.0.0.1:8057")]
    pub listen: String,
    /// Mark cookies Secure and send HSTS (when served over HTTPS).
    #[arg(long, env = "THEODOI_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "THEODOI_SESSION_IDLE_MINUTES", default_value_t = 15)]
    pub session_idle_minutes: u64,
    /// Minutes an account stays locked after 5 failed logins.
    #[arg(long, env = "THEODOI_LOCKOUT_MINUTES", default_value_t = 15)]
    pub lockout_minutes: u64,
    /// SMTP relay for e-mailed warnings, e.g. smtp://127.0.0.1:25.
    #[arg(long, env = "THEODOI_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of e-mailed warnings.
    #[arg(
        long,
        env = "THEODOI_MAIL_FROM",
        default_value = "Theo Dõi <theodoi@localhost>"
    )]
    pub mail_from: String,
    /// The address people open the server at, e.g. https://theodoi.tinh.gov.vn:
    /// with mail set up, enrolment codes are e-mailed as links to it.
    #[arg(long, env = "THEODOI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Working days between reminders once a deadline has passed; after three
    /// reminders with no accepted progress the task goes to the leaders.
    #[arg(long, env = "THEODOI_ESCALATE_AFTER_DAYS", default_value_t = 5)]
    pub escalate_after_days: i64,
    /// Key sealing citizens' personal data: 32 bytes as 64 hex digits or
    /// base64 (`openssl rand -hex 32`). Without it the feedback form takes
    /// no name, phone or e-mail. `demo` uses a fixed demo key.
    #[arg(long, env = "THEODOI_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
    /// Days a citizen's personal data is kept before it is erased.
    #[arg(long, env = "THEODOI_RETENTION_DAYS", default_value_t = 365)]
    pub retention_days: u32,
    /// A reverse proxy (address or CIDR block, repeatable or comma-separated)
    /// whose Forwarded / X-Forwarded-For headers name the client.
    #[arg(long, env = "THEODOI_TRUSTED_PROXY", value_delimiter = ',')]
    pub trusted_proxy: Vec<String>,
}

/// The key a backup is signed and checked with: `--backup-key`, else the
/// data key (HMAC-SHA256 with a key derived from it).
#[derive(Args, Debug, Clone)]
pub struct BackupKeys {
    /// 32 bytes as 64 hex digits or base64, signing backups; defaults to
    /// the data key.
    #[arg(long, env = "THEODOI_BACKUP_KEY", hide_env_values = true)]
    pub backup_key: Option<String>,
    /// The data key (see `serve --data-key`), used when no backup key is
    /// given.
    #[arg(long, env = "THEODOI_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
}

impl BackupKeys {
    pub fn key(&self) -> anyhow::Result<Option<[u8; 32]>> {
        let given = |k: &Option<String>| k.clone().filter(|t| !t.trim().is_empty());
        let (text, what) = match (given(&self.backup_key), given(&self.data_key)) {
            (Some(k), _) => (k, "--backup-key / THEODOI_BACKUP_KEY"),
            (None, Some(k)) => (k, "--data-key / THEODOI_DATA_KEY"),
            (None, None) => return Ok(None),
        };
        Ok(Some(DataKey::parse(&text).context(what)?.derive("backup")))
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the site and the API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Create a demo database (a fictional province and three communes,
    /// sample plans, an account for every role), print the accounts, serve.
    Demo {
        /// Database for the demo.
        #[arg(long, env = "THEODOI_DB", default_value = "theodoi-demo.db")]
        db: String,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Read a plan document (.docx, .xlsx, text) and store its tasks and targets.
    Import {
        file: PathBuf,
        /// Show what would be imported; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print one JSON object (with --dry-run).
        #[arg(long)]
        json: bool,
        /// The unit (commune or province) whose plan this is.
        #[arg(long)]
        commune: Option<i64>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Export a unit's subtree (a province, a commune): its units, plans,
    /// tasks, targets and accepted figures, as .xlsx or .json (by the
    /// extension of --out), for another system.
    Export {
        #[command(flatten)]
        db: DbArg,
        /// The unit: its official code (`01`) or its id.
        #[arg(long)]
        unit: String,
        /// The file to write: `….xlsx` or `….json`.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a consistent backup of the whole database to one file with a
    /// checksum, while the server runs (SQLite or PostgreSQL).
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        keys: BackupKeys,
    },
    /// Restore a backup into a new, empty database of either engine. A
    /// damaged or altered backup is refused and nothing is stored.
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to read.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        keys: BackupKeys,
        /// Restore a backup that is unsigned (or whose signature cannot be
        /// checked with the key given).
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// Seal every sealed value (citizens' contacts and files, second-factor
    /// secrets, kept forms) under a new data key, in one transaction; a
    /// value the old key does not open changes nothing. Stop the server
    /// first, then serve with the new key.
    Rekey {
        #[command(flatten)]
        db: DbArg,
        /// The key in use (64 hex digits or base64).
        #[arg(long, env = "THEODOI_DATA_KEY", hide_env_values = true)]
        old_key: String,
        /// The key to use from now on (`openssl rand -hex 32`).
        #[arg(long, env = "THEODOI_NEW_DATA_KEY", hide_env_values = true)]
        new_key: String,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the unit tree.
    Unit {
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// Write a deterministic synthetic national data set into an empty
    /// database (for load and scale tests).
    Gen(crate::synthetic::GenArgs),
    /// Serve a generated database and measure dashboards, the raw query,
    /// memory and (with --submissions) report saving; prints JSON last.
    Bench(crate::bench::BenchArgs),
    /// Deadline-day load test: generates a province into an empty
    /// database, then every unit signs in and submits while leaders load
    /// dashboards; fails on any error; prints JSON last.
    Load(crate::bench::peak::LoadArgs),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from THEODOI_PASSWORD or the
    /// first line of standard input, never from the command line.
    Add {
        #[arg(long)]
        username: String,
        /// Full name as shown on pages.
        #[arg(long)]
        name: String,
        /// Id of the user's unit.
        #[arg(long)]
        unit: i64,
        /// administrator, leader, focal_point, unit_reporter or viewer; repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Enable an account again (disabled after 45 days unused), and turn
    /// off its second factor with --reset-totp (a lost phone).
    Enable {
        #[arg(long)]
        username: String,
        #[arg(long)]
        reset_totp: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum UnitCommand {
    /// Add a unit (the nation needs no parent).
    Add {
        #[arg(long)]
        name: String,
        /// nation, province, commune, department, office, village, school,
        /// police_post, mass_organisation, enterprise, steering_committee, other.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        parent: Option<i64>,
        /// government, party or other.
        #[arg(long, default_value = "government")]
        side: String,
        #[arg(long = "alias")]
        aliases: Vec<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Load the official list of provinces and communes (1 July 2025),
    /// keyed by code; loading it again changes nothing.
    Import {
        /// The official list shipped with Theo Dõi (data/units/).
        #[arg(long)]
        official: bool,
        /// Also the former communes of the 2025 merger (data/units/), as
        /// ended units, predecessors of the new communes.
        #[arg(long)]
        former: bool,
        /// Only this province (its two-digit code, e.g. 01 for Hà Nội).
        #[arg(long)]
        province: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Units and accounts from a sheet (.xlsx or .csv): every row checked
    /// first, one bad row refuses the sheet; new accounts get one-time
    /// enrolment codes, printed once or written to --codes-out.
    Onboard(onboard::OnboardArgs),
    /// List the tree with ids.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Gen(args) => crate::synthetic::run(args).await,
        Command::Bench(args) => crate::bench::run(args).await,
        Command::Load(args) => crate::bench::peak::run(args).await,
        Command::Serve { db, serve } => {
            let config = config(&db.db, &serve, None)?;
            if config.data_key.is_none() {
                tracing::warn!(
                    "chưa có khóa dữ liệu (--data-key / THEODOI_DATA_KEY): trang góp ý vẫn nhận phản ánh nhưng không nhận họ tên, số điện thoại, thư điện tử"
                );
            }
            let store = open(&db.db).await?;
            serve_until_shutdown(store, config).await
        }
        Command::Migrate { db } => {
            let store = open(&db.db).await?;
            let versions = store.migration_versions().await?;
            println!(
                "Cơ sở dữ liệu {} đã cập nhật; các phiên bản: {:?}",
                store.engine().name(),
                versions
            );
            Ok(())
        }
        Command::Demo { db, serve } => {
            let store = open(&db).await?;
            let summary = crate::demo::seed(&store).await?;
            print!("{}", summary.describe(&serve.listen));
            let config = config(&db, &serve, Some(DataKey::demo()))?;
            serve_until_shutdown(store, config).await
        }
        Command::Import {
            file,
            dry_run,
            json,
            commune,
            db,
        } => import_file(&file, dry_run, json, commune, &db.db).await,
        Command::Export { db, unit, out } => data::export(&db.db, &unit, &out).await,
        Command::Backup { db, out, keys } => data::backup(&db.db, &out, keys.key()?).await,
        Command::Restore {
            db,
            from,
            keys,
            allow_unsigned,
        } => data::restore(&db.db, &from, keys.key()?, allow_unsigned).await,
        Command::Rekey {
            db,
            old_key,
            new_key,
        } => data::rekey(&db.db, &old_key, &new_key).await,
        Command::User { command } => match command {
            UserCommand::Add {
                username,
                name,
                unit,
                roles,
                db,
            } => units::add_user(&db.db, username, name, unit, roles).await,
            UserCommand::Enable {
                username,
                reset_totp,
                db,
            } => {
                let store = open(&db.db).await?;
                let user = store
                    .user_by_username(&username)
                    .await?
                    .with_context(|| format!("không có tài khoản {username}"))?;
                store.enable_user(user.id, &Actor::system()).await?;
                if reset_totp {
                    store.disable_totp(user.id, &Actor::system()).await?;
                }
                println!("Đã mở lại tài khoản {username}");
                Ok(())
            }
        },
        Command::Unit { command } => match command {
            UnitCommand::Add {
                name,
                kind,
                parent,
                side,
                aliases,
                db,
            } => units::add_unit(&db.db, name, kind, parent, side, aliases).await,
            UnitCommand::Import {
                official,
                former,
                province,
                db,
            } => units::import_official(&db.db, official, former, province.as_deref()).await,
            UnitCommand::Onboard(args) => onboard::command(args).await,
            UnitCommand::List { db } => {
                let store = open(&db.db).await?;
                for unit in store.subtree("/").await? {
                    let depth = unit.path.matches('/').count().saturating_sub(2);
                    let code = unit.code.map(|c| format!(" [{c}]")).unwrap_or_default();
                    println!(
                        "{:>6}  {}{} ({}){code}",
                        unit.id,
                        "  ".repeat(depth),
                        unit.name,
                        unit.kind.as_str()
                    );
                }
                Ok(())
            }
        },
    }
}

async fn open(db: &str) -> anyhow::Result<Store> {
    Store::open(db, clock::system())
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {db}"))
}

/// The server's settings; `fallback_key` is the demo's key, used when no
/// key is given.
fn config(db: &str, serve: &ServeArgs, fallback_key: Option<DataKey>) -> anyhow::Result<Config> {
    let key = match serve.data_key.as_deref().filter(|k| !k.trim().is_empty()) {
        Some(text) => Some(DataKey::parse(text).context("--data-key / THEODOI_DATA_KEY")?),
        None => fallback_key,
    };
    let trusted_proxies = serve
        .trusted_proxy
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            crate::proxy::Cidr::parse(t)
                .with_context(|| format!("--trusted-proxy: không đọc được địa chỉ {t}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Config {
        trusted_proxies,
        listen: serve.listen.clone(),
        db: db.to_string(),
        secure_cookies: serve.secure_cookies,
        session_idle: std::time::Duration::from_secs(serve.session_idle_minutes.max(1) * 60),
        lockout_for: std::time::Duration::from_secs(serve.lockout_minutes.max(1) * 60),
        mail: serve
            .smtp_url
            .clone()
            .map(|smtp_url| crate::notify::MailConfig {
                smtp_url,
                from: serve.mail_from.clone(),
            }),
        public_url: serve.public_url.clone(),
        escalate_after_days: serve.escalate_after_days.max(1),
        retention_days: serve.retention_days.max(1),
        ..Config::default()
    }
    .with_data_key(key))
}

pub async fn serve_until_shutdown(store: Store, config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("không mở được cổng {}", config.listen))?;
    tracing::info!(listen = %config.listen, engine = store.engine().name(), "Theo Dõi đang phục vụ");
    let state = AppState::new(store.clone(), config);
    let app = web::app(state.clone());
    let ticker = tokio::spawn(housekeeping(
        store.clone(),
        state.config.mail.clone(),
        state.config.escalate_after_days,
    ));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    ticker.abort();
    store.close().await;
    tracing::info!("đã dừng");
    Ok(())
}

/// Work that happens by itself: each period's reporting round opens on its
/// first day, warnings go out, ended sessions are removed, accounts unused
/// for 45 days are disabled, and citizens' personal data past its retention
/// is erased. Hourly, and once at start.
async fn housekeeping(store: Store, mail: Option<crate::notify::MailConfig>, escalate_after: i64) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        let today = store.clock().today();
        match store.open_current_rounds(today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(opened = n, "reporting rounds opened"),
            Err(e) => tracing::error!(error = %e, "opening reporting rounds failed"),
        }
        let summary = crate::notify::run_daily(&store, mail.as_ref(), escalate_after).await;
        if summary.new_notifications > 0 || summary.emailed > 0 {
            tracing::info!(
                new = summary.new_notifications,
                emailed = summary.emailed,
                "warnings sent"
            );
        }
        if let Err(e) = store.delete_expired_sessions().await {
            tracing::error!(error = %e, "removing ended sessions failed");
        }
        if let Err(e) = store.delete_expired_kept_forms().await {
            tracing::error!(error = %e, "removing kept forms past their day failed");
        }
        match store.disable_dormant_users().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(disabled = n, "accounts unused for 45 days disabled"),
            Err(e) => tracing::error!(error = %e, "disabling unused accounts failed"),
        }
        match store.erase_expired_personal_data().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(erased = n, "citizens' personal data erased after retention"),
            Err(e) => tracing::error!(error = %e, "erasing expired personal data failed"),
        }
        if let Err(e) = store.prune_public_submissions().await {
            tracing::error!(error = %e, "pruning the rate-limit entries failed");
        }
    }
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
}

async fn import_file(
    file: &PathBuf,
    dry_run: bool,
    json: bool,
    commune: Option<i64>,
    db: &str,
) -> anyhow::Result<()> {
    let bytes = read_bounded(file)?;
    let name = file.file_name().and_then(|n| n.to_str());
    let mut parsed = match import::parse_plan(&bytes, name) {
        Ok(p) => p,
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}})
                );
            }
            bail!("{} ({})", e, e.code());
        }
    };
    if dry_run && commune.is_none() {
        return print_preview(&parsed, json);
    }
    let commune = commune.context("hãy cho biết đơn vị ban hành bằng --commune ID")?;
    let store = open(db).await?;
    let issuer = store
        .unit(commune)
        .await?
        .with_context(|| format!("không có đơn vị {commune}"))?;
    let directory: Vec<UnitEntry> = store
        .subtree(&issuer.path)
        .await?
        .into_iter()
        .map(|u| UnitEntry {
            id: u.id,
            name: u.name,
            aliases: u.aliases,
        })
        .collect();
    import::split_by_directory(&mut parsed, &directory);
    let resolution = resolve_units(&parsed, &directory);
    parsed.unresolved_units = resolution.unresolved();
    if dry_run {
        return print_preview(&parsed, json);
    }
    let digest = crate::auth::token::sha256_bytes_hex(&bytes);
    let outcome = store
        .import_plan(&issuer, &parsed, &resolution, &digest, &Actor::system())
        .await?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "plan_id": outcome.plan.id,
                "created": outcome.created,
                "tasks": outcome.tasks,
                "targets": outcome.targets,
                "implements": outcome.linked,
                "unresolved_units": parsed.unresolved_units,
                "warnings": parsed.warnings,
            })
        );
    } else {
        if outcome.created {
            println!(
                "Đã nhập kế hoạch #{}: {}",
                outcome.plan.id, outcome.plan.title
            );
        } else {
            println!(
                "Tệp này đã được nhập trước đây (kế hoạch #{}); không thay đổi gì.",
                outcome.plan.id
            );
        }
        println!("  {} nhiệm vụ, {} chỉ tiêu", outcome.tasks, outcome.targets);
        if !outcome.linked.is_empty() {
            println!("  Thực hiện kế hoạch cấp trên: {:?}", outcome.linked);
        }
        for u in &parsed.unresolved_units {
            println!("  Chưa xác định được đơn vị: {u}");
        }
        for w in &parsed.warnings {
            println!("  Cảnh báo (dòng {}): {}", w.line, w.message);
        }
    }
    Ok(())
}

fn print_preview(parsed: &import::ParsedPlan, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(parsed)?);
    } else {
        println!(
            "{}\n  {} nhiệm vụ, {} chỉ tiêu, {} cảnh báo",
            parsed
                .plan
                .title
                .as_deref()
                .unwrap_or("(không có trích yếu)"),
            parsed.tasks.len(),
            parsed.targets.len(),
            parsed.warnings.len()
        );
    }
    Ok(())
}

/// Reads a file, refusing anything larger than the importer accepts before
/// it is all in memory.
fn read_bounded(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("không đọc được {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(import::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
