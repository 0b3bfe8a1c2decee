//! Bulk loading for the synthetic national data set (`theodoi gen`):
//! explicit ids, one transaction per table and batch, `COPY` on
//! PostgreSQL and multi-row `INSERT`s on SQLite (the difference lives in
//! `dialect`). Normal writes never come through here.

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
    /// Writes `rows` into `table` in one transaction, each engine its
    /// fastest way: `COPY` on PostgreSQL, statements of up to a thousand
    /// rows on SQLite.
    pub async fn bulk_insert(
        &self,
        table: &'static str,
        columns: &[&'static str],
        rows: &[Vec<BulkValue>],
    ) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if let Some(copy) = &self.copy {
            dialect::copy_rows(copy, table, columns, rows).await?;
            return Ok(());
        }
        let mut tx = self.write.begin().await?;
        insert_rows(&mut tx, self.engine, table, columns, rows).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops what slows a bulk load of `tables` down and can be put back
    /// once the rows are in: their secondary indexes and, on PostgreSQL,
    /// their foreign keys. Returns the statements that put them back, for
    /// [`Store::restore_deferred`]: one sorted build per index and one
    /// check per foreign key at the end cost much less than keeping every
    /// index up to date and checking every row's parents as it goes (on
    /// PostgreSQL the foreign key checks were three quarters of the time
    /// of a row of `task_updates`). The definitions are read from the
    /// database, so they cannot drift from the migrations.
    pub async fn defer_indexes_and_checks(
        &self,
        tables: &[&'static str],
    ) -> StoreResult<Vec<String>> {
        let mut indexes = Vec::new();
        let mut checks = Vec::new();
        for table in tables {
            for (name, def) in dialect::foreign_keys(&self.write, self.engine, table).await? {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT \"{name}\""
                )))
                .execute(&self.write)
                .await?;
                checks.push(format!(
                    "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {def}"
                ));
            }
            for (name, def) in dialect::secondary_indexes(&self.write, self.engine, table).await? {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                    .execute(&self.write)
                    .await?;
                indexes.push(def);
            }
        }
        // Indexes first: the checks read the loaded tables.
        indexes.extend(checks);
        Ok(indexes)
    }

    /// Puts back what [`Store::defer_indexes_and_checks`] dropped.
    pub async fn restore_deferred(&self, statements: &[String]) -> StoreResult<()> {
        for statement in statements {
            sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
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
