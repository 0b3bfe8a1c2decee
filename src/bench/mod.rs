//! `theodoi bench`: measures a database made by `theodoi gen` the way a
//! deployment would feel it. It starts `theodoi serve` on the database as a
//! child process on a free loopback port, signs in as the generated
//! administrator, and times the dashboard JSON of the nation, a province and
//! a commune over one keep-alive connection, with the dashboard cache warm
//! and cold (each cold request right after the level's counters were
//! marked as moved, as a change does); it times the raw GROUP BY a
//! dashboard would need without rollups; it reads the server's memory; and,
//! when asked, it saves reports from several clients at once for a bounded
//! number of requests and seconds.
//!
//! `theodoi load` ([`peak`]) is the deadline-day test: every unit of a
//! generated province signing in and submitting while leaders load their
//! dashboards. Both print one JSON object as their last line, for scripts.

mod http;
pub mod peak;
mod review;
mod server;
mod stats;
mod submit;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::cli::DbArg;
use crate::clock;
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{Page, Store, UnitFilter};
use crate::synthetic::{ADMIN_USERNAME, DEFAULT_PASSWORD, admin_totp_secret};
use http::Http;
use server::{Server, load_average, read_memory};
use stats::{Latency, latency, round2};
use submit::submission_load;

/// Requests per level sent before timing, so first-use costs (prepared
/// statements, page cache) are not counted.
const WARMUP: usize = 10;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Timed requests per dashboard level.
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
    /// Runs of the raw GROUP BY; the median is reported.
    #[arg(long, default_value_t = 3)]
    pub raw_runs: usize,
    /// Report saves for the submission load test (0 skips it).
    #[arg(long, default_value_t = 0)]
    pub submissions: usize,
    /// Concurrent clients of the submission load test.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Longest the submission load test runs, in seconds.
    #[arg(long, default_value_t = 60)]
    pub submit_seconds: u64,
    /// Longest wait, in seconds, for the server's start-up work (opening
    /// rounds, warnings) to finish before timing.
    #[arg(long, default_value_t = 900)]
    pub settle_seconds: u64,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let password = std::env::var("THEODOI_PASSWORD").unwrap_or_else(|_| DEFAULT_PASSWORD.into());
    let store = Store::open(&args.db.db, clock::system())
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", args.db.db))?;
    let nation = first_unit(&store, UnitKind::Nation).await?;
    let province = first_unit(&store, UnitKind::Province).await?;
    let commune = first_unit(&store, UnitKind::Commune).await?;
    let task_updates = store.count_rows("task_updates").await?;
    println!(
        "Đo hiệu năng ({}): {} cập nhật nhiệm vụ; đơn vị đo: {} (#{}), {} (#{}), {} (#{})",
        store.engine().name(),
        task_updates,
        nation.name,
        nation.id,
        province.name,
        province.id,
        commune.name,
        commune.id
    );

    let mut server = Server::start(&args.db.db)?;
    let addr = server.addr;
    let started = Instant::now();
    server.wait_healthy(Duration::from_secs(300)).await?;
    println!(
        "  máy chủ #{} sẵn sàng tại {addr} sau {:.1} s",
        server.pid(),
        started.elapsed().as_secs_f64()
    );
    let settled = server
        .wait_idle(Duration::from_secs(args.settle_seconds))
        .await;
    println!("  công việc khởi động của máy chủ lắng xuống sau {settled:.1} s");

    // Latency on a shared machine depends on what else runs; the load is
    // recorded with the figures so they can be read in context.
    let load_before = load_average();
    let mut http = Http::connect(addr).await?;
    let secret = admin_totp_secret()?;
    let token = http.login(ADMIN_USERNAME, &password, Some(&secret)).await?;
    let levels = measure_dashboards(
        &mut http,
        &token,
        [&nation, &province, &commune],
        args.requests,
    )
    .await?;
    let cold = measure_cold(
        &mut http,
        &store,
        &token,
        [&nation, &province, &commune],
        (args.requests / 5).max(20),
    )
    .await?;
    let rss_after_reads = read_memory(server.pid());
    let raw_ms = measure_raw(&store, args.raw_runs).await?;

    let submit = if args.submissions > 0 {
        let s = submission_load(
            addr,
            &token,
            &store,
            args.submissions,
            args.clients.max(1),
            Duration::from_secs(args.submit_seconds),
        )
        .await?;
        println!(
            "  lưu báo cáo: {} yêu cầu từ {} máy khách trên {} báo cáo trong {:.1} s: {:.1} yêu cầu/s, p50 {:.1} ms, p99 {:.1} ms, {} lỗi",
            s.ok + s.errors,
            s.clients,
            s.reports,
            s.seconds,
            s.rps,
            s.latency.p50,
            s.latency.p99,
            s.errors
        );
        Some(s)
    } else {
        None
    };
    let memory = read_memory(server.pid());
    let load_after = load_average();
    server.stop();
    store.close().await;

    let (rss, hwm) = memory.or(rss_after_reads).unwrap_or((0.0, 0.0));
    let figures = Figures {
        levels,
        cold,
        raw_ms,
        rss,
        hwm,
        settled,
        task_updates,
        load: (load_before, load_after),
    };
    let out = summary(store.engine().name(), &args, &figures, submit.as_ref());
    println!("{out}");
    Ok(())
}

/// The dashboard timings of the three levels, nation first.
async fn measure_dashboards(
    http: &mut Http,
    token: &str,
    units: [&Unit; 3],
    requests: usize,
) -> anyhow::Result<Vec<Latency>> {
    let mut levels = Vec::new();
    for (name, unit) in ["national", "province", "commune"].iter().zip(units) {
        let path = format!("/api/dashboard/{}", unit.id);
        let (lat, bytes) = time_gets(http, &path, token, requests).await?;
        println!(
            "  {name:<9} GET {path}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} byte)",
            lat.p50, lat.p99, lat.max, bytes
        );
        levels.push(lat);
    }
    Ok(levels)
}

/// The dashboard timings of the three levels with the cache cold: before
/// each request the level's counters are marked as moved.
async fn measure_cold(
    http: &mut Http,
    store: &Store,
    token: &str,
    units: [&Unit; 3],
    requests: usize,
) -> anyhow::Result<Vec<Latency>> {
    let mut levels = Vec::new();
    for (name, unit) in ["national", "province", "commune"].iter().zip(units) {
        let path = format!("/api/dashboard/{}", unit.id);
        let mut ms = Vec::with_capacity(requests);
        for _ in 0..requests {
            store.touch_rollup_time(unit.id).await?;
            let t = Instant::now();
            let r = http.send("GET", &path, Some(token), None).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if r.status != 200 {
                bail!("GET {path} trả về {}", r.status);
            }
        }
        let lat = latency(ms);
        println!(
            "  {name:<9} GET {path} (bộ đệm nguội): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            lat.p50, lat.p99, lat.max
        );
        levels.push(lat);
    }
    Ok(levels)
}

/// The median time of the raw GROUP BY the dashboards spare, in ms.
async fn measure_raw(store: &Store, runs: usize) -> anyhow::Result<f64> {
    let mut raw = Vec::new();
    for i in 0..runs.max(1) {
        let t = Instant::now();
        let rows = store.raw_status_by_province().await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "  GROUP BY thô lần {}: {ms:.0} ms ({} dòng)",
            i + 1,
            rows.len()
        );
        raw.push(ms);
    }
    raw.sort_by(f64::total_cmp);
    Ok(raw[raw.len() / 2])
}

/// What one bench run measured.
struct Figures {
    levels: Vec<Latency>,
    /// The same with the dashboard cache cold.
    cold: Vec<Latency>,
    raw_ms: f64,
    rss: f64,
    hwm: f64,
    settled: f64,
    task_updates: i64,
    load: (Option<f64>, Option<f64>),
}

/// Prints the summary line and builds the JSON the run ends with.
fn summary(
    engine: &str,
    args: &BenchArgs,
    f: &Figures,
    submit: Option<&submit::SubmitStats>,
) -> serde_json::Value {
    let national = f.levels.first().copied().unwrap_or_default();
    let province_lat = f.levels.get(1).copied().unwrap_or_default();
    let commune_lat = f.levels.get(2).copied().unwrap_or_default();
    let ratio = if national.p50 > 0.0 {
        f.raw_ms / national.p50
    } else {
        0.0
    };
    println!(
        "Tóm tắt: bảng điều khiển toàn quốc p50 {:.2} ms / p99 {:.2} ms; GROUP BY thô {:.0} ms \
         (gấp {ratio:.0} lần); máy chủ dùng {:.0} MB (đỉnh {:.0} MB)",
        national.p50, national.p99, f.raw_ms, f.rss, f.hwm
    );
    let mut out = json!({
        "engine": engine,
        "endpoint": "dashboard",
        "requests_per_level": args.requests,
        "national_p50_ms": round2(national.p50),
        "national_p99_ms": round2(national.p99),
        "province_p50_ms": round2(province_lat.p50),
        "province_p99_ms": round2(province_lat.p99),
        "commune_p50_ms": round2(commune_lat.p50),
        "commune_p99_ms": round2(commune_lat.p99),
        "raw_query_ms": round2(f.raw_ms),
        "ratio": round2(ratio),
        "task_updates": f.task_updates,
        "server_rss_mb": round2(f.rss),
        "server_peak_rss_mb": round2(f.hwm),
        "settle_s": round2(f.settled),
        "host_cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "host_load_1m_before": f.load.0,
        "host_load_1m_after": f.load.1,
    });
    if let Some(map) = out.as_object_mut() {
        for (name, lat) in ["national", "province", "commune"].iter().zip(&f.cold) {
            map.insert(format!("{name}_cold_p50_ms"), json!(round2(lat.p50)));
            map.insert(format!("{name}_cold_p99_ms"), json!(round2(lat.p99)));
        }
    }
    if let (Some(s), Some(map)) = (submit, out.as_object_mut()) {
        map.insert("submit_rps".into(), json!(round2(s.rps)));
        map.insert("submit_p50_ms".into(), json!(round2(s.latency.p50)));
        map.insert("submit_p99_ms".into(), json!(round2(s.latency.p99)));
        map.insert("submit_errors".into(), json!(s.errors));
        map.insert("submit_requests".into(), json!(s.ok + s.errors));
        map.insert("submit_clients".into(), json!(s.clients));
    }
    out
}

async fn first_unit(store: &Store, kind: UnitKind) -> anyhow::Result<Unit> {
    let filter = UnitFilter {
        kind: Some(kind),
        ..UnitFilter::default()
    };
    store
        .units(&filter, Page::new(Some(1), Some(1)))
        .await?
        .items
        .into_iter()
        .next()
        .with_context(|| {
            format!(
                "không có đơn vị loại {}; hãy tạo dữ liệu bằng `theodoi gen` trước",
                kind.as_str()
            )
        })
}

/// Times `n` GETs of `path` after a warm-up; every answer must be 200.
async fn time_gets(
    http: &mut Http,
    path: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<(Latency, usize)> {
    let mut bytes = 0;
    for _ in 0..WARMUP {
        http.send("GET", path, Some(token), None).await?;
    }
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let t = Instant::now();
        let r = http.send("GET", path, Some(token), None).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if r.status != 200 {
            bail!("GET {path} trả về {}", r.status);
        }
        bytes = r.body.len();
    }
    Ok((latency(ms), bytes))
}
