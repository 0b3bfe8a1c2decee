//! Exchange with the systems around Theo Dõi: a record found by the id
//! another system gave it, and the full export of a unit's subtree (a
//! province, a commune) as `.xlsx` or JSON.

use chrono::{DateTime, Utc};

use crate::actions::access::{readable_plan, readable_target, readable_task, readable_unit};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::external::{ExternalId, RecordKind};
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::unit::Unit;
use crate::export::ExportError;
use crate::export::exchange::{
    ExchangeHead, ExchangeRow, ExchangeSink, FigureRow, JsonSink, PlanRow, Section, TargetRow,
    TaskRow, UnitRow, XlsxSink,
};
use crate::store::{Page, PlanFilter, Store, TargetFilter, TaskFilter, UnitFilter};

/// Records read at a time: a province is written as it is read, never held
/// whole beside its file.
const BATCH: u32 = 500;

/// A record found by its external id.
#[derive(Debug, Clone)]
pub enum ExternalRecord {
    Unit(Unit),
    Plan(Plan),
    Task(Task),
    Target(Target),
}

/// The record of `kind` that another system knows as `source`/`id`, if
/// the caller may read it; anything else (an unknown kind, a malformed id,
/// a record outside the caller's scope) is not found.
pub async fn find_by_external(
    state: &AppState,
    p: &Principal,
    kind: &str,
    source: &str,
    id: &str,
) -> Result<ExternalRecord, AppError> {
    let kind = RecordKind::parse(kind).ok_or(AppError::NotFound)?;
    let external = ExternalId::parse(source, id).map_err(|_| AppError::NotFound)?;
    let found = state
        .store
        .find_external(kind, &external)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(match kind {
        RecordKind::Unit => ExternalRecord::Unit(readable_unit(state, p, found).await?),
        RecordKind::Plan => ExternalRecord::Plan(readable_plan(state, p, found).await?),
        RecordKind::Task => ExternalRecord::Task(readable_task(state, p, found).await?),
        RecordKind::Target => ExternalRecord::Target(readable_target(state, p, found).await?),
    })
}

/// The two files of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// The export of unit `id`'s subtree for a caller who may take it out: an
/// administrator, leader or focal point of the unit or above (a unit it
/// cannot read is not found, one it reads but may not export is
/// forbidden). The export is recorded in the audit trail.
pub async fn export_unit(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    format: ExportFormat,
) -> Result<(Unit, Vec<u8>), AppError> {
    let unit = readable_unit(state, caller.principal, id).await?;
    if !caller.principal.can_export(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let bytes = export_subtree(&state.store, &unit, format).await?;
    state
        .store
        .record_export(&caller.actor, "unit", unit.id, format.as_str())
        .await?;
    Ok((unit, bytes))
}

/// The export of `unit`'s subtree, without an access check: for the
/// command line on the server, and for [`export_unit`] once it has checked.
pub async fn export_subtree(
    store: &Store,
    unit: &Unit,
    format: ExportFormat,
) -> Result<Vec<u8>, AppError> {
    let exported_at = DateTime::<Utc>::from_timestamp_millis(store.clock().now_ms())
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let head = ExchangeHead {
        unit: UnitRow::new(unit),
        exported_at,
    };
    match format {
        ExportFormat::Json => {
            write_all(store, &unit.path, JsonSink::new(&head).map_err(internal)?).await
        }
        ExportFormat::Xlsx => write_all(store, &unit.path, XlsxSink::new()).await,
    }
}

fn internal(e: ExportError) -> AppError {
    AppError::Internal(e.to_string())
}

/// Every section in order, each read in batches and written as it comes.
async fn write_all<S: ExchangeSink>(
    store: &Store,
    path: &str,
    mut sink: S,
) -> Result<Vec<u8>, AppError> {
    let within = Some(path.to_string());
    for section in Section::ALL {
        sink.section(section).map_err(internal)?;
        let mut page = 1;
        loop {
            let batch = Page {
                page,
                per_page: BATCH,
            };
            let rows = match section {
                Section::Units => {
                    let filter = UnitFilter {
                        within_path: within.clone(),
                        ..UnitFilter::default()
                    };
                    let units = store.units(&filter, batch).await?.items;
                    units
                        .iter()
                        .map(|u| ExchangeRow::Unit(UnitRow::new(u)))
                        .collect()
                }
                Section::Plans => {
                    let filter = PlanFilter {
                        within_path: within.clone(),
                        ..PlanFilter::default()
                    };
                    let plans = store.plans(&filter, batch).await?.items;
                    plans
                        .iter()
                        .map(|p| ExchangeRow::Plan(PlanRow::new(p)))
                        .collect()
                }
                Section::Tasks => task_rows(store, &within, batch).await?,
                Section::Targets => {
                    let filter = TargetFilter {
                        within_path: within.clone(),
                        ..TargetFilter::default()
                    };
                    let targets = store.targets(&filter, batch).await?.items;
                    targets
                        .iter()
                        .map(|t| ExchangeRow::Target(TargetRow::new(t)))
                        .collect()
                }
                Section::Figures => break write_figures(store, path, &mut sink).await?,
            };
            let rows: Vec<ExchangeRow> = rows;
            for row in &rows {
                sink.row(row).map_err(internal)?;
            }
            if rows.len() < BATCH as usize {
                break;
            }
            page += 1;
        }
    }
    sink.finish().map_err(internal)
}

/// A batch of tasks with their latest accepted status and percent.
async fn task_rows(
    store: &Store,
    within: &Option<String>,
    batch: Page,
) -> Result<Vec<ExchangeRow>, AppError> {
    let filter = TaskFilter {
        within_path: within.clone(),
        ..TaskFilter::default()
    };
    let tasks = store.tasks(&filter, batch).await?.items;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let standings = store.task_standings(&ids).await?;
    Ok(tasks
        .iter()
        .map(|t| {
            let standing = standings.iter().find(|s| s.task_id == t.id);
            ExchangeRow::Task(TaskRow::new(
                t,
                standing.and_then(|s| s.status.clone()),
                standing.and_then(|s| s.percent),
            ))
        })
        .collect())
}

/// The accepted figures, in id order, a batch at a time.
async fn write_figures<S: ExchangeSink>(
    store: &Store,
    path: &str,
    sink: &mut S,
) -> Result<(), AppError> {
    let mut after = 0;
    loop {
        let figures = store
            .accepted_figures_within(path, after, i64::from(BATCH))
            .await?;
        for f in &figures {
            let row = ExchangeRow::Figure(FigureRow {
                target_id: f.target_id,
                unit_id: f.unit_id,
                unit_name: f.unit_name.clone(),
                period_key: f.period_key.clone(),
                value: f.value,
                source: f.source.clone(),
            });
            sink.row(&row).map_err(internal)?;
        }
        match figures.last() {
            Some(last) if figures.len() == BATCH as usize => after = last.id,
            _ => return Ok(()),
        }
    }
}
