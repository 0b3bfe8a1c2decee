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

// ---------------------------------------------------------------------------
// Tables, in foreign-key order: a flush writes them in this order so every
// row's parent is stored before it.

struct TableSpec {
    name: &'static str,
    columns: &'static [&'static str],
}

const T_UNITS: usize = 0;
const T_PLANS: usize = 1;
const T_TASKS: usize = 2;
const T_TASK_UNITS: usize = 3;
const T_TARGETS: usize = 4;
const T_TARGET_UNITS: usize = 5;
const T_TARGET_GOALS: usize = 6;
const T_ROUNDS: usize = 7;
const T_REPORTS: usize = 8;
const T_TASK_UPDATES: usize = 9;
const T_FIGURES: usize = 10;
const T_TASK_FACTS: usize = 11;
const T_TARGET_FACTS: usize = 12;
const T_ROLLUPS: usize = 13;
const T_ROLLUP_TIMES: usize = 14;

const TABLES: [TableSpec; 15] = [
    TableSpec {
        name: "units",
        columns: &[
            "id",
            "parent_id",
            "kind",
            "name",
            "folded_name",
            "side",
            "path",
            "province_id",
            "commune_id",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "plans",
        columns: &[
            "id",
            "province_id",
            "commune_id",
            "issuer_unit_id",
            "number",
            "issued_on",
            "place",
            "title",
            "folded_title",
            "basis",
            "periods",
            "unit_due_day",
            "consolidated_due_day",
            "source_digest",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "tasks",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "ref",
            "group_path",
            "position",
            "title",
            "folded_title",
            "product",
            "deadline_text",
            "deadline_kind",
            "deadline_start",
            "deadline_end",
            "funding",
            "legal_basis",
            "parent_task_id",
            "draft",
            "created_at",
            "updated_at",
            "version",
            "not_applicable_reason",
        ],
    },
    TableSpec {
        name: "task_units",
        columns: &[
            "id",
            "task_id",
            "province_id",
            "commune_id",
            "role",
            "position",
            "mention",
            "unit_id",
        ],
    },
    TableSpec {
        name: "targets",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "ref",
            "group_path",
            "position",
            "name",
            "folded_name",
            "measure_unit",
            "direction",
            "note",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "target_units",
        columns: &[
            "id",
            "target_id",
            "province_id",
            "commune_id",
            "position",
            "mention",
            "unit_id",
        ],
    },
    TableSpec {
        name: "target_goals",
        columns: &[
            "target_id",
            "province_id",
            "commune_id",
            "position",
            "year",
            "op",
            "value",
            "text",
        ],
    },
    TableSpec {
        name: "report_rounds",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "period_key",
            "kind",
            "title",
            "unit_due_on",
            "consolidated_due_on",
            "created_by",
            "created_at",
        ],
    },
    TableSpec {
        name: "unit_reports",
        columns: &[
            "id",
            "round_id",
            "unit_id",
            "province_id",
            "commune_id",
            "status",
            "difficulties",
            "recommendations",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "task_updates",
        columns: &[
            "id",
            "report_id",
            "task_id",
            "province_id",
            "commune_id",
            "status",
            "percent",
            "result",
            "suspend_reason",
            "review_comment",
            "updated_at",
            "updated_by",
            "version",
        ],
    },
    TableSpec {
        name: "target_figures",
        columns: &[
            "id",
            "report_id",
            "target_id",
            "province_id",
            "commune_id",
            "value",
            "source",
            "review_comment",
            "updated_at",
            "updated_by",
            "version",
        ],
    },
    TableSpec {
        name: "task_facts",
        columns: &[
            "task_id",
            "province_id",
            "commune_id",
            "live",
            "due_on",
            "done",
            "status",
            "updated_at",
        ],
    },
    TableSpec {
        name: "target_facts",
        columns: &[
            "target_id",
            "year",
            "province_id",
            "commune_id",
            "state",
            "value",
            "updated_at",
        ],
    },
    TableSpec {
        name: "rollups",
        columns: &["unit_id", "parent_id", "metric", "bucket", "value"],
    },
    TableSpec {
        name: "rollup_times",
        columns: &["unit_id", "updated_at"],
    },
];

/// The next explicit id of each table (tables without an id ignore it).
struct Ids([i64; TABLES.len()]);

impl Ids {
    fn next(&mut self, table: usize) -> i64 {
        self.0[table] += 1;
        self.0[table]
    }
}

// ---------------------------------------------------------------------------
// Values

fn int(v: i64) -> BulkValue {
    BulkValue::Int(v)
}

fn text(v: impl Into<String>) -> BulkValue {
    BulkValue::Text(v.into())
}

fn opt_int(v: Option<i64>) -> BulkValue {
    v.map_or(BulkValue::Null, BulkValue::Int)
}

fn opt_text(v: Option<&str>) -> BulkValue {
    v.map_or(BulkValue::Null, |s| BulkValue::Text(s.to_string()))
}

fn opt_real(v: Option<f64>) -> BulkValue {
    v.map_or(BulkValue::Null, BulkValue::Real)
}

#[allow(clippy::too_many_arguments)]
fn unit_row(
    id: i64,
    parent: Option<i64>,
    kind: &str,
    name: &str,
    side: &str,
    path: &str,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    at: i64,
) -> Vec<BulkValue> {
    vec![
        int(id),
        opt_int(parent),
        text(kind),
        text(name),
        text(search_key(name)),
        text(side),
        text(path),
        opt_int(province_id),
        opt_int(commune_id),
        int(at),
        int(at),
        int(1),
    ]
}

/// Epoch milliseconds of a Vietnamese wall-clock time (UTC+7).
fn vn_ms(date: NaiveDate, minutes: i64) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis() + minutes * 60_000 - 7 * 3_600_000
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// ---------------------------------------------------------------------------
// A small deterministic PRNG (splitmix64): no extra crate, same stream on
// every platform.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Roughly normal noise (sum of uniforms), mean 0, deviation about 1.
    fn noise(&mut self) -> f64 {
        (self.unit() + self.unit() + self.unit() - 1.5) * 2.0
    }
}

// ---------------------------------------------------------------------------
// Names and texts, kept short: at full scale every byte is multiplied by
// millions of rows.

const SYLLABLES: [&str; 30] = [
    "An", "Bình", "Hòa", "Phú", "Tân", "Long", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng",
    "Phước", "Thuận", "Lộc", "Sơn", "Lâm", "Hải", "Minh", "Quang", "Thịnh", "Vĩnh", "Mỹ", "Đức",
    "Trung", "Hồng", "Kim", "Ngọc", "Thái", "Xuân",
];

fn two_syllables(a: usize, b: usize) -> String {
    let a = a % SYLLABLES.len();
    let mut b = b % SYLLABLES.len();
    if a == b {
        b = (b + 1) % SYLLABLES.len();
    }
    format!("{} {}", SYLLABLES[a], SYLLABLES[b])
}

fn province_name(p: usize) -> String {
    format!("Tỉnh {}", two_syllables(p, p * 7 + 11 + (p / 30) * 3))
}

fn commune_short(p: usize, c: usize) -> String {
    two_syllables(c + p, (c / 30) * 7 + (c % 30) * 11 + p)
}

/// The ten units that report in every commune: kind, side, name.
const WORKING_UNITS: [(&str, &str, &str); UNITS_PER_COMMUNE] = [
    ("office", "government", "Văn phòng HĐND và UBND"),
    ("department", "government", "Phòng Kinh tế"),
    ("department", "government", "Phòng Văn hóa - Xã hội"),
    ("office", "government", "Trung tâm Phục vụ hành chính công"),
    ("office", "party", "Văn phòng Đảng ủy"),
    ("police_post", "government", "Công an xã"),
    ("school", "government", "Trường THCS"),
    ("school", "government", "Trường Tiểu học"),
    ("village", "government", "Thôn Trung Tâm"),
    ("mass_organisation", "other", "Đoàn Thanh niên"),
];

const GROUPS: [&str; 5] = [
    "I. Nâng cao nhận thức, đổi mới tư duy",
    "II. Hoàn thiện thể chế, chính sách",
    "III. Phát triển hạ tầng số",
    "IV. Chuyển đổi số trong cơ quan nhà nước",
    "V. Kinh tế số, xã hội số",
];

const TASK_TITLES: [&str; 30] = [
    "Quán triệt Nghị quyết 57-NQ/TW đến cán bộ, đảng viên",
    "Tuyên truyền về chuyển đổi số trên hệ thống truyền thanh",
    "Bồi dưỡng kỹ năng số cho cán bộ, công chức",
    "Tổ chức hội nghị sơ kết thực hiện kế hoạch",
    "Phát động phong trào Bình dân học vụ số",
    "Thành lập tổ công nghệ số cộng đồng",
    "Rà soát, đề xuất bãi bỏ thủ tục không cần thiết",
    "Ban hành quy chế quản lý, sử dụng dữ liệu dùng chung",
    "Xây dựng quy chế phối hợp cung cấp dịch vụ công trực tuyến",
    "Rà soát văn bản quy phạm pháp luật liên quan",
    "Bố trí kinh phí thực hiện chuyển đổi số",
    "Đánh giá kết quả thực hiện chỉ số cải cách hành chính",
    "Phủ sóng di động 4G, 5G đến các thôn",
    "Lắp đặt hệ thống camera giám sát an ninh trật tự",
    "Nâng cấp mạng nội bộ và đường truyền chuyên dùng",
    "Trang bị thiết bị cho Trung tâm Phục vụ hành chính công",
    "Triển khai điểm truy cập Internet công cộng miễn phí",
    "Bảo đảm an toàn thông tin theo cấp độ",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Cập nhật cơ sở dữ liệu dân cư, đất đai",
    "Vận hành hệ thống quản lý văn bản và điều hành",
    "Sử dụng chữ ký số trong xử lý văn bản",
    "Triển khai họp trực tuyến đến các thôn",
    "Công khai thông tin trên Cổng thông tin điện tử xã",
    "Hỗ trợ hộ sản xuất đưa sản phẩm lên sàn thương mại điện tử",
    "Mở rộng thanh toán không dùng tiền mặt",
    "Triển khai sổ sức khỏe điện tử",
    "Ứng dụng công nghệ số trong dạy và học",
    "Xây dựng mô hình thôn thông minh",
    "Hỗ trợ doanh nghiệp, hợp tác xã chuyển đổi số",
];

const SUSPEND_REASONS: [&str; 3] = [
    "Chưa được bố trí kinh phí",
    "Chờ hướng dẫn của cấp trên",
    "Điều chỉnh theo sắp xếp đơn vị hành chính",
];

/// A target template: name, measure unit, comparator, the 2026 and 2030
/// goals, a plausible starting range, bounds, and whether values are whole.
struct TargetTemplate {
    name: &'static str,
    unit: &'static str,
    op: Comparator,
    goal_2026: f64,
    goal_2030: f64,
    start: (f64, f64),
    bounds: (f64, f64),
    whole: bool,
}

const fn tt(
    name: &'static str,
    unit: &'static str,
    op: Comparator,
    goals: (f64, f64),
    start: (f64, f64),
    bounds: (f64, f64),
    whole: bool,
) -> TargetTemplate {
    TargetTemplate {
        name,
        unit,
        op,
        goal_2026: goals.0,
        goal_2030: goals.1,
        start,
        bounds,
        whole,
    }
}

const TARGETS: [TargetTemplate; 20] = [
    tt(
        "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến",
        "%",
        Comparator::Ge,
        (60.0, 90.0),
        (20.0, 55.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ dịch vụ công trực tuyến toàn trình",
        "%",
        Comparator::Ge,
        (80.0, 100.0),
        (40.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử",
        "%",
        Comparator::Ge,
        (90.0, 100.0),
        (60.0, 88.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ hồ sơ giải quyết quá hạn",
        "%",
        Comparator::Le,
        (5.0, 1.0),
        (4.0, 15.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân trưởng thành có danh tính điện tử",
        "%",
        Comparator::Ge,
        (80.0, 95.0),
        (45.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ hộ gia đình có cáp quang",
        "%",
        Comparator::Ge,
        (80.0, 100.0),
        (50.0, 78.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân có điện thoại thông minh",
        "%",
        Comparator::Ge,
        (85.0, 95.0),
        (60.0, 84.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ thanh toán không dùng tiền mặt",
        "%",
        Comparator::Ge,
        (50.0, 80.0),
        (15.0, 45.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số hộ sản xuất bán hàng trên sàn thương mại điện tử",
        "hộ",
        Comparator::Ge,
        (30.0, 120.0),
        (0.0, 20.0),
        (0.0, 500.0),
        true,
    ),
    tt(
        "Số thôn có điểm truy cập Internet công cộng",
        "thôn",
        Comparator::Ge,
        (5.0, 12.0),
        (0.0, 4.0),
        (0.0, 20.0),
        true,
    ),
    tt(
        "Tỷ lệ cán bộ, công chức có kỹ năng số cơ bản",
        "%",
        Comparator::Ge,
        (90.0, 100.0),
        (50.0, 85.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ trường học dạy và học trực tuyến",
        "%",
        Comparator::Ge,
        (70.0, 100.0),
        (30.0, 65.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân có sổ sức khỏe điện tử",
        "%",
        Comparator::Ge,
        (70.0, 95.0),
        (30.0, 65.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số camera an ninh kết nối trung tâm",
        "camera",
        Comparator::Ge,
        (20.0, 60.0),
        (0.0, 15.0),
        (0.0, 200.0),
        true,
    ),
    tt(
        "Xếp hạng chỉ số chuyển đổi số cấp xã trong tỉnh",
        "hạng",
        Comparator::Top,
        (30.0, 10.0),
        (25.0, 90.0),
        (1.0, 97.0),
        true,
    ),
    tt(
        "Tỷ lệ hồ sơ được số hóa kết quả",
        "%",
        Comparator::Ge,
        (70.0, 100.0),
        (25.0, 60.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số doanh nghiệp, hợp tác xã ứng dụng công nghệ số",
        "đơn vị",
        Comparator::Ge,
        (5.0, 20.0),
        (0.0, 4.0),
        (0.0, 80.0),
        true,
    ),
    tt(
        "Tỷ lệ phản ánh kiến nghị xử lý trực tuyến",
        "%",
        Comparator::Ge,
        (80.0, 95.0),
        (40.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Thời gian xử lý hồ sơ trung bình",
        "ngày",
        Comparator::Le,
        (3.0, 1.5),
        (3.0, 7.0),
        (0.5, 15.0),
        false,
    ),
    tt(
        "Tỷ lệ kinh phí chi cho chuyển đổi số",
        "%",
        Comparator::Ge,
        (1.0, 3.0),
        (0.2, 0.9),
        (0.0, 10.0),
        false,
    ),
];

fn comparator_text(op: Comparator) -> &'static str {
    match op {
        Comparator::Ge => ">=",
        Comparator::Gt => ">",
        Comparator::Le => "<=",
        Comparator::Lt => "<",
        Comparator::Eq => "=",
        Comparator::Top => "top",
    }
}

fn goal_text(op: Comparator, value: f64, unit: &str) -> String {
    let v = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    };
    match op {
        Comparator::Top => format!("Top {v}"),
        Comparator::Le | Comparator::Lt => format!("≤ {v} {unit}"),
        _ => format!("≥ {v} {unit}"),
    }
}

// ---------------------------------------------------------------------------
// Deadlines in the forms plans use, due at month, quarter, half-year and
// year ends from 2026 to 2030, plus about 20% `Thường xuyên`.

fn deadline_text(rng: &mut Rng) -> String {
    if rng.chance(0.2) {
        return "Thường xuyên".into();
    }
    // Earlier years are more common: plans front-load their work.
    let year = 2026 + [0, 0, 0, 1, 1, 1, 2, 2, 3, 4][rng.below(10) as usize];
    let form = rng.below(100);
    if form < 38 {
        format!("Tháng {}/{year}", 1 + rng.below(12))
    } else if form < 70 {
        let q = ["I", "II", "III", "IV"][rng.below(4) as usize];
        format!("Quý {q}/{year}")
    } else if form < 80 {
        format!("6 tháng đầu năm {year}")
    } else {
        format!("Năm {year}")
    }
}

/// Parsed deadlines, by text: at full scale there are a few hundred texts
/// for 200,000 tasks.
#[derive(Default)]
struct Deadlines(HashMap<String, ParsedDeadline>);

#[derive(Clone)]
struct ParsedDeadline {
    kind: &'static str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    /// The one-off due date, as `refresh_task` computes it.
    due: Option<NaiveDate>,
}

impl Deadlines {
    fn get(&mut self, text: &str) -> ParsedDeadline {
        if let Some(p) = self.0.get(text) {
            return p.clone();
        }
        let d = Deadline::parse(text);
        let parsed = ParsedDeadline {
            kind: d.kind().as_str(),
            start: d.start(),
            end: d.end(),
            due: if d.kind().is_one_off() { d.end() } else { None },
        };
        self.0.insert(text.to_string(), parsed.clone());
        parsed
    }
}

/// Months since January of [`FIRST_YEAR`] (0 = 2026-01).
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year() - FIRST_YEAR) * 12 + i64::from(d.month0())
}

// ---------------------------------------------------------------------------
// Counters, exactly as `store/rollups.rs` computes them.

/// (metric, bucket) → value, for one level unit.
type CounterMap = BTreeMap<(&'static str, String), i64>;

/// A level's counters are the sum of its children's: every record rolls up
/// to its commune, province and the nation alike.
fn merge(into: &mut CounterMap, from: &CounterMap) {
    for (k, v) in from {
        *into.entry(k.clone()).or_insert(0) += v;
    }
}

fn bump(map: &mut CounterMap, metric: &'static str, bucket: String) {
    *map.entry((metric, bucket)).or_insert(0) += 1;
}

/// What a task adds to the counters: `task_contributions` in rollups.rs.
fn task_contributions(
    live: bool,
    due_on: &Option<String>,
    done: &Option<String>,
    status: &Option<String>,
) -> Vec<(&'static str, String)> {
    if !live {
        return Vec::new();
    }
    let mut out = vec![("tasks", String::new())];
    out.push((
        "tasks_status",
        status.clone().unwrap_or_else(|| "none".into()),
    ));
    match (done.as_deref(), due_on) {
        (Some("on_time"), _) => out.push(("tasks_done_on_time", String::new())),
        (Some(_), _) => out.push(("tasks_done_late", String::new())),
        (None, Some(d)) => out.push(("tasks_open_due", d.clone())),
        (None, None) => out.push(("tasks_open_ongoing", String::new())),
    }
    out
}

fn state_metric(state: &str) -> &'static str {
    match state {
        "met" => "targets_met",
        "not_met" => "targets_not_met",
        _ => "targets_no_data",
    }
}

// ---------------------------------------------------------------------------
// One commune, planned in memory, then emitted as rows.

struct TaskPlan {
    id: i64,
    lead: usize,
    live: bool,
    due: Option<NaiveDate>,
    /// Month whose report is the last on time for the deadline.
    due_month: Option<i64>,
    start: i64,
    finish: Option<i64>,
    suspend_at: Option<i64>,
    reason: &'static str,
    /// Latest accepted (status, first_submitted_at).
    latest: Option<(&'static str, i64)>,
    /// The first accepted report saying done (status, first_submitted_at).
    first_done: Option<(&'static str, i64)>,
}

impl TaskPlan {
    /// What the lead unit reports in month `m`: status, percent, result,
    /// suspension reason.
    fn report(
        &self,
        m: i64,
    ) -> (
        &'static str,
        Option<i64>,
        Option<&'static str>,
        Option<&'static str>,
    ) {
        let percent_at = |m: i64| -> i64 {
            match self.finish {
                Some(f) if f > self.start => {
                    let p = 10 + 85 * (m - self.start) / (f - self.start);
                    (p / 5 * 5).clamp(5, 95)
                }
                Some(_) => 50,
                None => (10 + 5 * (m - self.start)).clamp(5, 90),
            }
        };
        if let Some(s) = self.suspend_at
            && m >= s
        {
            return ("suspended", Some(percent_at(s)), None, Some(self.reason));
        }
        if let Some(f) = self.finish
            && m >= f
        {
            let late = self.due_month.is_some_and(|d| f > d);
            let status = if late { "done_late" } else { "done" };
            return (status, Some(100), Some("Đã hoàn thành"), None);
        }
        if m >= self.start {
            if self.due.is_none() {
                return ("in_progress", None, None, None);
            }
            return ("in_progress", Some(percent_at(m)), None, None);
        }
        ("not_started", Some(0), None, None)
    }
}

struct TargetPlan {
    id: i64,
    lead: usize,
    template: usize,
    goals: Vec<Goal>,
    base: f64,
    slope: f64,
    spread: f64,
    /// Latest accepted non-null value, by the year of its round.
    latest: BTreeMap<i32, f64>,
}

impl TargetPlan {
    fn value(&self, m: i64, rng: &mut Rng) -> Option<f64> {
        // About one figure in a hundred is left empty ("chưa có số liệu").
        if rng.chance(0.01) {
            return None;
        }
        let t = &TARGETS[self.template];
        let v = (self.base + self.slope * m as f64 + self.spread * rng.noise())
            .clamp(t.bounds.0, t.bounds.1);
        Some(if t.whole {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        })
    }
}

/// The commune being generated: its ids and what has been planned.
struct Commune {
    province_id: i64,
    commune_id: i64,
    plan_id: i64,
    units: Vec<i64>,
    tasks: Vec<TaskPlan>,
    targets: Vec<TargetPlan>,
    rng: Rng,
}

/// How a unit's report of a round ended.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Accepted,
    Submitted,
    Returned,
    Draft,
    Pending,
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
mod tests {
    use super::*;
    use sqlx::Row;

    #[test]
    fn splitmix_is_deterministic() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(7) < 7);
        }
    }

    #[test]
    fn every_generated_deadline_is_read_as_intended() {
        let mut rng = Rng::new(3);
        let mut deadlines = Deadlines::default();
        let mut ongoing = 0;
        for _ in 0..5000 {
            let t = deadline_text(&mut rng);
            let d = deadlines.get(&t);
            if t == "Thường xuyên" {
                ongoing += 1;
                assert_eq!(d.kind, "ongoing");
                assert!(d.due.is_none());
            } else {
                let due = d.due.unwrap_or_else(|| panic!("{t} has no due date"));
                assert!((2026..=2030).contains(&due.year()), "{t}");
                // Due dates are period ends: the next day starts a month.
                assert_eq!((due + chrono::Duration::days(1)).day(), 1, "{t}");
            }
        }
        assert!((800..1200).contains(&ongoing), "{ongoing}");
    }

    #[test]
    fn goals_are_met_the_way_the_store_judges_them() {
        let g = Goal {
            year: Some(2026),
            op: Comparator::Top,
            value: 30.0,
            text: goal_text(Comparator::Top, 30.0, "hạng"),
        };
        assert!(g.is_met_by(12.0));
        assert!(!g.is_met_by(31.0));
        assert_eq!(g.text, "Top 30");
        assert_eq!(goal_text(Comparator::Ge, 1.5, "%"), "≥ 1,5 %");
    }

    type Snapshot = (
        Vec<(i64, Option<i64>, String, String, i64)>,
        Vec<i64>,
        Vec<(i64, i64, Option<String>, Option<String>, Option<String>)>,
        Vec<(i64, i64, String, Option<f64>)>,
    );

    async fn snapshot(url: &str) -> Snapshot {
        let pool = sqlx::AnyPool::connect(url).await.expect("connect");
        let rollups = sqlx::query(
            "SELECT unit_id, parent_id, metric, bucket, value FROM rollups
             WHERE value <> 0 ORDER BY unit_id, metric, bucket",
        )
        .fetch_all(&pool)
        .await
        .expect("rollups")
        .iter()
        .map(|r| {
            (
                r.get("unit_id"),
                r.get("parent_id"),
                r.get("metric"),
                r.get("bucket"),
                r.get("value"),
            )
        })
        .collect();
        let times = sqlx::query("SELECT unit_id FROM rollup_times ORDER BY unit_id")
            .fetch_all(&pool)
            .await
            .expect("times")
            .iter()
            .map(|r| r.get("unit_id"))
            .collect();
        let task_facts = sqlx::query(
            "SELECT task_id, live, due_on, done, status FROM task_facts ORDER BY task_id",
        )
        .fetch_all(&pool)
        .await
        .expect("task facts")
        .iter()
        .map(|r| {
            (
                r.get("task_id"),
                r.get("live"),
                r.get("due_on"),
                r.get("done"),
                r.get("status"),
            )
        })
        .collect();
        let target_facts = sqlx::query(
            "SELECT target_id, year, state, value FROM target_facts ORDER BY target_id, year",
        )
        .fetch_all(&pool)
        .await
        .expect("target facts")
        .iter()
        .map(|r| {
            (
                r.get("target_id"),
                r.get("year"),
                r.get("state"),
                r.get("value"),
            )
        })
        .collect();
        pool.close().await;
        (rollups, times, task_facts, target_facts)
    }

    async fn generated_equals_rebuilt(months: u32, seed: u64) -> Snapshot {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("g.db");
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&path.display().to_string(), clock::system())
            .await
            .expect("open");
        let options = GenOptions {
            provinces: 1,
            communes_per_province: 2,
            months,
            seed,
            admin_password: DEFAULT_PASSWORD.into(),
            admin_totp_secret: admin_totp_secret().expect("secret"),
        };
        let summary = generate(&store, &options, &mut |_| {}).await.expect("gen");
        let count = |t: &str| {
            summary
                .rows
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        assert_eq!(count("units"), 1 + 1 + 2 * (1 + UNITS_PER_COMMUNE as u64));
        assert_eq!(count("tasks"), 2 * TASKS_PER_COMMUNE as u64);
        assert_eq!(
            count("unit_reports"),
            2 * u64::from(months) * UNITS_PER_COMMUNE as u64
        );
        let generated = snapshot(&url).await;
        assert!(!generated.0.is_empty());
        store.rebuild_rollups().await.expect("rebuild");
        let rebuilt = snapshot(&url).await;
        assert_eq!(generated.0, rebuilt.0, "rollups differ");
        assert_eq!(generated.1, rebuilt.1, "rollup_times differ");
        assert_eq!(generated.2, rebuilt.2, "task_facts differ");
        assert_eq!(generated.3, rebuilt.3, "target_facts differ");
        // A second gen into the same database is refused.
        assert!(generate(&store, &options, &mut |_| {}).await.is_err());
        store.close().await;
        rebuilt
    }

    #[tokio::test]
    async fn generated_rollups_equal_a_rebuild() {
        generated_equals_rebuilt(3, 11).await;
    }

    /// Two years of rounds reach the states a three-month set cannot: done
    /// on time and late, suspended, targets met and missed in 2026.
    #[tokio::test]
    async fn generated_rollups_equal_a_rebuild_over_two_years() {
        // Seed 6 happens to mark a task of these 120 not applicable.
        let (rollups, _, facts, targets) = generated_equals_rebuilt(24, 6).await;
        let has = |metric: &str| rollups.iter().any(|r| r.2 == metric && r.4 > 0);
        for metric in [
            "tasks_done_on_time",
            "tasks_done_late",
            "tasks_open_due",
            "tasks_open_ongoing",
            "targets_met",
            "targets_not_met",
            "targets_no_data",
            "reports_on_time",
            "reports_late",
        ] {
            assert!(has(metric), "no {metric}");
        }
        assert!(facts.iter().any(|f| f.4.as_deref() == Some("suspended")));
        assert!(facts.iter().any(|f| f.1 == 0), "a task not applicable");
        assert!(targets.iter().any(|t| t.2 == "met"));
    }
}
