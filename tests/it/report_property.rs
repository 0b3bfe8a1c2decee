//! A property of the reporting cycle, on each engine: for random sequences
//! of saves, submissions, returns and acceptances by two units and their
//! focal point, the counters always equal a full recount, and a report
//! with an item left unanswered is never sent (so never counted received).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, World};

/// xorshift64*: a few random choices, the same on every run for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A random edit of one task item: sometimes blank, sometimes "done"
/// without a result, sometimes "nothing this period".
fn task_item(rng: &mut Rng, item: &Value) -> Value {
    let statuses = ["not_started", "in_progress", "done", "done_late", ""];
    let status = statuses[rng.below(statuses.len() as u64) as usize];
    let mut edit = json!({
        "task_id": item["task_id"],
        "version": item["version"],
        "status": status,
        "nothing_this_period": rng.chance(15),
    });
    if rng.chance(50) {
        edit["result"] = json!("Đã thực hiện một phần");
    } else {
        edit["result"] = json!("");
    }
    edit
}

fn target_item(rng: &mut Rng, item: &Value) -> Value {
    let mut edit = json!({"target_id": item["target_id"], "version": item["version"]});
    match rng.below(4) {
        0 => {
            edit["value"] = json!(50.0 + rng.below(50) as f64);
            edit["source"] = json!("Thống kê xã");
            edit["no_data_reason"] = json!("");
        }
        1 => {
            edit["value"] = json!(60.0);
            edit["source"] = json!("");
        }
        2 => edit["no_data_reason"] = json!("Chưa có số liệu của doanh nghiệp"),
        _ => edit["nothing_this_period"] = json!(rng.chance(50)),
    }
    edit
}

/// Every counter of the three levels, in a stable order.
async fn counters(app: &TestApp, w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for unit in [w.commune_a1.id, w.province_a.id, w.nation.id] {
        let r = app.store.rollup(unit).await.expect("rollup");
        let mut rows: Vec<String> = r
            .rows
            .iter()
            .filter(|(_, v)| *v != 0)
            .map(|(c, v)| format!("{unit} {c:?} {v}"))
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn counters_equal_a_recount_and_unanswered_reports_never_count() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let store = &app.store;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("rounds");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let reports: Vec<(i64, &str)> = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .map(|r| {
                let who = if r.unit_id == w.vhxh_a1.id {
                    "reporter_a1"
                } else {
                    "police_a1"
                };
                (r.id, who)
            })
            .collect();
        let focal = app.login_token("focal_a1").await;
        let mut tokens = Vec::new();
        for (_, who) in &reports {
            tokens.push(app.login_token(who).await);
        }
        let mut rng = Rng(0x5eed_1234 ^ e.len() as u64);
        let (mut sent, mut refused) = (0, 0);
        for _step in 0..40 {
            let k = rng.below(reports.len() as u64) as usize;
            let (report, _) = reports[k];
            let uri = format!("/api/reports/{report}");
            let (_, view) = app.api(Method::GET, &uri, Some(&tokens[k]), None).await;
            let status = view["report"]["status"].as_str().unwrap_or("").to_string();
            if status == "submitted" {
                let accept = rng.chance(40);
                let decision = if accept {
                    json!({"decision": "accept"})
                } else {
                    json!({"decision": "return", "comment": "Bổ sung"})
                };
                let (s, body) = app
                    .api(
                        Method::POST,
                        &format!("{uri}/review"),
                        Some(&focal),
                        Some(decision),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{e}: review {body}");
            } else if status != "accepted" {
                let tasks: Vec<Value> = view["tasks"]
                    .as_array()
                    .map(|t| t.iter().map(|i| task_item(&mut rng, i)).collect())
                    .unwrap_or_default();
                let targets: Vec<Value> = view["targets"]
                    .as_array()
                    .map(|t| t.iter().map(|i| target_item(&mut rng, i)).collect())
                    .unwrap_or_default();
                let submit = rng.chance(60);
                let body = json!({"tasks": tasks, "targets": targets, "submit": submit});
                let (s, saved) = app
                    .api(Method::PUT, &uri, Some(&tokens[k]), Some(body))
                    .await;
                if s == StatusCode::OK && submit {
                    sent += 1;
                    let all_answered = saved["tasks"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .chain(saved["targets"].as_array().into_iter().flatten())
                        .all(|i| i["answered"] == json!(true));
                    assert!(
                        all_answered,
                        "{e}: a report was sent with an item unanswered: {saved}"
                    );
                } else if s == StatusCode::UNPROCESSABLE_ENTITY {
                    refused += 1;
                    let (_, after) = app.api(Method::GET, &uri, Some(&tokens[k]), None).await;
                    assert_eq!(
                        after["report"]["status"], view["report"]["status"],
                        "{e}: a refused save changes nothing"
                    );
                } else {
                    assert_eq!(s, StatusCode::OK, "{e}: {saved}");
                }
            }
            // The counters as they moved equal the counters recounted.
            let live = counters(&app, &w).await;
            store.rebuild_rollups().await.expect("rebuild");
            assert_eq!(live, counters(&app, &w).await, "{e}: counters drifted");
        }
        assert!(
            sent > 0 && refused > 0,
            "{e}: both paths were tried ({sent}, {refused})"
        );
        app.finish().await;
    }
}
