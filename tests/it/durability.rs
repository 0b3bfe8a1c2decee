//! Durability: the real server process under concurrent writes, killed with
//! SIGKILL in the middle, restarted. Every write the server acknowledged
//! (a 2xx received) must be there, whole, exactly once; a write in flight
//! when it died may be there or not, but never in part.
//!
//! Each write creates a task through `POST /api/tasks` carrying a unique
//! marker in every field (title, reference, group, product, funding, basis)
//! and a lead and a support unit (rows in a second table, written in the
//! same transaction). `THEODOI_DURABILITY_CYCLES` sets the number of
//! kill/restart cycles per engine (default 3; a full run uses 50).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::e2e::{Killed, free_port, http_get_status, wait_until};
use crate::harness::{PASSWORD, TestApp, World, pg_url};

const CLIENTS: usize = 8;

fn cycles() -> usize {
    std::env::var("THEODOI_DURABILITY_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// How an exchange ended when no whole answer came back.
#[derive(Debug)]
enum Failed {
    /// Nothing was sent: the server is gone.
    NotConnected,
    /// Sent, but the answer never came whole: the write was in flight.
    Cut,
}

/// One HTTP/1.1 exchange on a fresh loopback connection.
fn send(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<(u16, Value), Failed> {
    let s = TcpStream::connect(("127.0.0.1", port)).map_err(|_| Failed::NotConnected)?;
    exchange(s, method, path, token, body).ok_or(Failed::Cut)
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    send(port, method, path, token, body).ok()
}

fn exchange(
    mut s: TcpStream,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        payload.len()
    );
    if body.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(payload.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
    let lower = head.to_ascii_lowercase();
    if lower.contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    } else if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        && body.len() < len
    {
        return None;
    }
    let value = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).ok()?
    };
    Some((status, value))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).ok()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

struct Server {
    db: String,
    port: u16,
    child: Option<Killed>,
}

impl Server {
    fn start(&mut self) {
        self.port = free_port();
        let child: Child = Command::new(env!("CARGO_BIN_EXE_theodoi"))
            .args([
                "serve",
                "--db",
                &self.db,
                "--listen",
                &format!("127.0.0.1:{}", self.port),
            ])
            .env("THEODOI_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("start theodoi serve");
        self.child = Some(Killed(child));
        let port = self.port;
        wait_until("the server", Duration::from_secs(60), || {
            http_get_status(port, "/healthz") == Some(200)
        });
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    fn kill(&mut self) {
        if let Some(mut k) = self.child.take() {
            k.0.kill().expect("kill -9");
            k.0.wait().expect("reap");
        }
    }
}

/// What one write carries: every text field holds the marker.
fn task_body(plan: i64, lead: i64, support: i64, person: i64, marker: &str) -> Value {
    json!({
        "responsible_user_id": person,
        "plan_id": plan,
        "ref": marker,
        "group": [format!("G {marker}")],
        "title": format!("Nhiệm vụ {marker}"),
        "lead": [{"unit_id": lead}],
        "support": [{"unit_id": support}],
        "product": format!("Sản phẩm {marker}"),
        "deadline": "Tháng 12/2026",
        "funding": format!("Kinh phí {marker}"),
        "basis": format!("Căn cứ {marker}"),
    })
}

/// Whether a stored task is the whole write of `marker`.
fn intact(t: &Value, plan: i64, lead: i64, support: i64, marker: &str) -> Result<(), String> {
    let checks = [
        (t["plan_id"] == json!(plan), "plan_id"),
        (t["ref"] == json!(marker), "ref"),
        (t["group"] == json!([format!("G {marker}")]), "group"),
        (t["title"] == json!(format!("Nhiệm vụ {marker}")), "title"),
        (
            t["lead"].as_array().map(|l| l.len()) == Some(1)
                && t["lead"][0]["unit_id"] == json!(lead),
            "lead",
        ),
        (
            t["support"].as_array().map(|l| l.len()) == Some(1)
                && t["support"][0]["unit_id"] == json!(support),
            "support",
        ),
        (
            t["product"] == json!(format!("Sản phẩm {marker}")),
            "product",
        ),
        (
            t["funding"] == json!(format!("Kinh phí {marker}")),
            "funding",
        ),
        (t["basis"] == json!(format!("Căn cứ {marker}")), "basis"),
        (t["deadline"]["kind"] == json!("month"), "deadline"),
        (t["version"] == json!(1), "version"),
    ];
    let bad: Vec<&str> = checks
        .iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, f)| *f)
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{marker}: fields {bad:?} wrong in {t}"))
    }
}

fn login(port: u16) -> String {
    let (s, body) = http(
        port,
        "POST",
        "/api/login",
        None,
        Some(&json!({"username": "focal_a1", "password": PASSWORD})),
    )
    .expect("login answered");
    assert_eq!(s, 200, "login: {body}");
    body["token"].as_str().expect("token").to_string()
}

/// Every task of the plan whose reference is a durability marker.
fn stored_markers(port: u16, token: &str, plan: i64) -> BTreeMap<String, Vec<Value>> {
    let mut found: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for page in 1.. {
        let (s, body) = http(
            port,
            "GET",
            &format!("/api/tasks?plan_id={plan}&per_page=500&page={page}"),
            Some(token),
            None,
        )
        .expect("list answered");
        assert_eq!(s, 200, "list: {body}");
        let items = body["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        for t in items {
            if let Some(m) = t["ref"].as_str().filter(|r| r.starts_with("D-")) {
                found.entry(m.to_string()).or_default().push(t.clone());
            }
        }
    }
    found
}

struct Outcome {
    acked: BTreeMap<String, i64>,
    in_flight: BTreeSet<String>,
    refused: Vec<String>,
}

/// `person` answers for the tasks written (the lead unit's reporter).
fn run_engine(app: &TestApp, w: &World, person: i64, db: String, rt: &tokio::runtime::Runtime) {
    let e = app.engine;
    let (plan, lead, support) = (w.plan_a1, w.vhxh_a1.id, w.police_a1.id);
    let mut server = Server {
        db,
        port: 0,
        child: None,
    };
    server.start();
    let mut acked_total: BTreeMap<String, i64> = BTreeMap::new();
    let mut attempted_total: BTreeSet<String> = BTreeSet::new();
    let mut in_flight_found = 0usize;
    let cycles = cycles();
    let started = Instant::now();
    for cycle in 0..cycles {
        let token = login(server.port);
        let stop = Arc::new(AtomicBool::new(false));
        let port = server.port;
        let handles: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let stop = stop.clone();
                let token = token.clone();
                std::thread::spawn(move || {
                    let mut out = Outcome {
                        acked: BTreeMap::new(),
                        in_flight: BTreeSet::new(),
                        refused: Vec::new(),
                    };
                    for n in 0.. {
                        let marker = format!("D-{e}-{cycle}-{client}-{n}");
                        let body = task_body(plan, lead, support, person, &marker);
                        match send(port, "POST", "/api/tasks", Some(&token), Some(&body)) {
                            Ok((201, v)) => {
                                out.acked.insert(marker, v["id"].as_i64().expect("id"));
                            }
                            Ok((status, v)) => {
                                out.refused.push(format!("{marker}: {status} {v}"));
                                out.in_flight.insert(marker);
                            }
                            Err(Failed::Cut) => {
                                out.in_flight.insert(marker);
                                break;
                            }
                            Err(Failed::NotConnected) => break,
                        }
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                    }
                    out
                })
            })
            .collect();
        // Let the load build, then kill at a point that moves each cycle.
        std::thread::sleep(Duration::from_millis(700 + (cycle as u64 * 211) % 900));
        server.kill();
        stop.store(true, Ordering::SeqCst);
        let mut acked = BTreeMap::new();
        let mut in_flight = BTreeSet::new();
        for h in handles {
            let out = h.join().expect("client thread");
            for r in &out.refused {
                assert!(
                    !r.contains(": 5"),
                    "{e}: cycle {cycle}: a server error before the kill: {r}"
                );
            }
            acked.extend(out.acked);
            in_flight.extend(out.in_flight);
        }
        assert!(
            !acked.is_empty(),
            "{e}: cycle {cycle}: no write was acknowledged before the kill"
        );
        server.start();
        let token = login(server.port);
        attempted_total.extend(acked.keys().cloned());
        attempted_total.extend(in_flight.iter().cloned());
        acked_total.extend(acked.clone());
        let found = stored_markers(server.port, &token, plan);
        for (marker, id) in &acked_total {
            let rows = found.get(marker).map(Vec::as_slice).unwrap_or(&[]);
            assert_eq!(
                rows.len(),
                1,
                "{e}: cycle {cycle}: acknowledged write {marker} (id {id}) found {} times",
                rows.len()
            );
            assert_eq!(rows[0]["id"], json!(id), "{e}: {marker} has its id");
            if let Err(msg) = intact(&rows[0], plan, lead, support, marker) {
                panic!("{e}: cycle {cycle}: acknowledged write not intact: {msg}");
            }
        }
        for (marker, rows) in &found {
            assert!(
                attempted_total.contains(marker),
                "{e}: {marker} was never sent"
            );
            assert_eq!(rows.len(), 1, "{e}: {marker} stored twice");
            if let Err(msg) = intact(&rows[0], plan, lead, support, marker) {
                panic!("{e}: cycle {cycle}: a write is visible in part: {msg}");
            }
        }
        let landed = in_flight.iter().filter(|m| found.contains_key(*m)).count();
        in_flight_found += landed;
        eprintln!(
            "durability {e}: cycle {}/{cycles}: {} writes acknowledged and found intact, \
             {} in flight at the kill ({landed} landed whole, none in part)",
            cycle + 1,
            acked.len(),
            in_flight.len()
        );
    }
    server.kill();
    // The audit trail holds one entry per stored task, committed with it.
    rt.block_on(async {
        let store = app.reopen().await;
        let tasks = store
            .tasks(
                &theodoi::store::TaskFilter {
                    plan_id: Some(plan),
                    ..Default::default()
                },
                theodoi::store::Page::all(),
            )
            .await
            .expect("tasks");
        let ids: BTreeSet<i64> = tasks
            .items
            .iter()
            .filter(|t| t.reference.as_deref().is_some_and(|r| r.starts_with("D-")))
            .map(|t| t.id)
            .collect();
        assert!(
            ids.len() >= acked_total.len(),
            "{e}: store sees every write"
        );
        let audited: Vec<i64> = store
            .audit_by_action("create", theodoi::store::Page::all())
            .await
            .expect("audit")
            .into_iter()
            .filter(|a| a.entity == "task")
            .filter_map(|a| a.entity_id)
            .filter(|id| ids.contains(id))
            .collect();
        assert_eq!(
            audited.len(),
            ids.len(),
            "{e}: one audit entry per stored task, committed with it"
        );
        store.close().await;
    });
    crate::harness::figure(&format!(
        "durability {e}: {cycles} kill -9/restart cycles in {:.1}s, {} acknowledged writes all \
         intact, {in_flight_found} unacknowledged writes landed whole, none partial",
        started.elapsed().as_secs_f64(),
        acked_total.len()
    ));
}

#[test]
fn acknowledged_writes_survive_kill_9_and_nothing_is_half_written() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let apps = rt.block_on(TestApp::all());
    for app in apps {
        // The server below runs on the real clock: make the world's accounts
        // new by that clock too, or they count as unused for 45 days.
        let now = chrono::Utc::now().timestamp_millis();
        app.clock
            .advance_ms(now - theodoi::clock::Clock::now_ms(app.clock.as_ref()));
        let w = rt.block_on(World::build(&app.store));
        let person = rt.block_on(app.user_id("reporter_a1"));
        rt.block_on(app.store.close());
        let db = match app.pg_schema() {
            Some(schema) => format!("{}?options=-c%20search_path%3D{schema}", pg_url()),
            None => app
                .sqlite_file()
                .expect("sqlite file")
                .to_str()
                .expect("path")
                .to_string(),
        };
        run_engine(&app, &w, person, db, &rt);
        rt.block_on(app.finish());
    }
}
