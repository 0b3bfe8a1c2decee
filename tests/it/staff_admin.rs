//! An administrator creates staff accounts from the page, on its own
//! subtree only, and the creation is in the audit trail; on each engine.

use axum::http::{Method, StatusCode};

use crate::harness::{TestApp, World, post_form, select_texts};

fn fields(unit: i64, username: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_string()),
        ("full_name", "Trần Văn Mới".to_string()),
        ("unit_id", unit.to_string()),
        ("role", "unit_reporter".to_string()),
        ("email", "moi@anphu.test".to_string()),
        ("password", password.to_string()),
    ]
}

#[tokio::test]
async fn an_administrator_creates_an_account_in_its_subtree() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let admin = app.login_cookie("admin_a1").await;
        let strong = crate::harness::PASSWORD;

        // A weak password is refused with the form's reason.
        let (s, html) = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &fields(w.vhxh_a1.id, "canbo.moi", "123"),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(select_texts(&html, "p.error").len(), 1, "{e}");

        // Outside the administrator's commune: not found.
        let (s, _) = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &fields(w.vhxh_a2.id, "canbo.khac", strong),
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

        let (s, html) = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &fields(w.vhxh_a1.id, "canbo.moi", strong),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let user = app
            .store
            .user_by_username("canbo.moi")
            .await
            .expect("read")
            .expect("created");
        assert_eq!(user.unit_id, w.vhxh_a1.id);
        let (_, _, html) = app
            .page(Method::GET, "/admin/users", Some(&admin), None)
            .await;
        assert!(html.contains("canbo.moi"), "{e}");
        let (_, _, html) = app
            .page(Method::GET, "/admin/audit?entity=user", Some(&admin), None)
            .await;
        assert!(html.contains(&format!("Tài khoản số {}", user.id)), "{e}");
        // The new person signs in with the first password.
        let cookie = app.login_cookie("canbo.moi").await;
        let (s, _, _) = app.page(Method::GET, "/", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        app.finish().await;
    }
}
