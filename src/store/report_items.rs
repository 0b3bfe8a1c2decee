//! Saving one item of a unit's report (a task update or a target figure)
//! under its version: inserted at version 1 when new, updated only when the
//! version read is still current, refused otherwise.

use sqlx::{AnyConnection, Row};

use super::rows::bind_real;
use super::{Actor, StoreError, StoreResult};
use crate::domain::report::{TargetFigureDraft, TaskUpdateDraft};
use crate::domain::valid::Valid;

#[allow(clippy::too_many_arguments)]
pub(super) async fn upsert_task_update(
    conn: &mut AnyConnection,
    report_id: i64,
    task_id: i64,
    (province_id, commune_id): (Option<i64>, Option<i64>),
    expected: i64,
    d: &Valid<TaskUpdateDraft>,
    now: i64,
    actor: &Actor,
) -> StoreResult<i64> {
    let current =
        sqlx::query("SELECT id, version FROM task_updates WHERE report_id = $1 AND task_id = $2")
            .bind(report_id)
            .bind(task_id)
            .fetch_optional(&mut *conn)
            .await?;
    match current {
        None if expected == 0 => Ok(sqlx::query(
            "INSERT INTO task_updates (report_id, task_id, province_id, commune_id, status, percent, result,
                    suspend_reason, updated_at, updated_by, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id",
        )
        .bind(report_id)
        .bind(task_id)
        .bind(province_id)
        .bind(commune_id)
        .bind(d.status.map(|s| s.as_str()))
        .bind(d.percent.map(i64::from))
        .bind(d.result.clone())
        .bind(d.suspend_reason.clone())
        .bind(now)
        .bind(actor.user_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?),
        None => Err(StoreError::Conflict { current: 0 }),
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let version: i64 = row.try_get("version")?;
            if version != expected {
                return Err(StoreError::Conflict { current: version });
            }
            sqlx::query(
                "UPDATE task_updates SET status = $1, percent = $2, result = $3, suspend_reason = $4,
                        updated_at = $5, updated_by = $6, version = version + 1
                 WHERE id = $7 AND version = $8",
            )
            .bind(d.status.map(|s| s.as_str()))
            .bind(d.percent.map(i64::from))
            .bind(d.result.clone())
            .bind(d.suspend_reason.clone())
            .bind(now)
            .bind(actor.user_id)
            .bind(id)
            .bind(expected)
            .execute(&mut *conn)
            .await?;
            Ok(id)
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn upsert_target_figure(
    conn: &mut AnyConnection,
    report_id: i64,
    target_id: i64,
    (province_id, commune_id): (Option<i64>, Option<i64>),
    expected: i64,
    d: &Valid<TargetFigureDraft>,
    now: i64,
    actor: &Actor,
) -> StoreResult<i64> {
    let current = sqlx::query(
        "SELECT id, version FROM target_figures WHERE report_id = $1 AND target_id = $2",
    )
    .bind(report_id)
    .bind(target_id)
    .fetch_optional(&mut *conn)
    .await?;
    match current {
        None if expected == 0 => Ok(bind_real(
            sqlx::query(
            "INSERT INTO target_figures (report_id, target_id, province_id, commune_id, value, source,
                    updated_at, updated_by, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
        )
        .bind(report_id)
        .bind(target_id)
        .bind(province_id)
        .bind(commune_id),
            d.value,
        )
        .bind(d.source.clone())
        .bind(now)
        .bind(actor.user_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?),
        None => Err(StoreError::Conflict { current: 0 }),
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let version: i64 = row.try_get("version")?;
            if version != expected {
                return Err(StoreError::Conflict { current: version });
            }
            bind_real(
                sqlx::query(
                    "UPDATE target_figures SET value = $1, source = $2, updated_at = $3, updated_by = $4,
                        version = version + 1 WHERE id = $5 AND version = $6",
                ),
                d.value,
            )
            .bind(d.source.clone())
            .bind(now)
            .bind(actor.user_id)
            .bind(id)
            .bind(expected)
            .execute(&mut *conn)
            .await?;
            Ok(id)
        }
    }
}
