//! Accounts on each engine: the second factor (administrators enrol at
//! their first login; a code is needed after, once only; wrong codes lock
//! like wrong passwords), logout everywhere, a new password ending every
//! session, and accounts disabled after 45 days unused.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use theodoi::auth::totp;
use theodoi::clock::Clock;
use theodoi::domain::access::Role;
use theodoi::store::Actor;

use crate::harness::{PASSWORD, TestApp, World, csrf_of, select_texts};

const DAY_MS: i64 = 86_400_000;

async fn password_login(app: &TestApp, username: &str) -> (StatusCode, Value) {
    app.api(
        Method::POST,
        "/api/login",
        None,
        Some(json!({"username": username, "password": PASSWORD})),
    )
    .await
}

async fn actions_of(app: &TestApp, user_id: i64) -> Vec<String> {
    app.store
        .audit_of("user", user_id)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn wrong_code(secret: &[u8], now: i64) -> String {
    let right = totp::code_at(secret, now);
    let near: Vec<String> = (-1..=1)
        .map(|d| totp::code_at(secret, now + d * totp::STEP_MS))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| *c != right && !near.contains(c))
        .expect("a wrong code")
}

#[tokio::test]
async fn administrators_enrol_at_first_login_and_need_a_fresh_code_after() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let admin = app
            .store
            .user_by_username("admin")
            .await
            .expect("read")
            .expect("admin");

        // The password alone opens nothing: a challenge and a secret to enrol.
        let (s, body) = password_login(&app, "admin").await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["totp_required"], json!(true), "{e}: {body}");
        assert_eq!(body["totp_enrolment_required"], json!(true));
        assert!(body.get("token").is_none(), "{e}: no session yet");
        let uri = body["otpauth_uri"].as_str().expect("uri");
        assert!(uri.starts_with("otpauth://totp/Theo%20D%C3%B5i:admin?secret="));
        let secret = totp::base32_decode(body["secret"].as_str().expect("secret")).expect("b32");
        assert_eq!(secret.len(), 20);
        let stored = app
            .store
            .user(admin.id)
            .await
            .expect("read")
            .expect("admin")
            .totp_pending
            .expect("pending secret");
        assert!(
            !stored.contains(&totp::base32_encode(&secret)),
            "{e}: the secret is sealed with the data key"
        );

        // A wrong code is refused and counted.
        let challenge = body["challenge"].as_str().expect("challenge").to_string();
        let bad = wrong_code(&secret, app.clock.now_ms());
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(json!({"challenge": challenge, "code": bad})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let failures = app
            .store
            .audit_by_action("login_failed", theodoi::store::Page::new(None, None))
            .await
            .expect("audit");
        assert!(
            failures
                .iter()
                .any(|f| f.after.as_deref().is_some_and(|a| a.contains("\"totp\""))),
            "{e}: the failed code is in the trail"
        );

        // The right code enrols and signs in.
        let code = totp::code_at(&secret, app.clock.now_ms());
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(json!({"challenge": challenge, "code": code})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let token = body["token"].as_str().expect("token").to_string();
        assert_eq!(body["user"]["username"], json!("admin"));
        let (s, _) = app.api(Method::GET, "/api/me", Some(&token), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            actions_of(&app, admin.id)
                .await
                .contains(&"totp_enabled".into())
        );

        // The challenge is spent; the same code again is refused.
        let (s, _) = app
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(json!({"challenge": challenge, "code": code})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, body) = password_login(&app, "admin").await;
        assert_eq!(body["totp_required"], json!(true));
        assert!(body.get("secret").is_none(), "{e}: never shown again");
        let challenge = body["challenge"].as_str().expect("challenge").to_string();
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(json!({"challenge": challenge, "code": code})),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: a code is used once: {body}"
        );

        // Thirty seconds on, the next code works.
        app.clock.advance_ms(totp::STEP_MS);
        let next = totp::code_at(&secret, app.clock.now_ms());
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(json!({"challenge": challenge, "code": next})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");

        // Users without a second factor keep the usual answer.
        let (s, body) = password_login(&app, "focal_a1").await;
        assert_eq!(s, StatusCode::OK);
        assert!(body["token"].is_string(), "{e}: {body}");
        assert!(body.get("totp_required").is_none());
        app.finish().await;
    }
}

#[tokio::test]
async fn wrong_codes_count_toward_the_lockout() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        app.login_token("admin").await;
        let secret = app.totp_secret("admin").expect("enrolled");
        let mut last = (StatusCode::OK, Value::Null);
        for _ in 0..5 {
            let (_, body) = password_login(&app, "admin").await;
            let challenge = body["challenge"].clone();
            let bad = wrong_code(&secret, app.clock.now_ms());
            last = app
                .api(
                    Method::POST,
                    "/api/login/totp",
                    None,
                    Some(json!({"challenge": challenge, "code": bad})),
                )
                .await;
        }
        assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS, "{e}: {}", last.1);
        let (s, _) = password_login(&app, "admin").await;
        assert_eq!(
            s,
            StatusCode::TOO_MANY_REQUESTS,
            "{e}: the account is locked"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_user_may_enrol_from_the_account_page_and_then_needs_codes() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("Đăng xuất khỏi mọi thiết bị"), "{e}");
        assert!(html.contains("Chưa bật"), "{e}");

        let (s, _, html) = app
            .page(Method::GET, "/account/totp", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let shown = select_texts(&html, "code.secret");
        let secret = totp::base32_decode(&shown[0]).expect("secret");
        let uri = select_texts(&html, "code.uri");
        assert!(uri[0].starts_with("otpauth://totp/"), "{e}: {uri:?}");
        // Shown again, the same secret (not yet confirmed).
        let (_, _, again) = app
            .page(Method::GET, "/account/totp", Some(&cookie), None)
            .await;
        assert_eq!(select_texts(&again, "code.secret"), shown);

        let csrf = csrf_of(&html);
        let code = totp::code_at(&secret, app.clock.now_ms());
        let (s, headers, _) = app
            .page(
                Method::POST,
                "/account/totp",
                Some(&cookie),
                Some(format!("_csrf={csrf}&code={code}")),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(headers[header::LOCATION], "/account");
        let (_, _, html) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        assert!(html.contains("Đã bật từ"), "{e}");
        let (_, _, html) = app
            .page(Method::GET, "/account/totp", Some(&cookie), None)
            .await;
        assert!(
            select_texts(&html, "code.secret").is_empty(),
            "{e}: never again"
        );

        // The next login asks for a code.
        let (_, body) = password_login(&app, "reporter_a1").await;
        assert_eq!(body["totp_required"], json!(true), "{e}: {body}");
        assert_eq!(body["totp_enrolment_required"], json!(false));
        app.remember_totp("reporter_a1", secret);
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, _) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}: signed in with a code");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_new_administrator_must_enrol_before_anything_else() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("leader_a1").await;
        let cookie = app.login_cookie("leader_a1").await;
        let leader = app
            .store
            .user_by_username("leader_a1")
            .await
            .expect("read")
            .expect("user");

        // The commune's administrator makes the leader an administrator.
        let admin = app.login_token("admin_a1").await;
        let (s, body) = app
            .api(
                Method::PUT,
                &format!("/api/users/{}/roles", leader.id),
                Some(&admin),
                Some(json!({"roles": ["leader", "administrator"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["roles"], json!(["administrator", "leader"]));
        let trail = app.store.audit_of("user", leader.id).await.expect("audit");
        let change = trail
            .iter()
            .find(|a| a.action == "roles_changed")
            .expect("audited");
        assert!(
            change
                .before
                .as_deref()
                .is_some_and(|b| b.contains("leader"))
        );
        assert!(
            change
                .after
                .as_deref()
                .is_some_and(|a| a.contains("administrator"))
        );
        assert_eq!(change.commune_id, Some(w.commune_a1.id));

        // Its open sessions can do nothing but enrol.
        let (s, body) = app.api(Method::GET, "/api/plans", Some(&token), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}: {body}");
        assert_eq!(body["error"]["code"], json!("totp_enrolment_required"));
        let (s, headers, _) = app.page(Method::GET, "/plans", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(headers[header::LOCATION], "/account/totp");
        let (s, body) = app
            .api(Method::POST, "/api/account/totp", Some(&token), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let secret = totp::base32_decode(body["secret"].as_str().expect("secret")).expect("b32");
        let code = totp::code_at(&secret, app.clock.now_ms());
        let (s, body) = app
            .api(
                Method::POST,
                "/api/account/totp/confirm",
                Some(&token),
                Some(json!({"code": code})),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}: {body}");
        let (s, _) = app.api(Method::GET, "/api/plans", Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{e}: enrolled, back to work");

        // A user cannot change its own roles, nor a leader anyone's.
        let me = app
            .store
            .user_by_username("admin_a1")
            .await
            .expect("r")
            .expect("u");
        let (s, _) = app
            .api(
                Method::PUT,
                &format!("/api/users/{}/roles", me.id),
                Some(&admin),
                Some(json!({"roles": ["viewer"]})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let focal = app.login_token("focal_a1").await;
        let (s, _) = app
            .api(
                Method::PUT,
                &format!("/api/users/{}/roles", leader.id),
                Some(&focal),
                Some(json!({"roles": ["viewer"]})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn logout_everywhere_ends_every_session() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let a = app.login_token("focal_a1").await;
        let b = app.login_token("focal_a1").await;
        let cookie = app.login_cookie("focal_a1").await;
        let other = app.login_token("focal_a2").await;
        let (s, body) = app
            .api(Method::POST, "/api/logout/all", Some(&a), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["sessions_ended"], json!(3));
        for t in [&a, &b] {
            let (s, _) = app.api(Method::GET, "/api/me", Some(t), None).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        }
        let (s, headers, _) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert!(
            headers[header::LOCATION]
                .to_str()
                .expect("loc")
                .starts_with("/login")
        );
        let (s, _) = app.api(Method::GET, "/api/me", Some(&other), None).await;
        assert_eq!(s, StatusCode::OK, "{e}: other users keep theirs");

        // The button on the account page does the same.
        let cookie = app.login_cookie("focal_a1").await;
        let token = app.login_token("focal_a1").await;
        let (_, _, html) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        assert!(html.contains("Phiên đăng nhập đang mở"), "{e}");
        let (s, headers, _) = app
            .page(
                Method::POST,
                "/account/logout-all",
                Some(&cookie),
                Some(format!("_csrf={}", csrf_of(&html))),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(headers[header::LOCATION], "/login");
        let (s, _) = app.api(Method::GET, "/api/me", Some(&token), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        let focal = app
            .store
            .user_by_username("focal_a1")
            .await
            .expect("r")
            .expect("u");
        let actions = actions_of(&app, focal.id).await;
        assert_eq!(
            actions.iter().filter(|a| *a == "logout_all").count(),
            2,
            "{e}: {actions:?}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_new_password_ends_every_session() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let a = app.login_token("viewer_a1").await;
        let b = app.login_token("viewer_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                "/api/account/password",
                Some(&a),
                Some(json!({"current_password": "sai mat khau roi", "new_password": "mot cum tu moi rat dai"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/account/password",
                Some(&a),
                Some(json!({"current_password": PASSWORD, "new_password": "short"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/account/password",
                Some(&a),
                Some(
                    json!({"current_password": PASSWORD, "new_password": "mot cum tu moi rat dai"}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}: {body}");
        for t in [&a, &b] {
            let (s, _) = app.api(Method::GET, "/api/me", Some(t), None).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}: signed out everywhere");
        }
        let (s, _) = password_login(&app, "viewer_a1").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: the old password");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login",
                None,
                Some(json!({"username": "viewer_a1", "password": "mot cum tu moi rat dai"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");

        // The form on the account page, the same way.
        let token = body["token"].as_str().expect("token").to_string();
        let cookie = {
            let (_, headers, _) = app.page(Method::GET, "/login", None, None).await;
            let csrf = crate::harness::set_cookie(&headers, "theodoi_login_csrf").expect("csrf");
            let (_, headers, _) = app
                .page(
                    Method::POST,
                    "/login",
                    Some(&format!("theodoi_login_csrf={csrf}")),
                    Some(format!(
                        "username=viewer_a1&password=mot+cum+tu+moi+rat+dai&_csrf={csrf}"
                    )),
                )
                .await;
            format!(
                "theodoi_session={}",
                crate::harness::set_cookie(&headers, "theodoi_session").expect("session")
            )
        };
        let (_, _, html) = app.page(Method::GET, "/account", Some(&cookie), None).await;
        let (s, headers, _) = app
            .page(
                Method::POST,
                "/account/password",
                Some(&cookie),
                Some(format!(
                    "_csrf={}&current_password=mot+cum+tu+moi+rat+dai&new_password={}&confirm_password={}",
                    csrf_of(&html),
                    PASSWORD.replace(' ', "+"),
                    PASSWORD.replace(' ', "+")
                )),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(headers[header::LOCATION], "/login");
        let (s, _) = app.api(Method::GET, "/api/me", Some(&token), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        app.login_token("viewer_a1").await;
        app.finish().await;
    }
}

#[tokio::test]
async fn accounts_unused_for_45_days_are_disabled_and_enabled_again_by_an_administrator() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        app.login_token("reporter_a1").await;
        app.login_token("admin").await;
        let reporter = app
            .store
            .user_by_username("reporter_a1")
            .await
            .expect("r")
            .expect("u");

        // 44 days on, nothing happens.
        app.clock.advance_ms(44 * DAY_MS);
        assert_eq!(
            app.store.disable_dormant_users().await.expect("run"),
            0,
            "{e}"
        );

        // Two more days: the hourly housekeeping disables every unused
        // account (all of this world's).
        app.clock.advance_ms(2 * DAY_MS);
        let disabled = app.store.disable_dormant_users().await.expect("run");
        assert_eq!(disabled, 12, "{e}");
        let (s, body) = password_login(&app, "reporter_a1").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .expect("message")
                .contains("45 ngày"),
            "{e}: {body}"
        );
        let trail = app
            .store
            .audit_of("user", reporter.id)
            .await
            .expect("audit");
        let entry = trail
            .iter()
            .find(|a| a.action == "account_disabled")
            .expect("audited");
        assert!(
            entry
                .after
                .as_deref()
                .is_some_and(|a| a.contains("dormant"))
        );
        assert_eq!(entry.user_id, None, "{e}: done by the system");

        // The national administrator is enabled again from the command
        // line, then enables the reporter over the API.
        let admin = app
            .store
            .user_by_username("admin")
            .await
            .expect("r")
            .expect("u");
        app.store
            .enable_user(admin.id, &Actor::system())
            .await
            .expect("enable");
        let admin_token = app.login_token("admin").await;
        let (s, list) = app
            .api(Method::GET, "/api/users", Some(&admin_token), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {list}");
        let row = list["items"]
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["username"] == json!("reporter_a1"))
            .expect("listed")
            .clone();
        assert_eq!(row["active"], json!(false));
        assert_eq!(row["disabled_reason"], json!("dormant"));
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/users/{}/enable", reporter.id),
                Some(&admin_token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["active"], json!(true));
        app.login_token("reporter_a1").await;
        assert!(
            actions_of(&app, reporter.id)
                .await
                .contains(&"account_enabled".into())
        );

        // A commune administrator cannot reach another commune's accounts.
        let commune_admin = app
            .store
            .user_by_username("admin_a1")
            .await
            .expect("r")
            .expect("u");
        app.store
            .enable_user(commune_admin.id, &Actor::system())
            .await
            .expect("enable");
        let a1 = app.login_token("admin_a1").await;
        let b1 = app
            .store
            .user_by_username("focal_b1")
            .await
            .expect("r")
            .expect("u");
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/users/{}/enable", b1.id),
                Some(&a1),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        let focal = app.login_token("reporter_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/users/{}/enable", b1.id),
                Some(&focal),
                None,
            )
            .await;
        assert!(
            matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{e}"
        );

        // The page: the commune administrator enables its viewer.
        let cookie = app.login_cookie("admin_a1").await;
        let (s, _, html) = app
            .page(Method::GET, "/admin/users", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("không dùng quá 45 ngày"), "{e}");
        assert!(!html.contains("focal_b1"), "{e}: only its subtree");
        let viewer = app
            .store
            .user_by_username("viewer_a1")
            .await
            .expect("r")
            .expect("u");
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/admin/users/{}/enable", viewer.id),
                Some(&cookie),
                Some(format!("_csrf={}", csrf_of(&html))),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        app.login_token("viewer_a1").await;
        app.finish().await;
    }
}

#[tokio::test]
async fn a_long_idle_account_cannot_sign_in_before_housekeeping_runs() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        crate::harness::user(&app.store, "new_viewer", &w.commune_a2, Role::Viewer).await;
        app.clock.advance_ms(46 * DAY_MS);
        let (s, body) = password_login(&app, "new_viewer").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .expect("m")
                .contains("45 ngày")
        );
        let user = app
            .store
            .user_by_username("new_viewer")
            .await
            .expect("r")
            .expect("u");
        assert!(!user.active, "{e}: disabled at login");
        assert_eq!(user.disabled_reason.as_deref(), Some("dormant"));
        // A wrong password says nothing about it.
        let (s, body) = app
            .api(
                Method::POST,
                "/api/login",
                None,
                Some(json!({"username": "new_viewer", "password": "khong phai mat khau"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!body.to_string().contains("45 ngày"), "{e}");
        app.finish().await;
    }
}
