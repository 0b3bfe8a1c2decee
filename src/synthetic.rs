//! `theodoi gen`: a deterministic synthetic national data set for load and
//! scale tests. Provinces, communes with their ten reporting units, one
//! Resolution 57 plan per commune (60 tasks, 40 targets), monthly reporting
//! rounds from 2026-01 with every unit's report, task updates and target
//! figures; then the rollups, `task_facts` and `target_facts` the dashboards
//! read.
//!
//! At full scale (34 provinces × 97 communes × 60 months) that is about 12
//! million task updates, so rows go in through [`Store::bulk_insert`] with
//! explicit ids, flushed every [`FLUSH_ROWS`] rows to bound memory, and the
//! counters are computed here, in memory, while the records are generated:
//! [`Store::rebuild_rollups`] re-reads every record one by one and would take
//! hours. They are computed by the same domain rules the store applies
//! (`domain::rollup`, the task rule in `domain::status`), fed the same
//! records; a test rebuilds a small set and compares every counter and fact.
//!
//! `commune_plan.rs` plans a commune and writes its units, plan, tasks and
//! targets; `reporting.rs` writes its months of reports and its counters.
//!
//! Everything random comes from one splitmix64 stream per commune, seeded
//! from `--seed`, so the same flags give the same data on either engine.

pub mod accounts;
mod catalog;
mod commune_plan;
mod reporting;
mod rng;
mod tables;

use catalog::*;
use commune_plan::*;
pub use rng::Rng;
use tables::*;

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, NaiveTime};

use crate::auth::{password, totp};
use crate::cli::DbArg;
use crate::clock;
use crate::domain::access::Role;
use crate::domain::deadline::Deadline;
use crate::domain::goal::{Comparator, Goal};
use crate::domain::official::{OfficialType, OfficialUnit, official_2025};
use crate::domain::period::ReportingPeriod;
use crate::domain::plan::ReportingRegime;
use crate::domain::report::{TaskStatus, vietnam_date};
use crate::domain::rollup::{Counts, TaskFact, report_expected, report_received, target_counter};
use crate::domain::status::{AcceptedUpdate, DoneTiming, goal_state};
use crate::domain::text::search_key;
use crate::store::{Actor, BulkValue, NewUser, Store};

/// Rows buffered per table before everything buffered is written: enough
/// for statements of a thousand rows, small enough that a full national
/// run stays within a few hundred megabytes.
pub const FLUSH_ROWS: usize = 50_000;

/// The administrator account `theodoi bench` signs in with.
pub const ADMIN_USERNAME: &str = "admin";
pub const DEFAULT_PASSWORD: &str = "theodoi-bench-2026";
/// Administrators sign in with a second factor, so the generated one is
/// enrolled with a known TOTP secret (base32, like an authenticator shows
/// it) that `theodoi bench` computes its codes from. Overridden by
/// `THEODOI_TOTP_SECRET`. A synthetic data set only: never real accounts.
pub const DEFAULT_TOTP_SECRET: &str = "ORUGK33EN5US2YTFNZRWQLJSGAZDMIJB";

/// The administrator's TOTP secret: `THEODOI_TOTP_SECRET` or the default.
pub fn admin_totp_secret() -> anyhow::Result<Vec<u8>> {
    let text = std::env::var("THEODOI_TOTP_SECRET").unwrap_or_else(|_| DEFAULT_TOTP_SECRET.into());
    totp::base32_decode(&text).context("THEODOI_TOTP_SECRET không phải base32")
}

/// Reporting units of every commune: the ones that report each month.
pub const UNITS_PER_COMMUNE: usize = 10;
pub const TASKS_PER_COMMUNE: usize = 60;
pub const TARGETS_PER_COMMUNE: usize = 40;
/// First reporting month of the data set.
const FIRST_YEAR: i32 = 2026;

#[derive(clap::Args, Debug, Clone)]
pub struct GenArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Number of provinces (34 for the whole country); with `--official`,
    /// the first ones by code.
    #[arg(long, default_value_t = 34)]
    pub provinces: u32,
    /// Communes in each province (default 97, which gives 3,298 communes
    /// with 34 provinces); with `--official`, at most this many of each
    /// province's real ones (default all).
    #[arg(long)]
    pub communes_per_province: Option<u32>,
    /// The official provinces and communes of 2025 (34 and 3,321, with
    /// their names, codes and types, as `theodoi unit import --official`
    /// loads them) instead of synthetic names.
    #[arg(long)]
    pub official: bool,
    /// Monthly reporting rounds, from January 2026.
    #[arg(long, default_value_t = 60)]
    pub months: u32,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 57)]
    pub seed: u64,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub provinces: u32,
    /// Communes per province; with `official`, the most taken of each
    /// province's list.
    pub communes_per_province: u32,
    /// The official tree of 2025 instead of synthetic names.
    pub official: bool,
    pub months: u32,
    pub seed: u64,
    pub admin_password: String,
    pub admin_totp_secret: Vec<u8>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct GenSummary {
    pub rows: Vec<(&'static str, u64)>,
    pub admin_user_id: i64,
    pub nation_id: i64,
    pub elapsed: std::time::Duration,
}

/// `theodoi gen`: refuses a database that already has units, generates,
/// prints the counts.
pub async fn run(args: GenArgs) -> anyhow::Result<()> {
    let password = std::env::var("THEODOI_PASSWORD").unwrap_or_else(|_| DEFAULT_PASSWORD.into());
    password::check_rules(&password, ADMIN_USERNAME)?;
    let store = Store::open(&args.db.db, clock::system())
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", args.db.db))?;
    let communes_per_province = match (args.communes_per_province, args.official) {
        (Some(n), _) => n,
        (None, false) => 97,
        (None, true) => u32::MAX,
    };
    let options = GenOptions {
        provinces: args.provinces,
        communes_per_province,
        official: args.official,
        months: args.months,
        seed: args.seed,
        admin_password: password.clone(),
        admin_totp_secret: admin_totp_secret()?,
    };
    let communes = match (options.official, args.communes_per_province) {
        (true, None) => "xã theo danh mục chính thức 2025".to_string(),
        (true, Some(n)) => format!("tối đa {n} xã theo danh mục chính thức 2025"),
        (false, _) => format!("{} xã", options.communes_per_province),
    };
    println!(
        "Sinh dữ liệu tổng hợp ({}): {} tỉnh × {communes}, {} tháng, seed {}",
        store.engine().name(),
        options.provinces,
        options.months,
        options.seed
    );
    let summary = generate(&store, &options, &mut |line| println!("  {line}")).await?;
    println!("Số dòng:");
    for (table, n) in &summary.rows {
        println!("  {table:<16} {n:>12}");
    }
    println!(
        "Tài khoản quản trị: {ADMIN_USERNAME} / {password} (đơn vị #{}, tài khoản #{})",
        summary.nation_id, summary.admin_user_id
    );
    println!(
        "Mã bí mật TOTP của {ADMIN_USERNAME}: {}",
        totp::base32_encode(&options.admin_totp_secret)
    );
    println!("Thời gian: {:.1} s", summary.elapsed.as_secs_f64());
    store.close().await;
    Ok(())
}

/// Writes the data set into an empty database.
pub async fn generate(
    store: &Store,
    options: &GenOptions,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<GenSummary> {
    let started = Instant::now();
    check_can_generate(store, options).await?;
    let provinces = province_plans(options)?;
    // Secondary indexes are built and foreign keys checked once the rows
    // are in, even when the load fails half-way (the database is not left
    // without them).
    let names: Vec<&'static str> = TABLES.iter().map(|t| t.name).collect();
    let deferred = store.defer_indexes_and_checks(&names).await?;
    let loaded = load(store, options, &provinces, progress, started).await;
    let indexing = Instant::now();
    store.restore_deferred(&deferred).await?;
    progress(&format!(
        "{} chỉ mục và khóa ngoại dựng lại sau khi nạp trong {:.1} s",
        deferred.len(),
        indexing.elapsed().as_secs_f64()
    ));
    let (admin_user_id, nation_id) = loaded?;
    Ok(GenSummary {
        rows: settle(store).await?,
        admin_user_id,
        nation_id,
        elapsed: started.elapsed(),
    })
}

/// Generates every row and writes it; returns the administrator's and the
/// nation's ids.
async fn load(
    store: &Store,
    options: &GenOptions,
    provinces: &[ProvincePlan],
    progress: &mut dyn FnMut(&str),
    started: Instant,
) -> anyhow::Result<(i64, i64)> {
    let mut g = Generator::new(store, options, store.clock().now_ms());
    let nation_id = g.ids.next(T_UNITS);
    g.push(
        T_UNITS,
        unit_row(
            nation_id,
            None,
            "nation",
            "Việt Nam",
            "government",
            &format!("/{nation_id}/"),
            None,
            None,
            None,
            g.created_at,
        ),
    );
    // The account must point at a stored unit.
    g.finish().await?;
    g.admin_id = create_admin(store, options, nation_id).await?;
    let mut nation_counts = Counts::default();
    for (p, province) in provinces.iter().enumerate() {
        let counts = g.emit_province(nation_id, province).await?;
        nation_counts.merge(&counts);
        progress(&format!(
            "tỉnh {}/{}: {} ({} xã) — {} cập nhật nhiệm vụ, {:.0} s",
            p + 1,
            provinces.len(),
            province.name,
            province.communes.len(),
            g.written(T_TASK_UPDATES) + g.buffered(T_TASK_UPDATES) as u64,
            started.elapsed().as_secs_f64()
        ));
    }
    g.emit_level(nation_id, None, &nation_counts);
    g.finish().await?;
    Ok((g.admin_id, nation_id))
}

/// Refuses a database that already has units, and empty dimensions.
async fn check_can_generate(store: &Store, options: &GenOptions) -> anyhow::Result<()> {
    if store.count_rows("units").await? > 0 {
        bail!(
            "cơ sở dữ liệu đã có đơn vị; `theodoi gen` chỉ ghi vào cơ sở dữ liệu trống \
             (hãy dùng một tệp hoặc cơ sở dữ liệu mới)"
        );
    }
    if options.months == 0 || options.provinces == 0 || options.communes_per_province == 0 {
        bail!("--provinces, --communes-per-province và --months phải lớn hơn 0");
    }
    Ok(())
}

/// The administrator `theodoi bench` signs in as, made through the store so
/// its hash, roles and second factor are exactly what the login expects.
async fn create_admin(store: &Store, options: &GenOptions, nation_id: i64) -> anyhow::Result<i64> {
    let hash = password::hash(&options.admin_password)?;
    let admin = store
        .create_user(
            NewUser {
                unit_id: nation_id,
                username: ADMIN_USERNAME.into(),
                full_name: "Quản trị hệ thống (dữ liệu tổng hợp)".into(),
                password_hash: hash,
                roles: vec![Role::Administrator],
            },
            &Actor::system(),
        )
        .await?;
    // Stored unsealed (the `plain.` form the store accepts when no data
    // key is configured) because gen does not know the server's key; the
    // server opens it either way. Step 0 lets any current code through.
    let sealed = totp::seal_secret(None, &options.admin_totp_secret)
        .map_err(|e| anyhow::anyhow!("TOTP: {e}"))?;
    store.set_totp_pending(admin.id, Some(&sealed)).await?;
    store.enable_totp(admin.id, 0, &Actor::system()).await?;
    Ok(admin.id)
}

/// After the bulk load: ids continue after the explicit ones, statistics
/// are refreshed, and the rows of each table are counted.
async fn settle(store: &Store) -> anyhow::Result<Vec<(&'static str, u64)>> {
    store
        .continue_ids(&[
            "units",
            "plans",
            "tasks",
            "task_units",
            "targets",
            "target_units",
            "report_rounds",
            "unit_reports",
            "task_updates",
            "target_figures",
        ])
        .await?;
    store.analyze().await?;
    let mut rows = Vec::new();
    for table in TABLES {
        rows.push((
            table.name,
            store.count_rows(table.name).await?.max(0) as u64,
        ));
    }
    rows.push(("users", store.count_rows("users").await?.max(0) as u64));
    Ok(rows)
}

struct Generator<'a> {
    store: &'a Store,
    options: &'a GenOptions,
    now: i64,
    /// When the plans were issued: the creation time of every record.
    created_at: i64,
    regime: ReportingRegime,
    ids: Ids,
    buffers: Vec<Vec<Vec<BulkValue>>>,
    written: Vec<u64>,
    deadlines: Deadlines,
    admin_id: i64,
    /// Communes planned so far: the next one's place in the seed stream.
    communes: u64,
    /// The batch being written, if any.
    writer: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl<'a> Generator<'a> {
    fn new(store: &'a Store, options: &'a GenOptions, now: i64) -> Generator<'a> {
        let issued = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 5).unwrap_or_default();
        Generator {
            store,
            options,
            now,
            created_at: vn_ms(issued, 9 * 60),
            regime: ReportingRegime::default(),
            ids: Ids([0; TABLES.len()]),
            buffers: (0..TABLES.len()).map(|_| Vec::new()).collect(),
            written: vec![0; TABLES.len()],
            deadlines: Deadlines::default(),
            admin_id: 0,
            communes: 0,
            writer: None,
        }
    }

    fn push(&mut self, table: usize, row: Vec<BulkValue>) {
        debug_assert_eq!(
            row.len(),
            TABLES[table].columns.len(),
            "{}",
            TABLES[table].name
        );
        self.buffers[table].push(row);
    }

    fn buffered(&self, table: usize) -> usize {
        self.buffers[table].len()
    }

    fn written(&self, table: usize) -> u64 {
        self.written[table]
    }

    async fn flush_if_full(&mut self) -> anyhow::Result<()> {
        if self.buffers.iter().any(|b| b.len() >= FLUSH_ROWS) {
            self.flush_all().await?;
        }
        Ok(())
    }

    /// Hands every buffered row to a writer task, parents first, and goes
    /// back to generating: the next batch is built while this one is
    /// written. One batch is written at a time, in order, so a row's parent
    /// is always stored before it.
    async fn flush_all(&mut self) -> anyhow::Result<()> {
        self.wait_for_writer().await?;
        let mut batch = Vec::with_capacity(TABLES.len());
        for (i, buffer) in self.buffers.iter_mut().enumerate() {
            self.written[i] += buffer.len() as u64;
            batch.push(std::mem::take(buffer));
        }
        let store = self.store.clone();
        self.writer = Some(tokio::spawn(async move {
            for (spec, rows) in TABLES.iter().zip(batch) {
                store
                    .bulk_insert(spec.name, spec.columns, &rows)
                    .await
                    .with_context(|| format!("ghi bảng {}", spec.name))?;
            }
            Ok(())
        }));
        Ok(())
    }

    /// Waits until everything handed to the writer is stored.
    async fn wait_for_writer(&mut self) -> anyhow::Result<()> {
        if let Some(writer) = self.writer.take() {
            writer.await.context("the writer task failed")??;
        }
        Ok(())
    }

    /// Writes what is buffered and waits until it is stored.
    async fn finish(&mut self) -> anyhow::Result<()> {
        self.flush_all().await?;
        self.wait_for_writer().await
    }
}

#[cfg(test)]
mod tests;
