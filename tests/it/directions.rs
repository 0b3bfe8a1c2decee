//! Directions (ý kiến chỉ đạo): a leader writes one on a task or a plan;
//! the unit that must act is told at once, answers in its next report, and
//! both show on the task and in the consolidated report.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{TestApp, World, post_form};
use crate::report_content::round_report_text;

async fn kinds_of(app: &TestApp, username: &str) -> Vec<String> {
    let user = app
        .store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user");
    app.store
        .notifications_of(user.id, 100)
        .await
        .expect("notifications")
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
async fn a_direction_reaches_the_lead_unit_is_answered_in_its_report_and_shows_in_the_report() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let leader = app.login_cookie("leader_a1").await;
        let page = format!("/tasks/{}", w.task_a1);
        let action = format!("{page}/directions");
        // A blank direction is refused on the page, nothing lost.
        let (s, html) = post_form(&app, &leader, &page, &action, &[("body", " ".into())]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Hãy ghi nội dung ý kiến chỉ đạo"), "{e}");
        let body = "Đẩy nhanh tiến độ, hoàn thành trước 30/6/2026";
        let (s, _) = post_form(&app, &leader, &page, &action, &[("body", body.into())]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        // The lead unit's reporter and the commune's focal point hear of it.
        assert!(
            kinds_of(&app, "reporter_a1")
                .await
                .contains(&"direction".to_string()),
            "{e}"
        );
        assert!(
            kinds_of(&app, "focal_a1")
                .await
                .contains(&"direction".to_string()),
            "{e}"
        );
        // Only a leader of the level gives directions.
        let reporter = app.login_token("reporter_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                "/api/directions",
                Some(&reporter),
                Some(json!({"subject": "task", "subject_id": w.task_a1, "body": "Không"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // On a plan, the plan's issuer answers.
        let leader_token = app.login_token("leader_a1").await;
        let (s, on_plan) = app
            .api(
                Method::POST,
                "/api/directions",
                Some(&leader_token),
                Some(json!({"subject": "plan", "subject_id": w.plan_a1,
                    "body": "Rà soát, bổ sung nhiệm vụ chuyển đổi số"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {on_plan}");
        assert_eq!(on_plan["unit_id"], json!(w.commune_a1.id), "{e}");

        // The unit answers in its report.
        let (_, listed) = app
            .api(
                Method::GET,
                &format!("/api/directions?task_id={}", w.task_a1),
                Some(&reporter),
                None,
            )
            .await;
        let direction = listed[0]["id"].as_i64().expect("direction");
        let (_, mine) = app
            .api(
                Method::GET,
                "/api/reports?editable=true",
                Some(&reporter),
                None,
            )
            .await;
        let report = mine[0]["report"]["id"].as_i64().expect("report");
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/reports/{report}"),
                Some(&cookie),
                None,
            )
            .await;
        assert!(html.contains("Ý kiến chỉ đạo cần trả lời"), "{e}");
        assert!(
            html.contains(&format!("name=\"d{direction}_answer\"")),
            "{e}"
        );
        let answer = "Đã bố trí thêm cán bộ, dự kiến xong trước 20/6";
        let (s, saved) = app
            .api(
                Method::PUT,
                &format!("/api/reports/{report}"),
                Some(&reporter),
                Some(json!({"directions": [{"direction_id": direction, "answer": answer}]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {saved}");
        let (_, listed) = app
            .api(
                Method::GET,
                &format!("/api/directions?task_id={}", w.task_a1),
                Some(&leader_token),
                None,
            )
            .await;
        assert_eq!(listed[0]["answer"], json!(answer), "{e}: {listed}");
        assert_eq!(listed[0]["answer_report_id"], json!(report), "{e}");
        // Another unit's direction cannot be answered from this report.
        let (s, _) = app
            .api(
                Method::PUT,
                &format!("/api/reports/{report}"),
                Some(&reporter),
                Some(json!({"directions": [{"direction_id": on_plan["id"], "answer": "x"}]})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        let (_, _, html) = app.page(Method::GET, &page, Some(&leader), None).await;
        assert!(html.contains(body) && html.contains(answer), "{e}");

        // The consolidated report lists both, with the answer.
        let focal = app.login_token("focal_a1").await;
        let (_, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        let round = rounds
            .as_array()
            .and_then(|r| r.first())
            .and_then(|r: &Value| r["id"].as_i64())
            .expect("round");
        let text = round_report_text(&app, "focal_a1", round).await;
        assert!(
            text.contains("Ý kiến chỉ đạo và việc thực hiện (2 ý kiến)"),
            "{e}"
        );
        assert!(text.contains(answer), "{e}");
        assert!(text.contains("chưa trả lời"), "{e}: the plan's");
        app.finish().await;
    }
}
