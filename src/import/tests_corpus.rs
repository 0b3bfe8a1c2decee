//! The corpus of real published plans in `tests/corpus` (see SOURCES.md
//! there): each document's facts, checked by hand against the file, and
//! the share the importer gets right, from the text as published and from
//! the same document saved as a .docx (header block in a layout table).
//!
//! Run with `--nocapture` to print the score of each document.

use std::path::PathBuf;

use chrono::NaiveDate;
use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};

use super::model::Block;
use super::{ParsedPlan, parse_plan, read_blocks};
use crate::domain::text::fold_vietnamese;

/// Hand-checked facts of one document; `None` where the published opening
/// does not hold the fact.
struct Expect {
    file: &'static str,
    /// `Some(None)`: the number is left blank and must read as none.
    number: Option<Option<&'static str>>,
    date: Option<(i32, u32, u32)>,
    place: Option<&'static str>,
    issuer: Option<&'static str>,
    title: Option<&'static str>,
    basis: Option<&'static [&'static str]>,
}

const UBND: &str = "Ủy ban nhân dân";

const CORPUS: &[Expect] = &[
    Expect {
        file: "01_bac_ninh_186_kh_ubnd_2025.txt",
        number: Some(Some("186/KH-UBND")),
        date: Some((2025, 12, 29)),
        place: Some("Bắc Ninh"),
        issuer: Some("Ủy ban nhân dân tỉnh Bắc Ninh"),
        title: Some("PHÁT TRIỂN CHÍNH QUYỀN SỐ TỈNH BẮC NINH GIAI ĐOẠN 2026-2030"),
        basis: Some(&["57-NQ/TW", "71/NQ-CP", "214/NQ-CP", "2629/QĐ-TTg"]),
    },
    Expect {
        file: "02_bac_ninh_344_kh_ubnd_2025.txt",
        number: Some(Some("344/KH-UBND")),
        date: Some((2025, 5, 30)),
        place: Some("Bắc Ninh"),
        issuer: Some("Ủy ban nhân dân tỉnh Bắc Ninh"),
        title: Some(
            "TRIỂN KHAI NGHỊ QUYẾT SỐ 57-NQ/TW NGÀY 22/12/2024 CỦA BỘ CHÍNH TRỊ VÀ CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ QUỐC GIA",
        ),
        basis: Some(&["57-NQ/TW", "03/NQ-CP", "71/NQ-CP"]),
    },
    Expect {
        file: "03_bac_ninh_17_kh_ubnd_2025.txt",
        number: Some(Some("17/KH-UBND")),
        date: Some((2025, 8, 11)),
        place: Some("Bắc Ninh"),
        issuer: Some("Ủy ban nhân dân tỉnh Bắc Ninh"),
        title: Some(
            "THỰC HIỆN NGHỊ QUYẾT SỐ 71/NQ-CP NGÀY 01/4/2025 CỦA CHÍNH PHỦ VÀ KẾ HOẠCH SỐ 07-KH/TU NGÀY 25/7/2025 CỦA BAN THƯỜNG VỤ TỈNH ỦY VỀ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW NGÀY 22/12/2024 CỦA BỘ CHÍNH TRỊ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ QUỐC GIA",
        ),
        basis: Some(&["57-NQ/TW", "71/NQ-CP", "07-KH/TU"]),
    },
    Expect {
        file: "04_dong_thap_283_kh_ubnd_2025.txt",
        number: Some(Some("283/KH-UBND")),
        date: Some((2025, 9, 24)),
        place: Some("Đồng Tháp"),
        issuer: Some("Ủy ban nhân dân tỉnh Đồng Tháp"),
        title: Some(
            "THỰC HIỆN NGHỊ QUYẾT SỐ 71/NQ-CP NGÀY 01/4/2025 CỦA CHÍNH PHỦ VÀ CHƯƠNG TRÌNH HÀNH ĐỘNG SỐ 10-CTR/TU NGÀY 13/8/2025 CỦA BAN THƯỜNG VỤ TỈNH ỦY VỀ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW NGÀY 22/12/2024 CỦA BỘ CHÍNH TRỊ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ TRÊN ĐỊA BÀN TỈNH ĐỒNG THÁP",
        ),
        basis: Some(&["71/NQ-CP", "10-CTr/TU", "01-KH/BCĐ"]),
    },
    Expect {
        file: "05_thanh_hoa_130_kh_ubnd_2025.txt",
        number: Some(Some("130/KH-UBND")),
        date: Some((2025, 6, 27)),
        place: Some("Thanh Hóa"),
        issuer: Some("Ủy ban nhân dân tỉnh Thanh Hóa"),
        title: Some(
            "TRIỂN KHAI PHONG TRÀO THI ĐUA “CẢ NƯỚC THI ĐUA ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ” TRÊN ĐỊA BÀN TỈNH THANH HÓA",
        ),
        basis: Some(&["923/QĐ-TTg"]),
    },
    Expect {
        file: "06_nghe_an_348_kh_ubnd_2025.txt",
        number: Some(Some("348/KH-UBND")),
        date: Some((2025, 5, 14)),
        place: Some("Nghệ An"),
        issuer: Some("Ủy ban nhân dân tỉnh Nghệ An"),
        title: Some(
            "TRIỂN KHAI THỰC HIỆN NGHỊ QUYẾT SỐ 71/NQ-CP NGÀY 01/4/2025 CỦA CHÍNH PHỦ VÀ KẾ HOẠCH HÀNH ĐỘNG SỐ 328-KH/TU, NGÀY 24/04/2025 CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH VỀ THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW, NGÀY 22/12/2024 CỦA BỘ CHÍNH TRỊ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO VÀ CHUYỂN ĐỔI SỐ QUỐC GIA TRÊN ĐỊA BÀN TỈNH NGHỆ AN",
        ),
        basis: Some(&["71/NQ-CP", "328-KH/TU"]),
    },
    Expect {
        file: "07_lang_son_145_kh_ubnd_2025.txt",
        number: Some(Some("145/KH-UBND")),
        date: Some((2025, 5, 28)),
        place: Some("Lạng Sơn"),
        issuer: Some("Ủy ban nhân dân tỉnh Lạng Sơn"),
        // The published copy lost the title lines.
        title: None,
        basis: Some(&["71/NQ-CP", "238-KH/TU"]),
    },
    Expect {
        file: "08_lang_son_334_kh_ubnd_2025.txt",
        number: Some(Some("334/KH-UBND")),
        date: Some((2025, 12, 31)),
        place: Some("Lạng Sơn"),
        issuer: Some("Ủy ban nhân dân tỉnh Lạng Sơn"),
        title: Some("PHÁT TRIỂN CHÍNH QUYỀN SỐ TRÊN ĐỊA BÀN TỈNH LẠNG SƠN"),
        basis: Some(&["2629/QĐ-TTg"]),
    },
    Expect {
        file: "09_tien_giang_383_kh_ubnd_2022.txt",
        number: Some(Some("383/KH-UBND")),
        date: Some((2022, 12, 7)),
        place: Some("Tiền Giang"),
        issuer: Some("Ủy ban nhân dân tỉnh Tiền Giang"),
        title: Some(
            "THỰC HIỆN CHƯƠNG TRÌNH CHUYỂN ĐỔI SỐ TRONG XÂY DỰNG NÔNG THÔN MỚI, HƯỚNG TỚI NÔNG THÔN MỚI THÔNG MINH TRÊN ĐỊA BÀN TỈNH TIỀN GIANG GIAI ĐOẠN 2022-2025",
        ),
        basis: Some(&[
            "924/QĐ-TTg",
            "05/2022/TT-BNNPTNT",
            "05-NQ/TU",
            "25/NQ-HĐND",
            "08-NQ/TU",
            "605/QĐ-UBND",
        ]),
    },
    Expect {
        file: "10_hai_duong_1914_kh_ubnd_2023.txt",
        number: Some(Some("1914/KH-UBND")),
        date: Some((2023, 6, 5)),
        place: Some("Hải Dương"),
        issuer: Some("Ủy ban nhân dân tỉnh Hải Dương"),
        title: Some("CHUYỂN ĐỔI SỐ TỈNH HẢI DƯƠNG NĂM 2023"),
        basis: Some(&[]),
    },
    Expect {
        file: "11_xa_tinh_tra_kh_ubnd_2024.txt",
        number: Some(None),
        date: Some((2024, 4, 26)),
        place: Some("Tịnh Trà"),
        issuer: Some("Ủy ban nhân dân xã Tịnh Trà"),
        title: Some(
            "Triển khai thực hiện Nghị quyết số 13-NQ/TU ngày 06/9/2023 Của Ban Thường vụ Tỉnh ủy khóa XX về Chuyển đổi số tỉnh Quảng Ngãi Đến năm 2025, định hướng đến năm 2030",
        ),
        basis: Some(&["50/KH-UBND"]),
    },
    Expect {
        file: "12_xa_thach_kim_chuyen_doi_so_2024.txt",
        number: None,
        date: None,
        place: None,
        issuer: None,
        title: None,
        basis: Some(&[
            "749/QĐ-TTg",
            "942/QĐ-TTg",
            "146/QĐ-TTg",
            "411/QĐ-TTg",
            "505/QĐ-TTg",
            "964/QĐ-TTg",
            "05-NQ/TU",
            "424/QĐ-UBND",
        ]),
    },
    Expect {
        file: "13_bac_ninh_109_kh_ubnd_2025.txt",
        number: Some(Some("109/KH-UBND")),
        date: Some((2025, 10, 16)),
        place: Some("Bắc Ninh"),
        issuer: Some("Ủy ban nhân dân tỉnh Bắc Ninh"),
        title: Some(
            "XÂY DỰNG LỘ TRÌNH ĐỔI MỚI CÔNG NGHỆ CÁC NGÀNH KINH TẾ MŨI NHỌN TỈNH BẮC NINH ĐẾN NĂM 2035",
        ),
        basis: Some(&["1131/QĐ-TTg", "30-TB/TGV", "5535/VPCP-KGVX", "11-CV/BCĐ"]),
    },
    Expect {
        file: "14_khanh_hoa_512_qd_ubnd_2025.txt",
        number: Some(Some("512/QĐ-UBND")),
        date: Some((2025, 2, 21)),
        place: Some("Khánh Hòa"),
        issuer: Some("Ủy ban nhân dân tỉnh Khánh Hòa"),
        title: Some(
            "VỀ VIỆC BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG THỰC HIỆN NGHỊ QUYẾT SỐ 03/NQ-CP NGÀY 09/01/2025 CỦA CHÍNH PHỦ BAN HÀNH CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ VÀ NGHỊ QUYẾT SỐ 48-NQ/TU NGÀY 20/02/2025 CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH KHÁNH HÒA THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW NGÀY 22/12/2024 CỦA BỘ CHÍNH TRỊ VỀ ĐỘT PHÁ PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ",
        ),
        basis: None,
    },
    Expect {
        file: "15_tien_giang_328_kh_ubnd_2019.txt",
        number: Some(Some("328/KH-UBND")),
        date: Some((2019, 10, 8)),
        place: Some("Tiền Giang"),
        issuer: Some("Ủy ban nhân dân tỉnh Tiền Giang"),
        title: Some(
            "XÂY DỰNG, PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ HƯỚNG TỚI CHÍNH QUYỀN SỐ CỦA TỈNH TIỀN GIANG GIAI ĐOẠN 2019 - 2020, ĐỊNH HƯỚNG ĐẾN 2025",
        ),
        basis: Some(&["17/NQ-CP"]),
    },
    Expect {
        file: "16_ba_ria_vung_tau_138_kh_ubnd_2022.txt",
        number: Some(Some("138/KH-UBND")),
        date: Some((2022, 8, 1)),
        place: Some("Bà Rịa - Vũng Tàu"),
        issuer: Some("Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu"),
        title: Some(
            "THỰC HIỆN CHIẾN LƯỢC QUỐC GIA VỀ NGHIÊN CỨU, PHÁT TRIỂN VÀ ỨNG DỤNG TRÍ TUỆ NHÂN TẠO ĐẾN NĂM 2030 TRÊN ĐỊA BÀN TỈNH BÀ RỊA - VŨNG TÀU",
        ),
        basis: Some(&["50/NQ-CP", "127/QĐ-TTg"]),
    },
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

pub fn corpus_text(file: &str) -> Vec<u8> {
    let path = corpus_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn corpus_files() -> Vec<&'static str> {
    CORPUS.iter().map(|e| e.file).collect()
}

/// Names compared the way a person reads them: case, diacritics, spacing
/// around dashes, and the abbreviation UBND do not matter.
fn key(s: &str) -> String {
    fold_vietnamese(&s.replace("UBND", UBND))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// (facts right, facts checked, what was wrong).
fn score(e: &Expect, plan: &ParsedPlan) -> (usize, usize, Vec<String>) {
    let info = &plan.plan;
    let mut checks: Vec<(&str, bool, String)> = Vec::new();
    if let Some(n) = e.number {
        checks.push((
            "number",
            info.number.as_deref() == n,
            format!("{:?}", info.number),
        ));
    }
    if let Some((y, m, d)) = e.date {
        checks.push((
            "date",
            info.date == NaiveDate::from_ymd_opt(y, m, d),
            format!("{:?}", info.date),
        ));
    }
    for (name, want, got) in [
        ("place", e.place, &info.place),
        ("issuer", e.issuer, &info.issuer),
        ("title", e.title, &info.title),
    ] {
        if let Some(want) = want {
            let right = got.as_deref().is_some_and(|g| key(g) == key(want));
            checks.push((name, right, format!("{got:?}")));
        }
    }
    if let Some(basis) = e.basis {
        let got: Vec<&str> = info.basis.iter().map(|b| b.number.as_str()).collect();
        for want in basis {
            checks.push((
                "basis",
                got.contains(want),
                format!("{want} not in {got:?}"),
            ));
        }
        let extra: Vec<&&str> = got.iter().filter(|g| !basis.contains(g)).collect();
        checks.push((
            "basis (nothing extra)",
            extra.is_empty(),
            format!("{extra:?}"),
        ));
    }
    let right = checks.iter().filter(|c| c.1).count();
    let wrong = checks
        .iter()
        .filter(|c| !c.1)
        .map(|c| format!("{}: {}", c.0, c.2))
        .collect();
    (right, checks.len(), wrong)
}

/// The document as an official would save it in Word: the header block
/// (issuer and motto, number and place-date) in a two-column layout table,
/// the issuer cell split over lines, every other paragraph as it reads.
pub fn as_docx(text: &[u8]) -> Vec<u8> {
    let blocks = read_blocks(text, Some("x.txt")).unwrap_or_default();
    let paras: Vec<String> = blocks
        .iter()
        .flat_map(|b| match b {
            Block::Paragraph { text, .. } => vec![text.clone()],
            Block::Table { rows, .. } => rows.iter().map(|r| r.cells.join(" ")).collect(),
        })
        .collect();
    let kind = paras
        .iter()
        .position(|p| ["KẾ HOẠCH", "QUYẾT ĐỊNH"].iter().any(|k| p.starts_with(k)))
        .unwrap_or(0);
    let (mut issuer, mut motto, mut number, mut date) = (vec![], vec![], vec![], vec![]);
    let mut body_from = 0;
    for (i, p) in paras.iter().enumerate().take(kind) {
        let f = fold_vietnamese(p);
        if f.starts_with("so") {
            number.push(p.as_str());
        } else if p.contains(", ngày") {
            date.push(p.as_str());
        } else if f.starts_with("cong hoa") || f.starts_with("doc lap") || !motto.is_empty() {
            motto.push(p.as_str());
        } else {
            issuer.push(p.as_str());
        }
        body_from = i + 1;
    }
    let cell = |lines: &[&str]| {
        lines.iter().fold(TableCell::new(), |c, l| {
            c.add_paragraph(Paragraph::new().add_run(Run::new().add_text(*l).bold()))
        })
    };
    let mut docx = Docx::new();
    if body_from > 0 {
        docx = docx.add_table(Table::new(vec![
            TableRow::new(vec![cell(&issuer), cell(&motto)]),
            TableRow::new(vec![cell(&number), cell(&date)]),
        ]));
    }
    for p in &paras[body_from..] {
        docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text(p)));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    assert!(docx.build().pack(&mut out).is_ok(), "docx pack failed");
    out.into_inner()
}

fn run_corpus(docx: bool) -> (usize, usize) {
    let (mut right, mut total) = (0, 0);
    for e in CORPUS {
        let text = corpus_text(e.file);
        let (bytes, name) = if docx {
            (as_docx(&text), "plan.docx")
        } else {
            (text, "plan.txt")
        };
        let plan = parse_plan(&bytes, Some(name)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let (r, t, wrong) = score(e, &plan);
        println!(
            "{} {:<40} {r:>2}/{t:<2} {}",
            if docx { "docx" } else { "text" },
            e.file,
            wrong.join("; ")
        );
        right += r;
        total += t;
    }
    println!(
        "{} total {right}/{total}",
        if docx { "docx" } else { "text" }
    );
    (right, total)
}

#[test]
fn the_corpus_holds_at_least_twelve_documents_with_their_sources() {
    assert!(CORPUS.len() >= 12);
    let sources = String::from_utf8(corpus_text("SOURCES.md")).unwrap_or_default();
    for e in CORPUS {
        assert!(sources.contains(e.file), "{} has no source", e.file);
    }
}

#[test]
fn the_importer_reads_at_least_95_percent_of_the_corpus_facts_from_text() {
    let (right, total) = run_corpus(false);
    assert!(right * 100 >= total * 95, "{right}/{total}");
}

#[test]
fn the_importer_reads_at_least_95_percent_of_the_corpus_facts_from_docx() {
    let (right, total) = run_corpus(true);
    assert!(right * 100 >= total * 95, "{right}/{total}");
}
