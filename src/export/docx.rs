//! The commune's Báo cáo as a `.docx` laid out under Nghị định
//! 30/2020/NĐ-CP Phụ lục I (see `shared/ND30.md`): A4 portrait body with
//! the header block, title, sections, recipients and signature, then one
//! landscape section per appendix table with its own page numbering.
//!
//! Sizes below are half-points as written in the XML (28 = 14 pt).

use chrono::Datelike;

use super::docx_party as party;
use super::docx_xml::{
    CELL_PADDING, Font, LANDSCAPE_WIDTH, PORTRAIT_WIDTH, Para, cell, package, row, rule, sect_pr,
    table_start, text_width,
};
use super::model::{DocumentFormat, ReportDocument, TargetLine, TaskLine};
use super::{ExportError, status_label};
use crate::domain::text::fold_vietnamese;

/// Header block column split (left: issuer; right: Quốc hiệu), as in the
/// decree's own samples (≈ 4 : 6).
const HEADER_LEFT: u32 = 3544;
const HEADER_RIGHT: u32 = PORTRAIT_WIDTH - HEADER_LEFT;
/// Signature block split: recipients narrower than the signer column.
const SIGN_LEFT: u32 = 4253;
const SIGN_RIGHT: u32 = PORTRAIT_WIDTH - SIGN_LEFT;

const QUOC_HIEU: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

pub const TASK_HEADERS: [&str; 8] = [
    "TT",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Thời hạn",
    "Tình trạng",
    "Tiến độ",
    "Kết quả",
    "Minh chứng",
];
const TASK_WIDTHS: [u32; 8] = [600, 3400, 1900, 1200, 1500, 1000, 2687, 2000];

pub const TARGET_HEADERS: [&str; 8] = [
    "TT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Đơn vị chủ trì",
    "Mục tiêu",
    "Kết quả kỳ báo cáo",
    "Đánh giá",
    "Nguồn số liệu",
];
const TARGET_WIDTHS: [u32; 8] = [600, 3600, 1100, 1900, 1200, 1400, 1400, 3087];

/// Builds the report. Empty appendices are left out (and the remaining
/// ones keep consecutive Roman numbers).
pub fn report_docx(doc: &ReportDocument) -> Result<Vec<u8>, ExportError> {
    let mut body = String::new();
    match doc.format {
        DocumentFormat::State => {
            body.push_str(&header_block(doc));
            body.push_str(&title_block(doc));
            body.push_str(&addressees(&doc.addressees));
        }
        DocumentFormat::Party => {
            body.push_str(&party::header_block(doc));
            body.push_str(&party::title_block(doc));
        }
    }
    for section in &doc.sections {
        body.push_str(
            &Para {
                keep_next: true,
                ..Para::body(Font::bold(28))
            }
            .text(&section.heading),
        );
        for paragraph in &section.paragraphs {
            body.push_str(&Para::body(Font::plain(28)).text(paragraph));
        }
    }
    body.push_str(&Para::left(Font::plain(28)).runs(""));
    body.push_str(&match doc.format {
        DocumentFormat::State => signature_block(doc),
        DocumentFormat::Party => party::signature_block(doc),
    });

    let mut appendices: Vec<(String, String)> = Vec::new();
    if let Some(review) = &doc.review {
        appendices.extend(super::docx_review::appendices(doc, review));
    } else if !doc.tasks.is_empty() {
        appendices.push((doc.tasks_title.clone(), task_table(&doc.tasks)));
    }
    if doc.review.is_none() && !doc.targets.is_empty() {
        appendices.push((doc.targets_title.clone(), target_table(&doc.targets)));
    }

    // A section's properties sit at its end: in the last paragraph of every
    // section but the final one, whose properties close the body.
    let mut sections = vec![(body, false)];
    for (i, (title, table)) in appendices.iter().enumerate() {
        let mut s = appendix_heading(doc, i + 1, title);
        s.push_str(table);
        sections.push((s, true));
    }
    let last = sections.len() - 1;
    let mut out = String::new();
    for (i, (content, landscape)) in sections.into_iter().enumerate() {
        out.push_str(&content);
        let props = sect_pr(landscape, landscape);
        if i == last {
            out.push_str(&props);
        } else {
            out.push_str(&format!(
                "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>{}{props}</w:pPr></w:p>",
                Font::plain(4).rpr()
            ));
        }
    }
    package(&out)
}

/// The number line: `Số: 12/BC-UBND` for the state (ND30), `Số 12-BC/ĐU`
/// for the Party (HD36), or the blank draft form (`Số:      /BC-UBND`,
/// `Số      -BC/ĐU`). A number below 10 gets its leading zero. A number
/// already written with its symbol (`150/BC-UBND`) is taken as it is, never
/// given the symbol twice.
pub fn number_line(number: Option<&str>, symbol: &str, format: DocumentFormat) -> String {
    let number = number.map(str::trim).filter(|n| !n.is_empty());
    let (prefix, joint) = match format {
        DocumentFormat::State => ("Số: ", '/'),
        DocumentFormat::Party => ("Số ", '-'),
    };
    match number {
        Some(n) if n.contains('/') => format!("{prefix}{n}"),
        Some(n) => {
            let n = match n.parse::<u32>() {
                Ok(v) => format!("{v:02}"),
                Err(_) => n.to_string(),
            };
            format!("{prefix}{n}{joint}{symbol}")
        }
        None => format!("{}      {joint}{symbol}", prefix.trim_end()),
    }
}

/// `ngày 05 tháng 8 năm 2026`: day below 10 and months 1–2 take a leading
/// zero, other months do not (ND30 Phụ lục I, II.4).
pub fn date_words(date: chrono::NaiveDate) -> String {
    let month = date.month();
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

/// Boxes 1–4: issuer and number on the left, Quốc hiệu and date on the
/// right, as a borderless two-column table so the number and the date share
/// a row as ND30 asks.
fn header_block(doc: &ReportDocument) -> String {
    let inner_left = HEADER_LEFT - CELL_PADDING;
    let inner_right = HEADER_RIGHT - CELL_PADDING;
    let issuer_font = Font::bold(26);
    let quoc_hieu_font = Font::bold(24);
    let motto_font = Font::bold(26);

    let mut left = String::new();
    if let Some(parent) = doc.parent_body.as_deref().filter(|p| !p.trim().is_empty()) {
        left.push_str(&Para::centre(Font::plain(26)).text(&parent.to_uppercase()));
    }
    let issuer = issuer_lines(&doc.issuer.to_uppercase(), inner_left, issuer_font);
    for line in &issuer {
        left.push_str(&Para::centre(issuer_font).text(line));
    }
    // 1/3–1/2 of the name's line: 40 % of its longest line.
    let issuer_line = issuer
        .iter()
        .map(|l| text_width(l, issuer_font).min(inner_left))
        .max()
        .unwrap_or(0);
    left.push_str(&rule(inner_left, issuer_line * 2 / 5));
    left.push_str(
        &Para {
            before: 60,
            ..Para::centre(Font::plain(26))
        }
        .text(&number_line(doc.number.as_deref(), &doc.symbol, doc.format)),
    );

    let mut right = String::new();
    right.push_str(&Para::centre(quoc_hieu_font).text(QUOC_HIEU));
    right.push_str(&Para::centre(motto_font).text(TIEU_NGU));
    right.push_str(&rule(
        inner_right,
        text_width(TIEU_NGU, motto_font).min(inner_right),
    ));
    right.push_str(
        &Para {
            before: 60,
            ..Para::centre(Font::italic(28))
        }
        .text(&format!("{}, {}", doc.place.trim(), date_words(doc.date))),
    );

    let mut s = table_start(&[HEADER_LEFT, HEADER_RIGHT], false);
    s.push_str(&format!(
        "<w:tr>{}{}</w:tr>",
        cell(HEADER_LEFT, 1, false, &left),
        cell(HEADER_RIGHT, 1, false, &right)
    ));
    s.push_str("</w:tbl>");
    s
}

/// Splits the issuer's name into lines that fit its column, where a
/// person would: after the body type (`ỦY BAN NHÂN DÂN` / `XÃ TÂN PHONG`,
/// as in the decree's sample) rather than wherever Word wraps it.
pub fn issuer_lines(name: &str, width: u32, font: Font) -> Vec<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if text_width(&name, font) <= width {
        return vec![name];
    }
    let folded = fold_vietnamese(&name);
    for kind in ["uy ban nhan dan ", "hoi dong nhan dan "] {
        if folded.starts_with(kind) {
            let words = kind.split_whitespace().count();
            let all: Vec<&str> = name.split(' ').collect();
            let (head, rest) = all.split_at(words.min(all.len()));
            let rest = rest.join(" ");
            if text_width(&rest, font) <= width {
                return vec![head.join(" "), rest];
            }
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for word in name.split(' ') {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), font) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Box 5a: `BÁO CÁO`, the summary and a short rule under it.
fn title_block(doc: &ReportDocument) -> String {
    let summary_font = Font::bold(28);
    let mut s = Para {
        before: 360,
        keep_next: true,
        ..Para::centre(Font::bold(28))
    }
    .text("BÁO CÁO");
    s.push_str(
        &Para {
            keep_next: true,
            ..Para::centre(summary_font)
        }
        .text(&doc.summary),
    );
    let line = text_width(&doc.summary, summary_font).min(PORTRAIT_WIDTH);
    s.push_str(&rule(PORTRAIT_WIDTH, line * 2 / 5));
    s
}

/// Box 9a: one addressee on the `Kính gửi:` line; several each on a line
/// starting with `-` under the colon, `;` between, `.` at the end.
fn addressees(list: &[String]) -> String {
    let list: Vec<&str> = list
        .iter()
        .map(|a| a.trim().trim_end_matches(['.', ';']))
        .filter(|a| !a.is_empty())
        .collect();
    let font = Font::plain(28);
    match list.as_slice() {
        [] => String::new(),
        [one] => Para {
            before: 240,
            ..Para::centre(font)
        }
        .text(&format!("Kính gửi: {one}.")),
        many => {
            let indent = 2268;
            let label = "Kính gửi: ";
            let mut s = Para {
                before: 240,
                left: indent,
                ..Para::left(font)
            }
            .text(label.trim_end());
            let hang = indent + text_width(label, font);
            for (i, a) in many.iter().enumerate() {
                let end = if i + 1 == many.len() { '.' } else { ';' };
                s.push_str(
                    &Para {
                        left: hang,
                        ..Para::left(font)
                    }
                    .text(&format!("- {a}{end}")),
                );
            }
            s
        }
    }
}

/// Boxes 9b and 7: recipients left, signer right, level with each other.
fn signature_block(doc: &ReportDocument) -> String {
    let mut left = Para {
        before: 120,
        ..Para::left(Font::bold_italic(24))
    }
    .text("Nơi nhận:");
    let entries: Vec<&str> = doc
        .recipients
        .iter()
        .map(|r| {
            r.trim()
                .trim_start_matches(['-', ' '])
                .trim_end_matches(['.', ';'])
        })
        .filter(|r| !r.is_empty())
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        let end = if i + 1 == entries.len() { '.' } else { ';' };
        left.push_str(&Para::left(Font::plain(22)).text(&format!("- {entry}{end}")));
    }

    let signer = Font::bold(28);
    let mut right = Para {
        before: 120,
        ..Para::centre(signer)
    }
    .text(&doc.signer_authority.to_uppercase());
    for title in &doc.signer_titles {
        right.push_str(&Para::centre(signer).text(&title.to_uppercase()));
    }
    // Room for the signature and seal.
    for _ in 0..4 {
        right.push_str(&Para::centre(signer).runs(""));
    }
    right.push_str(&Para::centre(signer).text(&doc.signer_name));

    let mut s = table_start(&[SIGN_LEFT, SIGN_RIGHT], false);
    s.push_str(&format!(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>{}{}</w:tr>",
        cell(SIGN_LEFT, 1, false, &left),
        cell(SIGN_RIGHT, 1, false, &right)
    ));
    s.push_str("</w:tbl>");
    s
}

fn roman(n: usize) -> String {
    const NUMERALS: [(usize, &str); 8] = [
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut s = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            s.push_str(numeral);
            n -= value;
        }
    }
    s
}

/// The issuer in running text for the `(Kèm theo …)` line. The model holds
/// the name in capitals, which loses the place name's case, so a commune
/// committee is rebuilt from the place; anything else is lower-cased with
/// its first letter kept capital.
fn issuer_in_words(doc: &ReportDocument) -> String {
    let folded = fold_vietnamese(&doc.issuer);
    for (prefix, body) in [
        ("uy ban nhan dan xa ", "Ủy ban nhân dân xã"),
        ("uy ban nhan dan phuong ", "Ủy ban nhân dân phường"),
        ("uy ban nhan dan thi tran ", "Ủy ban nhân dân thị trấn"),
        ("dang uy xa ", "Đảng ủy xã"),
        ("dang uy phuong ", "Đảng ủy phường"),
    ] {
        if folded.starts_with(prefix) {
            return format!("{body} {}", doc.place.trim());
        }
    }
    let lower = doc.issuer.trim().to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `Phụ lục I`, the title in capitals, the italic `(Kèm theo …)` line and a
/// short rule (ND30 Phụ lục I, III.1; Phụ lục III, Mẫu 2.1).
fn appendix_heading(doc: &ReportDocument, n: usize, title: &str) -> String {
    let mut s = Para::centre(Font::bold(28)).text(&format!("Phụ lục {}", roman(n)));
    s.push_str(&Para::centre(Font::bold(28)).text(&title.to_uppercase()));
    let number = number_line(doc.number.as_deref(), &doc.symbol, doc.format);
    let number = number
        .trim_start_matches("Số:")
        .trim_start_matches("Số ")
        .trim_start();
    s.push_str(&Para::centre(Font::italic(28)).text(&format!(
        "(Kèm theo Báo cáo số {number} {} của {})",
        date_words(doc.date),
        issuer_in_words(doc)
    )));
    s.push_str(&rule(LANDSCAPE_WIDTH, 1134));
    s.push_str(&Para::centre(Font::plain(24)).runs(""));
    s
}

/// Table cell paragraphs are 12 pt: wide appendix tables use 11–12 pt in
/// practice and ND30 sets no table size.
const CELL_FONT: Font = Font::plain(24);

pub(super) fn header_row(headers: &[&str], widths: &[u32]) -> String {
    let cells: String = headers
        .iter()
        .zip(widths)
        .map(|(h, w)| cell(*w, 1, true, &Para::centre(Font::bold(24)).text(h)))
        .collect();
    row(&cells, true)
}

pub(super) fn group_row(reference: &str, group: &str, widths: &[u32]) -> String {
    let reference = reference.trim().trim_end_matches('.');
    let text = if reference.is_empty() {
        group.to_string()
    } else {
        format!("{reference}. {group}")
    };
    let total: u32 = widths.iter().sum();
    row(
        &cell(
            total,
            widths.len(),
            true,
            &Para::left(Font::bold(24)).text(&text),
        ),
        false,
    )
}

/// A data row: the TT column and short values centred, prose justified.
pub(super) fn data_row(values: &[&str], centred: &[bool], widths: &[u32]) -> String {
    let cells: String = values
        .iter()
        .zip(centred)
        .zip(widths)
        .map(|((v, c), w)| {
            let p = if *c {
                Para::centre(CELL_FONT)
            } else {
                Para {
                    jc: "both",
                    ..Para::centre(CELL_FONT)
                }
            };
            cell(*w, 1, true, &p.text(v))
        })
        .collect();
    row(&cells, false)
}

fn task_table(tasks: &[TaskLine]) -> String {
    let mut s = table_start(&TASK_WIDTHS, true);
    s.push_str(&header_row(&TASK_HEADERS, &TASK_WIDTHS));
    let centred = [true, false, false, true, true, true, false, false];
    for t in tasks {
        match t.group.as_deref() {
            Some(group) if t.title.trim().is_empty() => {
                s.push_str(&group_row(&t.reference, group, &TASK_WIDTHS));
            }
            _ => s.push_str(&data_row(
                &[
                    &t.reference,
                    &t.title,
                    &t.lead,
                    &t.deadline,
                    status_label(&t.status),
                    &t.progress,
                    &t.result,
                    &t.evidence,
                ],
                &centred,
                &TASK_WIDTHS,
            )),
        }
    }
    s.push_str("</w:tbl>");
    s
}

fn target_table(targets: &[TargetLine]) -> String {
    let mut s = table_start(&TARGET_WIDTHS, true);
    s.push_str(&header_row(&TARGET_HEADERS, &TARGET_WIDTHS));
    let centred = [true, false, true, false, true, true, true, false];
    for t in targets {
        match t.group.as_deref() {
            Some(group) if t.name.trim().is_empty() => {
                s.push_str(&group_row(&t.reference, group, &TARGET_WIDTHS));
            }
            _ => s.push_str(&data_row(
                &[
                    &t.reference,
                    &t.name,
                    &t.measure_unit,
                    &t.lead,
                    &t.goal,
                    &t.value,
                    &t.assessment,
                    &t.source,
                ],
                &centred,
                &TARGET_WIDTHS,
            )),
        }
    }
    s.push_str("</w:tbl>");
    s
}
