//! Status everywhere, on each engine: the task list, the task page and the
//! plan show a task's latest accepted status, percent, result and report
//! history; the list filters by "Quá hạn", shows its filters as removable
//! chips, and its pager keeps them.

use axum::http::{Method, StatusCode};

use crate::harness::{TestApp, World, post_form, select_texts, task};

fn march(day: u32, hour: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, 3, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("time")
        .and_utc()
        .timestamp_millis()
        - 7 * 3_600_000
}

fn set_clock(app: &TestApp, ms: i64) {
    let now = theodoi::clock::Clock::now_ms(&*app.clock);
    app.clock.advance_ms(ms - now);
}

fn attr_all(html: &str, css: &str, attr: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

async fn get(app: &TestApp, cookie: &str, uri: &str) -> String {
    let (s, _, html) = app.page(Method::GET, uri, Some(cookie), None).await;
    assert_eq!(s, StatusCode::OK, "{}: {uri}", app.engine);
    html
}

#[tokio::test]
async fn tasks_show_their_latest_accepted_report_and_history() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        set_clock(&app, march(10, 9));
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let round = store.rounds_of_plan(w.plan_a1).await.expect("rounds")[0].clone();
        let report = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report")
            .id;
        let page = format!("/reports/{report}");
        let reporter = app.login_cookie("reporter_a1").await;
        let fields = [
            (format!("t{}_status", w.task_a1), "in_progress".to_string()),
            (format!("t{}_percent", w.task_a1), "60".into()),
            (
                format!("t{}_result", w.task_a1),
                "Đã ban hành dự thảo".into(),
            ),
            (format!("t{}_v", w.task_a1), "0".into()),
            (format!("g{}_value", w.target_a1), "92,5".into()),
            (format!("g{}_source", w.target_a1), "Viettel".into()),
            (format!("g{}_v", w.target_a1), "0".into()),
            ("action".into(), "submit".into()),
        ];
        let fields: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let (s, html) = post_form(&app, &reporter, &page, &page, &fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");

        // Sent but not accepted: the task page lists the report, the
        // status is not yet taken from it.
        let focal = app.login_cookie("focal_a1").await;
        let html = get(&app, &focal, &format!("/tasks/{}", w.task_a1)).await;
        assert_eq!(
            select_texts(&html, "strong.status"),
            vec!["Chưa có báo cáo được tiếp nhận"],
            "{e}"
        );
        let lines = select_texts(&html, "ul.task-reports li");
        assert_eq!(lines.len(), 1, "{e}: {lines:?}");
        assert!(lines[0].contains("Đã gửi, chờ xem xét"), "{e}: {lines:?}");

        let (s, html) = post_form(
            &app,
            &focal,
            &page,
            &format!("{page}/review"),
            &[("decision", "accept".into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let html = get(&app, &focal, &format!("/tasks/{}", w.task_a1)).await;
        assert_eq!(
            select_texts(&html, "strong.status"),
            vec!["Đang thực hiện"],
            "{e}"
        );
        assert_eq!(select_texts(&html, "span.percent"), vec!["60%"], "{e}");
        assert!(
            select_texts(&html, "p.result")
                .iter()
                .any(|r| r.contains("Đã ban hành dự thảo")),
            "{e}"
        );
        let lines = select_texts(&html, "ul.task-reports li");
        assert!(lines[0].contains("Đã tiếp nhận"), "{e}: {lines:?}");
        assert!(lines[0].contains("60%"), "{e}: {lines:?}");

        // The task list and the plan say the same.
        let html = get(&app, &focal, "/tasks").await;
        assert!(
            select_texts(&html, "small.standing")
                .iter()
                .any(|s| s.contains("Đang thực hiện · 60%") && s.contains("Đã ban hành dự thảo")),
            "{e}"
        );
        let html = get(&app, &focal, &format!("/plans/{}", w.plan_a1)).await;
        assert!(
            select_texts(&html, "td.standing")
                .iter()
                .any(|s| s.contains("Đang thực hiện · 60%")),
            "{e}"
        );
        let html = get(&app, &focal, "/plans").await;
        assert!(!select_texts(&html, "small.progress").is_empty(), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn filters_are_chips_and_the_pager_keeps_them() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        set_clock(&app, march(10, 9));
        for n in 1..=55 {
            let title = format!("Nhiệm vụ hàng loạt số {n}");
            let deadline = if n <= 3 {
                "Tháng 02/2026"
            } else {
                "Năm 2027"
            };
            task(store, w.plan_a1, &title, &w.vhxh_a1, deadline).await;
        }
        let focal = app.login_cookie("focal_a1").await;

        // "Quá hạn" is a filter of its own, kept by «Lọc» and shown as a chip.
        let html = get(&app, &focal, "/tasks?q=hang+loat&state=overdue").await;
        assert_eq!(select_texts(&html, "p.meta"), vec!["3 nhiệm vụ"], "{e}");
        assert_eq!(
            attr_all(&html, "select[name=state] option[selected]", "value"),
            vec!["overdue"]
        );
        assert!(
            select_texts(&html, "ul.tasks .badge.bad")
                .iter()
                .all(|b| b == "Quá hạn")
        );
        assert_eq!(select_texts(&html, "ul.tasks .badge.bad").len(), 3, "{e}");
        let chips = select_texts(&html, "a.chip");
        assert_eq!(chips.len(), 2, "{e}: {chips:?}");
        assert!(chips[0].starts_with("Từ khóa: hang loat"), "{chips:?}");
        assert!(chips[1].starts_with("Quá hạn"), "{chips:?}");
        assert_eq!(
            attr_all(&html, "a.chip", "href"),
            vec!["/tasks?state=overdue", "/tasks?q=hang%20loat"]
        );

        // A dashboard's drill-down is a filter too, and «Lọc» keeps it.
        let within = w.commune_a1.id;
        let html = get(
            &app,
            &focal,
            &format!("/tasks?within={within}&state=overdue"),
        )
        .await;
        assert_eq!(
            attr_all(&html, "form.search input[name=within]", "value"),
            vec![within.to_string()]
        );
        assert!(
            select_texts(&html, "a.chip")
                .iter()
                .any(|c| c.starts_with("Trong: ")),
            "{e}"
        );

        // 55 tasks in two pages: the pager goes first, back, on and last
        // with the search kept.
        let html = get(&app, &focal, "/tasks?q=hang+loat").await;
        assert_eq!(
            attr_all(&html, "nav.pager a", "href"),
            vec!["/tasks?q=hang%20loat&page=2", "/tasks?q=hang%20loat&page=2"],
            "{e}: next and last"
        );
        let html = get(&app, &focal, "/tasks?q=hang%20loat&page=2").await;
        assert_eq!(
            attr_all(&html, "nav.pager a", "href"),
            vec!["/tasks?q=hang%20loat&page=1", "/tasks?q=hang%20loat&page=1"],
            "{e}: first and previous"
        );
        assert_eq!(select_texts(&html, "ul.tasks > li").len(), 5, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_report_list_filters_by_status_and_pages() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        World::build(store).await;
        set_clock(&app, march(10, 9));
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let focal = app.login_cookie("focal_a1").await;
        let html = get(&app, &focal, "/reports").await;
        assert!(
            select_texts(&html, "h2")
                .iter()
                .any(|h| h.starts_with("Báo cáo của các đơn vị trong phạm vi")),
            "{e}"
        );
        let all = select_texts(&html, "ul.reports li").len();
        assert!(all >= 2, "{e}: {all}");
        let html = get(&app, &focal, "/reports?status=pending").await;
        let rows = select_texts(&html, "ul.reports li");
        assert_eq!(rows.len(), all, "{e}: nothing sent yet");
        assert!(rows.iter().all(|r| r.contains("Chưa báo cáo")), "{e}");
        assert_eq!(attr_all(&html, "a.chip", "href"), vec!["/reports"], "{e}");
        let html = get(&app, &focal, "/reports?status=accepted").await;
        assert!(select_texts(&html, "ul.reports li").is_empty(), "{e}");
        let reporter = app.login_cookie("reporter_a1").await;
        let html = get(&app, &reporter, "/reports").await;
        assert!(
            select_texts(&html, "h2")
                .iter()
                .any(|h| h.starts_with("Báo cáo của đơn vị")),
            "{e}"
        );
        app.finish().await;
    }
}
