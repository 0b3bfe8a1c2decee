//! The former communes of the 2025 merger loaded as predecessors on both
//! engines: one province's, as ended units under the new commune that took
//! most of each, with merge events naming them, and loading again changes
//! nothing; and through the CLI.

use std::process::Command;

use axum::http::{Method, StatusCode};

use theodoi::domain::former::{self, former_2025};
use theodoi::domain::official::{self, official_2025};
use theodoi::store::Actor;

use crate::harness::{TestApp, World};

#[tokio::test]
async fn a_provinces_former_communes_load_once_as_predecessors_of_its_communes() {
    let list = official_2025().expect("list");
    let lai_chau = official::of_province(&list, "12").expect("Lai Châu");
    let formers = former::of_province(&former_2025().expect("formers"), &list, "12");
    assert_eq!(formers.len(), 106);
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        World::build(store).await;
        store
            .import_official(&lai_chau, &Actor::system())
            .await
            .expect("official");
        let first = store
            .import_former(&formers, &Actor::system())
            .await
            .expect("former");
        assert_eq!(
            (
                first.created,
                first.unchanged,
                first.without_successor,
                first.events
            ),
            (106, 0, 0, 38),
            "{e}"
        );
        let again = store
            .import_former(&formers, &Actor::system())
            .await
            .expect("again");
        assert_eq!(
            (again.created, again.unchanged, again.events),
            (0, 106, 0),
            "{e}"
        );

        // Phường Quyết Thắng (03386) ended in Phường Tân Phong (03388).
        let old = store
            .unit_by_code("cu-03386")
            .await
            .expect("r")
            .expect("former");
        let new = store.unit_by_code("03388").await.expect("r").expect("new");
        assert_eq!(old.name, "Phường Quyết Thắng", "{e}");
        assert_eq!(
            old.ended_on.map(|d| d.to_string()).as_deref(),
            Some("2025-07-01")
        );
        assert_eq!(
            (old.successor_id, old.parent_id),
            (Some(new.id), Some(new.id)),
            "{e}"
        );
        assert_eq!(old.path, format!("{}{}/", new.path, old.id), "{e}");
        assert_eq!(old.province_id, new.province_id, "{e}");
        assert_eq!(old.commune_id, Some(old.id), "{e}");
        let province = store.unit_by_code("12").await.expect("r").expect("12");
        let loaded = store
            .subtree(&province.path)
            .await
            .expect("subtree")
            .into_iter()
            .filter(|u| u.code.as_deref().is_some_and(|c| c.starts_with("cu-")))
            .count();
        assert_eq!(loaded, 106, "{e}");

        // The new commune's history names its predecessors.
        let admin = app.login_token("admin").await;
        let (status, history) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/history", new.id),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}: {history}");
        let event = &history["events"][0];
        assert_eq!(event["kind"], "merge", "{e}: {history}");
        assert_eq!(event["effective_on"], "2025-07-01", "{e}");
        let text = event["text"].as_str().unwrap_or_default();
        assert!(text.contains("Phường Quyết Thắng"), "{e}: {text}");
        app.finish().await;
    }
}

#[test]
fn the_cli_loads_a_provinces_former_communes_and_again_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("former.db");
    let db = db.to_str().expect("path");
    let args = [
        "unit",
        "import",
        "--official",
        "--former",
        "--province",
        "12",
        "--db",
        db,
    ];
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_theodoi"))
            .args(args)
            .env("THEODOI_LOG", "error")
            .output()
            .expect("run theodoi");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let out = run();
    assert!(out.contains("Đã nạp 106 xã/phường/thị trấn cũ"), "{out}");
    assert!(out.contains("tạo mới 106, giữ nguyên 0"), "{out}");
    let out = run();
    assert!(out.contains("tạo mới 0, giữ nguyên 106"), "{out}");
}
