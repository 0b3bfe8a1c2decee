//! `theodoi unit onboard`: units and accounts from a sheet, as the API's
//! `POST /api/onboarding` does, acting as the system under the nation or
//! the unit named by `--under` (an official code or an id). Each new
//! account's enrolment code is printed once, or written to `--codes-out`
//! (a CSV file readable by its owner only); it is never stored in clear.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::actions::AppError;
use crate::actions::onboarding::{SheetOutcome, onboard_under};
use crate::domain::account::csv_line;
use crate::domain::unit::Unit;
use crate::store::{Actor, Store};

/// The command's options.
#[derive(clap::Args, Debug)]
pub struct OnboardArgs {
    #[arg(long)]
    pub sheet: PathBuf,
    /// The unit to read the sheet under: an official code or an id
    /// (default: the nation).
    #[arg(long)]
    pub under: Option<String>,
    /// Check every row and say what would be created; store nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
    /// Write the enrolment codes to this CSV file (created, owner only)
    /// instead of printing them.
    #[arg(long)]
    pub codes_out: Option<PathBuf>,
    #[command(flatten)]
    pub db: super::DbArg,
}

/// `theodoi unit onboard`.
pub async fn command(args: OnboardArgs) -> anyhow::Result<()> {
    let store = super::open(&args.db.db).await?;
    let result = run(&store, args).await;
    store.close().await;
    result
}

async fn run(store: &Store, args: OnboardArgs) -> anyhow::Result<()> {
    let bytes = super::read_bounded(&args.sheet)?;
    let root = root_unit(store, args.under.as_deref()).await?;
    let started = std::time::Instant::now();
    let outcome = match onboard_under(store, &root, &bytes, args.dry_run, &Actor::system()).await {
        Ok(outcome) => outcome,
        Err(AppError::BadSheet { message, rows }) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": "bad_sheet", "message": message, "rows": rows}})
                );
            } else {
                eprintln!("{message}");
                for p in &rows {
                    eprintln!("  Dòng {}: {}", p.row, p.message);
                }
            }
            bail!("bảng tính bị từ chối; không có gì được lưu");
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &args.codes_out
        && !args.dry_run
    {
        write_codes(path, &outcome)?;
    }
    let shown = codes_shown(outcome, args.codes_out.is_some());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
    } else {
        print_outcome(&shown, seconds, args.codes_out.as_deref());
    }
    Ok(())
}

/// The unit named by an official code, else by an id; the nation when
/// none is named.
async fn root_unit(store: &Store, under: Option<&str>) -> anyhow::Result<Unit> {
    match under {
        Some(text) => {
            if let Some(unit) = store.unit_by_code(text.trim()).await? {
                return Ok(unit);
            }
            let id: i64 = text
                .trim()
                .parse()
                .with_context(|| format!("không có đơn vị mang mã {text}"))?;
            store
                .unit(id)
                .await?
                .with_context(|| format!("không có đơn vị mã {text} hay số {id}"))
        }
        None => {
            let nation = store
                .subtree("/")
                .await?
                .into_iter()
                .find(|u| u.parent_id.is_none())
                .context("cây đơn vị trống: hãy tạo đơn vị gốc (theodoi unit add --kind nation)")?;
            Ok(nation)
        }
    }
}

/// Codes left out of what is printed when they went to a file.
fn codes_shown(mut outcome: SheetOutcome, to_file: bool) -> SheetOutcome {
    if to_file {
        for a in &mut outcome.accounts {
            a.code = None;
            a.link = None;
        }
    }
    outcome
}

fn write_codes(path: &Path, outcome: &SheetOutcome) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("không tạo được {} (tệp đã có?)", path.display()))?;
    let header = [
        "Tên đăng nhập",
        "Họ tên",
        "Đơn vị",
        "Mã kích hoạt",
        "Đường dẫn",
        "Hết hạn (ms)",
    ];
    let mut text = String::from("\u{feff}");
    text.push_str(&csv_line(&header.map(String::from)));
    for a in &outcome.accounts {
        text.push_str(&csv_line(&[
            a.username.clone(),
            a.full_name.clone(),
            a.unit.clone(),
            a.code.clone().unwrap_or_default(),
            a.link.clone().unwrap_or_default(),
            a.expires_at.map(|e| e.to_string()).unwrap_or_default(),
        ]));
    }
    file.write_all(text.as_bytes())?;
    Ok(())
}

fn print_outcome(outcome: &SheetOutcome, seconds: f64, codes_out: Option<&Path>) {
    let verb = if outcome.dry_run {
        "Kiểm tra xong (chưa lưu gì): sẽ tạo"
    } else {
        "Đã tạo"
    };
    println!(
        "{verb} {} đơn vị và {} tài khoản; {} dòng chỉ đơn vị đã có ({seconds:.2} giây)",
        outcome.units.len(),
        outcome.accounts.len(),
        outcome.units_found
    );
    for u in &outcome.units {
        println!("  dòng {:>5}  đơn vị  {} / {}", u.row, u.parent, u.name);
    }
    for a in &outcome.accounts {
        let code = a
            .code
            .as_deref()
            .map(|c| format!("  mã {c}"))
            .unwrap_or_default();
        println!(
            "  dòng {:>5}  tài khoản  {} ({}, {}) tại {}{code}",
            a.row,
            a.username,
            a.full_name,
            a.role.label_vi(),
            a.unit
        );
    }
    if let Some(path) = codes_out
        && !outcome.dry_run
    {
        println!(
            "Mã kích hoạt (dùng một lần, hết hạn sau 72 giờ) đã ghi vào {}",
            path.display()
        );
    }
}
