//! `theodoi demo` builds a past: on both engines the ranking is not a
//! tie, the twelve-month trends have values for past months, the public
//! page counts answered feedback, and each demo role has something to do.

use axum::http::{Method, StatusCode};

use crate::harness::{TestApp, select_texts, set_cookie};

/// Signs in a demo account (one without a second factor) through the form.
async fn demo_cookie(app: &TestApp, username: &str) -> String {
    let (_, headers, _) = app.page(Method::GET, "/login", None, None).await;
    let csrf = set_cookie(&headers, "theodoi_login_csrf").expect("login csrf cookie");
    let body = format!(
        "username={username}&password={}&_csrf={csrf}&next=%2F",
        theodoi::demo::DEMO_PASSWORD
    );
    let cookie = format!("theodoi_login_csrf={csrf}");
    let (s, headers, _) = app
        .page(Method::POST, "/login", Some(&cookie), Some(body))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}: login {username}", app.engine);
    let session = set_cookie(&headers, "theodoi_session").expect("session cookie");
    format!("theodoi_session={session}")
}

/// The number a cell shows ("1.234", "75%", "—").
fn number(cell: &str) -> f64 {
    let digits: String = cell
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    digits.replace(',', ".").parse().unwrap_or(0.0)
}

#[tokio::test]
async fn the_demo_has_a_past_that_ranks_communes_fills_the_trends_and_leaves_work_for_every_role() {
    for app in TestApp::all().await {
        let e = app.engine;
        let started = std::time::Instant::now();
        theodoi::demo::seed(&app.store).await.expect("demo");
        let took = started.elapsed();
        // A second run leaves the past as it is.
        theodoi::demo::seed(&app.store).await.expect("demo again");
        let province = app
            .store
            .user_by_username("tinh.lanhdao")
            .await
            .expect("user")
            .expect("province leader")
            .unit_id;

        let leader = demo_cookie(&app, "tinh.lanhdao").await;
        let url = format!("/dashboard/{province}");
        let (s, _, html) = app.page(Method::GET, &url, Some(&leader), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let scores = select_texts(&html, "table.ranking strong");
        assert_eq!(scores.len(), 3, "{e}: three communes ranked: {scores:?}");
        assert!(
            scores.iter().any(|s| s != &scores[0]),
            "{e}: the communes do not all tie: {scores:?}"
        );
        let ranks = select_texts(&html, "table.ranking td[data-label=\"Hạng\"]");
        assert_eq!(ranks, ["1", "2", "3"], "{e}");

        // Reports on time, month by month: the past eleven months have values.
        let on_time: Vec<String> = select_texts(
            &html,
            "figure.trend:not(.tasks-done) table.twin tbody td:nth-child(2)",
        );
        assert_eq!(on_time.len(), 12, "{e}: {on_time:?}");
        assert!(
            on_time[..11].iter().all(|v| number(v) > 0.0),
            "{e}: every past month has reports on time: {on_time:?}"
        );
        // Tasks done: a chart and its table twin, rising over the year.
        let done_chart = select_texts(&html, "figure.tasks-done figcaption");
        assert_eq!(done_chart, ["Nhiệm vụ hoàn thành 12 tháng qua"], "{e}");
        assert_eq!(
            select_texts(&html, "figure.tasks-done svg polyline").len(),
            1,
            "{e}"
        );
        let so_far: Vec<f64> =
            select_texts(&html, "figure.tasks-done table.twin tbody td:nth-child(3)")
                .iter()
                .map(|c| number(c))
                .collect();
        assert_eq!(so_far.len(), 12, "{e}");
        assert!(so_far.windows(2).all(|w| w[0] <= w[1]), "{e}: {so_far:?}");
        assert!(
            so_far[11] > so_far[0],
            "{e}: tasks were done this year: {so_far:?}"
        );
        let in_month = select_texts(&html, "figure.tasks-done table.twin tbody td:nth-child(2)");
        assert!(
            in_month.iter().any(|c| number(c) > 0.0),
            "{e}: {in_month:?}"
        );

        // The public page of a commune counts answered feedback.
        let tan_phong = app
            .store
            .user_by_username("tanphong.daumoi")
            .await
            .expect("user")
            .expect("focal point")
            .unit_id;
        let (s, _, html) = app
            .page(Method::GET, &format!("/cong-khai/{tan_phong}"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let answered = select_texts(&html, "strong.answered");
        assert!(
            answered.first().is_some_and(|a| number(a) > 0.0),
            "{e}: {answered:?}"
        );
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/gop-y/da-tra-loi?xa={tan_phong}"),
                None,
                None,
            )
            .await;
        assert!(html.contains("Tổ công nghệ số cộng đồng mở lớp"), "{e}");

        // Every demo role that reports, reviews or approves has something
        // to do (a viewer's list holds only overdue tasks and warnings,
        // which depend on the day the demo runs; the Hòa Lạc plan names
        // no unit of the commune's directory, so no unit reports on it).
        for user in [
            "tanphong.vhxh",
            "tanphong.congan",
            "tanphong.daumoi",
            "tanphong.lanhdao",
            "dongtam.daumoi",
            "tinh.daumoi",
            "tinh.lanhdao",
        ] {
            let cookie = demo_cookie(&app, user).await;
            let (s, _, html) = app.page(Method::GET, "/", Some(&cookie), None).await;
            assert_eq!(s, StatusCode::OK, "{e}: {user}");
            let items = select_texts(&html, "section.todo-list li");
            assert!(!items.is_empty(), "{e}: {user} has a to-do");
        }
        // The reporter is told what to fill, the focal point what waits
        // for review, the leader what waits for approval.
        for (user, kind) in [
            ("tanphong.vhxh", "fill"),
            ("tanphong.daumoi", "review"),
            ("dongtam.daumoi", "review"),
            ("tanphong.lanhdao", "approve"),
        ] {
            let cookie = demo_cookie(&app, user).await;
            let (_, _, html) = app.page(Method::GET, "/", Some(&cookie), None).await;
            let items = select_texts(&html, &format!("section.todo-list ul.{kind} li"));
            assert!(!items.is_empty(), "{e}: {user} sees {kind}");
        }
        assert!(took.as_secs() < 120, "{e}: the demo took {took:?}");
        app.finish().await;
    }
}
