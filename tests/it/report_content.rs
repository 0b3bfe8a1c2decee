//! No figure can be faked, on each engine: a report counts as received
//! only with every item answered — a task with a status (and, when done,
//! a result or evidence), a target with its figure and source or why it
//! has none, or "không phát sinh trong kỳ" for either.

use axum::http::{Method, StatusCode};
use serde_json::json;
use theodoi::domain::rollup::{Counter, Month};

use crate::harness::{TestApp, World, select_texts};

/// The report of Phòng VHXH A1 in this month's round of plan A1.
async fn report_of_vhxh(app: &TestApp, w: &World) -> i64 {
    let store = &app.store;
    store
        .open_current_rounds(store.clock().today())
        .await
        .expect("open rounds");
    let round = store
        .rounds_of_plan(w.plan_a1)
        .await
        .expect("rounds")
        .remove(0);
    store
        .reports_of_round(round.id)
        .await
        .expect("reports")
        .into_iter()
        .find(|r| r.unit_id == w.vhxh_a1.id)
        .expect("the unit's report")
        .id
}

/// Reports received this month (March 2026) at the commune, on time or late.
async fn received(app: &TestApp, w: &World) -> i64 {
    let r = app.store.rollup(w.commune_a1.id).await.expect("rollup");
    let march = Month::new(2026, 3).expect("month");
    r.get(Counter::ReportsOnTime(march)) + r.get(Counter::ReportsLate(march))
}

#[tokio::test]
async fn a_blank_report_is_refused_with_the_items_left() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let uri = format!("/api/reports/{report}");
        let reporter = app.login_token("reporter_a1").await;
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"submit": true})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("2 mục chưa trả lời"), "{e}: {message}");
        assert!(message.contains("nhiệm vụ"), "{e}: {message}");
        assert!(message.contains("chỉ tiêu “"), "{e}: {message}");
        // "Done" alone is not an answer either: done with what?
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({
                    "tasks": [{"task_id": w.task_a1, "version": 0, "status": "done"}],
                    "targets": [{"target_id": w.target_a1, "version": 0, "value": 70.0}],
                    "submit": true
                })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let (_, view) = app.api(Method::GET, &uri, Some(&reporter), None).await;
        assert_eq!(
            view["report"]["status"],
            json!("pending"),
            "{e}: nothing stored"
        );
        assert_eq!(received(&app, &w).await, 0, "{e}: nothing counted");
        let round = app
            .store
            .round_completeness(view["round"]["id"].as_i64().expect("round"))
            .await
            .expect("completeness")
            .0;
        assert_eq!(round.on_time + round.late, 0, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn nothing_this_period_is_an_answer_and_the_report_counts() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let uri = format!("/api/reports/{report}");
        let reporter = app.login_token("reporter_a1").await;
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({
                    "tasks": [{"task_id": w.task_a1, "version": 0, "nothing_this_period": true}],
                    "targets": [{"target_id": w.target_a1, "version": 0, "nothing_this_period": true}],
                    "submit": true
                })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["report"]["status"], json!("submitted"));
        assert_eq!(body["tasks"][0]["answered"], json!(true));
        assert_eq!(received(&app, &w).await, 1, "{e}: counted once, on time");
        let cookie = app.login_cookie("focal_a1").await;
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/reports/{report}"),
                Some(&cookie),
                None,
            )
            .await;
        let said = select_texts(&html, &format!("section#t{} dl.facts dd", w.task_a1));
        assert_eq!(
            said.first().map(String::as_str),
            Some("Không phát sinh trong kỳ"),
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_finished_task_answers_with_evidence_instead_of_words() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let uri = format!("/api/reports/{report}");
        let reporter = app.login_token("reporter_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                &format!("{uri}/evidence"),
                Some(&reporter),
                Some(json!({"task_id": w.task_a1, "number": "12/QĐ-UBND", "date": "2026-03-05"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({
                    "tasks": [{"task_id": w.task_a1, "version": 0, "status": "done"}],
                    "targets": [{"target_id": w.target_a1, "version": 0,
                                 "no_data_reason": "Doanh nghiệp chưa gửi số liệu"}],
                    "submit": true
                })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(received(&app, &w).await, 1, "{e}");
        app.finish().await;
    }
}
