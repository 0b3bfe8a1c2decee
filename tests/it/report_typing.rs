//! Nothing a reporter types is lost, on each engine: a save that names only
//! some fields keeps the others, a session that ends while typing keeps
//! what was sent until the person signs in again and saves it, a return
//! comment on an item left blank reaches the unit, and each action says
//! what it did on the next page.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::harness::{TestApp, World, csrf_of, select_texts, set_cookie, task};

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

/// The result stored for `task` on a report, if any.
async fn stored_result(app: &TestApp, report: i64, task: i64) -> Option<String> {
    let view = app
        .store
        .report_view(report)
        .await
        .expect("read")
        .expect("report");
    view.tasks
        .iter()
        .find(|i| i.task.id == task)
        .and_then(|i| i.update.as_ref())
        .and_then(|u| u.result.clone())
}

#[tokio::test]
async fn a_save_that_names_some_fields_keeps_the_others() {
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
                    "tasks": [{"task_id": w.task_a1, "version": 0, "status": "in_progress",
                               "percent": 40, "result": "Đã khảo sát 3 thôn"}],
                    "targets": [{"target_id": w.target_a1, "version": 0,
                                 "no_data_reason": "Chờ số liệu quý"}],
                    "difficulties": "Thiếu máy tính",
                    "recommendations": "Bổ sung kinh phí"
                })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let version = body["tasks"][0]["version"].as_i64().expect("version");
        // Only the percent changes; the result and the notes stay.
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"tasks": [{"task_id": w.task_a1, "version": version, "percent": 60}]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["tasks"][0]["percent"], json!(60));
        assert_eq!(body["tasks"][0]["result"], json!("Đã khảo sát 3 thôn"));
        assert_eq!(body["tasks"][0]["status"], json!("in_progress"));
        assert_eq!(body["report"]["difficulties"], json!("Thiếu máy tính"));
        // A submit alone erases nothing.
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"submit": true})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["report"]["status"], json!("submitted"));
        assert_eq!(body["report"]["difficulties"], json!("Thiếu máy tính"));
        assert_eq!(body["report"]["recommendations"], json!("Bổ sung kinh phí"));
        assert_eq!(
            stored_result(&app, report, w.task_a1).await.as_deref(),
            Some("Đã khảo sát 3 thôn")
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_return_comment_on_an_item_left_blank_reaches_the_unit() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let uri = format!("/api/reports/{report}");
        let reporter = app.login_token("reporter_a1").await;
        let focal = app.login_token("focal_a1").await;
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({
                    "tasks": [{"task_id": w.task_a1, "version": 0, "status": "in_progress",
                               "result": "Đang khảo sát"}],
                    "targets": [{"target_id": w.target_a1, "version": 0, "value": 80.0,
                                 "source": "Thống kê"}],
                    "submit": true
                })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        // The commune gives the unit a new task after it reported: the
        // item is on the report, blank.
        let added = task(
            &app.store,
            w.plan_a1,
            "Số hóa hồ sơ hộ tịch",
            &w.vhxh_a1,
            "Tháng 6/2026",
        )
        .await;
        let (s, body) = app
            .api(
                Method::POST,
                &format!("{uri}/review"),
                Some(&focal),
                Some(
                    json!({"decision": "return", "comment": "Bổ sung nhiệm vụ mới",
                    "items": [{"task_id": added, "comment": "Chưa báo cáo nhiệm vụ này"}]}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        // Over the API and on the page, the unit sees the comment.
        let (_, body) = app.api(Method::GET, &uri, Some(&reporter), None).await;
        let item = body["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["task_id"] == json!(added))
            .cloned()
            .expect("the new task's item");
        assert_eq!(
            item["review_comment"],
            json!("Chưa báo cáo nhiệm vụ này"),
            "{e}"
        );
        assert_eq!(item["status"], json!(null), "{e}: the item is still blank");
        assert_eq!(item["answered"], json!(false), "{e}");
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/reports/{report}"),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let comments = select_texts(&html, &format!("section#t{added} p.item-comment"));
        assert_eq!(comments, vec!["Ý kiến: Chưa báo cáo nhiệm vụ này"], "{e}");
        // Answering the item is an ordinary save of it, and the report goes.
        let version = item["version"].as_i64().expect("version");
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"tasks": [{"task_id": added, "version": version,
                    "status": "not_started"}], "submit": true})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["report"]["status"], json!("submitted"));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_form_sent_after_the_session_ended_is_kept_until_saved() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let page = format!("/reports/{report}");
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        // Half an hour of typing on a phone; the session ends meanwhile.
        app.clock.advance_ms(30 * 60_000);
        let typed = "Đã tập huấn 40 người dân về dịch vụ công trực tuyến";
        let form = serde_urlencoded::to_string([
            ("_csrf", csrf.as_str()),
            (&format!("t{}_status", w.task_a1), "in_progress"),
            (&format!("t{}_result", w.task_a1), typed),
            (&format!("t{}_v", w.task_a1), "0"),
            ("difficulties", "Mạng yếu"),
            ("action", "save"),
        ])
        .expect("encode");
        let (s, headers, _) = app
            .page(Method::POST, &page, Some(&cookie), Some(form.clone()))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: kept, not refused");
        let to = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(to.starts_with("/login?next=/reports/"), "{e}: {to}");
        assert!(to.ends_with("kept=1"), "{e}: {to}");
        assert_eq!(
            stored_result(&app, report, w.task_a1).await,
            None,
            "{e}: nothing applied"
        );
        // The login page says why; after signing in, the form has it back.
        let (_, _, login) = app.page(Method::GET, &to, None, None).await;
        assert!(login.contains("đã được giữ lại"), "{e}");
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("chưa được lưu"),
            "{e}: the form says it is not saved"
        );
        let restored = select_texts(&html, &format!("textarea[name=t{}_result]", w.task_a1));
        assert_eq!(restored, vec![typed], "{e}");
        assert_eq!(
            stored_result(&app, report, w.task_a1).await,
            None,
            "{e}: still not applied"
        );
        // Another person's expired session cannot plant content: without
        // its own session's token, nothing is kept for them.
        let other = app.login_cookie("focal_a1").await;
        app.clock.advance_ms(30 * 60_000);
        let planted = form.replace(&csrf, "not-the-token");
        let (s, _, _) = app
            .page(Method::POST, &page, Some(&other), Some(planted))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}: a wrong token is refused");
        // Saving it applies it, once; the kept copy is gone.
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&form).expect("decode");
        for p in &mut pairs {
            if p.0 == "_csrf" {
                p.1 = csrf_of(&html);
            }
        }
        let body = serde_urlencoded::to_string(&pairs).expect("encode");
        let (s, headers, _) = app
            .page(Method::POST, &page, Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert!(
            set_cookie(&headers, "theodoi_flash").is_some(),
            "{e}: the save is said"
        );
        assert_eq!(
            stored_result(&app, report, w.task_a1).await.as_deref(),
            Some(typed)
        );
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert!(
            !html.contains("chưa được lưu"),
            "{e}: the kept copy is gone"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn each_action_says_what_it_did_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let report = report_of_vhxh(&app, &w).await;
        let page = format!("/reports/{report}");
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        let body = serde_urlencoded::to_string([
            ("_csrf", csrf_of(&html)),
            (
                format!("t{}_status", w.task_a1).as_str(),
                "in_progress".into(),
            ),
            (format!("t{}_v", w.task_a1).as_str(), "0".into()),
            ("action", "save".into()),
        ])
        .expect("encode");
        let (s, headers, _) = app
            .page(Method::POST, &page, Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let flash = set_cookie(&headers, "theodoi_flash").expect("flash cookie");
        let with_flash = format!("{cookie}; theodoi_flash={flash}");
        let (_, headers, html) = app.page(Method::GET, &page, Some(&with_flash), None).await;
        let said = select_texts(&html, "p.flash");
        assert_eq!(said.len(), 1, "{e}: {said:?}");
        assert!(said[0].starts_with("Đã lưu nháp báo cáo"), "{e}: {said:?}");
        assert_eq!(
            set_cookie(&headers, "theodoi_flash").as_deref(),
            Some(""),
            "{e}: said once, then cleared"
        );
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert!(select_texts(&html, "p.flash").is_empty(), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_task_form_sent_after_the_session_ended_is_kept_too() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let edit = format!("/tasks/{}/edit", w.task_a1);
        let cookie = app.login_cookie("focal_a1").await;
        let (s, _, html) = app.page(Method::GET, &edit, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let version = {
            let doc = scraper::Html::parse_document(&html);
            let sel = scraper::Selector::parse("input[name=version]").expect("selector");
            doc.select(&sel)
                .next()
                .and_then(|i| i.value().attr("value"))
                .unwrap_or("0")
                .to_string()
        };
        app.clock.advance_ms(20 * 60_000);
        let typed = "Xây dựng kho dữ liệu số của xã (đã sửa sau cuộc họp)";
        let form = serde_urlencoded::to_string([
            ("_csrf", csrf_of(&html).as_str()),
            ("version", version.as_str()),
            ("title", typed),
            ("deadline", "Tháng 9/2026"),
        ])
        .expect("encode");
        let (s, headers, _) = app
            .page(
                Method::POST,
                &format!("/tasks/{}", w.task_a1),
                Some(&cookie),
                Some(form),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let to = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(to, format!("/login?next={edit}&kept=1"), "{e}");
        let stored = app
            .store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task");
        assert_ne!(stored.title, typed, "{e}: not applied");
        let cookie = app.login_cookie("focal_a1").await;
        let (_, _, html) = app.page(Method::GET, &edit, Some(&cookie), None).await;
        assert!(html.contains("chưa được lưu"), "{e}");
        assert_eq!(
            select_texts(&html, "textarea[name=title]"),
            vec![typed],
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_unit_fills_its_reports_due_the_same_day_in_one_form() {
    use theodoi::domain::period::ReportingPeriod;
    use theodoi::store::Actor;
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let monthly = report_of_vhxh(&app, &w).await;
        let due = app
            .store
            .report_view(monthly)
            .await
            .expect("read")
            .expect("report")
            .round
            .unit_due_on;
        // The focal point also asks for an ad-hoc report due the same day.
        let today = app.store.clock().today();
        let period = ReportingPeriod::ad_hoc(today, due).expect("period");
        let ad_hoc = app
            .store
            .open_round(
                w.plan_a1,
                period,
                Some("Báo cáo nhanh về Đề án 06".into()),
                Some(due),
                &Actor::system(),
            )
            .await
            .expect("ad hoc round");
        let other = app
            .store
            .reports_of_round(ad_hoc.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("the unit's ad-hoc report")
            .id;
        let page = format!("/reports/{monthly}");
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        assert_eq!(
            select_texts(&html, "h2.part").len(),
            2,
            "{e}: one form, two parts"
        );
        let (t, g) = (w.task_a1, w.target_a1);
        let answered = |prefix: &str, result: &str| {
            vec![
                (format!("{prefix}t{t}_v"), "0".to_string()),
                (format!("{prefix}t{t}_status"), "in_progress".to_string()),
                (format!("{prefix}t{t}_result"), result.to_string()),
                (format!("{prefix}g{g}_v"), "0".to_string()),
                (
                    format!("{prefix}g{g}_nodata"),
                    "Chưa có số liệu".to_string(),
                ),
            ]
        };
        let send = |fields: Vec<(String, String)>, html: &str| {
            let mut pairs = vec![
                ("_csrf".to_string(), csrf_of(html)),
                ("also".to_string(), other.to_string()),
                ("action".to_string(), "submit".to_string()),
            ];
            pairs.extend(fields);
            serde_urlencoded::to_string(&pairs).expect("encode")
        };
        // The ad-hoc part left blank: neither report goes.
        let body = send(answered("", "Tháng 3: đang khảo sát"), &html);
        let (s, _, refused) = app
            .page(Method::POST, &page, Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(refused.contains("Chưa gửi được"), "{e}");
        for id in [monthly, other] {
            let r = app
                .store
                .unit_report(id)
                .await
                .expect("read")
                .expect("report");
            assert!(r.first_submitted_at.is_none(), "{e}: nothing sent");
        }
        // Both answered: both go, each with its own figures.
        let mut fields = answered("", "Tháng 3: đang khảo sát");
        fields.extend(answered(&format!("r{other}_"), "Đề án 06: đã rà soát"));
        let body = send(fields, &html);
        let (s, _, _) = app
            .page(Method::POST, &page, Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(
            stored_result(&app, monthly, t).await.as_deref(),
            Some("Tháng 3: đang khảo sát")
        );
        assert_eq!(
            stored_result(&app, other, t).await.as_deref(),
            Some("Đề án 06: đã rà soát")
        );
        for id in [monthly, other] {
            let r = app
                .store
                .unit_report(id)
                .await
                .expect("read")
                .expect("report");
            assert!(r.first_submitted_at.is_some(), "{e}: sent");
        }
        app.finish().await;
    }
}
