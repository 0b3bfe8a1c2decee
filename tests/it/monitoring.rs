//! Figures stay fresh: accepting a report moves the commune, province and
//! national counters in the same transaction.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::json;
use theodoi::domain::report::TaskStatus;
use theodoi::domain::rollup::{Counter, Month};

use crate::harness::{TestApp, World};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).expect("month")
}

#[tokio::test]
async fn accepting_a_report_moves_every_level_at_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let store = &app.store;
        let levels = [w.commune_a1.id, w.province_a.id, w.nation.id];
        for id in levels {
            let r = store.rollup(id).await.expect("rollup");
            assert_eq!(r.get(Counter::TasksDoneOnTime), 0, "{e}");
        }
        let nation_tasks = store
            .rollup(w.nation.id)
            .await
            .expect("rollup")
            .get(Counter::Tasks);
        assert_eq!(nation_tasks, 3, "{e}: the world has three tasks");
        assert_eq!(
            store
                .rollup(w.commune_a1.id)
                .await
                .expect("rollup")
                .get(Counter::TasksOpenDue(date(2026, 7, 31))),
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
            "targets": [{"target_id": w.target_a1, "version": 0, "value": 95.0, "source": "Thống kê xã"}],
            "submit": true}))).await;
        assert_eq!(s, StatusCode::OK);
        for id in levels {
            let r = store.rollup(id).await.expect("rollup");
            assert_eq!(
                r.get(Counter::ReportsOnTime(month(2026, 3))),
                1,
                "{e}: a report received counts at once"
            );
            assert_eq!(
                r.get(Counter::TasksDoneOnTime),
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
            assert_eq!(r.get(Counter::TasksDoneOnTime), 1, "{e}: unit {id}");
            assert_eq!(
                r.get(Counter::TasksOpenDue(date(2026, 7, 31))),
                0,
                "{e}: unit {id}"
            );
            assert_eq!(r.get(Counter::TargetsMet(2026)), 1, "{e}: unit {id}");
            assert_eq!(r.get(Counter::TasksStatus(Some(TaskStatus::Done))), 1);
            assert!(r.updated_at.is_some());
        }
        // Province B saw none of it.
        let b = store.rollup(w.province_b.id).await.expect("rollup");
        assert_eq!(b.get(Counter::TasksDoneOnTime), 0);
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

#[tokio::test]
async fn dashboards_at_every_level_show_an_accepted_report_at_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let admin = app.login_token("admin").await;
        let figures = |v: &serde_json::Value| {
            (
                v["figures"]["tasks"]["done_on_time"].clone(),
                v["figures"]["targets"]["met"].clone(),
            )
        };
        let mut before = Vec::new();
        for id in [w.commune_a1.id, w.province_a.id, w.nation.id] {
            let (s, body) = app
                .api(
                    Method::GET,
                    &format!("/api/dashboard/{id}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e}: {body}");
            before.push(figures(&body));
        }
        assert_eq!(before[0], (json!(0), json!(0)));
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
        app.api(
            Method::PUT,
            &format!("/api/reports/{report_id}"),
            Some(&reporter),
            Some(json!({
            "tasks": [{"task_id": w.task_a1, "version": 0, "status": "done", "result": "Đã ban hành kế hoạch"}],
            "targets": [{"target_id": w.target_a1, "version": 0, "value": 95.0, "source": "Thống kê xã"}], "submit": true})),
        )
        .await;
        app.api(
            Method::POST,
            &format!("/api/reports/{report_id}/review"),
            Some(&focal),
            Some(json!({"decision": "accept"})),
        )
        .await;
        for id in [w.commune_a1.id, w.province_a.id, w.nation.id] {
            let (_, body) = app
                .api(
                    Method::GET,
                    &format!("/api/dashboard/{id}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(
                figures(&body),
                (json!(1), json!(1)),
                "{e}: unit {id} changed at once"
            );
            assert!(body["figures"]["as_of"].as_i64().is_some());
        }
        // The province ranks its communes, with the parts of each score.
        let (_, body) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.province_a.id),
                Some(&admin),
                None,
            )
            .await;
        let ranking = body["ranking"].as_array().expect("ranking");
        assert_eq!(ranking.len(), 2, "{e}");
        assert_eq!(
            ranking[0]["unit_id"],
            json!(w.commune_a1.id),
            "{e}: the commune that did its work ranks first"
        );
        assert_eq!(ranking[0]["rank"], json!(1));
        assert_eq!(ranking[0]["parts"].as_array().map(Vec::len), Some(3));
        // The nation ranks provinces.
        let (_, body) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.nation.id),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(body["ranking"].as_array().map(Vec::len), Some(2));
        // A commune's staff cannot open another province's dashboard.
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.province_b.id),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The page shows the same figure, its "as of" time, and drills down to the tasks behind it.
        let cookie = app.login_cookie("leader_a").await;
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/dashboard/{}", w.province_a.id),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            crate::harness::select_texts(&html, "strong.done-on-time"),
            vec!["1"]
        );
        assert!(html.contains("Số liệu tính đến"));
        assert!(html.contains("<svg"), "charts are drawn on the server");
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks?within={}&state=done_on_time", w.province_a.id),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            crate::harness::select_texts(&html, "ul.list li a"),
            vec!["1. Xây dựng kế hoạch chuyển đổi số"],
            "{e}"
        );
        app.finish().await;
    }
}
