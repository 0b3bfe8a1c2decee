//! The authorization matrix: every route of the router (read from
//! `theodoi::web::route_table()`, the same registrations as `app()`), sent by
//! every role — anonymous, viewer, unit reporter, focal point, leader,
//! administrator, in commune A1, in commune A2 of the same province and in
//! commune B1 of another province, plus the province leader and the national
//! administrator — against objects of commune A1. Each answer must be
//! "allowed" (anything but 401/403/404, never 5xx) or "forbidden" (401, 403,
//! 404, or a redirect to the login page for an anonymous visitor) as the
//! table in `authz_matrix/expectations.rs` says, and a forbidden write must
//! change nothing.
//!
//! A new route without an entry in `EXPECTATIONS` fails the test with its
//! name. Each role gets a fresh world, so what one role is allowed to change
//! cannot hide what another may do.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine as _;
use serde_json::{Value, json};
use sqlx::Row;
use theodoi::store::{NewEscalation, ReminderRun};

use crate::feedback::{PNG, solve};
use crate::harness::{TestApp, World};

mod expectations;

use expectations::{EXPECTATIONS, PRINCIPALS};

/// Page forms sent as multipart (files); their CSRF token goes in the query.
const MULTIPART: &[&str] = &[
    "/plans/import",
    "/reports/{id}/evidence",
    "/rounds/{id}/sheet",
    "/gop-y",
    "/initiatives",
    "/initiatives/{id}/files",
];

/// Objects of commune A1 that path parameters point at.
struct Fixture {
    /// An account of commune A1 (reporter_a1), for the account routes.
    user: i64,
    commune: i64,
    commune_a2: i64,
    unit: i64,
    plan: i64,
    task: i64,
    target: i64,
    round: i64,
    report: i64,
    evidence: i64,
    feedback: i64,
    feedback_file: i64,
    tracking_code: String,
    initiative: i64,
    initiative_file: i64,
    escalation: i64,
    /// A request of Phòng VHXH to extend `task_a1`, waiting.
    extension: i64,
    token: String,
}

impl Fixture {
    /// The route with its parameters filled in (and the query a route
    /// needs); a parameter this test does not know fails it.
    fn uri(&self, path: &str) -> String {
        let id = if path.starts_with("/api/external/") {
            -1
        } else if path.starts_with("/units/") || path.starts_with("/api/units/") {
            self.unit
        } else if path.starts_with("/dashboard/")
            || path.starts_with("/api/dashboard/")
            || path.starts_with("/cong-khai/")
        {
            self.commune
        } else if path.starts_with("/plans/import/") {
            0
        } else if path.starts_with("/plans/") || path.starts_with("/api/plans/") {
            self.plan
        } else if path.starts_with("/tasks/") || path.starts_with("/api/tasks/") {
            self.task
        } else if path.starts_with("/targets/") || path.starts_with("/api/targets/") {
            self.target
        } else if path.starts_with("/reports/") || path.starts_with("/api/reports/") {
            self.report
        } else if path.starts_with("/evidence/") {
            self.evidence
        } else if path.starts_with("/rounds/") || path.starts_with("/api/rounds/") {
            self.round
        } else if path.starts_with("/feedback/files/") {
            self.feedback_file
        } else if path.starts_with("/feedback/") || path.starts_with("/api/feedback/") {
            self.feedback
        } else if path.starts_with("/initiatives/") || path.starts_with("/api/initiatives/") {
            self.initiative
        } else if path.starts_with("/initiative-files/") {
            self.initiative_file
        } else if path.starts_with("/admin/users/") || path.starts_with("/api/users/") {
            self.user
        } else if path.starts_with("/escalations/") || path.starts_with("/api/escalations/") {
            self.escalation
        } else if path.starts_with("/extensions/") || path.starts_with("/api/extensions/") {
            self.extension
        } else {
            -1
        };
        let mut uri = path.to_string();
        if path == "/api/external/{kind}/{source}/{id}" {
            // task_a1, by the external id the fixture gave it.
            uri = "/api/external/task/matrix/T-1".to_string();
        }
        if uri.contains("{id}") {
            assert!(id > 0, "{path}: no object of commune A1 for its {{id}}");
            uri = uri.replace("{id}", &id.to_string());
        }
        if uri.contains("{token}") {
            uri = uri.replace("{token}", &self.token);
        }
        if uri.contains("{code}") {
            // An enrolment code no account has.
            uri = uri.replace("{code}", "AAAA-BBBB-CCCC-DDDD");
        }
        if uri.contains("{kind}") {
            uri = uri.replace("{kind}", "year");
        }
        assert!(
            !uri.contains('{'),
            "{path}: a path parameter this test does not fill"
        );
        if path == "/api/rounds" {
            uri.push_str(&format!("?plan_id={}", self.plan));
        }
        if path == "/plans/{id}/reviews" {
            uri.push_str("?kind=year&year=2026&format=docx");
        }
        if path == "/api/plans/{id}/reviews/{kind}" {
            uri.push_str("?year=2026&format=xlsx");
        }
        if path == "/api/directions" {
            uri.push_str(&format!("?task_id={}", self.task));
        }
        uri
    }

    fn form(&self, path: &str) -> Vec<(&'static str, String)> {
        let s = |v: &str| v.to_string();
        match path {
            "/login" => vec![
                ("username", s("nobody")),
                ("password", s("sai mat khau dai")),
            ],
            "/admin/users" => vec![
                ("username", s("can.bo.moi")),
                ("full_name", s("Cán bộ mới")),
                ("unit_id", self.unit.to_string()),
                ("role", s("viewer")),
            ],
            // A stale version: an allowed edit is refused as a conflict.
            "/admin/users/{id}" => vec![("full_name", s("Đổi tên")), ("version", s("999"))],
            // The unit and roles reporter_a1 already has.
            "/admin/users/{id}/unit" => vec![("unit_id", self.unit.to_string())],
            "/admin/users/{id}/roles" => vec![("role", s("unit_reporter"))],
            "/password/forgot" => vec![("login", s("khong.co.ai"))],
            "/enrol" => vec![
                ("code", s("AAAA-BBBB-CCCC-DDDD")),
                ("password", s("mot cum tu rat dai de nho 2026")),
                ("confirm_password", s("mot cum tu rat dai de nho 2026")),
            ],
            "/plans" => vec![
                ("issuer_unit_id", self.commune.to_string()),
                ("title", s("Kế hoạch mới")),
                ("periods", s("monthly")),
            ],
            "/plans/{id}" => vec![
                ("issuer_unit_id", self.commune.to_string()),
                ("title", s("Đổi tên")),
                ("version", s("999")),
            ],
            "/plans/{id}/tasks" => vec![("title", s("Nhiệm vụ mới")), ("deadline", s("Năm 2026"))],
            "/plans/{id}/targets" => vec![("name", s("Chỉ tiêu mới"))],
            "/tasks/{id}" | "/targets/{id}" => vec![
                ("title", s("Đổi tên")),
                ("name", s("Đổi tên")),
                ("version", s("999")),
            ],
            "/tasks/{id}/deadline" => vec![("deadline", s("Tháng 12/2026")), ("reason", s("Lùi"))],
            "/tasks/{id}/not-applicable" => vec![("reason", s("Không áp dụng"))],
            "/tasks/{id}/directions" => vec![("body", s("Hoàn thành trước 30/6"))],
            "/tasks/{id}/extensions" => vec![
                ("deadline", s("Tháng 9/2026")),
                ("reason", s("Chờ kinh phí")),
            ],
            "/extensions/{id}/decision" => vec![("decision", s("approve")), ("version", s("999"))],
            "/escalations/{id}/explanation" => {
                vec![("explanation", s("Chờ kinh phí")), ("version", s("999"))]
            }
            "/admin/calendar" => vec![("date", s("2026-04-30")), ("kind", s("holiday"))],
            "/reports/{id}" => vec![("difficulties", s("Thiếu người"))],
            "/reports/{id}/review" => vec![("decision", s("return")), ("comment", s("Bổ sung"))],
            "/kept-forms/discard" => vec![("path", format!("/reports/{}", self.report))],
            "/plans/{id}/rounds" => {
                vec![("title", s("Báo cáo đột xuất")), ("due", s("2026-04-30"))]
            }
            "/targets/{id}/source" => vec![("source", s(""))],
            "/gop-y/theo-doi" | "/gop-y/xoa-thong-tin" => {
                vec![("code", self.tracking_code.clone())]
            }
            "/gop-y/danh-gia" => vec![
                ("code", self.tracking_code.clone()),
                ("satisfied", s("yes")),
            ],
            "/feedback/{id}/route" => vec![
                ("commune_id", self.commune_a2.to_string()),
                ("version", s("999")),
            ],
            "/feedback/{id}/assign" => {
                vec![("unit_id", self.unit.to_string()), ("version", s("999"))]
            }
            "/feedback/{id}/answer" => vec![("answer", s("Đã xử lý")), ("version", s("999"))],
            "/initiatives/{id}/score" => vec![
                ("novelty", s("20")),
                ("applicability", s("20")),
                ("effectiveness", s("20")),
                ("scalability", s("5")),
            ],
            "/initiatives/{id}/decision" => vec![
                ("recognised", s("1")),
                ("number", s("1/QĐ-UBND")),
                ("date", s("2026-03-10")),
                ("version", s("999")),
            ],
            _ => vec![],
        }
    }

    fn multipart_fields(&self, path: &str) -> Vec<(&'static str, String)> {
        let s = |v: &str| v.to_string();
        match path {
            "/plans/import" => vec![("issuer_unit_id", self.commune.to_string())],
            "/reports/{id}/evidence" => vec![("task_id", self.task.to_string())],
            "/gop-y" => vec![
                ("commune_id", self.commune.to_string()),
                ("topic", s("other")),
                ("content", s("Một phản ánh đủ dài để gửi")),
                ("notice", s("yes")),
                ("challenge_token", s("sai")),
                ("challenge_answer", s("1")),
            ],
            "/initiatives" => vec![
                ("unit_id", self.unit.to_string()),
                ("title", s("Sáng kiến mới")),
                ("authors", s("Trần Văn Bình")),
                ("problem", s("Vấn đề")),
                ("solution", s("Giải pháp")),
                ("benefit", s("Lợi ích")),
            ],
            _ => vec![],
        }
    }

    fn json(&self, method: &str, path: &str) -> Option<Value> {
        Some(match (method, path) {
            ("POST", "/api/login") => json!({"username": "nobody", "password": "sai mat khau dai"}),
            // The roles reporter_a1 already has: allowed calls change nothing.
            ("PUT", "/api/users/{id}/roles") => json!({"roles": ["unit_reporter"]}),
            ("POST", "/api/users") => json!({"username": "can.bo.moi", "full_name": "Cán bộ mới",
                "unit_id": self.unit, "role": "viewer"}),
            ("PUT", "/api/users/{id}") => json!({"full_name": "Đổi tên", "version": 999}),
            ("POST", "/api/password/forgot") => json!({"login": "khong.co.ai"}),
            ("POST", "/api/enrol") => json!({"code": "AAAA-BBBB-CCCC-DDDD",
                "password": "mot cum tu rat dai de nho 2026"}),
            ("POST", "/api/units") => json!({"parent_id": self.commune, "kind": "village",
                "name": "Thôn Mới", "side": "government"}),
            ("PUT", "/api/units/{id}") => json!({"parent_id": self.commune, "kind": "department",
                "name": "Phòng Văn hóa", "side": "government", "version": 999}),
            ("POST", "/api/units/{id}/merge") => {
                json!({"sources": [], "effective_on": "2026-03-01"})
            }
            ("POST", "/api/units/{id}/split") => json!({"effective_on": "2026-03-01",
                "into": [{"name": "Phòng Văn hóa"}, {"name": "Phòng Xã hội"}]}),
            // Under the parent it has: refused as no move (422) once allowed.
            ("POST", "/api/units/{id}/move") => {
                json!({"parent_id": self.commune, "effective_on": "2026-03-01"})
            }
            ("POST", "/api/units/{id}/dissolve") => json!({"effective_on": "2026-03-01"}),
            ("POST", "/api/units/{id}/rename") => {
                json!({"name": "Phòng Mới", "effective_on": "2026-03-10", "version": 999})
            }
            ("POST", "/api/plans") => {
                json!({"issuer_unit_id": self.commune, "title": "Kế hoạch mới"})
            }
            ("PUT", "/api/plans/{id}") => {
                json!({"issuer_unit_id": self.commune, "title": "Đổi tên", "version": 999})
            }
            ("POST", "/api/tasks") => json!({"plan_id": self.plan, "title": "Nhiệm vụ mới"}),
            ("PUT", "/api/tasks/{id}") => json!({"title": "Đổi tên", "version": 999}),
            ("POST", "/api/targets") => json!({"plan_id": self.plan, "name": "Chỉ tiêu mới"}),
            ("PUT", "/api/targets/{id}") => json!({"name": "Đổi tên", "version": 999}),
            ("POST", "/api/tasks/{id}/deadline") => {
                json!({"deadline": "Tháng 12/2026", "reason": "Lùi"})
            }
            ("POST", "/api/tasks/{id}/not-applicable") => json!({"reason": "Không áp dụng"}),
            ("POST", "/api/tasks/{id}/split") => json!({"plan_ids": []}),
            ("POST", "/api/directions") => json!({"subject": "task", "subject_id": self.task,
                "body": "Hoàn thành trước 30/6"}),
            ("POST", "/api/escalations/{id}/explanation") => {
                json!({"explanation": "Chờ kinh phí", "version": 999})
            }
            ("POST", "/api/tasks/{id}/extensions") => {
                json!({"deadline": "Tháng 9/2026", "reason": "Chờ kinh phí"})
            }
            ("POST", "/api/extensions/{id}/decision") => {
                json!({"decision": "approve", "version": 999})
            }
            ("POST", "/api/rounds") => {
                json!({"plan_id": self.plan, "title": "Báo cáo đột xuất", "due": "2026-04-30"})
            }
            ("POST", "/api/rounds/{id}/consolidate") => json!({}),
            ("POST", "/api/rounds/{id}/return") => json!({"reason": "Bổ sung số liệu"}),
            ("PUT", "/api/reports/{id}") => json!({"difficulties": "Thiếu người"}),
            ("POST", "/api/reports/{id}/review") => {
                json!({"decision": "return", "comment": "Bổ sung"})
            }
            ("POST", "/api/reports/{id}/evidence") => {
                json!({"task_id": self.task, "url": "https://example.vn/bien-ban"})
            }
            ("POST", "/api/public/feedback") => {
                json!({"commune_id": self.commune, "topic": "other",
                "content": "Một phản ánh đủ dài để gửi", "notice_acknowledged": true,
                "challenge_token": "sai", "challenge_answer": "1"})
            }
            ("POST", "/api/public/feedback/track") | ("POST", "/api/public/feedback/erase") => {
                json!({"tracking_code": self.tracking_code})
            }
            ("POST", "/api/public/feedback/rate") => {
                json!({"tracking_code": self.tracking_code, "satisfied": true})
            }
            ("POST", "/api/feedback/{id}/route") => {
                json!({"commune_id": self.commune_a2, "version": 999})
            }
            ("POST", "/api/feedback/{id}/assign") => json!({"unit_id": self.unit, "version": 999}),
            ("POST", "/api/feedback/{id}/answer") => json!({"answer": "Đã xử lý", "version": 999}),
            ("POST", "/api/initiatives") => json!({"unit_id": self.unit, "title": "Sáng kiến mới",
                "authors": ["Trần Văn Bình"], "problem": "Vấn đề", "solution": "Giải pháp",
                "benefit": "Lợi ích"}),
            ("POST", "/api/initiatives/{id}/reviewers") => json!({"user_ids": []}),
            ("POST", "/api/initiatives/{id}/score") => json!({"novelty": 20, "applicability": 20,
                "effectiveness": 20, "scalability": 5}),
            ("POST", "/api/initiatives/{id}/decision") => json!({"recognised": true,
                "number": "1/QĐ-UBND", "date": "2026-03-10", "version": 999}),
            ("PUT", "/api/targets/{id}/source") => json!({"source": null}),
            _ => return None,
        })
    }
}

fn multipart(fields: &[(&str, String)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let files: Vec<(&str, &[u8])> = file.into_iter().collect();
    crate::harness::multipart(fields, &files)
}

/// A session's credentials, or an anonymous visitor's double-submit token.
struct Creds {
    token: Option<String>,
    csrf: String,
}

fn build(fx: &Fixture, creds: &Creds, method: &Method, path: &str) -> Request<Body> {
    let uri = fx.uri(path);
    let is_api = path.starts_with("/api/");
    let mut req = Request::builder().method(method.clone());
    if is_api {
        if let Some(t) = &creds.token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = fx.json(method.as_str(), path);
        return match body {
            Some(v) => req
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => req.uri(uri).body(Body::empty()),
        }
        .expect("request");
    }
    let cookie = match &creds.token {
        Some(t) => format!("theodoi_session={t}"),
        None => format!("theodoi_login_csrf={}", creds.csrf),
    };
    req = req.header(header::COOKIE, cookie);
    if *method == Method::GET {
        return req.uri(uri).body(Body::empty()).expect("request");
    }
    if MULTIPART.contains(&path) {
        let file: Option<(&str, &[u8])> = match path {
            "/plans/import" => Some((
                "ke-hoach.txt",
                include_bytes!("../../src/demo/plans/tan_phong_ubnd.txt"),
            )),
            "/gop-y" => None,
            _ => Some(("anh.png", PNG)),
        };
        let (ctype, body) = multipart(&fx.multipart_fields(path), file);
        return req
            .uri(format!("{uri}?_csrf={}", creds.csrf))
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .expect("request");
    }
    let mut pairs = vec![("_csrf", creds.csrf.clone())];
    pairs.extend(fx.form(path));
    req.uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            serde_urlencoded::to_string(&pairs).expect("encode"),
        ))
        .expect("request")
}

/// 401, 403, 404, or the login page for a visitor without a session.
fn is_forbidden(status: StatusCode, headers: &HeaderMap, anonymous: bool) -> bool {
    let to_login = status.is_redirection()
        && headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"));
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || (anonymous && to_login)
}

/// Row counts of every table (and the sum of `version` where there is one),
/// and the audit trail's length, leaving out login bookkeeping.
struct Fingerprint {
    pool: sqlx::AnyPool,
    sql: String,
}

impl Fingerprint {
    async fn new(app: &TestApp) -> Fingerprint {
        let pool = app.raw_pool().await;
        let (tables_sql, columns_sql) = if app.engine == "sqlite" {
            (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                "SELECT name FROM pragma_table_info($1)",
            )
        } else {
            (
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
        };
        let tables: Vec<String> = sqlx::query(tables_sql)
            .fetch_all(&pool)
            .await
            .expect("tables")
            .iter()
            .map(|r| r.try_get::<String, _>(0).expect("name"))
            .collect();
        assert!(tables.len() > 20, "{}: tables {tables:?}", app.engine);
        let mut parts = vec![
            "SELECT 'audit_log', COUNT(*) FROM audit_log \
             WHERE action NOT IN ('login', 'logout', 'login_failed')"
                .to_string(),
        ];
        for t in tables {
            if ["sessions", "login_failures", "audit_log"].contains(&t.as_str()) {
                continue;
            }
            let columns: Vec<String> = sqlx::query(columns_sql)
                .bind(t.clone())
                .fetch_all(&pool)
                .await
                .expect("columns")
                .iter()
                .map(|r| r.try_get::<String, _>(0).expect("column"))
                .collect();
            parts.push(format!("SELECT '{t}', COUNT(*) FROM {t}"));
            if columns.iter().any(|c| c == "version") {
                parts.push(format!(
                    "SELECT '{t}.version', CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM {t}"
                ));
            }
        }
        Fingerprint {
            pool,
            sql: parts.join(" UNION ALL "),
        }
    }

    async fn take(&self) -> BTreeMap<String, i64> {
        sqlx::query(sqlx::AssertSqlSafe(self.sql.clone()))
            .fetch_all(&self.pool)
            .await
            .expect("fingerprint")
            .iter()
            .map(|r| {
                (
                    r.try_get::<String, _>(0).expect("table"),
                    r.try_get::<i64, _>(1).expect("count"),
                )
            })
            .collect()
    }
}

/// The start of a body, on one line; for a page, its error message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = match text.find("class=\"error") {
        Some(at) => &text[at..],
        None => &text[..],
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(140)
        .collect()
}

fn diff(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> String {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: {:?} → {v}", before.get(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn login(app: &TestApp, user: &str) -> Creds {
    let body = app.login_body(user).await;
    Creds {
        token: body["token"].as_str().map(str::to_string),
        csrf: body["csrf_token"].as_str().expect("csrf").to_string(),
    }
}

/// Objects of commune A1 made the way users make them: a round and the
/// unit's report with a file as evidence, a citizen's feedback with a
/// picture assigned to the unit, an initiative with a file and a council,
/// a staged import.
async fn fixture(app: &TestApp, w: &World) -> Fixture {
    let e = app.engine;
    let focal = login(app, "focal_a1").await;
    let focal_token = focal.token.clone();
    let ft = focal_token.as_deref();
    let reporter = login(app, "reporter_a1").await;
    let rt = reporter.token.as_deref();

    let (s, rounds) = app
        .api(
            Method::GET,
            &format!("/api/rounds?plan_id={}", w.plan_a1),
            ft,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}: {rounds}");
    let round = rounds[0]["id"].as_i64().expect("round");
    let (_, detail) = app
        .api(Method::GET, &format!("/api/rounds/{round}"), ft, None)
        .await;
    let report = detail["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .find(|r| r["unit_id"] == json!(w.vhxh_a1.id))
        .and_then(|r| r["id"].as_i64())
        .expect("report of the unit");

    let (ctype, body) = multipart(
        &[("task_id", w.task_a1.to_string())],
        Some(("bien-ban.png", PNG)),
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "/reports/{report}/evidence?_csrf={}",
            reporter.csrf
        ))
        .header(
            header::COOKIE,
            format!("theodoi_session={}", rt.expect("token")),
        )
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .expect("request");
    let (s, _, page) = app.send(req).await;
    assert!(
        s.is_redirection(),
        "{e}: evidence: {s} {}",
        String::from_utf8_lossy(&page)
    );
    let (_, view) = app
        .api(Method::GET, &format!("/api/reports/{report}"), rt, None)
        .await;
    let evidence = find_file_evidence(&view).expect("evidence with a file");

    let (_, challenge) = app
        .api(Method::GET, "/api/public/challenge", None, None)
        .await;
    let png = base64::engine::general_purpose::STANDARD.encode(PNG);
    let (s, submitted) = app
        .api(
            Method::POST,
            "/api/public/feedback",
            None,
            Some(json!({
                "commune_id": w.commune_a1.id, "topic": "online_public_services",
                "content": "Cổng dịch vụ công của xã hay bị lỗi khi nộp hồ sơ",
                "notice_acknowledged": true,
                "challenge_token": challenge["token"],
                "challenge_answer": solve(challenge["question"].as_str().expect("question")),
                "attachments": [{"file_name": "anh.png", "content_base64": png}],
            })),
        )
        .await;
    assert!(s.is_success(), "{e}: feedback: {submitted}");
    let tracking_code = submitted["tracking_code"]
        .as_str()
        .expect("code")
        .to_string();
    let (_, list) = app.api(Method::GET, "/api/feedback", ft, None).await;
    let feedback = list[0]["id"].as_i64().expect("feedback id");
    let (s, assigned) = app
        .api(
            Method::POST,
            &format!("/api/feedback/{feedback}/assign"),
            ft,
            Some(json!({"unit_id": w.vhxh_a1.id, "version": list[0]["version"]})),
        )
        .await;
    assert!(s.is_success(), "{e}: assign: {assigned}");
    let feedback_file = app
        .store
        .feedback_files(feedback)
        .await
        .expect("files")
        .first()
        .expect("a file")
        .id;

    let (s, created) = app
        .api(
            Method::POST,
            "/api/initiatives",
            rt,
            Some(json!({
                "unit_id": w.vhxh_a1.id, "title": "Số hóa sổ hộ tịch",
                "authors": ["Trần Văn Bình"], "problem": "Tra cứu chậm",
                "solution": "Chụp và đánh chỉ mục", "benefit": "Nhanh hơn",
                "attachments": [{"file_name": "mo-ta.png", "content_base64": png}],
            })),
        )
        .await;
    assert!(s.is_success(), "{e}: initiative: {created}");
    let initiative = app
        .store
        .initiatives(&Default::default(), theodoi::store::Page::all())
        .await
        .expect("initiatives")
        .items[0]
        .id;
    let initiative_file = app
        .store
        .initiative_files(initiative)
        .await
        .expect("files")
        .first()
        .expect("a file")
        .id;
    let mut council = Vec::new();
    for name in ["leader_a1", "viewer_a1"] {
        let u = app
            .store
            .user_by_username(name)
            .await
            .expect("user")
            .expect("exists");
        council.push(u.id);
    }
    let (s, named) = app
        .api(
            Method::POST,
            &format!("/api/initiatives/{initiative}/reviewers"),
            ft,
            Some(json!({"user_ids": council})),
        )
        .await;
    assert!(s.is_success(), "{e}: council: {named}");

    let (ctype, body) = multipart(
        &[("issuer_unit_id", w.commune_a1.id.to_string())],
        Some((
            "ke-hoach.txt",
            include_bytes!("../../src/demo/plans/tan_phong_ubnd.txt"),
        )),
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/plans/import?_csrf={}", focal.csrf))
        .header(
            header::COOKIE,
            format!("theodoi_session={}", ft.expect("token")),
        )
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body))
        .expect("request");
    let (s, headers, _) = app.send(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{e}: staged import");
    let token = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.strip_prefix("/plans/import/"))
        .expect("import token")
        .to_string();

    sqlx::query("UPDATE tasks SET external_source = 'matrix', external_id = 'T-1' WHERE id = $1")
        .bind(w.task_a1)
        .execute(&app.raw_pool().await)
        .await
        .expect("external id of task_a1");

    Fixture {
        user: app
            .store
            .user_by_username("reporter_a1")
            .await
            .expect("read")
            .expect("reporter_a1")
            .id,
        commune: w.commune_a1.id,
        commune_a2: w.commune_a2.id,
        unit: w.vhxh_a1.id,
        plan: w.plan_a1,
        task: w.task_a1,
        target: w.target_a1,
        round,
        report,
        evidence,
        feedback,
        feedback_file,
        tracking_code,
        initiative,
        initiative_file,
        escalation: escalation(app, w).await,
        extension: crate::extensions::waiting_extension(app, w).await,
        token,
    }
}

/// `task_a1` escalated to A1's leaders, as the reminders would after three
/// reminders with no progress.
async fn escalation(app: &TestApp, w: &World) -> i64 {
    let today = app.store.clock().today();
    let run = ReminderRun {
        escalations: vec![NewEscalation {
            task_id: w.task_a1,
            due_on: today,
            province_id: Some(w.province_a.id),
            commune_id: Some(w.commune_a1.id),
            lead_unit_id: w.vhxh_a1.id,
            level_unit_id: w.commune_a1.id,
            escalated_on: today,
            reminders: 3,
        }],
        ..ReminderRun::default()
    };
    app.store.record_reminders(&run).await.expect("escalate");
    app.store
        .escalations_of_task(w.task_a1)
        .await
        .expect("escalations")[0]
        .id
}

fn find_file_evidence(v: &Value) -> Option<i64> {
    match v {
        Value::Object(m) => {
            if m.get("kind") == Some(&json!("file"))
                && let Some(id) = m.get("id").and_then(Value::as_i64)
            {
                return Some(id);
            }
            m.values().find_map(find_file_evidence)
        }
        Value::Array(a) => a.iter().find_map(find_file_evidence),
        _ => None,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_rules_say() {
    let table = theodoi::web::route_table();
    let mut problems = Vec::new();
    // The table and the router agree, both ways.
    for (m, p) in &table {
        if !EXPECTATIONS
            .iter()
            .any(|(em, ep, _)| *em == m.as_str() && ep == p)
        {
            problems.push(format!(
                "route {m} {p} has no line in EXPECTATIONS: say who may call it"
            ));
        }
    }
    for (em, ep, _) in EXPECTATIONS {
        if !table.iter().any(|(m, p)| m.as_str() == *em && p == ep) {
            problems.push(format!(
                "EXPECTATIONS lists {em} {ep}, which the router does not have"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Logging out ends the session the rest of the run uses: last.
    let mut routes = table.clone();
    routes.sort_by_key(|(_, p)| {
        p.ends_with("/logout") || p.ends_with("/logout-all") || p.ends_with("/logout/all")
    });

    let engines: Vec<&'static str> = {
        let apps = TestApp::all().await;
        let engines = apps.iter().map(|a| a.engine).collect();
        for a in apps {
            a.finish().await;
        }
        engines
    };
    let mut checked = 0usize;
    let mut forbidden_writes = 0usize;
    let mut seen_changes = 0usize;
    for engine in &engines {
        for who in PRINCIPALS {
            let app = if *engine == "sqlite" {
                TestApp::sqlite().await
            } else {
                TestApp::postgres().await
            };
            let w = World::build(&app.store).await;
            w.add_peers(&app.store).await;
            let fx = fixture(&app, &w).await;
            let fingerprint = Fingerprint::new(&app).await;
            let mut creds = match who.user {
                Some(u) => login(&app, u).await,
                None => Creds {
                    token: None,
                    csrf: "a".repeat(64),
                },
            };
            for (method, path) in &routes {
                let rule = EXPECTATIONS
                    .iter()
                    .find(|(m, p, _)| *m == method.as_str() && p == path)
                    .map(|(_, _, r)| *r)
                    .expect("checked above");
                let expected_allowed = rule(&who);
                let write = *method != Method::GET;
                let before = if write {
                    Some(fingerprint.take().await)
                } else {
                    None
                };
                let req = build(&fx, &creds, method, path);
                let (status, headers, body) = app.send(req).await;
                checked += 1;
                let label = format!("{engine} {} {method} {path}", who.label());
                if status.is_server_error() {
                    problems.push(format!("{label}: {status} {}", excerpt(&body)));
                    continue;
                }
                let forbidden = is_forbidden(status, &headers, who.user.is_none());
                if forbidden == expected_allowed {
                    problems.push(format!(
                        "{label}: expected {}, got {status} {}",
                        if expected_allowed {
                            "allowed"
                        } else {
                            "forbidden"
                        },
                        excerpt(&body)
                    ));
                }
                let ends_sessions = path.ends_with("/logout")
                    || path.ends_with("/logout-all")
                    || path.ends_with("/logout/all");
                if let (Some(user), true) = (who.user, ends_sessions) {
                    // Signed out: sign in again for the next route.
                    creds = login(&app, user).await;
                }
                if let (Some(before), true) = (&before, status.is_success() && !forbidden) {
                    // The fingerprint sees changes: allowed writes make some.
                    if *before != fingerprint.take().await {
                        seen_changes += 1;
                    }
                }
                if let Some(before) = before.filter(|_| forbidden || !expected_allowed) {
                    forbidden_writes += 1;
                    let after = fingerprint.take().await;
                    if before != after {
                        problems.push(format!(
                            "{label}: a forbidden write changed {}",
                            diff(&before, &after)
                        ));
                    }
                }
            }
            fingerprint.pool.close().await;
            app.finish().await;
        }
    }
    crate::harness::figure(&format!(
        "authorization matrix: {} routes × {} roles × {} engines = {checked} requests checked, \
         {forbidden_writes} forbidden writes proven to change nothing \
         ({seen_changes} allowed writes did change the fingerprint)",
        routes.len(),
        PRINCIPALS.len(),
        engines.len()
    ));
    assert!(
        seen_changes > 0,
        "no allowed write changed the fingerprint: it sees nothing"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
