//! The change feed on both engines: paged in order, inside the caller's
//! scope, resumable, and with writes going on while it is read no change
//! is missed or given twice.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::harness::{TestApp, World, task};

/// Reads the feed from `since` to its end at the time; returns the changes
/// and the cursor to resume from.
async fn read_all(app: &TestApp, token: &str, since: &str, limit: u32) -> (Vec<Value>, String) {
    let mut out = Vec::new();
    let mut cursor = since.to_string();
    loop {
        let (status, page) = app
            .api(
                Method::GET,
                &format!("/api/changes?since={cursor}&limit={limit}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", app.engine);
        let changes = page["changes"].as_array().expect("changes").clone();
        assert!(changes.len() <= limit as usize);
        cursor = page["next"].as_str().expect("next").to_string();
        out.extend(changes);
        if page["more"] != Value::Bool(true) {
            return (out, cursor);
        }
    }
}

fn cursor_of(change: &Value) -> i64 {
    change["cursor"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .expect("cursor")
}

#[tokio::test]
async fn the_feed_gives_every_change_in_scope_once_in_order_while_writes_go_on() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let (all, cursor) = read_all(&app, &focal, "", 3).await;
        assert!(!all.is_empty(), "{e}");
        let cursors: Vec<i64> = all.iter().map(cursor_of).collect();
        assert!(
            cursors.windows(2).all(|p| p[0] < p[1]),
            "{e}: in order, no repeat"
        );
        assert!(
            all.iter()
                .all(|c| c["commune_id"] == serde_json::json!(w.commune_a1.id)),
            "{e}: only commune A1's changes"
        );
        assert!(all.iter().any(|c| c["entity"] == "task"
            && c["entity_id"] == serde_json::json!(w.task_a1)
            && c["data"]["title"].is_string()));
        assert!(
            !all.iter()
                .any(|c| c["entity"] == "plan" && c["entity_id"] == serde_json::json!(w.plan_b1))
        );
        let admin = app.login_token("admin").await;
        let (everything, _) = read_all(&app, &admin, "", 50).await;
        assert!(
            everything
                .iter()
                .any(|c| c["entity"] == "plan" && c["entity_id"] == serde_json::json!(w.plan_b1))
        );
        assert!(
            !everything.iter().any(|c| c["entity"] == "user"),
            "{e}: no accounts"
        );

        // Tasks created from several writers at once while the feed is read.
        let mut writers = Vec::new();
        for i in 0..12 {
            let store = app.store.clone();
            let lead = w.vhxh_a1.clone();
            let plan = w.plan_a1;
            writers.push(tokio::spawn(async move {
                task(
                    &store,
                    plan,
                    &format!("Nhiệm vụ đồng thời {i}"),
                    &lead,
                    "Năm 2026",
                )
                .await
            }));
        }
        let mut seen: Vec<Value> = Vec::new();
        let mut cursor = cursor;
        while writers.iter().any(|w| !w.is_finished()) {
            let (page, next) = read_all(&app, &focal, &cursor, 2).await;
            seen.extend(page);
            cursor = next;
            tokio::task::yield_now().await;
        }
        let mut created = BTreeSet::new();
        for writer in writers {
            created.insert(writer.await.expect("writer"));
        }
        let (rest, _) = read_all(&app, &focal, &cursor, 2).await;
        seen.extend(rest);
        let cursors: Vec<i64> = seen.iter().map(cursor_of).collect();
        assert!(cursors.windows(2).all(|p| p[0] < p[1]), "{e}: {cursors:?}");
        let fed: Vec<i64> = seen
            .iter()
            .filter(|c| c["entity"] == "task" && c["action"] == "create")
            .filter_map(|c| c["entity_id"].as_i64())
            .collect();
        assert_eq!(fed.len(), created.len(), "{e}: each once: {fed:?}");
        assert_eq!(fed.into_iter().collect::<BTreeSet<_>>(), created, "{e}");

        let (status, _) = app
            .api(Method::GET, "/api/changes?since=abc", Some(&focal), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
        app.finish().await;
    }
}
