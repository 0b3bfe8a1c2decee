//! Report saving under load for `theodoi bench --submissions`: several
//! clients, each owning its reports (so they never race on an item's
//! version), saving in turn until a shared budget or the time is spent.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{Value, json};

use super::http::Http;
use super::stats::{Latency, latency};
use crate::domain::report::ReportStatus;
use crate::store::{Page, PlanFilter, Store};

pub(crate) struct SubmitStats {
    pub(crate) ok: usize,
    pub(crate) errors: usize,
    pub(crate) clients: usize,
    pub(crate) reports: usize,
    pub(crate) seconds: f64,
    pub(crate) rps: f64,
    pub(crate) latency: Latency,
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

pub(crate) async fn submission_load(
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
pub(crate) fn led_items(report: &Value) -> Vec<(i64, i64)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
