//! Initiatives on each engine: registered by a unit, scored by a named
//! council, recognised by a decision, and counted toward the commune's
//! initiative target for the year by themselves.

use axum::http::{Method, StatusCode};
use base64::Engine as _;
use serde_json::json;

use crate::feedback::target;
use crate::harness::{TestApp, World, csrf_of, post_form, post_multipart, select_texts};

const PDF: &[u8] = b"%PDF-1.7\n% a short description of the initiative\n";

/// The commune's targets met and not met this year (2026), as counted.
async fn target_states(app: &TestApp, commune: i64) -> (i64, i64) {
    use theodoi::domain::rollup::Counter;
    let r = app.store.rollup(commune).await.expect("rollup");
    (
        r.get(Counter::TargetsMet(2026)),
        r.get(Counter::TargetsNotMet(2026)),
    )
}

#[tokio::test]
async fn an_initiative_is_registered_reviewed_recognised_and_counted() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let goal = target(
            &app,
            w.plan_a1,
            "Số sáng kiến được công nhận",
            "Sáng kiến",
            "≥ 10",
        )
        .await;
        let focal = app.login_cookie("focal_a1").await;
        let (s, _) = post_form(
            &app,
            &focal,
            &format!("/targets/{goal}"),
            &format!("/targets/{goal}/source"),
            &[("source", "initiatives_recognised".into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let (_, not_met_before) = target_states(&app, w.commune_a1.id).await;

        // Phòng VHXH registers an initiative with a document.
        let reporter = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app
            .page(Method::GET, "/initiatives/new", Some(&reporter), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let csrf = csrf_of(&html);
        let fields = [
            ("unit_id", w.vhxh_a1.id.to_string()),
            ("title", "Số hóa sổ hộ tịch bằng điện thoại".to_string()),
            ("authors", "Trần Văn Bình\nLê Thị Thu".to_string()),
            (
                "problem",
                "Tra cứu sổ hộ tịch giấy mất nhiều thời gian".to_string(),
            ),
            (
                "solution",
                "Chụp, nhận dạng chữ và đánh chỉ mục từng trang".to_string(),
            ),
            (
                "benefit",
                "Tra cứu trong 1 phút thay vì nửa ngày".to_string(),
            ),
        ];
        let (s, html) = post_multipart(
            &app,
            &format!("/initiatives?_csrf={csrf}"),
            &reporter,
            &fields,
            &[("mo-ta.pdf", PDF)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let listed = app
            .store
            .initiatives(&Default::default(), theodoi::store::Page::all())
            .await
            .expect("list");
        let id = listed.items[0].id;
        let page = format!("/initiatives/{id}");
        let (_, _, html) = app.page(Method::GET, &page, Some(&reporter), None).await;
        assert!(
            html.contains("mo-ta.pdf") && html.contains("Tính mới"),
            "{e}"
        );

        // Another commune's staff see nothing.
        let other = app.login_cookie("focal_b1").await;
        let (s, _, _) = app.page(Method::GET, &page, Some(&other), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

        // No decision before the council has scored.
        let (s, html) = post_form(
            &app,
            &focal,
            &page,
            &format!("{page}/decision"),
            &[
                ("decision", "recognised".into()),
                ("number", "15/QĐ-UBND".into()),
                ("date", "2026-03-20".into()),
                ("version", "2".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Hội đồng chưa chấm điểm"), "{e}");

        // The focal point names the council; both members score.
        let users = app
            .store
            .users(&w.commune_a1.path, theodoi::store::Page::all())
            .await
            .expect("users")
            .items;
        let id_of = |name: &str| users.iter().find(|u| u.username == name).expect("user").id;
        let (s, html) = post_form(
            &app,
            &focal,
            &page,
            &format!("{page}/reviewers"),
            &[
                ("reviewer", id_of("focal_a1").to_string()),
                ("reviewer", id_of("leader_a1").to_string()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let leader = app.login_cookie("leader_a1").await;
        for (cookie, points) in [
            (&focal, ["25", "25", "20", "8"]),
            (&leader, ["20", "25", "25", "6"]),
        ] {
            let (s, html) = post_form(
                &app,
                cookie,
                &page,
                &format!("{page}/score"),
                &[
                    ("novelty", points[0].into()),
                    ("applicability", points[1].into()),
                    ("effectiveness", points[2].into()),
                    ("scalability", points[3].into()),
                ],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        }
        let (s, html) = post_form(
            &app,
            &reporter,
            &page,
            &format!("{page}/score"),
            &[
                ("novelty", "30".into()),
                ("applicability", "30".into()),
                ("effectiveness", "30".into()),
                ("scalability", "10".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}: not on the council: {html}");
        let (_, _, html) = app.page(Method::GET, &page, Some(&leader), None).await;
        assert_eq!(select_texts(&html, ".average"), vec!["77"], "{e}");

        // The chair recognises it: the 2026 figure counts it at once.
        assert_eq!(
            app.store.auto_figure(goal, "2026").await.expect("figure"),
            None
        );
        let (_, _, html) = app.page(Method::GET, &page, Some(&leader), None).await;
        let version = {
            let doc = scraper::Html::parse_document(&html);
            let sel = scraper::Selector::parse("input[name=version]").expect("selector");
            doc.select(&sel)
                .next()
                .and_then(|e| e.value().attr("value"))
                .unwrap_or("")
                .to_string()
        };
        let (s, html) = post_form(
            &app,
            &leader,
            &page,
            &format!("{page}/decision"),
            &[
                ("decision", "recognised".into()),
                ("number", "15/QĐ-UBND".into()),
                ("date", "20/03/2026".into()),
                ("version", version),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let f = app
            .store
            .auto_figure(goal, "2026")
            .await
            .expect("figure")
            .expect("computed");
        assert_eq!(f.value, Some(1.0), "{e}");
        // One of the ten a year the target asks for: judged, not met.
        let (_, not_met) = target_states(&app, w.commune_a1.id).await;
        assert_eq!(
            not_met,
            not_met_before + 1,
            "{e}: the figure judges the target"
        );
        let (_, _, html) = app.page(Method::GET, &page, Some(&reporter), None).await;
        assert!(
            html.contains("Quyết định số 15/QĐ-UBND ngày 20/03/2026"),
            "{e}"
        );

        // The public page lists it.
        let (s, _, public) = app.page(Method::GET, "/sang-kien", None, None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(public.contains("Số hóa sổ hộ tịch bằng điện thoại"), "{e}");

        // A second one through the API, recognised too: the count is 2.
        let token = app.login_token("reporter_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                "/api/initiatives",
                Some(&token),
                Some(json!({
                    "unit_id": w.vhxh_a1.id,
                    "title": "Nhóm Zalo hỗ trợ dịch vụ công",
                    "authors": ["Phạm Minh Đức"],
                    "problem": "Người dân không biết nộp hồ sơ trực tuyến",
                    "solution": "Tổ công nghệ số trả lời trên nhóm Zalo của thôn",
                    "benefit": "Tăng tỷ lệ hồ sơ trực tuyến",
                    "attachments": [{"file_name": "mo-ta.pdf",
                        "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF)}],
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let id2 = body["initiative"]["id"].as_i64().expect("id");
        let focal_token = app.login_token("focal_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/initiatives/{id2}/reviewers"),
                Some(&focal_token),
                Some(json!({"user_ids": [id_of("focal_a1")]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/initiatives/{id2}/score"),
                Some(&focal_token),
                Some(json!({"novelty": 20, "applicability": 30, "effectiveness": 25, "scalability": 9})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["average_total"], 84.0, "{e}: {body}");
        let (s, body) = app
            .api(
                Method::POST,
                &format!("/api/initiatives/{id2}/decision"),
                Some(&focal_token),
                Some(
                    json!({"recognised": true, "number": "21/QĐ-UBND", "date": "2026-04-02",
                    "version": body["initiative"]["version"]}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["initiative"]["status"], "recognised");
        let f = app
            .store
            .auto_figure(goal, "2026")
            .await
            .expect("figure")
            .expect("computed");
        assert_eq!(f.value, Some(2.0), "{e}");
        let (_, public) = app
            .api(Method::GET, "/api/public/initiatives", None, None)
            .await;
        assert_eq!(public.as_array().map(Vec::len), Some(2), "{e}");
        let (_, _, list) = app
            .page(Method::GET, "/initiatives", Some(&focal), None)
            .await;
        assert_eq!(select_texts(&list, ".recognised-count"), vec!["2"], "{e}");
        // A decided initiative is final.
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/initiatives/{id2}/decision"),
                Some(&focal_token),
                Some(json!({"recognised": false, "number": "22/QĐ-UBND", "date": "2026-04-03", "version": 99})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        app.finish().await;
    }
}

/// A file comes back as a download (never shown inline) with the type its
/// content was recognised as and a name without its path, to those who
/// read its initiative only.
#[tokio::test]
async fn an_initiative_file_downloads_as_an_attachment_of_its_real_type() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("reporter_a1").await;
        let (s, body) = app
            .api(
                Method::POST,
                "/api/initiatives",
                Some(&token),
                Some(json!({
                    "unit_id": w.vhxh_a1.id,
                    "title": "Số hóa sổ hộ tịch",
                    "authors": ["Trần Văn Bình"],
                    "problem": "Tra cứu chậm",
                    "solution": "Chụp và đánh chỉ mục",
                    "benefit": "Nhanh hơn",
                    "attachments": [{"file_name": "C:\\tai lieu\\Mô tả.exe",
                        "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF)}],
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let id = body["initiative"]["id"].as_i64().expect("id");
        let files = app.store.initiative_files(id).await.expect("files");
        assert_eq!(files.len(), 1, "{e}");
        assert_eq!(files[0].file_name, "Mô tả.pdf", "{e}");
        let uri = format!("/initiative-files/{}", files[0].id);

        let reporter = app.login_cookie("reporter_a1").await;
        let (s, headers, text) = app.page(Method::GET, &uri, Some(&reporter), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            headers
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/pdf"),
            "{e}"
        );
        let disposition = headers
            .get(axum::http::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            disposition.starts_with("attachment; filename=\"")
                && disposition.contains("filename*=UTF-8''"),
            "{e}: {disposition}"
        );
        assert!(text.starts_with("%PDF-"), "{e}");

        let other = app.login_cookie("focal_b1").await;
        let (s, _, _) = app.page(Method::GET, &uri, Some(&other), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: another commune");
        app.finish().await;
    }
}
