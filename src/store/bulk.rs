//! Bulk loading for the synthetic national data set (`theodoi gen`): many
//! rows per statement, explicit ids, one transaction per batch. Normal
//! writes never come through here.

use sqlx::Row;

use super::{Store, StoreResult, dialect};

/// A value of a bulk row.
#[derive(Debug, Clone)]
pub enum BulkValue {
    Int(i64),
    Real(f64),
    Text(String),
    Null,
    /// A NULL for a text column (PostgreSQL checks a parameter's type).
    NullText,
}

impl Store {
    /// Inserts `rows` into `table` in statements of at most `per_statement`
    /// rows, all in one transaction.
    pub async fn bulk_insert(
        &self,
        table: &'static str,
        columns: &[&'static str],
        rows: &[Vec<BulkValue>],
    ) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        if let Some(setting) = dialect::bulk_transaction_setting(self.engine) {
            sqlx::query(setting).execute(&mut *tx).await?;
        }
        insert_rows(&mut tx, self.engine, table, columns, rows).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops the secondary indexes of `tables` before a bulk load, and
    /// returns their definitions for [`Store::build_indexes`]: one sorted
    /// build per index at the end is much cheaper than keeping each index
    /// up to date row by row.
    pub async fn drop_secondary_indexes(
        &self,
        tables: &[&'static str],
    ) -> StoreResult<Vec<String>> {
        let mut definitions = Vec::new();
        for table in tables {
            for (name, def) in dialect::secondary_indexes(&self.write, self.engine, table).await? {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                    .execute(&self.write)
                    .await?;
                definitions.push(def);
            }
        }
        Ok(definitions)
    }

    /// Builds again the indexes [`Store::drop_secondary_indexes`] dropped.
    pub async fn build_indexes(&self, definitions: &[String]) -> StoreResult<()> {
        for def in definitions {
            sqlx::query(sqlx::AssertSqlSafe(def.clone()))
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    /// After loading rows with explicit ids, the id sequences continue
    /// above the largest id.
    pub async fn continue_ids(&self, tables: &[&'static str]) -> StoreResult<()> {
        for table in tables {
            if self.engine == super::Engine::Postgres {
                let next = self.max_id(table).await? + 1;
                dialect::restart_ids(&self.write, self.engine, table, next).await?;
            }
        }
        Ok(())
    }

    /// The largest id of a table, 0 when it is empty: where explicit ids
    /// of a bulk load start.
    pub async fn max_id(&self, table: &'static str) -> StoreResult<i64> {
        let max: Option<i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT MAX(id) AS m FROM {table}"
        )))
        .fetch_one(&self.read)
        .await?
        .try_get("m")?;
        Ok(max.unwrap_or(0))
    }

    /// Refreshes the planner's statistics after a bulk load. Without it
    /// PostgreSQL plans a save against a table it believes empty and
    /// takes many times longer; SQLite gains the same knowledge.
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE").execute(&self.write).await?;
        Ok(())
    }

    pub async fn count_rows(&self, table: &'static str) -> StoreResult<i64> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(&self.read)
        .await?
        .try_get("n")?)
    }

    /// What a reporting tool would run without rollups: every accepted task
    /// update grouped by province and status, over the raw rows.
    pub async fn raw_status_by_province(&self) -> StoreResult<Vec<(i64, String, i64)>> {
        let rows = sqlx::query(
            "SELECT tu.province_id AS province_id, tu.status AS status, COUNT(*) AS n
             FROM task_updates tu JOIN unit_reports ur ON ur.id = tu.report_id
             WHERE ur.status = 'accepted' AND tu.status IS NOT NULL
             GROUP BY tu.province_id, tu.status ORDER BY tu.province_id, tu.status",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("province_id")?,
                    r.try_get("status")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }
}

/// Inserts `rows` into `table` in `conn`'s transaction, many rows a
/// statement: the bulk load's writer, and onboarding's.
pub(super) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    engine: super::Engine,
    table: &'static str,
    columns: &[&'static str],
    rows: &[Vec<BulkValue>],
) -> StoreResult<()> {
    // Both engines accept well over 30,000 parameters per statement.
    let per_statement = (30_000 / columns.len()).clamp(1, 1000);
    for chunk in rows.chunks(per_statement) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                // SQLite looks each named parameter (`$7`) up in a list
                // while preparing, which is quadratic in a statement of
                // 13,000 of them (1.8 s per 1,000 rows); anonymous `?`
                // bind in order at no cost. PostgreSQL knows only `$n`.
                match engine {
                    super::Engine::Sqlite => sql.push('?'),
                    super::Engine::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        // Not cached: PostgreSQL fixes parameter types when a statement
        // is first prepared, and the next chunk of the same shape may
        // hold NULL (bound as an integer) where this one held text or a
        // real, which a cached statement refuses or misreads.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for row in chunk {
            for v in row {
                q = match v {
                    BulkValue::Int(i) => q.bind(*i),
                    BulkValue::Real(r) => q.bind(*r),
                    BulkValue::Text(t) => q.bind(t.clone()),
                    BulkValue::Null => q.bind(None::<i64>),
                    BulkValue::NullText => q.bind(None::<String>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
