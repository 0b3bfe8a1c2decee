//! Saving the items of a unit's report (task updates and target figures)
//! under their versions: inserted at version 1 when new, updated only when
//! the version read is still current, refused otherwise. One statement for
//! the new items of a kind and one for the items already saved (the
//! version is checked by the write itself, not read first), and one for
//! all the items' audit entries; the items come back as written, so the
//! answer needs no second read of the report.

use std::collections::HashMap;

use serde_json::json;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::audit::{self, Change};
use super::rows::{bind_real, placeholders};
use super::{Actor, StoreError, StoreResult};
use crate::domain::report::{TargetFigureDraft, TaskUpdateDraft};
use crate::domain::round::{ReportView, TargetFigure, TaskUpdate};
use crate::domain::valid::Valid;

/// Writes the edited task items of a report, each under its version, with
/// their audit entries; returns the items as written.
pub(super) async fn save_task_items(
    conn: &mut AnyConnection,
    view: &ReportView,
    edits: &[(i64, i64, Valid<TaskUpdateDraft>)],
    now: i64,
    actor: &Actor,
) -> StoreResult<Vec<TaskUpdate>> {
    let (province_id, commune_id) = (view.round.province_id, view.round.commune_id);
    let mut items = Vec::new();
    for (task_id, expected, draft) in edits {
        let item = view
            .tasks
            .iter()
            .find(|i| i.task.id == *task_id)
            .ok_or_else(|| {
                StoreError::InvalidReference(format!("task {task_id} is not on this report"))
            })?;
        items.push((item, *expected, draft));
    }
    let rows = item_rows(edits);
    let at = Written::of(view, now, actor);
    let ids = write_items(conn, &TASK_ITEMS, &at, &rows, bind_task).await?;
    let mut changes = Vec::new();
    let mut written = Vec::new();
    for (item, expected, draft) in items {
        let task_id = item.task.id;
        let id = ids.get(&task_id).copied().ok_or(StoreError::NotFound)?;
        changes.push(Change {
            action: "report_task",
            entity: "task_update",
            entity_id: Some(id),
            province_id,
            commune_id,
            before: item.update.as_ref().map(task_update_json),
            after: Some(json!({
                "task_id": task_id,
                "status": draft.status.map(|s| s.as_str()),
                "percent": draft.percent,
                "result": draft.result,
                "suspend_reason": draft.suspend_reason,
                "nothing_this_period": draft.nothing_this_period,
            })),
        });
        written.push(TaskUpdate {
            id,
            task_id,
            status: draft.status,
            percent: draft.percent,
            result: draft.result.clone(),
            suspend_reason: draft.suspend_reason.clone(),
            nothing_this_period: draft.nothing_this_period,
            review_comment: item.update.as_ref().and_then(|u| u.review_comment.clone()),
            version: expected + 1,
        });
    }
    audit::record_many(conn, now, actor, changes).await?;
    Ok(written)
}

/// Writes the edited target items of a report, each under its version,
/// with their audit entries; returns the items as written.
pub(super) async fn save_target_items(
    conn: &mut AnyConnection,
    view: &ReportView,
    edits: &[(i64, i64, Valid<TargetFigureDraft>)],
    now: i64,
    actor: &Actor,
) -> StoreResult<Vec<TargetFigure>> {
    let (province_id, commune_id) = (view.round.province_id, view.round.commune_id);
    let mut items = Vec::new();
    for (target_id, expected, draft) in edits {
        let item = view
            .targets
            .iter()
            .find(|i| i.target.id == *target_id)
            .ok_or_else(|| {
                StoreError::InvalidReference(format!("target {target_id} is not on this report"))
            })?;
        items.push((item, *expected, draft));
    }
    let rows = item_rows(edits);
    let at = Written::of(view, now, actor);
    let ids = write_items(conn, &TARGET_ITEMS, &at, &rows, bind_target).await?;
    let mut changes = Vec::new();
    let mut written = Vec::new();
    for (item, expected, draft) in items {
        let target_id = item.target.id;
        let id = ids.get(&target_id).copied().ok_or(StoreError::NotFound)?;
        changes.push(Change {
            action: "report_target",
            entity: "target_figure",
            entity_id: Some(id),
            province_id,
            commune_id,
            before: item
                .figure
                .as_ref()
                .map(|b| json!({"value": b.value, "source": b.source})),
            after: Some(json!({
                "target_id": target_id, "value": draft.value, "source": draft.source,
                "no_data_reason": draft.no_data_reason,
                "nothing_this_period": draft.nothing_this_period,
            })),
        });
        written.push(TargetFigure {
            id,
            target_id,
            value: draft.value,
            source: draft.source.clone(),
            no_data_reason: draft.no_data_reason.clone(),
            nothing_this_period: draft.nothing_this_period,
            review_comment: item.figure.as_ref().and_then(|f| f.review_comment.clone()),
            version: expected + 1,
        });
    }
    audit::record_many(conn, now, actor, changes).await?;
    Ok(written)
}

pub(super) fn task_update_json(u: &TaskUpdate) -> serde_json::Value {
    json!({
        "task_id": u.task_id,
        "status": u.status.map(|s| s.as_str()),
        "percent": u.percent,
        "result": u.result,
        "suspend_reason": u.suspend_reason,
        "version": u.version,
    })
}

/// The version an item has now, for a conflict's answer (0 when absent).
async fn current_version(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    (report_id, item_id): (i64, i64),
) -> StoreResult<i64> {
    let sql = format!("SELECT version FROM {table} WHERE report_id = $1 AND {column} = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(report_id)
        .bind(item_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("version")?,
        None => 0,
    })
}

/// What every item of one save shares: its report, the report's province
/// and commune, the time and who.
struct Written {
    report_id: i64,
    scope: (Option<i64>, Option<i64>),
    now: i64,
    user_id: Option<i64>,
}

impl Written {
    fn of(view: &ReportView, now: i64, actor: &Actor) -> Written {
        Written {
            report_id: view.report.id,
            scope: (view.round.province_id, view.round.commune_id),
            now,
            user_id: actor.user_id,
        }
    }
}

fn item_rows<D>(edits: &[(i64, i64, Valid<D>)]) -> Vec<ItemRow<'_, D>> {
    edits
        .iter()
        .map(|(item_id, expected, draft)| ItemRow {
            item_id: *item_id,
            expected: *expected,
            draft,
        })
        .collect()
}

/// One item to write: its task or target, the version the writer read
/// (0: none yet) and what it says now.
struct ItemRow<'a, D> {
    item_id: i64,
    expected: i64,
    draft: &'a Valid<D>,
}

/// The statements that write one kind of item, their `{rows}` one
/// `VALUES` group an item of `columns` placeholders: the item's own
/// columns first (as [`bind_task`] and [`bind_target`] bind them), then
/// the report, its province and commune, the time and who; the update's
/// groups end with the version read. `VALUES` columns are `column1`, …
/// on both engines; `WHERE true` is how SQLite tells an upsert's
/// `ON CONFLICT` from a join's `ON`.
struct ItemStatements {
    table: &'static str,
    item_column: &'static str,
    columns: usize,
    insert: &'static str,
    update: &'static str,
}

const TASK_ITEMS: ItemStatements = ItemStatements {
    table: "task_updates",
    item_column: "task_id",
    columns: 11,
    insert: "INSERT INTO task_updates (task_id, status, percent, result, suspend_reason,
                nothing_this_period, report_id, province_id, commune_id, updated_at, updated_by,
                version)
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7,
                    v.column8, v.column9, v.column10, v.column11, 1
             FROM (VALUES {rows}) AS v WHERE true
             ON CONFLICT (report_id, task_id) DO NOTHING RETURNING task_id AS item_id, id",
    update: "UPDATE task_updates SET status = v.column2, percent = v.column3,
                result = v.column4, suspend_reason = v.column5, nothing_this_period = v.column6,
                updated_at = v.column10, updated_by = v.column11,
                version = task_updates.version + 1
             FROM (VALUES {rows}) AS v
             WHERE task_updates.report_id = v.column7 AND task_updates.task_id = v.column1
               AND task_updates.version = v.column12
             RETURNING task_updates.task_id AS item_id, task_updates.id AS id",
};

const TARGET_ITEMS: ItemStatements = ItemStatements {
    table: "target_figures",
    item_column: "target_id",
    columns: 10,
    insert: "INSERT INTO target_figures (target_id, value, source, no_data_reason,
                nothing_this_period, report_id, province_id, commune_id, updated_at, updated_by,
                version)
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7,
                    v.column8, v.column9, v.column10, 1
             FROM (VALUES {rows}) AS v WHERE true
             ON CONFLICT (report_id, target_id) DO NOTHING RETURNING target_id AS item_id, id",
    update: "UPDATE target_figures SET value = v.column2, source = v.column3,
                no_data_reason = v.column4, nothing_this_period = v.column5,
                updated_at = v.column9, updated_by = v.column10,
                version = target_figures.version + 1
             FROM (VALUES {rows}) AS v
             WHERE target_figures.report_id = v.column6 AND target_figures.target_id = v.column1
               AND target_figures.version = v.column11
             RETURNING target_figures.target_id AS item_id, target_figures.id AS id",
};

type ItemQuery<'q> = Query<'q, Any, AnyArguments>;

fn bind_task<'q>(q: ItemQuery<'q>, d: &'q TaskUpdateDraft) -> ItemQuery<'q> {
    q.bind(d.status.map(|s| s.as_str()))
        .bind(d.percent.map(i64::from))
        .bind(d.result.clone())
        .bind(d.suspend_reason.clone())
        .bind(i64::from(d.nothing_this_period))
}

fn bind_target<'q>(q: ItemQuery<'q>, d: &'q TargetFigureDraft) -> ItemQuery<'q> {
    bind_real(q, d.value)
        .bind(d.source.clone())
        .bind(d.no_data_reason.clone())
        .bind(i64::from(d.nothing_this_period))
}

/// Items written per statement (a few hundred at most on a report; the
/// engines' limits on placeholders are far above).
const ITEMS_PER_STATEMENT: usize = 200;

/// Writes the items, the new ones inserted and the others updated under
/// the version read, in one statement each; returns each item's row id.
/// An item someone else wrote first (a row already there, or a version
/// moved on) is a conflict that refuses the whole save.
async fn write_items<'a, D>(
    conn: &mut AnyConnection,
    kind: &ItemStatements,
    at: &Written,
    rows: &'a [ItemRow<'a, D>],
    bind: for<'q> fn(ItemQuery<'q>, &'q D) -> ItemQuery<'q>,
) -> StoreResult<HashMap<i64, i64>> {
    let mut ids = HashMap::new();
    let (new, seen): (Vec<&ItemRow<D>>, Vec<&ItemRow<D>>) =
        rows.iter().partition(|r| r.expected == 0);
    for (group, template, columns) in [
        (new, kind.insert, kind.columns),
        (seen, kind.update, kind.columns + 1),
    ] {
        for chunk in group.chunks(ITEMS_PER_STATEMENT) {
            let sql = template.replace("{rows}", &placeholders(chunk.len(), columns));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = bind(q.bind(r.item_id), r.draft)
                    .bind(at.report_id)
                    .bind(at.scope.0)
                    .bind(at.scope.1)
                    .bind(at.now)
                    .bind(at.user_id);
                if columns > kind.columns {
                    q = q.bind(r.expected);
                }
            }
            for row in q.fetch_all(&mut *conn).await? {
                ids.insert(row.try_get("item_id")?, row.try_get("id")?);
            }
            if let Some(stale) = chunk.iter().find(|r| !ids.contains_key(&r.item_id)) {
                let current = current_version(
                    conn,
                    kind.table,
                    kind.item_column,
                    (at.report_id, stale.item_id),
                )
                .await?;
                return Err(StoreError::Conflict { current });
            }
        }
    }
    Ok(ids)
}
