//! Onboarding in bulk on each engine: a sheet of units and accounts is
//! checked whole (a dry run stores nothing; one bad row refuses the sheet,
//! named, and nothing moves), then written in one transaction with an
//! enrolment code per account that works once and expires; only
//! administrators, only within their subtree. And a commune's usual units
//! from the template, once.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use theodoi::domain::access::Role;
use theodoi::store::NO_PASSWORD;

use crate::harness::{TestApp, World};

const NEW_PASSWORD: &str = "vuon cau xanh ben song Hong";

/// Sends a sheet to `/api/onboarding` as the request body.
async fn send_sheet(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/onboarding{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request");
    let (status, headers, bytes) = app.send(req).await;
    if status.is_success() {
        assert_eq!(
            headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "codes are never cached"
        );
    }
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

async fn csv(app: &TestApp, token: &str, query: &str, text: &str) -> (StatusCode, Value) {
    send_sheet(app, token, query, "text/csv", text.as_bytes().to_vec()).await
}

/// Units, users, codes and trail entries: what a refused sheet must leave
/// as it was.
async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "units",
        "users",
        "user_roles",
        "enrolment_codes",
        "audit_log",
    ] {
        out.push(app.store.count_rows(table).await.expect("count"));
    }
    out
}

const HEADER: &str =
    "STT,Đơn vị,Mã hoặc đường dẫn,Loại,Họ tên,Tên đăng nhập,Vai trò,Email,Điện thoại\n";

fn good_sheet() -> String {
    format!(
        "{HEADER}\
         1,Thôn Đông,,thôn,Nguyễn Văn An,,Cán bộ báo cáo,an@anphu.test,0912 345 678\n\
         2,Tổ công nghệ số,Xã An Phú / Thôn Đông,,,,,,\n\
         3,Phòng VHXH,,,Trần Thị Bình,binh.tran,Đầu mối,,\n\
         4,,Xã An Phú,,Lê Văn Cường,,lãnh đạo,,\n"
    )
}

#[tokio::test]
async fn a_dry_run_stores_nothing_and_a_good_sheet_creates_units_and_accounts() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let before = counts(&app).await;
        let (s, body) = csv(&app, &token, "?dry_run=true", &good_sheet()).await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["dry_run"], json!(true), "{e}");
        assert_eq!(body["units_created"], json!(2), "{e}: {body}");
        assert_eq!(body["accounts_created"], json!(3), "{e}: {body}");
        assert!(body["accounts"][0]["code"].is_null(), "{e}");
        assert_eq!(counts(&app).await, before, "{e}: a dry run stores nothing");

        let (s, body) = csv(&app, &token, "?dry_run=false", &good_sheet()).await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let village = body["units"][0]["id"].as_i64().expect("id");
        let unit = app.store.unit(village).await.expect("read").expect("unit");
        assert_eq!(unit.name, "Thôn Đông", "{e}");
        assert_eq!(unit.parent_id, Some(w.commune_a1.id), "{e}");
        assert_eq!(unit.commune_id, Some(w.commune_a1.id), "{e}");
        let team = body["units"][1]["id"].as_i64().expect("id");
        let team = app.store.unit(team).await.expect("read").expect("unit");
        assert_eq!(team.parent_id, Some(village), "{e}");

        let an = body["accounts"][0].clone();
        assert_eq!(an["username"], json!("annv.td.anphu"), "{e}: {an}");
        let user = app
            .store
            .user_by_username("annv.td.anphu")
            .await
            .expect("read")
            .expect("user");
        assert_eq!(user.unit_id, village, "{e}");
        assert_eq!(user.password_hash, NO_PASSWORD, "{e}: no password hashed");
        assert_eq!(user.roles, vec![Role::UnitReporter], "{e}");
        assert_eq!(user.phone.as_deref(), Some("0912345678"), "{e}");
        let binh = app
            .store
            .user_by_username("binh.tran")
            .await
            .expect("read")
            .expect("user");
        assert_eq!(binh.unit_id, w.vhxh_a1.id, "{e}: found by its alias");
        assert_eq!(binh.roles, vec![Role::FocalPoint], "{e}");
        let cuong = app
            .store
            .user_by_username("cuonglv.anphu")
            .await
            .expect("read")
            .expect("user");
        assert_eq!(cuong.unit_id, w.commune_a1.id, "{e}");
        let mut actions: Vec<String> = app
            .store
            .audit_of("user", user.id)
            .await
            .expect("audit")
            .into_iter()
            .map(|a| a.action)
            .collect();
        actions.sort();
        assert_eq!(actions, vec!["create", "enrolment_issued"], "{e}");
        assert_eq!(
            app.store
                .audit_by_action("onboard", theodoi::store::Page::all())
                .await
                .expect("audit")
                .len(),
            1,
            "{e}"
        );

        // The code works once.
        let code = an["code"].as_str().expect("code").to_string();
        assert_eq!(an["link"], json!(format!("/enrol/{code}")), "{e}");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/enrol",
                None,
                Some(json!({"code": code, "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["username"], json!("annv.td.anphu"), "{e}");
        let (s, _) = app
            .api(
                Method::POST,
                "/api/login",
                None,
                Some(json!({"username": "annv.td.anphu", "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, body) = app
            .api(
                Method::POST,
                "/api/enrol",
                None,
                Some(json!({"code": code, "password": "mot mat khau khac hoan toan"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");

        // The same sheet again: its usernames are taken now, so it is
        // refused, naming the row with the given username.
        let (s, body) = csv(&app, &token, "", &good_sheet()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert_eq!(body["error"]["rows"][0]["row"], json!(4), "{e}: {body}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_bad_row_refuses_the_whole_sheet_naming_it() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let before = counts(&app).await;
        let sheet = format!(
            "{HEADER}\
             1,Thôn Đông,,,Nguyễn Văn An,an.nguyen,viewer,,\n\
             2,Thôn Tây,,,Lê Văn Bình,,Chủ tịch,,\n\
             3,Thôn Nam,,,Trần Văn Cao,an.nguyen,viewer,,\n\
             4,Phòng Kinh tế,99999,,,,,,\n\
             5,Thôn Bắc,,,Đỗ Văn Dũng,reporter_a1,viewer,,\n"
        );
        for query in ["?dry_run=true", ""] {
            let (s, body) = csv(&app, &token, query, &sheet).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
            assert_eq!(body["error"]["code"], json!("bad_sheet"), "{e}");
            let rows: Vec<i64> = body["error"]["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| r["row"].as_i64().expect("row"))
                .collect();
            assert_eq!(rows, vec![3, 4, 5], "{e}: {body}");
            let message = |i: usize| {
                body["error"]["rows"][i]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            };
            assert!(message(0).contains("Chủ tịch"), "{e}: {body}");
            assert!(message(1).contains("trùng với dòng 2"), "{e}: {body}");
            assert!(message(2).contains("99999"), "{e}: {body}");
            assert_eq!(counts(&app).await, before, "{e}: nothing stored");
        }
        // Once the sheet's own rows are right, a username taken in the
        // store is named too.
        let sheet = format!(
            "{HEADER}\
             1,Thôn Đông,,,Nguyễn Văn An,an.nguyen,viewer,,\n\
             2,Thôn Bắc,,,Đỗ Văn Dũng,reporter_a1,viewer,,\n"
        );
        let (s, body) = csv(&app, &token, "", &sheet).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert_eq!(body["error"]["rows"][0]["row"], json!(3), "{e}: {body}");
        assert_eq!(counts(&app).await, before, "{e}: nothing stored");
        // Not a sheet at all.
        let (s, body) = send_sheet(&app, &token, "", "text/csv", vec![0xff, 0xfe, 0, 1]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert_eq!(body["error"]["code"], json!("bad_sheet"), "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn an_xlsx_sheet_is_read_like_a_csv_one() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("admin").await;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["Unit", "Code or path", "Full name", "Role"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).expect("write");
        }
        for (c, v) in [
            "Thôn Mới",
            "Tỉnh An Bình / Xã An Hòa",
            "Phạm Thị Hoa",
            "viewer",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(1, c as u16, *v).expect("write");
        }
        let bytes = book.save_to_buffer().expect("xlsx");
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let (s, body) = send_sheet(&app, &token, "", xlsx, bytes).await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let id = body["units"][0]["id"].as_i64().expect("id");
        let unit = app.store.unit(id).await.expect("read").expect("unit");
        assert_eq!(unit.parent_id, Some(w.commune_a2.id), "{e}");
        assert_eq!(
            body["accounts"][0]["username"],
            json!("hoapt.tm.anhoa"),
            "{e}: {body}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn an_enrolment_code_from_a_sheet_expires() {
    for app in TestApp::all().await {
        let e = app.engine;
        World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let sheet = format!("{HEADER}1,Thôn Đông,,,Nguyễn Văn An,,viewer,,\n");
        let (s, body) = csv(&app, &token, "", &sheet).await;
        assert_eq!(s, StatusCode::CREATED, "{e}: {body}");
        let code = body["accounts"][0]["code"]
            .as_str()
            .expect("code")
            .to_string();
        app.clock.advance_ms(72 * 3_600_000);
        let (s, body) = app
            .api(
                Method::POST,
                "/api/enrol",
                None,
                Some(json!({"code": code, "password": NEW_PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("hết hạn")),
            "{e}: {body}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn only_administrators_within_their_subtree_onboard() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        crate::harness::user(&app.store, "admin_a2", &w.commune_a2, Role::Administrator).await;
        let before = counts(&app).await;
        let sheet = format!("{HEADER}1,Thôn Đông,,,Nguyễn Văn An,,viewer,,\n");
        let focal = app.login_token("focal_a1").await;
        let (s, body) = csv(&app, &focal, "", &sheet).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}: {body}");
        let admin_a2 = app.login_token("admin_a2").await;
        let under = format!("?under={}", w.commune_a1.id);
        let (s, body) = csv(&app, &admin_a2, &under, &sheet).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}: {body}");
        // A path into another commune is not found from A2: refused, named.
        let sheet = format!("{HEADER}1,Thôn Đông,Tỉnh An Bình / Xã An Phú,,,,,,\n");
        let (s, body) = csv(&app, &admin_a2, "", &sheet).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {body}");
        assert_eq!(body["error"]["rows"][0]["row"], json!(2), "{e}: {body}");
        assert_eq!(counts(&app).await[..4], before[..4], "{e}: nothing stored");
        // The template, likewise.
        let path = format!("/api/units/{}/template", w.commune_a1.id);
        let (s, _) = app.api(Method::POST, &path, Some(&focal), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, _) = app.api(Method::POST, &path, Some(&admin_a2), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_commune_gets_its_usual_units_from_the_template_once() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let token = app.login_token("admin_a1").await;
        let path = format!("/api/units/{}/template", w.commune_a1.id);
        let (s, body) = app.api(Method::POST, &path, Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let created = body["created"].as_array().expect("created").len();
        // Phòng Văn hóa - Xã hội and Công an xã were there already.
        assert_eq!(body["skipped"], json!(2), "{e}: {body}");
        assert!(created >= 15, "{e}: {body}");
        let names: Vec<&str> = body["created"]
            .as_array()
            .expect("created")
            .iter()
            .filter_map(|u| u["name"].as_str())
            .collect();
        assert!(names.contains(&"Văn phòng HĐND và UBND"), "{e}: {names:?}");
        assert!(names.contains(&"Phòng Kinh tế"), "{e}: {names:?}");
        let units = app.store.count_rows("units").await.expect("count");
        let (s, body) = app.api(Method::POST, &path, Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        assert_eq!(body["created"], json!([]), "{e}: {body}");
        assert_eq!(
            app.store.count_rows("units").await.expect("count"),
            units,
            "{e}"
        );
        // Only a commune.
        let path = format!("/api/units/{}/template", w.vhxh_a1.id);
        let (s, _) = app.api(Method::POST, &path, Some(&token), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_unit_page_offers_the_template_to_its_administrators() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let page = format!("/units/{}", w.commune_a1.id);
        let action = format!("/units/{}/template", w.commune_a1.id);
        let form = format!("form[action=\"{action}\"] button");
        let focal = app.login_cookie("focal_a1").await;
        let (s, _, html) = app.page(Method::GET, &page, Some(&focal), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(crate::harness::select_texts(&html, &form).is_empty(), "{e}");
        let admin = app.login_cookie("admin_a1").await;
        let (s, _, html) = app.page(Method::GET, &page, Some(&admin), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(crate::harness::select_texts(&html, &form).len(), 1, "{e}");
        let units = app.store.count_rows("units").await.expect("count");
        let (s, _) = crate::harness::post_form(&app, &admin, &page, &action, &[]).await;
        assert!(s.is_redirection(), "{e}: {s}");
        assert!(
            app.store.count_rows("units").await.expect("count") > units,
            "{e}"
        );
        app.finish().await;
    }
}
