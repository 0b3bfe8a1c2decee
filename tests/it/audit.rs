//! The audit trail on each engine: administrators search their own
//! subtree's entries (by action, user, record and dates, paged), export
//! them as CSV (the export itself recorded), and nothing the application
//! does afterwards changes or removes an entry.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use theodoi::domain::account::{AuditQuery, AuditScope};
use theodoi::store::Page;

use crate::harness::{TestApp, World};

const DAY_MS: i64 = 86_400_000;

fn usernames(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["username"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn administrators_search_their_own_subtree() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        app.login_token("focal_a1").await;
        app.login_token("focal_b1").await;
        let (s, _) = app
            .api(
                Method::POST,
                "/api/login",
                None,
                Some(json!({"username": "reporter_a2", "password": "khong dung dau nhe"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        let national = app.login_token("admin").await;
        let (s, body) = app
            .api(
                Method::GET,
                "/api/audit?action=login",
                Some(&national),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let names = usernames(&body);
        assert!(names.contains(&"focal_a1".to_string()), "{e}: {names:?}");
        assert!(names.contains(&"focal_b1".to_string()), "{e}: {names:?}");

        // A commune's administrator sees its commune only.
        let commune = app.login_token("admin_a1").await;
        let (s, body) = app
            .api(Method::GET, "/api/audit?action=login", Some(&commune), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let names = usernames(&body);
        assert!(names.contains(&"focal_a1".to_string()), "{e}: {names:?}");
        assert!(!names.contains(&"focal_b1".to_string()), "{e}: {names:?}");
        for item in body["items"].as_array().expect("items") {
            assert_eq!(item["commune_id"], json!(w.commune_a1.id), "{e}: {item}");
        }
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?action=login_failed",
                Some(&commune),
                None,
            )
            .await;
        assert_eq!(body["total"], json!(0), "{e}: another commune's failure");
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?action=login_failed",
                Some(&national),
                None,
            )
            .await;
        assert_eq!(body["total"], json!(1), "{e}: {body}");
        assert_eq!(body["items"][0]["after"]["username"], json!("reporter_a2"));

        // By user, by record, by date, paged.
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?username=focal_b1",
                Some(&national),
                None,
            )
            .await;
        assert!(body["total"].as_i64().expect("total") >= 1);
        assert!(usernames(&body).iter().all(|n| n == "focal_b1"), "{e}");
        let (_, body) = app
            .api(
                Method::GET,
                &format!("/api/audit?entity=plan&entity_id={}", w.plan_a1),
                Some(&national),
                None,
            )
            .await;
        assert_eq!(body["total"], json!(1), "{e}: the plan's creation: {body}");
        assert_eq!(body["items"][0]["action"], json!("create"));
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?from=2026-03-10&to=10/03/2026",
                Some(&national),
                None,
            )
            .await;
        let today = body["total"].as_i64().expect("total");
        assert!(today > 3, "{e}: {body}");
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?from=2026-03-11",
                Some(&national),
                None,
            )
            .await;
        assert_eq!(body["total"], json!(0), "{e}");
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?per_page=2&page=2",
                Some(&national),
                None,
            )
            .await;
        assert_eq!(body["items"].as_array().expect("items").len(), 2);
        assert_eq!(body["total"], json!(today));
        let (s, body) = app
            .api(
                Method::GET,
                "/api/audit?from=31/02/2026",
                Some(&national),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");

        // Only administrators.
        let focal = app.login_token("focal_a1").await;
        let (s, _) = app.api(Method::GET, "/api/audit", Some(&focal), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let cookie = app.login_cookie("leader_a1").await;
        let (s, _, _) = app
            .page(Method::GET, "/admin/audit", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_trail_is_shown_and_exported_and_the_export_is_recorded() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        app.login_token("focal_a1").await;
        let cookie = app.login_cookie("admin_a1").await;
        let (s, _, html) = app
            .page(
                Method::GET,
                "/admin/audit?action=login",
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(html.contains("focal_a1"), "{e}");
        assert!(html.contains("/admin/audit.csv?action=login"), "{e}");
        // Actions are said in words, not by their codes.
        let actions = crate::harness::select_texts(&html, "ul.audit strong.action");
        assert!(!actions.is_empty(), "{e}");
        assert!(actions.iter().all(|a| a == "Đăng nhập"), "{e}: {actions:?}");
        let (s, _, html) = app
            .page(
                Method::GET,
                "/admin/audit?from=h%C3%B4m+qua",
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("không hợp lệ"), "{e}");

        let (s, headers, csv) = app
            .page(
                Method::GET,
                "/admin/audit.csv?action=login",
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .expect("type")
                .starts_with("text/csv")
        );
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .expect("disposition")
                .contains("nhat-ky-2026-03-10.csv")
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].contains("hanh_dong"), "{e}: {}", lines[0]);
        assert!(lines.len() >= 3, "{e}: {csv}");
        assert!(
            lines[1..].iter().all(|l| l.contains(",login,")),
            "{e}: {csv}"
        );

        let token = app.login_token("admin").await;
        let (_, body) = app
            .api(
                Method::GET,
                "/api/audit?action=export&entity=audit_log",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(body["total"], json!(1), "{e}: {body}");
        assert_eq!(body["items"][0]["username"], json!("admin_a1"));
        assert_eq!(body["items"][0]["after"]["action"], json!("login"));
        app.finish().await;
    }
}

#[tokio::test]
async fn nothing_the_application_does_changes_or_removes_an_entry() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        app.login_token("focal_a1").await;
        app.login_token("admin").await;
        let everything = |store: theodoi::store::Store| async move {
            store
                .audit_search(AuditScope::All, &AuditQuery::default(), Page::all())
                .await
                .expect("audit")
                .items
                .into_iter()
                .map(|a| serde_json::to_value(a).expect("json"))
                .collect::<Vec<Value>>()
        };
        let before = everything(app.store.clone()).await;
        assert!(before.len() > 20, "{e}");

        // Two years of housekeeping: sessions end, accounts close, personal
        // data goes, rate-limit entries go; the trail stays.
        for _ in 0..2 {
            app.clock.advance_ms(366 * DAY_MS);
            app.store.delete_expired_sessions().await.expect("sessions");
            app.store.disable_dormant_users().await.expect("dormant");
            app.store
                .erase_expired_personal_data()
                .await
                .expect("personal data");
            app.store.prune_public_submissions().await.expect("prune");
        }
        let after = everything(app.store.clone()).await;
        assert!(
            after.len() > before.len(),
            "{e}: the closures were recorded"
        );
        for entry in &before {
            assert!(after.contains(entry), "{e}: {entry} changed or went");
        }
        app.finish().await;
    }
}
