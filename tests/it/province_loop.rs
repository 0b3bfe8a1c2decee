//! The province–commune loop on both engines: a province task handed down
//! to three communes keeps its link however a commune edits its copy; the
//! province sees which communes sent their consolidated report of March on
//! time, late or not at all, sends one back, and sees its task's progress
//! rolled up from the communes' copies.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use theodoi::domain::access::Role;
use theodoi::domain::period::ReportingPeriod;
use theodoi::domain::plan::{PlanDraft, ReportingRegime};
use theodoi::domain::report::{TaskStatus, TaskUpdateDraft};
use theodoi::domain::unit::{Side, Unit, UnitDraft, UnitKind};
use theodoi::store::{Actor, ReportEdits, Store};

use crate::harness::{TestApp, World, task, user};

/// Milliseconds of 09:00 on a day of March 2026 in Vietnam.
fn march(day: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, 3, day)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("time")
        .and_utc()
        .timestamp_millis()
        - 7 * 3_600_000
}

fn set_clock(app: &TestApp, ms: i64) {
    let now = theodoi::clock::Clock::now_ms(&*app.clock);
    app.clock.advance_ms(ms - now);
}

async fn plan(store: &Store, issuer: &Unit, implements: Vec<i64>) -> i64 {
    let draft = PlanDraft {
        issuer_unit_id: issuer.id,
        number: Some("12/KH-UBND".into()),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 2, 2),
        place: Some(issuer.name.clone()),
        title: format!("Kế hoạch chuyển đổi số năm 2026 của {}", issuer.name),
        basis: vec![],
        implements,
        regime: ReportingRegime::default(),
    }
    .validate()
    .expect("valid plan");
    store
        .create_plan(draft, &Actor::system())
        .await
        .expect("plan")
        .id
}

/// The commune's focal point confirms its copy: its own lead unit, no
/// longer a draft, and no `parent_task_id` in the body.
async fn confirm_copy(app: &TestApp, token: &str, copy: &Value, lead: &Unit, person: &str) {
    let id = copy["id"].as_i64().expect("id");
    let person = app.user_id(person).await;
    let (status, body) = app
        .api(
            Method::PUT,
            &format!("/api/tasks/{id}"),
            Some(token),
            Some(json!({
                "title": copy["title"], "deadline": "Năm 2026",
                "lead": [{"unit_id": lead.id}], "draft": false,
                "product": copy["product"], "responsible_user_id": person,
                "version": copy["version"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}: {body}", app.engine);
    assert_eq!(
        body["parent_task_id"], copy["parent_task_id"],
        "the link is kept"
    );
}

/// The unit's report of the round, answered for `task_id`, submitted and
/// accepted.
async fn report_and_accept(
    store: &Store,
    round_id: i64,
    unit: &Unit,
    task_id: i64,
    update: TaskUpdateDraft,
) {
    let report = store
        .reports_of_round(round_id)
        .await
        .expect("reports")
        .into_iter()
        .find(|r| r.unit_id == unit.id)
        .expect("the unit's report");
    let edits = ReportEdits {
        notes: None,
        tasks: vec![(task_id, 0, update.validate().expect("valid update"))],
        targets: vec![],
    };
    store
        .save_report(report.id, edits, true, &Actor::system())
        .await
        .expect("submitted");
    store
        .review_report(report.id, true, None, vec![], &Actor::system())
        .await
        .expect("accepted");
}

#[tokio::test]
async fn the_province_follows_its_communes_reports_and_its_split_task() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let commune_a3 = store
            .create_unit(
                UnitDraft {
                    parent_id: Some(w.province_a.id),
                    kind: UnitKind::Commune,
                    name: "Xã An Lạc".into(),
                    aliases: vec![],
                    side: Side::Government,
                }
                .validate(Some(UnitKind::Province))
                .expect("valid"),
                &Actor::system(),
            )
            .await
            .expect("commune");
        let province_plan = plan(store, &w.province_a, vec![]).await;
        let plans = [
            plan(store, &w.commune_a1, vec![province_plan]).await,
            plan(store, &w.commune_a2, vec![province_plan]).await,
            plan(store, &commune_a3, vec![province_plan]).await,
        ];
        let province_task = task(
            store,
            province_plan,
            "Triển khai nền tảng số dùng chung",
            &w.province_a,
            "Năm 2026",
        )
        .await;
        user(store, "focal_a", &w.province_a, Role::FocalPoint).await;
        let focal_a = app.login_token("focal_a").await;
        let focal_a1 = app.login_token("focal_a1").await;
        let focal_a2 = app.login_token("focal_a2").await;

        // The province hands its task down to the three communes.
        let (status, copies) = app
            .api(
                Method::POST,
                &format!("/api/tasks/{province_task}/split"),
                Some(&focal_a),
                Some(json!({"plan_ids": plans})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{e}: {copies}");
        let copies = copies.as_array().expect("copies").clone();
        assert_eq!(copies.len(), 3);

        // Editing a copy keeps its link; naming another parent is refused,
        // naming the same one (which the commune cannot read) is not.
        confirm_copy(&app, &focal_a1, &copies[0], &w.vhxh_a1, "reporter_a1").await;
        confirm_copy(&app, &focal_a2, &copies[1], &w.vhxh_a2, "reporter_a2").await;
        let copy_a1 = copies[0]["id"].as_i64().expect("id");
        let (_, current) = app
            .api(
                Method::GET,
                &format!("/api/tasks/{copy_a1}"),
                Some(&focal_a1),
                None,
            )
            .await;
        for (parent, expected) in [
            (json!(w.task_a1), StatusCode::UNPROCESSABLE_ENTITY),
            (json!(province_task), StatusCode::OK),
            (Value::Null, StatusCode::OK),
        ] {
            let (_, current) = app
                .api(
                    Method::GET,
                    &format!("/api/tasks/{copy_a1}"),
                    Some(&focal_a1),
                    None,
                )
                .await;
            let (status, body) = app
                .api(
                    Method::PUT,
                    &format!("/api/tasks/{copy_a1}"),
                    Some(&focal_a1),
                    Some(json!({
                        "title": current["title"], "deadline": "Năm 2026",
                        "lead": [{"unit_id": w.vhxh_a1.id}], "parent_task_id": parent,
                        "product": current["product"], "version": current["version"],
                    })),
                )
                .await;
            assert_eq!(status, expected, "{e}: parent {parent}: {body}");
        }
        assert_eq!(current["parent_task_id"], json!(province_task));
        let children = store.child_tasks(province_task).await.expect("children");
        assert_eq!(children.len(), 3, "{e}: no copy lost its link");

        // March: the province's round and two communes' rounds.
        set_clock(&app, march(10));
        let march_period = ReportingPeriod::month(2026, 3).expect("period");
        let open = |plan_id: i64| {
            let store = store.clone();
            let period = march_period;
            async move {
                store
                    .open_round(plan_id, period, None, None, &Actor::system())
                    .await
                    .expect("round")
            }
        };
        let province_round = open(province_plan).await;
        let round_a1 = open(plans[0]).await;
        let round_a2 = open(plans[1]).await;
        set_clock(&app, march(12));
        report_and_accept(
            store,
            round_a1.id,
            &w.vhxh_a1,
            copy_a1,
            TaskUpdateDraft {
                status: Some(TaskStatus::Done),
                result: Some("Đã đưa nền tảng vào sử dụng".into()),
                ..TaskUpdateDraft::default()
            },
        )
        .await;
        report_and_accept(
            store,
            round_a2.id,
            &w.vhxh_a2,
            copies[1]["id"].as_i64().expect("id"),
            TaskUpdateDraft {
                status: Some(TaskStatus::InProgress),
                percent: Some(40),
                ..TaskUpdateDraft::default()
            },
        )
        .await;
        set_clock(&app, march(17));
        store
            .consolidate_round(round_a1.id, Some("20/BC-UBND".into()), &Actor::system())
            .await
            .expect("a1 consolidates on time");
        set_clock(&app, march(20));
        store
            .consolidate_round(round_a2.id, None, &Actor::system())
            .await
            .expect("a2 consolidates late");

        // The sessions of the 10th have ended by the 20th.
        let focal_a = app.login_token("focal_a").await;
        let focal_a1 = app.login_token("focal_a1").await;
        let focal_a2 = app.login_token("focal_a2").await;

        // The province's view of its communes' consolidated reports.
        let view_uri = format!("/api/rounds/{}/communes", province_round.id);
        let (status, view) = app.api(Method::GET, &view_uri, Some(&focal_a), None).await;
        assert_eq!(status, StatusCode::OK, "{e}: {view}");
        let states: Vec<(&str, &str)> = view["communes"]
            .as_array()
            .expect("communes")
            .iter()
            .map(|c| {
                (
                    c["commune_name"].as_str().unwrap_or(""),
                    c["state"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            states,
            vec![
                ("Xã An Phú", "on_time"),
                ("Xã An Hòa", "late"),
                ("Xã An Lạc", "missing")
            ],
            "{e}: {view}"
        );
        assert_eq!(
            (
                view["on_time"].clone(),
                view["late"].clone(),
                view["missing"].clone()
            ),
            (json!(1), json!(1), json!(1))
        );
        assert_eq!(view["communes"][0]["number"], "20/BC-UBND");
        assert_eq!(view["communes"][0]["due_on"], "2026-03-18");
        let (status, _) = app.api(Method::GET, &view_uri, Some(&focal_a1), None).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{e}: a commune does not follow the province's round"
        );

        // The province sends A2's report back; the commune cannot, nor can
        // another commune, and a reason is required.
        let return_uri = format!("/api/rounds/{}/return", round_a2.id);
        let why = json!({"reason": "Thiếu số liệu về nền tảng số dùng chung"});
        let (status, _) = app
            .api(
                Method::POST,
                &return_uri,
                Some(&focal_a2),
                Some(why.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
        let (status, _) = app
            .api(
                Method::POST,
                &return_uri,
                Some(&focal_a1),
                Some(why.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
        let (status, _) = app
            .api(
                Method::POST,
                &return_uri,
                Some(&focal_a),
                Some(json!({"reason": "  "})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, body) = app
            .api(Method::POST, &return_uri, Some(&focal_a), Some(why.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["consolidated"], "returned");
        let (_, view) = app.api(Method::GET, &view_uri, Some(&focal_a), None).await;
        assert_eq!(view["communes"][1]["state"], "returned", "{e}: {view}");
        assert_eq!(view["communes"][1]["return_reason"], why["reason"]);
        let (status, _) = app
            .api(Method::POST, &return_uri, Some(&focal_a), Some(why))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: returned once"
        );
        // The commune consolidates again.
        let (status, body) = app
            .api(
                Method::POST,
                &format!("/api/rounds/{}/consolidate", round_a2.id),
                Some(&focal_a2),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {body}");
        let (_, view) = app.api(Method::GET, &view_uri, Some(&focal_a), None).await;
        assert_eq!(view["communes"][1]["state"], "late", "{e}: {view}");

        // The split task: each commune's status and percent, rolled up.
        let split_uri = format!("/api/tasks/{province_task}/communes");
        let (status, split) = app.api(Method::GET, &split_uri, Some(&focal_a), None).await;
        assert_eq!(status, StatusCode::OK, "{e}: {split}");
        let rows: Vec<(String, Value, Value)> = split["children"]
            .as_array()
            .expect("children")
            .iter()
            .map(|c| {
                (
                    c["commune_name"].as_str().unwrap_or("").to_string(),
                    c["status"].clone(),
                    c["percent"].clone(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Xã An Phú".to_string(), json!("done"), json!(100)),
                ("Xã An Hòa".to_string(), json!("in_progress"), json!(40)),
                ("Xã An Lạc".to_string(), Value::Null, json!(0)),
            ],
            "{e}: {split}"
        );
        assert_eq!(split["percent"], json!(47), "{e}: (100 + 40 + 0) / 3");
        assert_eq!(split["status"], "in_progress");
        assert_eq!(
            (split["communes"].clone(), split["done"].clone()),
            (json!(3), json!(1))
        );
        let leader_a = app.login_token("leader_a").await;
        let (status, _) = app
            .api(Method::GET, &split_uri, Some(&leader_a), None)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{e}: the province's leader reads it"
        );
        // A commune sees only its own copy, with the whole rollup.
        let (status, own) = app
            .api(
                Method::GET,
                &format!("/api/tasks/{copy_a1}/communes"),
                Some(&focal_a1),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
        assert_eq!(own["communes"], json!(0), "{e}: its own copy has no copies");
        app.finish().await;
    }
}
