//! A task marked "mật": the system keeps only a placeholder title, its
//! deadline and lead; content, results and evidence offered for it are
//! refused with a clear message, and each attempt is audited (without the
//! content).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use theodoi::store::Page;

use crate::harness::{TestApp, World, report_holding};

async fn refusals(app: &TestApp) -> Vec<String> {
    app.store
        .audit_by_action("refuse_confidential_content", Page::new(Some(1), Some(100)))
        .await
        .expect("audit")
        .into_iter()
        .map(|a| format!("{:?} {:?}", a.entity_id, a.after))
        .collect()
}

#[tokio::test]
async fn a_confidential_task_keeps_no_content_and_refusals_are_audited() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let secret = "Diễn tập phương án bảo vệ mục tiêu X";
        let person = app.user_id("reporter_a1").await;
        let body = |title: &str| {
            json!({"plan_id": w.plan_a1, "title": title, "confidential": true,
                "lead": [{"unit_id": w.vhxh_a1.id}], "deadline": "Tháng 3/2026",
                "responsible_user_id": person})
        };
        // Content offered is refused, and the attempt kept without it.
        let (s, refused) = app
            .api(Method::POST, "/api/tasks", Some(&focal), Some(body(secret)))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Nhiệm vụ mật chỉ lưu"), "{e}: {message}");
        let trail = refusals(&app).await;
        assert_eq!(trail.len(), 1, "{e}: {trail:?}");
        assert!(!trail[0].contains("bảo vệ mục tiêu"), "{e}: {trail:?}");
        // Without content it is kept, under the placeholder.
        let (s, task) = app
            .api(Method::POST, "/api/tasks", Some(&focal), Some(body("")))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {task}");
        assert_eq!(task["title"], json!("Nhiệm vụ mật"), "{e}");
        assert_eq!(task["confidential"], json!(true), "{e}");
        let id = task["id"].as_i64().expect("id");
        // Marking an ordinary task confidential takes its content off.
        let (_, before) = app
            .api(
                Method::GET,
                &format!("/api/tasks/{}", w.task_a1),
                Some(&focal),
                None,
            )
            .await;
        let (s, marked) = app
            .api(
                Method::PUT,
                &format!("/api/tasks/{}", w.task_a1),
                Some(&focal),
                Some(json!({"title": before["title"], "product": "Kế hoạch",
                    "lead": [{"unit_id": w.vhxh_a1.id}], "deadline": "Tháng 7/2026",
                    "confidential": true, "version": before["version"]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {marked}");
        assert_eq!(marked["title"], json!("Nhiệm vụ mật"), "{e}");
        assert_eq!(marked["product"], Value::Null, "{e}");

        // The unit reports its status only.
        app.store
            .open_current_rounds(app.store.clock().today())
            .await
            .expect("rounds");
        let reporter = app.login_token("reporter_a1").await;
        let (report_id, _) = report_holding(&app, &reporter, id).await;
        let path = format!("/api/reports/{report_id}");
        let (s, body) = app
            .api(
                Method::PUT,
                &path,
                Some(&reporter),
                Some(
                    json!({"tasks": [{"task_id": id, "version": 0, "status": "done",
                    "result": secret}]}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("nhiệm vụ mật"),
            "{e}: {body}"
        );
        let (s, body) = app
            .api(
                Method::POST,
                &format!("{path}/evidence"),
                Some(&reporter),
                Some(json!({"task_id": id, "url": "https://example.vn/bien-ban"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert_eq!(refusals(&app).await.len(), 3, "{e}");
        let (_, stored) = app.api(Method::GET, &path, Some(&reporter), None).await;
        let item = stored["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|i| i["task_id"] == json!(id))
            .cloned()
            .expect("item");
        assert_eq!(item["result"], Value::Null, "{e}: nothing of it was stored");
        assert!(item["evidence"].as_array().is_none_or(Vec::is_empty), "{e}");
        // Done, with nothing to show on the system, answers the item.
        let tasks: Vec<Value> = stored["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|i| {
                if i["task_id"] == json!(id) {
                    json!({"task_id": id, "version": i["version"], "status": "done", "percent": 100})
                } else {
                    json!({"task_id": i["task_id"], "version": i["version"], "nothing_this_period": true})
                }
            })
            .collect();
        let targets: Vec<Value> = stored["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .map(|i| json!({"target_id": i["target_id"], "version": i["version"], "nothing_this_period": true}))
            .collect();
        let (s, body) = app
            .api(
                Method::PUT,
                &path,
                Some(&reporter),
                Some(json!({"tasks": tasks, "targets": targets, "submit": true})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        // The page says so instead of offering the fields.
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app
            .page(Method::GET, &format!("/tasks/{id}"), Some(&cookie), None)
            .await;
        assert!(html.contains("Nhiệm vụ mật: nội dung, kết quả"), "{e}");
        app.finish().await;
    }
}
