//! The importer's data: the intermediate blocks every reader produces, and
//! the `ParsedPlan` JSON contract printed by `theodoi import --dry-run
//! --json`. Field names here are part of that contract; do not rename them.

use chrono::NaiveDate;
use serde::Serialize;

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
