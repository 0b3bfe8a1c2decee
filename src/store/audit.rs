//! The audit trail: every change to a record, who made it, when, from
//! where, and the record before and after. Written inside the transaction
//! of the change itself, so there is no change without its entry.

use serde::Serialize;
use sqlx::{Any, AnyConnection, Row};

use super::rows::{Bind, Conditions, bind_all};
use super::{Actor, Page, Store, StoreResult};

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
        record(
            &mut conn,
            self.now_ms(),
            actor,
            Change {
                action: "export",
                entity,
                entity_id: Some(entity_id),
                province_id: None,
                commune_id: None,
                before: None,
                after: Some(serde_json::json!({ "format": format })),
            },
        )
        .await
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
                    a.before_json, a.after_json
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
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                user_id: r.try_get("user_id")?,
                username: r.try_get("username")?,
                ip: r.try_get("ip")?,
                action: r.try_get("action")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                before: r.try_get("before_json")?,
                after: r.try_get("after_json")?,
            });
        }
        Ok(out)
    }
}
