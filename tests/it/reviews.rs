//! Reviews over the term, on each engine: the end-of-term report adds up
//! its years from accepted reports only (a report not accepted counts for
//! nothing, a year with no figure is shown as missing, never as zero, and
//! the totals equal the sum of the years); a UBND's plan gets the state's
//! layout and a Đảng ủy's the Party's; strangers get nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use calamine::{Reader, Xlsx};
use theodoi::domain::goal::Goal;
use theodoi::domain::period::ReportingPeriod;
use theodoi::domain::plan::{PlanDraft, ReportingRegime};
use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::UnitMention;
use theodoi::store::{Actor, ReportEdits};

use crate::harness::{TestApp, World, task};
use crate::report_content::document_text;

/// A target counted in initiatives, led by Phòng VHXH A1.
async fn initiatives_target(app: &TestApp, w: &World) -> i64 {
    let draft = TargetDraft {
        reference: Some("2".into()),
        group_path: vec!["A. Hạ tầng".into()],
        name: "Số sáng kiến được công nhận".into(),
        measure_unit: Some("Sáng kiến".into()),
        lead: vec![UnitMention::resolved(w.vhxh_a1.name.clone(), w.vhxh_a1.id)],
        goals: vec![Goal::parse("≥ 10", Some(2030)).expect("goal")],
        note: None,
        direction: None,
    }
    .validate()
    .expect("valid target");
    app.store
        .create_target(w.plan_a1, draft, &Actor::system())
        .await
        .expect("create target")
        .id
}

/// What Phòng VHXH A1 says in a round of `period`.
struct Said {
    status: TaskStatus,
    percent: u8,
    coverage: f64,
    initiatives: f64,
    accepted: bool,
}

async fn report(app: &TestApp, w: &World, initiatives: i64, period: ReportingPeriod, said: Said) {
    let store = &app.store;
    let round = store
        .open_round(w.plan_a1, period, None, None, &Actor::system())
        .await
        .expect("round");
    let report = store
        .reports_of_round(round.id)
        .await
        .expect("reports")
        .into_iter()
        .find(|r| r.unit_id == w.vhxh_a1.id)
        .expect("the unit's report");
    let figure = |value: f64| {
        TargetFigureDraft {
            value: Some(value),
            source: Some("Thống kê xã".into()),
            ..TargetFigureDraft::default()
        }
        .validate()
        .expect("valid figure")
    };
    let edits = ReportEdits {
        notes: None,
        tasks: vec![(
            w.task_a1,
            0,
            TaskUpdateDraft {
                status: Some(said.status),
                percent: Some(said.percent),
                result: Some("Đã ban hành kế hoạch".into()),
                ..TaskUpdateDraft::default()
            }
            .validate()
            .expect("valid update"),
        )],
        targets: vec![
            (w.target_a1, 0, figure(said.coverage)),
            (initiatives, 0, figure(said.initiatives)),
        ],
    };
    store
        .save_report(report.id, edits, true, &Actor::system())
        .await
        .expect("submit");
    if said.accepted {
        store
            .review_report(report.id, true, None, vec![], &Actor::system())
            .await
            .expect("accept");
    }
}

fn said(status: TaskStatus, percent: u8, coverage: f64, initiatives: f64) -> Said {
    Said {
        status,
        percent,
        coverage,
        initiatives,
        accepted: true,
    }
}

/// The rows of a sheet of an .xlsx, as text.
fn sheet_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn row_named<'a>(rows: &'a [Vec<String>], name: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.get(1).is_some_and(|n| n == name))
        .unwrap_or_else(|| panic!("no row «{name}»"))
}

async fn download(app: &TestApp, token: &str, uri: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (s, _, body) = app.send(req).await;
    (s, body.to_vec())
}

#[tokio::test]
async fn the_end_of_term_report_adds_up_its_accepted_years_and_shows_a_missing_one() {
    use TaskStatus::{Done, InProgress};
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let initiatives = initiatives_target(&app, &w).await;
        let year = |y| ReportingPeriod::year(y).expect("year");
        report(
            &app,
            &w,
            initiatives,
            year(2026),
            said(InProgress, 40, 80.0, 3.0),
        )
        .await;
        report(
            &app,
            &w,
            initiatives,
            year(2027),
            said(Done, 100, 88.0, 4.0),
        )
        .await;
        // 2028: sent but never accepted, so it counts for nothing.
        let mut unaccepted = said(Done, 100, 99.0, 100.0);
        unaccepted.accepted = false;
        report(&app, &w, initiatives, year(2028), unaccepted).await;
        let june = ReportingPeriod::month(2029, 6).expect("month");
        report(&app, &w, initiatives, june, said(Done, 100, 90.0, 2.0)).await;
        report(
            &app,
            &w,
            initiatives,
            year(2030),
            said(Done, 100, 95.0, 5.0),
        )
        .await;

        let focal = app.login_token("focal_a1").await;
        let base = format!("/api/plans/{}/reviews", w.plan_a1);
        let (s, xlsx) = download(&app, &focal, &format!("{base}/end_of_term?format=xlsx")).await;
        assert_eq!(s, StatusCode::OK, "{e}");

        let targets = sheet_rows(&xlsx, "Chỉ tiêu");
        let counted = row_named(&targets, "Số sáng kiến được công nhận");
        assert_eq!(
            &counted[4..9],
            ["3", "4", "Chưa có số liệu", "2", "5"],
            "{e}: a year with no accepted figure is missing, not 0 nor 100"
        );
        let sum: f64 = counted[4..9]
            .iter()
            .filter_map(|c| c.parse::<f64>().ok())
            .sum();
        assert_eq!(sum, 14.0, "{e}");
        assert_eq!(counted[9], "Cộng: 14 (thiếu số liệu Năm 2028)", "{e}");
        assert_eq!(counted[10], "Đạt", "{e}: 14 ≥ 10 by 2030");
        let coverage = row_named(&targets, "Tỷ lệ phủ sóng 5G");
        assert_eq!(coverage[9], "Mới nhất: 95", "{e}: a level is not added up");

        let tasks = sheet_rows(&xlsx, "Nhiệm vụ");
        let planned = row_named(&tasks, "Xây dựng kế hoạch chuyển đổi số");
        assert_eq!(
            &planned[4..9],
            [
                "Đang thực hiện (40%)",
                "Hoàn thành (100%)",
                "Chưa có báo cáo",
                "Hoàn thành (100%)",
                "Hoàn thành (100%)"
            ],
            "{e}"
        );
        assert_eq!(planned[10], "Năm 2027", "{e}: completed once, in 2027");
        let police = row_named(&tasks, "Định danh điện tử cho người dân");
        assert!(police[4..9].iter().all(|c| c == "Chưa có báo cáo"), "{e}");
        let totals = row_named(&tasks, "Số nhiệm vụ hoàn thành trong kỳ");
        assert_eq!(&totals[4..9], ["0", "1", "0", "0", "0"], "{e}");
        let per_year: usize = totals[4..9]
            .iter()
            .filter_map(|c| c.parse::<usize>().ok())
            .sum();
        assert_eq!(
            totals[10],
            per_year.to_string(),
            "{e}: the total is the sum"
        );

        // The mid-term review stops at 2028; the same figures add up to 7.
        let (s, mid) = download(&app, &focal, &format!("{base}/mid_term?format=xlsx")).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let mid_targets = sheet_rows(&mid, "Chỉ tiêu");
        let counted = row_named(&mid_targets, "Số sáng kiến được công nhận");
        assert_eq!(counted[7], "Cộng: 7 (thiếu số liệu Năm 2028)", "{e}");

        // The .docx, in the state's layout for a UBND's plan.
        let (s, docx) = download(&app, &focal, &format!("{base}/end_of_term")).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let text = document_text(&docx);
        for state in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "ỦY BAN NHÂN DÂN",
            "XÃ AN PHÚ",
            "Số:      /BC-UBND",
            "Tổng kết thực hiện Kế hoạch số",
            "1/2 nhiệm vụ hoàn thành trong giai đoạn 2026 - 2030 (Năm 2026: 0; Năm 2027: 1;",
            "Số sáng kiến được công nhận: Năm 2028",
        ] {
            assert!(text.contains(state), "{e}: «{state}» in {text}");
        }
        assert!(!text.contains("ĐẢNG CỘNG SẢN"), "{e}");

        // Strangers, a unit's reporter, and wrong parameters.
        for who in ["focal_b1", "reporter_a1"] {
            let token = app.login_token(who).await;
            let (s, _) = download(&app, &token, &format!("{base}/year?year=2026")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {who}");
        }
        for bad in [
            "decade",
            "quarter?quarter=5",
            "year?year=2031",
            "year?format=pdf",
        ] {
            let (s, body) = app
                .api(Method::GET, &format!("{base}/{bad}"), Some(&focal), None)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}: {bad}: {body}");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn a_party_plans_review_comes_in_the_partys_layout_from_the_plan_page() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let draft = PlanDraft {
            issuer_unit_id: w.commune_a1.id,
            number: Some("60-KH/ĐU".into()),
            issued_on: chrono::NaiveDate::from_ymd_opt(2026, 4, 2),
            place: Some("An Phú".into()),
            title: "Kế hoạch của Đảng ủy xã thực hiện Nghị quyết 57".into(),
            basis: vec![],
            implements: vec![],
            regime: ReportingRegime::default(),
        }
        .validate()
        .expect("valid plan");
        let plan = app
            .store
            .create_plan(draft, &Actor::system())
            .await
            .expect("plan")
            .id;
        task(
            &app.store,
            plan,
            "Quán triệt Nghị quyết",
            &w.vhxh_a1,
            "Năm 2026",
        )
        .await;

        let cookie = app.login_cookie("leader_a1").await;
        let (s, _, page) = app
            .page(Method::GET, &format!("/plans/{plan}"), Some(&cookie), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(page.contains("Giao ban, sơ kết, tổng kết"), "{e}");
        let uri = format!("/plans/{plan}/reviews?kind=quarter&quarter=2&year=2026&format=docx");
        let req = Request::builder()
            .uri(&uri)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request");
        let (s, headers, docx) = app.send(req).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap_or_default()
                .contains("giao-ban-quy-2-2026.docx"),
            "{e}"
        );
        let text = document_text(&docx);
        for party in [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "ĐẢNG BỘ TỈNH AN BÌNH",
            "ĐẢNG ỦY XÃ AN PHÚ",
            "Số      -BC/ĐU",
            "Giao ban quý II năm 2026",
            "Ban Thường vụ Tỉnh ủy (để báo cáo)",
            "T/M ĐẢNG ỦY",
            "Tháng 4/2026",
        ] {
            assert!(text.contains(party), "{e}: «{party}» in {text}");
        }
        assert!(!text.contains("BC-UBND"), "{e}");
        assert!(!text.contains("CỘNG HÒA XÃ HỘI"), "{e}");

        // A unit's reporter reads the plan but is offered no review.
        let reporter = app.login_cookie("reporter_a1").await;
        let (_, _, page) = app
            .page(
                Method::GET,
                &format!("/plans/{plan}"),
                Some(&reporter),
                None,
            )
            .await;
        assert!(!page.contains("Giao ban, sơ kết, tổng kết"), "{e}");
        app.finish().await;
    }
}
