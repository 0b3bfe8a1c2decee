//! The full export of a unit's subtree (a province, a commune) for the
//! systems around Theo Dõi: its units, plans, tasks, targets and accepted
//! figures, as one `.xlsx` (a sheet a kind, Vietnamese headers) or as JSON.
//!
//! Rows arrive a batch at a time and are written at once into the file
//! being built ([`ExchangeSink`]), so a province of a hundred communes is
//! held once, as the file, never also as a list of records.

use rust_xlsxwriter::{Format, FormatBorder, Workbook};
use serde::Serialize;

use super::ExportError;
use super::status_label;
use crate::domain::external::ExternalId;
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::unit::Unit;

/// The kinds of rows, in the order they are written, one sheet each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Units,
    Plans,
    Tasks,
    Targets,
    Figures,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Units,
        Section::Plans,
        Section::Tasks,
        Section::Targets,
        Section::Figures,
    ];

    /// The JSON key of the section.
    pub fn key(self) -> &'static str {
        match self {
            Section::Units => "units",
            Section::Plans => "plans",
            Section::Tasks => "tasks",
            Section::Targets => "targets",
            Section::Figures => "figures",
        }
    }

    pub fn sheet(self) -> &'static str {
        match self {
            Section::Units => "Đơn vị",
            Section::Plans => "Kế hoạch",
            Section::Tasks => "Nhiệm vụ",
            Section::Targets => "Chỉ tiêu",
            Section::Figures => "Số liệu",
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        const EXTERNAL: [&str; 2] = ["Nguồn liên thông", "Mã liên thông"];
        match self {
            Section::Units => &[
                "Mã",
                "Mã hành chính",
                "Tên đơn vị",
                "Loại",
                "Mã đơn vị cấp trên",
                "Ngày kết thúc",
                "Mã đơn vị kế thừa",
                EXTERNAL[0],
                EXTERNAL[1],
            ],
            Section::Plans => &[
                "Mã",
                "Mã đơn vị ban hành",
                "Số hiệu",
                "Ngày ban hành",
                "Trích yếu",
                EXTERNAL[0],
                EXTERNAL[1],
            ],
            Section::Tasks => &[
                "Mã",
                "Mã kế hoạch",
                "TT",
                "Nhiệm vụ",
                "Đơn vị chủ trì",
                "Mã đơn vị chủ trì",
                "Thời hạn",
                "Tình trạng",
                "Tiến độ (%)",
                EXTERNAL[0],
                EXTERNAL[1],
            ],
            Section::Targets => &[
                "Mã",
                "Mã kế hoạch",
                "TT",
                "Chỉ tiêu",
                "Đơn vị tính",
                "Mục tiêu",
                "Mã đơn vị chủ trì",
                EXTERNAL[0],
                EXTERNAL[1],
            ],
            Section::Figures => &[
                "Mã chỉ tiêu",
                "Mã đơn vị báo cáo",
                "Đơn vị báo cáo",
                "Kỳ báo cáo",
                "Giá trị",
                "Nguồn số liệu",
            ],
        }
    }
}

/// A cell of the sheet; numbers stay numbers so a spreadsheet can sum them.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    fn text(value: Option<&str>) -> Cell {
        match value {
            Some(v) if !v.is_empty() => Cell::Text(v.to_string()),
            _ => Cell::Empty,
        }
    }

    fn int(value: Option<i64>) -> Cell {
        // Ids and percents are far below 2^53, exact as a spreadsheet number.
        value.map_or(Cell::Empty, |v| Cell::Number(v as f64))
    }

    /// The cell as text, as the sheet reader gives it back: whole numbers
    /// without a decimal point, an empty cell as "".
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Empty => String::new(),
        }
    }
}

/// A number as text the way both the writer's rows and the reader show it.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn external_cells(external: Option<&ExternalId>) -> [Cell; 2] {
    match external {
        Some(e) => [Cell::Text(e.source.clone()), Cell::Text(e.id.clone())],
        None => [Cell::Empty, Cell::Empty],
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub kind: &'static str,
    pub parent_id: Option<i64>,
    pub ended_on: Option<String>,
    pub successor_id: Option<i64>,
    pub external: Option<ExternalId>,
}

impl UnitRow {
    pub fn new(u: &Unit) -> UnitRow {
        UnitRow {
            id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.as_str(),
            parent_id: u.parent_id,
            ended_on: u.ended_on.map(|d| d.to_string()),
            successor_id: u.successor_id,
            external: u.external.clone(),
        }
    }

    fn cells(&self) -> Vec<Cell> {
        let kind = crate::domain::unit::UnitKind::parse(self.kind).map(|k| k.label_vi());
        let mut cells = vec![
            Cell::int(Some(self.id)),
            Cell::text(self.code.as_deref()),
            Cell::Text(self.name.clone()),
            Cell::text(kind),
            Cell::int(self.parent_id),
            Cell::text(self.ended_on.as_deref()),
            Cell::int(self.successor_id),
        ];
        cells.extend(external_cells(self.external.as_ref()));
        cells
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub issuer_unit_id: i64,
    pub number: Option<String>,
    pub date: Option<String>,
    pub title: String,
    pub external: Option<ExternalId>,
}

impl PlanRow {
    pub fn new(p: &Plan) -> PlanRow {
        PlanRow {
            id: p.id,
            issuer_unit_id: p.issuer_unit_id,
            number: p.number.clone(),
            date: p.issued_on.map(|d| d.to_string()),
            title: p.title.clone(),
            external: p.external.clone(),
        }
    }

    fn cells(&self) -> Vec<Cell> {
        let mut cells = vec![
            Cell::int(Some(self.id)),
            Cell::int(Some(self.issuer_unit_id)),
            Cell::text(self.number.as_deref()),
            Cell::text(self.date.as_deref()),
            Cell::Text(self.title.clone()),
        ];
        cells.extend(external_cells(self.external.as_ref()));
        cells
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LeadRow {
    pub unit_id: Option<i64>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub id: i64,
    pub plan_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub title: String,
    pub lead: Vec<LeadRow>,
    pub deadline: String,
    /// The latest accepted report's status code (`done`, …), if any.
    pub status: Option<String>,
    pub percent: Option<i64>,
    pub external: Option<ExternalId>,
}

impl TaskRow {
    /// A task with its latest accepted status and percent.
    pub fn new(t: &Task, status: Option<String>, percent: Option<i64>) -> TaskRow {
        TaskRow {
            id: t.id,
            plan_id: t.plan_id,
            reference: t.reference.clone(),
            title: t.title.clone(),
            lead: t
                .lead
                .iter()
                .map(|m| LeadRow {
                    unit_id: m.unit_id,
                    name: m.name.clone(),
                })
                .collect(),
            deadline: t.deadline.text().to_string(),
            status,
            percent,
            external: t.external.clone(),
        }
    }

    fn cells(&self) -> Vec<Cell> {
        let names: Vec<&str> = self.lead.iter().map(|l| l.name.as_str()).collect();
        let ids: Vec<String> = self
            .lead
            .iter()
            .filter_map(|l| l.unit_id)
            .map(|id| id.to_string())
            .collect();
        let mut cells = vec![
            Cell::int(Some(self.id)),
            Cell::int(Some(self.plan_id)),
            Cell::text(self.reference.as_deref()),
            Cell::Text(self.title.clone()),
            Cell::text(Some(&names.join("; "))),
            Cell::text(Some(&ids.join("; "))),
            Cell::text(Some(&self.deadline)),
            Cell::text(self.status.as_deref().map(status_label)),
            Cell::int(self.percent),
        ];
        cells.extend(external_cells(self.external.as_ref()));
        cells
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetRow {
    pub id: i64,
    pub plan_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub name: String,
    pub unit: Option<String>,
    /// The goals as written (`≥ 90 (2026)`), one a year.
    pub goals: Vec<String>,
    pub lead_unit_ids: Vec<i64>,
    pub external: Option<ExternalId>,
}

impl TargetRow {
    pub fn new(t: &Target) -> TargetRow {
        TargetRow {
            id: t.id,
            plan_id: t.plan_id,
            reference: t.reference.clone(),
            name: t.name.clone(),
            unit: t.measure_unit.clone(),
            goals: t
                .goals
                .iter()
                .map(|g| match g.year {
                    Some(y) => format!("{} ({y})", g.text),
                    None => g.text.clone(),
                })
                .collect(),
            lead_unit_ids: t.lead.iter().filter_map(|m| m.unit_id).collect(),
            external: t.external.clone(),
        }
    }

    fn cells(&self) -> Vec<Cell> {
        let ids: Vec<String> = self.lead_unit_ids.iter().map(i64::to_string).collect();
        let mut cells = vec![
            Cell::int(Some(self.id)),
            Cell::int(Some(self.plan_id)),
            Cell::text(self.reference.as_deref()),
            Cell::Text(self.name.clone()),
            Cell::text(self.unit.as_deref()),
            Cell::text(Some(&self.goals.join("; "))),
            Cell::text(Some(&ids.join("; "))),
        ];
        cells.extend(external_cells(self.external.as_ref()));
        cells
    }
}

/// A figure of an accepted report: which target, which unit, which period.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    pub target_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub period_key: String,
    pub value: Option<f64>,
    pub source: Option<String>,
}

impl FigureRow {
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::int(Some(self.target_id)),
            Cell::int(Some(self.unit_id)),
            Cell::Text(self.unit_name.clone()),
            Cell::Text(self.period_key.clone()),
            self.value.map_or(Cell::Empty, Cell::Number),
            Cell::text(self.source.as_deref()),
        ]
    }
}

/// One row of the export, of any section.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ExchangeRow {
    Unit(UnitRow),
    Plan(PlanRow),
    Task(TaskRow),
    Target(TargetRow),
    Figure(FigureRow),
}

impl ExchangeRow {
    pub fn section(&self) -> Section {
        match self {
            ExchangeRow::Unit(_) => Section::Units,
            ExchangeRow::Plan(_) => Section::Plans,
            ExchangeRow::Task(_) => Section::Tasks,
            ExchangeRow::Target(_) => Section::Targets,
            ExchangeRow::Figure(_) => Section::Figures,
        }
    }

    /// The row's cells on its sheet, in the order of its headers.
    pub fn cells(&self) -> Vec<Cell> {
        match self {
            ExchangeRow::Unit(r) => r.cells(),
            ExchangeRow::Plan(r) => r.cells(),
            ExchangeRow::Task(r) => r.cells(),
            ExchangeRow::Target(r) => r.cells(),
            ExchangeRow::Figure(r) => r.cells(),
        }
    }
}

/// What the export is of, written at the head of the JSON and the sheets.
#[derive(Debug, Clone, Serialize)]
pub struct ExchangeHead {
    pub unit: UnitRow,
    /// When it was made, RFC 3339 in UTC.
    pub exported_at: String,
}

/// Where the rows go: sections in the order of [`Section::ALL`], each
/// opened once before its rows.
pub trait ExchangeSink {
    fn section(&mut self, section: Section) -> Result<(), ExportError>;
    fn row(&mut self, row: &ExchangeRow) -> Result<(), ExportError>;
    fn finish(self) -> Result<Vec<u8>, ExportError>;
}

/// The JSON export: `{"unit", "exported_at", "units": […], "plans": […],
/// "tasks": […], "targets": […], "figures": […], "counts": {…}}`, written
/// row by row.
pub struct JsonSink {
    out: Vec<u8>,
    open: bool,
    first: bool,
    counts: Vec<(&'static str, u64)>,
}

impl JsonSink {
    pub fn new(head: &ExchangeHead) -> Result<JsonSink, ExportError> {
        let mut out = Vec::with_capacity(64 * 1024);
        let head = serde_json::to_string(head).map_err(|e| ExportError::Json(e.to_string()))?;
        // The head is an object: reopen it to add the sections.
        out.extend_from_slice(head.trim_end_matches('}').as_bytes());
        Ok(JsonSink {
            out,
            open: false,
            first: true,
            counts: Vec::new(),
        })
    }

    fn close_section(&mut self) {
        if self.open {
            self.out.push(b']');
            self.open = false;
        }
    }
}

impl ExchangeSink for JsonSink {
    fn section(&mut self, section: Section) -> Result<(), ExportError> {
        self.close_section();
        self.out
            .extend_from_slice(format!(",\"{}\":[", section.key()).as_bytes());
        self.open = true;
        self.first = true;
        self.counts.push((section.key(), 0));
        Ok(())
    }

    fn row(&mut self, row: &ExchangeRow) -> Result<(), ExportError> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, row).map_err(|e| ExportError::Json(e.to_string()))?;
        if let Some(last) = self.counts.last_mut() {
            last.1 += 1;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        self.close_section();
        let counts: serde_json::Map<String, serde_json::Value> = self
            .counts
            .iter()
            .map(|(k, n)| ((*k).to_string(), serde_json::Value::from(*n)))
            .collect();
        self.out.extend_from_slice(b",\"counts\":");
        serde_json::to_writer(&mut self.out, &counts)
            .map_err(|e| ExportError::Json(e.to_string()))?;
        self.out.push(b'}');
        Ok(self.out)
    }
}

/// The `.xlsx` export: a sheet a section, headers on row 1 (frozen), a row
/// a record from row 2.
pub struct XlsxSink {
    book: Workbook,
    header: Format,
    sheet: Option<usize>,
    sheets: usize,
    next_row: u32,
}

impl XlsxSink {
    pub fn new() -> XlsxSink {
        XlsxSink {
            book: Workbook::new(),
            header: Format::new()
                .set_bold()
                .set_background_color("D9D9D9")
                .set_border(FormatBorder::Thin),
            sheet: None,
            sheets: 0,
            next_row: 1,
        }
    }
}

impl Default for XlsxSink {
    fn default() -> Self {
        XlsxSink::new()
    }
}

impl ExchangeSink for XlsxSink {
    fn section(&mut self, section: Section) -> Result<(), ExportError> {
        let ws = self.book.add_worksheet();
        ws.set_name(section.sheet())?;
        for (i, h) in section.headers().iter().enumerate() {
            let c = super::xlsx::col(i);
            ws.write_string_with_format(0, c, *h, &self.header)?;
            ws.set_column_width(c, if i == 3 { 50.0 } else { 16.0 })?;
        }
        ws.set_freeze_panes(1, 0)?;
        self.sheet = Some(self.sheets);
        self.sheets += 1;
        self.next_row = 1;
        Ok(())
    }

    fn row(&mut self, row: &ExchangeRow) -> Result<(), ExportError> {
        let index = self
            .sheet
            .ok_or_else(|| ExportError::Xlsx("row before its section".into()))?;
        let ws = self.book.worksheet_from_index(index)?;
        let r = self.next_row;
        for (i, cell) in row.cells().into_iter().enumerate() {
            let c = super::xlsx::col(i);
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, c, t)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c, n)?;
                }
                Cell::Empty => {}
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        Ok(self.book.save_to_buffer()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_row(id: i64, name: &str) -> UnitRow {
        UnitRow {
            id,
            code: Some("01".into()),
            name: name.into(),
            kind: "province",
            parent_id: Some(1),
            ended_on: None,
            successor_id: None,
            external: Some(ExternalId {
                source: "vbdh-quoc-gia".into(),
                id: "T-01".into(),
            }),
        }
    }

    fn write<S: ExchangeSink>(mut sink: S) -> Vec<u8> {
        for section in Section::ALL {
            sink.section(section).expect("section");
            if section == Section::Units {
                for (id, name) in [(2, "Tỉnh An Bình"), (3, "Xã \"An\" Phú")] {
                    sink.row(&ExchangeRow::Unit(unit_row(id, name)))
                        .expect("row");
                }
            }
            if section == Section::Figures {
                let row = FigureRow {
                    target_id: 9,
                    unit_id: 3,
                    unit_name: "Xã An Phú".into(),
                    period_key: "2026-03".into(),
                    value: Some(92.5),
                    source: None,
                };
                sink.row(&ExchangeRow::Figure(row)).expect("row");
            }
        }
        sink.finish().expect("finish")
    }

    #[test]
    fn the_json_is_one_document_with_every_section_and_its_count() {
        let head = ExchangeHead {
            unit: unit_row(2, "Tỉnh An Bình"),
            exported_at: "2026-03-10T00:00:00+00:00".into(),
        };
        let bytes = write(JsonSink::new(&head).expect("head"));
        let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        assert_eq!(doc["unit"]["id"], 2);
        assert_eq!(doc["units"][1]["name"], "Xã \"An\" Phú");
        assert_eq!(doc["units"][0]["external"]["id"], "T-01");
        assert_eq!(doc["plans"], serde_json::json!([]));
        assert_eq!(doc["figures"][0]["value"], 92.5);
        assert_eq!(
            doc["counts"],
            serde_json::json!({"units": 2, "plans": 0, "tasks": 0, "targets": 0, "figures": 1})
        );
    }

    #[test]
    fn the_sheets_read_back_with_the_rows_written() {
        let bytes = write(XlsxSink::new());
        let sheets = super::super::read_sheets(&bytes).expect("reads back");
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["Đơn vị", "Kế hoạch", "Nhiệm vụ", "Chỉ tiêu", "Số liệu"]
        );
        let units = &sheets[0].1;
        assert_eq!(units[0], Section::Units.headers());
        let expected: Vec<String> = ExchangeRow::Unit(unit_row(3, "Xã \"An\" Phú"))
            .cells()
            .iter()
            .map(Cell::as_text)
            .collect();
        assert_eq!(units[2], expected);
        assert_eq!(units[2][3], "Tỉnh/Thành phố");
        assert_eq!(sheets[1].1.len(), 1, "headers only");
        assert_eq!(sheets[4].1[1][4], "92.5");
    }
}
