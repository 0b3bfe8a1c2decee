//! Accounts: who a user is, where in the tree, and with which roles.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::rows::{Bind, bind_all, flag, map_unique};
use super::sessions::end_all_sessions;
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::access::Role;
use crate::domain::account;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub roles: Vec<Role>,
    pub version: i64,
    pub created_at: i64,
    /// The TOTP secret as stored (sealed), once enrolment is confirmed.
    pub totp_secret: Option<String>,
    /// A secret shown during enrolment, not yet confirmed by a code.
    pub totp_pending: Option<String>,
    pub totp_enabled_at: Option<i64>,
    /// The last TOTP step accepted: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    pub disabled_at: Option<i64>,
    /// `dormant` when disabled after 45 days unused.
    pub disabled_reason: Option<String>,
    /// When an administrator last enabled the account again.
    pub enabled_at: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl User {
    pub fn totp_enabled(&self) -> bool {
        self.totp_secret.is_some()
    }

    pub fn last_activity(&self) -> i64 {
        account::last_activity(self.created_at, self.last_login_at, self.enabled_at)
    }
}

/// An account as a list to choose from names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName {
    pub id: i64,
    pub full_name: String,
    pub username: String,
    pub unit_id: i64,
    pub unit_name: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub unit_id: i64,
    pub username: String,
    pub full_name: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
}

pub(super) const USER_COLUMNS: &str =
    "s.id, s.unit_id, u.name AS unit_name, u.path AS unit_path, s.username,
    s.full_name, s.password_hash, s.active, s.failed_logins, s.locked_until, s.last_login_at,
    s.version, s.created_at, s.totp_secret, s.totp_pending, s.totp_enabled_at, s.totp_last_step,
    s.disabled_at, s.disabled_reason, s.enabled_at, s.email, s.phone";

impl Store {
    pub async fn create_user(&self, new: NewUser, actor: &Actor) -> StoreResult<User> {
        let mut tx = self.write.begin().await?;
        let id = self.insert_user(&mut tx, &new, actor).await?;
        tx.commit().await?;
        self.user(id).await?.ok_or(StoreError::NotFound)
    }

    /// Writes a new account, its roles and the audit entry, in `conn`'s
    /// transaction; returns its id.
    pub(super) async fn insert_user(
        &self,
        conn: &mut sqlx::AnyConnection,
        new: &NewUser,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let unit = self
            .unit(new.unit_id)
            .await?
            .ok_or_else(|| StoreError::InvalidReference("unit".into()))?;
        let now = self.now_ms();
        let row = sqlx::query(
            "INSERT INTO users (unit_id, province_id, commune_id, username, full_name, password_hash,
                    active, failed_logins, locked_until, last_login_at, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, 1, 0, NULL, NULL, $7, $7, 1) RETURNING id",
        )
        .bind(unit.id)
        .bind(unit.province_id)
        .bind(unit.commune_id)
        .bind(new.username.clone())
        .bind(new.full_name.clone())
        .bind(new.password_hash.clone())
        .bind(now)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| map_unique(e, "username"))?;
        let id: i64 = row.try_get("id")?;
        for role in &new.roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(id)
                .bind(role.as_str())
                .execute(&mut *conn)
                .await?;
        }
        audit::record(
            conn,
            now,
            actor,
            Change {
                action: "create",
                entity: "user",
                entity_id: Some(id),
                province_id: unit.province_id,
                commune_id: unit.commune_id,
                before: None,
                after: Some(json!({
                    "username": new.username,
                    "full_name": new.full_name,
                    "unit_id": unit.id,
                    "roles": new.roles,
                })),
            },
        )
        .await?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        self.user_where("s.id = $1", Bind::Int(id)).await
    }

    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        self.user_where("s.username = $1", Bind::Text(username.to_string()))
            .await
    }

    async fn user_where(&self, clause: &'static str, value: Bind) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users s JOIN units u ON u.id = s.unit_id WHERE {clause}"
        );
        let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &[value])
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut user = user_from_row(&row)?;
                user.roles = self.roles_of(user.id).await?;
                Ok(Some(user))
            }
        }
    }

    pub async fn users(&self, within_path: &str, page: Page) -> StoreResult<Listing<User>> {
        let filter = super::UserFilter {
            within_path: within_path.to_string(),
            ..Default::default()
        };
        self.users_filtered(&filter, page).await
    }

    /// The active accounts of a unit's subtree, by unit then name, at most
    /// `limit`: whom a task of a plan may name as its responsible person.
    pub async fn active_accounts(
        &self,
        within_path: &str,
        limit: i64,
    ) -> StoreResult<Vec<AccountName>> {
        let rows = sqlx::query(
            "SELECT s.id, s.full_name, s.username, s.unit_id, u.name AS unit_name
             FROM users s JOIN units u ON u.id = s.unit_id
             WHERE u.path LIKE $1 AND s.active = 1
             ORDER BY u.path, s.full_name, s.id LIMIT $2",
        )
        .bind(format!("{within_path}%"))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountName {
                    id: r.try_get("id")?,
                    full_name: r.try_get("full_name")?,
                    username: r.try_get("username")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("unit_name")?,
                })
            })
            .collect()
    }

    pub(super) async fn roles_of(&self, user_id: i64) -> StoreResult<Vec<Role>> {
        let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.read)
            .await?;
        let mut roles = Vec::new();
        for r in rows {
            let name: String = r.try_get("role")?;
            if let Some(role) = Role::parse(&name) {
                roles.push(role);
            }
        }
        roles.sort();
        Ok(roles)
    }

    /// Replaces a user's password hash (the CLI's `user add` on an existing
    /// account, and password changes).
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL,
                    updated_at = $2, version = version + 1 WHERE id = $3",
        )
        .bind(password_hash.to_string())
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        // A new password ends every session and pending login: whoever
        // knew the old one is signed out everywhere.
        let ended = end_all_sessions(&mut tx, user_id).await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "password_change",
            Some(user_id),
            None,
            Some(json!({"username": user.username, "sessions_ended": ended})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(super) fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        unit_name: row.try_get("unit_name")?,
        unit_path: row.try_get("unit_path")?,
        username: row.try_get("username")?,
        full_name: row.try_get("full_name")?,
        password_hash: row.try_get("password_hash")?,
        active: flag(row, "active")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        last_login_at: row.try_get("last_login_at")?,
        roles: Vec::new(),
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_pending: row.try_get("totp_pending")?,
        totp_enabled_at: row.try_get("totp_enabled_at")?,
        totp_last_step: row.try_get("totp_last_step")?,
        disabled_at: row.try_get("disabled_at")?,
        disabled_reason: row.try_get("disabled_reason")?,
        enabled_at: row.try_get("enabled_at")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
    })
}
