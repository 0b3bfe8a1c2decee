//! Access strictly by authority: each role inside its own subtree.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, World, csrf_of};

#[tokio::test]
async fn a_reporter_of_another_commune_can_neither_read_nor_change() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let e = app.engine;
        let other = app.login_token("reporter_a2").await;
        for uri in [
            format!("/api/plans/{}", w.plan_a1),
            format!("/api/tasks/{}", w.task_a1),
            format!("/api/targets/{}", w.target_a1),
            format!("/api/units/{}", w.vhxh_a1.id),
        ] {
            let (s, body) = app.api(Method::GET, &uri, Some(&other), None).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {uri}: {body}");
        }
        let before = app
            .store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task");
        let (s, _) = app
            .api(
                Method::PUT,
                &format!("/api/tasks/{}", w.task_a1),
                Some(&other),
                Some(json!({"title": "Bị sửa trái phép", "version": before.version})),
            )
            .await;
        assert!(
            matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{e}: {s}"
        );
        let after = app
            .store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task");
        assert_eq!(before, after, "{e}: nothing changed");

        // Lists never show another commune's records.
        let (_, list) = app
            .api(Method::GET, "/api/tasks?per_page=500", Some(&other), None)
            .await;
        let ids: Vec<i64> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|t| t["id"].as_i64())
            .collect();
        assert_eq!(ids, vec![w.task_a2], "{e}");
        let (_, plans) = app.api(Method::GET, "/api/plans", Some(&other), None).await;
        assert_eq!(plans["total"], json!(1));

        // The page for another commune's plan is "not found" too.
        let cookie = app.login_cookie("reporter_a2").await;
        let (s, _, _) = app
            .page(
                Method::GET,
                &format!("/plans/{}", w.plan_a1),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn each_role_changes_only_what_it_may() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let e = app.engine;
        let edit = json!({"title": "Đổi tên", "version": 1, "lead": [{"unit_id": w.vhxh_a1.id}],
            "product": "Báo cáo", "deadline": "Tháng 7/2026"});
        let uri = format!("/api/tasks/{}", w.task_a1);
        for (user, expected) in [
            ("viewer_a1", StatusCode::FORBIDDEN),
            ("reporter_a1", StatusCode::FORBIDDEN),
            ("leader_a1", StatusCode::FORBIDDEN),
            ("leader_a", StatusCode::FORBIDDEN),
            ("focal_a2", StatusCode::NOT_FOUND),
            ("focal_b1", StatusCode::NOT_FOUND),
        ] {
            let token = app.login_token(user).await;
            let (s, body) = app
                .api(Method::PUT, &uri, Some(&token), Some(edit.clone()))
                .await;
            assert_eq!(s, expected, "{e}: {user}: {body}");
        }
        // Reading follows the tree: the province leader sees both communes,
        // a viewer sees its commune.
        let leader = app.login_token("leader_a").await;
        let (_, plans) = app
            .api(Method::GET, "/api/plans", Some(&leader), None)
            .await;
        assert_eq!(
            plans["total"],
            json!(2),
            "{e}: province A has two commune plans"
        );
        let viewer = app.login_token("viewer_a1").await;
        let (s, _) = app.api(Method::GET, &uri, Some(&viewer), None).await;
        assert_eq!(s, StatusCode::OK);
        // A focal point cannot create a plan for another commune, nor a unit.
        let focal = app.login_token("focal_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                "/api/plans",
                Some(&focal),
                Some(json!({"issuer_unit_id": w.commune_a2.id, "title": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        let (s, _) = app
            .api(Method::POST, "/api/units", Some(&focal), Some(json!({
                "parent_id": w.commune_a1.id, "kind": "village", "name": "Thôn Mới", "side": "government"})))
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{e}: only administrators shape the tree"
        );
        // The focal point of the commune may.
        let (s, _) = app.api(Method::PUT, &uri, Some(&focal), Some(edit)).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let _ = (
            &w.police_a1,
            &w.task_a1_police,
            &w.nation,
            &w.province_b,
            &w.commune_b1,
            &w.plan_b1,
            &w.plan_a2,
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let body = format!(
            "title=Kh%C3%B4ng+c%C3%B3+token&lead={}&product=B%C3%A1o+c%C3%A1o&deadline=Th%C3%A1ng+7%2F2026&responsible={}&version=1",
            w.vhxh_a1.id,
            app.user_id("reporter_a1").await
        );
        let (s, _, html) = app
            .page(
                Method::POST,
                &format!("/tasks/{}", w.task_a1),
                Some(&cookie),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", app.engine);
        assert!(html.contains("Phiên làm việc đã hết hạn"));
        let wrong = format!("{body}&_csrf=0000");
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/tasks/{}", w.task_a1),
                Some(&cookie),
                Some(wrong),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let task = app
            .store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task");
        assert_eq!(task.version, 1, "nothing changed");
        // The same post with the token from the edit page goes through.
        let (_, _, form) = app
            .page(
                Method::GET,
                &format!("/tasks/{}/edit", w.task_a1),
                Some(&cookie),
                None,
            )
            .await;
        let ok = format!("{body}&_csrf={}", csrf_of(&form));
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/tasks/{}", w.task_a1),
                Some(&cookie),
                Some(ok),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // The API with the session cookie needs the token in a header.
        let (s, _, _) = app
            .page(Method::POST, "/logout", Some(&cookie), Some(String::new()))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "logging out is a form too");
        app.finish().await;
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account() {
    for app in TestApp::all().await {
        World::build(&app.store).await;
        let wrong = json!({"username": "focal_a1", "password": "sai mat khau roi nhe"});
        for attempt in 1..=4 {
            let (s, body) = app
                .api(Method::POST, "/api/login", None, Some(wrong.clone()))
                .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: attempt {attempt}: {body}",
                app.engine
            );
        }
        let (s, _) = app
            .api(Method::POST, "/api/login", None, Some(wrong.clone()))
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the fifth failure locks");
        // Now even the right password is refused until the lock ends.
        let right = json!({"username": "focal_a1", "password": crate::harness::PASSWORD});
        let (s, body) = app
            .api(Method::POST, "/api/login", None, Some(right.clone()))
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("thử lại sau")
        );
        app.clock.advance_ms(16 * 60 * 1000);
        let (s, _) = app.api(Method::POST, "/api/login", None, Some(right)).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{}: unlocked after the lockout time",
            app.engine
        );
        // Failures are in the audit trail.
        let failures = app
            .store
            .audit_by_action("login_failed", theodoi::store::Page::all())
            .await
            .expect("audit");
        assert_eq!(failures.len(), 5);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_session_ends_after_idle_time() {
    let app = TestApp::sqlite().await;
    World::build(&app.store).await;
    let token = app.login_token("viewer_a1").await;
    let (s, _) = app.api(Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(s, StatusCode::OK);
    app.clock.advance_ms(16 * 60 * 1000);
    let (s, _) = app.api(Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.finish().await;
}
