//! Bad input gets a clear JSON error with a code, never a 500, and nothing
//! stored changes.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::harness::{TestApp, World};

#[tokio::test]
async fn malformed_wrong_unknown_and_oversized_input_get_clear_errors() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let e = app.engine;
        let token = app.login_token("focal_a1").await;
        let before = app.store.task(w.task_a1).await.expect("read");

        let raw = |method: Method, uri: &str, ctype: Option<&str>, body: Vec<u8>| {
            let mut req = Request::builder()
                .method(method)
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"));
            if let Some(c) = ctype {
                req = req.header(header::CONTENT_TYPE, c);
            }
            req.body(Body::from(body)).expect("request")
        };
        let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
            (raw(Method::POST, "/api/tasks", Some("application/json"), b"{\"title\": ".to_vec()), StatusCode::BAD_REQUEST, "bad_request"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), b"[1,2,3]".to_vec()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("text/plain"), b"{}".to_vec()), StatusCode::BAD_REQUEST, "bad_request"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": "mot", "title": 5}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": 999_999_999, "title": "x"}).to_string().into_bytes()), StatusCode::NOT_FOUND, "not_found"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": w.plan_a1, "title": "   "}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": w.plan_a1, "title": "x", "lead": [{}]}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": w.plan_a1, "title": "x", "lead": [{"unit_id": w.vhxh_a2.id}]}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), json!({"plan_id": w.plan_a1, "title": "x", "surprise": 1}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::GET, "/api/tasks/abc", None, vec![]), StatusCode::BAD_REQUEST, "bad_request"),
            (raw(Method::GET, "/api/tasks/99999999999999999999", None, vec![]), StatusCode::BAD_REQUEST, "bad_request"),
            (raw(Method::GET, "/api/tasks/424242", None, vec![]), StatusCode::NOT_FOUND, "not_found"),
            (raw(Method::GET, "/api/tasks?page=-1", None, vec![]), StatusCode::BAD_REQUEST, "bad_request"),
            (raw(Method::GET, "/api/nothing-here", None, vec![]), StatusCode::NOT_FOUND, "not_found"),
            (raw(Method::PUT, &format!("/api/tasks/{}", w.task_a1), Some("application/json"), json!({"title": "x"}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::PUT, &format!("/api/plans/{}", w.plan_a1), Some("application/json"), json!({"issuer_unit_id": 1, "title": "x", "version": 1, "reporting": {"periods": ["weekly"]}}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::PUT, &format!("/api/plans/{}", w.plan_a1), Some("application/json"), json!({"issuer_unit_id": 1, "title": "x", "version": 1, "date": "32/13/2026"}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/targets", Some("application/json"), json!({"plan_id": w.plan_a1, "name": "x", "goals": [{"year": 2026, "text": "nhiều"}]}).to_string().into_bytes()), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            (raw(Method::POST, "/api/tasks", Some("application/json"), vec![b' '; 3 * 1024 * 1024]), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        ];
        for (i, (req, expected, code)) in cases.into_iter().enumerate() {
            let uri = req.uri().to_string();
            let (status, headers, body) = app.send(req).await;
            assert_eq!(
                status,
                expected,
                "{e}: case {i} {uri}: {}",
                String::from_utf8_lossy(&body)
            );
            assert!(
                headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .starts_with("application/json"),
                "{e}: case {i} answers JSON"
            );
            let v: Value = serde_json::from_slice(&body).expect("json error");
            assert_eq!(v["error"]["code"], json!(code), "{e}: case {i}: {v}");
            assert!(!v["error"]["message"].as_str().unwrap_or("").is_empty());
        }
        let after = app.store.task(w.task_a1).await.expect("read");
        assert_eq!(before, after, "{e}: nothing stored changed");
        // Unauthenticated calls are 401 JSON.
        let (s, body) = app.api(Method::GET, "/api/tasks", None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], json!("unauthorized"));
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_form_input_shows_a_vietnamese_message_and_keeps_what_was_typed() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let (_, _, form) = app
            .page(
                Method::GET,
                &format!("/plans/{}/tasks/new", w.plan_a1),
                Some(&cookie),
                None,
            )
            .await;
        let csrf = crate::harness::csrf_of(&form);
        let body = format!(
            "_csrf={csrf}&ref=9&title=&product=B%C3%A1o+c%C3%A1o+qu%C3%BD&deadline=Qu%C3%BD+III%2F2026"
        );
        let (s, _, html) = app
            .page(
                Method::POST,
                &format!("/plans/{}/tasks", w.plan_a1),
                Some(&cookie),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.engine);
        assert!(html.contains("Tên nhiệm vụ không được để trống"));
        assert!(html.contains("Báo cáo quý"), "what was typed is kept");
        let body = format!(
            "_csrf={csrf}&number=1&date=31%2F02%2F2026&title=K%E1%BA%BF+ho%E1%BA%A1ch&periods=monthly&issuer_unit_id={}",
            w.commune_a1.id
        );
        let (s, _, html) = app
            .page(Method::POST, "/plans", Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Ngày ban hành không hợp lệ"), "{html}");
        app.finish().await;
    }
}
