//! "Việc cần làm" after each step of a reporting cycle, on each engine:
//! the reporter is told what to fill and by when, then what came back and
//! with how many comments; the focal point what waits for review and which
//! round to consolidate; the leader what waits for approval. Each item
//! links to the page that does it.

use axum::http::{Method, StatusCode};

use crate::harness::{TestApp, World, post_form, select_texts};

/// Milliseconds of a Vietnam local time in March 2026.
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

/// The texts of a to-do section's items, and their links.
async fn todo_of(app: &TestApp, user: &str, kind: &str) -> (Vec<String>, Vec<String>) {
    let cookie = app.login_cookie(user).await;
    let (s, _, html) = app.page(Method::GET, "/", Some(&cookie), None).await;
    assert_eq!(s, StatusCode::OK);
    let doc = scraper::Html::parse_document(&html);
    let sel =
        scraper::Selector::parse(&format!("section.todo-list ul.{kind} li a")).expect("selector");
    let links = doc
        .select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    (
        select_texts(&html, &format!("section.todo-list ul.{kind} li")),
        links,
    )
}

fn answer(w: &World, action: &str, version: &str) -> Vec<(String, String)> {
    vec![
        (format!("t{}_status", w.task_a1), "in_progress".into()),
        (format!("t{}_percent", w.task_a1), "60".into()),
        (
            format!("t{}_result", w.task_a1),
            "Đã xây dựng dự thảo".into(),
        ),
        (format!("t{}_v", w.task_a1), version.into()),
        (format!("g{}_value", w.target_a1), "92,5".into()),
        (
            format!("g{}_source", w.target_a1),
            "Số liệu của Viettel".into(),
        ),
        (format!("g{}_v", w.target_a1), version.into()),
        ("action".into(), action.into()),
    ]
}

async fn post(app: &TestApp, user: &str, page: &str, action: &str, fields: &[(String, String)]) {
    let cookie = app.login_cookie(user).await;
    let fields: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let (s, html) = post_form(app, &cookie, page, action, &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}: {action}: {html}", app.engine);
}

#[tokio::test]
async fn each_roles_to_do_list_follows_a_reporting_cycle() {
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
        let reports = store.reports_of_round(round.id).await.expect("reports");
        let vhxh = reports
            .iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report")
            .id;
        let page = format!("/reports/{vhxh}");
        let rpage = format!("/rounds/{}", round.id);

        // The round opened: the reporter has a report to fill by 15 March.
        let (fill, links) = todo_of(&app, "reporter_a1", "fill").await;
        assert_eq!(fill.len(), 1, "{e}: {fill:?}");
        assert!(fill[0].contains("Báo cáo tháng 3/2026"), "{e}: {fill:?}");
        assert!(fill[0].contains("Hạn nộp 15/03/2026"), "{e}: {fill:?}");
        assert_eq!(links, vec![page.clone()], "{e}");
        assert!(todo_of(&app, "focal_a1", "review").await.0.is_empty());
        assert!(todo_of(&app, "leader_a1", "approve").await.0.is_empty());
        // The focal point of the commune types no unit's report.
        assert!(todo_of(&app, "focal_a1", "fill").await.0.is_empty(), "{e}");

        // Sent: it leaves the reporter's list and waits for the focal point.
        set_clock(&app, march(12, 10));
        post(
            &app,
            "reporter_a1",
            &page,
            &page,
            &answer(&w, "submit", "0"),
        )
        .await;
        assert!(
            todo_of(&app, "reporter_a1", "fill").await.0.is_empty(),
            "{e}"
        );
        let (review, links) = todo_of(&app, "focal_a1", "review").await;
        assert_eq!(review.len(), 1, "{e}: {review:?}");
        assert!(review[0].contains("Phòng"), "{e}: {review:?}");
        assert_eq!(links, vec![page.clone()]);
        assert!(
            todo_of(&app, "focal_a2", "review").await.0.is_empty(),
            "{e}: another commune's"
        );

        // Returned with a comment on one item.
        post(
            &app,
            "focal_a1",
            &page,
            &format!("{page}/review"),
            &[
                ("decision".into(), "return".into()),
                ("comment".into(), "Bổ sung số liệu".into()),
                (format!("c_t{}", w.task_a1), "Nêu rõ kết quả".into()),
            ],
        )
        .await;
        assert!(
            todo_of(&app, "focal_a1", "review").await.0.is_empty(),
            "{e}"
        );
        let (returned, links) = todo_of(&app, "reporter_a1", "returned").await;
        assert_eq!(returned.len(), 1, "{e}: {returned:?}");
        assert!(
            returned[0].contains("1 ý kiến cần sửa"),
            "{e}: {returned:?}"
        );
        assert_eq!(links, vec![page.clone()]);

        // Sent again and accepted; once the due date passes the round is
        // the focal point's to consolidate.
        post(
            &app,
            "reporter_a1",
            &page,
            &page,
            &answer(&w, "submit", "1"),
        )
        .await;
        assert!(todo_of(&app, "reporter_a1", "returned").await.0.is_empty());
        post(
            &app,
            "focal_a1",
            &page,
            &format!("{page}/review"),
            &[("decision".into(), "accept".into())],
        )
        .await;
        assert!(
            todo_of(&app, "focal_a1", "consolidate").await.0.is_empty(),
            "{e}: other units may still report before 15 March"
        );
        set_clock(&app, march(16, 9));
        let (consolidate, links) = todo_of(&app, "focal_a1", "consolidate").await;
        assert_eq!(consolidate.len(), 1, "{e}: {consolidate:?}");
        assert!(
            consolidate[0].contains("Hạn tổng hợp 18/03/2026"),
            "{consolidate:?}"
        );
        assert_eq!(links, vec![rpage.clone()]);
        assert!(todo_of(&app, "leader_a1", "approve").await.0.is_empty());

        // Consolidated: it waits for the leader, and only for the leader.
        post(
            &app,
            "focal_a1",
            &rpage,
            &format!("{rpage}/consolidate"),
            &[("number".into(), "12".into())],
        )
        .await;
        assert!(todo_of(&app, "focal_a1", "consolidate").await.0.is_empty());
        let (approve, links) = todo_of(&app, "leader_a1", "approve").await;
        assert_eq!(approve.len(), 1, "{e}: {approve:?}");
        assert_eq!(links, vec![rpage.clone()]);
        assert!(todo_of(&app, "viewer_a1", "approve").await.0.is_empty());
        assert!(
            todo_of(&app, "leader_a", "approve").await.0.is_empty(),
            "{e}: the province's leader approves the province's own reports"
        );

        // Approved: nothing left for the leader.
        post(&app, "leader_a1", &rpage, &format!("{rpage}/approve"), &[]).await;
        assert!(
            todo_of(&app, "leader_a1", "approve").await.0.is_empty(),
            "{e}"
        );
        app.finish().await;
    }
}
