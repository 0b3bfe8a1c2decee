//! The update rate beside the completion rate: a task with no accepted
//! update in the last reporting period is "chưa cập nhật", and the
//! dashboards (JSON and page) and the rankings count it.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, World, report_holding, select_texts, task};

const DAY_MS: i64 = 24 * 3_600_000;

/// `reporter` sends the report holding `task_id` saying `status` for it
/// (every other item "nothing this period"), and `focal_a1` accepts it.
pub async fn report_accepted(app: &TestApp, reporter: &str, task_id: i64, status: &str) {
    reports_accepted(app, reporter, &[(task_id, status)]).await;
}

/// As [`report_accepted`], for several tasks of the same report.
pub async fn reports_accepted(app: &TestApp, reporter: &str, said: &[(i64, &str)]) {
    let token = app.login_token(reporter).await;
    let focal = app.login_token("focal_a1").await;
    let (id, report) = report_holding(app, &token, said[0].0).await;
    let tasks: Vec<Value> = report["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|i| {
            if let Some((task_id, status)) = said.iter().find(|(t, _)| i["task_id"] == json!(t)) {
                let (percent, result) = if *status == "done" {
                    (100, "Đã hoàn thành khảo sát các thôn")
                } else {
                    (40, "Đã khảo sát xong 3/7 thôn")
                };
                json!({"task_id": task_id, "version": i["version"], "status": status,
                    "percent": percent, "result": result})
            } else {
                json!({"task_id": i["task_id"], "version": i["version"], "nothing_this_period": true})
            }
        })
        .collect();
    let targets: Vec<Value> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|i| json!({"target_id": i["target_id"], "version": i["version"], "nothing_this_period": true}))
        .collect();
    let path = format!("/api/reports/{id}");
    let (s, body) = app
        .api(
            Method::PUT,
            &path,
            Some(&token),
            Some(json!({"tasks": tasks, "targets": targets, "submit": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("{path}/review"),
            Some(&focal),
            Some(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

async fn dashboard(app: &TestApp, token: &str, unit_id: i64) -> Value {
    let (s, body) = app
        .api(
            Method::GET,
            &format!("/api/dashboard/{unit_id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_update_rate_counts_tasks_not_updated_in_the_last_period() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        // Commune A1: four tasks. One updated this month, one done, one
        // never reported (the police's), one more never reported.
        let quiet = task(
            &app.store,
            w.plan_a1,
            "Số hóa sổ hộ tịch",
            &w.vhxh_a1,
            "Tháng 12/2026",
        )
        .await;
        let finished = task(
            &app.store,
            w.plan_a1,
            "Lập trang thông tin điện tử xã",
            &w.police_a1,
            "Tháng 12/2026",
        )
        .await;
        report_accepted(&app, "reporter_a1", w.task_a1, "in_progress").await;
        report_accepted(&app, "police_a1", finished, "done").await;
        let leader = app.login_token("leader_a").await;
        let f = dashboard(&app, &leader, w.commune_a1.id).await;
        let t = &f["figures"]["tasks"];
        assert_eq!(t["total"], json!(4), "{e}: {t}");
        assert_eq!(t["not_updated"], json!(2), "{e}: {t}");
        assert_eq!(t["update_rate"], json!(50.0), "{e}: {t}");
        assert_eq!(t["completion_rate"], json!(25.0), "{e}: {t}");
        // The province's ranking shows both rates for each commune.
        let p = dashboard(&app, &leader, w.province_a.id).await;
        let a1 = p["ranking"]
            .as_array()
            .expect("ranking")
            .iter()
            .find(|r| r["unit_id"] == json!(w.commune_a1.id))
            .cloned()
            .expect("commune A1 ranked");
        assert_eq!(a1["update_rate"], json!(50.0), "{e}: {a1}");
        assert_eq!(a1["completion_rate"], json!(25.0), "{e}: {a1}");
        assert_eq!(a1["not_updated"], json!(2), "{e}");
        assert_eq!(
            p["figures"]["tasks"]["not_updated"],
            json!(3),
            "{e}: A2's task too"
        );
        // The page shows the update rate beside the completion rate.
        let cookie = app.login_cookie("leader_a1").await;
        let page = format!("/dashboard/{}", w.commune_a1.id);
        let (s, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            select_texts(&html, "p.rates .update-rate"),
            vec!["50%"],
            "{e}"
        );
        assert_eq!(
            select_texts(&html, "p.rates .completion-rate"),
            vec!["25%"],
            "{e}"
        );
        assert_eq!(
            select_texts(&html, "p.rates .not-updated"),
            vec!["2"],
            "{e}"
        );
        let cookie = app.login_cookie("leader_a").await;
        let page = format!("/dashboard/{}", w.province_a.id);
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert!(
            select_texts(&html, "table.ranking td.update-rate").contains(&"50%".to_string()),
            "{e}"
        );
        // Two months on (10/5), March's update is no longer in the last
        // reporting period (April): the task is "chưa cập nhật" too; the
        // done task still counts as up to date.
        // (Signing in half way, so the account is not left unused 45 days.)
        app.clock.advance_ms(30 * DAY_MS);
        app.login_token("leader_a").await;
        app.clock.advance_ms(31 * DAY_MS);
        let leader = app.login_token("leader_a").await;
        let f = dashboard(&app, &leader, w.commune_a1.id).await;
        let t = &f["figures"]["tasks"];
        assert_eq!(t["not_updated"], json!(3), "{e}: {t}");
        assert_eq!(t["update_rate"], json!(25.0), "{e}: {t}");
        assert!(quiet > 0);
        // The counters still equal a recount.
        let before = f["figures"].clone();
        app.store.rebuild_rollups().await.expect("rebuild");
        app.clock.advance_ms(1);
        let after = dashboard(&app, &leader, w.commune_a1.id).await;
        assert_eq!(before["tasks"], after["figures"]["tasks"], "{e}");
        app.finish().await;
    }
}
