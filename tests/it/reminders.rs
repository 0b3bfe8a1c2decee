//! The reminder ladder run day after day, as the hourly housekeeping does:
//! 7 and 3 working days before a deadline, on the day, then every 5
//! working days; the third reminder of lateness with no accepted progress
//! sends the task to the leaders once; accepted progress starts the count
//! again; the lead unit explains, and the explanation reaches the leaders'
//! home page and the consolidated report.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use serde_json::{Value, json};
use theodoi::notify::run_daily;

use crate::harness::{TestApp, World, post_form, select_texts, task};
use crate::report_content::round_report_text;
use crate::update_rate::report_accepted;

const DAY_MS: i64 = 24 * 3_600_000;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// One day of housekeeping: rounds open, reminders go out.
async fn one_day(app: &TestApp) {
    app.clock.advance_ms(DAY_MS);
    let today = app.store.clock().today();
    app.store.open_current_rounds(today).await.expect("rounds");
    run_daily(&app.store, None, 5).await;
}

async fn walk_to(app: &TestApp, last: NaiveDate) {
    while app.store.clock().today() < last {
        one_day(app).await;
    }
}

/// The kinds of the notifications a person got about a task, oldest first.
async fn kinds_for(app: &TestApp, username: &str, task_id: i64) -> Vec<String> {
    let user = app
        .store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user");
    let link = format!("/tasks/{task_id}");
    let mut got = app
        .store
        .notifications_of(user.id, 1000)
        .await
        .expect("notifications");
    got.sort_by_key(|n| n.id);
    got.into_iter()
        .filter(|n| n.link.as_deref() == Some(link.as_str()))
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
async fn reminders_climb_the_ladder_and_a_silent_task_goes_to_the_leaders_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        // Due Tuesday 31/3/2026; the clock starts on Tuesday 10/3.
        let silent = task(
            store,
            w.plan_a1,
            "Số hóa sổ hộ tịch",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        let moving = task(
            store,
            w.plan_a1,
            "Khảo sát hạ tầng số các thôn",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        walk_to(&app, d(2026, 4, 1)).await;
        report_accepted(&app, "reporter_a1", moving, "in_progress").await;
        walk_to(&app, d(2026, 4, 16)).await;

        let ladder = [
            "due_soon",
            "due_soon",
            "due_today",
            "overdue",
            "overdue",
            "overdue",
        ];
        assert_eq!(kinds_for(&app, "reporter_a1", silent).await, ladder, "{e}");
        assert_eq!(
            kinds_for(&app, "focal_a1", silent).await,
            ladder,
            "{e}: the focal point too"
        );
        assert_eq!(
            kinds_for(&app, "leader_a1", silent).await,
            ["escalation"],
            "{e}: the leaders hear of it once, on the third reminder of lateness"
        );
        let up = store
            .escalations_of_task(silent)
            .await
            .expect("escalations");
        assert_eq!(up.len(), 1, "{e}");
        assert_eq!(
            (up[0].escalated_on, up[0].reminders),
            (d(2026, 4, 15), 3),
            "{e}"
        );
        assert_eq!(up[0].level_unit_id, w.commune_a1.id, "{e}");
        // Progress accepted on 1/4, after the first reminder of lateness:
        // two more by 15/4 are not enough.
        assert!(
            store
                .escalations_of_task(moving)
                .await
                .expect("escalations")
                .is_empty(),
            "{e}: accepted progress starts the count again"
        );
        walk_to(&app, d(2026, 4, 22)).await;
        let later = store
            .escalations_of_task(moving)
            .await
            .expect("escalations");
        assert_eq!(later.len(), 1, "{e}");
        assert_eq!(
            (later[0].escalated_on, later[0].reminders),
            (d(2026, 4, 22), 3),
            "{e}"
        );
        // Another run the same day sends nothing again.
        let again = run_daily(store, None, 5).await;
        assert_eq!(again.new_notifications, 0, "{e}");
        assert_eq!(
            kinds_for(&app, "leader_a1", silent).await,
            ["escalation"],
            "{e}"
        );

        // The leader's home page lists both, not yet explained.
        let leader = app.login_cookie("leader_a1").await;
        let (_, _, html) = app.page(Method::GET, "/", Some(&leader), None).await;
        let listed = select_texts(&html, "ul.escalated li");
        assert_eq!(listed.len(), 2, "{e}: {listed:?}");
        assert!(
            listed.iter().all(|l| l.contains("Chưa giải trình")),
            "{e}: {listed:?}"
        );

        // The lead unit explains on the task's page; a blank one is refused
        // and nothing is lost.
        let reporter = app.login_cookie("reporter_a1").await;
        let form_path = format!("/escalations/{}/explanation", up[0].id);
        let version = up[0].version.to_string();
        let page = format!("/tasks/{silent}");
        let (s, html) = post_form(
            &app,
            &reporter,
            &page,
            &form_path,
            &[("version", version.clone()), ("explanation", "   ".into())],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Hãy ghi lời giải trình"), "{e}");
        let why = "Chờ kinh phí số hóa được phân bổ trong quý II";
        let (s, _) = post_form(
            &app,
            &reporter,
            &page,
            &form_path,
            &[("version", version.clone()), ("explanation", why.into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        // Someone who only reads cannot explain for the unit.
        let viewer = app.login_token("viewer_a1").await;
        let (s, _) = app
            .api(
                Method::POST,
                &format!("/api/escalations/{}/explanation", up[0].id),
                Some(&viewer),
                Some(json!({"explanation": "Không", "version": 2})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let token = app.login_token("leader_a1").await;
        let (s, list) = app
            .api(Method::GET, "/api/escalations", Some(&token), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let explained: Vec<&Value> = list
            .as_array()
            .expect("list")
            .iter()
            .filter(|x| x["explanation"] == json!(why))
            .collect();
        assert_eq!(explained.len(), 1, "{e}: {list}");
        assert_eq!(
            explained[0]["explained_by"],
            json!("Người dùng reporter_a1"),
            "{e}"
        );
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/tasks/{silent}"),
                Some(&leader),
                None,
            )
            .await;
        assert!(html.contains(why), "{e}");

        // The consolidated report names them with what the unit said.
        let focal = app.login_token("focal_a1").await;
        let (_, rounds) = app
            .api(
                Method::GET,
                &format!("/api/rounds?plan_id={}", w.plan_a1),
                Some(&focal),
                None,
            )
            .await;
        let round = rounds[0]["id"].as_i64().expect("round");
        let text = round_report_text(&app, "focal_a1", round).await;
        assert!(text.contains("báo cáo lãnh đạo sau 3 lần nhắc"), "{e}");
        assert!(text.contains(&format!("giải trình: {why}")), "{e}");
        assert!(text.contains("chưa giải trình"), "{e}: the other one");
        app.finish().await;
    }
}
