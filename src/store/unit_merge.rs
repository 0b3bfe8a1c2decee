//! Communes merged into another (the 2025 rearrangement, A + B → C): each
//! source ends on a day, names its successor and moves under it with its
//! whole subtree, and its counters are added to the successor's, all in
//! one transaction. The province and the nation count the same records
//! before and after, so their counters do not change; a recount (which
//! follows the paths) finds exactly what the merge wrote.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::rows::date_text;
use super::unit_history::{NewEvent, record_event, rewrite_paths};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::unit::{Unit, UnitKind, check_merge};
use crate::domain::unit_history::{EventKind, LinkPart};

impl Store {
    /// Merges `source_ids` into `successor_id` from `effective_on`; the
    /// domain's rules are checked again inside the transaction's view.
    pub async fn merge_units(
        &self,
        successor_id: i64,
        source_ids: &[i64],
        effective_on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let successor = self.unit(successor_id).await?.ok_or(StoreError::NotFound)?;
        let mut sources = Vec::with_capacity(source_ids.len());
        for id in source_ids {
            sources.push(self.unit(*id).await?.ok_or(StoreError::NotFound)?);
        }
        check_merge(&successor, &sources, effective_on, self.clock.today())
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        sources.sort_by_key(|s| s.id);
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        for source in &sources {
            // Ended once: a second merge of the same source waits here and
            // then finds it ended.
            let ended = sqlx::query(
                "UPDATE units SET parent_id = $1, ended_on = $2, successor_id = $1,
                        updated_at = $3, version = version + 1
                 WHERE id = $4 AND ended_on IS NULL AND kind = $5",
            )
            .bind(successor.id)
            .bind(date_text(Some(effective_on)))
            .bind(now)
            .bind(source.id)
            .bind(UnitKind::Commune.as_str())
            .execute(&mut *tx)
            .await?;
            if ended.rows_affected() == 0 {
                return Err(StoreError::Refused(format!(
                    "{} đã được sáp nhập trước đó",
                    source.name
                )));
            }
            let new_path = format!("{}{}/", successor.path, source.id);
            rewrite_paths(&mut tx, &source.path, &new_path).await?;
            add_counters(&mut tx, source.id, &successor, now).await?;
        }
        record_event(
            &mut tx,
            NewEvent {
                kind: EventKind::Merge,
                unit_id: successor.id,
                effective_on,
                name_before: None,
                name_after: None,
                links: sources.iter().map(|s| (s.id, LinkPart::Source)).collect(),
            },
            now,
            actor,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "merge",
                entity: "unit",
                entity_id: Some(successor.id),
                province_id: successor.province_id,
                commune_id: successor.commune_id,
                before: Some(json!({
                    "sources": sources.iter().map(|s| json!({"id": s.id, "name": s.name, "path": s.path})).collect::<Vec<_>>(),
                })),
                after: Some(json!({"successor": successor.id, "effective_on": effective_on})),
            },
        )
        .await?;
        tx.commit().await?;
        self.unit(successor.id).await?.ok_or(StoreError::NotFound)
    }
}

/// Adds a merged unit's counters to its successor's, and files the merged
/// unit's own counters under the successor for rankings.
async fn add_counters(
    conn: &mut sqlx::AnyConnection,
    source_id: i64,
    successor: &Unit,
    now: i64,
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT metric, bucket, value FROM rollups WHERE unit_id = $1 AND value <> 0
         ORDER BY metric, bucket",
    )
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let value: i64 = r.try_get("value")?;
        sqlx::query(
            "INSERT INTO rollups (unit_id, parent_id, metric, bucket, value) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (unit_id, metric, bucket) DO UPDATE SET value = rollups.value + $5",
        )
        .bind(successor.id)
        .bind(successor.parent_id)
        .bind(r.try_get::<String, _>("metric")?)
        .bind(r.try_get::<String, _>("bucket")?)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE rollups SET parent_id = $1 WHERE unit_id = $2")
        .bind(successor.id)
        .bind(source_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO rollup_times (unit_id, updated_at) VALUES ($1, $2)
         ON CONFLICT (unit_id) DO UPDATE SET updated_at = $2",
    )
    .bind(successor.id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
