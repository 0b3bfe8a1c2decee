//! "Quên mật khẩu" on each engine: a person asks for a code by username
//! or e-mail address and gets it by e-mail; the answer is the same for a
//! name nobody has; the old password works until the code is used, the
//! code works once and for an hour, and a second request within a quarter
//! of an hour sends nothing. Without mail set up, the form says to ask
//! the administrator.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp, World, csrf_of};
use crate::staff_admin::code_in_mail;

const NEW_PASSWORD: &str = "hoa sen no giua dam lay 2026";

type Sink = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// The app with mail sent to a local sink, and reporter_a1 given an
/// address.
async fn with_mail(mut app: TestApp) -> (TestApp, Sink) {
    let (port, sink) = crate::notifications::smtp_sink().await;
    let config = theodoi::config::Config {
        mail: Some(theodoi::notify::MailConfig {
            smtp_url: format!("smtp://127.0.0.1:{port}"),
            from: "Theo Dõi <theodoi@localhost>".into(),
        }),
        public_url: Some("https://theodoi.anphu.test".into()),
        ..theodoi::config::Config::default()
    }
    .with_data_key(Some(theodoi::auth::sealed::DataKey::demo()));
    app.router = theodoi::web::app(theodoi::web::AppState::new(app.store.clone(), config));
    let pool = app.raw_pool().await;
    sqlx::query("UPDATE users SET email = 'Bao.Cao@AnPhu.test' WHERE username = 'reporter_a1'")
        .execute(&pool)
        .await
        .expect("set address");
    (app, sink)
}

/// The mails the sink holds once `n` have arrived (sent in the
/// background), or after five seconds.
async fn mails(sink: &Sink, n: usize) -> Vec<(Vec<String>, String)> {
    for _ in 0..100 {
        let got = sink.lock().expect("sink").clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sink.lock().expect("sink").clone()
}

/// A mail's body as text, whether sent quoted-printable or in base64.
fn decoded(data: &str) -> String {
    use base64::Engine;
    let body = data.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    match base64::engine::general_purpose::STANDARD.decode(body.replace('\n', "").trim()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => body.replace("=\n", ""),
    }
}

async fn ask(app: &TestApp, login: &str) -> (StatusCode, Value) {
    app.api(
        Method::POST,
        "/api/password/forgot",
        None,
        Some(json!({ "login": login })),
    )
    .await
}

async fn login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.api(
        Method::POST,
        "/api/login",
        None,
        Some(json!({"username": username, "password": password})),
    )
    .await
    .0
}

async fn enrol(app: &TestApp, code: &str) -> (StatusCode, Value) {
    app.api(
        Method::POST,
        "/api/enrol",
        None,
        Some(json!({"code": code, "password": NEW_PASSWORD})),
    )
    .await
}

#[tokio::test]
async fn a_code_by_email_sets_a_new_password_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let _w = World::build(&app.store).await;
        let (app, sink) = with_mail(app).await;

        let (s, known) = ask(&app, "reporter_a1").await;
        assert_eq!(s, StatusCode::OK, "{e}: {known}");
        let (s, unknown) = ask(&app, "khong.co.ai").await;
        assert_eq!(s, StatusCode::OK, "{e}: {unknown}");
        assert_eq!(known, unknown, "{e}: the same answer for a stranger");

        let got = mails(&sink, 1).await;
        assert_eq!(got.len(), 1, "{e}: one mail, to the known account");
        assert!(
            got[0].0.iter().any(|r| r.contains("Bao.Cao@AnPhu.test")),
            "{e}"
        );
        assert!(
            decoded(&got[0].1).contains("https://theodoi.anphu.test/enrol/"),
            "{e}: the link carries the public address: {}",
            got[0].1
        );
        let code = code_in_mail(&got[0].1).expect("a code in the mail");

        // Asking changed nothing yet: the password still works.
        assert_eq!(
            login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );
        // A second request within a quarter of an hour sends nothing.
        let (s, _) = ask(&app, "bao.cao@anphu.test").await;
        assert_eq!(s, StatusCode::OK, "{e}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(sink.lock().expect("sink").len(), 1, "{e}: rate-limited");

        let (s, body) = enrol(&app, &code).await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["username"], json!("reporter_a1"), "{e}");
        assert_eq!(
            login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: the old password is gone"
        );
        assert_eq!(
            login(&app, "reporter_a1", NEW_PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );
        let (s, body) = enrol(&app, &code).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: works once: {body}"
        );

        let actions: Vec<String> = app
            .store
            .audit_of("user", app.user_id("reporter_a1").await)
            .await
            .expect("audit")
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert!(
            actions.contains(&"self_reset_requested".to_string()),
            "{e}: {actions:?}"
        );
        assert!(
            actions.contains(&"enrolment_used".to_string()),
            "{e}: {actions:?}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn an_emailed_code_expires_after_an_hour_and_the_next_request_sends_a_new_one() {
    for app in TestApp::all().await {
        let e = app.engine;
        let _w = World::build(&app.store).await;
        let (app, sink) = with_mail(app).await;
        let (s, _) = ask(&app, "BAO.CAO@anphu.test").await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let first = code_in_mail(&mails(&sink, 1).await[0].1).expect("code");

        app.clock.advance_ms(60 * 60_000);
        let (s, body) = enrol(&app, &first).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("60 phút"), "{e}: {message}");
        assert_eq!(
            login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );

        let (s, _) = ask(&app, "reporter_a1").await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let got = mails(&sink, 2).await;
        assert_eq!(got.len(), 2, "{e}: a new code after the interval");
        let second = code_in_mail(&got[1].1).expect("code");
        assert_ne!(first, second, "{e}");
        let (s, body) = enrol(&app, &second).await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_page_asks_without_telling_who_exists_and_without_mail_sends_to_the_administrator() {
    for app in TestApp::all().await {
        let e = app.engine;
        let _w = World::build(&app.store).await;
        // No mail: the page says who to ask, and the API refuses clearly.
        let (s, _, html) = app.page(Method::GET, "/password/forgot", None, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("quản trị viên"), "{e}");
        assert!(
            !html.contains("name=\"login\""),
            "{e}: no form without mail"
        );
        let (s, body) = ask(&app, "reporter_a1").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(body["error"]["code"].is_string(), "{e}: {body}");

        let (app, sink) = with_mail(app).await;
        let (s, _, html) = app.page(Method::GET, "/login", None, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            html.contains("href=\"/password/forgot\""),
            "{e}: linked from the login"
        );
        let (s, headers, html) = app.page(Method::GET, "/password/forgot", None, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("name=\"login\""), "{e}: the form, with mail");
        let csrf = crate::harness::set_cookie(&headers, "theodoi_login_csrf").expect("csrf");
        assert_eq!(csrf_of(&html), csrf, "{e}");
        let cookie = format!("theodoi_login_csrf={csrf}");
        let mut answers = Vec::new();
        for login in ["reporter_a1", "khong.co.ai"] {
            let body = serde_urlencoded::to_string([
                ("_csrf", csrf.clone()),
                ("login", login.to_string()),
            ])
            .expect("encode");
            let (s, _, answer) = app
                .page(Method::POST, "/password/forgot", Some(&cookie), Some(body))
                .await;
            assert_eq!(s, StatusCode::OK, "{e}: {answer}");
            answers.push(crate::harness::select_texts(&answer, "p.ok"));
        }
        assert_eq!(answers[0], answers[1], "{e}: the same words for a stranger");
        assert_eq!(mails(&sink, 1).await.len(), 1, "{e}");
        app.finish().await;
    }
}
