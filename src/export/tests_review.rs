//! A review over the term read back from its files: the Party's header,
//! number and recipients for a Đảng ủy's plan, the state's for a UBND's,
//! and the appendices with a column a period and the span's total.

use std::io::{Cursor, Read};

use super::docx::report_docx;
use super::fixture;
use super::model::{
    DocumentFormat, ReportDocument, ReviewTables, ReviewTargetLine, ReviewTaskLine,
};
use super::test_xml::{El, parse_xml};
use super::xlsx_review::review_xlsx;

fn tables() -> ReviewTables {
    let years = ["Năm 2026", "Năm 2027", "Năm 2028", "Năm 2029", "Năm 2030"];
    ReviewTables {
        columns: years.iter().map(|y| y.to_string()).collect(),
        span: "Cả giai đoạn 2026 - 2030".into(),
        tasks: vec![ReviewTaskLine {
            group: None,
            reference: "1".into(),
            title: "Xây dựng kho dữ liệu số của xã".into(),
            lead: "Phòng Văn hóa - Xã hội".into(),
            deadline: "Năm 2027".into(),
            cells: vec![
                "Đang thực hiện (40%)".into(),
                "Hoàn thành (100%)".into(),
                "Chưa có báo cáo".into(),
                "Chưa có báo cáo".into(),
                "Chưa có báo cáo".into(),
            ],
            last: "Hoàn thành (100%)".into(),
            completed_in: "Năm 2027".into(),
        }],
        completed: vec!["0".into(), "1".into(), "0".into(), "0".into(), "0".into()],
        completed_total: "1".into(),
        targets: vec![ReviewTargetLine {
            group: None,
            reference: "6".into(),
            name: "Số sáng kiến được công nhận".into(),
            measure_unit: "Sáng kiến".into(),
            goal: "≥ 10".into(),
            cells: vec![
                "3".into(),
                "4".into(),
                "Chưa có số liệu".into(),
                "2".into(),
                "5".into(),
            ],
            total: "Cộng: 14 (thiếu số liệu Năm 2028)".into(),
            assessment: "Đạt".into(),
        }],
    }
}

fn review(format: DocumentFormat) -> ReportDocument {
    let mut doc = fixture::report();
    doc.number = None;
    doc.summary = "Tổng kết thực hiện Kế hoạch số 21/KH-UBND giai đoạn 2026 - 2030".into();
    doc.tasks = Vec::new();
    doc.targets = Vec::new();
    doc.tasks_title = "KẾT QUẢ THỰC HIỆN NHIỆM VỤ GIAI ĐOẠN 2026 - 2030".into();
    doc.targets_title = "KẾT QUẢ THỰC HIỆN CHỈ TIÊU GIAI ĐOẠN 2026 - 2030".into();
    doc.review = Some(tables());
    if format == DocumentFormat::Party {
        doc.format = DocumentFormat::Party;
        doc.parent_body = Some("ĐẢNG BỘ TỈNH SƠN LÂM".into());
        doc.issuer = "ĐẢNG ỦY XÃ ĐỒNG TÂM".into();
        doc.symbol = "BC/ĐU".into();
        doc.place = "Đồng Tâm".into();
        doc.addressees = Vec::new();
        doc.recipients = vec![
            "Ban Thường vụ Tỉnh ủy (để báo cáo)".into(),
            "Các chi, đảng bộ trực thuộc".into(),
            "Lưu Văn phòng Đảng ủy".into(),
        ];
        doc.signer_authority = "T/M ĐẢNG ỦY".into();
        doc.signer_titles = vec!["BÍ THƯ".into()];
    }
    doc
}

fn body(doc: &ReportDocument) -> El {
    let bytes = report_docx(doc).expect("review builds");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    parse_xml(&xml)
}

fn texts(el: &El) -> Vec<String> {
    el.find_all("w:p").iter().map(|p| p.plain()).collect()
}

fn has(texts: &[String], text: &str) -> bool {
    texts.iter().any(|t| t == text)
}

#[test]
fn a_party_review_has_the_party_header_number_and_recipients() {
    let texts = texts(&body(&review(DocumentFormat::Party)));
    for party in [
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY XÃ ĐỒNG TÂM",
        "ĐẢNG BỘ TỈNH SƠN LÂM",
        "Số      -BC/ĐU",
        "T/M ĐẢNG ỦY",
        "BÍ THƯ",
        "- Ban Thường vụ Tỉnh ủy (để báo cáo),",
        "- Lưu Văn phòng Đảng ủy.",
    ] {
        assert!(has(&texts, party), "{party}");
    }
    assert!(!has(&texts, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(!texts.iter().any(|t| t.contains("BC-UBND")));
    // The appendices name the committee with its place's capitals.
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("(Kèm theo Báo cáo số -BC/ĐU")
                && t.ends_with("của Đảng ủy xã Đồng Tâm)")),
        "{texts:?}"
    );
}

#[test]
fn a_state_review_has_the_state_header_and_number() {
    let texts = texts(&body(&review(DocumentFormat::State)));
    for state in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:      /BC-UBND",
        "TM. ỦY BAN NHÂN DÂN",
        "Nơi nhận:",
    ] {
        assert!(has(&texts, state), "{state}");
    }
    assert!(!has(&texts, "ĐẢNG CỘNG SẢN VIỆT NAM"));
}

#[test]
fn a_review_appendix_has_a_column_a_period_and_the_span() {
    let doc = body(&review(DocumentFormat::State));
    let tables = doc.find_all("w:tbl");
    // Header, signature, then the two appendices.
    let targets = tables.last().expect("target appendix");
    let rows = targets.find_all("w:tr");
    let header: Vec<String> = rows[0].find_all("w:tc").iter().map(|c| c.plain()).collect();
    assert_eq!(
        header,
        [
            "TT",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Mục tiêu",
            "Năm 2026",
            "Năm 2027",
            "Năm 2028",
            "Năm 2029",
            "Năm 2030",
            "Cả giai đoạn 2026 - 2030",
            "Đánh giá"
        ]
    );
    let row: Vec<String> = rows[1].find_all("w:tc").iter().map(|c| c.plain()).collect();
    assert_eq!(row[6], "Chưa có số liệu");
    assert_eq!(row[9], "Cộng: 14 (thiếu số liệu Năm 2028)");
    let tasks = &tables[tables.len() - 2];
    let last_row = tasks.find_all("w:tr").last().map(|r| r.plain());
    assert_eq!(
        last_row.as_deref(),
        Some("Số nhiệm vụ hoàn thành trong kỳ010001")
    );
}

#[test]
fn a_review_spreadsheet_holds_the_same_columns() {
    use calamine::{Reader, Xlsx};
    let bytes = review_xlsx(&review(DocumentFormat::Party)).expect("xlsx builds");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("Chỉ tiêu").expect("target sheet");
    let row: Vec<String> = sheet
        .rows()
        .nth(2)
        .expect("first target")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row[1], "Số sáng kiến được công nhận");
    assert_eq!(&row[4..9], ["3", "4", "Chưa có số liệu", "2", "5"]);
    assert_eq!(row[9], "Cộng: 14 (thiếu số liệu Năm 2028)");
}
