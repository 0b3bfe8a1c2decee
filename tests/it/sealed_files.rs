//! Issue 17 item 11: citizens' files sealed at rest like their contacts,
//! erased without leaving their bytes behind, and the data key rotated
//! (`theodoi rekey`) with every sealed value, or none.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use theodoi::actions::citizen::FILE_FIELD;
use theodoi::auth::sealed::{DataKey, KEPT_FORM_FIELD, KEPT_FORMS_PURPOSE, is_sealed_bytes};
use theodoi::auth::totp;

use crate::feedback::{NAME, citizen_fields, feedback_id, submit, with_contact};
use crate::harness::{TestApp, World};

const MARKER: &str = "CCCD-001234567890-DAY-LA-SO-CAN-CUOC";

/// A small PNG carrying an ID number many times over.
fn id_card_picture() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n0000 ".to_vec();
    for _ in 0..200 {
        png.extend_from_slice(MARKER.as_bytes());
    }
    png
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A citizen's feedback with a contact and the picture; its id and the
/// focal point's cookie.
async fn feedback_with_picture(app: &TestApp, w: &World) -> (i64, String) {
    let (s, page, code) = submit(
        app,
        &with_contact(citizen_fields(w.commune_a1.id, "Ảnh giấy tờ kèm theo")),
        &[("giay-to.png", &id_card_picture())],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}: {page}", app.engine);
    assert!(code.is_some());
    let focal = app.login_cookie("focal_a1").await;
    let id = feedback_id(app, &focal).await;
    (id, focal)
}

fn download(file_id: i64, cookie: &str) -> Request<Body> {
    Request::builder()
        .method(Method::GET)
        .uri(format!("/feedback/files/{file_id}"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn a_citizens_file_is_sealed_at_rest_and_opens_for_staff() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (id, focal) = feedback_with_picture(&app, &w).await;
        let files = app.store.feedback_files(id).await.expect("files");
        assert_eq!(files.len(), 1, "{e}");
        assert_eq!(files[0].size as usize, id_card_picture().len(), "{e}");
        let (_, stored) = app
            .store
            .blob(&files[0].blob_sha256)
            .await
            .expect("blob")
            .expect("kept");
        assert!(is_sealed_bytes(&stored), "{e}: kept sealed");
        assert!(!holds(&stored, MARKER.as_bytes()), "{e}: nothing readable");
        let (s, _, body) = app.send(download(files[0].id, &focal)).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(body.as_ref(), id_card_picture().as_slice(), "{e}: opened");
        // Served with another key, the file is refused in words, not a 500.
        let (s, body) = app
            .send_with_key(DataKey::from_bytes([9; 32]), download(files[0].id, &focal))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            String::from_utf8_lossy(&body).contains("khóa dữ liệu khác"),
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn erased_attachments_leave_no_bytes_in_the_sqlite_file() {
    let app = TestApp::sqlite().await;
    let w = World::build(&app.store).await;
    let (id, _) = feedback_with_picture(&app, &w).await;
    let files = app.store.feedback_files(id).await.expect("files");
    let (_, sealed) = app
        .store
        .blob(&files[0].blob_sha256)
        .await
        .expect("blob")
        .expect("kept");
    // A stretch of the ciphertext stands for the file as kept.
    let kept = sealed[sealed.len() - 64..].to_vec();
    let db = app.sqlite_file().expect("sqlite file");
    let checkpoint = || async {
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
            "sqlite://{}",
            db.display()
        ))
        .await
        .expect("connect");
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .expect("checkpoint");
    };
    let bytes = || {
        let mut b = std::fs::read(&db).expect("db");
        b.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
        b
    };
    checkpoint().await;
    let before = bytes();
    assert!(holds(&before, &kept), "the sealed file is stored");
    assert!(!holds(&before, MARKER.as_bytes()), "never in the clear");
    app.store
        .erase_personal_data(id, "request", &theodoi::store::Actor::system())
        .await
        .expect("erase");
    checkpoint().await;
    assert!(
        !holds(&bytes(), &kept),
        "the erased attachment's bytes are gone from the file"
    );
    app.finish().await;
}

#[tokio::test]
async fn erasure_overwrites_then_deletes_the_blob_on_both_engines() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (id, _) = feedback_with_picture(&app, &w).await;
        let sha = app.store.feedback_files(id).await.expect("files")[0]
            .blob_sha256
            .clone();
        app.store
            .erase_personal_data(id, "request", &theodoi::store::Actor::system())
            .await
            .expect("erase");
        assert!(app.store.blob(&sha).await.expect("blob").is_none(), "{e}");
        app.finish().await;
    }
}

/// A user's stored second-factor secret, as kept.
async fn stored_totp(app: &TestApp, username: &str) -> String {
    app.store
        .user_by_username(username)
        .await
        .expect("user")
        .expect("exists")
        .totp_secret
        .expect("enrolled")
}

#[tokio::test]
async fn rekey_moves_every_sealed_value_to_the_new_key() {
    let old = DataKey::demo();
    let new = DataKey::from_bytes([42; 32]);
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (id, focal) = feedback_with_picture(&app, &w).await;
        let file = app.store.feedback_files(id).await.expect("files")[0].clone();
        app.login_cookie("admin_a1").await;
        let secret = app.totp_secret("admin_a1").expect("enrolled in the test");
        let admin = app
            .store
            .user_by_username("admin_a1")
            .await
            .expect("user")
            .expect("exists");
        let kept_key = |k: &DataKey| DataKey::from_bytes(k.derive(KEPT_FORMS_PURPOSE));
        let body = "result=Đã+triển+khai";
        let sealed_form = kept_key(&old).seal(KEPT_FORM_FIELD, body).expect("seal");
        app.store
            .keep_form(admin.id, "/reports/1", &sealed_form)
            .await
            .expect("keep");

        let counts = theodoi::actions::rekey::rekey(&app.store, old.clone(), new.clone())
            .await
            .expect("rekey");
        assert_eq!(
            (
                counts.contacts,
                counts.totp_secrets,
                counts.kept_forms,
                counts.files
            ),
            (1, 1, 1, 1),
            "{e}: {counts:?}"
        );

        let f = app.store.feedback(id).await.expect("read").expect("kept");
        assert!(
            f.contact.open(&old).is_err(),
            "{e}: the old key opens nothing"
        );
        let contact = f.contact.open(&new).expect("opens with the new key");
        assert_eq!(contact.name.as_deref(), Some(NAME), "{e}");
        let stored = stored_totp(&app, "admin_a1").await;
        assert_eq!(totp::open_secret(Some(&new), &stored), Some(secret), "{e}");
        let form = app
            .store
            .kept_form(admin.id, "/reports/1")
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(
            kept_key(&new).open(KEPT_FORM_FIELD, &form).as_deref(),
            Ok(body),
            "{e}"
        );
        let moved = app.store.feedback_files(id).await.expect("files")[0].clone();
        assert_ne!(moved.blob_sha256, file.blob_sha256, "{e}: a new blob");
        assert!(
            app.store
                .blob(&file.blob_sha256)
                .await
                .expect("blob")
                .is_none(),
            "{e}"
        );
        let (s, body) = app
            .send_with_key(new.clone(), download(moved.id, &focal))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(body.as_ref(), id_card_picture().as_slice(), "{e}");
        let (_, stored_file) = app
            .store
            .blob(&moved.blob_sha256)
            .await
            .expect("blob")
            .expect("kept");
        assert!(new.open_bytes(FILE_FIELD, &stored_file).is_ok(), "{e}");
        let log = app
            .store
            .audit_by_action("rekey", theodoi::store::Page::new(Some(1), Some(10)))
            .await
            .expect("audit");
        assert_eq!(log.len(), 1, "{e}: the rotation is in the trail");
        assert!(
            log[0]
                .after
                .as_deref()
                .unwrap_or("")
                .contains("\"files\":1"),
            "{e}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn rekey_with_a_wrong_old_key_changes_nothing() {
    let wrong = DataKey::from_bytes([3; 32]);
    let new = DataKey::from_bytes([42; 32]);
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let (id, _) = feedback_with_picture(&app, &w).await;
        let file = app.store.feedback_files(id).await.expect("files")[0].clone();
        let before = app.store.feedback(id).await.expect("read").expect("kept");
        let err = theodoi::actions::rekey::rekey(&app.store, wrong.clone(), new.clone())
            .await
            .expect_err("the old key is wrong");
        assert!(err.to_string().contains("feedback"), "{e}: {err}");
        let after = app.store.feedback(id).await.expect("read").expect("kept");
        assert_eq!(after.contact, before.contact, "{e}: untouched");
        assert!(after.contact.open(&DataKey::demo()).is_ok(), "{e}");
        let still = app.store.feedback_files(id).await.expect("files")[0].clone();
        assert_eq!(still.blob_sha256, file.blob_sha256, "{e}");
        app.finish().await;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rekey_cli(db: &std::path::Path, old: &str, new: &str) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_theodoi"))
        .args(["rekey", "--db", &db.display().to_string()])
        .env("THEODOI_DATA_KEY", old)
        .env("THEODOI_NEW_DATA_KEY", new)
        .env("THEODOI_LOG", "error")
        .output()
        .expect("run theodoi");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn the_rekey_command_takes_its_keys_from_the_environment() {
    use sha2::Digest;
    let app = TestApp::sqlite().await;
    let w = World::build(&app.store).await;
    let (id, _) = feedback_with_picture(&app, &w).await;
    let db = app.sqlite_file().expect("sqlite file");
    // DataKey::demo(), written as an operator would give it.
    let demo = hex(&sha2::Sha256::digest(
        b"theodoi demo data key: never for real data",
    ));
    let new = "11".repeat(32);
    let (ok, _, err) = rekey_cli(&db, &"22".repeat(32), &new);
    assert!(!ok && err.contains("nothing was changed"), "{err}");
    let (ok, _, err) = rekey_cli(&db, &demo, &demo);
    assert!(
        !ok && err.contains("the new key is the key in use"),
        "{err}"
    );
    let (ok, out, err) = rekey_cli(&db, &demo, &new);
    assert!(ok, "{err}");
    let counts: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(counts["contacts"], 1, "{out}");
    assert_eq!(counts["files"], 1, "{out}");
    let f = app.store.feedback(id).await.expect("read").expect("kept");
    let new = DataKey::parse(&new).expect("key");
    assert_eq!(
        f.contact.open(&new).expect("new key").name.as_deref(),
        Some(NAME)
    );
    app.finish().await;
}
