//! The "6 rõ": a task goes live only with a lead unit of the tree, a named
//! responsible person (an active account of the lead unit), a product and a
//! deadline besides its title; a draft may lack them. The task form and the
//! import preview say what is missing, and the plan page counts the tasks
//! that have all six.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::harness::{TestApp, World, csrf_of, multipart, select_texts};

/// A task of the commune's plan with all six, led by its culture office.
fn complete(w: &World, person: i64) -> Value {
    json!({
        "plan_id": w.plan_a1, "title": "Số hóa hồ sơ một cửa",
        "lead": [{"unit_id": w.vhxh_a1.id}], "responsible_user_id": person,
        "product": "Kho hồ sơ số", "deadline": "Quý III/2026",
    })
}

fn without(mut body: Value, field: &str) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove(field);
    }
    body
}

#[tokio::test]
async fn a_task_cannot_go_live_missing_any_of_the_six_but_a_draft_may() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let person = app.user_id("reporter_a1").await;
        let post = |body: Value| app.api(Method::POST, "/api/tasks", Some(&focal), Some(body));

        let (s, task) = post(complete(&w, person)).await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {task}");
        assert_eq!(task["draft"], json!(false), "{e}");
        assert_eq!(task["responsible_user_id"], json!(person), "{e}");
        assert_eq!(task["six_clear_missing"], json!([]), "{e}");

        // One case per missing item: refused live, named, kept as a draft.
        let by_name_only = json!([{"name": "Bưu điện tỉnh"}]);
        let cases = [
            (
                without(complete(&w, person), "responsible_user_id"),
                "rõ người (người phụ trách)",
                "person",
            ),
            (
                without(without(complete(&w, person), "lead"), "responsible_user_id"),
                "rõ trách nhiệm (đơn vị chủ trì)",
                "responsibility",
            ),
            (
                {
                    let mut b = without(complete(&w, person), "responsible_user_id");
                    b["lead"] = by_name_only.clone();
                    b
                },
                "rõ trách nhiệm (đơn vị chủ trì)",
                "responsibility",
            ),
            (
                without(complete(&w, person), "product"),
                "rõ sản phẩm",
                "product",
            ),
            (
                without(complete(&w, person), "deadline"),
                "rõ thời hạn",
                "deadline",
            ),
        ];
        for (body, named, code) in cases {
            let (s, refused) = post(body.clone()).await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{e}: {named}: {refused}"
            );
            assert_eq!(refused["error"]["code"], json!("invalid"), "{e}");
            let message = refused["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("6 rõ"), "{e}: {message}");
            assert!(message.contains(named), "{e}: {named}: {message}");
            let mut draft = body;
            draft["draft"] = json!(true);
            let (s, kept) = post(draft).await;
            assert_eq!(
                s,
                StatusCode::CREATED,
                "{e}: a draft may lack {named}: {kept}"
            );
            assert_eq!(kept["draft"], json!(true), "{e}");
            let missing = kept["six_clear_missing"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(missing.contains(&json!(code)), "{e}: {code}: {kept}");
        }
        // The work itself: no task at all without a title, draft or not.
        let (s, refused) = post(json!({"plan_id": w.plan_a1, "title": " ", "draft": true})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {refused}");

        // Several missing are named together, in the principle's order.
        let (s, refused) = post(json!({"plan_id": w.plan_a1, "title": "Việc chưa rõ"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(
                "rõ người (người phụ trách), rõ trách nhiệm (đơn vị chủ trì), rõ sản phẩm (kết quả, sản phẩm), rõ thời hạn"
            ),
            "{e}: {message}"
        );

        // A draft goes live only once complete: refused, then accepted.
        let (_, draft) = post({
            let mut b = without(complete(&w, person), "responsible_user_id");
            b["draft"] = json!(true);
            b
        })
        .await;
        let uri = format!("/api/tasks/{}", draft["id"]);
        let mut live = without(complete(&w, person), "responsible_user_id");
        live["version"] = draft["version"].clone();
        let (s, refused) = app
            .api(Method::PUT, &uri, Some(&focal), Some(live.clone()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("rõ người")),
            "{e}: {refused}"
        );
        live["responsible_user_id"] = json!(person);
        let (s, now_live) = app.api(Method::PUT, &uri, Some(&focal), Some(live)).await;
        assert_eq!(s, StatusCode::OK, "{e}: {now_live}");
        assert_eq!(now_live["draft"], json!(false), "{e}");
        // Left out, the person stays; a change that drops an item of a live
        // task is refused, the task unchanged.
        let mut edit = without(complete(&w, person), "responsible_user_id");
        edit["title"] = json!("Số hóa hồ sơ một cửa liên thông");
        edit["version"] = now_live["version"].clone();
        let (s, edited) = app
            .api(Method::PUT, &uri, Some(&focal), Some(edit.clone()))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {edited}");
        assert_eq!(edited["responsible_user_id"], json!(person), "{e}");
        edit["product"] = json!(" ");
        edit["version"] = edited["version"].clone();
        let (s, refused) = app.api(Method::PUT, &uri, Some(&focal), Some(edit)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {refused}");
        let (_, stored) = app.api(Method::GET, &uri, Some(&focal), None).await;
        assert_eq!(stored["product"], json!("Kho hồ sơ số"), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_responsible_person_is_an_active_account_of_the_lead_unit() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let police = app.user_id("police_a1").await;
        let elsewhere = app.user_id("reporter_a2").await;
        let gone = app.user_id("reporter_a1").await;
        app.store
            .disable_user(gone, "left", &theodoi::store::Actor::system())
            .await
            .expect("disable");
        for (who, person) in [
            ("another unit's account", police),
            ("another commune's account", elsewhere),
            ("a disabled account", gone),
            ("no account at all", 987_654),
        ] {
            for draft in [false, true] {
                let mut body = complete(&w, person);
                body["draft"] = json!(draft);
                let (s, refused) = app
                    .api(Method::POST, "/api/tasks", Some(&focal), Some(body))
                    .await;
                assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {who}: {refused}");
                assert_eq!(
                    refused["error"]["message"],
                    json!(
                        "Người phụ trách phải là tài khoản đang hoạt động của đơn vị chủ trì nhiệm vụ"
                    ),
                    "{e}: {who}"
                );
            }
        }
        // The police post's own account answers for a task it leads.
        let mut body = complete(&w, police);
        body["lead"] = json!([{"unit_id": w.police_a1.id}]);
        let (s, task) = app
            .api(Method::POST, "/api/tasks", Some(&focal), Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {task}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_plan_page_counts_the_tasks_complete_on_the_six() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let focal = app.login_token("focal_a1").await;
        let plan_uri = format!("/plans/{}", w.plan_a1);
        let (s, _, html) = app.page(Method::GET, &plan_uri, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(
            select_texts(&html, "dd.six-clear-count"),
            vec!["2/2 nhiệm vụ"],
            "{e}"
        );
        assert!(
            select_texts(&html, "small.six-clear-missing").is_empty(),
            "{e}"
        );
        let mut draft = without(complete(&w, 0), "responsible_user_id");
        draft["draft"] = json!(true);
        draft["product"] = json!("");
        let (s, _) = app
            .api(Method::POST, "/api/tasks", Some(&focal), Some(draft))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let (_, _, html) = app.page(Method::GET, &plan_uri, Some(&cookie), None).await;
        assert_eq!(
            select_texts(&html, "dd.six-clear-count"),
            vec!["2/3 nhiệm vụ"],
            "{e}"
        );
        assert_eq!(
            select_texts(&html, "small.six-clear-missing"),
            vec!["Chưa đủ 6 rõ: rõ người, rõ sản phẩm"],
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_task_form_shows_what_is_missing_and_picks_the_person() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let focal = app.login_token("focal_a1").await;
        let person = app.user_id("reporter_a1").await;
        // A complete task: nothing missing, its person chosen.
        let edit = format!("/tasks/{}/edit", w.task_a1);
        let (s, _, html) = app.page(Method::GET, &edit, Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(select_texts(&html, ".six-clear-ok").len(), 1, "{e}");
        assert_eq!(
            select_texts(&html, "select[name=responsible] option[selected]"),
            vec!["Người dùng reporter_a1 (reporter_a1) — Phòng Văn hóa - Xã hội"],
            "{e}"
        );
        // A draft without a person or product: both listed.
        let mut draft = without(complete(&w, person), "responsible_user_id");
        draft["draft"] = json!(true);
        draft["product"] = json!(null);
        let (_, task) = app
            .api(Method::POST, "/api/tasks", Some(&focal), Some(draft))
            .await;
        let id = task["id"].as_i64().expect("id");
        let (_, _, page) = app
            .page(Method::GET, &format!("/tasks/{id}"), Some(&cookie), None)
            .await;
        assert_eq!(
            select_texts(&page, "dd.responsible"),
            vec!["Chưa giao"],
            "{e}"
        );
        assert_eq!(
            select_texts(&page, "p.notice"),
            vec![
                "Nhiệm vụ dự thảo, chưa giao chính thức: cần bổ sung rõ người (người phụ trách), rõ sản phẩm (kết quả, sản phẩm) rồi xác nhận."
            ],
            "{e}"
        );
        assert_eq!(
            select_texts(&page, "dd.six-clear"),
            vec!["Còn thiếu: rõ người (người phụ trách), rõ sản phẩm (kết quả, sản phẩm)"],
            "{e}"
        );
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks/{id}/edit"),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&html, "ul.six-clear-missing li"),
            vec![
                "rõ người (người phụ trách)",
                "rõ sản phẩm (kết quả, sản phẩm)"
            ],
            "{e}"
        );
        // Confirming it as it is is refused, the form naming what is
        // missing; with a person and a product it goes live.
        let form = |extra: &str| {
            format!(
                "_csrf={}&title=S%E1%BB%91+h%C3%B3a&lead={}&deadline=Qu%C3%BD+III%2F2026&confirm=1&version={}{extra}",
                csrf_of(&html),
                w.vhxh_a1.id,
                task["version"]
            )
        };
        let (s, _, refused) = app
            .page(
                Method::POST,
                &format!("/tasks/{id}"),
                Some(&cookie),
                Some(form("")),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let error = select_texts(&refused, "p.error");
        assert!(
            error.len() == 1 && error[0].contains("rõ người") && error[0].contains("rõ sản phẩm"),
            "{e}: {error:?}"
        );
        assert_eq!(
            select_texts(&refused, "ul.six-clear-missing li").len(),
            2,
            "{e}"
        );
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/tasks/{id}"),
                Some(&cookie),
                Some(form(&format!(
                    "&responsible={person}&product=Kho+s%E1%BB%91"
                ))),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let stored = app.store.task(id).await.expect("read").expect("task");
        assert!(!stored.draft, "{e}");
        assert_eq!(stored.responsible_user_id, Some(person), "{e}");
        let (_, _, page) = app
            .page(Method::GET, &format!("/tasks/{id}"), Some(&cookie), None)
            .await;
        assert_eq!(
            select_texts(&page, "dd.responsible"),
            vec!["Người dùng reporter_a1 — Phòng Văn hóa - Xã hội"],
            "{e}"
        );
        assert_eq!(select_texts(&page, "dd.six-clear"), vec!["Đủ"], "{e}");
        // A new task may be saved as a draft from the form.
        let (_, _, new) = app
            .page(
                Method::GET,
                &format!("/plans/{}/tasks/new", w.plan_a1),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&new, "ul.six-clear-missing li").len(),
            5,
            "{e}"
        );
        let body = format!(
            "_csrf={}&title=Vi%E1%BB%87c+m%E1%BB%9Bi&draft=1&version=0",
            csrf_of(&new)
        );
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/plans/{}/tasks", w.plan_a1),
                Some(&cookie),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        app.finish().await;
    }
}

const PLAN: &str = "ỦY BAN NHÂN DÂN XÃ AN PHÚ

Số: 3/KH-UBND

An Phú, ngày 20 tháng 01 năm 2026

KẾ HOẠCH

Chuyển đổi số xã An Phú năm 2026

TT\tTên nhiệm vụ\tCơ quan chủ trì thực hiện\tCơ quan phối hợp\tKết quả\tThời gian hoàn thành
1\tSố hóa hồ sơ một cửa\tPhòng Văn hóa - Xã hội\tCông an xã\tKho hồ sơ số\tQuý III/2026
2\tTập huấn kỹ năng số cho người dân\tPhòng Văn hóa - Xã hội\tCông an xã\t\tNăm 2026
";

#[tokio::test]
async fn the_import_preview_lists_what_each_task_lacks_and_stores_them_as_drafts() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let (_, _, html) = app
            .page(Method::GET, "/plans/import", Some(&cookie), None)
            .await;
        let csrf = csrf_of(&html);
        let (ctype, body) = multipart(
            &[("issuer_unit_id", w.commune_a1.id.to_string())],
            &[("ke-hoach.txt", PLAN.as_bytes())],
        );
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
        assert_eq!(
            select_texts(&html, "table.tasks tr.task td.six-clear-missing"),
            vec![
                "rõ người (người phụ trách)",
                "rõ người (người phụ trách); rõ sản phẩm (kết quả, sản phẩm)"
            ],
            "{e}"
        );
        let count = select_texts(&html, "p.six-clear-count");
        assert!(
            count.len() == 1 && count[0].starts_with("Đủ «6 rõ»: 0/2 nhiệm vụ"),
            "{e}: {count:?}"
        );
        // Confirmed, both are drafts until a person is named.
        let form = format!("_csrf={}", csrf_of(&html));
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
        let tasks = app.store.tasks_of_plan(plan_id).await.expect("tasks");
        assert_eq!(tasks.len(), 2, "{e}");
        assert!(tasks.iter().all(|t| t.draft), "{e}");
        let (_, _, html) = app.page(Method::GET, &plan_uri, Some(&cookie), None).await;
        assert_eq!(
            select_texts(&html, "dd.six-clear-count"),
            vec!["0/2 nhiệm vụ"],
            "{e}"
        );
        app.finish().await;
    }
}
