//! The importer through the CLI, and the demo data set on both engines.

use std::process::Command;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::TestApp;

fn demo_plan(name: &str) -> String {
    format!("{}/src/demo/plans/{name}", env!("CARGO_MANIFEST_DIR"))
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
fn a_dry_run_prints_one_json_object_with_the_contract_keys() {
    let (ok, out, err) = theodoi(&[
        "import",
        &demo_plan("tan_phong_ubnd.txt"),
        "--dry-run",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    for key in [
        "number",
        "date",
        "place",
        "issuer",
        "title",
        "basis",
        "reporting",
    ] {
        assert!(v["plan"].get(key).is_some(), "plan.{key}");
    }
    assert_eq!(v["plan"]["reporting"]["periods"], json!(["monthly"]));
    assert_eq!(v["plan"]["reporting"]["unit_due_day"], json!(15));
    assert_eq!(v["plan"]["reporting"]["consolidated_due_day"], json!(18));
    let task = &v["tasks"][0];
    for key in [
        "ref", "group", "title", "lead", "support", "product", "deadline", "funding", "basis",
        "draft", "line",
    ] {
        assert!(task.get(key).is_some(), "task.{key}");
    }
    for key in ["text", "kind", "start", "end"] {
        assert!(task["deadline"].get(key).is_some(), "deadline.{key}");
    }
    let target = &v["targets"][0];
    for key in [
        "ref", "group", "name", "unit", "lead", "goals", "note", "line",
    ] {
        assert!(target.get(key).is_some(), "target.{key}");
    }
    assert!(v["warnings"].is_array());
}

#[test]
fn bad_files_are_refused_with_a_clear_message_and_a_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("rong.txt");
    std::fs::write(&empty, b"").expect("write");
    let binary = dir.path().join("anh.bin");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2, 255, 0, 0]).expect("write");
    let truncated = dir.path().join("cut.docx");
    std::fs::write(&truncated, b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage").expect("write");
    for (file, code) in [
        (&empty, "empty_file"),
        (&binary, "unsupported_format"),
        (&truncated, "corrupt_docx"),
    ] {
        let (ok, out, err) = theodoi(&[
            "import",
            file.to_str().expect("path"),
            "--dry-run",
            "--json",
        ]);
        assert!(!ok, "{file:?} must fail");
        let v: Value = serde_json::from_str(out.trim()).expect("json error");
        assert_eq!(v["error"]["code"], json!(code), "{file:?}");
        assert!(err.contains("Lỗi"), "a message for people too: {err}");
    }
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("import.db");
    let db = db.to_str().expect("path");
    let (ok, _, err) = theodoi(&[
        "unit",
        "add",
        "--name",
        "Việt Nam",
        "--kind",
        "nation",
        "--db",
        db,
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = theodoi(&[
        "unit",
        "add",
        "--name",
        "Tỉnh Sơn Lâm",
        "--kind",
        "province",
        "--parent",
        "1",
        "--db",
        db,
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = theodoi(&[
        "unit",
        "add",
        "--name",
        "Xã Tân Phong",
        "--kind",
        "commune",
        "--parent",
        "2",
        "--db",
        db,
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = theodoi(&[
        "unit",
        "add",
        "--name",
        "Phòng Văn hóa - Xã hội",
        "--kind",
        "department",
        "--parent",
        "3",
        "--alias",
        "Phòng VHXH",
        "--db",
        db,
    ]);
    assert!(ok, "{err}");
    let file = demo_plan("tan_phong_ubnd.txt");
    let (ok, first, err) = theodoi(&["import", &file, "--commune", "3", "--json", "--db", db]);
    assert!(ok, "{err}");
    let first: Value = serde_json::from_str(first.trim()).expect("json");
    assert_eq!(first["created"], json!(true));
    assert!(first["tasks"].as_u64().unwrap_or(0) > 0);
    assert!(
        first["unresolved_units"]
            .as_array()
            .map(|a| !a.is_empty())
            .unwrap_or(false),
        "units the tree lacks are reported"
    );
    let (ok, second, err) = theodoi(&["import", &file, "--commune", "3", "--json", "--db", db]);
    assert!(ok, "{err}");
    let second: Value = serde_json::from_str(second.trim()).expect("json");
    assert_eq!(second["created"], json!(false));
    assert_eq!(second["plan_id"], first["plan_id"]);
    assert_eq!(second["tasks"], first["tasks"]);
}

#[tokio::test]
async fn the_demo_data_loads_on_both_engines_and_each_account_sees_its_scope() {
    for app in TestApp::all().await {
        let e = app.engine;
        let summary = theodoi::demo::seed(&app.store).await.expect("demo");
        assert_eq!(summary.plans, 4);
        assert!(
            summary.tasks >= 40 && summary.targets >= 10,
            "{e}: {} tasks {} targets",
            summary.tasks,
            summary.targets
        );
        // Running it again reuses everything.
        let again = theodoi::demo::seed(&app.store).await.expect("demo again");
        assert_eq!(
            (again.tasks, again.targets),
            (summary.tasks, summary.targets),
            "{e}"
        );
        // The Tân Phong plan implements the province plan it cites.
        let all = app
            .store
            .plans(&Default::default(), theodoi::store::Page::all())
            .await
            .expect("plans");
        let tan_phong = all
            .items
            .iter()
            .find(|p| p.number.as_deref() == Some("21/KH-UBND"))
            .expect("Tân Phong plan");
        let province = all
            .items
            .iter()
            .find(|p| p.number.as_deref() == Some("15/KH-UBND"))
            .expect("province plan");
        assert_eq!(tan_phong.implements, vec![province.id], "{e}");

        let expect_plans = [
            ("admin", 4),
            ("tinh.lanhdao", 4),
            ("tinh.daumoi", 4),
            ("tanphong.daumoi", 1),
            ("tanphong.lanhdao", 1),
            ("tanphong.quantri", 1),
            ("tanphong.xem", 1),
            ("tanphong.kiemtra", 1),
            ("tanphong.vhxh", 1),
            ("tanphong.congan", 1),
            ("dongtam.daumoi", 1),
            ("hoalac.daumoi", 1),
        ];
        for (user, n) in expect_plans {
            let (s, body) = app
                .api(
                    Method::POST,
                    "/api/login",
                    None,
                    Some(json!({"username": user, "password": theodoi::demo::DEMO_PASSWORD})),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e}: {user}: {body}");
            // Administrators enrol a second factor at their first login.
            let body = if body["totp_enrolment_required"] == json!(true) {
                let secret =
                    theodoi::auth::totp::base32_decode(body["secret"].as_str().expect("secret"))
                        .expect("base32");
                let now = theodoi::clock::Clock::now_ms(app.clock.as_ref());
                let code = theodoi::auth::totp::code_at(&secret, now);
                let (s, body) = app
                    .api(
                        Method::POST,
                        "/api/login/totp",
                        None,
                        Some(json!({"challenge": body["challenge"], "code": code})),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{e}: {user}: {body}");
                body
            } else {
                body
            };
            let token = body["token"].as_str().expect("token");
            let (_, plans) = app.api(Method::GET, "/api/plans", Some(token), None).await;
            assert_eq!(plans["total"], json!(n), "{e}: {user} sees {n} plans");
        }
        app.finish().await;
    }
}
