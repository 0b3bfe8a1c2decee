//! The generated report read back from its zip and checked against the
//! ND30 test checklist (`shared/ND30.md` §5, items 1–13), plus landscape
//! appendices, repeated table headers and the submitted figures.

use std::io::{Cursor, Read};

use super::docx::{date_words, issuer_lines, number_line, report_docx};
use super::docx_xml::{Font, text_width};
use super::fixture;
use super::model::DocumentFormat;
use super::model::ReportDocument;
use super::test_xml::{El, parse_xml};

struct Docx {
    document: El,
    header_page: El,
    header_first: El,
    rels: String,
}

fn read_back(doc: &ReportDocument) -> Docx {
    let bytes = report_docx(doc).expect("report builds");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .expect("part present")
            .read_to_string(&mut s)
            .expect("utf-8 part");
        s
    };
    Docx {
        document: parse_xml(&part("word/document.xml")),
        header_page: parse_xml(&part("word/header1.xml")),
        header_first: parse_xml(&part("word/header2.xml")),
        rels: part("word/_rels/document.xml.rels"),
    }
}

impl Docx {
    fn paragraphs(&self) -> Vec<&El> {
        self.document.find_all("w:p")
    }
    fn para(&self, text: &str) -> &El {
        self.paragraphs()
            .into_iter()
            .find(|p| p.plain() == text)
            .unwrap_or_else(|| panic!("no paragraph «{text}»"))
    }
    fn sections(&self) -> Vec<&El> {
        self.document.find_all("w:sectPr")
    }
}

fn twips(el: &El, path: &[&str], attr: &str) -> u32 {
    el.path_attr(path, attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{path:?}@{attr} missing"))
}

fn in_range(sizes: &[u32], lo: u32, hi: u32) -> bool {
    !sizes.is_empty() && sizes.iter().all(|s| (lo..=hi).contains(s))
}

/// `^[^,]+, ngày (0[1-9]|[12][0-9]|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$`
fn is_nd30_date(s: &str) -> bool {
    let Some((place, rest)) = s.split_once(", ngày ") else {
        return false;
    };
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, "tháng", month, "năm", year] = parts.as_slice() else {
        return false;
    };
    let day_ok = day.len() == 2
        && day.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
        && day.chars().all(|c| c.is_ascii_digit());
    let month_ok = matches!(*month, "01" | "02" | "10" | "11" | "12")
        || (month.len() == 1 && ('3'..='9').contains(&month.chars().next().unwrap_or('0')));
    !place.is_empty()
        && !place.contains(',')
        && day_ok
        && month_ok
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
}

/// `^Số: (0[1-9]|[1-9][0-9]+)/[A-ZĐ][A-Za-zĐđ]*(-[A-ZĐ][A-Za-zĐđ&]*)+$`
fn is_nd30_number(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("Số: ") else {
        return false;
    };
    let Some((number, symbol)) = rest.split_once('/') else {
        return false;
    };
    let number_ok = number.chars().all(|c| c.is_ascii_digit())
        && ((number.len() == 2 && number.starts_with('0') && number != "00")
            || (number.len() >= 2 && !number.starts_with('0')));
    let groups: Vec<&str> = symbol.split('-').collect();
    let group_ok = |g: &&str, amp: bool| {
        let mut chars = g.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == 'Đ')
            && chars.all(|c| c.is_ascii_alphabetic() || c == 'Đ' || c == 'đ' || (amp && c == '&'))
    };
    number_ok
        && groups.len() >= 2
        && group_ok(&groups[0], false)
        && groups[1..].iter().all(|g| group_ok(g, true))
}

#[test]
fn page_is_a4_portrait_with_margins_in_range_and_appendices_landscape() {
    let d = read_back(&fixture::report());
    let sections = d.sections();
    assert_eq!(sections.len(), 3, "body + two appendices");
    let main = sections[0];
    assert_eq!(twips(main, &["w:pgSz"], "w:w"), 11906);
    assert_eq!(twips(main, &["w:pgSz"], "w:h"), 16838);
    assert_eq!(main.path_attr(&["w:pgSz"], "w:orient"), None);
    for s in &sections {
        for (side, lo, hi) in [
            ("w:top", 1134, 1417),
            ("w:bottom", 1134, 1417),
            ("w:left", 1701, 1984),
            ("w:right", 850, 1134),
        ] {
            let v = twips(s, &["w:pgMar"], side);
            assert!((lo..=hi).contains(&v), "{side}={v}");
        }
    }
    for s in &sections[1..] {
        assert_eq!(s.path_attr(&["w:pgSz"], "w:orient"), Some("landscape"));
        assert_eq!(twips(s, &["w:pgSz"], "w:w"), 16838);
        assert_eq!(twips(s, &["w:pgSz"], "w:h"), 11906);
        assert_eq!(s.path_attr(&["w:pgNumType"], "w:start"), Some("1"));
        assert_eq!(s.path_attr(&["w:type"], "w:val"), Some("nextPage"));
    }
}

#[test]
fn every_run_is_times_new_roman_and_black() {
    let d = read_back(&fixture::report());
    let mut runs = d.document.runs();
    runs.extend(d.header_page.runs());
    assert!(runs.len() > 100);
    for r in runs {
        let fonts = r.child("w:rPr").and_then(|p| p.child("w:rFonts"));
        let fonts = fonts.unwrap_or_else(|| panic!("run without fonts: {}", r.plain()));
        for a in ["w:ascii", "w:hAnsi", "w:cs"] {
            assert_eq!(fonts.attr(a), Some("Times New Roman"));
        }
        assert_eq!(r.path_attr(&["w:rPr", "w:color"], "w:val"), Some("000000"));
    }
}

#[test]
fn body_paragraphs_are_justified_indented_and_spaced() {
    let doc = fixture::report();
    let d = read_back(&doc);
    for section in &doc.sections {
        let mut paras = vec![section.heading.as_str()];
        paras.extend(section.paragraphs.iter().map(String::as_str));
        for text in paras {
            let p = d.para(text);
            assert_eq!(p.jc(), Some("both"), "{text}");
            assert!(in_range(&p.size(), 26, 28));
            assert!([567, 720].contains(&twips(p, &["w:pPr", "w:ind"], "w:firstLine")));
            assert!(twips(p, &["w:pPr", "w:spacing"], "w:before") >= 120);
            assert!((240..=360).contains(&twips(p, &["w:pPr", "w:spacing"], "w:line")));
            assert_eq!(
                p.path_attr(&["w:pPr", "w:spacing"], "w:lineRule"),
                Some("auto")
            );
        }
        assert!(d.para(&section.heading).all_runs("w:b"));
    }
}

#[test]
fn page_number_is_a_centred_page_field_hidden_on_first_pages() {
    let d = read_back(&fixture::report());
    let instr: String = d
        .header_page
        .find_all("w:instrText")
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(instr.trim(), "PAGE");
    let p = &d.header_page.find_all("w:p")[0];
    assert_eq!(p.jc(), Some("center"));
    assert!(in_range(&p.size(), 26, 28));
    assert!(p.no_run("w:b"));
    assert_eq!(d.header_first.plain(), "");
    assert!(d.rels.contains("Id=\"rIdHeaderPage\"") && d.rels.contains("Target=\"header1.xml\""));
    assert!(d.rels.contains("Id=\"rIdHeaderFirst\"") && d.rels.contains("Target=\"header2.xml\""));
    for s in d.sections() {
        assert!(s.child("w:titlePg").is_some());
        let refs = s.find_all("w:headerReference");
        let kind = |t: &str| refs.iter().find(|r| r.attr("w:type") == Some(t));
        assert_eq!(
            kind("default").and_then(|r| r.attr("r:id")),
            Some("rIdHeaderPage")
        );
        assert_eq!(
            kind("first").and_then(|r| r.attr("r:id")),
            Some("rIdHeaderFirst")
        );
    }
}

#[test]
fn national_title_and_motto_have_their_sizes_and_rule() {
    let d = read_back(&fixture::report());
    let q = d.para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert!(q.all_runs("w:b") && in_range(&q.size(), 24, 26));
    assert_eq!(q.jc(), Some("center"));
    let paras = d.paragraphs();
    let i = paras
        .iter()
        .position(|p| p.plain() == "Độc lập - Tự do - Hạnh phúc")
        .expect("motto");
    assert!(paras[i].all_runs("w:b") && in_range(&paras[i].size(), 26, 28));
    let rule = paras[i + 1];
    assert!(rule.find_all("w:pBdr").len() == 1 && rule.plain().is_empty());
}

#[test]
fn issuer_is_bold_caps_with_a_short_rule_and_parent_line_is_not_bold() {
    let mut doc = fixture::report();
    doc.parent_body = Some("UBND huyện Cao Lộc".to_string());
    let d = read_back(&doc);
    for line in ["ỦY BAN NHÂN DÂN", "XÃ TÂN PHONG"] {
        let issuer = d.para(line);
        assert!(issuer.all_runs("w:b") && in_range(&issuer.size(), 24, 26));
        assert_eq!(issuer.jc(), Some("center"));
    }
    let parent = d.para("UBND HUYỆN CAO LỘC");
    assert!(parent.no_run("w:b") && in_range(&parent.size(), 24, 26));
    let paras = d.paragraphs();
    let i = paras
        .iter()
        .position(|p| p.plain() == "XÃ TÂN PHONG")
        .expect("issuer");
    let rule = paras[i + 1];
    assert!(
        rule.child("w:pPr")
            .and_then(|p| p.child("w:pBdr"))
            .is_some()
    );
    // Rule length = cell text width minus both indents, against the name.
    let cell = &d.document.find_all("w:tc")[0];
    let inner = twips(cell, &["w:tcPr", "w:tcW"], "w:w") - super::docx_xml::CELL_PADDING;
    let length = inner
        - twips(rule, &["w:pPr", "w:ind"], "w:left")
        - twips(rule, &["w:pPr", "w:ind"], "w:right");
    let name = text_width("ỦY BAN NHÂN DÂN", Font::bold(26)).min(inner);
    assert!(
        length * 3 >= name - 3 && length * 2 <= name + 3,
        "{length} vs {name}"
    );
}

#[test]
fn number_line_is_13_pt_upright_and_shares_a_row_with_the_italic_date() {
    let d = read_back(&fixture::report());
    let number = d.para("Số: 12/BC-UBND");
    assert!(is_nd30_number("Số: 12/BC-UBND"));
    assert_eq!(number.size(), vec![26]);
    assert!(number.no_run("w:b") && number.no_run("w:i"));
    let date = d.para("Tân Phong, ngày 05 tháng 8 năm 2026");
    assert!(is_nd30_date(&date.plain()));
    assert!(date.all_runs("w:i") && in_range(&date.size(), 26, 28));
    let header_row = &d.document.find_all("w:tr")[0];
    let texts: Vec<String> = header_row
        .find_all("w:p")
        .iter()
        .map(|p| p.plain())
        .collect();
    assert!(texts.contains(&"Số: 12/BC-UBND".to_string()));
    assert!(texts.contains(&"Tân Phong, ngày 05 tháng 8 năm 2026".to_string()));
}

#[test]
fn numbers_and_dates_follow_the_leading_zero_rules() {
    assert_eq!(
        number_line(Some("5"), "BC-UBND", DocumentFormat::State),
        "Số: 05/BC-UBND"
    );
    assert_eq!(
        number_line(Some("112"), "BC-UBND", DocumentFormat::State),
        "Số: 112/BC-UBND"
    );
    assert_eq!(
        number_line(None, "BC-UBND", DocumentFormat::State),
        "Số:      /BC-UBND"
    );
    assert_eq!(
        number_line(Some("  "), "BC-UBND", DocumentFormat::State),
        "Số:      /BC-UBND"
    );
    assert!(is_nd30_number(&number_line(
        Some("7"),
        "KH-UBND",
        DocumentFormat::State
    )));
    assert!(!is_nd30_number("Số: 7/BC-UBND"));
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    assert_eq!(date_words(day(2026, 1, 5)), "ngày 05 tháng 01 năm 2026");
    assert_eq!(date_words(day(2026, 2, 28)), "ngày 28 tháng 02 năm 2026");
    assert_eq!(date_words(day(2026, 3, 10)), "ngày 10 tháng 3 năm 2026");
    assert_eq!(date_words(day(2026, 12, 31)), "ngày 31 tháng 12 năm 2026");
    for m in 1..=12 {
        assert!(is_nd30_date(&format!(
            "Cao Lộc, {}",
            date_words(day(2026, m, 9))
        )));
    }
    assert!(!is_nd30_date("Cao Lộc, ngày 5 tháng 08 năm 2026"));
}

#[test]
fn report_title_and_summary_are_bold_and_centred_with_a_rule() {
    let doc = fixture::report();
    let d = read_back(&doc);
    let title = d.para("BÁO CÁO");
    assert!(title.all_runs("w:b") && title.jc() == Some("center"));
    assert!(in_range(&title.size(), 26, 28));
    let paras = d.paragraphs();
    let i = paras
        .iter()
        .position(|p| p.plain() == doc.summary)
        .expect("summary");
    assert!(paras[i].all_runs("w:b") && paras[i].jc() == Some("center"));
    assert!(in_range(&paras[i].size(), 26, 28));
    assert!(
        paras[i + 1]
            .child("w:pPr")
            .and_then(|p| p.child("w:pBdr"))
            .is_some()
    );
    let addressee = d.para("Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn.");
    assert!(in_range(&addressee.size(), 26, 28) && addressee.no_run("w:b"));
}

#[test]
fn signer_block_and_recipients_follow_nd30() {
    let d = read_back(&fixture::report());
    for text in ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Hùng"] {
        let p = d.para(text);
        assert!(p.all_runs("w:b") && p.jc() == Some("center"), "{text}");
        assert!(in_range(&p.size(), 26, 28));
    }
    let label = d.para("Nơi nhận:");
    assert_eq!(label.size(), vec![24]);
    assert!(label.all_runs("w:b") && label.all_runs("w:i"));
    let paras = d.paragraphs();
    let i = paras
        .iter()
        .position(|p| p.plain() == "Nơi nhận:")
        .expect("label");
    let items: Vec<&El> = paras[i + 1..i + 4].to_vec();
    let texts: Vec<String> = items.iter().map(|p| p.plain()).collect();
    assert_eq!(
        texts,
        [
            "- UBND tỉnh Lạng Sơn;",
            "- Thường trực Đảng ủy xã;",
            "- Lưu: VT, VHXH."
        ]
    );
    for p in &items {
        assert_eq!(p.size(), vec![22]);
        assert!(p.no_run("w:b") && p.no_run("w:i"));
    }
    let last = &texts[2];
    let middle = last
        .strip_prefix("- Lưu: VT")
        .and_then(|r| r.strip_suffix('.'))
        .expect("archive line");
    assert!(middle.is_empty() || (middle.starts_with(", ") && middle.len() > 2));
    // Level with each other: both open their cells of the same row.
    let sign_row = d
        .document
        .find_all("w:tr")
        .into_iter()
        .find(|r| r.plain().contains("Nơi nhận:"))
        .expect("signature row");
    let cells = sign_row.find_all("w:tc");
    assert_eq!(cells[0].find_all("w:p")[0].plain(), "Nơi nhận:");
    assert_eq!(cells[1].find_all("w:p")[0].plain(), "TM. ỦY BAN NHÂN DÂN");
}

#[test]
fn appendices_have_headings_and_tables_with_repeated_header_rows() {
    let doc = fixture::report();
    let d = read_back(&doc);
    for (n, title) in [
        ("Phụ lục I", &doc.tasks_title),
        ("Phụ lục II", &doc.targets_title),
    ] {
        let p = d.para(n);
        assert!(p.all_runs("w:b") && p.jc() == Some("center") && p.size() == vec![28]);
        let t = d.para(&title.to_uppercase());
        assert!(t.all_runs("w:b") && t.jc() == Some("center"));
    }
    let kem_theo = "(Kèm theo Báo cáo số 12/BC-UBND ngày 05 tháng 8 năm 2026 \
                    của Ủy ban nhân dân xã Tân Phong)";
    let p = d.para(kem_theo);
    assert!(p.all_runs("w:i") && p.jc() == Some("center"));

    let tables = d.document.find_all("w:tbl");
    assert_eq!(tables.len(), 4, "header, signature, two appendices");
    for (table, first) in [(tables[2], "TT"), (tables[3], "TT")] {
        let rows = table.find_all("w:tr");
        let head = rows[0];
        assert!(head.find_all("w:tblHeader").len() == 1);
        assert_eq!(head.find_all("w:tc")[0].plain(), first);
        for p in head.find_all("w:p") {
            assert!(p.all_runs("w:b") && p.jc() == Some("center"));
        }
        assert!(rows.iter().all(|r| r.find_all("w:cantSplit").len() == 1));
        assert!(
            rows[1..]
                .iter()
                .all(|r| r.find_all("w:tblHeader").is_empty())
        );
        let borders = table.find_all("w:tblBorders")[0];
        for b in &borders.children {
            assert_eq!(b.attr("w:val"), Some("single"));
            assert_eq!(b.attr("w:color"), Some("000000"));
        }
    }
    let task_headers: Vec<String> = tables[2].find_all("w:tr")[0]
        .find_all("w:tc")
        .iter()
        .map(|c| c.plain())
        .collect();
    assert_eq!(task_headers, super::docx::TASK_HEADERS);
    let target_headers: Vec<String> = tables[3].find_all("w:tr")[0]
        .find_all("w:tc")
        .iter()
        .map(|c| c.plain())
        .collect();
    assert_eq!(target_headers, super::docx::TARGET_HEADERS);

    // Group rows: one bold cell across all eight columns.
    let groups: Vec<&El> = tables[2]
        .find_all("w:tr")
        .into_iter()
        .filter(|r| r.find_all("w:gridSpan").len() == 1)
        .collect();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].plain(), "I. HẠ TẦNG SỐ");
    assert_eq!(groups[1].find_all("w:gridSpan")[0].attr("w:val"), Some("8"));
    assert!(groups[1].find_all("w:p")[0].all_runs("w:b"));
}

#[test]
fn submitted_figures_and_texts_appear_escaped_and_intact() {
    let doc = fixture::report();
    let d = read_back(&doc);
    let all: String = d.paragraphs().iter().map(|p| p.plain() + "\n").collect();
    for text in [
        "Phủ sóng 4G tới 100% thôn",
        "Đang thực hiện",
        "Hoàn thành quá hạn",
        "Chưa triển khai",
        "60%",
        "Công văn số 14/UBND-VX",
        "92,5",
        "3.215",
        "≥ 3.000",
        "Chưa có số liệu",
        "Chi tiết tại Phụ lục I và Phụ lục II kèm theo <báo cáo> & số liệu.",
    ] {
        assert!(all.contains(text), "missing «{text}»");
    }
    assert!(!all.contains("in_progress") && !all.contains("done_late"));
}

#[test]
fn a_draft_without_number_or_appendices_still_follows_the_layout() {
    let mut doc = fixture::report();
    doc.number = None;
    doc.tasks.clear();
    doc.targets.clear();
    doc.addressees = vec!["Ban Chỉ đạo tỉnh".into(), "Sở Khoa học và Công nghệ".into()];
    let d = read_back(&doc);
    d.para("Số:      /BC-UBND");
    assert_eq!(d.sections().len(), 1);
    d.para("- Ban Chỉ đạo tỉnh;");
    d.para("- Sở Khoa học và Công nghệ.");
    d.para("Kính gửi:");
}

#[test]
fn long_issuer_names_break_after_the_body_type() {
    let font = Font::bold(26);
    assert_eq!(
        issuer_lines("ỦY BAN NHÂN DÂN XÃ TÂN PHONG", 3300, font),
        ["ỦY BAN NHÂN DÂN", "XÃ TÂN PHONG"]
    );
    assert_eq!(issuer_lines("CÔNG AN XÃ", 3300, font), ["CÔNG AN XÃ"]);
    let lines = issuer_lines("PHÒNG VĂN HÓA - XÃ HỘI VÀ KHOA HỌC CÔNG NGHỆ", 3300, font);
    assert!(lines.len() > 1 && lines.iter().all(|l| text_width(l, font) <= 3300));
}

#[test]
fn another_reader_opens_the_report() {
    let bytes = report_docx(&fixture::report()).expect("report builds");
    let docx = docx_rs::read_docx(&bytes).expect("docx-rs reads it");
    let json = docx.json();
    assert!(json.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(json.contains("Phụ lục II"));
}
