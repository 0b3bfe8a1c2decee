//! Backup and restore: a world with plans, reports, citizen feedback with
//! an attachment (a blob) and sealed contact details, backed up and
//! restored into an empty database of the same or the other engine, holds
//! exactly the same rows; ids go on where they stopped; a backup changed by
//! one byte, or cut short, is refused and the target stays empty.

use std::path::Path;

use axum::http::{Method, StatusCode};
use serde_json::json;

use theodoi::domain::access::Role;
use theodoi::store::{Actor, BackupError, NewUser, Store};

use crate::feedback::{PNG, citizen_fields, submit, with_contact};
use crate::harness::{TestApp, World, password_hash};

/// Reports saved and submitted, evidence, feedback with a file and a
/// contact, logins and their trail.
async fn busy_world(app: &TestApp) -> World {
    let e = app.engine;
    let store = &app.store;
    let w = World::build(store).await;
    let opened = store
        .open_current_rounds(store.clock().today())
        .await
        .expect("open rounds");
    assert!(opened > 0, "{e}");
    let round = store.rounds_of_plan(w.plan_a1).await.expect("rounds")[0].clone();
    let report = store
        .reports_of_round(round.id)
        .await
        .expect("reports")
        .into_iter()
        .find(|r| r.unit_id == w.vhxh_a1.id)
        .expect("report")
        .id;
    let token = app.login_token("reporter_a1").await;
    let (s, body) = app
        .api(
            Method::PUT,
            &format!("/api/reports/{report}"),
            Some(&token),
            Some(json!({
                "tasks": [{"task_id": w.task_a1, "version": 0, "status": "in_progress",
                           "percent": 40, "result": "Đã có dự thảo; \"ngoặc kép\"\nvà xuống dòng"}],
                "targets": [{"target_id": w.target_a1, "version": 0, "value": 92.5,
                             "source": "Số liệu của nhà mạng"}],
                "difficulties": "Thiếu kinh phí",
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}: {body}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/reports/{report}/evidence"),
            Some(&token),
            Some(json!({"task_id": w.task_a1, "number": "15/QĐ-UBND", "date": "2026-03-05"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
    let (s, page, code) = submit(
        app,
        &with_contact(citizen_fields(
            w.commune_a1.id,
            "Đề nghị lắp thêm điểm phát sóng wifi công cộng ở nhà văn hóa thôn",
        )),
        &[("anh.png", PNG)],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}: {page}");
    assert!(code.is_some());
    app.login_token("admin").await;
    w
}

async fn assert_same_rows(from: &Store, to: &Store, what: &str) {
    let a = from.table_rows().await.expect("rows of source");
    let b = to.table_rows().await.expect("rows of target");
    assert_eq!(a.len(), b.len());
    let mut total = 0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.table, y.table);
        assert_eq!(x.rows.len(), y.rows.len(), "{what}: table {}", x.table);
        for (r, s) in x.rows.iter().zip(&y.rows) {
            assert_eq!(r, s, "{what}: table {}", x.table);
        }
        total += x.rows.len();
    }
    for table in [
        "blobs",
        "feedback",
        "feedback_files",
        "unit_reports",
        "task_updates",
        "target_figures",
        "evidence",
        "audit_log",
        "users",
    ] {
        let rows = a
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows.len());
        assert!(rows > 0, "{what}: the world has {table}");
    }
    assert!(total > 100, "{what}: {total} rows");
}

/// After a restore, new records get new ids: the sequences went on.
async fn ids_go_on(target: &Store, source: &Store, what: &str) {
    let w_unit = target
        .user_by_username("admin")
        .await
        .expect("read")
        .expect("admin")
        .unit_id;
    let new = target
        .create_user(
            NewUser {
                unit_id: w_unit,
                username: "sau_khoi_phuc".into(),
                full_name: "Tạo sau khôi phục".into(),
                password_hash: password_hash().to_string(),
                roles: vec![Role::Viewer],
            },
            &Actor::system(),
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: a new user after restore: {e}"));
    let last = source
        .users("/", theodoi::store::Page::all())
        .await
        .expect("users")
        .items
        .iter()
        .map(|u| u.id)
        .max()
        .expect("users");
    assert!(new.id > last, "{what}: {} after {last}", new.id);
}

fn flip_byte(path: &Path, at: usize) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("read backup");
    bytes[at] ^= 0x01;
    bytes
}

async fn assert_empty(store: &Store, what: &str) {
    for t in store.table_rows().await.expect("rows") {
        assert!(t.rows.is_empty(), "{what}: {} has rows", t.table);
    }
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_of_either_engine() {
    let mut sources = vec![TestApp::sqlite().await];
    let pg = TestApp::all().await.len() > 1;
    if pg {
        sources.push(TestApp::postgres().await);
    }
    for source in sources {
        let e = source.engine;
        busy_world(&source).await;
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("theodoi.backup");
        let summary = source.store.backup_to(&file).await.expect("backup");
        assert_eq!(summary.source_engine, e);
        assert!(summary.rows > 100, "{e}: {summary:?}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|f| f.ok())
            .map(|f| f.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{e}: no temporary files: {leftovers:?}");
        let checked = theodoi::store::verify_backup(&file).expect("verify");
        assert_eq!(checked.sha256, summary.sha256);

        // Into the same engine, and from SQLite into PostgreSQL (and back).
        let mut targets = vec![TestApp::sqlite().await];
        if pg {
            targets.push(TestApp::postgres().await);
        }
        for target in targets {
            let what = format!("{e} → {}", target.engine);
            let restored = target.store.restore_from(&file).await.expect("restore");
            assert_eq!(restored.rows, summary.rows, "{what}");
            assert_same_rows(&source.store, &target.store, &what).await;
            ids_go_on(&target.store, &source.store, &what).await;

            // The restored server works: a user signs in, reads the
            // report, sees the citizen's sealed contact.
            let token = target.login_token("focal_a1").await;
            let (s, list) = target
                .api(Method::GET, "/api/feedback", Some(&token), None)
                .await;
            assert_eq!(s, StatusCode::OK, "{what}: {list}");
            assert!(list.to_string().contains("wifi"), "{what}");

            // Restoring again into a database that is no longer empty is
            // refused.
            let again = target.store.restore_from(&file).await;
            assert!(
                matches!(&again, Err(BackupError::Refused(m)) if m.contains("không trống")),
                "{what}: {again:?}"
            );
            target.finish().await;
        }
        source.finish().await;
    }
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_stores_nothing() {
    let source = TestApp::sqlite().await;
    busy_world(&source).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("theodoi.backup");
    source.store.backup_to(&file).await.expect("backup");
    let len = std::fs::metadata(&file).expect("meta").len() as usize;

    for target in TestApp::all().await {
        let e = target.engine;
        // One byte flipped anywhere: in a row, in the header, in the
        // checksum line.
        for at in [len / 2, 10, len - 20] {
            let bad = dir.path().join(format!("flipped-{at}.backup"));
            std::fs::write(&bad, flip_byte(&file, at)).expect("write");
            let result = target.store.restore_from(&bad).await;
            match result {
                Err(BackupError::Refused(message)) => assert!(
                    message.contains("hỏng") || message.contains("không phải"),
                    "{e}: byte {at}: {message}"
                ),
                other => panic!("{e}: byte {at}: {other:?}"),
            }
            assert_empty(&target.store, e).await;
        }
        // Cut short.
        let short = dir.path().join("short.backup");
        let bytes = std::fs::read(&file).expect("read");
        std::fs::write(&short, &bytes[..bytes.len() * 2 / 3]).expect("write");
        match target.store.restore_from(&short).await {
            Err(BackupError::Refused(message)) => {
                assert!(message.contains("không đầy đủ"), "{e}: {message}")
            }
            other => panic!("{e}: truncated: {other:?}"),
        }
        assert_empty(&target.store, e).await;
        target.finish().await;
    }
    source.finish().await;
}

#[tokio::test]
async fn every_table_is_backed_up_or_knowingly_left_out() {
    for app in TestApp::all().await {
        let mut known: Vec<String> = theodoi::store::backup_tables()
            .iter()
            .map(|t| t.to_string())
            .collect();
        known.sort();
        let mut actual = app.store.table_names().await.expect("tables");
        actual.sort();
        assert_eq!(
            actual, known,
            "{}: add new tables to store/backup.rs",
            app.engine
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_command_line_backs_up_and_restores_and_refuses_a_changed_file() {
    let dir = tempfile::tempdir().expect("dir");
    let source_db = dir.path().join("nguon.db");
    let source = Store::open(
        source_db.to_str().expect("path"),
        theodoi::clock::FixedClock::at(crate::harness::START_MS),
    )
    .await
    .expect("open");
    World::build(&source).await;
    source.close().await;
    let file = dir.path().join("sao-luu.theodoi");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_theodoi"))
            .args(args)
            .env_remove("THEODOI_DB")
            .env_remove("THEODOI_DATA_KEY")
            .env("THEODOI_BACKUP_KEY", BACKUP_KEY)
            .output()
            .expect("run theodoi")
    };
    let out = run(&[
        "backup",
        "--db",
        source_db.to_str().expect("path"),
        "--out",
        file.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SHA-256"));

    let bad = dir.path().join("sua.theodoi");
    let len = std::fs::metadata(&file).expect("meta").len() as usize;
    std::fs::write(&bad, flip_byte(&file, len / 3)).expect("write");
    let refused_db = dir.path().join("tu-choi.db");
    let out = run(&[
        "restore",
        "--db",
        refused_db.to_str().expect("path"),
        "--from",
        bad.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hỏng"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!refused_db.exists(), "a refused backup creates nothing");

    let target_db = dir.path().join("dich.db");
    let out = run(&[
        "restore",
        "--db",
        target_db.to_str().expect("path"),
        "--from",
        file.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clock = theodoi::clock::FixedClock::at(crate::harness::START_MS);
    let a = Store::open(source_db.to_str().expect("path"), clock.clone())
        .await
        .expect("open");
    let b = Store::open(target_db.to_str().expect("path"), clock)
        .await
        .expect("open");
    assert_eq!(
        a.table_rows().await.expect("rows"),
        b.table_rows().await.expect("rows")
    );
}

#[tokio::test]
async fn a_backup_with_control_characters_is_refused_naming_the_row() {
    let source = TestApp::sqlite().await;
    let w = busy_world(&source).await;
    let db = source.sqlite_file().expect("sqlite file");
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .expect("connect");
    sqlx::query("UPDATE tasks SET title = 'a' || char(0) || 'b' WHERE id = ?")
        .bind(w.task_a1)
        .execute(&mut conn)
        .await
        .expect("nul");
    drop(conn);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("theodoi.backup");
    source.store.backup_to(&file).await.expect("backup");
    for target in TestApp::all().await {
        let e = target.engine;
        match target.store.restore_from(&file).await {
            Err(BackupError::Refused(m)) => assert!(
                m.contains("U+0000")
                    && m.contains("tasks")
                    && m.contains(&w.task_a1.to_string())
                    && m.contains("title"),
                "{e}: {m}"
            ),
            other => panic!("{e}: {other:?}"),
        }
        assert_empty(&target.store, e).await;
        target.finish().await;
    }
    source.finish().await;
}

const BACKUP_KEY: &str = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708";

/// The file with `from` replaced by `to` in its rows and the SHA-256 of
/// the end line recomputed, as someone editing a backup would.
fn edit_and_rehash(path: &Path, from: &str, to: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let text = std::fs::read_to_string(path).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    let end_line = lines.pop().expect("end line");
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let body = body.replacen(from, to, 1);
    let mut end: serde_json::Value = serde_json::from_str(end_line).expect("end");
    let digest: String = Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    end["end"]["sha256"] = serde_json::json!(digest);
    format!("{body}{end}\n").into_bytes()
}

#[tokio::test]
async fn only_a_backup_signed_with_the_key_restores() {
    let dir = tempfile::tempdir().expect("dir");
    let source_db = dir.path().join("nguon.db");
    let source = Store::open(
        source_db.to_str().expect("path"),
        theodoi::clock::FixedClock::at(crate::harness::START_MS),
    )
    .await
    .expect("open");
    World::build(&source).await;
    source.close().await;
    let run = |args: &[&str], key: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_theodoi"));
        c.args(args)
            .env_remove("THEODOI_DB")
            .env_remove("THEODOI_DATA_KEY")
            .env_remove("THEODOI_BACKUP_KEY");
        if let Some(k) = key {
            c.env("THEODOI_BACKUP_KEY", k);
        }
        c.output().expect("run theodoi")
    };
    let path = |p: &Path| p.to_str().expect("path").to_string();
    let signed = dir.path().join("signed.theodoi");
    let unsigned = dir.path().join("unsigned.theodoi");
    let src = path(&source_db);
    assert!(
        run(
            &["backup", "--db", &src, "--out", &path(&signed)],
            Some(BACKUP_KEY)
        )
        .status
        .success()
    );
    assert!(
        run(&["backup", "--db", &src, "--out", &path(&unsigned)], None)
            .status
            .success()
    );
    let edited = dir.path().join("edited.theodoi");
    std::fs::write(
        &edited,
        edit_and_rehash(&signed, "Người dùng focal_a1", "Người dùng giả mạo"),
    )
    .expect("write");
    assert!(
        theodoi::store::verify_backup(&edited).is_ok(),
        "the checksum alone passes"
    );
    let other_key = "00".repeat(32);
    let cases: Vec<(&Path, Option<&str>, bool, bool)> = vec![
        (&edited, Some(BACKUP_KEY), false, false),
        (&signed, Some(other_key.as_str()), false, false),
        (&signed, None, false, false),
        (&unsigned, Some(BACKUP_KEY), false, false),
        (&unsigned, Some(BACKUP_KEY), true, true),
        (&signed, Some(BACKUP_KEY), false, true),
    ];
    for (i, (file, key, allow, ok)) in cases.into_iter().enumerate() {
        let target = dir.path().join(format!("dich-{i}.db"));
        let mut args = vec![
            "restore".to_string(),
            "--db".into(),
            path(&target),
            "--from".into(),
            path(file),
        ];
        if allow {
            args.push("--allow-unsigned".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, key);
        assert_eq!(
            out.status.success(),
            ok,
            "case {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !ok {
            assert!(
                !target.exists(),
                "case {i}: a refused backup creates nothing"
            );
            let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
            assert!(err.contains("chữ ký"), "case {i}: {err}");
        }
    }
}
