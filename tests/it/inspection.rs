//! The inspection role (ủy ban kiểm tra): reads every unit's work in its
//! subtree, the audit trail included, changes nothing, and each of its
//! reads is itself recorded. The authorization matrix checks every route;
//! this checks the record of the reads.

use axum::http::{Method, StatusCode};
use serde_json::json;
use theodoi::store::Page;

use crate::harness::{TestApp, World};

async fn reads_of(app: &TestApp, username: &str) -> Vec<String> {
    app.store
        .audit_by_action("read", Page::new(Some(1), Some(500)))
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.username.as_deref() == Some(username))
        .filter_map(|a| a.after)
        .collect()
}

#[tokio::test]
async fn an_inspector_reads_everything_in_scope_and_each_read_is_recorded() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("inspector_a1").await;
        let t = Some(token.as_str());
        let task = format!("/api/tasks/{}", w.task_a1);
        let (s, _) = app.api(Method::GET, &task, t, None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                t,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let round = rounds[0]["id"].as_i64().expect("round");
        let (s, detail) = app
            .api(Method::GET, &format!("/api/rounds/{round}"), t, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        // Every unit's report, not only one unit's.
        for r in detail["reports"].as_array().expect("reports") {
            let id = r["id"].as_i64().expect("id");
            let (s, _) = app
                .api(Method::GET, &format!("/api/reports/{id}"), t, None)
                .await;
            assert_eq!(s, StatusCode::OK, "{e}: report {id}");
        }
        let (s, _) = app.api(Method::GET, "/api/audit", t, None).await;
        assert_eq!(s, StatusCode::OK, "{e}: the audit trail of its scope");
        // Nothing changes, and the refusal is not a read.
        let (s, _) = app
            .api(
                Method::PUT,
                &task,
                t,
                Some(json!({"title": "Đổi", "version": 1})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // Outside its commune it reads nothing.
        let (s, _) = app
            .api(Method::GET, &format!("/api/tasks/{}", w.task_a2), t, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        let cookie = app.login_cookie("inspector_a1").await;
        let (s, _, _) = app.page(Method::GET, "/", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");

        let reads = reads_of(&app, "inspector_a1").await;
        assert!(reads.iter().any(|r| r.contains(&task)), "{e}: {reads:?}");
        assert!(reads.iter().any(|r| r.contains("/api/audit")), "{e}");
        assert!(
            reads.iter().any(|r| r.contains("\"/\"")),
            "{e}: the home page"
        );
        let reports = detail["reports"].as_array().map_or(0, Vec::len);
        // The task, the round list, the round, each report, the audit
        // trail, the home page: and no more (not the refused change, not
        // the 404).
        assert_eq!(reads.len(), 5 + reports, "{e}: {reads:?}");
        // A viewer's reads are not recorded.
        let viewer = app.login_token("viewer_a1").await;
        let (s, _) = app.api(Method::GET, &task, Some(&viewer), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(reads_of(&app, "viewer_a1").await.is_empty(), "{e}");
        app.finish().await;
    }
}
