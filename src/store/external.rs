//! External ids of units, plans, tasks and targets: written in the
//! transaction of the change that sets them, unique per source, and found
//! again by source and id.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::rows::map_unique;
use super::{Store, StoreError, StoreResult};
use crate::domain::external::{ExternalId, RecordKind};

/// The table of a kind; a fixed name, never from input.
fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Unit => "units",
        RecordKind::Plan => "plans",
        RecordKind::Task => "tasks",
        RecordKind::Target => "targets",
    }
}

/// The external id of a row read with `{alias}.external_source,
/// {alias}.external_id`.
pub(super) fn external_from_row(row: &AnyRow) -> StoreResult<Option<ExternalId>> {
    Ok(ExternalId::from_columns(
        row.try_get("external_source")?,
        row.try_get("external_id")?,
    ))
}

/// Gives record `id` the external id `wanted` (or none), when it differs
/// from the one it had. An id another record of the kind holds is refused
/// with that record named; two transactions claiming the same id at once
/// meet the unique index, and the loser is refused the same way (its
/// holder found by [`Store::name_external_holder`] once it has rolled back).
pub(super) async fn set_external(
    conn: &mut AnyConnection,
    kind: RecordKind,
    id: i64,
    wanted: Option<&ExternalId>,
    before: Option<&ExternalId>,
) -> StoreResult<()> {
    if wanted == before {
        return Ok(());
    }
    let table = table(kind);
    if let Some(external) = wanted {
        let sql = format!(
            "SELECT id FROM {table} WHERE external_source = $1 AND external_id = $2 AND id <> $3"
        );
        let holder = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(external.source.clone())
            .bind(external.id.clone())
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = holder {
            return Err(StoreError::ExternalIdTaken {
                kind,
                external: external.clone(),
                holder: Some(row.try_get("id")?),
            });
        }
    }
    let sql = format!("UPDATE {table} SET external_source = $1, external_id = $2 WHERE id = $3");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(wanted.map(|e| e.source.clone()))
        .bind(wanted.map(|e| e.id.clone()))
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| match (map_unique(e, table), wanted) {
            (StoreError::Duplicate(_), Some(external)) => StoreError::ExternalIdTaken {
                kind,
                external: external.clone(),
                holder: None,
            },
            (other, _) => other,
        })?;
    Ok(())
}

impl Store {
    /// The record of `kind` carrying `external`, if any.
    pub async fn find_external(
        &self,
        kind: RecordKind,
        external: &ExternalId,
    ) -> StoreResult<Option<i64>> {
        let sql = format!(
            "SELECT id FROM {} WHERE external_source = $1 AND external_id = $2",
            table(kind)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(external.source.clone())
            .bind(external.id.clone())
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("id")?),
            None => None,
        })
    }

    /// Names the holder of an external id a losing transaction was refused
    /// (read after it rolled back); other errors pass through.
    pub(super) async fn name_external_holder(&self, err: StoreError) -> StoreError {
        match err {
            StoreError::ExternalIdTaken {
                kind,
                external,
                holder: None,
            } => match self.find_external(kind, &external).await {
                Ok(holder) => StoreError::ExternalIdTaken {
                    kind,
                    external,
                    holder,
                },
                Err(e) => e,
            },
            other => other,
        }
    }
}
