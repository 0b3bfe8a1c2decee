//! Test harness: a fresh database per test (a temp SQLite file, or a
//! PostgreSQL schema of its own), ids offset per table so mixed-up ids
//! fail, a fixed clock, and a small world of units, users and plans.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use theodoi::clock::{Clock, FixedClock};
use theodoi::config::Config;
use theodoi::domain::access::Role;
use theodoi::domain::deadline::Deadline;
use theodoi::domain::goal::Goal;
use theodoi::domain::plan::{PlanDraft, ReportingRegime};
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::{TaskDraft, UnitMention};
use theodoi::domain::unit::{Side, Unit, UnitDraft, UnitKind};
use theodoi::store::{Actor, ConnectOptions, NewUser, Store};
use theodoi::web::{AppState, app};

pub const PASSWORD: &str = "mat khau thu nghiem dai";
/// 2026-03-10 09:00 in Vietnam.
pub const START_MS: i64 = 1_773_108_000_000;

pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| theodoi::auth::password::hash(PASSWORD).expect("hash"))
}

pub fn pg_url() -> String {
    std::env::var("THEODOI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// The host and port of a `postgres://user@host:port/db` URL.
fn pg_address(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host_port = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    let host_port = host_port.split(['/', '?']).next().unwrap_or("");
    if host_port
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host_port.to_string()
    } else {
        format!("{host_port}:5432")
    }
}

/// PostgreSQL (at `THEODOI_TEST_PG_URL`) is used when it answers; under
/// CI=true it must.
fn pg_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        use std::net::ToSocketAddrs;
        let address = pg_address(&pg_url());
        let ok = address
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
        if !ok && std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but PostgreSQL is not reachable at {address} (THEODOI_TEST_PG_URL)");
        }
        if !ok {
            eprintln!(
                "PostgreSQL not reachable at {address}: running the PostgreSQL half of this test is skipped"
            );
        }
        ok
    })
}

#[test]
fn the_postgres_address_is_read_from_the_url() {
    assert_eq!(
        pg_address("postgres://postgres@127.0.0.1:5432/test"),
        "127.0.0.1:5432"
    );
    assert_eq!(
        pg_address("postgres://u:p@db.example/theodoi"),
        "db.example:5432"
    );
    assert_eq!(
        pg_address("postgres://u@[::1]:6543/x?sslmode=disable"),
        "[::1]:6543"
    );
}

pub struct TestApp {
    pub engine: &'static str,
    pub store: Store,
    pub router: Router,
    pub clock: Arc<FixedClock>,
    pg_schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
    /// TOTP secrets of users enrolled during the test, as their phones
    /// would keep them.
    totp: std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>,
}

impl TestApp {
    /// The SQLite database file, for tests that read its raw bytes.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("test.db"))
    }

    /// One app per engine available.
    pub async fn all() -> Vec<TestApp> {
        let mut apps = vec![TestApp::sqlite().await];
        if pg_available() {
            apps.push(TestApp::postgres().await);
        }
        apps
    }

    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("test.db");
        let clock = FixedClock::at(START_MS);
        let store = Store::open(path.to_str().expect("path"), clock.clone())
            .await
            .expect("open sqlite");
        store.offset_ids_for_tests().await.expect("offset ids");
        TestApp::with(store, clock, "sqlite", None, Some(dir))
    }

    pub async fn postgres() -> TestApp {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let schema = format!("t_{}_{}_{}", std::process::id(), n, START_MS % 1000);
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&pg_url())
            .await
            .expect("connect postgres");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&admin)
        .await
        .expect("drop schema");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("create schema");
        admin.close().await;
        let clock = FixedClock::at(START_MS);
        let store = Store::open_with(
            &pg_url(),
            clock.clone(),
            ConnectOptions {
                pg_schema: Some(schema.clone()),
                max_connections: Some(4),
            },
        )
        .await
        .expect("open postgres");
        store.offset_ids_for_tests().await.expect("offset ids");
        TestApp::with(store, clock, "postgres", Some(schema), None)
    }

    fn with(
        store: Store,
        clock: Arc<FixedClock>,
        engine: &'static str,
        pg_schema: Option<String>,
        dir: Option<tempfile::TempDir>,
    ) -> TestApp {
        let state = AppState::new(
            store.clone(),
            Config::default().with_data_key(Some(theodoi::auth::sealed::DataKey::demo())),
        );
        TestApp {
            engine,
            router: app(state),
            store,
            clock,
            pg_schema,
            _dir: dir,
            totp: Default::default(),
        }
    }

    /// The secret a user enrolled with in this test.
    pub fn totp_secret(&self, username: &str) -> Option<Vec<u8>> {
        self.totp.lock().expect("lock").get(username).cloned()
    }

    pub fn remember_totp(&self, username: &str, secret: Vec<u8>) {
        self.totp
            .lock()
            .expect("lock")
            .insert(username.to_string(), secret);
    }

    /// The code the user's app shows now; the clock moves on to the next
    /// 30-second step when this one was already used (a code is accepted
    /// once).
    pub async fn totp_code(&self, username: &str) -> String {
        let secret = self
            .totp_secret(username)
            .unwrap_or_else(|| panic!("{}: no TOTP secret for {username}", self.engine));
        let user = self
            .store
            .user_by_username(username)
            .await
            .expect("user")
            .expect("user exists");
        let step = theodoi::auth::totp::step_at(self.clock.now_ms());
        if let Some(last) = user.totp_last_step
            && last >= step
        {
            self.clock
                .advance_ms((last - step + 1) * theodoi::auth::totp::STEP_MS);
        }
        theodoi::auth::totp::code_at(&secret, self.clock.now_ms())
    }

    /// The same database served with another data key, as after
    /// `theodoi rekey` and a restart with the new key.
    pub async fn send_with_key(
        &self,
        key: theodoi::auth::sealed::DataKey,
        req: Request<Body>,
    ) -> (StatusCode, Bytes) {
        let state = AppState::new(
            self.store.clone(),
            Config::default().with_data_key(Some(key)),
        );
        let res = app(state).oneshot(req).await.expect("response");
        let status = res.status();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        (status, body)
    }

    /// A second store on the same database, as after a restart.
    pub async fn reopen(&self) -> Store {
        match (&self.pg_schema, &self._dir) {
            (Some(schema), _) => Store::open_with(
                &pg_url(),
                self.clock.clone(),
                ConnectOptions {
                    pg_schema: Some(schema.clone()),
                    max_connections: Some(2),
                },
            )
            .await
            .expect("reopen postgres"),
            (None, Some(dir)) => Store::open(
                dir.path().join("test.db").to_str().expect("path"),
                self.clock.clone(),
            )
            .await
            .expect("reopen sqlite"),
            (None, None) => panic!("no database to reopen"),
        }
    }

    /// Drops the PostgreSQL schema of this test.
    pub async fn finish(self) {
        self.store.close().await;
        let Some(schema) = self.pg_schema else {
            return;
        };
        if let Ok(pool) = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&pg_url())
            .await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&pool)
            .await;
            pool.close().await;
        }
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, body)
    }

    /// A JSON API call with an optional bearer token.
    pub async fn api(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let (status, _, bytes) = self.send(req).await;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{} {uri}: not JSON: {}",
                    self.engine,
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        (status, value)
    }

    /// The id of a World account, to name it as a task's responsible person.
    pub async fn user_id(&self, username: &str) -> i64 {
        self.store
            .user_by_username(username)
            .await
            .expect("read")
            .expect("account")
            .id
    }

    pub async fn login_token(&self, username: &str) -> String {
        self.login_body(username).await["token"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// Signs in over the API, with the second step when there is one;
    /// returns the final answer (token, csrf_token, user).
    pub async fn login_body(&self, username: &str) -> Value {
        let (status, body) = self
            .api(
                Method::POST,
                "/api/login",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{}: login {username}: {body}",
            self.engine
        );
        if body["totp_required"] != Value::Bool(true) {
            return body;
        }
        // Administrators: enrol at the first login, a code after.
        if let Some(secret) = body["secret"].as_str() {
            let bytes = theodoi::auth::totp::base32_decode(secret).expect("base32 secret");
            self.remember_totp(username, bytes);
        }
        let code = self.totp_code(username).await;
        let (status, body) = self
            .api(
                Method::POST,
                "/api/login/totp",
                None,
                Some(serde_json::json!({"challenge": body["challenge"], "code": code})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{}: second step {username}: {body}",
            self.engine
        );
        body
    }

    /// Signs in through the login form; returns the session cookie.
    pub async fn login_cookie(&self, username: &str) -> String {
        let (_, headers, _) = self.page(Method::GET, "/login", None, None).await;
        let login_csrf = set_cookie(&headers, "theodoi_login_csrf").expect("login csrf cookie");
        let body = format!(
            "username={username}&password={}&_csrf={login_csrf}&next=%2F",
            PASSWORD.replace(' ', "+")
        );
        let (status, headers, _) = self
            .page(
                Method::POST,
                "/login",
                Some(&format!("theodoi_login_csrf={login_csrf}")),
                Some(body),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{}: form login {username}",
            self.engine
        );
        let headers = match set_cookie(&headers, "theodoi_login_challenge")
            .filter(|c| !c.is_empty())
        {
            None => headers,
            Some(challenge) => {
                // The second step: a code (or enrolment, for an
                // administrator without an authenticator yet).
                let cookies =
                    format!("theodoi_login_csrf={login_csrf}; theodoi_login_challenge={challenge}");
                let (s, _, html) = self
                    .page(Method::GET, "/login/totp", Some(&cookies), None)
                    .await;
                assert_eq!(s, StatusCode::OK, "{}: second step page", self.engine);
                if let Some(secret) = select_texts(&html, "code.secret").first() {
                    let bytes = theodoi::auth::totp::base32_decode(secret).expect("base32 secret");
                    self.remember_totp(username, bytes);
                }
                let code = self.totp_code(username).await;
                let (s, headers, html) = self
                    .page(
                        Method::POST,
                        "/login/totp",
                        Some(&cookies),
                        Some(format!("code={code}&_csrf={login_csrf}&next=%2F")),
                    )
                    .await;
                assert_eq!(s, StatusCode::SEE_OTHER, "{}: code: {html}", self.engine);
                headers
            }
        };
        let session = set_cookie(&headers, "theodoi_session").expect("session cookie");
        format!("theodoi_session={session}")
    }

    pub async fn page(
        &self,
        method: Method,
        uri: &str,
        cookie: Option<&str>,
        form: Option<String>,
    ) -> (StatusCode, HeaderMap, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let req = match form {
            Some(f) => req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(f)),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let (status, headers, bytes) = self.send(req).await;
        (status, headers, String::from_utf8_lossy(&bytes).to_string())
    }
}

pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Reads the hidden CSRF field of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=_csrf]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("csrf field")
        .to_string()
}

pub fn select_texts(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Posts the form found on `page` as a signed-in person would: the page is
/// read first for its CSRF token, which goes with the fields.
pub async fn post_form(
    app: &TestApp,
    cookie: &str,
    page: &str,
    action: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String) {
    let (s, _, html) = app.page(Method::GET, page, Some(cookie), None).await;
    assert_eq!(s, StatusCode::OK, "{}: GET {page}", app.engine);
    let mut pairs = vec![("_csrf".to_string(), csrf_of(&html))];
    pairs.extend(fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let body = serde_urlencoded::to_string(&pairs).expect("encode");
    let (s, _, html) = app
        .page(Method::POST, action, Some(cookie), Some(body))
        .await;
    (s, html)
}

/// A `multipart/form-data` body as a browser sends a form with files: the
/// fields, then each file under the name `file`. Returns the content type
/// (with its boundary) and the body.
pub fn multipart(fields: &[(&str, String)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----theodoi-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a form with files. A page form's CSRF token goes in `uri`'s query:
/// on uploads the server looks for it there, not in the multipart body.
pub async fn post_multipart(
    app: &TestApp,
    uri: &str,
    cookie: &str,
    fields: &[(&str, String)],
    files: &[(&str, &[u8])],
) -> (StatusCode, String) {
    let (ctype, body) = multipart(fields, files);
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .expect("request");
    let (s, _, bytes) = app.send(req).await;
    (s, String::from_utf8_lossy(&bytes).to_string())
}

/// Two provinces; province A has communes A1 and A2, province B has B1.
pub struct World {
    pub nation: Unit,
    pub province_a: Unit,
    pub commune_a1: Unit,
    pub vhxh_a1: Unit,
    pub police_a1: Unit,
    pub commune_a2: Unit,
    pub vhxh_a2: Unit,
    pub province_b: Unit,
    pub commune_b1: Unit,
    pub plan_a1: i64,
    pub task_a1: i64,
    pub task_a1_police: i64,
    pub target_a1: i64,
    pub plan_a2: i64,
    pub task_a2: i64,
    pub plan_b1: i64,
}

async fn unit(
    store: &Store,
    parent: Option<&Unit>,
    kind: UnitKind,
    name: &str,
    aliases: &[&str],
) -> Unit {
    let draft = UnitDraft {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        side: Side::Government,
    }
    .validate(parent.map(|p| p.kind))
    .expect("valid unit");
    store
        .create_unit(draft, &Actor::system())
        .await
        .expect("create unit")
}

pub async fn user(store: &Store, username: &str, unit: &Unit, role: Role) {
    store
        .create_user(
            NewUser {
                unit_id: unit.id,
                username: username.into(),
                full_name: format!("Người dùng {username}"),
                password_hash: password_hash().to_string(),
                roles: vec![role],
            },
            &Actor::system(),
        )
        .await
        .expect("create user");
}

async fn plan(store: &Store, issuer: &Unit, title: &str) -> i64 {
    let draft = PlanDraft {
        issuer_unit_id: issuer.id,
        number: Some(format!("{}/KH-UBND", issuer.id % 100)),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 20),
        place: Some(issuer.name.clone()),
        title: title.into(),
        basis: vec![],
        implements: vec![],
        regime: ReportingRegime::default(),
    }
    .validate()
    .expect("valid plan");
    store
        .create_plan(draft, &Actor::system())
        .await
        .expect("create plan")
        .id
}

/// A live task of a plan, with all of the "6 rõ" when its lead unit has an
/// account: the first of them answers for it.
pub async fn task(store: &Store, plan_id: i64, title: &str, lead: &Unit, deadline: &str) -> i64 {
    let responsible = store
        .users(&lead.path, theodoi::store::Page::new(Some(1), Some(100)))
        .await
        .expect("accounts")
        .items
        .into_iter()
        .find(|u| u.unit_id == lead.id && u.active)
        .map(|u| u.id);
    let draft = TaskDraft {
        reference: Some("1".into()),
        group_path: vec!["I. Hạ tầng số".into()],
        title: title.into(),
        lead: vec![UnitMention::resolved(lead.name.clone(), lead.id)],
        support: vec![],
        responsible_user_id: responsible,
        product: Some("Báo cáo".into()),
        deadline: Deadline::parse(deadline),
        funding: None,
        legal_basis: None,
        parent_task_id: None,
        draft: false,
        confidential: false,
    }
    .validate()
    .expect("valid task");
    store
        .create_task(plan_id, draft, &Actor::system())
        .await
        .expect("create task")
        .id
}

impl World {
    pub async fn build(store: &Store) -> World {
        let nation = unit(store, None, UnitKind::Nation, "Việt Nam", &[]).await;
        let province_a = unit(
            store,
            Some(&nation),
            UnitKind::Province,
            "Tỉnh An Bình",
            &[],
        )
        .await;
        let commune_a1 = unit(
            store,
            Some(&province_a),
            UnitKind::Commune,
            "Xã An Phú",
            &[],
        )
        .await;
        let vhxh_a1 = unit(
            store,
            Some(&commune_a1),
            UnitKind::Department,
            "Phòng Văn hóa - Xã hội",
            &["Phòng VHXH"],
        )
        .await;
        let police_a1 = unit(
            store,
            Some(&commune_a1),
            UnitKind::PolicePost,
            "Công an xã",
            &[],
        )
        .await;
        let commune_a2 = unit(
            store,
            Some(&province_a),
            UnitKind::Commune,
            "Xã An Hòa",
            &[],
        )
        .await;
        let vhxh_a2 = unit(
            store,
            Some(&commune_a2),
            UnitKind::Department,
            "Phòng Văn hóa - Xã hội",
            &[],
        )
        .await;
        let province_b = unit(
            store,
            Some(&nation),
            UnitKind::Province,
            "Tỉnh Bắc Sơn",
            &[],
        )
        .await;
        let commune_b1 = unit(
            store,
            Some(&province_b),
            UnitKind::Commune,
            "Xã Bình Minh",
            &[],
        )
        .await;

        user(store, "admin", &nation, Role::Administrator).await;
        user(store, "leader_a", &province_a, Role::Leader).await;
        user(store, "focal_a1", &commune_a1, Role::FocalPoint).await;
        user(store, "leader_a1", &commune_a1, Role::Leader).await;
        user(store, "viewer_a1", &commune_a1, Role::Viewer).await;
        user(store, "inspector_a1", &commune_a1, Role::Inspector).await;
        user(store, "reporter_a1", &vhxh_a1, Role::UnitReporter).await;
        user(store, "police_a1", &police_a1, Role::UnitReporter).await;
        user(store, "focal_a2", &commune_a2, Role::FocalPoint).await;
        user(store, "reporter_a2", &vhxh_a2, Role::UnitReporter).await;
        user(store, "focal_b1", &commune_b1, Role::FocalPoint).await;
        user(store, "admin_a1", &commune_a1, Role::Administrator).await;

        let plan_a1 = plan(
            store,
            &commune_a1,
            "Kế hoạch chuyển đổi số xã An Phú năm 2026",
        )
        .await;
        let task_a1 = task(
            store,
            plan_a1,
            "Xây dựng kế hoạch chuyển đổi số",
            &vhxh_a1,
            "Tháng 7/2026",
        )
        .await;
        let task_a1_police = task(
            store,
            plan_a1,
            "Định danh điện tử cho người dân",
            &police_a1,
            "Thường xuyên",
        )
        .await;
        let target_a1 = {
            let draft = TargetDraft {
                reference: Some("1".into()),
                group_path: vec!["A. Hạ tầng".into()],
                name: "Tỷ lệ phủ sóng 5G".into(),
                measure_unit: Some("% dân số".into()),
                lead: vec![UnitMention::resolved(vhxh_a1.name.clone(), vhxh_a1.id)],
                goals: vec![Goal::parse("≥ 90", Some(2026)).expect("goal")],
                note: None,
                direction: None,
            }
            .validate()
            .expect("valid target");
            store
                .create_target(plan_a1, draft, &Actor::system())
                .await
                .expect("create target")
                .id
        };
        let plan_a2 = plan(store, &commune_a2, "Kế hoạch xã An Hòa").await;
        let task_a2 = task(
            store,
            plan_a2,
            "Nhiệm vụ của xã An Hòa",
            &vhxh_a2,
            "Năm 2026",
        )
        .await;
        let plan_b1 = plan(store, &commune_b1, "Kế hoạch xã Bình Minh").await;
        World {
            nation,
            province_a,
            commune_a1,
            vhxh_a1,
            police_a1,
            commune_a2,
            vhxh_a2,
            province_b,
            commune_b1,
            plan_a1,
            task_a1,
            task_a1_police,
            target_a1,
            plan_a2,
            task_a2,
            plan_b1,
        }
    }
}

impl TestApp {
    /// A raw connection pool on this test's database, for checks that look
    /// at every table (the authorization matrix's fingerprint).
    pub async fn raw_pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        match (&self.pg_schema, &self._dir) {
            (Some(schema), _) => {
                let schema = schema.clone();
                sqlx::any::AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(move |conn, _| {
                        let sql = format!("SET search_path TO {schema}");
                        Box::pin(async move {
                            sqlx::Executor::execute(conn, sqlx::AssertSqlSafe(sql)).await?;
                            Ok(())
                        })
                    })
                    .connect(&pg_url())
                    .await
                    .expect("raw postgres pool")
            }
            (None, Some(dir)) => sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .connect(&format!(
                    "sqlite://{}?mode=rw",
                    dir.path().join("test.db").display()
                ))
                .await
                .expect("raw sqlite pool"),
            (None, None) => panic!("no database"),
        }
    }
}

impl World {
    /// The same roles as in commune A1, in commune A2 and in commune B1 of
    /// the other province, for the authorization matrix: adds a viewer, a
    /// leader and an administrator to A2 and B1, and a working unit with a
    /// reporter to B1 (A2 has `reporter_a2`).
    pub async fn add_peers(&self, store: &Store) {
        let vhxh_b1 = unit(
            store,
            Some(&self.commune_b1),
            UnitKind::Department,
            "Phòng Văn hóa - Xã hội",
            &[],
        )
        .await;
        user(store, "viewer_a2", &self.commune_a2, Role::Viewer).await;
        user(store, "leader_a2", &self.commune_a2, Role::Leader).await;
        user(store, "admin_a2", &self.commune_a2, Role::Administrator).await;
        user(store, "viewer_b1", &self.commune_b1, Role::Viewer).await;
        user(store, "leader_b1", &self.commune_b1, Role::Leader).await;
        user(store, "admin_b1", &self.commune_b1, Role::Administrator).await;
        user(store, "reporter_b1", &vhxh_b1, Role::UnitReporter).await;
    }
}

impl TestApp {
    /// The PostgreSQL schema of this test, if it runs on PostgreSQL.
    pub fn pg_schema(&self) -> Option<&str> {
        self.pg_schema.as_deref()
    }
}

/// Where the hardening tests leave their figures; scripts/test prints it
/// (libtest hides the output of tests that pass).
pub const FIGURES: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/hardening-figures.txt");

/// Prints a figure line and keeps it for scripts/test.
pub fn figure(line: &str) {
    use std::io::Write;
    eprintln!("{line}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(FIGURES)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// The editable report of the token's unit that holds `task_id`, with its
/// items as the API gives them.
pub async fn report_holding(app: &TestApp, token: &str, task_id: i64) -> (i64, Value) {
    let (_, mine) = app
        .api(Method::GET, "/api/reports?editable=true", Some(token), None)
        .await;
    for entry in mine.as_array().cloned().unwrap_or_default() {
        let id = entry["report"]["id"].as_i64().expect("id");
        let (_, report) = app
            .api(
                Method::GET,
                &format!("/api/reports/{id}"),
                Some(token),
                None,
            )
            .await;
        if report["tasks"]
            .as_array()
            .is_some_and(|t| t.iter().any(|i| i["task_id"] == json!(task_id)))
        {
            return (id, report);
        }
    }
    panic!("no report holds task {task_id}");
}
