//! A whole month of reporting on each engine: the round opens by itself,
//! three units report (one late, one returned and resubmitted), the focal
//! point reviews and consolidates, the leader approves.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use theodoi::domain::access::Role;
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::Actor;

use crate::harness::{
    TestApp, World, csrf_of, post_form, post_multipart, select_texts, task, user,
};

/// Milliseconds of a Vietnam local time in March 2026.
fn march(day: u32, hour: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, 3, day)
        .and_then(|d| d.and_hms_opt(hour, 0, 0))
        .expect("time")
        .and_utc()
        .timestamp_millis()
        - 7 * 3_600_000
}

fn set_clock(app: &TestApp, ms: i64) {
    let now = app.clock.now_ms_for_tests();
    app.clock.advance_ms(ms - now);
}

trait ClockExt {
    fn now_ms_for_tests(&self) -> i64;
}

impl ClockExt for theodoi::clock::FixedClock {
    fn now_ms_for_tests(&self) -> i64 {
        theodoi::clock::Clock::now_ms(self)
    }
}

/// A page form with files, its CSRF token in the query.
async fn upload(
    app: &TestApp,
    cookie: &str,
    uri: &str,
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, String) {
    let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let files: Vec<(&str, &[u8])> = file.into_iter().collect();
    post_multipart(app, &format!("{uri}?_csrf={csrf}"), cookie, &fields, &files).await
}

#[tokio::test]
async fn a_month_of_reporting_from_units_to_the_approved_commune_report() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let village = store
            .create_unit(
                UnitDraft {
                    parent_id: Some(w.commune_a1.id),
                    kind: UnitKind::Village,
                    name: "Thôn Đông".into(),
                    aliases: vec![],
                    side: Side::Government,
                }
                .validate(Some(UnitKind::Commune))
                .expect("valid"),
                &Actor::system(),
            )
            .await
            .expect("village");
        user(store, "village_a1", &village, Role::UnitReporter).await;
        let village_task = task(
            store,
            w.plan_a1,
            "Phổ cập kỹ năng số cho người dân trong thôn",
            &village,
            "Thường xuyên",
        )
        .await;

        // The March round opens by itself on 10 March, with a report for
        // each of the three units named on the plan.
        set_clock(&app, march(10, 9));
        let opened = store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        assert_eq!(opened, 3, "{e}: one round per plan");
        let again = store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open again");
        assert_eq!(again, 0, "{e}: opening twice opens nothing");
        let rounds = store.rounds_of_plan(w.plan_a1).await.expect("rounds");
        assert_eq!(rounds.len(), 1);
        let round = &rounds[0];
        assert_eq!(round.period_key, "2026-03");
        assert_eq!(round.unit_due_on.to_string(), "2026-03-15");
        assert_eq!(round.consolidated_due_on.to_string(), "2026-03-18");
        let reports = store.reports_of_round(round.id).await.expect("reports");
        assert_eq!(reports.len(), 3, "{e}");
        let report_of = |unit: i64| {
            reports
                .iter()
                .find(|r| r.unit_id == unit)
                .expect("report")
                .id
        };
        let (vhxh_report, police_report, village_report) = (
            report_of(w.vhxh_a1.id),
            report_of(w.police_a1.id),
            report_of(village.id),
        );

        // The unit sees what is due.
        let vhxh = app.login_cookie("reporter_a1").await;
        let (s, _, html) = app.page(Method::GET, "/reports", Some(&vhxh), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Tháng 3/2026") || html.contains("tháng 3/2026"),
            "{e}: {html}"
        );

        // Phòng VHXH reports on 12 March: a task, a target with a decimal comma, evidence, then submits.
        set_clock(&app, march(12, 10));
        // Sessions end after 15 idle minutes; each day is a new login.
        let vhxh = app.login_cookie("reporter_a1").await;
        let page = format!("/reports/{vhxh_report}");
        let (s, html) = post_form(
            &app,
            &vhxh,
            &page,
            &page,
            &[
                (&format!("t{}_status", w.task_a1), "in_progress".into()),
                (&format!("t{}_percent", w.task_a1), "60".into()),
                (
                    &format!("t{}_result", w.task_a1),
                    "Đã xây dựng dự thảo kế hoạch".into(),
                ),
                (&format!("t{}_v", w.task_a1), "0".into()),
                (&format!("g{}_value", w.target_a1), "92,5".into()),
                (
                    &format!("g{}_source", w.target_a1),
                    "Số liệu của Viettel".into(),
                ),
                (&format!("g{}_v", w.target_a1), "0".into()),
                ("difficulties", "Thiếu kinh phí".into()),
                ("action", "save".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let (_, _, html) = app.page(Method::GET, &page, Some(&vhxh), None).await;
        let csrf = csrf_of(&html);
        let (s, _) = upload(
            &app,
            &vhxh,
            &format!("{page}/evidence"),
            &csrf,
            &[("task_id", &w.task_a1.to_string())],
            Some(("du-thao.pdf", b"%PDF-1.4 test document")),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}");
        let (s, _) = upload(
            &app,
            &vhxh,
            &format!("{page}/evidence"),
            &csrf,
            &[
                ("task_id", &w.task_a1.to_string()),
                ("number", "15/QĐ-UBND"),
                ("date", "2026-03-11"),
            ],
            None,
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, html) = post_form(
            &app,
            &vhxh,
            &page,
            &page,
            &[
                (&format!("t{}_status", w.task_a1), "in_progress".into()),
                (&format!("t{}_percent", w.task_a1), "60".into()),
                (
                    &format!("t{}_result", w.task_a1),
                    "Đã xây dựng dự thảo kế hoạch".into(),
                ),
                (&format!("t{}_v", w.task_a1), "1".into()),
                (&format!("g{}_value", w.target_a1), "92,5".into()),
                (
                    &format!("g{}_source", w.target_a1),
                    "Số liệu của Viettel".into(),
                ),
                (&format!("g{}_v", w.target_a1), "1".into()),
                ("difficulties", "Thiếu kinh phí".into()),
                ("action", "submit".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");

        // A submitted report cannot be edited.
        let (s, html) = post_form(
            &app,
            &vhxh,
            &page,
            &page,
            &[
                ("difficulties", "Sửa sau khi gửi".into()),
                ("action", "save".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(html.contains("Báo cáo đã gửi nên không sửa được"), "{html}");
        let stored = store
            .unit_report(vhxh_report)
            .await
            .expect("read")
            .expect("report");
        assert_eq!(
            stored.difficulties.as_deref(),
            Some("Thiếu kinh phí"),
            "{e}: nothing changed"
        );

        // Another unit's reporter can neither see nor touch it.
        let police = app.login_cookie("police_a1").await;
        let (s, _, _) = app.page(Method::GET, &page, Some(&police), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");

        // Công an xã submits on 14 March; the focal point returns it with a
        // comment on the task; the unit sees the comment and resubmits on 17 March.
        set_clock(&app, march(14, 15));
        let police = app.login_cookie("police_a1").await;
        let ppage = format!("/reports/{police_report}");
        let (s, html) = post_form(
            &app,
            &police,
            &ppage,
            &ppage,
            &[
                (
                    &format!("t{}_status", w.task_a1_police),
                    "in_progress".into(),
                ),
                (&format!("t{}_v", w.task_a1_police), "0".into()),
                ("action", "submit".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let focal = app.login_cookie("focal_a1").await;
        let (s, html) = post_form(
            &app,
            &focal,
            &ppage,
            &format!("{ppage}/review"),
            &[
                ("decision", "return".into()),
                ("comment", "Bổ sung số liệu cụ thể".into()),
                (
                    &format!("c_t{}", w.task_a1_police),
                    "Nêu số người đã được định danh".into(),
                ),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let (_, _, html) = app.page(Method::GET, &ppage, Some(&police), None).await;
        assert_eq!(
            select_texts(&html, "p.item-comment"),
            vec!["Ý kiến: Nêu số người đã được định danh"],
            "{e}"
        );
        assert!(html.contains("Bổ sung số liệu cụ thể"));
        set_clock(&app, march(17, 8));
        let police = app.login_cookie("police_a1").await;
        let (s, html) = post_form(
            &app,
            &police,
            &ppage,
            &ppage,
            &[
                (
                    &format!("t{}_status", w.task_a1_police),
                    "in_progress".into(),
                ),
                (&format!("t{}_percent", w.task_a1_police), "70".into()),
                (
                    &format!("t{}_result", w.task_a1_police),
                    "Đã định danh 3.200 người".into(),
                ),
                (&format!("t{}_v", w.task_a1_police), "1".into()),
                ("action", "submit".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");

        // The village reports on 16 March: late.
        set_clock(&app, march(16, 9));
        let village_cookie = app.login_cookie("village_a1").await;
        let vpage = format!("/reports/{village_report}");
        let (s, _) = post_form(
            &app,
            &village_cookie,
            &vpage,
            &vpage,
            &[
                (&format!("t{village_task}_status"), "done".into()),
                (
                    &format!("t{village_task}_result"),
                    "Đã tập huấn cho 45 hộ".into(),
                ),
                (&format!("t{village_task}_v"), "0".into()),
                ("action", "submit".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The focal point accepts all three.
        set_clock(&app, march(17, 10));
        let focal = app.login_cookie("focal_a1").await;
        for report in [vhxh_report, police_report, village_report] {
            let p = format!("/reports/{report}");
            let (s, html) = post_form(
                &app,
                &focal,
                &p,
                &format!("{p}/review"),
                &[("decision", "accept".into())],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        }
        let (c, rows) = store
            .round_completeness(round.id)
            .await
            .expect("completeness");
        assert_eq!(
            (c.expected, c.on_time, c.late, c.missing),
            (3, 2, 1, 0),
            "{e}"
        );
        let late: Vec<i64> = rows
            .iter()
            .filter(|(_, t)| *t == theodoi::domain::report::Timeliness::Late)
            .map(|(r, _)| r.unit_id)
            .collect();
        assert_eq!(late, vec![village.id]);
        let by_commune = store
            .completeness_by_commune(
                &w.province_a.path,
                chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("d"),
                chrono::NaiveDate::from_ymd_opt(2026, 3, 31).expect("d"),
            )
            .await
            .expect("rates");
        assert_eq!(
            by_commune.len(),
            2,
            "{e}: both communes of province A had a March round"
        );
        let a1 = by_commune
            .iter()
            .find(|(id, _, _)| *id == w.commune_a1.id)
            .expect("commune A1");
        assert!((a1.2.on_time_rate() - 66.666).abs() < 0.01, "{e}");
        let a2 = by_commune
            .iter()
            .find(|(id, _, _)| *id == w.commune_a2.id)
            .expect("commune A2");
        assert_eq!(
            (a2.2.expected, a2.2.missing),
            (1, 1),
            "{e}: A2's unit never reported"
        );
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/rounds/{}", round.id),
                Some(&focal),
                None,
            )
            .await;
        assert_eq!(select_texts(&html, "dd.on-time"), vec!["2"]);
        assert_eq!(select_texts(&html, "dd.late"), vec!["1"]);

        // The focal point consolidates; the leader approves.
        let rpage = format!("/rounds/{}", round.id);
        let (s, html) = post_form(
            &app,
            &focal,
            &rpage,
            &format!("{rpage}/consolidate"),
            &[("number", "12".into())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let leader = app.login_cookie("leader_a1").await;
        let (s, html) = post_form(&app, &leader, &rpage, &format!("{rpage}/approve"), &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        let consolidated = store
            .consolidated(round.id)
            .await
            .expect("read")
            .expect("consolidated");
        assert_eq!(consolidated.status, "approved");
        // A focal point cannot approve.
        let (s, _) = post_form(&app, &focal, &rpage, &format!("{rpage}/approve"), &[]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The consolidated report reads back with the submitted figures.
        let (s, headers, docx) = app
            .page(
                Method::GET,
                &format!("{rpage}/report.docx"),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .starts_with("attachment")
        );
        let _ = docx;
        let req = Request::builder()
            .uri(format!("{rpage}/report.docx"))
            .header(header::COOKIE, &leader)
            .body(Body::empty())
            .expect("req");
        let (_, _, bytes) = app.send(req).await;
        let xml = docx_text(&bytes);
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "BÁO CÁO",
            "Đã xây dựng dự thảo kế hoạch",
            "92,5",
            "Đã định danh 3.200 người",
            "Thiếu kinh phí",
            "Số: 12/BC-UBND",
            "15/QĐ-UBND",
        ] {
            assert!(xml.contains(expected), "{e}: the .docx holds {expected}");
        }
        let req = Request::builder()
            .uri(format!("{rpage}/report.xlsx"))
            .header(header::COOKIE, &leader)
            .body(Body::empty())
            .expect("req");
        let (s, _, bytes) = app.send(req).await;
        assert_eq!(s, StatusCode::OK);
        let cells = xlsx_cells(&bytes);
        assert!(
            cells
                .iter()
                .any(|c| c.contains("Đã xây dựng dự thảo kế hoạch")),
            "{e}"
        );
        assert!(
            cells.iter().any(|c| c == "92,5" || c == "92.5"),
            "{e}: {cells:?}"
        );
        assert!(cells.iter().any(|c| c == "Đạt"), "{e}: 92.5 meets ≥ 90");

        // Every change is in the trail, per item.
        let history = store
            .audit_by_action("return_report", theodoi::store::Page::all())
            .await
            .expect("audit");
        assert_eq!(history.len(), 1, "{history:#?}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_concurrent_edit_is_refused_and_nothing_is_lost() {
    for app in TestApp::all().await {
        let store = &app.store;
        let w = World::build(store).await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let report = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report");
        let page = format!("/reports/{}", report.id);
        // Two people of the unit open the report at the same time.
        let a = app.login_cookie("reporter_a1").await;
        let b = app.login_cookie("focal_a1").await;
        let (_, _, html_a) = app.page(Method::GET, &page, Some(&a), None).await;
        let (_, _, html_b) = app.page(Method::GET, &page, Some(&b), None).await;
        let post = |html: &str, result: &str| {
            serde_urlencoded::to_string([
                ("_csrf", csrf_of(html)),
                (&format!("t{}_status", w.task_a1), "in_progress".to_string()),
                (&format!("t{}_result", w.task_a1), result.to_string()),
                (&format!("t{}_v", w.task_a1), "0".to_string()),
                ("action", "save".to_string()),
            ])
            .expect("encode")
        };
        let (s, _, _) = app
            .page(
                Method::POST,
                &page,
                Some(&a),
                Some(post(&html_a, "Bản của A")),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, html) = app
            .page(
                Method::POST,
                &page,
                Some(&b),
                Some(post(&html_b, "Bản của B")),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{}", app.engine);
        assert!(html.contains("vừa được người khác cập nhật"));
        assert!(html.contains("Bản của A"), "the current values are shown");
        let view = store
            .report_view(report.id)
            .await
            .expect("read")
            .expect("view");
        let item = view
            .tasks
            .iter()
            .find(|i| i.task.id == w.task_a1)
            .expect("item");
        assert_eq!(
            item.update
                .as_ref()
                .and_then(|u| u.result.clone())
                .as_deref(),
            Some("Bản của A")
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn refused_uploads_get_a_clear_message_and_store_nothing() {
    for app in TestApp::all().await {
        let store = &app.store;
        let w = World::build(store).await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let report = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report");
        let cookie = app.login_cookie("reporter_a1").await;
        let page = format!("/reports/{}", report.id);
        let (_, _, html) = app.page(Method::GET, &page, Some(&cookie), None).await;
        let csrf = csrf_of(&html);
        let task = w.task_a1.to_string();
        let exe = b"MZ\x90\x00\x03 this is a program".to_vec();
        let (s, html) = upload(
            &app,
            &cookie,
            &format!("{page}/evidence"),
            &csrf,
            &[("task_id", &task)],
            Some(("bao-cao.pdf", &exe)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{}", app.engine);
        assert!(html.contains("Loại tệp không được chấp nhận"), "{html}");
        let big = {
            let mut v = b"%PDF-1.4 ".to_vec();
            v.resize(11 * 1024 * 1024, b'a');
            v
        };
        let (s, html) = upload(
            &app,
            &cookie,
            &format!("{page}/evidence"),
            &csrf,
            &[("task_id", &task)],
            Some(("lon.pdf", &big)),
        )
        .await;
        assert!(
            s == StatusCode::UNPROCESSABLE_ENTITY
                || s == StatusCode::BAD_REQUEST
                || s == StatusCode::PAYLOAD_TOO_LARGE,
            "{s}"
        );
        assert!(html.contains("10 MB"), "{html}");
        let view = store
            .report_view(report.id)
            .await
            .expect("read")
            .expect("view");
        assert!(
            view.tasks.iter().all(|i| i.evidence.is_empty()),
            "nothing stored"
        );
        app.finish().await;
    }
}

fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    // Text runs may be split; joining the <w:t> contents is enough here.
    let mut text = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<w:t") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let Some(close) = after.find("</w:t>") else {
            break;
        };
        if open_end < close {
            text.push_str(&after[open_end + 1..close]);
        }
        text.push(' ');
        rest = &after[close + 6..];
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let mut out = Vec::new();
    for name in book.sheet_names() {
        if let Ok(range) = book.worksheet_range(&name) {
            for row in range.rows() {
                for cell in row {
                    out.push(cell.to_string());
                }
            }
        }
    }
    out
}

/// A period sheet as a person fills it, built like the exported one.
fn filled_sheet(period_key: &str, rows: &[(i64, &str, &str, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Nhiệm vụ").expect("name");
    sheet.write_string(0, 0, period_key).expect("key");
    for (c, h) in theodoi::export::xlsx::PERIOD_TASK_HEADERS
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).expect("header");
    }
    for (i, (id, status, percent, result)) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        sheet.write_number(r, 0, *id as f64).expect("id");
        sheet.write_string(r, 2, "Nhiệm vụ").expect("title");
        sheet.write_string(r, 5, *status).expect("status");
        sheet.write_string(r, 6, *percent).expect("percent");
        sheet.write_string(r, 7, *result).expect("result");
    }
    book.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn a_bulk_upload_with_one_bad_row_stores_nothing_and_names_the_row() {
    for app in TestApp::all().await {
        let store = &app.store;
        let w = World::build(store).await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let focal = app.login_cookie("focal_a1").await;
        let rpage = format!("/rounds/{}", round.id);
        // The exported sheet downloads and lists the plan's tasks.
        let req = Request::builder()
            .uri(format!("{rpage}/sheet.xlsx"))
            .header(header::COOKIE, &focal)
            .body(Body::empty())
            .expect("req");
        let (s, _, bytes) = app.send(req).await;
        assert_eq!(s, StatusCode::OK, "{}", app.engine);
        let cells = xlsx_cells(&bytes);
        assert!(
            cells.iter().any(|c| c == "Xây dựng kế hoạch chuyển đổi số"),
            "{cells:?}"
        );
        let (_, _, html) = app.page(Method::GET, &rpage, Some(&focal), None).await;
        let csrf = csrf_of(&html);

        let bad = filled_sheet(
            &round.period_key,
            &[
                (w.task_a1, "Đang thực hiện", "50", "Đã khảo sát"),
                (w.task_a1_police, "Đang thực hiện", "150", "Sai tiến độ"),
            ],
        );
        let (s, html) = upload(
            &app,
            &focal,
            &format!("{rpage}/sheet"),
            &csrf,
            &[],
            Some(("cap-nhat.xlsx", &bad)),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {html}",
            app.engine
        );
        assert!(html.contains("Dòng 4"), "the bad row is named: {html}");
        let reports = store.reports_of_round(round.id).await.expect("reports");
        for r in &reports {
            let view = store.report_view(r.id).await.expect("read").expect("view");
            assert!(
                view.tasks.iter().all(|i| i.update.is_none()),
                "{}: nothing stored",
                app.engine
            );
        }

        let good = filled_sheet(
            &round.period_key,
            &[
                (w.task_a1, "dang thuc hien", "50", "Đã khảo sát"),
                (w.task_a1_police, "Hoàn thành", "", "Xong"),
            ],
        );
        let (s, html) = upload(
            &app,
            &focal,
            &format!("{rpage}/sheet"),
            &csrf,
            &[],
            Some(("cap-nhat.xlsx", &good)),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}: {html}", app.engine);
        let vhxh = reports
            .iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report");
        let view = store
            .report_view(vhxh.id)
            .await
            .expect("read")
            .expect("view");
        let item = view
            .tasks
            .iter()
            .find(|i| i.task.id == w.task_a1)
            .expect("item");
        assert_eq!(item.update.as_ref().and_then(|u| u.percent), Some(50));
        let police = reports
            .iter()
            .find(|r| r.unit_id == w.police_a1.id)
            .expect("report");
        let view = store
            .report_view(police.id)
            .await
            .expect("read")
            .expect("view");
        let item = view
            .tasks
            .iter()
            .find(|i| i.task.id == w.task_a1_police)
            .expect("item");
        assert_eq!(
            item.update.as_ref().and_then(|u| u.percent),
            Some(100),
            "done means 100%"
        );
        // A period sheet for another period is refused.
        let other = filled_sheet("2025-01", &[(w.task_a1, "Hoàn thành", "100", "x")]);
        let (s, _) = upload(
            &app,
            &focal,
            &format!("{rpage}/sheet"),
            &csrf,
            &[],
            Some(("cu.xlsx", &other)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_sheet_row_with_a_result_for_a_confidential_task_is_refused() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let focal_token = app.login_token("focal_a1").await;
        let task = format!("/api/tasks/{}", w.task_a1);
        let (_, before) = app.api(Method::GET, &task, Some(&focal_token), None).await;
        let (s, marked) = app
            .api(
                Method::PUT,
                &task,
                Some(&focal_token),
                Some(
                    serde_json::json!({"title": "", "lead": [{"unit_id": w.vhxh_a1.id}],
                    "deadline": "Tháng 7/2026", "confidential": true,
                    "version": before["version"]}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {marked}");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let focal = app.login_cookie("focal_a1").await;
        let rpage = format!("/rounds/{}", round.id);
        let (_, _, html) = app.page(Method::GET, &rpage, Some(&focal), None).await;
        let csrf = csrf_of(&html);
        let sheet = filled_sheet(
            &round.period_key,
            &[(
                w.task_a1,
                "Hoàn thành",
                "100",
                "Nội dung không được đưa lên",
            )],
        );
        let (s, html) = upload(
            &app,
            &focal,
            &format!("{rpage}/sheet"),
            &csrf,
            &[],
            Some(("cap-nhat.xlsx", &sheet)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {html}");
        assert!(
            html.contains("Dòng 3") && html.contains("nhiệm vụ mật"),
            "{e}: {html}"
        );
        for r in store.reports_of_round(round.id).await.expect("reports") {
            let view = store.report_view(r.id).await.expect("read").expect("view");
            assert!(view.tasks.iter().all(|i| i.update.is_none()), "{e}");
        }
        let refused = store
            .audit_by_action(
                "refuse_confidential_content",
                theodoi::store::Page::new(Some(1), Some(10)),
            )
            .await
            .expect("audit");
        assert_eq!(refused.len(), 1, "{e}");
        // Its status alone goes in.
        let status_only = filled_sheet(&round.period_key, &[(w.task_a1, "Hoàn thành", "100", "")]);
        let (s, html) = upload(
            &app,
            &focal,
            &format!("{rpage}/sheet"),
            &csrf,
            &[],
            Some(("cap-nhat.xlsx", &status_only)),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{e}: {html}");
        app.finish().await;
    }
}
