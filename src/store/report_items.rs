//! Saving the items of a unit's report (task updates and target figures)
//! under their versions: inserted at version 1 when new, updated only when
//! the version read is still current, refused otherwise. One statement an
//! item (the version is checked by the write itself, not read first) and
//! one for all the items' audit entries; the items come back as written,
//! so the answer needs no second read of the report.

use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Change};
use super::rows::bind_real;
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
    let mut changes = Vec::new();
    let mut written = Vec::new();
    for (task_id, expected, draft) in edits {
        let item = view
            .tasks
            .iter()
            .find(|i| i.task.id == *task_id)
            .ok_or_else(|| {
                StoreError::InvalidReference(format!("task {task_id} is not on this report"))
            })?;
        let at = ItemAt {
            report_id: view.report.id,
            item_id: *task_id,
            scope: (province_id, commune_id),
            expected: *expected,
        };
        let id = upsert_task_update(conn, &at, draft, now, actor).await?;
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
            task_id: *task_id,
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
    let mut changes = Vec::new();
    let mut written = Vec::new();
    for (target_id, expected, draft) in edits {
        let item = view
            .targets
            .iter()
            .find(|i| i.target.id == *target_id)
            .ok_or_else(|| {
                StoreError::InvalidReference(format!("target {target_id} is not on this report"))
            })?;
        let at = ItemAt {
            report_id: view.report.id,
            item_id: *target_id,
            scope: (province_id, commune_id),
            expected: *expected,
        };
        let id = upsert_target_figure(conn, &at, draft, now, actor).await?;
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
            target_id: *target_id,
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

/// Where an item is written: its report, its task or target, the report's
/// province and commune, and the version the writer read.
pub(super) struct ItemAt {
    pub report_id: i64,
    pub item_id: i64,
    pub scope: (Option<i64>, Option<i64>),
    pub expected: i64,
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
    at: &ItemAt,
) -> StoreResult<i64> {
    let sql = format!("SELECT version FROM {table} WHERE report_id = $1 AND {column} = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(at.report_id)
        .bind(at.item_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("version")?,
        None => 0,
    })
}

pub(super) async fn upsert_task_update(
    conn: &mut AnyConnection,
    at: &ItemAt,
    d: &Valid<TaskUpdateDraft>,
    now: i64,
    actor: &Actor,
) -> StoreResult<i64> {
    let (report_id, task_id, expected) = (at.report_id, at.item_id, at.expected);
    let (province_id, commune_id) = at.scope;
    let written = if expected == 0 {
        // Someone else's first save of the same item makes this a conflict.
        sqlx::query(
            "INSERT INTO task_updates (report_id, task_id, province_id, commune_id, status, percent, result,
                    suspend_reason, nothing_this_period, updated_at, updated_by, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)
             ON CONFLICT (report_id, task_id) DO NOTHING RETURNING id",
        )
        .bind(report_id)
        .bind(task_id)
        .bind(province_id)
        .bind(commune_id)
        .bind(d.status.map(|s| s.as_str()))
        .bind(d.percent.map(i64::from))
        .bind(d.result.clone())
        .bind(d.suspend_reason.clone())
        .bind(i64::from(d.nothing_this_period))
        .bind(now)
        .bind(actor.user_id)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE task_updates SET status = $1, percent = $2, result = $3, suspend_reason = $4,
                    nothing_this_period = $9, updated_at = $5, updated_by = $6,
                    version = version + 1
             WHERE report_id = $10 AND task_id = $7 AND version = $8 RETURNING id",
        )
        .bind(d.status.map(|s| s.as_str()))
        .bind(d.percent.map(i64::from))
        .bind(d.result.clone())
        .bind(d.suspend_reason.clone())
        .bind(now)
        .bind(actor.user_id)
        .bind(task_id)
        .bind(expected)
        .bind(i64::from(d.nothing_this_period))
        .bind(report_id)
        .fetch_optional(&mut *conn)
        .await?
    };
    match written {
        Some(row) => Ok(row.try_get("id")?),
        None => Err(StoreError::Conflict {
            current: current_version(conn, "task_updates", "task_id", at).await?,
        }),
    }
}

pub(super) async fn upsert_target_figure(
    conn: &mut AnyConnection,
    at: &ItemAt,
    d: &Valid<TargetFigureDraft>,
    now: i64,
    actor: &Actor,
) -> StoreResult<i64> {
    let (report_id, target_id, expected) = (at.report_id, at.item_id, at.expected);
    let (province_id, commune_id) = at.scope;
    let written = if expected == 0 {
        bind_real(
            sqlx::query(
                "INSERT INTO target_figures (report_id, target_id, province_id, commune_id, value, source,
                    no_data_reason, nothing_this_period, updated_at, updated_by, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
                 ON CONFLICT (report_id, target_id) DO NOTHING RETURNING id",
            )
            .bind(report_id)
            .bind(target_id)
            .bind(province_id)
            .bind(commune_id),
            d.value,
        )
        .bind(d.source.clone())
        .bind(d.no_data_reason.clone())
        .bind(i64::from(d.nothing_this_period))
        .bind(now)
        .bind(actor.user_id)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        bind_real(
            sqlx::query(
                "UPDATE target_figures SET value = $1, source = $2, no_data_reason = $7,
                    nothing_this_period = $8, updated_at = $3, updated_by = $4,
                    version = version + 1
                 WHERE report_id = $9 AND target_id = $5 AND version = $6 RETURNING id",
            ),
            d.value,
        )
        .bind(d.source.clone())
        .bind(now)
        .bind(actor.user_id)
        .bind(target_id)
        .bind(expected)
        .bind(d.no_data_reason.clone())
        .bind(i64::from(d.nothing_this_period))
        .bind(report_id)
        .fetch_optional(&mut *conn)
        .await?
    };
    match written {
        Some(row) => Ok(row.try_get("id")?),
        None => Err(StoreError::Conflict {
            current: current_version(conn, "target_figures", "target_id", at).await?,
        }),
    }
}
