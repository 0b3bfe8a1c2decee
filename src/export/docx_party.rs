//! The Party's layout of a report (Hướng dẫn 36-HD/VPTW, see
//! `shared/HD36.md`), for plans issued by a Đảng ủy: `ĐẢNG CỘNG SẢN VIỆT
//! NAM` with a full-length rule instead of the Quốc hiệu and motto, the
//! parent Đảng bộ and the issuer over a `*`, `Số 15-BC/ĐU`, the title at
//! 16 pt, a `-----` divider, and the signature `T/M ĐẢNG ỦY` / `BÍ THƯ` with
//! recipients ending in commas and `- Lưu Văn phòng Đảng ủy.`. The body,
//! appendices and page setup are shared with the state's layout.

use super::docx::{date_words, issuer_lines, number_line};
use super::docx_xml::{
    CELL_PADDING, Font, PORTRAIT_WIDTH, Para, cell, rule, table_start, text_width,
};
use super::model::ReportDocument;

/// Left column ≈ 45 % of the width (HD36 §2).
const HEADER_LEFT: u32 = PORTRAIT_WIDTH * 45 / 100;
const HEADER_RIGHT: u32 = PORTRAIT_WIDTH - HEADER_LEFT;
const SIGN_LEFT: u32 = 4253;
const SIGN_RIGHT: u32 = PORTRAIT_WIDTH - SIGN_LEFT;

pub const PARTY_TITLE: &str = "ĐẢNG CỘNG SẢN VIỆT NAM";

/// The parent Đảng bộ and the issuer over a `*` and the number on the left;
/// `ĐẢNG CỘNG SẢN VIỆT NAM` over its rule and the date on the right.
pub fn header_block(doc: &ReportDocument) -> String {
    let inner_left = HEADER_LEFT - CELL_PADDING;
    let inner_right = HEADER_RIGHT - CELL_PADDING;
    let issuer_font = Font::bold(28);
    let title_font = Font::bold(30);

    let mut left = String::new();
    if let Some(parent) = doc.parent_body.as_deref().filter(|p| !p.trim().is_empty()) {
        left.push_str(&Para::centre(Font::plain(28)).text(&parent.to_uppercase()));
    }
    for line in issuer_lines(&doc.issuer.to_uppercase(), inner_left, issuer_font) {
        left.push_str(&Para::centre(issuer_font).text(&line));
    }
    left.push_str(&Para::centre(Font::plain(28)).text("*"));
    left.push_str(&Para::centre(Font::plain(28)).text(&number_line(
        doc.number.as_deref(),
        &doc.symbol,
        doc.format,
    )));

    let mut right = String::new();
    right.push_str(&Para::centre(title_font).text(PARTY_TITLE));
    // "độ dài bằng độ dài tiêu đề": the rule as long as the title.
    right.push_str(&rule(
        inner_right,
        text_width(PARTY_TITLE, title_font).min(inner_right),
    ));
    right.push_str(
        &Para {
            before: 120,
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

/// `BÁO CÁO` at 16 pt, the summary at 14 pt, both bold, then `-----`.
pub fn title_block(doc: &ReportDocument) -> String {
    let mut s = Para {
        before: 360,
        keep_next: true,
        ..Para::centre(Font::bold(32))
    }
    .text("BÁO CÁO");
    s.push_str(
        &Para {
            keep_next: true,
            ..Para::centre(Font::bold(28))
        }
        .text(&doc.summary),
    );
    s.push_str(&Para::centre(Font::plain(28)).text("-----"));
    s
}

/// `Nơi nhận:` underlined over recipients ending in commas (the archive
/// line last, with a full stop); `T/M ĐẢNG ỦY` bold, `BÍ THƯ` not, the name
/// bold.
pub fn signature_block(doc: &ReportDocument) -> String {
    let mut left = Para {
        before: 120,
        ..Para::left(Font::underlined(28))
    }
    .text("Nơi nhận:");
    let entries: Vec<&str> = doc
        .recipients
        .iter()
        .map(|r| {
            r.trim()
                .trim_start_matches(['-', ' '])
                .trim_end_matches(['.', ';', ','])
        })
        .filter(|r| !r.is_empty())
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        let end = if i + 1 == entries.len() { '.' } else { ',' };
        left.push_str(&Para::left(Font::plain(24)).text(&format!("- {entry}{end}")));
    }

    let mut right = Para {
        before: 120,
        ..Para::centre(Font::bold(28))
    }
    .text(&doc.signer_authority.to_uppercase());
    for title in &doc.signer_titles {
        right.push_str(&Para::centre(Font::plain(28)).text(&title.to_uppercase()));
    }
    for _ in 0..4 {
        right.push_str(&Para::centre(Font::plain(28)).runs(""));
    }
    right.push_str(&Para::centre(Font::bold(28)).text(&doc.signer_name));

    let mut s = table_start(&[SIGN_LEFT, SIGN_RIGHT], false);
    s.push_str(&format!(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>{}{}</w:tr>",
        cell(SIGN_LEFT, 1, false, &left),
        cell(SIGN_RIGHT, 1, false, &right)
    ));
    s.push_str("</w:tbl>");
    s
}
