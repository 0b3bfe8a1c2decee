//! `theodoi load`: the deadline-day peak, bounded and on loopback.
//!
//! It generates one province into an empty database (`--communes` communes
//! of ten reporting units each, monthly rounds up to this month, the newest
//! still being typed), gives every unit a reporter account and every
//! commune and the province a leader, and starts `theodoi serve` on it.
//! Then every unit does what its officer does on the last day: signs in,
//! asks for the reports it has to fill, opens this month's, saves a draft,
//! attaches a document as evidence (one unit in four), and submits — at most
//! `--clients` of them at once — while `--leaders` leaders keep loading
//! their dashboards (the page and the JSON) and the completeness table.
//!
//! Every answer must be the expected success: one error fails the run.
//! After the last submission the province dashboard must already count
//! every report (figures are never stale), and after the server has
//! stopped every acknowledged submission must be in the database, whole.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Datelike;
use serde_json::{Value, json};

use super::http::Http;
use super::review::{Reviews, review_all};
use super::server::{Server, load_average, read_memory};
use super::stats::{Latency, latency, round2};
use super::submit::led_items;
use crate::auth::password;
use crate::cli::DbArg;
use crate::clock;
use crate::domain::report::ReportStatus;
use crate::store::Store;
use crate::synthetic::accounts::{self, Account, ProvinceAccounts};
use crate::synthetic::{
    DEFAULT_PASSWORD, GenOptions, Rng, UNITS_PER_COMMUNE, admin_totp_secret, generate,
};

/// Error messages kept for the summary; the count is always whole.
const KEPT_ERRORS: usize = 20;
/// A leader reads a page, then another a moment later.
const LEADER_PAUSE: Duration = Duration::from_millis(250);

#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Communes of the generated province, each with ten reporting units:
    /// 200 gives the 2,000 units of a large province; CI runs fewer.
    #[arg(long, default_value_t = 200)]
    pub communes: u32,
    /// Units signing in and submitting at the same moment.
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// Leaders loading dashboards throughout the peak.
    #[arg(long, default_value_t = 8)]
    pub leaders: usize,
    /// Focal points (the province's and the communes') accepting and
    /// returning the submitted reports at once after the peak; 0 skips it.
    #[arg(long, default_value_t = 16)]
    pub reviewers: usize,
    /// Longest the peak may last, in seconds; units not done by then count
    /// as errors.
    #[arg(long, default_value_t = 900)]
    pub limit_seconds: u64,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 57)]
    pub seed: u64,
    /// The first province of the official list of 2025 (Hà Nội, 126
    /// communes and wards) with its real names and codes, at most
    /// `--communes` of its communes, instead of a synthetic one.
    #[arg(long)]
    pub official: bool,
}

/// Latencies by kind of request, and the errors, of one client.
#[derive(Default)]
pub(super) struct Tally {
    pub(super) ms: BTreeMap<&'static str, Vec<f64>>,
    pub(super) errors: usize,
    messages: Vec<String>,
}

impl Tally {
    pub(super) fn fail(&mut self, message: String) {
        self.errors += 1;
        if self.messages.len() < KEPT_ERRORS {
            self.messages.push(message);
        }
    }

    pub(super) fn merge(&mut self, other: Tally) {
        for (kind, mut ms) in other.ms {
            self.ms.entry(kind).or_default().append(&mut ms);
        }
        self.errors += other.errors;
        for m in other.messages {
            if self.messages.len() < KEPT_ERRORS {
                self.messages.push(m);
            }
        }
    }

    pub(super) fn requests(&self) -> usize {
        self.ms.values().map(Vec::len).sum()
    }

    pub(super) fn latency(&self, kind: &str) -> Latency {
        latency(self.ms.get(kind).cloned().unwrap_or_default())
    }

    /// One request, timed under `kind`; anything but `expect` is an error.
    pub(super) async fn call(
        &mut self,
        http: &mut Http,
        kind: &'static str,
        (method, path): (&str, &str),
        token: Option<&str>,
        body: Option<&Value>,
        expect: u16,
    ) -> Option<Value> {
        let body = body.map(Value::to_string);
        let started = Instant::now();
        let result = http.send(method, path, token, body.as_deref()).await;
        self.ms
            .entry(kind)
            .or_default()
            .push(started.elapsed().as_secs_f64() * 1000.0);
        match result {
            Ok(r) if r.status == expect => Some(r.json()),
            Ok(r) => {
                let text = String::from_utf8_lossy(&r.body);
                let text: String = text.chars().take(200).collect();
                self.fail(format!("{method} {path}: {} {text}", r.status));
                None
            }
            Err(e) => {
                self.fail(format!("{method} {path}: {e:#}"));
                None
            }
        }
    }
}

/// A submission the server acknowledged, to look for afterwards.
pub(super) struct Submitted {
    pub(super) report_id: i64,
    /// The commune of the unit, whose focal point reviews the report.
    pub(super) commune_id: i64,
    marker: String,
    tasks: usize,
    due_month: String,
    /// The status it must have in the database at the end: submitted, or
    /// what its review made it.
    pub(super) expect: ReportStatus,
}

pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    let password = std::env::var("THEODOI_PASSWORD").unwrap_or_else(|_| DEFAULT_PASSWORD.into());
    password::check_rules(&password, "load")?;
    let store = Store::open(&args.db.db, clock::system())
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", args.db.db))?;
    let people = prepare(&store, &args, &password).await?;
    let units = people.reporters.len();
    let mut server = Server::start(&args.db.db)?;
    let addr = server.addr;
    server.wait_healthy(Duration::from_secs(300)).await?;
    let settled = server.wait_idle(Duration::from_secs(300)).await;
    println!(
        "  máy chủ #{} sẵn sàng tại {addr}; công việc khởi động lắng xuống sau {settled:.1} s",
        server.pid()
    );
    let load_before = load_average();

    let done = Arc::new(AtomicBool::new(false));
    let watchers = start_leaders(addr, &people, &password, args.leaders, done.clone());
    let started = Instant::now();
    let limit = started + Duration::from_secs(args.limit_seconds);
    let (units_tally, mut submitted) = submit_all(
        addr,
        &people.reporters,
        &password,
        args.clients.max(1),
        limit,
    )
    .await;
    let peak_s = started.elapsed().as_secs_f64();
    // Right after the last submission, the province's figures count it.
    let due_month = submitted.first().map(|s| s.due_month.clone());
    let counted = province_count(addr, &people, &password, due_month.as_deref()).await;
    // Then the review day, the leaders still reading.
    let review_limit = Instant::now() + Duration::from_secs(args.limit_seconds);
    let reviews = review_all(
        addr,
        &people,
        &password,
        args.reviewers,
        &mut submitted,
        review_limit,
    )
    .await;
    done.store(true, Ordering::SeqCst);
    let mut leaders_tally = Tally::default();
    for w in watchers {
        match w.await {
            Ok(t) => leaders_tally.merge(t),
            Err(e) => leaders_tally.fail(format!("lãnh đạo: {e}")),
        }
    }
    let memory = read_memory(server.pid());
    let load_after = load_average();
    server.stop();

    let intact = verify(&store, &submitted).await?;
    store.close().await;

    let units_failed = units - submitted.len();
    let errors = units_tally.errors + leaders_tally.errors + reviews.tally.errors;
    let run = PeakRun {
        engine: store.engine().name(),
        args: &args,
        units,
        communes: people.commune_leaders.len(),
        peak_s,
        submitted: submitted.len(),
        intact,
        counted,
        memory,
        load: (load_before, load_after),
    };
    let out = figures(&run, &units_tally, &leaders_tally, &reviews);
    println!("{out}");
    if errors > 0 || units_failed > 0 {
        bail!("{errors} lỗi, {units_failed} đơn vị không nộp được");
    }
    if intact != units {
        bail!("chỉ {intact} / {units} báo cáo đã nộp còn nguyên vẹn");
    }
    if counted != Some(units as i64) {
        bail!("bảng điều khiển tỉnh đếm {counted:?} báo cáo đã nhận, cần {units}");
    }
    Ok(())
}

/// What a peak run did, for its figures.
struct PeakRun<'a> {
    engine: &'static str,
    args: &'a LoadArgs,
    units: usize,
    communes: usize,
    peak_s: f64,
    submitted: usize,
    intact: usize,
    counted: Option<i64>,
    memory: Option<(f64, f64)>,
    load: (Option<f64>, Option<f64>),
}

/// Prints each kind of request's latency and the summary line, and builds
/// the JSON the run ends with.
fn figures(
    run: &PeakRun,
    units_tally: &Tally,
    leaders_tally: &Tally,
    reviews: &Reviews,
) -> serde_json::Value {
    let errors = units_tally.errors + leaders_tally.errors + reviews.tally.errors;
    let requests = units_tally.requests() + leaders_tally.requests();
    let (rss, hwm) = run.memory.unwrap_or((0.0, 0.0));
    let peak_s = run.peak_s;
    let kinds = ["login", "list", "read", "save", "evidence", "submit"];
    for kind in kinds {
        let l = units_tally.latency(kind);
        let n = units_tally.ms.get(kind).map_or(0, Vec::len);
        println!(
            "  {kind:<9} {n:>6} yêu cầu: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            l.p50, l.p99, l.max
        );
    }
    let dashboards = leaders_tally.latency("dashboard");
    let dashboard_n = leaders_tally.ms.get("dashboard").map_or(0, Vec::len);
    println!(
        "  bảng điều khiển {dashboard_n} lần tải: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        dashboards.p50, dashboards.p99, dashboards.max
    );
    let accept = reviews.tally.latency("accept");
    let returned = reviews.tally.latency("return");
    println!(
        "  duyệt: {} người, {} tiếp nhận, {} trả lại trong {:.1} s ({:.1} tiếp nhận/s), \
         tiếp nhận p50 {:.1} ms, p99 {:.1} ms, trả lại p99 {:.1} ms, {} lỗi",
        run.args.reviewers,
        reviews.accepts,
        reviews.returns,
        reviews.seconds,
        reviews.accepts_per_s(),
        accept.p50,
        accept.p99,
        returned.p99,
        reviews.tally.errors
    );
    let messages = units_tally.messages.iter().chain(&leaders_tally.messages);
    for m in messages.chain(&reviews.tally.messages) {
        println!("  lỗi: {m}");
    }
    let submit = units_tally.latency("submit");
    println!(
        "Tóm tắt: {} / {} đơn vị đã nộp trong {peak_s:.1} s ({:.0} đơn vị/phút, {:.0} yêu cầu/s), \
         nộp p99 {:.1} ms, bảng điều khiển p99 {:.1} ms, {errors} lỗi; \
         {} báo cáo nguyên vẹn sau khi dừng máy chủ; tỉnh đếm được {}",
        run.submitted,
        run.units,
        run.submitted as f64 / peak_s.max(0.001) * 60.0,
        requests as f64 / peak_s.max(0.001),
        submit.p99,
        dashboards.p99,
        run.intact,
        run.counted.map_or("?".to_string(), |n| n.to_string()),
    );
    let mut out = json!({
        "engine": run.engine,
        "units": run.units,
        "communes": run.communes,
        "clients": run.args.clients,
        "leaders": run.args.leaders,
        "peak_s": round2(peak_s),
        "submitted": run.submitted,
        "units_per_minute": round2(run.submitted as f64 / peak_s.max(0.001) * 60.0),
        "requests": requests,
        "requests_per_s": round2(requests as f64 / peak_s.max(0.001)),
        "errors": errors,
        "intact": run.intact,
        "province_counted": run.counted,
        "reviewers": run.args.reviewers,
        "review_s": round2(reviews.seconds),
        "accepts": reviews.accepts,
        "returns": reviews.returns,
        "accept_errors": reviews.tally.errors,
        "accept_p50_ms": round2(accept.p50),
        "accept_p99_ms": round2(accept.p99),
        "return_p99_ms": round2(returned.p99),
        "accepts_per_s": round2(reviews.accepts_per_s()),
        "dashboard_requests": dashboard_n,
        "dashboard_p50_ms": round2(dashboards.p50),
        "dashboard_p99_ms": round2(dashboards.p99),
        "server_rss_mb": round2(rss),
        "server_peak_rss_mb": round2(hwm),
        "host_cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "host_load_1m_before": run.load.0,
        "host_load_1m_after": run.load.1,
    });
    if let Some(map) = out.as_object_mut() {
        for kind in kinds {
            let l = units_tally.latency(kind);
            map.insert(format!("{kind}_p50_ms"), json!(round2(l.p50)));
            map.insert(format!("{kind}_p99_ms"), json!(round2(l.p99)));
        }
    }
    out
}

/// Generates the province and its accounts into the empty database.
async fn prepare(
    store: &Store,
    args: &LoadArgs,
    password: &str,
) -> anyhow::Result<ProvinceAccounts> {
    let today = store.clock().today();
    // Monthly rounds from January 2026 up to this month, whose round is
    // the one being typed.
    let months = ((today.year() - 2026) * 12 + today.month() as i32).max(1) as u32;
    let tree = if args.official {
        format!(
            "tỉnh đầu tiên của danh mục chính thức, tối đa {} xã",
            args.communes
        )
    } else {
        format!("1 tỉnh × {} xã", args.communes)
    };
    println!(
        "Ngày cao điểm ({}): {tree} × {UNITS_PER_COMMUNE} đơn vị, {months} kỳ báo cáo tháng",
        store.engine().name(),
    );
    let t = Instant::now();
    let options = GenOptions {
        provinces: 1,
        communes_per_province: args.communes,
        official: args.official,
        months,
        seed: args.seed,
        admin_password: password.to_string(),
        admin_totp_secret: admin_totp_secret()?,
    };
    generate(store, &options, &mut |_| {}).await?;
    let hash = password::hash(password)?;
    let people = accounts::create_for_first_province(store, &hash).await?;
    store.analyze().await?;
    println!(
        "  sinh dữ liệu và {} tài khoản trong {:.1} s",
        people.reporters.len() + people.commune_leaders.len() + 1,
        t.elapsed().as_secs_f64()
    );
    Ok(people)
}

/// Runs every unit's visit, `clients` at a time, in a shuffled order so
/// that communes interleave as they would.
async fn submit_all(
    addr: SocketAddr,
    reporters: &[Account],
    password: &str,
    clients: usize,
    limit: Instant,
) -> (Tally, Vec<Submitted>) {
    let mut order: Vec<(usize, Account)> = reporters.iter().cloned().enumerate().collect();
    let mut rng = Rng::new(57);
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let order = Arc::new(order);
    let next = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..clients.min(order.len().max(1)) {
        let (order, next, password) = (order.clone(), next.clone(), password.to_string());
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut submitted = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((index, account)) = order.get(i) else {
                    break;
                };
                if Instant::now() > limit {
                    tally.fail(format!("{}: hết thời gian trước khi nộp", account.username));
                    continue;
                }
                if let Some(s) = visit(addr, account, *index, &password, &mut tally).await {
                    submitted.push(s);
                }
            }
            (tally, submitted)
        }));
    }
    let mut tally = Tally::default();
    let mut submitted = Vec::new();
    for h in handles {
        match h.await {
            Ok((t, mut s)) => {
                tally.merge(t);
                submitted.append(&mut s);
            }
            Err(e) => tally.fail(format!("máy khách dừng bất thường: {e}")),
        }
    }
    (tally, submitted)
}

/// One unit's officer on the last day, on a connection of their own.
async fn visit(
    addr: SocketAddr,
    account: &Account,
    index: usize,
    password: &str,
    tally: &mut Tally,
) -> Option<Submitted> {
    let mut http = match Http::connect(addr).await {
        Ok(h) => h,
        Err(e) => {
            tally.fail(format!("{}: không kết nối được: {e:#}", account.username));
            return None;
        }
    };
    let login = json!({"username": account.username, "password": password});
    let token = tally
        .call(
            &mut http,
            "login",
            ("POST", "/api/login"),
            None,
            Some(&login),
            200,
        )
        .await?
        .get("token")?
        .as_str()?
        .to_string();
    let token = Some(token.as_str());
    let mine = tally
        .call(
            &mut http,
            "list",
            ("GET", "/api/reports?editable=true"),
            token,
            None,
            200,
        )
        .await?;
    let Some(entry) = mine.as_array().and_then(|rows| {
        rows.iter()
            .find(|r| r["report"]["unit_id"].as_i64() == Some(account.unit_id))
    }) else {
        tally.fail(format!("{}: không thấy báo cáo cần nộp", account.username));
        return None;
    };
    let report_id = entry["report"]["id"].as_i64()?;
    let due_month: String = entry["round"]["unit_due_on"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(7)
        .collect();
    let path = format!("/api/reports/{report_id}");
    let report = tally
        .call(&mut http, "read", ("GET", &path), token, None, 200)
        .await?;
    let marker = format!("Báo cáo ngày cao điểm của {}", account.username);
    let draft = report_body(&report, &marker, index, false);
    let saved = tally
        .call(&mut http, "save", ("PUT", &path), token, Some(&draft), 200)
        .await?;
    let tasks = led_items(&saved);
    if index.is_multiple_of(4)
        && let Some((task_id, _)) = tasks.first()
    {
        let evidence = json!({
            "task_id": task_id,
            "number": format!("{}/BC-UBND", 1 + index % 97),
            "date": clock::system().today().to_string(),
        });
        let evidence_path = format!("{path}/evidence");
        tally
            .call(
                &mut http,
                "evidence",
                ("POST", &evidence_path),
                token,
                Some(&evidence),
                201,
            )
            .await?;
    }
    let send = report_body(&saved, &marker, index, true);
    let sent = tally
        .call(&mut http, "submit", ("PUT", &path), token, Some(&send), 200)
        .await?;
    if sent["report"]["status"].as_str() != Some(ReportStatus::Submitted.as_str()) {
        tally.fail(format!(
            "{}: báo cáo #{report_id} chưa ở trạng thái đã nộp",
            account.username
        ));
        return None;
    }
    Some(Submitted {
        report_id,
        commune_id: account.commune_id,
        marker,
        tasks: tasks.len(),
        due_month,
        expect: ReportStatus::Submitted,
    })
}

/// The report as a unit fills it in: every task it leads under way with a
/// result naming the unit, every task it only supports answered as nothing
/// this period, every target with a figure; each item with the version it
/// was read at. A report is received only with every item answered.
fn report_body(report: &Value, marker: &str, index: usize, submit: bool) -> Value {
    let percent = 10 + (index % 18) * 5;
    let led = led_items(report);
    let tasks: Vec<Value> = report["tasks"]
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .filter_map(|t| {
                    let task_id = t["task_id"].as_i64()?;
                    let version = t["version"].as_i64().unwrap_or(0);
                    Some(if led.iter().any(|(id, _)| *id == task_id) {
                        json!({
                            "task_id": task_id,
                            "version": version,
                            "status": "in_progress",
                            "percent": percent,
                            "result": marker,
                        })
                    } else {
                        json!({
                            "task_id": task_id,
                            "version": version,
                            "nothing_this_period": true,
                        })
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let targets: Vec<Value> = report["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| {
                    Some(json!({
                        "target_id": t["target_id"].as_i64()?,
                        "version": t["version"].as_i64().unwrap_or(0),
                        "value": (index % 50) as f64 + 0.5,
                        "source": "Số liệu của đơn vị",
                    }))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "tasks": tasks,
        "targets": targets,
        "difficulties": "Không có",
        "submit": submit,
    })
}

/// Leaders loading their dashboards until the peak is over: the
/// province's leader drills down into communes in turn.
fn start_leaders(
    addr: SocketAddr,
    people: &ProvinceAccounts,
    password: &str,
    leaders: usize,
    done: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Tally>> {
    let communes: Vec<i64> = people.commune_leaders.iter().map(|(c, _)| c.id).collect();
    let mut handles = Vec::new();
    for i in 0..leaders {
        let (account, own) = if i == 0 || communes.is_empty() {
            (people.leader.clone(), people.province.id)
        } else {
            let (commune, account) =
                &people.commune_leaders[(i - 1) * communes.len() / leaders.max(1)];
            (account.clone(), commune.id)
        };
        let drill: Vec<i64> = if i == 0 { communes.clone() } else { Vec::new() };
        let (done, password) = (done.clone(), password.to_string());
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            watch(addr, &account, own, &drill, &password, &done, &mut tally).await;
            tally
        }));
    }
    handles
}

async fn watch(
    addr: SocketAddr,
    account: &Account,
    own: i64,
    drill: &[i64],
    password: &str,
    done: &AtomicBool,
    tally: &mut Tally,
) {
    let mut http = match Http::connect(addr).await {
        Ok(h) => h,
        Err(e) => return tally.fail(format!("{}: không kết nối được: {e:#}", account.username)),
    };
    let token = match http.login(&account.username, password, None).await {
        Ok(t) => t,
        Err(e) => return tally.fail(format!("{e:#}")),
    };
    let mut round = 0usize;
    while !done.load(Ordering::SeqCst) {
        let mut pages = vec![
            format!("/dashboard/{own}"),
            format!("/api/dashboard/{own}"),
            "/api/completeness".to_string(),
        ];
        if !drill.is_empty() {
            pages.push(format!("/api/dashboard/{}", drill[round % drill.len()]));
        }
        round += 1;
        for page in pages {
            if done.load(Ordering::SeqCst) {
                break;
            }
            tally
                .call(
                    &mut http,
                    "dashboard",
                    ("GET", &page),
                    Some(&token),
                    None,
                    200,
                )
                .await;
            tokio::time::sleep(LEADER_PAUSE).await;
        }
    }
}

/// Reports received for `month` on the province's dashboard, read as its
/// leader right after the peak.
async fn province_count(
    addr: SocketAddr,
    people: &ProvinceAccounts,
    password: &str,
    month: Option<&str>,
) -> Option<i64> {
    let mut http = Http::connect(addr).await.ok()?;
    let token = http
        .login(&people.leader.username, password, None)
        .await
        .ok()?;
    let path = format!("/api/dashboard/{}", people.province.id);
    let r = http.send("GET", &path, Some(&token), None).await.ok()?;
    let v = r.json();
    v["figures"]["reports"].as_array()?.iter().find_map(|m| {
        (m["month"].as_str() == month)
            .then(|| Some(m["on_time"].as_i64()? + m["late"].as_i64()?))
            .flatten()
    })
}

/// Acknowledged submissions found whole in the database: submitted, and
/// every task the unit leads carrying its result.
async fn verify(store: &Store, submitted: &[Submitted]) -> anyhow::Result<usize> {
    let mut intact = 0;
    for s in submitted {
        let Some(view) = store.report_view(s.report_id).await? else {
            continue;
        };
        let results = view
            .tasks
            .iter()
            .filter(|t| {
                t.update
                    .as_ref()
                    .and_then(|u| u.result.as_deref())
                    .is_some_and(|r| r == s.marker)
            })
            .count();
        if view.report.status == s.expect && results == s.tasks {
            intact += 1;
        }
    }
    Ok(intact)
}
