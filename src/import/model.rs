//! The importer's data: the intermediate blocks every reader produces, and
//! the `ParsedPlan` JSON contract printed by `theodoi import --dry-run
//! --json`. Field names here are part of that contract; do not rename them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::deadline::Deadline;
use crate::domain::goal::Goal;
use crate::domain::period::PeriodKind;

/// One row of a table as a reader saw it, before any cleaning of the
/// table's structure (header repeats, continuation rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    /// 1-based source line (text) or running row/paragraph index (docx,
    /// xlsx), so warnings can point a person at the right place.
    pub line: usize,
}

/// What every reader (text, docx, xlsx) turns a document into, so the
/// recognition of headers, tables and sections is written once.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph {
        text: String,
        bold: bool,
        line: usize,
    },
    Table {
        rows: Vec<Row>,
        line: usize,
    },
}

impl Block {
    pub fn line(&self) -> usize {
        match self {
            Block::Paragraph { line, .. } | Block::Table { line, .. } => *line,
        }
    }
}

/// The result of an import: a proposal shown to a person before anything is
/// saved, hence the warnings and the `draft` flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedPlan {
    pub plan: PlanInfo,
    pub tasks: Vec<ParsedTask>,
    pub targets: Vec<ParsedTarget>,
    pub warnings: Vec<ImportWarning>,
    /// Filled by the caller from [`super::resolve_units`]; the parser
    /// itself knows no unit directory.
    pub unresolved_units: Vec<String>,
    /// How each table was read, for the preview: column roles, group
    /// levels, and what became of every non-empty row.
    pub tables: Vec<TableReading>,
}

/// What a column holds. Serialised in snake case (`"lead"`), a goal column
/// as `{"goal": 2026}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Col {
    Ref,
    Title,
    Lead,
    Support,
    Product,
    Deadline,
    Funding,
    Basis,
    /// Target name ("Chỉ tiêu").
    Name,
    /// Unit of measure ("Đơn vị tính").
    Unit,
    /// A goal value column for the given year ("Mục tiêu năm 2026").
    Goal(i32),
    Note,
    /// "Tiêu chí" in a task dossier laid out as key/value rows.
    Criterion,
}

/// How one table was read (issue 13: the preview shows it, a person may
/// re-map a column or mark a row as a group, see [`Adjustments`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableReading {
    /// Position among the tables of the file, as [`Adjustments`] name it.
    pub index: usize,
    pub line: usize,
    /// "tasks", "targets", "dossier", "layout" (the header block or the
    /// signature laid out in a table) or "other" (not read).
    pub kind: &'static str,
    pub columns: Vec<ColumnReading>,
    /// The numbering styles of the group rows found, outermost first
    /// ("A", "I", "1", "1.1", "a"; "—" for unnumbered group rows).
    pub group_levels: Vec<String>,
    /// Every non-empty row and what it became.
    pub rows: Vec<RowReading>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReading {
    pub index: usize,
    /// The header cell as written.
    pub header: String,
    /// `None`: not understood; the column's cells are kept in each task's
    /// note and a warning names the column.
    pub role: Option<Col>,
    /// True when a person chose the role (an [`Adjustments`] entry).
    pub chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReading {
    pub line: usize,
    #[serde(flatten)]
    pub outcome: RowOutcome,
}

/// What became of a row. Nothing else happens to a row: rule 11 of issue
/// 13 ("nothing silently lost") is checked against this list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "as", rename_all = "snake_case")]
pub enum RowOutcome {
    /// The header row the columns were read from.
    Header,
    /// The header again (after a page break), whole or in part.
    RepeatedHeader,
    /// "1 | 2 | 3 …" numbering the columns.
    ColumnNumbers,
    /// The rest of the row above, cut by a page break or a vertical merge.
    JoinedTo {
        to_line: usize,
    },
    Group {
        label: String,
        level: usize,
    },
    /// Index into `ParsedPlan::tasks`.
    Task {
        index: usize,
    },
    /// Index into `ParsedPlan::targets`.
    Target {
        index: usize,
    },
    /// A cell of the header block or the signature.
    Layout,
    /// Not imported; the reason is also a warning.
    Skipped {
        reason: String,
    },
}

/// A person's corrections to the preview, fed back to
/// [`super::parse_plan_with`]: the confirmed plan is the one the corrected
/// preview showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Adjustments {
    #[serde(default)]
    pub columns: Vec<ColumnChoice>,
    #[serde(default)]
    pub group_rows: Vec<RowChoice>,
}

/// "In table `table`, column `column` holds `role`" (`None`: ignore it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnChoice {
    pub table: usize,
    pub column: usize,
    pub role: Option<Col>,
}

/// "In table `table`, the row at `line` is a group heading."
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowChoice {
    pub table: usize,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PlanInfo {
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub place: Option<String>,
    pub issuer: Option<String>,
    pub title: Option<String>,
    pub basis: Vec<BasisRef>,
    pub reporting: Reporting,
}

/// A higher-level document the plan implements ("Căn cứ Kế hoạch số …").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasisRef {
    pub number: String,
    pub date: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub text: String,
}

/// The reporting regime of the "Tổ chức thực hiện" section.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Reporting {
    pub periods: Vec<PeriodKind>,
    /// Day of the month by which units report to the focal office.
    pub unit_due_day: Option<u32>,
    /// Day of the month by which the focal office consolidates.
    pub consolidated_due_day: Option<u32>,
    /// Every dated duty read ("trước ngày 25/11 hằng năm", "6 tháng (trước
    /// ngày 15/6)"), monthly ones included, in the order written.
    pub deadlines: Vec<ReportDeadline>,
}

/// "By day D (of month M) for period P", for units or for the office that
/// consolidates their reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportDeadline {
    pub period: PeriodKind,
    pub day: u32,
    /// Set for yearly and half-yearly dates ("15/12").
    pub month: Option<u32>,
    pub consolidating: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedTask {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub group: Vec<String>,
    pub title: String,
    pub lead: Vec<String>,
    pub support: Vec<String>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub basis: Option<String>,
    /// What the table said beyond the columns above: the role words of a
    /// lead cell written as a sentence ("chủ trì hướng dẫn, đôn đốc"), and
    /// the cells of columns not understood ("Ghi chú: …").
    pub note: Option<String>,
    /// True for candidates read from narrative text, which need a person to
    /// confirm them.
    pub draft: bool,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedTarget {
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub group: Vec<String>,
    pub name: String,
    pub unit: Option<String>,
    pub lead: Vec<String>,
    pub goals: Vec<Goal>,
    pub note: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportWarning {
    pub line: usize,
    pub message: String,
}

/// Empty text is "not written", never an empty string in the output.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}
