//! WordprocessingML building blocks for the report: runs, paragraphs,
//! tables, section properties and the package around `document.xml`.
//!
//! The package is written by hand rather than through docx-rs because
//! ND30 needs exact control of things that crate does not all expose
//! together (per-section `titlePg`, page-number restarts, landscape
//! sections, `tblHeader`/`cantSplit` rows, a PAGE field in the header), and
//! because every run must carry the font and colour explicitly for the
//! checklist to hold whatever the reader's default styles are.

use std::io::{Cursor, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::ExportError;
use crate::domain::text::nfc;

pub const FONT: &str = "Times New Roman";
/// A4 in twentieths of a point.
pub const A4_SHORT: u32 = 11906;
pub const A4_LONG: u32 = 16838;
/// Margins inside the ND30 ranges: top/bottom 20 mm, left 30 mm, right 15 mm.
pub const MARGIN_TOP: u32 = 1134;
pub const MARGIN_BOTTOM: u32 = 1134;
pub const MARGIN_LEFT: u32 = 1701;
pub const MARGIN_RIGHT: u32 = 850;
/// Text width of a portrait and a landscape page with those margins.
pub const PORTRAIT_WIDTH: u32 = A4_SHORT - MARGIN_LEFT - MARGIN_RIGHT;
pub const LANDSCAPE_WIDTH: u32 = A4_LONG - MARGIN_LEFT - MARGIN_RIGHT;
/// Word's default left+right cell padding (108 tw each side).
pub const CELL_PADDING: u32 = 216;

/// Escapes text for XML, in NFC (the form ND30's Unicode rule is read as),
/// dropping control characters XML 1.0 cannot carry at all and turning
/// tabs and line breaks into spaces because each paragraph is one line of
/// the model.
pub fn esc(text: &str) -> String {
    let clean: String = nfc(text)
        .chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| !c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}')
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// Character formatting of one run; sizes are in half-points as in the XML.
#[derive(Debug, Clone, Copy)]
pub struct Font {
    pub size: u32,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

impl Font {
    pub const fn plain(size: u32) -> Self {
        Font {
            size,
            bold: false,
            italic: false,
            underline: false,
        }
    }
    pub const fn bold(size: u32) -> Self {
        Font {
            bold: true,
            ..Font::plain(size)
        }
    }
    pub const fn italic(size: u32) -> Self {
        Font {
            italic: true,
            ..Font::plain(size)
        }
    }
    pub const fn bold_italic(size: u32) -> Self {
        Font {
            bold: true,
            italic: true,
            ..Font::plain(size)
        }
    }
    pub const fn underlined(size: u32) -> Self {
        Font {
            underline: true,
            ..Font::plain(size)
        }
    }

    /// The run properties. Font and colour are repeated on every run (not
    /// only in styles.xml) so no viewer default can change them.
    pub fn rpr(&self) -> String {
        let mut s = format!(
            "<w:rPr><w:rFonts w:ascii=\"{FONT}\" w:hAnsi=\"{FONT}\" w:cs=\"{FONT}\" w:eastAsia=\"{FONT}\"/>"
        );
        if self.bold {
            s.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            s.push_str("<w:i/><w:iCs/>");
        }
        if self.underline {
            s.push_str("<w:u w:val=\"single\"/>");
        }
        s.push_str(&format!(
            "<w:color w:val=\"000000\"/><w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/></w:rPr>",
            self.size
        ));
        s
    }
}

/// One run of text.
pub fn run(text: &str, font: Font) -> String {
    format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        font.rpr(),
        esc(text)
    )
}

/// Paragraph properties; everything the report varies, nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Para {
    pub jc: &'static str,
    pub before: u32,
    pub after: u32,
    /// Line spacing in 240ths of a line (`lineRule=auto`).
    pub line: u32,
    pub first_line: u32,
    pub left: u32,
    pub right: u32,
    pub keep_next: bool,
    /// A solid top border: the short rules under names and titles.
    pub top_rule: bool,
    /// Font of the paragraph mark, so an empty paragraph has a known height.
    pub mark: Font,
}

impl Para {
    pub const fn centre(mark: Font) -> Self {
        Para {
            jc: "center",
            before: 0,
            after: 0,
            line: 240,
            first_line: 0,
            left: 0,
            right: 0,
            keep_next: false,
            top_rule: false,
            mark,
        }
    }

    pub const fn left(mark: Font) -> Self {
        Para {
            jc: "left",
            ..Para::centre(mark)
        }
    }

    /// ND30 body text: justified, 1 cm first-line indent, 6 pt before,
    /// 1.2 lines (inside the single to 1.5 range).
    pub const fn body(mark: Font) -> Self {
        Para {
            jc: "both",
            before: 120,
            after: 0,
            line: 288,
            first_line: 567,
            ..Para::centre(mark)
        }
    }

    pub fn ppr(&self) -> String {
        let mut s = String::from("<w:pPr>");
        if self.keep_next {
            s.push_str("<w:keepNext/>");
        }
        if self.top_rule {
            s.push_str(
                "<w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>",
            );
        }
        s.push_str(&format!(
            "<w:spacing w:before=\"{}\" w:after=\"{}\" w:line=\"{}\" w:lineRule=\"auto\"/>",
            self.before, self.after, self.line
        ));
        s.push_str(&format!(
            "<w:ind w:left=\"{}\" w:right=\"{}\" w:firstLine=\"{}\"/>",
            self.left, self.right, self.first_line
        ));
        s.push_str(&format!("<w:jc w:val=\"{}\"/>", self.jc));
        s.push_str(&self.mark.rpr());
        s.push_str("</w:pPr>");
        s
    }

    /// A paragraph with one run in the mark's font.
    pub fn text(&self, text: &str) -> String {
        self.runs(&run(text, self.mark))
    }

    /// A paragraph around already-built runs.
    pub fn runs(&self, runs: &str) -> String {
        format!("<w:p>{}{}</w:p>", self.ppr(), runs)
    }
}

/// Rough printed width of `text` in twips, to size the short rules ND30
/// asks for (as long as the motto; 1/3–1/2 of a name). Times New Roman
/// averages about half an em per letter, capitals and bold a little more;
/// the estimate only has to be close, not exact.
pub fn text_width(text: &str, font: Font) -> u32 {
    let em = f64::from(font.size) * 10.0;
    let mut ems = 0.0;
    for c in text.chars() {
        ems += if c == ' ' {
            0.25
        } else if c.is_uppercase() {
            0.70
        } else if c.is_ascii_punctuation() {
            0.33
        } else {
            0.48
        };
    }
    if font.bold {
        ems *= 1.05;
    }
    // Bounded by the u32 page widths this is compared with.
    (ems * em).round().min(f64::from(A4_LONG)) as u32
}

/// An empty, tiny paragraph whose top border is a centred rule of `length`
/// inside a box `width` wide.
pub fn rule(width: u32, length: u32) -> String {
    let side = width.saturating_sub(length.min(width)) / 2;
    Para {
        left: side,
        right: side,
        top_rule: true,
        ..Para::centre(Font::plain(4))
    }
    .runs("")
}

/// Table start: fixed layout, given column widths, borders on or off.
pub fn table_start(widths: &[u32], borders: bool) -> String {
    let total: u32 = widths.iter().sum();
    let edge = if borders {
        "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\""
    } else {
        "w:val=\"nil\""
    };
    let mut s = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>"
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        s.push_str(&format!("<w:{side} {edge}/>"));
    }
    s.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>");
    for w in widths {
        s.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    s.push_str("</w:tblGrid>");
    s
}

/// A row; `header` repeats it on every page. No row is split across pages,
/// so a task's cells always read together.
pub fn row(cells: &str, header: bool) -> String {
    let repeat = if header { "<w:tblHeader/>" } else { "" };
    format!("<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>{cells}</w:tr>")
}

/// A cell `width` wide spanning `span` grid columns; `content` must hold at
/// least one paragraph (Word refuses empty cells).
pub fn cell(width: u32, span: usize, centre_vertically: bool, content: &str) -> String {
    let span = if span > 1 {
        format!("<w:gridSpan w:val=\"{span}\"/>")
    } else {
        String::new()
    };
    let valign = if centre_vertically {
        "<w:vAlign w:val=\"center\"/>"
    } else {
        ""
    };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}{valign}</w:tcPr>{content}</w:tc>"
    )
}

/// Section properties: every section has the centred PAGE header with an
/// empty first-page header (ND30 hides the first page's number); appendix
/// sections are landscape, start on a new page and restart at 1.
pub fn sect_pr(landscape: bool, restart: bool) -> String {
    let (w, h, orient) = if landscape {
        (A4_LONG, A4_SHORT, " w:orient=\"landscape\"")
    } else {
        (A4_SHORT, A4_LONG, "")
    };
    let numbering = if restart {
        "<w:pgNumType w:start=\"1\"/>"
    } else {
        ""
    };
    format!(
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeaderPage\"/>\
<w:headerReference w:type=\"first\" r:id=\"rIdHeaderFirst\"/>\
<w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>\
{numbering}<w:cols w:space=\"720\"/><w:titlePg/></w:sectPr>"
    )
}

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// The header with the page number: centred, 14 pt, upright, not bold.
fn header_page() -> String {
    let rpr = Font::plain(28).rpr();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr {NS}>{ppr}\
<w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
<w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
<w:r>{rpr}<w:t>2</w:t></w:r>\
<w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>",
        ppr = format_args!("<w:p>{}", Para::centre(Font::plain(28)).ppr()),
    )
}

fn header_first() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr {NS}>{}</w:hdr>",
        Para::centre(Font::plain(28)).runs("")
    )
}

/// Document defaults repeat the ND30 font so text typed later by the
/// commune staff into the file keeps it too.
fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles {NS}>\
<w:docDefaults><w:rPrDefault>{}</w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
</w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
<w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>\
<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/>\
</w:tblCellMar></w:tblPr></w:style></w:styles>",
        Font::plain(28).rpr()
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdHeaderPage\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
<Relationship Id=\"rIdHeaderFirst\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header2.xml\"/>\
</Relationships>";

/// `updateFields` is left unset: Word would otherwise ask a question on
/// every open, and the PAGE field is recomputed when pages are laid out.
const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/></w:settings>";

/// Zips the parts around a `<w:body>` content string.
pub fn package(body: &str) -> Result<Vec<u8>, ExportError> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {NS}><w:body>{body}</w:body></w:document>"
    );
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/document.xml", &document),
        ("word/styles.xml", &styles()),
        ("word/settings.xml", SETTINGS),
        ("word/header1.xml", &header_page()),
        ("word/header2.xml", &header_first()),
    ];
    for (name, content) in parts {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}
