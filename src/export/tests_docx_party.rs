//! The Party's layout (Hướng dẫn 36-HD/VPTW, `shared/HD36.md`) read back
//! from the generated file: the header, the number, the title, the
//! signature and the recipients of a Đảng ủy's report.

use std::io::{Cursor, Read};

use super::docx::{number_line, report_docx};
use super::fixture;
use super::model::{DocumentFormat, ReportDocument};
use super::test_xml::{El, parse_xml};

fn party_report() -> ReportDocument {
    let mut doc = fixture::report();
    doc.format = DocumentFormat::Party;
    doc.parent_body = Some("ĐẢNG BỘ TỈNH SƠN LÂM".into());
    doc.issuer = "ĐẢNG ỦY XÃ ĐỒNG TÂM".into();
    doc.symbol = "BC/ĐU".into();
    doc.number = Some("15".into());
    doc.place = "Đồng Tâm".into();
    doc.addressees = Vec::new();
    doc.recipients = vec![
        "Ban Thường vụ Tỉnh ủy (để báo cáo)".into(),
        "Các chi, đảng bộ trực thuộc".into(),
        "Lưu Văn phòng Đảng ủy".into(),
    ];
    doc.signer_authority = "T/M ĐẢNG ỦY".into();
    doc.signer_titles = vec!["BÍ THƯ".into()];
    doc
}

fn paragraphs(doc: &ReportDocument) -> Vec<El> {
    let bytes = report_docx(doc).expect("report builds");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    parse_xml(&xml)
        .find_all("w:p")
        .into_iter()
        .cloned()
        .collect()
}

fn find<'a>(paras: &'a [El], text: &str) -> &'a El {
    paras
        .iter()
        .find(|p| p.plain() == text)
        .unwrap_or_else(|| panic!("no paragraph «{text}»"))
}

#[test]
fn a_party_report_has_the_party_header_and_number() {
    let paras = paragraphs(&party_report());
    let texts: Vec<String> = paras.iter().map(|p| p.plain()).collect();
    let title = find(&paras, "ĐẢNG CỘNG SẢN VIỆT NAM");
    assert!(
        title.all_runs("w:b") && title.size() == vec![30],
        "15 pt bold"
    );
    assert!(find(&paras, "ĐẢNG ỦY XÃ ĐỒNG TÂM").all_runs("w:b"));
    assert!(find(&paras, "ĐẢNG BỘ TỈNH SƠN LÂM").no_run("w:b"));
    find(&paras, "*");
    find(&paras, "Số 15-BC/ĐU");
    assert!(find(&paras, "BÁO CÁO").size() == vec![32], "16 pt");
    find(&paras, "-----");
    for state_only in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ] {
        assert!(!texts.iter().any(|t| t == state_only), "{state_only}");
    }
    assert!(
        !texts.iter().any(|t| t.starts_with("Kính gửi")),
        "no addressee line"
    );
}

#[test]
fn a_party_report_is_signed_for_the_committee_with_its_recipients() {
    let paras = paragraphs(&party_report());
    assert!(find(&paras, "T/M ĐẢNG ỦY").all_runs("w:b"));
    assert!(
        find(&paras, "BÍ THƯ").no_run("w:b"),
        "the title is not bold"
    );
    let label = find(&paras, "Nơi nhận:");
    assert!(label.all_runs("w:u"), "underlined");
    find(&paras, "- Ban Thường vụ Tỉnh ủy (để báo cáo),");
    find(&paras, "- Các chi, đảng bộ trực thuộc,");
    find(&paras, "- Lưu Văn phòng Đảng ủy.");
}

#[test]
fn numbers_are_written_each_way_and_never_doubled() {
    use DocumentFormat::{Party, State};
    assert_eq!(number_line(Some("7"), "BC/ĐU", Party), "Số 07-BC/ĐU");
    assert_eq!(number_line(None, "BC/ĐU", Party), "Số      -BC/ĐU");
    assert_eq!(
        number_line(Some("150/BC-UBND"), "BC-UBND", State),
        "Số: 150/BC-UBND"
    );
    assert_eq!(number_line(Some("15-BC/ĐU"), "BC/ĐU", Party), "Số 15-BC/ĐU");
}
