//! Issue 17, hardening second pass: what outside scanners and a hand probe
//! found, one test per finding.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use theodoi::clock::Clock;

use crate::harness::{PASSWORD, TestApp, World, set_cookie};

/// Signs in through the form with a chosen `next`; returns the answer.
async fn form_login(
    app: &TestApp,
    username: &str,
    next: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let (_, headers, _) = app.page(Method::GET, "/login", None, None).await;
    let csrf = set_cookie(&headers, "theodoi_login_csrf").expect("login csrf cookie");
    let body = format!(
        "username={username}&password={}&_csrf={csrf}&next={next}",
        PASSWORD.replace(' ', "+")
    );
    app.page(
        Method::POST,
        "/login",
        Some(&format!("theodoi_login_csrf={csrf}")),
        Some(body),
    )
    .await
}

fn location(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn next_never_leads_off_site_nor_breaks_the_login() {
    let app = TestApp::sqlite().await;
    let _w = World::build(&app.store).await;
    let cookie = app.login_cookie("focal_a1").await;
    for next in [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0A/evil.example",
        "/%00",
        "%2F%09%2Fevil.example",
        "/%5C/evil.example",
        "/%20/evil.example",
        "/%7F/x",
    ] {
        // Tab and line breaks reach `next` and send the person home; any
        // other control is refused at the boundary (422, no session).
        let refused = ["%00", "%7F"].iter().any(|c| next.contains(c));
        let uri = format!("/login?next={next}");
        let (s, h, _) = app.page(Method::GET, &uri, Some(&cookie), None).await;
        if refused {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "GET next={next}");
        } else {
            assert!(s.is_redirection(), "GET next={next}: {s}");
            assert_eq!(location(&h), "/", "GET next={next}");
        }
        let (s, h, html) = form_login(&app, "focal_a1", next).await;
        if refused {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "POST next={next}");
            assert!(set_cookie(&h, "theodoi_session").is_none());
        } else {
            assert_eq!(s, StatusCode::SEE_OTHER, "POST next={next}: {html}");
            assert_eq!(location(&h), "/", "POST next={next}");
            assert!(set_cookie(&h, "theodoi_session").is_some());
        }
    }
    // A local path still leads there.
    let (_, h, _) = form_login(&app, "focal_a1", "%2Fplans").await;
    assert_eq!(location(&h), "/plans");
    // A refused login sets no session cookie.
    let (_, headers, _) = app.page(Method::GET, "/login", None, None).await;
    let csrf = set_cookie(&headers, "theodoi_login_csrf").expect("csrf");
    let (s, h, _) = app
        .page(
            Method::POST,
            "/login",
            Some(&format!("theodoi_login_csrf={csrf}")),
            Some(format!(
                "username=focal_a1&password=sai&_csrf={csrf}&next=/%00"
            )),
        )
        .await;
    assert!(!s.is_success() || s == StatusCode::OK, "{s}");
    assert!(s.as_u16() < 500, "{s}");
    assert!(set_cookie(&h, "theodoi_session").is_none_or(|v| v.is_empty()));
    app.finish().await;
}

/// The report of commune A1's culture office in the current round.
async fn report_a1(app: &TestApp, w: &World, focal: &str) -> i64 {
    let (_, rounds) = app
        .api(
            Method::GET,
            &format!("/api/rounds?plan_id={}", w.plan_a1),
            Some(focal),
            None,
        )
        .await;
    let round_id = rounds[0]["id"].as_i64().expect("round");
    let (_, round) = app
        .api(
            Method::GET,
            &format!("/api/rounds/{round_id}"),
            Some(focal),
            None,
        )
        .await;
    round["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["unit_id"] == json!(w.vhxh_a1.id))
        .and_then(|r| r["id"].as_i64())
        .expect("report")
}

#[tokio::test]
async fn control_characters_are_refused_at_the_boundary_on_both_engines() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let reporter = app.login_token("reporter_a1").await;
        let report = report_a1(&app, &w, &focal).await;
        let before = app.store.task(w.task_a1).await.expect("read");
        for bad in ["a\u{0}b", "\u{1b}[31m", "x\u{7f}", "\u{8}"] {
            let cases: Vec<(Method, String, Option<&str>, Value)> = vec![
                (
                    Method::POST,
                    "/api/login".into(),
                    None,
                    json!({"username": bad, "password": "x"}),
                ),
                (
                    Method::POST,
                    "/api/login".into(),
                    None,
                    json!({"username": "focal_a1", "password": bad}),
                ),
                (
                    Method::POST,
                    "/api/tasks".into(),
                    Some(&focal),
                    json!({"plan_id": w.plan_a1, "title": bad}),
                ),
                (
                    Method::PUT,
                    format!("/api/reports/{report}"),
                    Some(&reporter),
                    json!({
                    "tasks": [{"task_id": w.task_a1, "version": 0, "status": "in_progress", "percent": 30, "result": bad}]}),
                ),
                (
                    Method::PUT,
                    format!("/api/reports/{report}"),
                    Some(&reporter),
                    json!({"difficulties": bad}),
                ),
            ];
            for (method, uri, token, body) in cases {
                let (s, v) = app.api(method, &uri, token, Some(body.clone())).await;
                assert_eq!(
                    s,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{e}: {uri} {body}: {v}"
                );
                assert_eq!(v["error"]["code"], json!("invalid"), "{e}: {v}");
                assert!(
                    v["error"]["message"].as_str().unwrap_or("").contains("U+"),
                    "{e}: {v}"
                );
            }
            let enc = bad
                .replace('\u{0}', "%00")
                .replace('\u{1b}', "%1B")
                .replace('\u{7f}', "%7F")
                .replace('\u{8}', "%08");
            let (s, v) = app
                .api(
                    Method::GET,
                    &format!("/api/tasks?q={enc}"),
                    Some(&focal),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: query {enc}: {v}");
            // The login form too, and a page form.
            let (_, headers, _) = app.page(Method::GET, "/login", None, None).await;
            let csrf = set_cookie(&headers, "theodoi_login_csrf").expect("csrf");
            let (s, h, _) = app
                .page(
                    Method::POST,
                    "/login",
                    Some(&format!("theodoi_login_csrf={csrf}")),
                    Some(format!(
                        "username=focal_a1{enc}&password=x&_csrf={csrf}&next=%2F"
                    )),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: login form {enc}");
            assert!(set_cookie(&h, "theodoi_session").is_none());
        }
        // Tab and line breaks are text.
        let (s, v) = app
            .api(
                Method::PUT,
                &format!("/api/reports/{report}"),
                Some(&reporter),
                Some(json!({"difficulties": "Thiếu\tngười\r\nThiếu kinh phí"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {v}");
        assert_eq!(
            app.store.task(w.task_a1).await.expect("read"),
            before,
            "{e}"
        );
        app.finish().await;
    }
}

/// An API call as if from `ip` (the peer address the server sees).
async fn api_from(
    app: &TestApp,
    ip: &str,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let peer: std::net::SocketAddr = format!("{ip}:40000").parse().expect("address");
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .extension(axum::extract::ConnectInfo(peer));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = req
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    let (s, _, bytes) = app.send(req).await;
    (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn login_from(
    app: &TestApp,
    username: &str,
    password: &str,
    ip: &str,
) -> (StatusCode, Value) {
    let body = json!({"username": username, "password": password});
    api_from(app, ip, Method::POST, "/api/login", None, body).await
}

async fn notified(app: &TestApp, username: &str, kind: &str) -> bool {
    let user = app
        .store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user");
    app.store
        .notifications_of(user.id, 100)
        .await
        .expect("notifications")
        .iter()
        .any(|n| n.kind == kind)
}

#[tokio::test]
async fn strangers_cannot_lock_an_account_nor_learn_that_it_exists() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        // Five wrong passwords from five addresses: the owner still signs
        // in from a sixth.
        for i in 1..=5 {
            let (s, v) = login_from(&app, "focal_a1", "sai mat khau", &format!("10.0.0.{i}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {v}");
        }
        let (s, v) = login_from(&app, "focal_a1", PASSWORD, "10.0.1.1").await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{e}: the owner elsewhere is not locked out: {v}"
        );

        // An unknown and a known account answer alike, try after try.
        let mut answers = Vec::new();
        for (user, ip) in [("leader_a1", "10.0.2.1"), ("khong_co_ai", "10.0.2.2")] {
            let mut seq = Vec::new();
            for _ in 0..7 {
                let (s, v) = login_from(&app, user, "sai mat khau", ip).await;
                seq.push((s, v["error"]["message"].clone()));
            }
            answers.push(seq);
        }
        assert_eq!(answers[0], answers[1], "{e}");
        assert_eq!(
            answers[0][4].0,
            StatusCode::TOO_MANY_REQUESTS,
            "{e}: {:?}",
            answers[0]
        );
        // That address is held back for that account, no other.
        let (s, _) = login_from(&app, "leader_a1", PASSWORD, "10.0.2.1").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}: the pair is locked");
        let (s, v) = login_from(&app, "leader_a1", PASSWORD, "10.0.2.3").await;
        assert_eq!(s, StatusCode::OK, "{e}: {v}");
        assert!(
            notified(&app, "leader_a1", "login_failures").await,
            "{e}: the owner is told"
        );

        // A crowd of addresses slows the account down, briefly.
        for i in 1..=10 {
            let (s, _) = login_from(&app, "reporter_a1", "sai", &format!("10.0.3.{i}")).await;
            assert!(s.is_client_error(), "{e}");
        }
        let (s, v) = login_from(&app, "reporter_a1", PASSWORD, "10.0.4.1").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}: back-off: {v}");
        let (s, v2) = login_from(&app, "khong_co_ai_2", "x", "10.0.4.1").await;
        assert_ne!(s, StatusCode::OK, "{e}: {v2}");
        app.clock.advance_ms(2_000);
        let (s, v) = login_from(&app, "reporter_a1", PASSWORD, "10.0.4.1").await;
        assert_eq!(s, StatusCode::OK, "{e}: after the back-off: {v}");
        assert!(notified(&app, "reporter_a1", "login_failures").await, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_back_off() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let (_, v) = login_from(&app, "focal_a1", PASSWORD, "10.1.0.1").await;
        let token = v["token"].as_str().expect("token").to_string();
        let mut statuses = Vec::new();
        for _ in 0..6 {
            let body = json!({"current_password": "doan sai mat khau", "new_password": "mot cum tu moi rat dai 2026"});
            let (s, _) = api_from(
                &app,
                "10.1.0.1",
                Method::POST,
                "/api/account/password",
                Some(&token),
                body,
            )
            .await;
            statuses.push(s);
        }
        assert_eq!(statuses[..4], [StatusCode::UNPROCESSABLE_ENTITY; 4], "{e}");
        assert_eq!(
            statuses[4..],
            [StatusCode::TOO_MANY_REQUESTS; 2],
            "{e}: {statuses:?}"
        );
        // And the sign-in from that address is held back too.
        let (s, _) = login_from(&app, "focal_a1", PASSWORD, "10.1.0.1").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
        assert!(notified(&app, "focal_a1", "login_failures").await, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_session_polled_more_often_than_its_idle_time_never_ends() {
    use tower::ServiceExt;
    let app = TestApp::sqlite().await;
    World::build(&app.store).await;
    let mut config = theodoi::config::Config::default()
        .with_data_key(Some(theodoi::auth::sealed::DataKey::demo()));
    config.session_idle = std::time::Duration::from_secs(60);
    let router = theodoi::web::app(theodoi::web::AppState::new(app.store.clone(), config));
    let call = |token: Option<String>, body: Option<Value>| {
        let router = router.clone();
        async move {
            let mut req = axum::http::Request::builder().uri("/api/tasks");
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            let req = match body {
                Some(b) => req
                    .method(Method::POST)
                    .uri("/api/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(b.to_string())),
                None => req.body(axum::body::Body::empty()),
            }
            .expect("request");
            let res = router.oneshot(req).await.expect("response");
            let status = res.status();
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .expect("body")
                .to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let (s, v) = call(
        None,
        Some(json!({"username": "focal_a1", "password": PASSWORD})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().expect("token").to_string();
    for poll in 1..=12 {
        app.clock.advance_ms(15_000);
        let (s, _) = call(Some(token.clone()), None).await;
        assert_eq!(s, StatusCode::OK, "poll {poll} at {} s", poll * 15);
    }
    // Left alone longer than the idle time, it ends.
    app.clock.advance_ms(61_000);
    let (s, _) = call(Some(token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn a_feedback_question_serves_once_right_or_wrong() {
    use crate::feedback::solve;
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let send = |token: Value, answer: String, ip: &'static str| {
            let body = json!({
                "commune_id": w.commune_a1.id, "topic": "other",
                "content": "Đề nghị sửa đèn đường thôn Đông", "notice_acknowledged": true,
                "challenge_token": token, "challenge_answer": answer,
            });
            let app = &app;
            async move { api_from(app, ip, Method::POST, "/api/public/feedback", None, body).await }
        };
        let question = || {
            let app = &app;
            async move {
                let (_, ch) = app
                    .api(Method::GET, "/api/public/challenge", None, None)
                    .await;
                let q = ch["question"].as_str().unwrap_or("").to_string();
                (ch["token"].clone(), solve(&q), q)
            }
        };
        // Solved once: accepted once, refused after from any address.
        let (token, answer, q) = question().await;
        let (s, v) = send(token.clone(), answer.clone(), "10.2.0.1").await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {q} = {answer}: {v}");
        for ip in ["10.2.0.1", "10.2.0.2"] {
            let (s, v) = send(token.clone(), answer.clone(), ip).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: replay: {v}");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("đã được dùng"),
                "{e}: {v}"
            );
        }
        // A wrong answer spends it too.
        let (token, answer, _) = question().await;
        let wrong = (answer.parse::<i64>().expect("number") + 1).to_string();
        let (s, _) = send(token.clone(), wrong, "10.2.0.3").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, v) = send(token, answer, "10.2.0.3").await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: spent by the wrong answer: {v}"
        );
        // The question is a sum of two-digit numbers.
        let (_, answer, q) = question().await;
        let n: i64 = answer.parse().expect("number");
        assert!((20..=198).contains(&n), "{e}: {q}");
        // A token made for another form is refused.
        let secret = theodoi::config::Config::default()
            .with_data_key(Some(theodoi::auth::sealed::DataKey::demo()))
            .form_secret;
        let other = theodoi::auth::challenge::issue_now(&secret, "other", app.clock.now_ms());
        let (s, _) = send(json!(other.token), solve(&other.question), "10.2.0.4").await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: bound to its form"
        );
        let ours = theodoi::auth::challenge::issue_now(&secret, "feedback", app.clock.now_ms());
        let (s, v) = send(json!(ours.token), solve(&ours.question), "10.2.0.4").await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {v}");
        app.finish().await;
    }
}

#[tokio::test]
async fn every_free_text_field_has_a_maximum() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let reporter = app.login_token("reporter_a1").await;
        let report = report_a1(&app, &w, &focal).await;
        let uri = format!("/api/reports/{report}");
        for (n, expected) in [
            (1_000_000, StatusCode::UNPROCESSABLE_ENTITY),
            (10_001, StatusCode::UNPROCESSABLE_ENTITY),
            (10_000, StatusCode::OK),
        ] {
            for field in ["difficulties", "recommendations"] {
                let body = json!({ field: "ư".repeat(n) });
                let (s, v) = app
                    .api(Method::PUT, &uri, Some(&reporter), Some(body))
                    .await;
                assert_eq!(s, expected, "{e}: {field} of {n}: {}", v["error"]);
                if expected != StatusCode::OK {
                    assert!(
                        v["error"]["message"]
                            .as_str()
                            .unwrap_or("")
                            .contains("10.000"),
                        "{e}: {v}"
                    );
                }
            }
        }
        // A field with no rule of its own, in JSON, a form and a query.
        let long = "a".repeat(10_001);
        let (s, _) = app
            .api(
                Method::POST,
                "/api/tasks",
                Some(&focal),
                Some(json!({"plan_id": w.plan_a1, "title": "x", "note": long})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, _) = app
            .api(
                Method::GET,
                &format!("/api/tasks?q={long}"),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let cookie = app.login_cookie("focal_a1").await;
        let (s, _) = crate::harness::post_form(
            &app,
            &cookie,
            "/account",
            "/account/password",
            &[
                ("current_password", long.clone()),
                ("new_password", "x".into()),
                ("confirm_password", "x".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_declares_query_parameters_and_page_sizes() {
    let app = TestApp::sqlite().await;
    World::build(&app.store).await;
    let (s, doc) = app.api(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("operation") {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap_or("");
                let placeholder = format!("{{{name}}}");
                let should = if path.contains(&placeholder) {
                    "path"
                } else {
                    "query"
                };
                if p["in"] != json!(should) {
                    wrong.push(format!("{method} {path} {name}: {}", p["in"]));
                }
                if name == "per_page" {
                    assert_eq!(p["schema"]["maximum"], json!(500), "{path}");
                    assert_eq!(p["schema"]["minimum"], json!(1), "{path}");
                }
            }
        }
    }
    assert!(wrong.is_empty(), "declared in the wrong place: {wrong:?}");
    // Out of range is refused, not capped.
    let token = app.login_token("focal_a1").await;
    for uri in [
        "/api/tasks?per_page=501",
        "/api/tasks?per_page=0",
        "/api/plans?page=0",
        "/api/feedback?page=0",
        "/api/public/feedback?page=0",
    ] {
        let (s, v) = app.api(Method::GET, uri, Some(&token), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {v}");
    }
    let (s, v) = app
        .api(Method::GET, "/api/tasks?per_page=500", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["per_page"], json!(500));
    app.finish().await;
}

#[tokio::test]
async fn a_new_password_is_neither_guessable_nor_the_current_one() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let token = app.login_token("focal_a1").await;
        for new in [
            "Focal_A1_2026",
            "Nguoi dung Focal_A1",
            "12345678901",
            "Ab1!Ab1!Ab",
            "qwertyuiop12",
            "theodoi-demo-2026",
            PASSWORD,
        ] {
            let body = json!({"current_password": PASSWORD, "new_password": new});
            let (s, v) = app
                .api(
                    Method::POST,
                    "/api/account/password",
                    Some(&token),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {new}: {v}");
        }
        let body =
            json!({"current_password": PASSWORD, "new_password": "lua nep cai hoa vang 2026"});
        let (s, v) = app
            .api(
                Method::POST,
                "/api/account/password",
                Some(&token),
                Some(body),
            )
            .await;
        assert!(s.is_success(), "{e}: {v}");
        app.finish().await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_its_own_address() {
    use tower::ServiceExt;
    let app = TestApp::sqlite().await;
    World::build(&app.store).await;
    let mut config = theodoi::config::Config::default()
        .with_data_key(Some(theodoi::auth::sealed::DataKey::demo()));
    config.trusted_proxies = vec![theodoi::proxy::Cidr::parse("10.9.0.0/16").expect("cidr")];
    let router = theodoi::web::app(theodoi::web::AppState::new(app.store.clone(), config));
    let login = |peer: &str, xff: Option<String>, username: &str, password: &str| {
        let router = router.clone();
        let peer: std::net::SocketAddr = format!("{peer}:443").parse().expect("peer");
        let body = json!({"username": username, "password": password}).to_string();
        async move {
            let mut req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/login")
                .header(header::CONTENT_TYPE, "application/json")
                .extension(axum::extract::ConnectInfo(peer));
            if let Some(x) = xff {
                req = req.header("x-forwarded-for", x);
            }
            let req = req.body(axum::body::Body::from(body)).expect("request");
            router.oneshot(req).await.expect("response").status()
        }
    };
    // Twenty-five failures by different clients through the proxy, each on
    // an account of its own: nobody else is refused.
    for i in 0..25 {
        let s = login(
            "10.9.0.1",
            Some(format!("6.6.6.6, 198.51.100.{i}")),
            &format!("nobody{i}"),
            "sai",
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "client {i}");
    }
    let s = login("10.9.0.1", Some("203.0.113.7".into()), "focal_a1", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "another client behind the proxy signs in"
    );
    // A stranger's header is not believed: its failures stay its own.
    for i in 0..20 {
        let s = login(
            "198.51.100.200",
            Some(format!("203.0.113.{i}")),
            &format!("ghost{i}"),
            "sai",
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "stranger try {i}");
    }
    let s = login(
        "198.51.100.200",
        Some("203.0.113.99".into()),
        "focal_a1",
        PASSWORD,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the stranger is one address whatever it says"
    );
    app.finish().await;
}
