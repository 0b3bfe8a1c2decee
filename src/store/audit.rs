//! The audit trail: every change to a record, who made it, when, from
//! where, and the record before and after. Written inside the transaction
//! of the change itself, so there is no change without its entry.
//!
//! The trail is append-only: this module offers [`record`] to add an entry
//! and methods to read and search, and nothing to change or remove one;
//! no other code in the application updates or deletes `audit_log` rows,
//! and no housekeeping prunes them, so entries are kept for as long as the
//! database is (well beyond the 12 months asked for).

use serde::Serialize;
use sqlx::{Any, AnyConnection, Row};

use super::rows::{Bind, Conditions, bind_all, placeholders};
use super::{Actor, Listing, Page, Store, StoreResult};
use crate::domain::account::{AuditQuery, AuditScope};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One change to record.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(
    conn: &mut AnyConnection,
    at: i64,
    actor: &Actor,
    change: Change<'_>,
) -> StoreResult<()> {
    sqlx::query::<Any>(
        "INSERT INTO audit_log
            (at, user_id, province_id, commune_id, ip, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(at)
    .bind(actor.user_id)
    .bind(change.province_id)
    .bind(change.commune_id)
    .bind(actor.ip.clone())
    .bind(change.action.to_string())
    .bind(change.entity.to_string())
    .bind(change.entity_id)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records several changes made at once by one actor in one statement
/// (a report's items), in the order given.
pub async fn record_many(
    conn: &mut AnyConnection,
    at: i64,
    actor: &Actor,
    changes: Vec<Change<'_>>,
) -> StoreResult<()> {
    const COLUMNS: usize = 10;
    // Well under SQLite's limit of bound parameters per statement.
    const ROWS: usize = 200;
    let mut changes = changes.into_iter().peekable();
    while changes.peek().is_some() {
        let chunk: Vec<Change<'_>> = changes.by_ref().take(ROWS).collect();
        let sql = format!(
            "INSERT INTO audit_log
                (at, user_id, province_id, commune_id, ip, action, entity, entity_id, before_json, after_json)
             VALUES {}",
            placeholders(chunk.len(), COLUMNS)
        );
        let mut q = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for change in chunk {
            q = q
                .bind(at)
                .bind(actor.user_id)
                .bind(change.province_id)
                .bind(change.commune_id)
                .bind(actor.ip.clone())
                .bind(change.action.to_string())
                .bind(change.entity.to_string())
                .bind(change.entity_id)
                .bind(change.before.map(|v| v.to_string()))
                .bind(change.after.map(|v| v.to_string()));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Records an event on a user's account (a login, a role or password
/// change, …), placed in the account's province and commune so that the
/// administrators above the account see it, whoever made the change.
pub async fn record_user_event(
    conn: &mut AnyConnection,
    at: i64,
    actor: &Actor,
    action: &str,
    user_id: Option<i64>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> StoreResult<()> {
    let (province_id, commune_id) = user_scope(conn, user_id).await?;
    record(
        conn,
        at,
        actor,
        Change {
            action,
            entity: "user",
            entity_id: user_id,
            province_id,
            commune_id,
            before,
            after,
        },
    )
    .await
}

/// The province and commune of a user, so entries about an account are
/// seen by the administrators above it.
async fn user_scope(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
) -> StoreResult<(Option<i64>, Option<i64>)> {
    let Some(id) = user_id else {
        return Ok((None, None));
    };
    scope_of(
        conn,
        "SELECT province_id, commune_id FROM users WHERE id = $1",
        id,
    )
    .await
}

async fn scope_of(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: i64,
) -> StoreResult<(Option<i64>, Option<i64>)> {
    let row = sqlx::query::<Any>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await?;
    match row {
        None => Ok((None, None)),
        Some(r) => Ok((r.try_get("province_id")?, r.try_get("commune_id")?)),
    }
}

impl Store {
    /// Exports are recorded too: who took which data out, and when.
    pub async fn record_export(
        &self,
        actor: &Actor,
        entity: &str,
        entity_id: i64,
        format: &str,
    ) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        let (province_id, commune_id) = match entity {
            "round" => {
                scope_of(
                    &mut conn,
                    "SELECT province_id, commune_id FROM report_rounds WHERE id = $1",
                    entity_id,
                )
                .await?
            }
            "plan" => {
                scope_of(
                    &mut conn,
                    "SELECT province_id, commune_id FROM plans WHERE id = $1",
                    entity_id,
                )
                .await?
            }
            "unit" => {
                scope_of(
                    &mut conn,
                    "SELECT province_id, commune_id FROM units WHERE id = $1",
                    entity_id,
                )
                .await?
            }
            _ => user_scope(&mut conn, actor.user_id).await?,
        };
        record(
            &mut conn,
            self.now_ms(),
            actor,
            Change {
                action: "export",
                entity,
                entity_id: Some(entity_id),
                province_id,
                commune_id,
                before: None,
                after: Some(serde_json::json!({ "format": format })),
            },
        )
        .await
    }

    /// Something refused for a reason the trail must keep (content offered
    /// for a confidential task): what was refused, never the content.
    pub async fn record_refusal(&self, actor: &Actor, change: Change<'_>) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        record(&mut conn, self.now_ms(), actor, change).await
    }

    /// A read by someone whose reads are recorded (an inspector): the page
    /// or API address, in the trail of the reader's own scope.
    pub async fn record_read(&self, actor: &Actor, address: &str) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        let (province_id, commune_id) = user_scope(&mut conn, actor.user_id).await?;
        let address: String = address.chars().take(500).collect();
        record(
            &mut conn,
            self.now_ms(),
            actor,
            Change {
                action: "read",
                entity: "page",
                entity_id: None,
                province_id,
                commune_id,
                before: None,
                after: Some(serde_json::json!({ "path": address })),
            },
        )
        .await
    }

    /// An export of the audit trail itself: who took it, with which search.
    pub async fn record_audit_export(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        rows: usize,
    ) -> StoreResult<()> {
        let mut conn = self.write.acquire().await?;
        let (province_id, commune_id) = user_scope(&mut conn, actor.user_id).await?;
        record(
            &mut conn,
            self.now_ms(),
            actor,
            Change {
                action: "export",
                entity: "audit_log",
                entity_id: None,
                province_id,
                commune_id,
                before: None,
                after: Some(serde_json::json!({
                    "format": "csv",
                    "rows": rows,
                    "action": query.action,
                    "username": query.username,
                    "entity": query.entity,
                    "entity_id": query.entity_id,
                    "from_ms": query.from_ms,
                    "until_ms": query.until_ms,
                })),
            },
        )
        .await
    }

    /// Searches the trail inside an administrator's scope, newest first,
    /// with the total for paging.
    pub async fn audit_search(
        &self,
        scope: AuditScope,
        query: &AuditQuery,
        page: Page,
    ) -> StoreResult<Listing<AuditEntry>> {
        let mut c = Conditions::default();
        match scope {
            AuditScope::All => {}
            AuditScope::Province(p) => c.push("a.province_id = ?", Bind::Int(p)),
            AuditScope::Commune(id) => c.push("a.commune_id = ?", Bind::Int(id)),
        }
        if let Some(action) = &query.action {
            c.push("a.action = ?", Bind::Text(action.clone()));
        }
        if let Some(username) = &query.username {
            c.push("u.username = ?", Bind::Text(username.clone()));
        }
        if let Some(entity) = &query.entity {
            c.push("a.entity = ?", Bind::Text(entity.clone()));
        }
        if let Some(id) = query.entity_id {
            c.push("a.entity_id = ?", Bind::Int(id));
        }
        if let Some(from) = query.from_ms {
            c.push("a.at >= ?", Bind::Int(from));
        }
        if let Some(until) = query.until_ms {
            c.push("a.at < ?", Bind::Int(until));
        }
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM audit_log a LEFT JOIN users u ON u.id = a.user_id{}",
            c.sql()
        );
        let total: i64 = bind_all(sqlx::query(sqlx::AssertSqlSafe(count_sql)), &c.binds)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let items = self.audit_query(c, page).await?;
        Ok(Listing { items, total, page })
    }

    /// The change feed: entries about the shared records (units, plans,
    /// tasks, targets, rounds, reports and their items) inside `scope`, after
    /// entry `since`, oldest first, at most `limit`; and whether more follow.
    pub async fn changes(
        &self,
        scope: AuditScope,
        since: i64,
        limit: u32,
    ) -> StoreResult<(Vec<AuditEntry>, bool)> {
        let mut c = Conditions::default();
        c.push("a.id > ?", Bind::Int(since));
        match scope {
            AuditScope::All => {}
            AuditScope::Province(p) => c.push("a.province_id = ?", Bind::Int(p)),
            AuditScope::Commune(id) => c.push("a.commune_id = ?", Bind::Int(id)),
        }
        c.push_raw(&format!(
            "a.entity IN ({})",
            FEED_ENTITIES
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let n = c.next_placeholder();
        let sql = format!(
            "SELECT a.id, a.at, a.user_id, u.username, a.ip, a.action, a.entity, a.entity_id,
                    a.province_id, a.commune_id, a.before_json, a.after_json
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id{} ORDER BY a.id LIMIT ${n}",
            c.sql()
        );
        let query =
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &c.binds).bind(i64::from(limit) + 1);
        let rows = match super::dialect::change_feed_lock(self.engine) {
            None => query.fetch_all(&self.read).await?,
            Some(lock) => {
                let mut tx = self.write.begin().await?;
                sqlx::query(lock).execute(&mut *tx).await?;
                let rows = query.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(entry_from_row(r)?);
        }
        let more = out.len() > limit as usize;
        out.truncate(limit as usize);
        Ok((out, more))
    }

    /// The history of one record, newest first.
    pub async fn audit_of(&self, entity: &str, entity_id: i64) -> StoreResult<Vec<AuditEntry>> {
        let mut c = Conditions::default();
        c.push("a.entity = ?", Bind::Text(entity.to_string()));
        c.push("a.entity_id = ?", Bind::Int(entity_id));
        self.audit_query(c, Page::new(Some(1), Some(200))).await
    }

    /// Actions by the trail's action name, newest first (e.g. login failures).
    pub async fn audit_by_action(&self, action: &str, page: Page) -> StoreResult<Vec<AuditEntry>> {
        let mut c = Conditions::default();
        c.push("a.action = ?", Bind::Text(action.to_string()));
        self.audit_query(c, page).await
    }

    async fn audit_query(&self, c: Conditions, page: Page) -> StoreResult<Vec<AuditEntry>> {
        let n = c.next_placeholder();
        let sql = format!(
            "SELECT a.id, a.at, a.user_id, u.username, a.ip, a.action, a.entity, a.entity_id,
                    a.province_id, a.commune_id, a.before_json, a.after_json
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id{}
             ORDER BY a.id DESC LIMIT ${} OFFSET ${}",
            c.sql(),
            n,
            n + 1
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &c.binds)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

/// The entities the change feed carries: the shared records, never
/// accounts, sessions or citizens' feedback.
const FEED_ENTITIES: &[&str] = &[
    "unit",
    "plan",
    "task",
    "target",
    "round",
    "unit_report",
    "task_update",
    "target_figure",
    "evidence",
];

fn entry_from_row(r: &sqlx::any::AnyRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        ip: r.try_get("ip")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
    })
}
