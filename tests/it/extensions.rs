//! Extension and adjustment: the lead unit asks before the deadline, the
//! assigning level approves or refuses; an approved extension makes a later
//! completion on time, a refused one does not; a request after the deadline
//! is refused and changes nothing; the history of deadlines is shown.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use theodoi::store::Page;

use crate::harness::{TestApp, World, post_form, select_texts, task};
use crate::update_rate::reports_accepted;

const DAY_MS: i64 = 24 * 3_600_000;

async fn extensions_of(app: &TestApp, token: &str, task_id: i64) -> Value {
    let (s, body) = app
        .api(
            Method::GET,
            &format!("/api/tasks/{task_id}/extensions"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

async fn ask(app: &TestApp, token: &str, task_id: i64, body: Value) -> (StatusCode, Value) {
    app.api(
        Method::POST,
        &format!("/api/tasks/{task_id}/extensions"),
        Some(token),
        Some(body),
    )
    .await
}

async fn badge(app: &TestApp, cookie: &str, task_id: i64) -> Vec<String> {
    let (_, _, html) = app
        .page(
            Method::GET,
            &format!("/tasks/{task_id}"),
            Some(cookie),
            None,
        )
        .await;
    select_texts(&html, "section.standing .badge")
}

#[tokio::test]
async fn an_approved_extension_makes_a_later_completion_on_time_and_a_refused_one_does_not() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        // Both due 31/3/2026; today is 10/3.
        let extended = task(
            &app.store,
            w.plan_a1,
            "Số hóa sổ hộ tịch",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        let refused = task(
            &app.store,
            w.plan_a1,
            "Lập bản đồ số",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        let reporter = app.login_token("reporter_a1").await;
        let focal = app.login_token("focal_a1").await;

        // Over the API: a reason is required; then asked, pending.
        let (s, _) = ask(
            &app,
            &reporter,
            extended,
            json!({"deadline": "Tháng 5/2026", "reason": " "}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, asked) = ask(
            &app,
            &reporter,
            extended,
            json!({"deadline": "Tháng 5/2026", "reason": "Chờ bố trí kinh phí"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {asked}");
        assert_eq!(asked["state"], json!("pending"), "{e}");
        let (s, _) = ask(
            &app,
            &reporter,
            extended,
            json!({"deadline": "Tháng 6/2026", "reason": "Lần nữa"}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: one waits already"
        );
        // Only the lead unit asks; the unit cannot decide its own request.
        let police = app.login_token("police_a1").await;
        let (s, _) = ask(
            &app,
            &police,
            refused,
            json!({"deadline": "Tháng 5/2026", "reason": "Không phải việc của tôi"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let id = asked["id"].as_i64().expect("id");
        let decision = format!("/api/extensions/{id}/decision");
        let (s, _) = app
            .api(
                Method::POST,
                &decision,
                Some(&reporter),
                Some(json!({"decision": "approve", "version": asked["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // The focal point sees it on the to-do list, and approves.
        let focal_cookie = app.login_cookie("focal_a1").await;
        let (_, _, home) = app.page(Method::GET, "/", Some(&focal_cookie), None).await;
        assert!(
            home.contains("Số hóa sổ hộ tịch") && home.contains("gia hạn"),
            "{e}"
        );
        let (s, approved) = app
            .api(
                Method::POST,
                &decision,
                Some(&focal),
                Some(json!({"decision": "approve", "note": "Đồng ý", "version": asked["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {approved}");
        assert_eq!(approved["state"], json!("approved"), "{e}");
        let (s, _) = app
            .api(
                Method::POST,
                &decision,
                Some(&focal),
                Some(json!({"decision": "refuse", "note": "x", "version": approved["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: decided once");
        let history = extensions_of(&app, &reporter, extended).await;
        let deadlines: Vec<&str> = history["deadlines"]
            .as_array()
            .expect("deadlines")
            .iter()
            .filter_map(|d| d["deadline"].as_str())
            .collect();
        assert_eq!(
            deadlines,
            vec!["Tháng 3/2026", "Tháng 5/2026"],
            "{e}: {history}"
        );

        // On the page: the unit asks, the leader refuses with a reason.
        let cookie = app.login_cookie("reporter_a1").await;
        let page = format!("/tasks/{refused}");
        let (s, _) = post_form(
            &app,
            &cookie,
            &page,
            &format!("{page}/extensions"),
            &[
                ("deadline", "Tháng 5/2026".into()),
                ("product", String::new()),
                ("reason", "Thiếu cán bộ".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let request = extensions_of(&app, &reporter, refused).await["requests"][0].clone();
        let leader = app.login_cookie("leader_a1").await;
        let action = format!("/extensions/{}/decision", request["id"]);
        let version = request["version"].to_string();
        let (s, html) = post_form(
            &app,
            &leader,
            &page,
            &action,
            &[("decision", "refuse".into()), ("version", version.clone())],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Không đồng ý thì hãy nêu lý do"), "{e}");
        let (s, _) = post_form(
            &app,
            &leader,
            &page,
            &action,
            &[
                ("decision", "refuse".into()),
                ("note", "Đủ thời gian".into()),
                ("version", version),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let after = extensions_of(&app, &reporter, refused).await;
        assert_eq!(after["requests"][0]["state"], json!("refused"), "{e}");
        assert_eq!(
            after["deadlines"].as_array().map(Vec::len),
            Some(1),
            "{e}: unchanged"
        );

        // The history shows on the task page.
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks/{extended}"),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&html, "ol.deadlines li strong"),
            vec!["Tháng 3/2026", "Tháng 5/2026"],
            "{e}"
        );
        assert!(html.contains("Đã đồng ý"), "{e}");

        // Both are done on 15/4: after 31/3, before 31/5.
        app.clock.advance_ms(36 * DAY_MS);
        let today = app.store.clock().today();
        app.store.open_current_rounds(today).await.expect("rounds");
        reports_accepted(
            &app,
            "reporter_a1",
            &[(extended, "done"), (refused, "done")],
        )
        .await;
        let cookie = app.login_cookie("leader_a1").await;
        assert_eq!(
            badge(&app, &cookie, extended).await,
            vec!["Hoàn thành đúng hạn"],
            "{e}"
        );
        assert_eq!(
            badge(&app, &cookie, refused).await,
            vec!["Hoàn thành trễ hạn"],
            "{e}"
        );
        // The counters agree, and equal a recount.
        let leader = app.login_token("leader_a").await;
        let (_, d) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.commune_a1.id),
                Some(&leader),
                None,
            )
            .await;
        let t = &d["figures"]["tasks"];
        assert_eq!(
            (t["done_on_time"].clone(), t["done_late"].clone()),
            (json!(1), json!(1)),
            "{e}: {t}"
        );
        app.store.rebuild_rollups().await.expect("rebuild");
        app.clock.advance_ms(1);
        let (_, again) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.commune_a1.id),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(again["figures"]["tasks"], d["figures"]["tasks"], "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_request_after_the_deadline_is_refused_with_a_clear_error_and_changes_nothing() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let late = task(
            &app.store,
            w.plan_a1,
            "Số hóa sổ hộ tịch",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        // 1/4/2026: the deadline (31/3) has passed.
        app.clock.advance_ms(22 * DAY_MS);
        let reporter = app.login_token("reporter_a1").await;
        let (s, body) = ask(
            &app,
            &reporter,
            late,
            json!({"deadline": "Tháng 5/2026", "reason": "Chờ kinh phí"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("Đã quá thời hạn 31/03/2026"),
            "{e}: {message}"
        );
        // On the page too, with what was typed kept.
        let cookie = app.login_cookie("reporter_a1").await;
        let page = format!("/tasks/{late}");
        let (s, html) = post_form(
            &app,
            &cookie,
            &page,
            &format!("{page}/extensions"),
            &[
                ("deadline", "Tháng 5/2026".into()),
                ("reason", "Chờ kinh phí".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Đã quá thời hạn 31/03/2026"), "{e}");
        assert!(html.contains("Chờ kinh phí"), "{e}");
        // Nothing changed; the attempts are on the audit trail.
        let listed = extensions_of(&app, &reporter, late).await;
        assert_eq!(listed["requests"], json!([]), "{e}");
        assert_eq!(
            listed["deadlines"][0]["deadline"],
            json!("Tháng 3/2026"),
            "{e}"
        );
        assert_eq!(listed["deadlines"].as_array().map(Vec::len), Some(1), "{e}");
        let audited = app
            .store
            .audit_by_action("refuse_late_extension", Page::new(None, None))
            .await
            .expect("audit");
        assert_eq!(audited.len(), 2, "{e}");
        app.finish().await;
    }
}

/// A waiting request of Phòng VHXH (reporter_a1) to extend `task_a1`: a
/// second request is refused while it waits, and a decision sent with a
/// stale version changes nothing.
pub async fn waiting_extension(app: &TestApp, w: &World) -> i64 {
    use theodoi::domain::deadline::Deadline;
    use theodoi::domain::extension::ExtensionAsk;
    use theodoi::store::{Actor, NewExtension};
    let reporter = app
        .store
        .user_by_username("reporter_a1")
        .await
        .expect("read")
        .expect("reporter_a1");
    let current = Deadline::parse("Tháng 7/2026");
    let ask =
        ExtensionAsk::parse(Some("Tháng 9/2026"), None, "Chờ kinh phí", &current).expect("ask");
    let new = NewExtension {
        task_id: w.task_a1,
        province_id: Some(w.province_a.id),
        commune_id: Some(w.commune_a1.id),
        deadline_was: current.text().to_string(),
        product_was: None,
        ask,
    };
    let actor = Actor {
        user_id: Some(reporter.id),
        ip: None,
    };
    app.store
        .ask_extension(new, &[], &actor)
        .await
        .expect("ask extension")
        .id
}
