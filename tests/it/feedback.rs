//! Citizen feedback on each engine: a person submits without an account,
//! the commune routes, assigns and answers, the person rates, and the
//! commune's satisfaction target moves by itself; personal data stays
//! sealed and inside the commune, and is erased on request or with time.
//! The helpers here drive the public form for other tests too; what the
//! form refuses is in `feedback_guards.rs`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use theodoi::domain::goal::Goal;
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::UnitMention;
use theodoi::store::Actor;

use crate::harness::{TestApp, World, post_form, post_multipart, select_texts, set_cookie};

pub const NAME: &str = "Nguyễn Thị Hoa Sen";
pub const PHONE: &str = "0912345678";
pub const EMAIL: &str = "hoa.sen@example.vn";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000 a small picture";

/// Answers the form's question ("Ba cộng năm bằng bao nhiêu?") as a person
/// would.
pub fn solve(question: &str) -> String {
    const WORDS: [&str; 10] = [
        "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    ];
    // "Mười lăm", "hai mươi mốt", "chín mươi": tens, then units.
    let number = |text: &str| -> usize {
        let mut n = 0;
        for w in text.split_whitespace().map(str::to_lowercase) {
            n = match w.as_str() {
                "mười" => n + 10,
                "mươi" => n * 10,
                "mốt" => n + 1,
                "lăm" => n + 5,
                "tư" => n + 4,
                w => n + WORDS.iter().position(|x| *x == w).unwrap_or(0),
            };
        }
        n
    };
    let after = question.split("kiểm tra:").last().unwrap_or(question);
    let (a, rest) = after.split_once("cộng").expect("a sum");
    let b = rest.split("bằng").next().unwrap_or("");
    let a = a.rsplit(['.', ':']).next().unwrap_or(a);
    (number(a) + number(b)).to_string()
}

/// A visitor without an account: the double-submit cookie from the form.
pub struct Visitor {
    pub cookie: String,
    pub csrf: String,
}

pub async fn visitor(app: &TestApp) -> (Visitor, String) {
    let (s, headers, html) = app.page(Method::GET, "/gop-y", None, None).await;
    assert_eq!(s, StatusCode::OK, "{}: GET /gop-y", app.engine);
    let csrf = set_cookie(&headers, "theodoi_login_csrf").expect("csrf cookie");
    (
        Visitor {
            cookie: format!("theodoi_login_csrf={csrf}"),
            csrf,
        },
        html,
    )
}

fn form_value(html: &str, css: &str, attr: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .unwrap_or_default()
        .to_string()
}

/// The form's challenge, answered.
pub fn challenge_fields(html: &str) -> Vec<(&'static str, String)> {
    let question = select_texts(html, "label")
        .into_iter()
        .find(|l| l.contains("kiểm tra:"))
        .expect("challenge question");
    vec![
        (
            "challenge_token",
            form_value(html, "input[name=challenge_token]", "value"),
        ),
        ("challenge_answer", solve(&question)),
    ]
}

/// Submits the public form; returns the status, the page, and the code.
pub async fn submit(
    app: &TestApp,
    fields: &[(&str, String)],
    files: &[(&str, &[u8])],
) -> (StatusCode, String, Option<String>) {
    let (v, html) = visitor(app).await;
    let mut all = challenge_fields(&html);
    all.extend(fields.iter().cloned());
    let (s, page) = post_multipart(
        app,
        &format!("/gop-y?_csrf={}", v.csrf),
        &v.cookie,
        &all,
        files,
    )
    .await;
    let code = select_texts(&page, "#tracking-code").into_iter().next();
    (s, page, code)
}

pub fn citizen_fields(commune: i64, content: &str) -> Vec<(&'static str, String)> {
    vec![
        ("commune_id", commune.to_string()),
        ("topic", "online_public_services".into()),
        ("content", content.into()),
        ("notice", "yes".into()),
    ]
}

pub fn with_contact(mut fields: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    fields.extend([
        ("name", NAME.to_string()),
        ("phone", PHONE.to_string()),
        ("email", EMAIL.to_string()),
        ("consent", "yes".to_string()),
    ]);
    fields
}

/// A form on the tracking page (look up, rate, erase).
pub async fn track_post(
    app: &TestApp,
    action: &str,
    code: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, String) {
    let (v, _) = visitor(app).await;
    let mut pairs = vec![("_csrf", v.csrf.as_str()), ("code", code)];
    pairs.extend_from_slice(extra);
    let body = serde_urlencoded::to_string(&pairs).expect("encode");
    let (s, _, html) = app
        .page(Method::POST, action, Some(&v.cookie), Some(body))
        .await;
    (s, html)
}

fn version_on(html: &str) -> String {
    form_value(html, "input[name=version]", "value")
}

/// A target of the commune's plan, for the automatic figure.
pub async fn target(app: &TestApp, plan: i64, name: &str, unit: &str, goal: &str) -> i64 {
    let draft = TargetDraft {
        reference: Some("9".into()),
        group_path: vec!["C. Người dân".into()],
        name: name.into(),
        measure_unit: Some(unit.into()),
        lead: vec![UnitMention {
            name: "Văn phòng HĐND-UBND".into(),
            unit_id: None,
        }],
        goals: vec![Goal::parse(goal, Some(2026)).expect("goal")],
        note: None,
        direction: None,
    }
    .validate()
    .expect("valid target");
    app.store
        .create_target(plan, draft, &Actor::system())
        .await
        .expect("target")
        .id
}

pub async fn feedback_id(app: &TestApp, cookie: &str) -> i64 {
    let (s, _, html) = app.page(Method::GET, "/feedback", Some(cookie), None).await;
    assert_eq!(s, StatusCode::OK);
    let href = form_value(&html, "ul.feedback-list li a", "href");
    href.trim_start_matches("/feedback/")
        .parse()
        .unwrap_or_else(|_| panic!("{}: no feedback listed: {html}", app.engine))
}

fn raw_database_bytes(app: &TestApp) -> Vec<u8> {
    let path = app.sqlite_file().expect("sqlite file");
    let mut bytes = std::fs::read(&path).expect("db file");
    // Committed pages may still sit in the write-ahead log.
    let wal = path.with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// This year's targets met and not met on a commune's dashboard, and the
/// points the targets part of its score gives.
async fn target_figures(app: &TestApp, token: &str, commune: i64) -> (i64, i64, f64) {
    let (s, d) = app
        .api(
            Method::GET,
            &format!("/api/dashboard/{commune}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let t = &d["figures"]["targets"];
    let points = d["figures"]["score"]["parts"]
        .as_array()
        .and_then(|parts| parts.iter().find(|p| p["key"] == "targets"))
        .and_then(|p| p["points"].as_f64())
        .unwrap_or(0.0);
    (
        t["met"].as_i64().unwrap_or(-1),
        t["not_met"].as_i64().unwrap_or(-1),
        points,
    )
}

#[tokio::test]
async fn feedback_goes_from_a_citizen_to_the_satisfaction_target() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let satisfaction = target(
            &app,
            w.plan_a1,
            "Tỷ lệ người dân hài lòng với việc giải quyết phản ánh, kiến nghị",
            "%",
            "≥ 98",
        )
        .await;
        let focal_a1 = app.login_cookie("focal_a1").await;
        let (s, _) = post_form(
            &app,
            &focal_a1,
            &format!("/targets/{satisfaction}"),
            &format!("/targets/{satisfaction}/source"),
            &[("source", "feedback_satisfaction".into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: link the target");

        // A person writes to the wrong commune, leaving a contact and a picture.
        let content =
            "Cổng dịch vụ công của xã thường bị lỗi khi nộp hồ sơ đăng ký khai sinh trực tuyến";
        let (s, page, code) = submit(
            &app,
            &with_contact(citizen_fields(w.commune_a2.id, content)),
            &[("anh-loi.png", PNG)],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}: {page}");
        let code = code.expect("tracking code");
        assert_eq!(code.len(), 11, "{e}: grouped code {code}");
        assert!(!page.contains(NAME), "{e}: the name is not echoed");

        // The commune addressed sees it, with the person, and routes it.
        let focal_a2 = app.login_cookie("focal_a2").await;
        let id = feedback_id(&app, &focal_a2).await;
        let item = format!("/feedback/{id}");
        let (_, _, html) = app.page(Method::GET, &item, Some(&focal_a2), None).await;
        assert!(html.contains(NAME) && html.contains(PHONE), "{e}: {html}");
        assert!(
            html.contains("anh-loi.png"),
            "{e}: the attachment is listed"
        );
        let (s, _) = post_form(
            &app,
            &focal_a2,
            &item,
            &format!("{item}/route"),
            &[
                ("commune_id", w.commune_a1.id.to_string()),
                ("version", version_on(&html)),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: route");
        let (s, _, _) = app.page(Method::GET, &item, Some(&focal_a2), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: gone from the first commune");

        // The right commune's focal point assigns it to Phòng VHXH.
        let (_, _, html) = app.page(Method::GET, &item, Some(&focal_a1), None).await;
        assert!(
            html.contains(EMAIL),
            "{e}: staff of the commune see the contact"
        );
        let (s, html) = post_form(
            &app,
            &focal_a1,
            &item,
            &format!("{item}/assign"),
            &[
                ("unit_id", w.vhxh_a1.id.to_string()),
                ("version", version_on(&html)),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: assign {html}");

        // Who may see what.
        for (user, status) in [
            ("focal_b1", StatusCode::NOT_FOUND),
            ("focal_a2", StatusCode::NOT_FOUND),
            ("police_a1", StatusCode::NOT_FOUND),
            ("leader_a", StatusCode::OK),
            ("viewer_a1", StatusCode::OK),
        ] {
            let c = app.login_cookie(user).await;
            let (s, _, html) = app.page(Method::GET, &item, Some(&c), None).await;
            assert_eq!(s, status, "{e}: {user}");
            if user == "leader_a" {
                assert!(
                    !html.contains(NAME) && !html.contains(PHONE),
                    "{e}: the province sees no personal data"
                );
            }
            let token = app.login_token(user).await;
            let (s, body) = app
                .api(
                    Method::GET,
                    &format!("/api/feedback/{id}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(s, status, "{e}: API {user}");
            assert!(
                !body.to_string().contains(NAME) || user == "viewer_a1",
                "{e}: {user}"
            );
        }

        // The unit answers (its reporter sees the person too).
        let reporter = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app.page(Method::GET, &item, Some(&reporter), None).await;
        assert!(
            html.contains(NAME),
            "{e}: the assigned unit sees the contact"
        );
        let (s, html) = post_form(
            &app,
            &reporter,
            &item,
            &format!("{item}/answer"),
            &[
                (
                    "answer",
                    "Xã đã phối hợp với VNPT khắc phục lỗi; mời bạn nộp lại hồ sơ.".into(),
                ),
                ("publish", "yes".into()),
                ("version", version_on(&html)),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: answer {html}");

        // The person follows it, reads the answer, and no figure exists yet.
        let (s, html) = track_post(&app, "/gop-y/theo-doi", &code.to_lowercase(), &[]).await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        assert!(html.contains("mời bạn nộp lại hồ sơ"), "{e}: {html}");
        assert!(html.contains("Đã trả lời"));
        assert!(!html.contains(NAME) && !html.contains(PHONE) && !html.contains(EMAIL));
        assert_eq!(
            app.store
                .auto_figure(satisfaction, "2026-03")
                .await
                .expect("figure"),
            None,
            "{e}: nothing rated yet"
        );

        // Satisfied: the March, Q1 and 2026 figures become 100%.
        let (s, html) = track_post(&app, "/gop-y/danh-gia", &code, &[("satisfied", "yes")]).await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        assert!(html.contains("Cảm ơn bạn đã đánh giá"), "{e}");
        for key in ["2026-03", "2026-Q1", "2026"] {
            let f = app
                .store
                .auto_figure(satisfaction, key)
                .await
                .expect("figure")
                .expect("computed");
            assert_eq!(f.value, Some(100.0), "{e}: {key}");
            assert_eq!((f.numerator, f.denominator), (1, 1));
        }
        // The figure judges the target: met, on the dashboard and in the score.
        let leader = app.login_token("leader_a1").await;
        let (met, not_met, targets_points) = target_figures(&app, &leader, w.commune_a1.id).await;
        assert_eq!((met, not_met), (1, 0), "{e}: 100% ≥ 98% is met");
        assert!(targets_points > 0.0, "{e}: the met target scores");
        let (s, _) = track_post(
            &app,
            "/gop-y/danh-gia",
            &code,
            &[("satisfied", "no"), ("reason", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: rated once only");

        // A second feedback, through the API, answered and rated unsatisfied.
        let (s, ch) = app
            .api(Method::GET, "/api/public/challenge", None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let answer = solve(&format!(
            "kiểm tra: {}",
            ch["question"].as_str().unwrap_or("")
        ));
        let (s, sent) = app
            .api(
                Method::POST,
                "/api/public/feedback",
                None,
                Some(json!({
                    "commune_id": w.commune_a1.id,
                    "topic": "digital_skills",
                    "content": "Đề nghị mở thêm lớp Bình dân học vụ số buổi tối cho người lao động",
                    "notice_acknowledged": true,
                    "challenge_token": ch["token"],
                    "challenge_answer": answer,
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {sent}");
        let code2 = sent["tracking_code"].as_str().expect("code").to_string();
        let focal_token = app.login_token("focal_a1").await;
        let (_, list) = app
            .api(
                Method::GET,
                "/api/feedback?status=received",
                Some(&focal_token),
                None,
            )
            .await;
        let second = list
            .as_array()
            .and_then(|l| l.first())
            .cloned()
            .expect("listed");
        assert_eq!(second["person"], "anonymous", "{e}: {second}");
        let id2 = second["id"].as_i64().expect("id");
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/feedback/{id2}/answer"),
                Some(&focal_token),
                Some(json!({"answer": "Xã sẽ mở lớp buổi tối từ tháng 4.", "version": second["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/public/feedback/rate",
                None,
                Some(json!({"tracking_code": code2, "satisfied": false})),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: a reason is needed: {body}"
        );
        let (s, body) = app
            .api(
                Method::POST,
                "/api/public/feedback/rate",
                None,
                Some(
                    json!({"tracking_code": code2, "satisfied": false, "reason": "Lớp quá xa nhà"}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let f = app
            .store
            .auto_figure(satisfaction, "2026-03")
            .await
            .expect("figure")
            .expect("computed");
        assert_eq!(f.value, Some(50.0), "{e}: one of two satisfied");
        let (met, not_met, points) = target_figures(&app, &leader, w.commune_a1.id).await;
        assert_eq!((met, not_met), (0, 1), "{e}: 50% is not met, at once");
        assert!(points < targets_points, "{e}: and the score follows");

        // The target page shows the figure; the dashboards show the counts.
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/targets/{satisfaction}"),
                Some(&focal_a1),
                None,
            )
            .await;
        assert!(
            html.contains("Số liệu tự động") && html.contains("50%"),
            "{e}"
        );
        let (_, stats) = app
            .api(Method::GET, "/api/feedback/stats", Some(&focal_token), None)
            .await;
        assert_eq!(stats["received"], 2, "{e}: {stats}");
        assert_eq!(stats["answered_on_time"], 2, "{e}: {stats}");
        assert_eq!(stats["answered_late"], 0, "{e}: {stats}");
        assert_eq!(stats["satisfaction_percent"], 50.0, "{e}: {stats}");
        let (_, _, home) = app.page(Method::GET, "/", Some(&focal_a1), None).await;
        assert_eq!(select_texts(&home, ".feedback-counts .received"), vec!["2"]);
        assert_eq!(select_texts(&home, ".feedback-counts .on-time"), vec!["2"]);
        let (_, auto) = app
            .api(
                Method::GET,
                &format!("/api/targets/{satisfaction}/auto-figures"),
                Some(&focal_token),
                None,
            )
            .await;
        assert_eq!(auto["source"], "feedback_satisfaction", "{e}: {auto}");

        // Public pages and the public API carry no personal data.
        let (s, _, public) = app.page(Method::GET, "/gop-y/da-tra-loi", None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            public.contains("Cổng dịch vụ công của xã"),
            "{e}: published"
        );
        let (_, answered) = app
            .api(Method::GET, "/api/public/feedback", None, None)
            .await;
        let (_, tracked) = app
            .api(
                Method::POST,
                "/api/public/feedback/track",
                None,
                Some(json!({"tracking_code": code})),
            )
            .await;
        assert_eq!(tracked["has_contact"], true, "{e}: {tracked}");
        for text in [public, answered.to_string(), tracked.to_string()] {
            for secret in [NAME, PHONE, EMAIL, "anh-loi.png"] {
                assert!(!text.contains(secret), "{e}: {secret} shown publicly");
            }
        }

        // The contact is sealed at rest.
        if e == "sqlite" {
            let bytes = raw_database_bytes(&app);
            assert!(
                contains(&bytes, "Cổng dịch vụ công"),
                "the file is readable"
            );
            for secret in [NAME, PHONE, EMAIL] {
                assert!(!contains(&bytes, secret), "{secret} in clear in the file");
            }
        }
        let stored = app.store.feedback(id).await.expect("read").expect("row");
        let sealed = stored.contact.name.clone().expect("sealed name");
        assert!(sealed.starts_with("v1.") && !sealed.contains("Hoa"), "{e}");
        let wrong = theodoi::auth::sealed::DataKey::from_bytes([1; 32]);
        assert!(
            stored.contact.open(&wrong).is_err(),
            "{e}: useless without the key"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_deletion_request_erases_personal_data_and_keeps_the_feedback() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let content = "Đề nghị hướng dẫn cài đặt ứng dụng VNeID cho người cao tuổi";
        let (_, _, code) = submit(
            &app,
            &with_contact(citizen_fields(w.commune_a1.id, content)),
            &[("giay-to.png", PNG)],
        )
        .await;
        let code = code.expect("code");
        let focal = app.login_cookie("focal_a1").await;
        let id = feedback_id(&app, &focal).await;
        let files = app.store.feedback_files(id).await.expect("files");
        assert_eq!(files.len(), 1, "{e}");
        let (s, html) = track_post(&app, "/gop-y/xoa-thong-tin", &code, &[]).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: confirmation needed"
        );
        assert!(html.contains("xác nhận"), "{e}");
        let (s, html) =
            track_post(&app, "/gop-y/xoa-thong-tin", &code, &[("confirm", "yes")]).await;
        assert_eq!(s, StatusCode::OK, "{e}: {html}");
        assert!(html.contains("Đã xóa họ tên"), "{e}");
        let f = app.store.feedback(id).await.expect("read").expect("kept");
        assert_eq!(f.content, content, "{e}: the feedback stays");
        assert!(
            f.contact.is_empty() && f.personal_erased_at.is_some(),
            "{e}"
        );
        assert!(
            app.store
                .feedback_files(id)
                .await
                .expect("files")
                .is_empty(),
            "{e}"
        );
        assert!(
            app.store
                .blob(&files[0].blob_sha256)
                .await
                .expect("blob")
                .is_none(),
            "{e}: the attachment's bytes are gone"
        );
        let (_, _, html) = app
            .page(Method::GET, &format!("/feedback/{id}"), Some(&focal), None)
            .await;
        assert!(!html.contains(NAME) && html.contains("đã được xóa"), "{e}");
        let log = app.store.audit_of("feedback", id).await.expect("audit");
        let erased = log
            .iter()
            .find(|a| a.action == "erase_personal_data")
            .expect("the erasure is logged");
        assert!(
            erased.after.as_deref().unwrap_or("").contains("request"),
            "{e}"
        );
        assert!(
            log.iter()
                .all(|a| !a.after.as_deref().unwrap_or("").contains(PHONE)),
            "{e}: the trail never held the contact"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn personal_data_is_erased_after_the_retention_period() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (_, _, code) = submit(
            &app,
            &with_contact(citizen_fields(
                w.commune_a1.id,
                "Đề nghị phủ sóng 4G ở thôn Đông",
            )),
            &[],
        )
        .await;
        assert!(code.is_some());
        assert_eq!(
            app.store.erase_expired_personal_data().await.expect("run"),
            0
        );
        app.clock.advance_ms(366 * 24 * 60 * 60 * 1000);
        assert_eq!(
            app.store.erase_expired_personal_data().await.expect("run"),
            1,
            "{e}"
        );
        // A year unused closes the account (45 days); its administrator
        // opens it again.
        let focal = app
            .store
            .user_by_username("focal_a1")
            .await
            .expect("read")
            .expect("user");
        app.store
            .enable_user(focal.id, &Actor::system())
            .await
            .expect("enable");
        let focal = app.login_token("focal_a1").await;
        let (_, list) = app
            .api(Method::GET, "/api/feedback", Some(&focal), None)
            .await;
        let item: &Value = &list[0];
        assert_eq!(item["person"], "erased", "{e}: {item}");
        assert_eq!(
            app.store
                .audit_by_action("erase_personal_data", theodoi::store::Page::new(None, None))
                .await
                .expect("audit")
                .len(),
            1,
            "{e}: logged"
        );
        app.finish().await;
    }
}
