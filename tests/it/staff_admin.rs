//! Staff administration on each engine: an administrator creates accounts
//! (with a one-time enrolment code, no password), edits, moves, changes
//! roles, disables and enables them, resets their password and second
//! factor, all within its subtree and all audited; outside it, nothing
//! moves. Enrolment codes work once, expire, and are stored only hashed.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sqlx::Row;

use theodoi::auth::token::sha256_hex;
use theodoi::store::User;

use crate::harness::{PASSWORD, TestApp, World, post_form, select_texts};

const NEW_PASSWORD: &str = "vuon cau xanh ben song Hong";

fn fields(unit: i64, username: &str) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_string()),
        ("full_name", "Trần Văn Mới".to_string()),
        ("unit_id", unit.to_string()),
        ("role", "unit_reporter".to_string()),
        ("email", "moi@anphu.test".to_string()),
        ("phone", "0912 345 678".to_string()),
    ]
}

async fn user(app: &TestApp, username: &str) -> User {
    app.store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user")
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

async fn password_login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.api(
        Method::POST,
        "/api/login",
        None,
        Some(json!({"username": username, "password": password})),
    )
    .await
    .0
}

/// Sets a password on the enrolment page, as a person with the code would.
async fn enrol_page(app: &TestApp, code: &str, password: &str) -> (StatusCode, String) {
    let (s, headers, _) = app.page(Method::GET, "/enrol", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let csrf = crate::harness::set_cookie(&headers, "theodoi_login_csrf").expect("csrf cookie");
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf.as_str()),
        ("code", code),
        ("password", password),
        ("confirm_password", password),
    ])
    .expect("encode");
    let (s, _, html) = app
        .page(
            Method::POST,
            "/enrol",
            Some(&format!("theodoi_login_csrf={csrf}")),
            Some(body),
        )
        .await;
    (s, html)
}

/// Every text the database holds about enrolment codes and the account's
/// trail: the code itself must be in none of it.
async fn stored_text(app: &TestApp, user_id: i64) -> String {
    let pool = app.raw_pool().await;
    let mut all = String::new();
    for r in sqlx::query("SELECT code_hash, purpose FROM enrolment_codes WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(&pool)
        .await
        .expect("codes")
    {
        all.push_str(&r.try_get::<String, _>("code_hash").expect("hash"));
        all.push_str(&r.try_get::<String, _>("purpose").expect("purpose"));
    }
    for r in sqlx::query(
        "SELECT COALESCE(before_json, '') AS b, COALESCE(after_json, '') AS a FROM audit_log",
    )
    .fetch_all(&pool)
    .await
    .expect("audit")
    {
        all.push_str(&r.try_get::<String, _>("b").expect("b"));
        all.push_str(&r.try_get::<String, _>("a").expect("a"));
    }
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&pool)
        .await
        .expect("user");
    all.push_str(&row.try_get::<String, _>("password_hash").expect("hash"));
    pool.close().await;
    all
}

#[tokio::test]
async fn an_administrator_creates_an_account_whose_owner_enrols_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let admin = app.login_cookie("admin_a1").await;

        // Outside the administrator's commune: not found, nothing created.
        let (s, _) = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &fields(w.vhxh_a2.id, "canbo.khac"),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        assert!(
            app.store
                .user_by_username("canbo.khac")
                .await
                .expect("read")
                .is_none()
        );
        // A bad phone number is refused with the form's reason, the typed
        // values kept.
        let mut bad = fields(w.vhxh_a1.id, "canbo.moi");
        bad[5].1 = "12ab".into();
        let (s, html) = post_form(&app, &admin, "/admin/users", "/admin/users", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(select_texts(&html, "p.error").len(), 1, "{e}");
        assert!(html.contains("value=\"canbo.moi\""), "{e}");

        let (s, html) = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &fields(w.vhxh_a1.id, "canbo.moi"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        let code = select_texts(&html, "#enrolment-code")
            .pop()
            .expect("the code, shown once");
        let created = user(&app, "canbo.moi").await;
        assert_eq!(created.unit_id, w.vhxh_a1.id);
        assert_eq!(created.phone.as_deref(), Some("0912345678"));
        assert_eq!(created.email.as_deref(), Some("moi@anphu.test"));
        // No password yet: nothing signs in, not even an empty one.
        assert_eq!(
            password_login(&app, "canbo.moi", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}"
        );
        // The database holds the code's hash only.
        let stored = stored_text(&app, created.id).await;
        let bare = code.replace('-', "");
        assert!(!stored.contains(&code) && !stored.contains(&bare), "{e}");
        assert!(stored.contains(&sha256_hex(&bare)), "{e}");

        // The link names the account; a weak password is refused and the
        // code still works after.
        let (s, _, html) = app
            .page(Method::GET, &format!("/enrol/{code}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("canbo.moi"), "{e}");
        let (s, html) = enrol_page(&app, &code, "12345678901").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(select_texts(&html, "p.error").len(), 1, "{e}");
        // Typed in lower case with spaces: the same code.
        let typed = code.to_lowercase().replace('-', " ");
        let (s, html) = enrol_page(&app, &typed, NEW_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        assert!(html.contains("Đã đặt mật khẩu"), "{e}");
        assert_eq!(
            password_login(&app, "canbo.moi", NEW_PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );
        // Once only.
        let (s, html) = enrol_page(&app, &code, "mot mat khau khac hoan toan").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            select_texts(&html, "p.error")
                .concat()
                .contains("đã được dùng"),
            "{e}: {html}"
        );
        assert_eq!(
            password_login(&app, "canbo.moi", "mot mat khau khac hoan toan").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}"
        );
        // An unknown code says so.
        let (s, _, html) = app
            .page(Method::GET, "/enrol/AAAA-BBBB-CCCC-DDDD", None, None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Mã kích hoạt không đúng"), "{e}");

        let actions = actions_of(&app, created.id).await;
        for a in ["create", "enrolment_issued", "enrolment_used"] {
            assert!(actions.contains(&a.to_string()), "{e}: {a} in {actions:?}");
        }
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/admin/audit?entity=user&entity_id={}", created.id),
                Some(&admin),
                None,
            )
            .await;
        assert!(html.contains("Cấp mã kích hoạt"), "{e}");
        assert!(html.contains("Đặt mật khẩu bằng mã kích hoạt"), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn an_enrolment_code_expires_after_72_hours() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let new = |name: &str| {
            json!({"username": name, "full_name": "Lê Thị Hoa", "unit_id": w.vhxh_a1.id,
                "role": "viewer"})
        };
        let (s, body) = app
            .api(
                Method::POST,
                "/api/users",
                Some(&token),
                Some(new("hoa.le")),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        assert_eq!(body["user"]["password_pending"], json!(true), "{e}");
        let code = body["code"].as_str().expect("code").to_string();
        assert_eq!(body["link"], json!(format!("/enrol/{code}")), "{e}");

        app.clock.advance_ms(72 * 3_600_000);
        let (s, body) = app
            .api(
                Method::POST,
                "/api/enrol",
                None,
                Some(json!({"code": code, "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("hết hạn")),
            "{e}: {body}"
        );
        assert_eq!(
            password_login(&app, "hoa.le", NEW_PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn an_administrator_edits_moves_and_disables_within_its_subtree() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let admin = app.login_cookie("admin_a1").await;
        let reporter = user(&app, "reporter_a1").await;
        let page = format!("/admin/users/{}", reporter.id);

        // Profile.
        let (s, html) = post_form(
            &app,
            &admin,
            &page,
            &page,
            &[
                ("full_name", "Nguyễn Thị Báo Cáo".to_string()),
                ("email", "baocao@anphu.test".to_string()),
                ("phone", "+84 912 000 111".to_string()),
                ("version", reporter.version.to_string()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let now = user(&app, "reporter_a1").await;
        assert_eq!(now.full_name, "Nguyễn Thị Báo Cáo");
        assert_eq!(now.phone.as_deref(), Some("+84912000111"));
        // A stale version is refused, the form shown again.
        let (s, _) = post_form(
            &app,
            &admin,
            &page,
            &page,
            &[
                ("full_name", "Tên cũ".to_string()),
                ("version", reporter.version.to_string()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");

        // Move to the police post of the same commune, then roles.
        let (s, _) = post_form(
            &app,
            &admin,
            &page,
            &format!("{page}/unit"),
            &[("unit_id", w.police_a1.id.to_string())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(user(&app, "reporter_a1").await.unit_id, w.police_a1.id);
        let (s, _) = post_form(
            &app,
            &admin,
            &page,
            &format!("{page}/roles"),
            &[
                ("role", "unit_reporter".to_string()),
                ("role", "viewer".to_string()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(user(&app, "reporter_a1").await.roles.len(), 2, "{e}");

        // Disable: the open session ends, and the password no longer works.
        let session = app.login_cookie("reporter_a1").await;
        let (s, _, _) = app.page(Method::GET, "/", Some(&session), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, _) = post_form(&app, &admin, &page, &format!("{page}/disable"), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let (s, headers, _) = app.page(Method::GET, "/", Some(&session), None).await;
        assert!(s.is_redirection(), "{e}: {s}");
        assert!(
            headers
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .is_some_and(|l| l.starts_with("/login")),
            "{e}"
        );
        assert_eq!(
            password_login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}"
        );
        let (_, _, html) = app.page(Method::GET, &page, Some(&admin), None).await;
        assert!(
            select_texts(&html, "dd.status")
                .concat()
                .contains("Đã khóa"),
            "{e}"
        );
        let (s, _) = post_form(&app, &admin, &page, &format!("{page}/enable"), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        assert_eq!(
            password_login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );

        // Reset the password: the old one stops working, a code is shown.
        let session = app.login_cookie("reporter_a1").await;
        let (s, html) =
            post_form(&app, &admin, &page, &format!("{page}/password-reset"), &[]).await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        let code = select_texts(&html, "#enrolment-code")
            .pop()
            .expect("code shown");
        let (s, _, _) = app.page(Method::GET, "/", Some(&session), None).await;
        assert!(s.is_redirection(), "{e}: the reset ends every session");
        assert_eq!(
            password_login(&app, "reporter_a1", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}"
        );
        let (s, _) = enrol_page(&app, &code, NEW_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            password_login(&app, "reporter_a1", NEW_PASSWORD).await,
            StatusCode::OK,
            "{e}"
        );

        let actions = actions_of(&app, reporter.id).await;
        for a in [
            "update_user",
            "move_user",
            "roles_changed",
            "account_disabled",
            "account_enabled",
            "reset_password",
            "enrolment_issued",
            "enrolment_used",
        ] {
            assert!(actions.contains(&a.to_string()), "{e}: {a} in {actions:?}");
        }
        // The trail reads in words, the move naming both units.
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/admin/audit?entity=user&entity_id={}", reporter.id),
                Some(&admin),
                None,
            )
            .await;
        for words in ["Sửa tài khoản", "Chuyển đơn vị công tác", "Khóa tài khoản"]
        {
            assert!(html.contains(words), "{e}: {words}");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn nothing_outside_the_administrators_subtree_moves() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let a1 = user(&app, "reporter_a1").await;
        let a2 = user(&app, "reporter_a2").await;
        let province = user(&app, "leader_a").await;
        let before = (
            actions_of(&app, a1.id).await.len(),
            actions_of(&app, a2.id).await.len(),
        );

        // Another commune's account: not found, whatever the request.
        let body = json!({"full_name": "X", "version": a2.version});
        for (method, uri, body) in [
            (Method::GET, format!("/api/users/{}", a2.id), None),
            (
                Method::PUT,
                format!("/api/users/{}", a2.id),
                Some(body.clone()),
            ),
            (Method::POST, format!("/api/users/{}/disable", a2.id), None),
            (
                Method::POST,
                format!("/api/users/{}/password-reset", a2.id),
                None,
            ),
            (
                Method::PUT,
                format!("/api/users/{}/roles", a2.id),
                Some(json!({"roles": ["viewer"]})),
            ),
            (
                Method::PUT,
                format!("/api/users/{}", province.id),
                Some(json!({"full_name": "X", "version": province.version})),
            ),
        ] {
            let (s, b) = app.api(method, &uri, Some(&token), body).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {uri}: {b}");
        }
        // Its own account, moved out of its subtree (to commune A2, or up
        // to the province): refused, unit unchanged.
        for unit in [w.vhxh_a2.id, w.province_a.id] {
            let (s, b) = app
                .api(
                    Method::PUT,
                    &format!("/api/users/{}", a1.id),
                    Some(&token),
                    Some(json!({"full_name": a1.full_name, "unit_id": unit,
                        "version": a1.version})),
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {b}");
        }
        let (s, b) = app
            .api(
                Method::GET,
                &format!("/api/users?unit_id={}", w.commune_a2.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {b}");
        assert_eq!(user(&app, "reporter_a1").await.unit_id, a1.unit_id);
        assert_eq!(user(&app, "reporter_a2").await, a2, "{e}");
        assert_eq!(
            (
                actions_of(&app, a1.id).await.len(),
                actions_of(&app, a2.id).await.len()
            ),
            before,
            "{e}: nothing audited, nothing changed"
        );
        // Not an administrator: forbidden.
        let focal = app.login_token("focal_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/users/{}/disable", a1.id),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // An administrator does not disable itself.
        let me = user(&app, "admin_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/users/{}/disable", me.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // The list: its subtree only, filtered by role, unit and state.
        let (s, list) = app
            .api(Method::GET, "/api/users?per_page=2", Some(&token), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {list}");
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{e}");
        let total = list["total"].as_i64().expect("total");
        let names = |v: &Value| -> Vec<String> {
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|u| u["username"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        let (_, all) = app
            .api(Method::GET, "/api/users?per_page=100", Some(&token), None)
            .await;
        let all = names(&all);
        assert_eq!(all.len() as i64, total, "{e}");
        assert!(all.contains(&"reporter_a1".to_string()), "{e}");
        assert!(
            !all.iter().any(|n| n.ends_with("_a2") || n == "leader_a"),
            "{e}"
        );
        let (_, reporters) = app
            .api(
                Method::GET,
                &format!("/api/users?role=unit_reporter&unit_id={}", w.vhxh_a1.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(names(&reporters), vec!["reporter_a1".to_string()], "{e}");
        let (_, found) = app
            .api(Method::GET, "/api/users?q=REPORTER_A", Some(&token), None)
            .await;
        assert_eq!(names(&found), vec!["reporter_a1".to_string()], "{e}");
        let (_, disabled) = app
            .api(Method::GET, "/api/users?active=false", Some(&token), None)
            .await;
        assert_eq!(names(&disabled), Vec::<String>::new(), "{e}");
        // The page keeps the filters in its chips.
        let admin = app.login_cookie("admin_a1").await;
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/admin/users?role=unit_reporter&unit_id={}", w.vhxh_a1.id),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(select_texts(&html, "a.chip").len(), 2, "{e}");
        assert_eq!(select_texts(&html, "table.users tbody tr").len(), 1, "{e}");
        app.finish().await;
    }
}

/// The enrolment code in a message as the SMTP sink received it, whatever
/// transfer encoding the mailer chose.
pub(crate) fn code_in_mail(data: &str) -> Option<String> {
    use base64::Engine as _;
    let find = |text: &str| {
        let at = text.find("/enrol/")? + "/enrol/".len();
        let code: String = text[at..].chars().take(19).collect();
        (code.len() == 19).then_some(code)
    };
    let unwrapped = data.replace("=\n", "");
    if let Some(code) = find(&unwrapped) {
        return Some(code);
    }
    let body = data.split("\n\n").nth(1)?.replace('\n', "");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()?;
    find(&String::from_utf8_lossy(&bytes))
}

#[tokio::test]
async fn with_mail_set_up_the_code_is_emailed_and_not_shown() {
    for mut app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (port, sink) = crate::notifications::smtp_sink().await;
        let config = theodoi::config::Config {
            mail: Some(theodoi::notify::MailConfig {
                smtp_url: format!("smtp://127.0.0.1:{port}"),
                from: "Theo Dõi <theodoi@localhost>".into(),
            }),
            public_url: Some("https://theodoi.anbinh.test/".into()),
            ..theodoi::config::Config::default()
        }
        .with_data_key(Some(theodoi::auth::sealed::DataKey::demo()));
        app.router = theodoi::web::app(theodoi::web::AppState::new(app.store.clone(), config));
        let token = app.login_token("admin_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                "/api/users",
                Some(&token),
                Some(json!({"username": "thu.nguyen", "full_name": "Nguyễn Thu",
                    "unit_id": w.vhxh_a1.id, "role": "unit_reporter",
                    "email": "thu@anphu.test"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        assert_eq!(body["emailed_to"], json!("thu@anphu.test"), "{e}");
        assert_eq!(body["code"], Value::Null, "{e}: not shown when e-mailed");
        let mails = sink.lock().expect("sink").clone();
        assert_eq!(mails.len(), 1, "{e}");
        assert!(
            mails[0].0.iter().any(|r| r.contains("thu@anphu.test")),
            "{e}"
        );
        let code = code_in_mail(&mails[0].1).expect("a link with the code");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/enrol",
                None,
                Some(json!({"code": code, "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["username"], json!("thu.nguyen"), "{e}");
        // Without an address the code is shown, mail or not.
        let (s, body) = app
            .api(
                Method::POST,
                "/api/users",
                Some(&token),
                Some(json!({"username": "khong.thu", "full_name": "Không Thư",
                    "unit_id": w.vhxh_a1.id, "role": "viewer"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        assert!(body["code"].is_string(), "{e}: {body}");
        assert_eq!(sink.lock().expect("sink").len(), 1, "{e}");
        app.finish().await;
    }
}
