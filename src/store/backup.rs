//! Backup and restore: the whole database in one portable file, readable by
//! either engine, so a SQLite commune can move to a PostgreSQL province
//! server and back.
//!
//! The file is JSON lines: a header (format, schema version, source
//! engine), then for each table in dependency order a line naming it and
//! its columns followed by one array per row (explicit ids kept; blobs as
//! base64), then the next id of every table, and last an end line with the
//! counts and the SHA-256 of every byte before it. A file that is cut short
//! has no end line; a file changed anywhere fails the checksum; either is
//! refused before the target database is even opened.
//!
//! A backup is consistent while the server runs: on SQLite it reads a copy
//! made with `VACUUM INTO` (one read transaction under WAL); on PostgreSQL
//! it reads every table inside one `REPEATABLE READ, READ ONLY`
//! transaction. A restore writes everything in one transaction into an
//! empty database, so a failure stores nothing.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Any, AnyConnection, Column, Connection, Row, ValueRef};

use super::{Engine, Store, StoreError, migrate};
use crate::domain::text::forbidden_control;

/// The version of the file format.
pub const FORMAT: i64 = 1;
const MAGIC: &str = "theodoi_backup";
const PAGE_ROWS: i64 = 500;

/// Every application table, parents before children, and the order its
/// rows are written in. Rows of a table that refers to itself (units,
/// tasks) come parents first because ids grow.
pub const TABLES: &[(&str, &str)] = &[
    ("units", "id"),
    ("unit_aliases", "unit_id, folded_alias"),
    ("unit_names", "unit_id, until_on"),
    ("unit_events", "id"),
    ("unit_event_links", "event_id, unit_id, part"),
    ("users", "id"),
    ("user_roles", "user_id, role"),
    ("enrolment_codes", "id"),
    ("plans", "id"),
    ("plan_links", "plan_id, implements_plan_id"),
    ("tasks", "id"),
    ("task_units", "id"),
    ("targets", "id"),
    ("target_units", "id"),
    ("target_goals", "target_id, position"),
    ("blobs", "sha256"),
    ("report_rounds", "id"),
    ("unit_reports", "id"),
    ("task_updates", "id"),
    ("target_figures", "id"),
    ("evidence", "id"),
    ("consolidated_reports", "id"),
    ("deadline_changes", "id"),
    ("import_uploads", "token"),
    ("rollups", "unit_id, metric, bucket"),
    ("rollup_times", "unit_id"),
    ("task_facts", "task_id"),
    ("target_facts", "target_id, year"),
    ("calendar_days", "day"),
    ("notifications", "id"),
    ("task_reminders", "task_id, due_on, step"),
    ("escalations", "id"),
    ("directions", "id"),
    ("extension_requests", "id"),
    ("feedback", "id"),
    ("feedback_files", "id"),
    ("public_submissions", "id"),
    ("initiatives", "id"),
    ("initiative_files", "id"),
    ("initiative_reviews", "id"),
    ("target_sources", "target_id"),
    ("auto_figures", "target_id, period_key"),
    ("login_failures", "id"),
    ("audit_log", "id"),
];

/// Tables not carried: live sessions and half-done logins (a restored
/// server starts with everyone signed out) and the migrations table, which
/// the target writes itself.
pub const NOT_CARRIED: &[&str] = &[
    "sessions",
    "login_challenges",
    "kept_forms",
    "spent_challenges",
    "schema_migrations",
];

/// Every table the application has: those backed up and those left out.
pub fn backup_tables() -> Vec<&'static str> {
    TABLES
        .iter()
        .map(|(t, _)| *t)
        .chain(NOT_CARRIED.iter().copied())
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file or the target is not acceptable; the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("lỗi đọc/ghi tệp: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

type BackupResult<T> = Result<T, BackupError>;

/// What a backup holds, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub schema_version: i64,
    pub source_engine: String,
    pub tables: usize,
    pub rows: u64,
    pub sha256: String,
    /// HMAC-SHA256 of the checksum with the backup key, when signed.
    pub hmac: Option<String>,
}

/// The rows of one table in a canonical order, for comparing databases.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRows {
    pub table: String,
    /// Each row as column → value, rows sorted by their JSON text.
    pub rows: Vec<serde_json::Map<String, Value>>,
}

fn refused(message: impl Into<String>) -> BackupError {
    BackupError::Refused(message.into())
}

/// Writes lines and hashes them as they go.
struct Out {
    file: BufWriter<File>,
    hasher: Sha256,
    rows: u64,
}

impl Out {
    fn line(&mut self, value: &Value) -> BackupResult<()> {
        let mut text = value.to_string();
        text.push('\n');
        self.hasher.update(text.as_bytes());
        self.file.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// One value of a row as JSON: integers, floats, text, `{"b64": …}` for
/// bytes, null.
fn cell(row: &AnyRow, i: usize) -> BackupResult<Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => Value::from(i64::from(row.try_get::<bool, _>(i)?)),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Value::from(row.try_get::<i64, _>(i)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            let v: f64 = row.try_get(i)?;
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
        }
        AnyTypeInfoKind::Text => Value::String(row.try_get::<String, _>(i)?),
        AnyTypeInfoKind::Blob => json!({"b64": STANDARD.encode(row.try_get::<Vec<u8>, _>(i)?)}),
    })
}

fn has_ids(order: &str) -> bool {
    order == "id"
}

/// What [`read_tables`] hands on: a table's columns, then its rows.
enum Event<'a> {
    Table(&'a str, &'a [String]),
    Row(&'a str, &'a [String], Vec<Value>),
}

/// Reads every table page by page on one connection (inside the caller's
/// snapshot), handing each table's columns and rows to `sink`. Returns the
/// largest id of each table that has ids.
async fn read_tables(
    conn: &mut AnyConnection,
    mut sink: impl FnMut(Event<'_>) -> BackupResult<()>,
) -> BackupResult<HashMap<String, i64>> {
    let mut max_ids = HashMap::new();
    for (table, order) in TABLES {
        let mut offset = 0;
        let mut columns: Option<Vec<String>> = None;
        loop {
            let sql = format!("SELECT * FROM {table} ORDER BY {order} LIMIT $1 OFFSET $2");
            let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
                .bind(PAGE_ROWS)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?;
            let names = match &columns {
                Some(names) => names.clone(),
                None => {
                    let names: Vec<String> = rows
                        .first()
                        .map(|r| r.columns().iter().map(|c| c.name().to_string()).collect())
                        .unwrap_or_default();
                    sink(Event::Table(table, &names))?;
                    columns = Some(names.clone());
                    names
                }
            };
            for row in &rows {
                let mut values = Vec::with_capacity(names.len());
                for i in 0..names.len() {
                    values.push(cell(row, i)?);
                }
                if has_ids(order)
                    && let Some(id) = values.first().and_then(Value::as_i64)
                {
                    let max = max_ids.entry(table.to_string()).or_insert(id);
                    *max = (*max).max(id);
                }
                sink(Event::Row(table, &names, values))?;
            }
            if (rows.len() as i64) < PAGE_ROWS {
                break;
            }
            offset += PAGE_ROWS;
        }
    }
    Ok(max_ids)
}

/// Writes what [`read_tables`] reads.
fn write_event(w: &mut Out, event: Event<'_>) -> BackupResult<()> {
    match event {
        Event::Table(table, columns) => w.line(&json!({"table": table, "columns": columns})),
        Event::Row(_, _, values) => {
            w.rows += 1;
            w.line(&Value::Array(values))
        }
    }
}

/// The next id each table would hand out, so a restored database goes on
/// from there and never reuses an id.
async fn next_ids(
    conn: &mut AnyConnection,
    engine: Engine,
    max_ids: &HashMap<String, i64>,
) -> BackupResult<serde_json::Map<String, Value>> {
    let mut next = serde_json::Map::new();
    for (table, order) in TABLES {
        if !has_ids(order) {
            continue;
        }
        let from_sequence: Option<i64> = match engine {
            Engine::Sqlite => sqlx::query::<Any>("SELECT seq FROM sqlite_sequence WHERE name = $1")
                .bind(table.to_string())
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get::<i64, _>("seq"))
                .transpose()?,
            Engine::Postgres => sqlx::query::<Any>(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass) AS seq",
            )
            .bind(table.to_string())
            .fetch_one(&mut *conn)
            .await?
            .try_get::<Option<i64>, _>("seq")?,
        };
        let after_rows = max_ids.get(*table).map_or(1, |m| m + 1);
        let after_sequence = from_sequence.map_or(1, |s| s + 1);
        next.insert(table.to_string(), json!(after_rows.max(after_sequence)));
    }
    Ok(next)
}

impl Store {
    /// Writes a consistent backup of the whole database to `out` (written
    /// beside it first, then renamed, so `out` is never half a backup).
    pub async fn backup_to(&self, out: &Path) -> BackupResult<BackupSummary> {
        self.backup_signed(out, None).await
    }

    /// [`Store::backup_to`], signed with `key` when there is one: the end
    /// line carries the HMAC-SHA256 of the checksum.
    pub async fn backup_signed(
        &self,
        out: &Path,
        key: Option<&[u8; 32]>,
    ) -> BackupResult<BackupSummary> {
        let schema_version = migrate::applied_versions(self)
            .await?
            .into_iter()
            .max()
            .unwrap_or(0);
        let partial = sibling(out, "partial");
        let snapshot = sibling(out, "snapshot");
        let file = File::create(&partial)?;
        let mut w = Out {
            file: BufWriter::new(file),
            hasher: Sha256::new(),
            rows: 0,
        };
        let result = self
            .write_backup(&mut w, schema_version, &snapshot, key)
            .await;
        let _ = std::fs::remove_file(&snapshot);
        let finished = result.and_then(|summary| {
            w.file.flush()?;
            w.file.get_ref().sync_all()?;
            Ok(summary)
        });
        drop(w);
        match finished {
            Ok(summary) => {
                std::fs::rename(&partial, out)?;
                Ok(summary)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    async fn write_backup(
        &self,
        w: &mut Out,
        schema_version: i64,
        snapshot: &Path,
        key: Option<&[u8; 32]>,
    ) -> BackupResult<BackupSummary> {
        w.line(&json!({
            MAGIC: FORMAT,
            "schema_version": schema_version,
            "source_engine": self.engine.name(),
            "created_at": self.now_ms(),
        }))?;
        let next = match self.engine {
            Engine::Postgres => {
                let mut tx = self
                    .read
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?;
                let max_ids = read_tables(&mut tx, |e| write_event(w, e)).await?;
                let next = next_ids(&mut tx, self.engine, &max_ids).await?;
                tx.commit().await?;
                next
            }
            Engine::Sqlite => {
                // A copy made in one read transaction: consistent while the
                // server keeps writing (WAL).
                let _ = std::fs::remove_file(snapshot);
                let copy = snapshot.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO $1")
                    .bind(copy.clone())
                    .execute(&self.read)
                    .await?;
                let mut conn = AnyConnection::connect(&format!("sqlite://{copy}?mode=ro")).await?;
                let mut tx = conn.begin().await?;
                let max_ids = read_tables(&mut tx, |e| write_event(w, e)).await?;
                let next = next_ids(&mut tx, self.engine, &max_ids).await?;
                tx.commit().await?;
                conn.close().await?;
                next
            }
        };
        w.line(&json!({"sequences": next}))?;
        let sha256 = crate::auth::token::hex(&w.hasher.clone().finalize());
        let summary = BackupSummary {
            schema_version,
            source_engine: self.engine.name().to_string(),
            tables: TABLES.len(),
            rows: w.rows,
            sha256: sha256.clone(),
            hmac: key.map(|k| signature(k, &sha256)),
        };
        let mut end =
            json!({"end": {"tables": summary.tables, "rows": summary.rows, "sha256": sha256}});
        if let Some(mac) = &summary.hmac {
            end["end"]["hmac_sha256"] = json!(mac);
        }
        let mut text = end.to_string();
        text.push('\n');
        w.file.write_all(text.as_bytes())?;
        Ok(summary)
    }

    /// Every application table's rows in a canonical order: two databases
    /// hold the same data when these are equal (the backup tests).
    pub async fn table_rows(&self) -> BackupResult<Vec<TableRows>> {
        let mut conn = self.read.acquire().await?;
        let mut tables: Vec<TableRows> = TABLES
            .iter()
            .map(|(t, _)| TableRows {
                table: t.to_string(),
                rows: Vec::new(),
            })
            .collect();
        let index: HashMap<&str, usize> = TABLES
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (*t, i))
            .collect();
        read_tables(&mut conn, |e| {
            if let Event::Row(table, columns, values) = e
                && let Some(i) = index.get(table)
            {
                let row = columns.iter().cloned().zip(values).collect();
                tables[*i].rows.push(row);
            }
            Ok(())
        })
        .await?;
        for t in &mut tables {
            t.rows
                .sort_by_key(|r| serde_json::to_string(r).unwrap_or_default());
        }
        Ok(tables)
    }

    /// The application tables this database has, by its own catalogue (a
    /// test checks that every one is either backed up or knowingly not).
    pub async fn table_names(&self) -> BackupResult<Vec<String>> {
        let sql = match self.engine {
            Engine::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Engine::Postgres => {
                "SELECT table_name::text AS name FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.read).await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.try_get::<String, _>("name")?);
        }
        Ok(out)
    }

    /// Restores a backup checked with [`verify_backup`] into this database,
    /// which must be empty: one transaction, so a failure stores nothing.
    pub async fn restore_from(&self, from: &Path) -> BackupResult<BackupSummary> {
        let summary = verify_backup(from)?;
        let current = migrate::applied_versions(self)
            .await?
            .into_iter()
            .max()
            .unwrap_or(0);
        if summary.schema_version > current {
            return Err(refused(format!(
                "Bản sao lưu thuộc phiên bản dữ liệu {} mới hơn chương trình này ({current}); hãy dùng bản Theo Dõi mới hơn",
                summary.schema_version
            )));
        }
        let mut tx = self.write.begin().await?;
        for (table, _) in TABLES {
            let n: i64 = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM {table}"
            )))
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if n > 0 {
                return Err(refused(format!(
                    "Cơ sở dữ liệu đích không trống (bảng {table} có {n} dòng); chỉ khôi phục vào một cơ sở dữ liệu mới"
                )));
            }
        }
        let reader = BufReader::new(File::open(from)?);
        let mut current_table: Option<(String, Vec<String>, Vec<ColumnKind>, String)> = None;
        let mut kinds_cache: HashMap<String, HashMap<String, ColumnKind>> = HashMap::new();
        for line in reader.split(b'\n') {
            let line = line?;
            let value: Value = serde_json::from_slice(&line)
                .map_err(|_| refused("Tệp sao lưu bị hỏng: một dòng không đọc được"))?;
            match value {
                Value::Array(values) => {
                    let Some((table, _, kinds, sql)) = &current_table else {
                        return Err(refused("Tệp sao lưu bị hỏng: dòng dữ liệu ngoài bảng"));
                    };
                    let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql.clone()));
                    for (v, kind) in values.into_iter().zip(kinds) {
                        q = bind_value(q, v, *kind, table)?;
                    }
                    q.execute(&mut *tx).await?;
                }
                Value::Object(map) => {
                    if let Some(table) = map.get("table").and_then(Value::as_str) {
                        if !TABLES.iter().any(|(t, _)| *t == table) {
                            return Err(refused(format!(
                                "Tệp sao lưu có bảng không biết: {table}"
                            )));
                        }
                        let columns: Vec<String> = map
                            .get("columns")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|c| c.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        if !kinds_cache.contains_key(table) {
                            let k = column_kinds(&mut tx, self.engine, table).await?;
                            kinds_cache.insert(table.to_string(), k);
                        }
                        let known = kinds_cache.get(table).cloned().unwrap_or_default();
                        let mut kinds = Vec::with_capacity(columns.len());
                        for c in &columns {
                            let kind = known.get(c).copied().ok_or_else(|| {
                                refused(format!(
                                    "Cột {c} của bảng {table} không có trong cơ sở dữ liệu đích"
                                ))
                            })?;
                            if !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                                return Err(refused(format!("Tên cột không hợp lệ: {c}")));
                            }
                            kinds.push(kind);
                        }
                        let placeholders: Vec<String> =
                            (1..=columns.len()).map(|i| format!("${i}")).collect();
                        let sql = format!(
                            "INSERT INTO {table} ({}) VALUES ({})",
                            columns.join(", "),
                            placeholders.join(", ")
                        );
                        current_table = Some((table.to_string(), columns, kinds, sql));
                    } else if let Some(seqs) = map.get("sequences").and_then(Value::as_object) {
                        for (table, next) in seqs {
                            let Some((name, _)) = TABLES.iter().find(|(t, _)| t == table) else {
                                continue;
                            };
                            let Some(next) = next.as_i64() else {
                                continue;
                            };
                            continue_ids(&mut tx, self.engine, name, next).await?;
                        }
                    }
                }
                _ => return Err(refused("Tệp sao lưu bị hỏng: một dòng không đọc được")),
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}

/// A path beside `path` with a distinct suffix, for a file being written.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".{what}-{}", std::process::id()));
    path.with_file_name(name)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Int,
    Real,
    Text,
    Blob,
}

async fn column_kinds(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &str,
) -> BackupResult<HashMap<String, ColumnKind>> {
    let sql = match engine {
        Engine::Sqlite => "SELECT name, type FROM pragma_table_info($1)",
        Engine::Postgres => {
            "SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let rows = sqlx::query::<Any>(sql)
        .bind(table.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        let name: String = r.try_get("name")?;
        let declared: String = r.try_get("type")?;
        let declared = declared.to_ascii_uppercase();
        let kind = if declared.contains("INT") {
            ColumnKind::Int
        } else if declared.contains("REAL")
            || declared.contains("DOUBLE")
            || declared.contains("FLOAT")
        {
            ColumnKind::Real
        } else if declared.contains("BLOB") || declared.contains("BYTEA") {
            ColumnKind::Blob
        } else {
            ColumnKind::Text
        };
        out.insert(name, kind);
    }
    Ok(out)
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

fn bind_value<'q>(
    q: AnyQuery<'q>,
    v: Value,
    kind: ColumnKind,
    table: &str,
) -> BackupResult<AnyQuery<'q>> {
    let bad = || {
        refused(format!(
            "Tệp sao lưu có giá trị sai kiểu trong bảng {table}"
        ))
    };
    Ok(match (kind, v) {
        (ColumnKind::Int, Value::Null) => q.bind(None::<i64>),
        (ColumnKind::Int, Value::Number(n)) => q.bind(n.as_i64().ok_or_else(bad)?),
        (ColumnKind::Real, Value::Null) => super::rows::bind_real(q, None),
        (ColumnKind::Real, Value::Number(n)) => q.bind(n.as_f64().ok_or_else(bad)?),
        (ColumnKind::Text, Value::Null) => q.bind(None::<String>),
        (ColumnKind::Text, Value::String(s)) => q.bind(s),
        (ColumnKind::Blob, Value::Null) => q.bind(None::<Vec<u8>>),
        (ColumnKind::Blob, Value::Object(o)) => {
            let text = o.get("b64").and_then(Value::as_str).ok_or_else(bad)?;
            q.bind(STANDARD.decode(text).map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    })
}

async fn continue_ids(
    conn: &mut AnyConnection,
    engine: Engine,
    table: &'static str,
    next: i64,
) -> BackupResult<()> {
    match engine {
        Engine::Sqlite => {
            let done = sqlx::query::<Any>("UPDATE sqlite_sequence SET seq = $1 WHERE name = $2")
                .bind(next - 1)
                .bind(table)
                .execute(&mut *conn)
                .await?;
            if done.rows_affected() == 0 {
                sqlx::query::<Any>("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)")
                    .bind(table)
                    .bind(next - 1)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Engine::Postgres => {
            sqlx::query::<Any>("SELECT setval(pg_get_serial_sequence($1, 'id'), $2, false)")
                .bind(table)
                .bind(next)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Reads a whole backup without storing anything: the header, the shape
/// of every line, the counts and the checksum. Any problem refuses the
/// file with a message that says what is wrong.
pub fn verify_backup(path: &Path) -> BackupResult<BackupSummary> {
    let file = File::open(path)
        .map_err(|e| refused(format!("Không mở được tệp sao lưu {}: {e}", path.display())))?;
    let mut reader = BufReader::new(file);
    let mut hasher = Sha256::new();
    let mut previous: Option<Vec<u8>> = None;
    let mut header: Option<(i64, String)> = None;
    let mut tables = 0usize;
    let mut rows = 0u64;
    let mut width: Option<usize> = None;
    let mut table = (String::new(), Vec::<String>::new());
    let mut ended_with_newline = true;
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        ended_with_newline = line.last() == Some(&b'\n');
        if let Some(prev) = previous.take() {
            hasher.update(&prev);
            let value: Value = serde_json::from_slice(&prev).map_err(|_| corrupt())?;
            match (&header, value) {
                (None, Value::Object(m)) => {
                    if m.get(MAGIC).and_then(Value::as_i64) != Some(FORMAT) {
                        return Err(refused(
                            "Tệp này không phải bản sao lưu Theo Dõi (hoặc thuộc định dạng khác)",
                        ));
                    }
                    let version = m
                        .get("schema_version")
                        .and_then(Value::as_i64)
                        .ok_or_else(corrupt)?;
                    let engine = m
                        .get("source_engine")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    header = Some((version, engine));
                }
                (None, _) => return Err(refused("Tệp này không phải bản sao lưu Theo Dõi")),
                (Some(_), Value::Object(m)) => {
                    if let Some(cols) = m.get("columns").and_then(Value::as_array) {
                        tables += 1;
                        width = Some(cols.len());
                        table = (
                            m.get("table").and_then(Value::as_str).unwrap_or("").into(),
                            cols.iter()
                                .map(|c| c.as_str().unwrap_or("").to_string())
                                .collect(),
                        );
                    } else if m.get("sequences").is_none() {
                        return Err(corrupt());
                    }
                }
                (Some(_), Value::Array(a)) => {
                    if width != Some(a.len()) {
                        return Err(corrupt());
                    }
                    refuse_control_text(&table.0, &table.1, &a)?;
                    rows += 1;
                }
                (Some(_), _) => return Err(corrupt()),
            }
        }
        previous = Some(line);
    }
    let truncated = || {
        refused("Tệp sao lưu không đầy đủ (bị cắt ngắn, thiếu dòng kết thúc); không khôi phục gì")
    };
    let last = previous.ok_or_else(truncated)?;
    if !ended_with_newline {
        return Err(truncated());
    }
    let end: Value = serde_json::from_slice(&last).map_err(|_| truncated())?;
    let end = end.get("end").ok_or_else(truncated)?;
    let digest = crate::auth::token::hex(&hasher.finalize());
    let expected = end.get("sha256").and_then(Value::as_str).unwrap_or("");
    if !crate::auth::token::constant_time_eq(&digest, expected) {
        return Err(refused(
            "Tệp sao lưu bị hỏng hoặc đã bị sửa: mã kiểm tra SHA-256 không khớp; không khôi phục gì",
        ));
    }
    if end.get("rows").and_then(Value::as_u64) != Some(rows)
        || end.get("tables").and_then(Value::as_u64) != Some(tables as u64)
    {
        return Err(corrupt());
    }
    let (schema_version, source_engine) = header.ok_or_else(truncated)?;
    Ok(BackupSummary {
        schema_version,
        source_engine,
        tables,
        rows,
        sha256: digest,
        hmac: end
            .get("hmac_sha256")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

fn signature(key: &[u8; 32], sha256: &str) -> String {
    crate::auth::token::hex(&crate::auth::sealed::hmac_sha256(
        key,
        format!("theodoi backup|{sha256}").as_bytes(),
    ))
}

/// Whether a checked backup may be restored: signed with `key`; a file
/// that is unsigned, signed with another key, or that cannot be checked
/// for want of a key is refused unless `allow_unsigned`.
pub fn check_signature(
    summary: &BackupSummary,
    key: Option<&[u8; 32]>,
    allow_unsigned: bool,
) -> BackupResult<()> {
    let problem = match (&summary.hmac, key) {
        (Some(mac), Some(k))
            if crate::auth::token::constant_time_eq(&signature(k, &summary.sha256), mac) =>
        {
            return Ok(());
        }
        (Some(_), Some(_)) => {
            "Chữ ký của bản sao lưu không khớp với khóa (tệp đã bị sửa hoặc được ký bằng khóa khác)"
        }
        (Some(_), None) => {
            "Bản sao lưu có chữ ký nhưng không có khóa để kiểm tra (--backup-key hoặc --data-key)"
        }
        (None, _) => "Bản sao lưu không có chữ ký",
    };
    if allow_unsigned {
        tracing::warn!("{problem}; vẫn khôi phục vì có --allow-unsigned");
        return Ok(());
    }
    Err(refused(format!(
        "{problem}; không khôi phục gì (dùng --allow-unsigned nếu bạn chắc chắn tệp này đáng tin)"
    )))
}

/// A row whose text holds a control character other than tab and line
/// breaks is refused, named by table, id and column: PostgreSQL cannot
/// store NUL, and the boundary refuses such text on either engine.
fn refuse_control_text(table: &str, columns: &[String], row: &[Value]) -> BackupResult<()> {
    for (column, value) in columns.iter().zip(row) {
        let Some(c) = value.as_str().and_then(forbidden_control) else {
            continue;
        };
        let id = columns
            .iter()
            .position(|c| c == "id")
            .and_then(|i| row.get(i))
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into());
        return Err(refused(format!(
            "Bản sao lưu có văn bản chứa ký tự điều khiển U+{:04X} ở bảng {table}, dòng id {id}, cột {column}; không khôi phục gì",
            c as u32
        )));
    }
    Ok(())
}

fn corrupt() -> BackupError {
    refused("Tệp sao lưu bị hỏng hoặc đã bị sửa; không khôi phục gì")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_keep_the_directory() {
        let p = sibling(Path::new("/var/backups/theodoi.bak"), "partial");
        assert_eq!(p.parent(), Some(Path::new("/var/backups")));
        assert!(
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("theodoi.bak.partial-"))
        );
    }

    #[test]
    fn every_table_is_named_once() {
        let mut names: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
        names.extend(NOT_CARRIED);
        let before = names.len();
        names.sort();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
