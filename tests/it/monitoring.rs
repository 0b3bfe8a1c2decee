//! Figures stay fresh: accepting a report moves the commune, province and
//! national counters in the same transaction.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, World};

#[tokio::test]
async fn accepting_a_report_moves_every_level_at_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let store = &app.store;
        let levels = [w.commune_a1.id, w.province_a.id, w.nation.id];
        for id in levels {
            let r = store.rollup(id).await.expect("rollup");
            assert_eq!(r.get("tasks_done_on_time", ""), 0, "{e}");
        }
        let nation_tasks = store
            .rollup(w.nation.id)
            .await
            .expect("rollup")
            .get("tasks", "");
        assert_eq!(nation_tasks, 3, "{e}: the world has three tasks");
        assert_eq!(
            store
                .rollup(w.commune_a1.id)
                .await
                .expect("rollup")
                .get("tasks_open_due", "2026-07-31"),
            1
        );

        let reporter = app.login_token("reporter_a1").await;
        let focal = app.login_token("focal_a1").await;
        let (_, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        let round_id = rounds[0]["id"].as_i64().expect("round");
        let (_, round) = app
            .api(
                Method::GET,
                &format!("/api/rounds/{round_id}"),
                Some(&focal),
                None,
            )
            .await;
        let report_id = round["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["unit_id"] == json!(w.vhxh_a1.id))
            .and_then(|r| r["id"].as_i64())
            .expect("report");
        let (s, _) = app.api(Method::PUT, &format!("/api/reports/{report_id}"), Some(&reporter), Some(json!({
            "tasks": [{"task_id": w.task_a1, "version": 0, "status": "done", "result": "Đã ban hành kế hoạch"}],
            "targets": [{"target_id": w.target_a1, "version": 0, "value": 95.0}],
            "submit": true}))).await;
        assert_eq!(s, StatusCode::OK);
        for id in levels {
            let r = store.rollup(id).await.expect("rollup");
            assert_eq!(
                r.get("reports_on_time", "2026-03"),
                1,
                "{e}: a report received counts at once"
            );
            assert_eq!(
                r.get("tasks_done_on_time", ""),
                0,
                "{e}: not before acceptance"
            );
        }
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/reports/{report_id}/review"),
                Some(&focal),
                Some(json!({"decision": "accept"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        for id in levels {
            let r = store.rollup(id).await.expect("rollup");
            assert_eq!(r.get("tasks_done_on_time", ""), 1, "{e}: unit {id}");
            assert_eq!(r.get("tasks_open_due", "2026-07-31"), 0, "{e}: unit {id}");
            assert_eq!(r.get("targets_met", "2026"), 1, "{e}: unit {id}");
            assert_eq!(r.get("tasks_status", "done"), 1);
            assert!(r.updated_at.is_some());
        }
        // Province B saw none of it.
        let b = store.rollup(w.province_b.id).await.expect("rollup");
        assert_eq!(b.get("tasks_done_on_time", ""), 0);
        // A rebuild from the records gives the same counters.
        let before = store.rollup(w.nation.id).await.expect("rollup");
        store.rebuild_rollups().await.expect("rebuild");
        let after = store.rollup(w.nation.id).await.expect("rollup");
        let mut a = before.rows.clone();
        let mut b = after.rows.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{e}: incremental counters equal a rebuild");
        app.finish().await;
    }
}
