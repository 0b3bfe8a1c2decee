//! The public page of a commune, on each engine: plans with their
//! progress, the share of tasks done and overdue, targets and answered
//! feedback, for anyone, cacheable; and no personal data, checked against
//! every contact value the database holds.

use axum::http::{Method, StatusCode, header};
use sqlx::Row;

use crate::feedback::{EMAIL, NAME, PHONE, citizen_fields, submit, with_contact};
use crate::harness::{TestApp, World, select_texts};

#[tokio::test]
async fn a_communes_public_page_shows_its_work_and_no_one() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let reporter = store
            .user_by_username("reporter_a1")
            .await
            .expect("read")
            .expect("user");
        store
            .set_email(reporter.id, Some("can.bo.vhxh@anphu.test"))
            .await
            .expect("email");
        let (s, page, _) = submit(
            &app,
            &with_contact(citizen_fields(w.commune_a1.id, "Mạng chậm ở thôn Đông")),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}: {page}");

        let (s, _, html) = app.page(Method::GET, "/cong-khai", None, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            select_texts(&html, "ul.communes li a").contains(&w.commune_a1.name),
            "{e}"
        );
        let uri = format!("/cong-khai/{}", w.commune_a1.id);
        let (s, headers, html) = app.page(Method::GET, &uri, None, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            headers[header::CACHE_CONTROL].to_str().ok(),
            Some("public, max-age=300"),
            "{e}: anyone's copy may be cached"
        );
        assert_eq!(select_texts(&html, "h1"), vec![w.commune_a1.name.clone()]);
        assert!(!select_texts(&html, "ul.plans li").is_empty(), "{e}");
        assert_eq!(select_texts(&html, "strong.answered"), vec!["0"], "{e}");
        assert!(!select_texts(&html, "strong.overdue").is_empty(), "{e}");

        // No contact value of anyone the database knows appears.
        let pool = app.raw_pool().await;
        let mut contacts = vec![NAME.to_string(), PHONE.to_string(), EMAIL.to_string()];
        for row in sqlx::query("SELECT username, full_name, email FROM users")
            .fetch_all(&pool)
            .await
            .expect("users")
        {
            contacts.push(row.try_get::<String, _>("username").expect("username"));
            contacts.push(row.try_get::<String, _>("full_name").expect("name"));
            if let Some(mail) = row.try_get::<Option<String>, _>("email").expect("email") {
                contacts.push(mail);
            }
        }
        assert!(contacts.len() > 10, "{e}");
        for c in &contacts {
            assert!(!html.contains(c.as_str()), "{e}: the public page shows {c}");
        }
        // Only communes have such a page.
        let (s, _, _) = app
            .page(
                Method::GET,
                &format!("/cong-khai/{}", w.vhxh_a1.id),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        app.finish().await;
    }
}
