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
//! hours. The functions below mirror `store/rollups.rs` contribution for
//! contribution; a test rebuilds a small set and compares every counter.
//!
//! Everything random comes from one splitmix64 stream per commune, seeded
//! from `--seed`, so the same flags give the same data on either engine.

pub mod accounts;
mod catalog;
mod commune_plan;
mod counters;
mod rng;
mod tables;

use catalog::*;
use commune_plan::*;
use counters::*;
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
use crate::domain::period::ReportingPeriod;
use crate::domain::plan::ReportingRegime;
use crate::domain::report::end_of_day_ms;
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
    /// Number of provinces (34 for the whole country).
    #[arg(long, default_value_t = 34)]
    pub provinces: u32,
    /// Communes in each province (97 gives 3,298 communes with 34 provinces).
    #[arg(long, default_value_t = 97)]
    pub communes_per_province: u32,
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
    pub communes_per_province: u32,
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
    let options = GenOptions {
        provinces: args.provinces,
        communes_per_province: args.communes_per_province,
        months: args.months,
        seed: args.seed,
        admin_password: password.clone(),
        admin_totp_secret: admin_totp_secret()?,
    };
    println!(
        "Sinh dữ liệu tổng hợp ({}): {} tỉnh × {} xã, {} tháng, seed {}",
        store.engine().name(),
        options.provinces,
        options.communes_per_province,
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
    if store.count_rows("units").await? > 0 {
        bail!(
            "cơ sở dữ liệu đã có đơn vị; `theodoi gen` chỉ ghi vào cơ sở dữ liệu trống \
             (hãy dùng một tệp hoặc cơ sở dữ liệu mới)"
        );
    }
    if options.months == 0 || options.provinces == 0 || options.communes_per_province == 0 {
        bail!("--provinces, --communes-per-province và --months phải lớn hơn 0");
    }
    let now = store.clock().now_ms();
    let mut g = Generator::new(store, options, now);
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
            g.created_at,
        ),
    );
    // The account must point at a stored unit, and it is made through the
    // store so its hash and roles are exactly what the login expects.
    g.finish().await?;
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
    g.admin_id = admin.id;
    let mut nation_counters = CounterMap::new();
    for p in 0..options.provinces {
        let province_id = g.ids.next(T_UNITS);
        let name = province_name(p as usize);
        g.push(
            T_UNITS,
            unit_row(
                province_id,
                Some(nation_id),
                "province",
                &name,
                "government",
                &format!("/{nation_id}/{province_id}/"),
                Some(province_id),
                None,
                g.created_at,
            ),
        );
        let mut province_counters = CounterMap::new();
        for c in 0..options.communes_per_province {
            let index = u64::from(p) * u64::from(options.communes_per_province) + u64::from(c);
            let commune = g.commune(nation_id, province_id, p as usize, c as usize, index);
            let commune_id = commune.commune_id;
            let counters = g.emit_commune(commune);
            g.emit_level(commune_id, Some(province_id), &counters);
            merge(&mut province_counters, &counters);
            g.flush_if_full().await?;
        }
        g.emit_level(province_id, Some(nation_id), &province_counters);
        merge(&mut nation_counters, &province_counters);
        progress(&format!(
            "tỉnh {}/{}: {} — {} cập nhật nhiệm vụ, {:.0} s",
            p + 1,
            options.provinces,
            name,
            g.written(T_TASK_UPDATES) + g.buffered(T_TASK_UPDATES) as u64,
            started.elapsed().as_secs_f64()
        ));
    }
    g.emit_level(nation_id, None, &nation_counters);
    g.finish().await?;
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
    Ok(GenSummary {
        rows,
        admin_user_id: admin.id,
        nation_id,
        elapsed: started.elapsed(),
    })
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

    /// Plans a commune: units, plan, tasks, targets (rows emitted now;
    /// reporting later, in `emit_commune`).
    fn commune(
        &mut self,
        nation_id: i64,
        province_id: i64,
        p: usize,
        c: usize,
        index: u64,
    ) -> Commune {
        let mut rng = Rng::new(
            self.options
                .seed
                .wrapping_add((index + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)),
        );
        let commune_id = self.ids.next(T_UNITS);
        let short = commune_short(p, c);
        let prefix = if rng.chance(0.15) { "Phường" } else { "Xã" };
        let name = format!("{prefix} {short}");
        let commune_path = format!("/{nation_id}/{province_id}/{commune_id}/");
        let at = self.created_at;
        self.push(
            T_UNITS,
            unit_row(
                commune_id,
                Some(province_id),
                "commune",
                &name,
                "government",
                &commune_path,
                Some(province_id),
                Some(commune_id),
                at,
            ),
        );
        let mut units = Vec::with_capacity(UNITS_PER_COMMUNE);
        let mut unit_names = Vec::with_capacity(UNITS_PER_COMMUNE);
        for (kind, side, base) in WORKING_UNITS {
            let id = self.ids.next(T_UNITS);
            let unit_name = if kind == "school" {
                format!("{base} {short}")
            } else {
                base.to_string()
            };
            self.push(
                T_UNITS,
                unit_row(
                    id,
                    Some(commune_id),
                    kind,
                    &unit_name,
                    side,
                    &format!("{commune_path}{id}/"),
                    Some(province_id),
                    Some(commune_id),
                    at,
                ),
            );
            units.push(id);
            unit_names.push(unit_name);
        }
        let plan_id = self.ids.next(T_PLANS);
        let title = format!(
            "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW trên địa bàn {name} giai đoạn 2026 - 2030"
        );
        self.push(
            T_PLANS,
            vec![
                int(plan_id),
                int(province_id),
                int(commune_id),
                int(commune_id),
                text(format!("{}/KH-UBND", 10 + rng.below(90))),
                text(format!("{FIRST_YEAR}-01-05")),
                text(short.clone()),
                text(title.clone()),
                text(search_key(&title)),
                text("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"),
                text(self.regime.periods_text()),
                opt_int(self.regime.unit_due_day.map(i64::from)),
                opt_int(self.regime.consolidated_due_day.map(i64::from)),
                BulkValue::Null,
                int(at),
                int(at),
                int(1),
            ],
        );
        let mut tasks = Vec::with_capacity(TASKS_PER_COMMUNE);
        // Leads rotate so each unit leads six tasks and four targets, and
        // every unit reports every month.
        let rotation = rng.below(UNITS_PER_COMMUNE as u64) as usize;
        for i in 0..TASKS_PER_COMMUNE {
            let id = self.ids.next(T_TASKS);
            let lead = (i + rotation) % UNITS_PER_COMMUNE;
            let dtext = deadline_text(&mut rng);
            let parsed = self.deadlines.get(&dtext);
            let live = !rng.chance(0.005);
            let group = i * GROUPS.len() / TASKS_PER_COMMUNE;
            let base = TASK_TITLES[i % TASK_TITLES.len()];
            let title = match parsed.end {
                Some(end) if i >= TASK_TITLES.len() => format!("{base} năm {}", end.year()),
                _ if i >= TASK_TITLES.len() => format!("{base} (duy trì)"),
                _ => base.to_string(),
            };
            self.push(
                T_TASKS,
                vec![
                    int(id),
                    int(plan_id),
                    int(province_id),
                    int(commune_id),
                    text(format!(
                        "{}.{}",
                        group + 1,
                        i % (TASKS_PER_COMMUNE / GROUPS.len()) + 1
                    )),
                    text(GROUPS[group]),
                    int(i as i64 + 1),
                    text(title.clone()),
                    text(search_key(&title)),
                    BulkValue::Null,
                    text(dtext.clone()),
                    text(parsed.kind),
                    opt_text(parsed.start.map(date_text).as_deref()),
                    opt_text(parsed.end.map(date_text).as_deref()),
                    text(if rng.chance(0.5) {
                        "Ngân sách xã"
                    } else {
                        "Ngân sách tỉnh hỗ trợ"
                    }),
                    BulkValue::Null,
                    BulkValue::Null,
                    int(0),
                    int(at),
                    int(at),
                    int(1),
                    if live {
                        BulkValue::Null
                    } else {
                        text("Không còn phù hợp sau sắp xếp đơn vị hành chính")
                    },
                ],
            );
            let tu = self.ids.next(T_TASK_UNITS);
            self.push(
                T_TASK_UNITS,
                vec![
                    int(tu),
                    int(id),
                    int(province_id),
                    int(commune_id),
                    text("lead"),
                    int(0),
                    text(unit_names[lead].clone()),
                    int(units[lead]),
                ],
            );
            if rng.chance(0.5) {
                let support = (lead + 1 + rng.below(UNITS_PER_COMMUNE as u64 - 1) as usize)
                    % UNITS_PER_COMMUNE;
                let tu = self.ids.next(T_TASK_UNITS);
                self.push(
                    T_TASK_UNITS,
                    vec![
                        int(tu),
                        int(id),
                        int(province_id),
                        int(commune_id),
                        text("support"),
                        int(0),
                        text(unit_names[support].clone()),
                        int(units[support]),
                    ],
                );
            }
            let due_month = parsed.due.map(month_index);
            let (start, finish) = match due_month {
                Some(dm) => {
                    let start = rng.below(dm.max(1) as u64) as i64;
                    let r = rng.unit();
                    let finish = if r < 0.65 {
                        Some(start + rng.below((dm - start).max(0) as u64 + 1) as i64)
                    } else if r < 0.85 {
                        Some(dm.max(start) + 1 + rng.below(12) as i64)
                    } else {
                        None
                    };
                    (start, finish)
                }
                None => (rng.below(6) as i64, None),
            };
            let suspend_at = rng.chance(0.03).then(|| start + 1 + rng.below(12) as i64);
            tasks.push(TaskPlan {
                id,
                lead,
                live,
                due: parsed.due,
                due_month,
                start,
                finish,
                suspend_at,
                reason: SUSPEND_REASONS[rng.below(SUSPEND_REASONS.len() as u64) as usize],
                latest: None,
                first_done: None,
            });
        }
        let mut targets = Vec::with_capacity(TARGETS_PER_COMMUNE);
        for i in 0..TARGETS_PER_COMMUNE {
            let id = self.ids.next(T_TARGETS);
            let template = i % TARGETS.len();
            let t = &TARGETS[template];
            let lead = (i + rotation) % UNITS_PER_COMMUNE;
            let name = if i >= TARGETS.len() {
                format!("{} (khu vực nông thôn)", t.name)
            } else {
                t.name.to_string()
            };
            let direction = match t.op {
                Comparator::Le | Comparator::Lt | Comparator::Top => "lower_is_better",
                _ => "higher_is_better",
            };
            self.push(
                T_TARGETS,
                vec![
                    int(id),
                    int(plan_id),
                    int(province_id),
                    int(commune_id),
                    text(format!("{}", i + 1)),
                    text("Chỉ tiêu đến năm 2026 và 2030"),
                    int(i as i64 + 1),
                    text(name.clone()),
                    text(search_key(&name)),
                    text(t.unit),
                    text(direction),
                    BulkValue::Null,
                    int(at),
                    int(at),
                    int(1),
                ],
            );
            let gu = self.ids.next(T_TARGET_UNITS);
            self.push(
                T_TARGET_UNITS,
                vec![
                    int(gu),
                    int(id),
                    int(province_id),
                    int(commune_id),
                    int(0),
                    text(unit_names[lead].clone()),
                    int(units[lead]),
                ],
            );
            // Most targets have goals for 2026 and 2030; some only for 2030.
            let mut goals = Vec::new();
            if rng.chance(0.85) {
                goals.push((FIRST_YEAR, t.goal_2026));
            }
            goals.push((2030, t.goal_2030));
            let goals: Vec<Goal> = goals
                .into_iter()
                .map(|(year, value)| Goal {
                    year: Some(year),
                    op: t.op,
                    value,
                    text: goal_text(t.op, value, t.unit),
                })
                .collect();
            for (pos, g) in goals.iter().enumerate() {
                self.push(
                    T_TARGET_GOALS,
                    vec![
                        int(id),
                        int(province_id),
                        int(commune_id),
                        int(pos as i64),
                        opt_int(g.year.map(i64::from)),
                        text(comparator_text(g.op)),
                        BulkValue::Real(g.value),
                        text(g.text.clone()),
                    ],
                );
            }
            // Three in four targets move toward the 2030 goal at about the
            // planned pace; the rest drift, some the wrong way.
            let base = rng.between(t.start.0, t.start.1);
            let planned = (t.goal_2030 - base) / 60.0;
            let slope = if rng.chance(0.75) {
                planned * rng.between(0.7, 1.4)
            } else {
                planned * rng.between(-0.5, 0.5)
            };
            let spread = (t.bounds.1 - t.bounds.0) * 0.004 + (t.goal_2030 - base).abs() * 0.02;
            targets.push(TargetPlan {
                id,
                lead,
                template,
                goals,
                base,
                slope,
                spread,
                latest: BTreeMap::new(),
            });
        }
        Commune {
            province_id,
            commune_id,
            plan_id,
            units,
            tasks,
            targets,
            rng,
        }
    }

    /// The reporting months of a commune, then its facts; returns the
    /// commune's counters.
    fn emit_commune(&mut self, mut c: Commune) -> CounterMap {
        let mut counters = CounterMap::new();
        let (pid, cid) = (c.province_id, c.commune_id);
        let months = i64::from(self.options.months);
        for m in 0..months {
            let year = FIRST_YEAR + (m / 12) as i32;
            let Some(period) = ReportingPeriod::month(year, (m % 12) as u32 + 1) else {
                continue;
            };
            let unit_due = self.regime.unit_due_date(&period);
            let consolidated_due = self.regime.consolidated_due_date(&period);
            let round_id = self.ids.next(T_ROUNDS);
            let opened = vn_ms(period.start(), 7 * 60);
            self.push(
                T_ROUNDS,
                vec![
                    int(round_id),
                    int(c.plan_id),
                    int(pid),
                    int(cid),
                    text(period.key()),
                    text(period.kind().as_str()),
                    BulkValue::Null,
                    text(date_text(unit_due)),
                    text(date_text(consolidated_due)),
                    BulkValue::Null,
                    int(opened),
                ],
            );
            let month_bucket = unit_due.format("%Y-%m").to_string();
            let last = m == months - 1;
            for u in 0..UNITS_PER_COMMUNE {
                let rng = &mut c.rng;
                let outcome = if last {
                    // The newest round is still being typed: the load test
                    // saves into these.
                    if rng.chance(0.7) {
                        Outcome::Draft
                    } else {
                        Outcome::Pending
                    }
                } else {
                    let r = rng.unit();
                    if r < 0.95 {
                        Outcome::Accepted
                    } else if r < 0.965 {
                        Outcome::Submitted
                    } else if r < 0.975 {
                        Outcome::Returned
                    } else {
                        Outcome::Pending
                    }
                };
                let submitted = matches!(
                    outcome,
                    Outcome::Accepted | Outcome::Submitted | Outcome::Returned
                );
                let first_submitted_at = submitted.then(|| {
                    if rng.chance(0.8) {
                        // On time: in the week before the due date, office hours.
                        let day = unit_due - chrono::Duration::days(rng.below(7) as i64);
                        vn_ms(day, 7 * 60 + rng.below(10 * 60) as i64)
                    } else {
                        let day = unit_due + chrono::Duration::days(1 + rng.below(12) as i64);
                        vn_ms(day, 7 * 60 + rng.below(10 * 60) as i64)
                    }
                });
                let reviewed_at = match outcome {
                    Outcome::Accepted | Outcome::Returned => {
                        first_submitted_at.map(|at| at + (1 + rng.below(72) as i64) * 3_600_000)
                    }
                    _ => None,
                };
                let (status, comment) = match outcome {
                    Outcome::Accepted => ("accepted", None),
                    Outcome::Submitted => ("submitted", None),
                    Outcome::Returned => ("returned", Some("Đề nghị bổ sung minh chứng")),
                    Outcome::Draft => ("draft", None),
                    Outcome::Pending => ("pending", None),
                };
                let typed_at = first_submitted_at
                    .map(|at| at - 20 * 60_000)
                    .unwrap_or_else(|| vn_ms(unit_due - chrono::Duration::days(2), 15 * 60));
                let report_id = self.ids.next(T_REPORTS);
                let updated_at = reviewed_at.or(first_submitted_at).unwrap_or(opened);
                let has_content = outcome != Outcome::Pending;
                let version = match outcome {
                    Outcome::Pending => 1,
                    Outcome::Draft => 2,
                    Outcome::Submitted => 3,
                    Outcome::Accepted | Outcome::Returned => 4,
                };
                self.push(
                    T_REPORTS,
                    vec![
                        int(report_id),
                        int(round_id),
                        int(c.units[u]),
                        int(pid),
                        int(cid),
                        text(status),
                        if has_content && rng.chance(0.3) {
                            text("Thiếu kinh phí, nhân lực chuyên trách")
                        } else {
                            BulkValue::Null
                        },
                        BulkValue::Null,
                        opt_int(first_submitted_at),
                        opt_int(first_submitted_at),
                        BulkValue::Null,
                        opt_int(reviewed_at),
                        if reviewed_at.is_some() {
                            int(self.admin_id)
                        } else {
                            BulkValue::Null
                        },
                        opt_text(comment),
                        int(opened),
                        int(updated_at),
                        int(version),
                    ],
                );
                // Counters of the report itself: reports_expected and
                // report_received in rollups.rs.
                bump(&mut counters, "reports_expected", month_bucket.clone());
                if let Some(at) = first_submitted_at {
                    let metric = if at <= end_of_day_ms(unit_due) {
                        "reports_on_time"
                    } else {
                        "reports_late"
                    };
                    bump(&mut counters, metric, month_bucket.clone());
                }
                if !has_content {
                    continue;
                }
                let accepted = outcome == Outcome::Accepted;
                for t in c.tasks.iter_mut().filter(|t| t.lead == u && t.live) {
                    let (st, percent, result, reason) = t.report(m);
                    let id = self.ids.next(T_TASK_UPDATES);
                    self.buffers[T_TASK_UPDATES].push(vec![
                        int(id),
                        int(report_id),
                        int(t.id),
                        int(pid),
                        int(cid),
                        text(st),
                        opt_int(percent),
                        opt_text(result),
                        opt_text(reason),
                        BulkValue::Null,
                        int(typed_at),
                        BulkValue::Null,
                        int(1),
                    ]);
                    if accepted && let Some(at) = first_submitted_at {
                        t.latest = Some((st, at));
                        if t.first_done.is_none() && matches!(st, "done" | "done_late") {
                            t.first_done = Some((st, at));
                        }
                    }
                }
                for g in c.targets.iter_mut().filter(|g| g.lead == u) {
                    let value = g.value(m, &mut c.rng);
                    let id = self.ids.next(T_FIGURES);
                    self.buffers[T_FIGURES].push(vec![
                        int(id),
                        int(report_id),
                        int(g.id),
                        int(pid),
                        int(cid),
                        opt_real(value),
                        if c.rng.chance(0.1) {
                            text("Thống kê của đơn vị")
                        } else {
                            BulkValue::Null
                        },
                        BulkValue::Null,
                        int(typed_at),
                        BulkValue::Null,
                        int(1),
                    ]);
                    // refresh_target reads figures by the year of the
                    // round's due date.
                    if accepted && let Some(v) = value {
                        g.latest.insert(unit_due.year(), v);
                    }
                }
            }
        }
        let now = self.now;
        for t in &c.tasks {
            let due_on = t.due.map(date_text);
            let status = t.latest.map(|(s, _)| s.to_string());
            let done = crate::store::done_timing(
                t.latest.map(|(s, _)| s),
                t.due,
                t.first_done.map(|(s, at)| (s, Some(at))),
            );
            for (metric, bucket) in task_contributions(t.live, &due_on, &done, &status) {
                bump(&mut counters, metric, bucket);
            }
            self.push(
                T_TASK_FACTS,
                vec![
                    int(t.id),
                    int(pid),
                    int(cid),
                    int(i64::from(t.live)),
                    opt_text(due_on.as_deref()),
                    opt_text(done.as_deref()),
                    opt_text(status.as_deref()),
                    int(now),
                ],
            );
        }
        for g in &c.targets {
            for goal in &g.goals {
                let Some(year) = goal.year else { continue };
                let value = g.latest.get(&year).copied();
                let state = match value {
                    Some(v) if goal.is_met_by(v) => "met",
                    Some(_) => "not_met",
                    None => "no_data",
                };
                bump(&mut counters, state_metric(state), year.to_string());
                self.push(
                    T_TARGET_FACTS,
                    vec![
                        int(g.id),
                        int(i64::from(year)),
                        int(pid),
                        int(cid),
                        text(state),
                        opt_real(value),
                        int(now),
                    ],
                );
            }
        }
        counters
    }

    /// Rollup rows of one level unit, with its parent as `levels` gives it.
    fn emit_level(&mut self, unit_id: i64, parent: Option<i64>, counters: &CounterMap) {
        if counters.is_empty() {
            return;
        }
        for ((metric, bucket), value) in counters {
            self.push(
                T_ROLLUPS,
                vec![
                    int(unit_id),
                    opt_int(parent),
                    text(*metric),
                    text(bucket.clone()),
                    int(*value),
                ],
            );
        }
        // Every level a contribution reached is touched, as `apply` does.
        let now = self.now;
        self.push(T_ROLLUP_TIMES, vec![int(unit_id), int(now)]);
    }
}

#[cfg(test)]
mod tests;
