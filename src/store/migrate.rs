//! Versioned, append-only migrations applied at start. Each file in
//! `migrations/` is compiled in; a migration once shipped is never edited,
//! and the checksum kept with each applied version catches it if one is.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, StoreError, StoreResult, dialect};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "reporting",
        sql: include_str!("../../migrations/0002_reporting.sql"),
    },
    Migration {
        version: 3,
        name: "monitoring",
        sql: include_str!("../../migrations/0003_monitoring.sql"),
    },
    Migration {
        version: 4,
        name: "feedback",
        sql: include_str!("../../migrations/0004_feedback.sql"),
    },
    Migration {
        version: 5,
        name: "security",
        sql: include_str!("../../migrations/0005_security.sql"),
    },
    Migration {
        version: 6,
        name: "kept_forms",
        sql: include_str!("../../migrations/0006_kept_forms.sql"),
    },
    Migration {
        version: 7,
        name: "answered_items",
        sql: include_str!("../../migrations/0007_answered_items.sql"),
    },
    Migration {
        version: 8,
        name: "task_life",
        sql: include_str!("../../migrations/0008_task_life.sql"),
    },
    Migration {
        version: 9,
        name: "real_country",
        sql: include_str!("../../migrations/0009_real_country.sql"),
    },
    Migration {
        version: 10,
        name: "hardening",
        sql: include_str!("../../migrations/0010_hardening.sql"),
    },
    Migration {
        version: 11,
        name: "dashboard_reads",
        sql: include_str!("../../migrations/0011_dashboard_reads.sql"),
    },
    Migration {
        version: 12,
        name: "extensions",
        sql: include_str!("../../migrations/0012_extensions.sql"),
    },
    Migration {
        version: 13,
        name: "six_clear",
        sql: include_str!("../../migrations/0013_six_clear.sql"),
    },
    Migration {
        version: 15,
        name: "staff_enrolment",
        sql: include_str!("../../migrations/0015_staff_enrolment.sql"),
    },
    Migration {
        version: 16,
        name: "external_ids",
        sql: include_str!("../../migrations/0016_external_ids.sql"),
    },
    Migration {
        version: 17,
        name: "unit_events",
        sql: include_str!("../../migrations/0017_unit_events.sql"),
    },
    Migration {
        version: 18,
        name: "first_done",
        sql: include_str!("../../migrations/0018_first_done.sql"),
    },
    Migration {
        version: 19,
        name: "ranking_reads",
        sql: include_str!("../../migrations/0019_ranking_reads.sql"),
    },
];

pub async fn apply(store: &Store) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(&store.write)
    .await?;

    for migration in MIGRATIONS {
        let mut tx = store.write.begin().await?;
        if let Some(lock) = dialect::migration_lock(store.engine) {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        let checksum = checksum(migration.sql);
        let applied = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(migration.version)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = applied {
            let stored: String = row.try_get("checksum")?;
            if stored != checksum {
                return Err(StoreError::Migration {
                    version: migration.version,
                    message: "an applied migration was edited; add a new one instead".into(),
                });
            }
            continue;
        }
        let sql = store.engine.render_migration(migration.sql);
        for statement in statements(&sql) {
            sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Migration {
                    version: migration.version,
                    message: e.to_string(),
                })?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(checksum)
        .bind(store.now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migration applied"
        );
    }
    Ok(())
}

/// The versions applied so far, for `theodoi migrate` to report.
pub async fn applied_versions(store: &Store) -> StoreResult<Vec<i64>> {
    let rows = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
        .fetch_all(&store.read)
        .await?;
    rows.iter()
        .map(|r| r.try_get::<i64, _>("version").map_err(StoreError::from))
        .collect()
}

impl Store {
    pub async fn migration_versions(&self) -> StoreResult<Vec<i64>> {
        applied_versions(self).await
    }
}

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits a migration into statements: comment lines dropped, statements
/// ended by a semicolon at the end of a line. Migrations hold no string
/// literals with semicolons, which keeps this simple.
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            let stmt = current.trim().trim_end_matches(';').to_string();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_split_into_statements() {
        let sql = "-- comment\nCREATE TABLE a (x BIGINT);\n\nCREATE INDEX i ON a (x);\n";
        assert_eq!(
            statements(sql),
            vec!["CREATE TABLE a (x BIGINT)", "CREATE INDEX i ON a (x)"]
        );
    }

    #[test]
    fn versions_are_increasing() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
    }
}
