//! `theodoi bench`: measures a database made by `theodoi gen` the way a
//! deployment would feel it. It starts `theodoi serve` on the database as a
//! child process on a free loopback port, signs in as the generated
//! administrator, and times the dashboard JSON of the nation, a province and
//! a commune over one keep-alive connection; it times the raw GROUP BY a
//! dashboard would need without rollups; it reads the server's memory; and,
//! when asked, it saves reports from several clients at once for a bounded
//! number of requests and seconds.
//!
//! The HTTP client is a few dozen lines on tokio's `TcpStream` (HTTP/1.1,
//! Content-Length or chunked bodies), so measuring adds no dependency and no
//! pooling layer of its own to the numbers. The last line printed is one
//! JSON object, for scripts.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::auth::totp;
use crate::cli::DbArg;
use crate::clock;
use crate::domain::report::ReportStatus;
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{Page, PlanFilter, Store, UnitFilter};
use crate::synthetic::{ADMIN_USERNAME, DEFAULT_PASSWORD, admin_totp_secret};

/// The placeholder measured while `/api/dashboard/{id}` does not exist yet.
const PLACEHOLDER_PATH: &str = "/api/plans?per_page=1";
/// Requests per level sent before timing, so first-use costs (prepared
/// statements, page cache) are not counted.
const WARMUP: usize = 10;
/// A response larger than this is refused rather than buffered.
const MAX_BODY: usize = 64 * 1024 * 1024;

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

/// Latencies of one series, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency(mut ms: Vec<f64>) -> Latency {
    ms.sort_by(f64::total_cmp);
    Latency {
        p50: percentile(&ms, 50.0),
        p99: percentile(&ms, 99.0),
        max: ms.last().copied().unwrap_or(0.0),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
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
    let token = login(&mut http, &password, &admin_totp_secret()?).await?;
    let dashboard = |id: i64| format!("/api/dashboard/{id}");
    let probe = http
        .send("GET", &dashboard(nation.id), Some(&token), None)
        .await?;
    let (endpoint, paths) = if probe.status == 200 {
        (
            "dashboard",
            [
                dashboard(nation.id),
                dashboard(province.id),
                dashboard(commune.id),
            ],
        )
    } else {
        println!(
            "  /api/dashboard/{{id}} trả về {}; đo tạm {PLACEHOLDER_PATH}",
            probe.status
        );
        (
            "placeholder",
            [
                PLACEHOLDER_PATH.to_string(),
                PLACEHOLDER_PATH.to_string(),
                PLACEHOLDER_PATH.to_string(),
            ],
        )
    };
    let mut levels = Vec::new();
    for (name, path) in ["national", "province", "commune"].iter().zip(&paths) {
        let (lat, bytes) = time_gets(&mut http, path, &token, args.requests).await?;
        println!(
            "  {name:<9} GET {path}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} byte)",
            lat.p50, lat.p99, lat.max, bytes
        );
        levels.push(lat);
    }
    let rss_after_reads = read_memory(server.pid());

    let mut raw = Vec::new();
    for i in 0..args.raw_runs.max(1) {
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
    let raw_ms = raw[raw.len() / 2];

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

    let national = levels.first().copied().unwrap_or_default();
    let province_lat = levels.get(1).copied().unwrap_or_default();
    let commune_lat = levels.get(2).copied().unwrap_or_default();
    let ratio = if national.p50 > 0.0 {
        raw_ms / national.p50
    } else {
        0.0
    };
    let (rss, hwm) = memory.or(rss_after_reads).unwrap_or((0.0, 0.0));
    println!(
        "Tóm tắt: bảng điều khiển toàn quốc p50 {:.2} ms / p99 {:.2} ms; GROUP BY thô {raw_ms:.0} ms \
         (gấp {ratio:.0} lần); máy chủ dùng {rss:.0} MB (đỉnh {hwm:.0} MB)",
        national.p50, national.p99
    );
    let mut out = json!({
        "engine": store.engine().name(),
        "endpoint": endpoint,
        "requests_per_level": args.requests,
        "national_p50_ms": round2(national.p50),
        "national_p99_ms": round2(national.p99),
        "province_p50_ms": round2(province_lat.p50),
        "province_p99_ms": round2(province_lat.p99),
        "commune_p50_ms": round2(commune_lat.p50),
        "commune_p99_ms": round2(commune_lat.p99),
        "raw_query_ms": round2(raw_ms),
        "ratio": round2(ratio),
        "task_updates": task_updates,
        "server_rss_mb": round2(rss),
        "server_peak_rss_mb": round2(hwm),
        "settle_s": round2(settled),
        "host_cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "host_load_1m_before": load_before,
        "host_load_1m_after": load_after,
    });
    if let (Some(s), Some(map)) = (&submit, out.as_object_mut()) {
        map.insert("submit_rps".into(), json!(round2(s.rps)));
        map.insert("submit_p50_ms".into(), json!(round2(s.latency.p50)));
        map.insert("submit_p99_ms".into(), json!(round2(s.latency.p99)));
        map.insert("submit_errors".into(), json!(s.errors));
        map.insert("submit_requests".into(), json!(s.ok + s.errors));
        map.insert("submit_clients".into(), json!(s.clients));
    }
    println!("{out}");
    Ok(())
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

/// Signs in as the generated administrator: the password, then (always
/// for administrators) a TOTP code computed from the enrolled secret, or
/// from the secret the server hands out when it asks to enrol.
async fn login(http: &mut Http, password: &str, secret: &[u8]) -> anyhow::Result<String> {
    let body = json!({"username": ADMIN_USERNAME, "password": password}).to_string();
    for attempt in 0..2 {
        let r = http.send("POST", "/api/login", None, Some(&body)).await?;
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        if r.status != 200 {
            bail!(
                "đăng nhập {ADMIN_USERNAME} thất bại ({}): {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
        }
        if let Some(token) = v.get("token").and_then(Value::as_str) {
            return Ok(token.to_string());
        }
        let challenge = v
            .get("challenge")
            .and_then(Value::as_str)
            .context("đăng nhập không trả về token hay challenge")?;
        let secret = v
            .get("secret")
            .and_then(Value::as_str)
            .and_then(totp::base32_decode)
            .unwrap_or_else(|| secret.to_vec());
        let code = totp::code_at(&secret, clock::system().now_ms());
        let step = json!({"challenge": challenge, "code": code}).to_string();
        let r = http
            .send("POST", "/api/login/totp", None, Some(&step))
            .await?;
        if r.status == 200 {
            let v: Value = serde_json::from_slice(&r.body)?;
            return v
                .get("token")
                .and_then(Value::as_str)
                .map(str::to_string)
                .context("bước TOTP không trả về token");
        }
        if attempt == 0 {
            // A code is accepted once: a bench run just before may have
            // used this step's. The next step brings a fresh one.
            let now = clock::system().now_ms();
            let wait = totp::STEP_MS - now.rem_euclid(totp::STEP_MS) + 500;
            tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
            continue;
        }
        bail!(
            "mã TOTP bị từ chối ({}): {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    bail!("không đăng nhập được")
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

// ---------------------------------------------------------------------------
// Report saving under load.

struct SubmitStats {
    ok: usize,
    errors: usize,
    clients: usize,
    reports: usize,
    seconds: f64,
    rps: f64,
    latency: Latency,
}

/// Editable reports (pending or draft) of the newest rounds: the ones a
/// unit would be typing into. `theodoi gen` leaves the last month so.
async fn editable_reports(store: &Store, wanted: usize) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut page = 1;
    while ids.len() < wanted && page <= 20 {
        let plans = store
            .plans(&PlanFilter::default(), Page::new(Some(page), Some(50)))
            .await?;
        if plans.items.is_empty() {
            break;
        }
        for plan in &plans.items {
            let Some(round) = store.rounds_of_plan(plan.id).await?.into_iter().next() else {
                continue;
            };
            for r in store.reports_of_round(round.id).await? {
                if matches!(r.status, ReportStatus::Pending | ReportStatus::Draft) {
                    ids.push(r.id);
                }
            }
            if ids.len() >= wanted {
                break;
            }
        }
        page += 1;
    }
    ids.truncate(wanted);
    Ok(ids)
}

async fn submission_load(
    addr: SocketAddr,
    token: &str,
    store: &Store,
    total: usize,
    clients: usize,
    limit: Duration,
) -> anyhow::Result<SubmitStats> {
    // Each client owns its reports, so clients never race on an item's
    // version: what is measured is the server, not conflicts.
    let reports = editable_reports(store, clients * 4).await?;
    if reports.is_empty() {
        bail!("không có báo cáo đang soạn (pending/draft) để thử lưu");
    }
    let clients = clients.min(reports.len());
    let budget = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + limit;
    let started = Instant::now();
    let mut handles = Vec::new();
    for c in 0..clients {
        let mine: Vec<i64> = reports.iter().skip(c).step_by(clients).copied().collect();
        let budget = budget.clone();
        let token = token.to_string();
        handles.push(tokio::spawn(async move {
            save_client(addr, &token, mine, budget, total, deadline).await
        }));
    }
    let mut ok = 0;
    let mut errors = 0;
    let mut ms = Vec::new();
    for h in handles {
        let (o, e, mut l) = h.await??;
        ok += o;
        errors += e;
        ms.append(&mut l);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(SubmitStats {
        ok,
        errors,
        clients,
        reports: reports.len(),
        seconds,
        rps: if seconds > 0.0 {
            ok as f64 / seconds
        } else {
            0.0
        },
        latency: latency(ms),
    })
}

/// The tasks a report's unit leads, with the version of each item, from a
/// report as the API returns it.
fn led_items(report: &Value) -> Vec<(i64, i64)> {
    let tasks = report
        .get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let item = |t: &Value| {
        Some((
            t.get("task_id")?.as_i64()?,
            t.get("version").and_then(Value::as_i64).unwrap_or(0),
        ))
    };
    let led: Vec<(i64, i64)> = tasks
        .iter()
        .filter(|t| t.get("leads").and_then(Value::as_bool) == Some(true))
        .filter_map(item)
        .collect();
    if led.is_empty() {
        tasks.iter().filter_map(item).collect()
    } else {
        led
    }
}

/// One client: reads its reports, then saves them in turn until the shared
/// budget or the time is spent. Returns (saved, errors, latencies).
async fn save_client(
    addr: SocketAddr,
    token: &str,
    reports: Vec<i64>,
    budget: Arc<AtomicUsize>,
    total: usize,
    deadline: Instant,
) -> anyhow::Result<(usize, usize, Vec<f64>)> {
    let mut http = Http::connect(addr).await?;
    let mut items: Vec<(i64, Vec<(i64, i64)>)> = Vec::new();
    for id in reports {
        let r = http
            .send("GET", &format!("/api/reports/{id}"), Some(token), None)
            .await?;
        if r.status == 200 {
            let v: Value = serde_json::from_slice(&r.body)?;
            let led = led_items(&v);
            if !led.is_empty() {
                items.push((id, led));
            }
        }
    }
    let (mut ok, mut errors, mut ms) = (0, 0, Vec::new());
    if items.is_empty() {
        return Ok((ok, errors, ms));
    }
    let mut n = 0usize;
    while Instant::now() < deadline && budget.fetch_add(1, Ordering::SeqCst) < total {
        let slot = n % items.len();
        n += 1;
        let (report_id, tasks) = &items[slot];
        let percent = 10 + (n % 17) * 5;
        let body = json!({
            "tasks": tasks.iter().map(|(task_id, version)| json!({
                "task_id": task_id,
                "version": version,
                "status": "in_progress",
                "percent": percent,
                "result": "Đang triển khai theo kế hoạch",
            })).collect::<Vec<_>>(),
            "submit": false,
        })
        .to_string();
        let path = format!("/api/reports/{report_id}");
        let t = Instant::now();
        let r = http.send("PUT", &path, Some(token), Some(&body)).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if r.status == 200 {
            ok += 1;
            let v: Value = serde_json::from_slice(&r.body)?;
            items[slot].1 = led_items(&v);
        } else {
            errors += 1;
            // A conflict means our versions are stale: read them again.
            let g = http.send("GET", &path, Some(token), None).await?;
            if g.status == 200 {
                let v: Value = serde_json::from_slice(&g.body)?;
                items[slot].1 = led_items(&v);
            }
        }
    }
    Ok((ok, errors, ms))
}

// ---------------------------------------------------------------------------
// The server under test.

struct Server {
    child: Option<Child>,
    addr: SocketAddr,
}

impl Server {
    /// Starts this same binary as `theodoi serve` on a free loopback port.
    fn start(db: &str) -> anyhow::Result<Server> {
        // Binding port 0 and letting go of it gives a port that is free now;
        // the server binds it a moment later.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let exe = std::env::current_exe()?;
        let child = Command::new(exe)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--listen")
            .arg(addr.to_string())
            .env("THEODOI_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("không chạy được `theodoi serve`")?;
        Ok(Server {
            child: Some(child),
            addr,
        })
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    fn exited(&mut self) -> bool {
        !matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    async fn wait_healthy(&mut self, limit: Duration) -> anyhow::Result<()> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.exited() {
                bail!("máy chủ đã dừng khi khởi động");
            }
            if let Ok(mut http) = Http::connect(self.addr).await
                && let Ok(r) = http.send("GET", "/healthz", None, None).await
                && r.status == 200
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("máy chủ không trả lời /healthz sau {} s", limit.as_secs())
    }

    /// Waits until the server has used almost no CPU for three seconds in
    /// a row: at start it opens the current rounds and computes warnings
    /// for every plan, which would otherwise be timed as dashboard latency.
    /// Returns the seconds waited.
    async fn wait_idle(&mut self, limit: Duration) -> f64 {
        let started = Instant::now();
        let mut quiet = 0;
        let mut last = cpu_ticks(self.pid());
        while started.elapsed() < limit && quiet < 3 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = cpu_ticks(self.pid());
            match (last, now) {
                // Under 5% of a core (ticks are usually 1/100 s).
                (Some(a), Some(b)) if b.saturating_sub(a) <= 5 => quiet += 1,
                (Some(_), Some(_)) => quiet = 0,
                _ => break,
            }
            last = now;
        }
        started.elapsed().as_secs_f64()
    }

    /// Asks the server to stop (SIGTERM, so it closes the database
    /// cleanly), then kills it if it has not stopped within ten seconds.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stderr(Stdio::null())
            .status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    /// A bench that fails half-way still leaves no server behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// User plus system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields are counted after it.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The one-minute load average of the machine.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Resident and peak resident memory of a process, in MB.
fn read_memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse::<f64>()
            .ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

// ---------------------------------------------------------------------------
// A minimal HTTP/1.1 client: one keep-alive connection, requests in turn.

struct Response {
    status: u16,
    body: Vec<u8>,
}

struct Http {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Http {
    async fn connect(addr: SocketAddr) -> anyhow::Result<Http> {
        let mut http = Http { addr, conn: None };
        http.open().await?;
        Ok(http)
    }

    async fn open(&mut self) -> anyhow::Result<&mut BufReader<TcpStream>> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            // Requests go out in one write; Nagle would only add delay.
            stream.set_nodelay(true)?;
            self.conn = Some(BufReader::new(stream));
        }
        self.conn.as_mut().context("no connection")
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> anyhow::Result<Response> {
        let host = self.addr.to_string();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: keep-alive\r\n"
        );
        if let Some(t) = token {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        let result = self.exchange(req.as_bytes()).await;
        if result.is_err() {
            // A broken connection is not reused.
            self.conn = None;
        }
        let (response, close) = result?;
        if close {
            self.conn = None;
        }
        Ok(response)
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<(Response, bool)> {
        let conn = self.open().await?;
        conn.get_mut().write_all(request).await?;
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            bail!("the server closed the connection");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).await? == 0 {
                bail!("the server closed the connection in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = Some(value.parse::<usize>()?),
                    "transfer-encoding" => {
                        chunked = value.to_ascii_lowercase().contains("chunked");
                    }
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line).await?;
                let size_text = line.trim().split(';').next().unwrap_or("");
                let size = usize::from_str_radix(size_text, 16)
                    .with_context(|| format!("bad chunk size {line:?}"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    loop {
                        line.clear();
                        if conn.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_BODY {
                    bail!("response larger than {MAX_BODY} bytes");
                }
                let start = body.len();
                body.resize(start + size, 0);
                conn.read_exact(&mut body[start..]).await?;
                let mut crlf = [0u8; 2];
                conn.read_exact(&mut crlf).await?;
            }
        } else if let Some(n) = length {
            if n > MAX_BODY {
                bail!("response larger than {MAX_BODY} bytes");
            }
            body.resize(n, 0);
            conn.read_exact(&mut body).await?;
        } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
            // No length: the body runs to the end of the connection.
            conn.take(MAX_BODY as u64).read_to_end(&mut body).await?;
            close = true;
        }
        Ok((Response { status, body }, close))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn led_items_prefer_the_tasks_the_unit_leads() {
        let v = json!({"tasks": [
            {"task_id": 1, "version": 2, "leads": true},
            {"task_id": 2, "version": 0, "leads": false},
        ]});
        assert_eq!(led_items(&v), vec![(1, 2)]);
        let v = json!({"tasks": [{"task_id": 5, "version": 1, "leads": false}]});
        assert_eq!(led_items(&v), vec![(5, 1)]);
    }

    /// The client reads chunked and sized bodies from a tiny server.
    #[tokio::test]
    async fn the_client_reads_chunked_and_sized_bodies() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut stream = BufReader::new(stream);
            for answer in [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
            ] {
                let mut line = String::new();
                loop {
                    line.clear();
                    stream.read_line(&mut line).await.expect("read");
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                stream
                    .get_mut()
                    .write_all(answer.as_bytes())
                    .await
                    .expect("write");
            }
        });
        let mut http = Http::connect(addr).await.expect("connect");
        let r = http.send("GET", "/a", None, None).await.expect("first");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abcde"[..]));
        let r = http
            .send("GET", "/b", Some("t"), None)
            .await
            .expect("second");
        assert_eq!((r.status, r.body.as_slice()), (404, &b"no"[..]));
    }
}
