//! The JSON API: create, read, update and list of every entity, optimistic
//! concurrency, and the OpenAPI document.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::harness::{TestApp, World};

#[tokio::test]
async fn every_entity_can_be_created_read_updated_and_listed() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let e = app.engine;
        let admin = app.login_token("admin_a1").await;
        let focal = app.login_token("focal_a1").await;

        // Units (administrator of the commune).
        let (s, unit) = app
            .api(
                Method::POST,
                "/api/units",
                Some(&admin),
                Some(json!({
                    "parent_id": w.commune_a1.id, "kind": "village", "name": "Thôn Đông",
                    "aliases": ["Thôn 1"], "side": "government"
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {unit}");
        let unit_id = unit["id"].as_i64().expect("id");
        assert_eq!(unit["commune_id"], json!(w.commune_a1.id));
        let (s, got) = app
            .api(
                Method::GET,
                &format!("/api/units/{unit_id}"),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(got["aliases"], json!(["Thôn 1"]));
        let (s, upd) = app
            .api(Method::PUT, &format!("/api/units/{unit_id}"), Some(&admin), Some(json!({
                "kind": "village", "name": "Thôn Đông Hòa", "aliases": [], "side": "government", "version": 1
            })))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {upd}");
        assert_eq!(upd["version"], json!(2));
        let (s, list) = app
            .api(
                Method::GET,
                "/api/units?q=thon%20dong&per_page=5",
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["total"], json!(1), "{e}: {list}");

        // Plans.
        let (s, plan) = app
            .api(Method::POST, "/api/plans", Some(&focal), Some(json!({
                "issuer_unit_id": w.commune_a1.id, "number": "30/KH-UBND", "date": "2026-02-01",
                "title": "Kế hoạch bổ sung", "basis": ["Kế hoạch số 06/KH-UBND"],
                "reporting": {"periods": ["monthly", "quarterly"], "unit_due_day": 15, "consolidated_due_day": 18}
            })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {plan}");
        let plan_id = plan["id"].as_i64().expect("id");
        assert_eq!(plan["date"], json!("2026-02-01"));
        assert_eq!(
            plan["reporting"]["periods"],
            json!(["monthly", "quarterly"])
        );
        let (s, upd) = app
            .api(Method::PUT, &format!("/api/plans/{plan_id}"), Some(&focal), Some(json!({
                "issuer_unit_id": w.commune_a1.id, "title": "Kế hoạch bổ sung (sửa)", "version": 1,
                "implements": [w.plan_a1]
            })))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {upd}");
        assert_eq!(upd["implements"], json!([w.plan_a1]));
        let (s, list) = app.api(Method::GET, "/api/plans", Some(&focal), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["total"], json!(2), "{e}: only the commune's plans");

        // Tasks.
        let (s, task) = app
            .api(
                Method::POST,
                "/api/tasks",
                Some(&focal),
                Some(json!({
                    "plan_id": plan_id, "ref": "2.1", "group": ["II. Nhiệm vụ cụ thể"],
                    "title": "Số hóa hồ sơ một cửa", "lead": [{"unit_id": w.vhxh_a1.id}],
                    "support": [{"name": "Các doanh nghiệp viễn thông"}], "deadline": "Quý III/2026",
                    "product": "Kho hồ sơ số", "responsible_user_id": app.user_id("reporter_a1").await
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {task}");
        let task_id = task["id"].as_i64().expect("id");
        assert_eq!(
            task["deadline"],
            json!({"text": "Quý III/2026", "kind": "quarter", "start": "2026-07-01", "end": "2026-09-30"})
        );
        assert_eq!(task["lead"][0]["name"], json!("Phòng Văn hóa - Xã hội"));
        let (s, upd) = app
            .api(Method::PUT, &format!("/api/tasks/{task_id}"), Some(&focal), Some(json!({
                "title": "Số hóa hồ sơ một cửa liên thông", "deadline": "Thường xuyên", "version": 1,
                "lead": [{"unit_id": w.police_a1.id}], "product": "Kho hồ sơ số",
                "responsible_user_id": app.user_id("police_a1").await
            })))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {upd}");
        assert_eq!(upd["deadline"]["kind"], json!("ongoing"));
        let (s, list) = app
            .api(Method::GET, "/api/tasks?q=so%20hoa", Some(&focal), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["total"], json!(1), "{e}: {list}");
        let (_, by_unit) = app
            .api(
                Method::GET,
                &format!("/api/tasks?unit_id={}", w.police_a1.id),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(by_unit["total"], json!(2));

        // Targets.
        let (s, target) = app
            .api(
                Method::POST,
                "/api/targets",
                Some(&focal),
                Some(json!({
                    "plan_id": plan_id, "ref": "9", "name": "Xếp hạng PII", "unit": "Thứ bậc",
                    "lead": [{"unit_id": w.vhxh_a1.id}],
                    "goals": [{"year": 2026, "text": "Top 20"}, {"year": 2030, "text": "Top 10"}]
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {target}");
        assert_eq!(
            target["goals"][0],
            json!({"year": 2026, "op": "top", "value": 20.0, "text": "Top 20"})
        );
        assert_eq!(target["direction"], json!("lower_is_better"));
        let target_id = target["id"].as_i64().expect("id");
        let (s, upd) = app
            .api(Method::PUT, &format!("/api/targets/{target_id}"), Some(&focal), Some(json!({
                "name": "Xếp hạng PII của xã", "goals": [{"year": 2026, "text": "$\\geq 1,1$"}], "version": 1
            })))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {upd}");
        assert_eq!(upd["goals"][0]["op"], json!(">="));
        assert_eq!(upd["goals"][0]["value"], json!(1.1));
        let (s, list) = app
            .api(
                Method::GET,
                &format!("/api/targets?plan_id={plan_id}"),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_second_save_of_a_stale_version_is_refused_with_the_current_values() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let uri = format!("/api/tasks/{}", w.task_a1);
        let rest = |title: &str| {
            json!({"title": title, "version": 1, "lead": [{"unit_id": w.vhxh_a1.id}],
                "product": "Báo cáo", "deadline": "Tháng 7/2026"})
        };
        let first = rest("Bản của người thứ nhất");
        let second = rest("Bản của người thứ hai");
        let (s, _) = app.api(Method::PUT, &uri, Some(&focal), Some(first)).await;
        assert_eq!(s, StatusCode::OK);
        let (s, body) = app.api(Method::PUT, &uri, Some(&focal), Some(second)).await;
        assert_eq!(s, StatusCode::CONFLICT, "{}", app.engine);
        assert_eq!(body["error"]["code"], json!("conflict"));
        assert_eq!(
            body["error"]["current"]["title"],
            json!("Bản của người thứ nhất")
        );
        assert_eq!(body["error"]["current"]["version"], json!(2));
        let (_, now) = app.api(Method::GET, &uri, Some(&focal), None).await;
        assert_eq!(
            now["title"],
            json!("Bản của người thứ nhất"),
            "nothing lost"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::sqlite().await;
    let (s, doc) = app.api(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    // Every (method, path) the router serves under /api/, as registered.
    let mut missing = Vec::new();
    for (method, path) in theodoi::web::route_table() {
        if !path.starts_with("/api/") || path == "/api/openapi.json" {
            continue;
        }
        let operation = doc["paths"][path][method.as_str().to_lowercase()].clone();
        if operation.is_null() {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "not in the OpenAPI document: {missing:?}"
    );
    assert!(doc["components"]["schemas"].get("ErrorBody").is_some());
    app.finish().await;
}

#[tokio::test]
async fn reporting_works_through_the_api_as_on_the_pages() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let reporter = app.login_token("reporter_a1").await;
        let focal = app.login_token("focal_a1").await;
        let leader = app.login_token("leader_a1").await;
        let (s, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {rounds}");
        assert_eq!(
            rounds[0]["period"],
            json!("2026-03"),
            "the current month opened by itself"
        );
        let round_id = rounds[0]["id"].as_i64().expect("round");
        let (_, round) = app
            .api(
                Method::GET,
                &format!("/api/rounds/{round_id}"),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(round["completeness"]["expected"], json!(2));
        let report_id = round["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .find(|r| r["unit_id"] == json!(w.vhxh_a1.id))
            .and_then(|r| r["id"].as_i64())
            .expect("report");
        let uri = format!("/api/reports/{report_id}");
        let (s, report) = app.api(Method::GET, &uri, Some(&reporter), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(report["tasks"][0]["version"], json!(0));
        let (s, saved) = app.api(Method::PUT, &uri, Some(&reporter), Some(json!({
            "tasks": [{"task_id": w.task_a1, "version": 0, "status": "in_progress", "percent": 30, "result": "Khảo sát xong"}],
            "targets": [{"target_id": w.target_a1, "version": 0, "value": 91.0, "source": "Thống kê xã"}],
            "difficulties": "Thiếu người", "submit": true
        }))).await;
        assert_eq!(s, StatusCode::OK, "{e}: {saved}");
        assert_eq!(saved["report"]["status"], json!("submitted"));
        assert_eq!(saved["report"]["timeliness"], json!("on_time"));
        let (s, body) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"difficulties": "sửa"})),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: a submitted report is locked: {body}"
        );
        let other = app.login_token("reporter_a2").await;
        let (s, _) = app.api(Method::GET, &uri, Some(&other), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let police = app.login_token("police_a1").await;
        let (s, _) = app.api(Method::GET, &uri, Some(&police), None).await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "{e}: another unit of the same commune"
        );
        let (s, body) = app
            .api(
                Method::POST,
                &format!("{uri}/review"),
                Some(&reporter),
                Some(json!({"decision": "accept"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, body) = app
            .api(
                Method::POST,
                &format!("{uri}/review"),
                Some(&focal),
                Some(json!({
            "decision": "return", "comment": "Bổ sung minh chứng",
            "items": [{"task_id": w.task_a1, "comment": "Đính kèm văn bản"}]})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let (_, report) = app.api(Method::GET, &uri, Some(&reporter), None).await;
        assert_eq!(report["report"]["status"], json!("returned"));
        assert_eq!(
            report["tasks"][0]["review_comment"],
            json!("Đính kèm văn bản")
        );
        let (s, ev) = app
            .api(
                Method::POST,
                &format!("{uri}/evidence"),
                Some(&reporter),
                Some(json!({
            "task_id": w.task_a1, "number": "20/QĐ-UBND", "date": "2026-03-09"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {ev}");
        let (s, _) = app
            .api(
                Method::PUT,
                &uri,
                Some(&reporter),
                Some(json!({"submit": true})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app
            .api(
                Method::POST,
                &format!("{uri}/review"),
                Some(&focal),
                Some(json!({"decision": "accept"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, round) = app
            .api(
                Method::POST,
                &format!("/api/rounds/{round_id}/consolidate"),
                Some(&focal),
                Some(json!({"number": "7"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {round}");
        assert_eq!(round["consolidated"], json!("consolidated"));
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/rounds/{round_id}/approve"),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, round) = app
            .api(
                Method::POST,
                &format!("/api/rounds/{round_id}/approve"),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(round["consolidated"], json!("approved"));
        let leader_a = app.login_token("leader_a").await;
        let (s, rates) = app
            .api(
                Method::GET,
                "/api/completeness?from=2026-03-01&to=2026-03-31",
                Some(&leader_a),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            rates.as_array().map(Vec::len),
            Some(1),
            "{e}: only A1 has opened a round: {rates}"
        );
        assert_eq!(rates[0]["completeness"]["on_time"], json!(1));
        // An ad-hoc request with its own due date.
        let (s, adhoc) = app.api(Method::POST, "/api/rounds", Some(&focal), Some(json!({
            "plan_id": w.plan_a1, "title": "Báo cáo đột xuất về an toàn thông tin", "due": "2026-03-20"}))).await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {adhoc}");
        assert_eq!(adhoc["kind"], json!("ad_hoc"));
        assert_eq!(adhoc["unit_due_on"], json!("2026-03-20"));
        // Task management.
        let (s, task) = app
            .api(
                Method::POST,
                &format!("/api/tasks/{}/deadline", w.task_a1),
                Some(&focal),
                Some(json!({"deadline": "Quý IV/2026", "reason": "Chờ kinh phí"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(task["deadline"]["kind"], json!("quarter"));
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/tasks/{}/not-applicable", w.task_a1),
                Some(&reporter),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, list) = app
            .api(
                Method::GET,
                &format!("/api/tasks?plan_id={}&status=in_progress", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(
            list["total"],
            json!(1),
            "{e}: filter by the accepted status"
        );
        app.finish().await;
    }
}

/// A unit reporter finds over the API the report it has to fill: its own
/// unit's only, with the round; `editable=true` drops it once submitted.
#[tokio::test]
async fn a_unit_finds_its_reports_to_fill_over_the_api() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let token = app.login_token("reporter_a1").await;
        let (s, mine) = app
            .api(
                Method::GET,
                "/api/reports?editable=true",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{} {mine}", app.engine);
        let rows = mine.as_array().expect("list");
        assert!(
            !rows.is_empty(),
            "{}: the current round is opened",
            app.engine
        );
        for row in rows {
            assert_eq!(row["report"]["unit_id"], w.vhxh_a1.id, "{row}");
            assert_eq!(row["round"]["plan_id"], w.plan_a1, "{row}");
            assert!(row["plan_title"].as_str().is_some_and(|t| !t.is_empty()));
        }
        let report = &rows[0]["report"];
        let path = format!("/api/reports/{}", report["id"]);
        let (s, view) = app.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(s, StatusCode::OK);
        let task = view["tasks"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["task_id"] == w.task_a1))
            .expect("the unit's task")
            .clone();
        let body = json!({
            "tasks": [{"task_id": w.task_a1, "version": task["version"],
                       "status": "in_progress", "percent": 40, "result": "Đã khảo sát"}],
            "targets": [{"target_id": w.target_a1, "version": 0,
                         "no_data_reason": "Chờ số liệu của doanh nghiệp viễn thông"}],
            "submit": true,
        });
        let (s, sent) = app.api(Method::PUT, &path, Some(&token), Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{sent}");
        let (_, editable) = app
            .api(
                Method::GET,
                "/api/reports?editable=true",
                Some(&token),
                None,
            )
            .await;
        assert!(
            editable
                .as_array()
                .expect("list")
                .iter()
                .all(|r| r["report"]["id"] != report["id"]),
            "a submitted report is no longer to fill: {editable}"
        );
        let (_, all) = app
            .api(Method::GET, "/api/reports", Some(&token), None)
            .await;
        let sent_row = all
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["report"]["id"] == report["id"]))
            .expect("still listed");
        assert_eq!(sent_row["report"]["status"], "submitted");
        // Another commune's reporter sees none of commune A1's reports.
        let other = app.login_token("reporter_a2").await;
        let (_, theirs) = app
            .api(Method::GET, "/api/reports", Some(&other), None)
            .await;
        assert!(
            theirs
                .as_array()
                .expect("list")
                .iter()
                .all(|r| r["report"]["unit_id"] == w.vhxh_a2.id),
            "{theirs}"
        );
        let (s, _) = app.api(Method::GET, "/api/reports", None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        app.finish().await;
    }
}
