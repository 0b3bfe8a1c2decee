//! Two communes with plans, reports and figures merge into a third (the
//! 2025 rearrangement) on both engines: their counters move to the
//! successor in one transaction, the province's and the nation's do not
//! change and equal a recount, the old records keep their names, and the
//! successor's staff and dashboard include both histories.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::json;

use theodoi::domain::access::Role;
use theodoi::domain::period::ReportingPeriod;
use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use theodoi::domain::rollup::Counter;
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::{Actor, ReportEdits, Store};

use crate::harness::{TestApp, World, user};

/// Every report of the plan's March round answered, submitted, accepted.
pub(crate) async fn report_march(store: &Store, plan_id: i64) -> i64 {
    let round = store
        .open_round(
            plan_id,
            ReportingPeriod::month(2026, 3).expect("period"),
            None,
            None,
            &Actor::system(),
        )
        .await
        .expect("round");
    for report in store.reports_of_round(round.id).await.expect("reports") {
        let view = store
            .report_view(report.id)
            .await
            .expect("view")
            .expect("report");
        let edits = ReportEdits {
            notes: None,
            tasks: view
                .tasks
                .iter()
                .map(|t| {
                    let draft = TaskUpdateDraft {
                        status: Some(TaskStatus::InProgress),
                        percent: Some(50),
                        ..TaskUpdateDraft::default()
                    };
                    (t.task.id, 0, draft.validate().expect("valid"))
                })
                .collect(),
            targets: view
                .targets
                .iter()
                .map(|t| {
                    let draft = TargetFigureDraft {
                        value: Some(72.0),
                        source: Some("Thống kê của xã".into()),
                        ..TargetFigureDraft::default()
                    };
                    (t.target.id, 0, draft.validate().expect("valid"))
                })
                .collect(),
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
    round.id
}

pub(crate) async fn counters(store: &Store, unit_id: i64) -> BTreeMap<Counter, i64> {
    let mut out = BTreeMap::new();
    for (counter, value) in store.rollup(unit_id).await.expect("rollup").rows {
        *out.entry(counter).or_insert(0) += value;
    }
    out.retain(|_, v| *v != 0);
    out
}

pub(crate) fn sum(
    a: &BTreeMap<Counter, i64>,
    b: &BTreeMap<Counter, i64>,
) -> BTreeMap<Counter, i64> {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(*k).or_insert(0) += v;
    }
    out.retain(|_, v| *v != 0);
    out
}

#[tokio::test]
async fn two_communes_merge_into_a_third_with_their_history() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let round_a1 = report_march(store, w.plan_a1).await;
        report_march(store, w.plan_a2).await;
        let successor = store
            .create_unit(
                UnitDraft {
                    parent_id: Some(w.province_a.id),
                    kind: UnitKind::Commune,
                    name: "Xã An Phú Hòa".into(),
                    aliases: vec![],
                    side: Side::Government,
                }
                .validate(Some(UnitKind::Province))
                .expect("valid"),
                &Actor::system(),
            )
            .await
            .expect("successor");
        user(store, "admin_a", &w.province_a, Role::Administrator).await;
        user(store, "focal_c", &successor, Role::FocalPoint).await;
        let nation = counters(store, w.nation.id).await;
        let province = counters(store, w.province_a.id).await;
        let a1 = counters(store, w.commune_a1.id).await;
        let a2 = counters(store, w.commune_a2.id).await;
        assert!(!a1.is_empty() && !a2.is_empty(), "{e}: both have counters");

        let admin_a = app.login_token("admin_a").await;
        let focal_a1 = app.login_token("focal_a1").await;
        let merge_uri = format!("/api/units/{}/merge", successor.id);
        let body =
            json!({"sources": [w.commune_a1.id, w.commune_a2.id], "effective_on": "2026-03-01"});
        let (status, _) = app
            .api(
                Method::POST,
                &merge_uri,
                Some(&focal_a1),
                Some(body.clone()),
            )
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{e}: {status}"
        );
        let (status, merged) = app
            .api(Method::POST, &merge_uri, Some(&admin_a), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {merged}");

        // The counters moved in the one transaction; the levels above did not change.
        assert_eq!(counters(store, successor.id).await, sum(&a1, &a2), "{e}");
        assert_eq!(counters(store, w.province_a.id).await, province, "{e}");
        assert_eq!(counters(store, w.nation.id).await, nation, "{e}");
        assert_eq!(
            counters(store, w.commune_a1.id).await,
            a1,
            "{e}: its own history stays"
        );
        store.rebuild_rollups().await.expect("recount");
        assert_eq!(counters(store, w.nation.id).await, nation, "{e}: a recount");
        assert_eq!(
            counters(store, w.province_a.id).await,
            province,
            "{e}: a recount"
        );
        assert_eq!(
            counters(store, successor.id).await,
            sum(&a1, &a2),
            "{e}: a recount"
        );

        // The merged commune keeps its name, ends on the day, names its successor.
        let (_, a1_now) = app
            .api(
                Method::GET,
                &format!("/api/units/{}", w.commune_a1.id),
                Some(&admin_a),
                None,
            )
            .await;
        assert_eq!(a1_now["name"], "Xã An Phú", "{e}");
        assert_eq!(a1_now["ended_on"], "2026-03-01");
        assert_eq!(a1_now["successor_id"], json!(successor.id));
        let (_, detail) = app
            .api(
                Method::GET,
                &format!("/api/rounds/{round_a1}"),
                Some(&admin_a),
                None,
            )
            .await;
        let names: Vec<&str> = detail["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .filter_map(|r| r["unit_name"].as_str())
            .collect();
        assert!(names.contains(&"Phòng Văn hóa - Xã hội"), "{e}: {names:?}");

        // The successor's focal point reads both communes' plans and dashboard.
        let focal_c = app.login_token("focal_c").await;
        let (status, plans) = app
            .api(Method::GET, "/api/plans?per_page=100", Some(&focal_c), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {plans}");
        let ids: Vec<i64> = plans["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|p| p["id"].as_i64())
            .collect();
        assert!(
            ids.contains(&w.plan_a1) && ids.contains(&w.plan_a2),
            "{e}: {ids:?}"
        );
        let (status, _) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", successor.id),
                Some(&focal_c),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
        let (_, dashboard) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.province_a.id),
                Some(&admin_a),
                None,
            )
            .await;
        let ranked: Vec<&str> = dashboard["ranking"]
            .as_array()
            .expect("ranking")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(ranked.contains(&"Xã An Phú Hòa"), "{e}: {ranked:?}");
        assert!(
            !ranked.contains(&"Xã An Phú"),
            "{e}: a merged commune is not ranked: {ranked:?}"
        );

        let cookie = app.login_cookie("admin_a").await;
        let (_, _, page) = app
            .page(
                Method::GET,
                &format!("/units/{}", w.commune_a1.id),
                Some(&cookie),
                None,
            )
            .await;
        assert!(page.contains("Đã sáp nhập vào"), "{e}: {page}");
        assert!(
            page.contains("Xã An Phú Hòa") && page.contains("01/03/2026"),
            "{e}"
        );

        // Merged once; only communes of the same province.
        let (status, _) = app
            .api(Method::POST, &merge_uri, Some(&admin_a), Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let admin = app.login_token("admin").await;
        let (status, answer) = app
            .api(
                Method::POST,
                &merge_uri,
                Some(&admin),
                Some(json!({"sources": [w.commune_b1.id], "effective_on": "2026-03-01"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {answer}");
        app.finish().await;
    }
}
