//! Issue 17, hardening second pass: what outside scanners and a hand probe
//! found, one test per finding.

use axum::http::{Method, StatusCode, header};

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
        let (s, h, _) = app
            .page(
                Method::GET,
                &format!("/login?next={next}"),
                Some(&cookie),
                None,
            )
            .await;
        assert!(s.is_redirection(), "GET next={next}: {s}");
        assert_eq!(location(&h), "/", "GET next={next}");
        let (s, h, html) = form_login(&app, "focal_a1", next).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "POST next={next}: {html}");
        assert_eq!(location(&h), "/", "POST next={next}");
        assert!(set_cookie(&h, "theodoi_session").is_some());
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
