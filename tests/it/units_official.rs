//! The official list of provinces and communes (1 July 2025) loaded into
//! the tree on both engines, keyed by code, and through the CLI.

use std::process::Command;

use axum::http::{Method, StatusCode};

use theodoi::domain::official::{communes_per_province, of_province, official_2025};
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::{Actor, Page, UnitFilter};

use crate::harness::{TestApp, World, user};
use theodoi::domain::access::Role;

#[tokio::test]
async fn the_official_list_loads_once_with_every_province_and_its_communes() {
    let list = official_2025().expect("list");
    let per_province = communes_per_province(&list);
    for app in TestApp::all().await {
        let world = World::build(&app.store).await;
        let first = app
            .store
            .import_official(&list, &Actor::system())
            .await
            .expect("import");
        assert_eq!(
            (first.provinces, first.communes),
            (34, 3321),
            "{}",
            app.engine
        );
        assert_eq!(first.created, 34 + 3321, "{}", app.engine);
        for (code, count) in &per_province {
            let province = app
                .store
                .unit_by_code(code)
                .await
                .expect("read")
                .expect("province");
            assert_eq!(province.kind, UnitKind::Province);
            assert_eq!(province.parent_id, Some(world.nation.id));
            let communes = app
                .store
                .units(
                    &UnitFilter {
                        parent_id: Some(province.id),
                        kind: Some(UnitKind::Commune),
                        ..UnitFilter::default()
                    },
                    Page::new(Some(1), Some(1)),
                )
                .await
                .expect("communes");
            assert_eq!(communes.total as usize, *count, "province {code}");
        }
        for (code, name, province) in [
            ("00004", "Phường Ba Đình", "01"),
            ("00070", "Phường Hoàn Kiếm", "01"),
            ("26740", "Phường Sài Gòn", "79"),
            ("03478", "Xã Sìn Hồ", "12"),
        ] {
            let unit = app
                .store
                .unit_by_code(code)
                .await
                .expect("read")
                .unwrap_or_else(|| panic!("{code}"));
            let province = app
                .store
                .unit_by_code(province)
                .await
                .expect("read")
                .expect("p");
            assert_eq!(unit.name, name);
            assert_eq!(unit.kind, UnitKind::Commune);
            assert_eq!(unit.province_id, Some(province.id));
            assert_eq!(unit.commune_id, Some(unit.id));
            assert_eq!(unit.path, format!("{}{}/", province.path, unit.id));
        }
        let everything = app.store.subtree("/").await.expect("tree").len();
        let audit_before = audit_rows(&app).await;
        let again = app
            .store
            .import_official(&list, &Actor::system())
            .await
            .expect("again");
        assert_eq!((again.created, again.adopted), (0, 0), "{}", app.engine);
        assert_eq!(again.unchanged, 34 + 3321);
        assert_eq!(again.named_otherwise, 0);
        assert_eq!(
            app.store.subtree("/").await.expect("tree").len(),
            everything
        );
        assert_eq!(
            audit_rows(&app).await,
            audit_before,
            "nothing changed, nothing logged"
        );

        // The API shows a unit's code.
        let admin = app
            .store
            .unit_by_code("01")
            .await
            .expect("read")
            .expect("hn");
        user(&app.store, "hn_admin", &admin, Role::Administrator).await;
        let token = app.login_token("hn_admin").await;
        let hk = app
            .store
            .unit_by_code("00070")
            .await
            .expect("r")
            .expect("u");
        let (status, body) = app
            .api(
                Method::GET,
                &format!("/api/units/{}", hk.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["code"], "00070", "{body}");
    }
}

async fn audit_rows(app: &TestApp) -> i64 {
    use sqlx::Row;
    let pool = app.raw_pool().await;
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
        .fetch_one(&pool)
        .await
        .expect("count")
        .try_get::<i64, _>("n")
        .expect("n")
}

#[tokio::test]
async fn a_province_made_by_hand_is_given_its_code_not_duplicated() {
    let list = official_2025().expect("list");
    let lai_chau = of_province(&list, "12").expect("Lai Châu");
    for app in TestApp::all().await {
        let world = World::build(&app.store).await;
        let draft = UnitDraft {
            parent_id: Some(world.nation.id),
            kind: UnitKind::Province,
            name: "Tỉnh Lai Châu".into(),
            aliases: vec![],
            side: Side::Government,
        }
        .validate(Some(UnitKind::Nation))
        .expect("valid");
        let by_hand = app
            .store
            .create_unit(draft, &Actor::system())
            .await
            .expect("create");
        let done = app
            .store
            .import_official(&lai_chau, &Actor::system())
            .await
            .expect("import");
        assert_eq!((done.adopted, done.created), (1, 38), "{}", app.engine);
        let coded = app.store.unit_by_code("12").await.expect("r").expect("12");
        assert_eq!(coded.id, by_hand.id);
        // Another province is not touched.
        assert!(app.store.unit_by_code("01").await.expect("r").is_none());
    }
}

fn theodoi(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_theodoi"))
        .args(args)
        .env("THEODOI_LOG", "error")
        .output()
        .expect("run theodoi");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_cli_loads_the_official_list_and_again_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("official.db");
    let db = db.to_str().expect("path");
    let (ok, out, err) = theodoi(&["unit", "import", "--official", "--db", db]);
    assert!(ok, "{err}");
    assert!(
        out.contains("34 tỉnh/thành phố, 3321 xã/phường/đặc khu; tạo mới 3355"),
        "{out}"
    );
    let (ok, out, err) = theodoi(&["unit", "import", "--official", "--db", db]);
    assert!(ok, "{err}");
    assert!(
        out.contains("tạo mới 0, gán mã cho 0 đơn vị có sẵn, giữ nguyên 3355"),
        "{out}"
    );
    let (ok, _, err) = theodoi(&[
        "unit",
        "import",
        "--official",
        "--province",
        "77",
        "--db",
        db,
    ]);
    assert!(!ok);
    assert!(err.contains("mã 77"), "{err}");
    let (ok, _, err) = theodoi(&["unit", "import", "--db", db]);
    assert!(!ok);
    assert!(err.contains("--official"), "{err}");
    let (ok, out, _) = theodoi(&["unit", "list", "--db", db]);
    assert!(ok);
    assert!(out.contains("Phường Hoàn Kiếm (commune) [00070]"), "{out}");
}

#[tokio::test]
async fn a_unit_change_naming_another_parent_or_level_is_refused_not_ignored() {
    for app in TestApp::all().await {
        let world = World::build(&app.store).await;
        user(
            &app.store,
            "tinh_admin",
            &world.province_a,
            Role::Administrator,
        )
        .await;
        let token = app.login_token("tinh_admin").await;
        let uri = format!("/api/units/{}", world.vhxh_a1.id);
        let moved = serde_json::json!({
            "parent_id": world.commune_a2.id, "kind": "department",
            "name": "Phòng Văn hóa - Xã hội", "side": "government",
            "version": world.vhxh_a1.version,
        });
        let (status, body) = app.api(Method::PUT, &uri, Some(&token), Some(moved)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            app.engine
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("cấp trên"),
            "{body}"
        );
        let commune_to_office = serde_json::json!({
            "kind": "office", "name": "Xã An Phú", "side": "government",
            "version": world.commune_a1.version,
        });
        let uri_c = format!("/api/units/{}", world.commune_a1.id);
        let (status, body) = app
            .api(Method::PUT, &uri_c, Some(&token), Some(commune_to_office))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let after = app
            .store
            .unit(world.vhxh_a1.id)
            .await
            .expect("r")
            .expect("u");
        assert_eq!(after.parent_id, Some(world.commune_a1.id));
        assert_eq!(after.version, world.vhxh_a1.version);
        // The same parent, or none, is a plain change.
        let renamed = serde_json::json!({
            "parent_id": world.commune_a1.id, "kind": "department",
            "name": "Phòng Văn hóa, Khoa học và Thông tin", "side": "government",
            "version": world.vhxh_a1.version,
        });
        let (status, body) = app
            .api(Method::PUT, &uri, Some(&token), Some(renamed))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn a_renamed_unit_keeps_its_former_name_for_reports_of_earlier_dates() {
    use theodoi::domain::period::ReportingPeriod;
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let mut rounds = Vec::new();
        for month in [2, 3] {
            let round = app
                .store
                .open_round(
                    w.plan_a1,
                    ReportingPeriod::month(2026, month).expect("period"),
                    None,
                    None,
                    &Actor::system(),
                )
                .await
                .expect("round");
            rounds.push(round.id);
        }
        let admin = app.login_token("admin_a1").await;
        let uri = format!("/api/units/{}/rename", w.vhxh_a1.id);
        let new_name = "Phòng Văn hóa, Khoa học và Thông tin";
        let rename = |name: &str, on: &str, version: i64| serde_json::json!({"name": name, "effective_on": on, "version": version});
        for (body, expected) in [
            (
                rename(new_name, "2026-03-11", 1),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                rename("Phòng Văn hóa - Xã hội", "2026-03-01", 1),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (rename(new_name, "2026-03-01", 7), StatusCode::CONFLICT),
        ] {
            let (status, answer) = app.api(Method::POST, &uri, Some(&admin), Some(body)).await;
            assert_eq!(status, expected, "{e}: {answer}");
        }
        let (status, renamed) = app
            .api(
                Method::POST,
                &uri,
                Some(&admin),
                Some(rename(new_name, "2026-03-01", w.vhxh_a1.version)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {renamed}");
        assert_eq!(renamed["name"], new_name);
        let (status, _) = app
            .api(
                Method::POST,
                &uri,
                Some(&admin),
                Some(rename("Phòng Văn hóa", "2026-02-20", 2)),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{e}: before the last rename"
        );

        // The February report (due 15/2) shows the name the unit had then.
        let focal = app.login_token("focal_a1").await;
        let mut names = Vec::new();
        for round in &rounds {
            let (status, detail) = app
                .api(
                    Method::GET,
                    &format!("/api/rounds/{round}"),
                    Some(&focal),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{e}: {detail}");
            let report = detail["reports"]
                .as_array()
                .expect("reports")
                .iter()
                .find(|r| r["unit_id"] == serde_json::json!(w.vhxh_a1.id))
                .cloned()
                .expect("the unit's report");
            names.push(report["unit_name"].as_str().unwrap_or("").to_string());
        }
        assert_eq!(names, vec!["Phòng Văn hóa - Xã hội", new_name], "{e}");

        // A plain change of name takes effect today and is kept too.
        let (status, _) = app
            .api(
                Method::PUT,
                &format!("/api/units/{}", w.vhxh_a1.id),
                Some(&admin),
                Some(
                    serde_json::json!({"kind": "department", "name": "Phòng VH-KH-TT",
                    "side": "government", "version": 2}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
        let (status, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/names", w.vhxh_a1.id),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {history}");
        assert_eq!(history["name"], "Phòng VH-KH-TT");
        let cookie = app.login_cookie("focal_a1").await;
        let (_, _, page) = app
            .page(
                Method::GET,
                &format!("/units/{}", w.vhxh_a1.id),
                Some(&cookie),
                None,
            )
            .await;
        assert!(
            page.contains("Tên trước đây")
                && page.contains("Phòng Văn hóa - Xã hội (đến 01/03/2026)"),
            "{e}: {page}"
        );
        assert_eq!(
            history["former"],
            serde_json::json!([
                {"name": "Phòng Văn hóa - Xã hội", "until_on": "2026-03-01"},
                {"name": new_name, "until_on": "2026-03-10"},
            ]),
            "{e}"
        );
    }
}
