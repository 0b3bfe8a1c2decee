//! A unit's history over HTTP on both engines: a commune moved to another
//! province takes its records and counters along (the counters still equal
//! a recount), a village moves to another commune, a commune splits in two,
//! units are dissolved once nothing is left open; every refusal is a 4xx
//! JSON error with a code and a Vietnamese message, and the history lists
//! what happened (renames and merges too).

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use theodoi::domain::access::Role;
use theodoi::domain::rollup::Counter;
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::{Actor, Store};

use crate::harness::{TestApp, World, user};
use crate::unit_merge::{counters, report_march};

/// `a` less `b`, zeros dropped.
fn minus(a: &BTreeMap<Counter, i64>, b: &BTreeMap<Counter, i64>) -> BTreeMap<Counter, i64> {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(*k).or_insert(0) -= v;
    }
    out.retain(|_, v| *v != 0);
    out
}

/// A refusal: the status asked, a JSON error with a code and a message.
fn refused(e: &str, status: StatusCode, answer: &Value, expected: StatusCode) -> String {
    assert_eq!(status, expected, "{e}: {answer}");
    assert!(answer["error"]["code"].is_string(), "{e}: {answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{e}: {answer}");
    message.to_string()
}

fn texts(history: &Value) -> Vec<String> {
    history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["text"].as_str().map(str::to_string))
        .collect()
}

async fn village(store: &Store, parent: i64, name: &str) -> i64 {
    store
        .create_unit(
            UnitDraft {
                parent_id: Some(parent),
                kind: UnitKind::Village,
                name: name.into(),
                aliases: vec![],
                side: Side::Government,
            }
            .validate(Some(UnitKind::Commune))
            .expect("valid"),
            &Actor::system(),
        )
        .await
        .expect("village")
        .id
}

#[tokio::test]
async fn a_commune_moves_to_another_province_with_its_records_and_counters() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        report_march(store, w.plan_a1).await;
        user(store, "admin_a", &w.province_a, Role::Administrator).await;
        let nation = counters(store, w.nation.id).await;
        let province_a = counters(store, w.province_a.id).await;
        let province_b = counters(store, w.province_b.id).await;
        let a1 = counters(store, w.commune_a1.id).await;
        assert!(!a1.is_empty(), "{e}: A1 has counters");
        let uri = format!("/api/units/{}/move", w.commune_a1.id);
        let body = json!({"parent_id": w.province_b.id, "effective_on": "2026-03-05"});

        // The commune's own administrator cannot move it; the province's
        // cannot take it to a province it does not hold.
        let admin_a1 = app.login_token("admin_a1").await;
        let (status, answer) = app
            .api(Method::POST, &uri, Some(&admin_a1), Some(body.clone()))
            .await;
        refused(e, status, &answer, StatusCode::FORBIDDEN);
        let admin_a = app.login_token("admin_a").await;
        let (status, answer) = app
            .api(Method::POST, &uri, Some(&admin_a), Some(body.clone()))
            .await;
        refused(e, status, &answer, StatusCode::NOT_FOUND);

        // Refused with reasons: in the future, under a commune, a province.
        let admin = app.login_token("admin").await;
        for (bad, words) in [
            (
                json!({"parent_id": w.province_b.id, "effective_on": "2026-03-11"}),
                "sau hôm nay",
            ),
            (
                json!({"parent_id": w.commune_b1.id, "effective_on": "2026-03-05"}),
                "không thể đặt dưới",
            ),
            (
                json!({"parent_id": w.province_a.id, "effective_on": "2026-03-05"}),
                "đã ở dưới",
            ),
            (
                json!({"parent_id": w.province_b.id, "effective_on": "hôm qua"}),
                "",
            ),
        ] {
            let (status, answer) = app.api(Method::POST, &uri, Some(&admin), Some(bad)).await;
            let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(message.contains(words), "{e}: {message}");
        }
        let (status, answer) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/move", w.province_a.id),
                Some(&admin),
                Some(json!({"parent_id": w.nation.id, "effective_on": "2026-03-05"})),
            )
            .await;
        refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);

        let (status, moved) = app
            .api(Method::POST, &uri, Some(&admin), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {moved}");
        assert_eq!(moved["parent_id"], json!(w.province_b.id), "{e}");
        assert_eq!(moved["province_id"], json!(w.province_b.id), "{e}");

        // The counters left province A for province B; the nation's and the
        // commune's did not change, and a recount finds the same.
        let expect_a = minus(&province_a, &a1);
        let expect_b = crate::unit_merge::sum(&province_b, &a1);
        assert_eq!(counters(store, w.province_a.id).await, expect_a, "{e}");
        assert_eq!(counters(store, w.province_b.id).await, expect_b, "{e}");
        assert_eq!(counters(store, w.nation.id).await, nation, "{e}");
        store.rebuild_rollups().await.expect("recount");
        assert_eq!(
            counters(store, w.province_a.id).await,
            expect_a,
            "{e}: recount"
        );
        assert_eq!(
            counters(store, w.province_b.id).await,
            expect_b,
            "{e}: recount"
        );
        assert_eq!(counters(store, w.nation.id).await, nation, "{e}: recount");
        assert_eq!(counters(store, w.commune_a1.id).await, a1, "{e}: recount");

        // Its records and units carry the new province; its staff still work.
        let (_, plan) = app
            .api(
                Method::GET,
                &format!("/api/plans/{}", w.plan_a1),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(plan["province_id"], json!(w.province_b.id), "{e}: {plan}");
        let (_, vhxh) = app
            .api(
                Method::GET,
                &format!("/api/units/{}", w.vhxh_a1.id),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(vhxh["province_id"], json!(w.province_b.id), "{e}");
        let focal_a1 = app.login_token("focal_a1").await;
        let (status, _) = app
            .api(
                Method::GET,
                &format!("/api/plans/{}", w.plan_a1),
                Some(&focal_a1),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
        let (status, _) = app
            .api(
                Method::GET,
                &format!("/api/plans/{}", w.plan_a1),
                Some(&admin_a),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{e}: province A no longer reads it"
        );

        // The history says so, from the commune and from both provinces;
        // a move dated before it is refused.
        let (status, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", w.commune_a1.id),
                Some(&focal_a1),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {history}");
        assert_eq!(history["events"][0]["kind"], "move", "{e}: {history}");
        assert_eq!(history["events"][0]["effective_on"], "2026-03-05", "{e}");
        assert_eq!(
            texts(&history),
            vec![format!("Chuyển từ {} sang Tỉnh Bắc Sơn", w.province_a.name)],
            "{e}"
        );
        let (_, history_b) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", w.province_b.id),
                Some(&admin),
                None,
            )
            .await;
        assert!(
            texts(&history_b)[0].contains("chuyển đến từ"),
            "{e}: {history_b}"
        );
        let back = json!({"parent_id": w.province_a.id, "effective_on": "2026-03-04"});
        let (status, answer) = app.api(Method::POST, &uri, Some(&admin), Some(back)).await;
        let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("05/03/2026"), "{e}: {message}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_village_moves_to_another_commune_and_merges_and_renames_are_history_too() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        user(store, "admin_a", &w.province_a, Role::Administrator).await;
        let thon = village(store, w.commune_a1.id, "Thôn Đông").await;
        let admin_a = app.login_token("admin_a").await;
        let (status, moved) = app
            .api(
                Method::POST,
                &format!("/api/units/{thon}/move"),
                Some(&admin_a),
                Some(json!({"parent_id": w.commune_a2.id, "effective_on": "2026-03-02"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {moved}");
        assert_eq!(moved["commune_id"], json!(w.commune_a2.id), "{e}");
        let focal_a2 = app.login_token("focal_a2").await;
        let (status, _) = app
            .api(
                Method::GET,
                &format!("/api/units/{thon}"),
                Some(&focal_a2),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: A2 reads its new village");

        // A rename and a merge are events of the same history.
        let admin = app.login_token("admin").await;
        let version = store
            .unit(w.commune_a1.id)
            .await
            .expect("read")
            .expect("a1")
            .version;
        let (status, renamed) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/rename", w.commune_a1.id),
                Some(&admin),
                Some(json!({"name": "Xã An Phú Mới", "effective_on": "2026-03-03", "version": version})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {renamed}");
        let (status, merged) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/merge", w.commune_a1.id),
                Some(&admin),
                Some(json!({"sources": [w.commune_a2.id], "effective_on": "2026-03-02"})),
            )
            .await;
        let message = refused(e, status, &merged, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            message.contains("03/03/2026"),
            "{e}: before the rename: {message}"
        );
        let (status, merged) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/merge", w.commune_a1.id),
                Some(&admin),
                Some(json!({"sources": [w.commune_a2.id], "effective_on": "2026-03-04"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {merged}");
        let (_, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", w.commune_a1.id),
                Some(&admin),
                None,
            )
            .await;
        let kinds: Vec<&str> = history["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        assert_eq!(kinds, vec!["move", "rename", "merge"], "{e}: {history}");
        assert_eq!(
            texts(&history),
            vec![
                "Thôn Đông chuyển sang Xã An Hòa".to_string(),
                "Đổi tên từ «Xã An Phú» thành «Xã An Phú Mới»".to_string(),
                "Sáp nhập Xã An Hòa vào đơn vị".to_string()
            ],
            "{e}"
        );
        let (_, history_a2) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", w.commune_a2.id),
                Some(&admin),
                None,
            )
            .await;
        let a2_texts = texts(&history_a2);
        assert!(
            a2_texts
                .iter()
                .any(|t| t == "Thôn Đông chuyển đến từ Xã An Phú"
                    || t == "Thôn Đông chuyển đến từ Xã An Phú Mới"),
            "{e}: {a2_texts:?}"
        );
        assert!(
            a2_texts.contains(&"Sáp nhập vào Xã An Phú Mới".to_string()),
            "{e}: {a2_texts:?}"
        );

        // The unit page lists the history in words.
        let cookie = app.login_cookie("admin").await;
        let (_, _, page) = app
            .page(
                Method::GET,
                &format!("/units/{}", w.commune_a1.id),
                Some(&cookie),
                None,
            )
            .await;
        assert!(page.contains("Lịch sử đơn vị"), "{e}: {page}");
        assert!(page.contains("Sáp nhập Xã An Hòa vào đơn vị"), "{e}");
        assert!(page.contains("04/03/2026"), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_commune_splits_in_two_and_units_are_dissolved_once_nothing_is_open() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let admin = app.login_token("admin").await;
        let uri = format!("/api/units/{}/split", w.commune_a2.id);

        let focal_a2 = app.login_token("focal_a2").await;
        let two = json!({"effective_on": "2026-03-01", "into": [
            {"name": "Xã An Hòa Bắc", "code": "90001"}, {"name": "Xã An Hòa Nam"}]});
        let (status, answer) = app
            .api(Method::POST, &uri, Some(&focal_a2), Some(two.clone()))
            .await;
        refused(e, status, &answer, StatusCode::FORBIDDEN);
        for (bad, words) in [
            (
                json!({"effective_on": "2026-03-01", "into": [{"name": "Xã An Hòa Bắc"}]}),
                "ít nhất hai",
            ),
            (
                json!({"effective_on": "2026-03-01", "into": [{"name": "Xã A"}, {"name": "xã a"}]}),
                "trùng tên",
            ),
            (
                json!({"effective_on": "2026-04-01", "into": [{"name": "Xã A"}, {"name": "Xã B"}]}),
                "sau hôm nay",
            ),
            (json!({"into": []}), ""),
        ] {
            let (status, answer) = app.api(Method::POST, &uri, Some(&admin), Some(bad)).await;
            let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(message.contains(words), "{e}: {message}");
        }

        let (status, split) = app
            .api(Method::POST, &uri, Some(&admin), Some(two.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {split}");
        assert_eq!(split["unit"]["ended_on"], "2026-03-01", "{e}: {split}");
        let into = split["into"].as_array().expect("into");
        assert_eq!(into.len(), 2, "{e}");
        assert_eq!(into[0]["code"], "90001", "{e}");
        assert_eq!(into[0]["parent_id"], json!(w.province_a.id), "{e}");
        assert_eq!(into[0]["kind"], "commune", "{e}");
        let north = into[0]["id"].as_i64().expect("id");

        // Split once; a code is never given twice.
        let (status, answer) = app.api(Method::POST, &uri, Some(&admin), Some(two)).await;
        let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("đã kết thúc"), "{e}: {message}");
        let again = json!({"effective_on": "2026-03-01", "into": [
            {"name": "Xã Bình Minh Đông", "code": "90001"}, {"name": "Xã Bình Minh Tây"}]});
        let (status, answer) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/split", w.commune_b1.id),
                Some(&admin),
                Some(again),
            )
            .await;
        let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            message.contains("90001") && message.contains("Xã An Hòa Bắc"),
            "{e}: {message}"
        );

        // The split commune is no longer ranked, its new communes are.
        let (_, dashboard) = app
            .api(
                Method::GET,
                &format!("/api/dashboard/{}", w.province_a.id),
                Some(&admin),
                None,
            )
            .await;
        let ranked: Vec<&str> = dashboard["ranking"]
            .as_array()
            .expect("ranking")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(ranked.contains(&"Xã An Hòa Bắc"), "{e}: {ranked:?}");
        assert!(!ranked.contains(&"Xã An Hòa"), "{e}: {ranked:?}");
        let (_, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", w.commune_a2.id),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(
            texts(&history),
            vec!["Chia tách thành Xã An Hòa Bắc, Xã An Hòa Nam".to_string()],
            "{e}"
        );
        let (_, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{north}/history"),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(
            texts(&history),
            vec!["Thành lập do chia tách Xã An Hòa".to_string()],
            "{e}"
        );

        // Dissolved only when nothing is left open, the refusal naming it.
        let task_title = store
            .task(w.task_a1)
            .await
            .expect("read")
            .expect("task")
            .title;
        let (status, answer) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/dissolve", w.vhxh_a1.id),
                Some(&admin),
                Some(json!({"effective_on": "2026-03-01"})),
            )
            .await;
        let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            message.contains("nhiệm vụ") && message.contains(&task_title),
            "{e}: {message}"
        );
        let (status, answer) = app
            .api(
                Method::POST,
                &format!("/api/units/{}/dissolve", w.commune_a1.id),
                Some(&admin),
                Some(json!({"effective_on": "2026-03-01"})),
            )
            .await;
        let message = refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("Phòng Văn hóa - Xã hội"), "{e}: {message}");
        let thon = village(store, w.commune_a1.id, "Thôn Tây").await;
        let dissolve = format!("/api/units/{thon}/dissolve");
        let (status, answer) = app
            .api(
                Method::POST,
                &dissolve,
                Some(&app.login_token("reporter_a1").await),
                Some(json!({"effective_on": "2026-03-01"})),
            )
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{e}: {status} {answer}"
        );
        let (status, dissolved) = app
            .api(
                Method::POST,
                &dissolve,
                Some(&admin),
                Some(json!({"effective_on": "2026-03-01"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {dissolved}");
        assert_eq!(dissolved["ended_on"], "2026-03-01", "{e}");
        let (status, answer) = app
            .api(
                Method::POST,
                &dissolve,
                Some(&admin),
                Some(json!({"effective_on": "2026-03-02"})),
            )
            .await;
        refused(e, status, &answer, StatusCode::UNPROCESSABLE_ENTITY);

        let cookie = app.login_cookie("admin").await;
        let (_, _, page) = app
            .page(Method::GET, &format!("/units/{thon}"), Some(&cookie), None)
            .await;
        assert!(
            page.contains("Lịch sử đơn vị") && page.contains("Giải thể"),
            "{e}: {page}"
        );
        assert!(page.contains("Ngừng hoạt động"), "{e}");
        app.finish().await;
    }
}
