//! Pages, checked with CSS selectors: login, the tree, a plan with its
//! tasks and targets, a task, a target, forms.

use axum::http::{Method, StatusCode, header};

use crate::harness::{TestApp, World, csrf_of, select_texts};

#[tokio::test]
async fn a_visitor_is_sent_to_the_login_page() {
    let app = TestApp::sqlite().await;
    World::build(&app.store).await;
    let (s, headers, _) = app.page(Method::GET, "/plans", None, None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login?next=/plans")
    );
    let (s, headers, html) = app.page(Method::GET, "/login", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(select_texts(&html, "h1").contains(&"Theo Dõi".to_string()));
    assert!(html.contains("lang=\"vi\""));
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(
        headers.get("x-frame-options").and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    let (s, _, _) = app.page(Method::GET, "/healthz", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, headers, css) = app.page(Method::GET, "/static/style.css", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("text/css")
    );
    assert!(css.contains("@media (max-width: 640px)"));
    app.finish().await;
}

#[tokio::test]
async fn a_plan_page_shows_its_tasks_and_targets() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/plans/{}", w.plan_a1),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}", app.engine);
        let tasks = select_texts(&html, "table.tasks tr.task td[data-label=\"Nhiệm vụ\"] a");
        assert_eq!(
            tasks,
            vec![
                "Xây dựng kế hoạch chuyển đổi số",
                "Định danh điện tử cho người dân"
            ]
        );
        let groups = select_texts(&html, "table.tasks tr.group td");
        assert_eq!(
            groups,
            vec!["I. Hạ tầng số"],
            "a group heading printed once"
        );
        let targets = select_texts(&html, "table.targets tr.target td[data-label=\"Mục tiêu\"]");
        assert_eq!(targets, vec!["2026: ≥ 90"]);
        assert!(
            select_texts(&html, "p.actions a").is_empty(),
            "a reporter cannot edit the plan"
        );
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks/{}", w.task_a1),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Tháng 7/2026") && html.contains("31/07/2026"));
        let (s, _, html) = app
            .page(
                Method::GET,
                &format!("/targets/{}", w.target_a1),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Tỷ lệ phủ sóng 5G"));
        let (s, _, html) = app.page(Method::GET, "/units", Some(&cookie), None).await;
        assert_eq!(s, StatusCode::OK);
        let names = select_texts(&html, "ul.tree li a");
        assert!(
            names.contains(&"Xã An Phú".to_string()) && !names.contains(&"Xã An Hòa".to_string()),
            "{names:?}"
        );
        let (s, _, html) = app
            .page(Method::GET, "/tasks?q=dinh+danh", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            select_texts(&html, "ul.list li a"),
            vec!["1. Định danh điện tử cho người dân"]
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_focal_point_creates_a_plan_a_task_and_a_target_through_the_forms() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let cookie = app.login_cookie("focal_a1").await;
        let (s, _, form) = app
            .page(Method::GET, "/plans/new", Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{}", app.engine);
        let csrf = csrf_of(&form);
        let body = format!(
            "_csrf={csrf}&issuer_unit_id={}&number=40%2FKH-UBND&date=2026-03-01&title=K%E1%BA%BF+ho%E1%BA%A1ch+m%E1%BB%9Bi&periods=monthly&periods=yearly&unit_due_day=15&consolidated_due_day=18&version=0",
            w.commune_a1.id
        );
        let (s, headers, _) = app
            .page(Method::POST, "/plans", Some(&cookie), Some(body))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let location = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string();
        let plan_id: i64 = location
            .trim_start_matches("/plans/")
            .parse()
            .expect("plan id");
        let body = format!(
            "_csrf={csrf}&ref=1&title=Tri%E1%BB%83n+khai+ch%E1%BB%AF+k%C3%BD+s%E1%BB%91&lead={}&support={}&support_other=Vi%E1%BB%85n+th%C3%B4ng&product=Ch%E1%BB%AF+k%C3%BD+s%E1%BB%91&deadline=Qu%C3%BD+II%2F2026&responsible={}&version=0",
            w.vhxh_a1.id,
            w.police_a1.id,
            app.user_id("reporter_a1").await
        );
        let (s, headers, _) = app
            .page(
                Method::POST,
                &format!("/plans/{plan_id}/tasks"),
                Some(&cookie),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let task_uri = headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("location")
            .to_string();
        let (_, _, html) = app.page(Method::GET, &task_uri, Some(&cookie), None).await;
        assert!(
            html.contains("Phòng Văn hóa - Xã hội") && html.contains("Công an xã; Viễn thông"),
            "{html}"
        );
        let body = format!(
            "_csrf={csrf}&ref=1&name=T%E1%BB%B7+l%E1%BB%87+ch%E1%BB%AF+k%C3%BD+s%E1%BB%91&measure_unit=%25&lead={}&goals=2026%3A+%E2%89%A5+70%0D%0A2030%3A+100&version=0",
            w.vhxh_a1.id
        );
        let (s, _, html) = app
            .page(
                Method::POST,
                &format!("/plans/{plan_id}/targets"),
                Some(&cookie),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/plans/{plan_id}"),
                Some(&cookie),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&html, "table.targets tr.target td[data-label=\"Mục tiêu\"]"),
            vec!["2026: ≥ 70 2030: ≥ 100"]
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn tasks_are_managed_around_reporting() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        // Province A issues a plan; commune A1's plan implements it.
        let province_plan = app
            .store
            .create_plan(
                theodoi::domain::plan::PlanDraft {
                    issuer_unit_id: w.province_a.id,
                    number: Some("06/KH-UBND".into()),
                    issued_on: None,
                    place: None,
                    title: "Kế hoạch của tỉnh".into(),
                    basis: vec![],
                    implements: vec![],
                    regime: Default::default(),
                }
                .validate()
                .expect("valid draft"),
                &theodoi::store::Actor::system(),
            )
            .await
            .expect("plan");
        let plan = app
            .store
            .plan(w.plan_a1)
            .await
            .expect("read")
            .expect("plan");
        app.store
            .update_plan(
                plan.id,
                plan.version,
                theodoi::domain::plan::PlanDraft {
                    issuer_unit_id: plan.issuer_unit_id,
                    number: plan.number.clone(),
                    issued_on: plan.issued_on,
                    place: plan.place.clone(),
                    title: plan.title.clone(),
                    basis: vec![],
                    implements: vec![province_plan.id],
                    regime: plan.regime.clone(),
                }
                .validate()
                .expect("valid draft"),
                &theodoi::store::Actor::system(),
            )
            .await
            .expect("link");
        let province_task = crate::harness::task(
            &app.store,
            province_plan.id,
            "Triển khai nền tảng số dùng chung",
            &w.province_a,
            "Năm 2026",
        )
        .await;

        // The province's focal point hands the task down to the commune plan.
        crate::harness::user(
            &app.store,
            "focal_a",
            &w.province_a,
            theodoi::domain::access::Role::FocalPoint,
        )
        .await;
        let focal_a = app.login_cookie("focal_a").await;
        let page = format!("/tasks/{province_task}");
        let (_, _, html) = app.page(Method::GET, &page, Some(&focal_a), None).await;
        let body = format!("_csrf={}&plan={}", csrf_of(&html), w.plan_a1);
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("{page}/split"),
                Some(&focal_a),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let children = app
            .store
            .child_tasks(province_task)
            .await
            .expect("children");
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].plan_id, w.plan_a1);
        let (_, _, html) = app.page(Method::GET, &page, Some(&focal_a), None).await;
        assert_eq!(
            select_texts(&html, "ul.children li a"),
            vec!["Xã An Phú"],
            "{e}: the province sees the commune's task under its own"
        );

        // The commune's focal point changes a deadline with a reason and marks a task not applicable.
        let focal = app.login_cookie("focal_a1").await;
        let tpage = format!("/tasks/{}", w.task_a1);
        let (_, _, html) = app.page(Method::GET, &tpage, Some(&focal), None).await;
        let csrf = csrf_of(&html);
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("{tpage}/deadline"),
                Some(&focal),
                Some(format!("_csrf={csrf}&deadline=Qu%C3%BD+IV%2F2026&reason=")),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: a reason is required"
        );
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("{tpage}/deadline"),
                Some(&focal),
                Some(format!(
                    "_csrf={csrf}&deadline=Qu%C3%BD+IV%2F2026&reason=Ch%E1%BB%9D+kinh+ph%C3%AD"
                )),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let task = app
            .store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task");
        assert_eq!(task.deadline.text(), "Quý IV/2026");
        let trail = app.store.audit_of("task", w.task_a1).await.expect("audit");
        assert!(
            trail[0]
                .after
                .as_deref()
                .unwrap_or("")
                .contains("Chờ kinh phí")
        );
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("/tasks/{}/not-applicable", w.task_a1_police),
                Some(&focal),
                Some(format!(
                    "_csrf={csrf}&reason=Kh%C3%B4ng+c%C3%B3+%C4%91%E1%BB%91i+t%C6%B0%E1%BB%A3ng"
                )),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks/{}", w.task_a1_police),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&html, "p.not-applicable"),
            vec!["Không áp dụng: Không có đối tượng"]
        );
        // A reporter may not.
        let reporter = app.login_cookie("reporter_a1").await;
        let (s, _, _) = app
            .page(
                Method::POST,
                &format!("{tpage}/deadline"),
                Some(&reporter),
                Some(format!(
                    "_csrf={}&deadline=2027&reason=x",
                    csrf_of(&app.page(Method::GET, &tpage, Some(&reporter), None).await.2)
                )),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // Lists filter by status and deadline.
        let (_, _, html) = app
            .page(
                Method::GET,
                "/tasks?status=none&due_by=2026-12-31",
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(
            select_texts(&html, "ul.list li a"),
            vec![
                "1. Xây dựng kế hoạch chuyển đổi số",
                "1. Triển khai nền tảng số dùng chung"
            ],
            "{e}: one-off tasks due by the end of 2026 and never reported (the ongoing one has no end date)"
        );
        app.finish().await;
    }
}
