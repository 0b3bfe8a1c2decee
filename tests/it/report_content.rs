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

/// Accepts a report of Phòng VHXH A1 for `month` of 2026 with the target's
/// figure `value`, as the focal point would.
async fn accepted_month(app: &TestApp, w: &World, month: u32, value: f64) {
    use theodoi::domain::period::{PeriodKind, ReportingPeriod};
    use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
    use theodoi::store::{Actor, ReportEdits};
    let store = &app.store;
    let day = chrono::NaiveDate::from_ymd_opt(2026, month, 10).expect("date");
    let period = ReportingPeriod::containing(PeriodKind::Monthly, day).expect("period");
    let round = store
        .open_round(w.plan_a1, period, None, None, &Actor::system())
        .await
        .expect("round");
    let report = store
        .reports_of_round(round.id)
        .await
        .expect("reports")
        .into_iter()
        .find(|r| r.unit_id == w.vhxh_a1.id)
        .expect("report");
    let edits = ReportEdits {
        notes: None,
        tasks: vec![(
            w.task_a1,
            0,
            TaskUpdateDraft {
                status: Some(TaskStatus::InProgress),
                result: Some("Đang làm".into()),
                ..TaskUpdateDraft::default()
            }
            .validate()
            .expect("valid"),
        )],
        targets: vec![(
            w.target_a1,
            0,
            TargetFigureDraft {
                value: Some(value),
                source: Some("Thống kê xã".into()),
                ..TargetFigureDraft::default()
            }
            .validate()
            .expect("valid"),
        )],
    };
    store
        .save_report(report.id, edits, true, &Actor::system())
        .await
        .expect("submit");
    store
        .review_report(report.id, true, None, vec![], &Actor::system())
        .await
        .expect("accept");
}

#[tokio::test]
async fn a_trend_that_misses_its_goal_is_said_once_a_month_and_in_the_report() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        // 5G coverage (goal ≥ 90% in 2026) grows 2 points a month from 10%.
        accepted_month(&app, &w, 1, 10.0).await;
        accepted_month(&app, &w, 2, 12.0).await;
        let today = app.store.clock().today();
        let cal = app.store.work_calendar().await.expect("calendar");
        let first = theodoi::notify::warn(&app.store, today, &cal, 5)
            .await
            .expect("warn");
        let again = theodoi::notify::warn(&app.store, today, &cal, 5)
            .await
            .expect("warn");
        assert!(first > 0, "{e}");
        assert_eq!(again, 0, "{e}: each warning once");
        let reporter_id = app
            .store
            .user_by_username("reporter_a1")
            .await
            .expect("user")
            .expect("exists")
            .id;
        let said: Vec<String> = app
            .store
            .notifications_of(reporter_id, 50)
            .await
            .expect("inbox")
            .into_iter()
            .filter(|n| n.kind == "trajectory")
            .map(|n| n.message)
            .collect();
        assert_eq!(said.len(), 1, "{e}: {said:?}");
        assert!(said[0].contains("Tỷ lệ phủ sóng 5G"), "{e}: {said:?}");
        // The commune's and the province's dashboards say it.
        let leader = app.login_token("leader_a").await;
        for unit in [w.commune_a1.id, w.province_a.id] {
            let (_, d) = app
                .api(
                    Method::GET,
                    &format!("/api/dashboard/{unit}"),
                    Some(&leader),
                    None,
                )
                .await;
            let warned = d["trajectory_warnings"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                warned.iter().any(|t| t["target_id"] == json!(w.target_a1)),
                "{e}: {d}"
            );
        }
        // So does the nation's; the other province's does not.
        let admin = app.login_token("admin").await;
        for (unit, says) in [(w.nation.id, true), (w.province_b.id, false)] {
            let (_, d) = app
                .api(
                    Method::GET,
                    &format!("/api/dashboard/{unit}"),
                    Some(&admin),
                    None,
                )
                .await;
            let warned = d["trajectory_warnings"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert_eq!(
                warned.iter().any(|t| t["target_id"] == json!(w.target_a1)),
                says,
                "{e}: unit {unit}: {d}"
            );
        }
        // The consolidated report of February names it, and who did not report.
        let focal = app.login_token("focal_a1").await;
        let (_, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        let february = rounds
            .as_array()
            .and_then(|r| r.iter().find(|r| r["period"] == json!("2026-02")))
            .and_then(|r| r["id"].as_i64())
            .expect("the February round");
        let (_, detail) = app
            .api(
                Method::GET,
                &format!("/api/rounds/{february}"),
                Some(&focal),
                None,
            )
            .await;
        let missing = detail["missing_units"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(missing.len(), 1, "{e}: Công an xã did not report: {detail}");
        let text = round_report_text(&app, "focal_a1", february).await;
        assert!(text.contains("nguy cơ không đạt"), "{e}");
        assert!(text.contains(missing[0].as_str().unwrap_or("?")), "{e}");
        app.finish().await;
    }
}

/// The text of a round's consolidated report (.docx) as `username` downloads
/// it; the download must succeed.
pub(crate) async fn round_report_text(app: &TestApp, username: &str, round: i64) -> String {
    let cookie = app.login_cookie(username).await;
    let req = axum::http::Request::builder()
        .uri(format!("/rounds/{round}/report.docx"))
        .header(axum::http::header::COOKIE, &cookie)
        .body(axum::body::Body::empty())
        .expect("request");
    let (s, _, docx) = app.send(req).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "{}: {username} downloads round {round}",
        app.engine
    );
    document_text(&docx)
}

/// The text of a .docx's main part, tags dropped.
pub(crate) fn document_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn a_party_plan_reports_in_the_party_layout_and_a_state_plan_in_the_state_one() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        accepted_month(&app, &w, 2, 40.0).await;
        let focal = app.login_cookie("focal_a1").await;
        let token = app.login_token("focal_a1").await;
        let (_, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&token),
                None,
            )
            .await;
        let february = rounds
            .as_array()
            .and_then(|r| r.iter().find(|r| r["period"] == json!("2026-02")))
            .and_then(|r| r["id"].as_i64())
            .expect("the February round");
        let report = |cookie: String| {
            let req = axum::http::Request::builder()
                .uri(format!("/rounds/{february}/report.docx"))
                .header(axum::http::header::COOKIE, cookie)
                .body(axum::body::Body::empty())
                .expect("request");
            app.send(req)
        };
        let (_, _, state) = report(focal.clone()).await;
        let state = document_text(&state);
        assert!(state.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "{e}");
        assert!(state.contains("-UBND"), "{e}");
        // The same plan, numbered as a Đảng ủy numbers it.
        let plan = app
            .store
            .plan(w.plan_a1)
            .await
            .expect("read")
            .expect("plan");
        let draft = theodoi::domain::plan::PlanDraft {
            issuer_unit_id: plan.issuer_unit_id,
            number: Some("60-KH/ĐU".into()),
            issued_on: plan.issued_on,
            place: plan.place.clone(),
            title: plan.title.clone(),
            basis: plan.basis.clone(),
            implements: plan.implements.clone(),
            regime: plan.regime.clone(),
        }
        .validate()
        .expect("valid");
        app.store
            .update_plan(
                plan.id,
                plan.version,
                draft,
                &theodoi::store::Actor::system(),
            )
            .await
            .expect("renumber");
        let (_, _, party) = report(focal).await;
        let party = document_text(&party);
        assert!(party.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{e}");
        assert!(party.contains("-BC/ĐU"), "{e}");
        assert!(party.contains("T/M ĐẢNG ỦY"), "{e}");
        assert!(party.contains("Lưu Văn phòng Đảng ủy."), "{e}");
        assert!(!party.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "{e}");
        app.finish().await;
    }
}
