//! The import page: upload, preview, correct, confirm; nothing stored
//! before confirmation.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::harness::{TestApp, World, csrf_of, multipart, select_texts};

fn multipart_file(issuer: i64, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    multipart(&[("issuer_unit_id", issuer.to_string())], &[(name, bytes)])
}

#[tokio::test]
async fn a_focal_point_previews_corrects_and_confirms_an_imported_plan() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let (s, _, html) = app
            .page(Method::GET, "/plans/import", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let csrf = csrf_of(&html).to_string();
        let plans_before = app
            .store
            .plans(&Default::default(), theodoi::store::Page::all())
            .await
            .expect("plans")
            .total;

        // A file that is not a plan is refused with a message; nothing held.
        let (ctype, body) =
            multipart_file(w.commune_a1.id, "anh.bin", &[0u8, 1, 2, 255, 254, 0, 0, 7]);
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/plans/import?_csrf={csrf}"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .expect("req");
        let (s, _, bytes) = app.send(req).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(String::from_utf8_lossy(&bytes).contains("Không nhận dạng được định dạng tệp"));

        let plan = include_bytes!("../../src/demo/plans/tan_phong_ubnd.txt");
        let (ctype, body) = multipart_file(w.commune_a1.id, "ke-hoach.txt", plan);
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/plans/import?_csrf={csrf}"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .expect("req");
        let (s, headers, _) = app.send(req).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let preview = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string();
        let (s, _, html) = app.page(Method::GET, &preview, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            select_texts(&html, "table.tasks tr.task").len() >= 15,
            "{e}: the tasks are shown"
        );
        assert!(!select_texts(&html, "table.targets tr.target").is_empty());
        // Tasks first, the confirmation last.
        let (tasks_at, button_at) = (
            html.find("<table class=\"tasks preview\"").expect("tasks"),
            html.find("Xác nhận nhập kế hoạch").expect("button"),
        );
        assert!(
            tasks_at < button_at,
            "{e}: the tasks come before the button"
        );
        // Names the tree lacks are listed, each with a choice of unit.
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("input[type=hidden][name^=name_]").expect("sel");
        let names: Vec<(String, String)> = doc
            .select(&sel)
            .map(|e| {
                (
                    e.value().attr("name").unwrap_or("").to_string(),
                    e.value().attr("value").unwrap_or("").to_string(),
                )
            })
            .collect();
        assert!(!names.is_empty(), "{e}: unresolved names are listed");
        let plans_now = app
            .store
            .plans(&Default::default(), theodoi::store::Page::all())
            .await
            .expect("plans")
            .total;
        assert_eq!(
            plans_before, plans_now,
            "{e}: nothing stored before confirmation"
        );

        // Map the first unresolved name to the police post, then confirm.
        let (first_field, first_name) = names[0].clone();
        let index = first_field.trim_start_matches("name_");
        let form = serde_urlencoded::to_string([
            ("_csrf", csrf_of(&html)),
            (&format!("map_{index}"), w.police_a1.id.to_string()),
            ("title", "Kế hoạch nhập thử".to_string()),
        ])
        .expect("form");
        let (s, headers, _) = app
            .page(Method::POST, &preview, Some(&cookie), Some(form))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let plan_uri = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string();
        let plan_id: i64 = plan_uri.trim_start_matches("/plans/").parse().expect("id");
        // The next page says what was created.
        let flash = crate::harness::set_cookie(&headers, "theodoi_flash").expect("flash");
        let (_, _, html) = app
            .page(
                Method::GET,
                &plan_uri,
                Some(&format!("{cookie}; theodoi_flash={flash}")),
                None,
            )
            .await;
        let said = select_texts(&html, "p.flash");
        assert_eq!(said.len(), 1, "{e}");
        assert!(
            said[0].starts_with("Đã nhập kế hoạch: tạo "),
            "{e}: {said:?}"
        );
        assert!(said[0].contains("chỉ tiêu"), "{e}: {said:?}");
        let stored = app.store.plan(plan_id).await.expect("read").expect("plan");
        assert_eq!(stored.title, "Kế hoạch nhập thử");
        assert_eq!(stored.issuer_unit_id, w.commune_a1.id);
        let tasks = app.store.tasks_of_plan(plan_id).await.expect("tasks");
        assert!(tasks.len() >= 15);
        let targets = app.store.targets_of_plan(plan_id).await.expect("targets");
        let mapped = tasks
            .iter()
            .flat_map(|t| t.lead.iter().chain(&t.support))
            .chain(targets.iter().flat_map(|t| &t.lead))
            .filter(|m| m.name == first_name)
            .collect::<Vec<_>>();
        assert!(
            !mapped.is_empty() && mapped.iter().all(|m| m.unit_id == Some(w.police_a1.id)),
            "{e}: {first_name} now means the chosen unit"
        );
        // The preview is gone once confirmed.
        let (s, _, _) = app.page(Method::GET, &preview, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Another commune's focal point cannot use this commune as issuer.
        let other = app.login_cookie("focal_a2").await;
        let (_, _, html) = app
            .page(Method::GET, "/plans/import", Some(&other), None)
            .await;
        let (ctype, body) = multipart_file(w.commune_a1.id, "ke-hoach.txt", plan);
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/plans/import?_csrf={}", csrf_of(&html)))
            .header(header::COOKIE, &other)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .expect("req");
        let (s, _, _) = app.send(req).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        app.finish().await;
    }
}
