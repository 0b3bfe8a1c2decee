//! The security side of accounts: the second factor (TOTP), accounts
//! disabled after 45 days unused and enabled again by an administrator,
//! and role changes. Every change is audited in its own transaction.

use serde_json::json;
use sqlx::Row;

use super::audit;
use super::sessions::end_all_sessions;
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::access::Role;
use crate::domain::account;

/// Why an account was disabled by the application itself.
pub const DORMANT: &str = "dormant";

impl Store {
    /// Keeps a secret shown during enrolment until a code confirms it
    /// (`None` forgets it). Not audited: nothing changes for the account
    /// until the code is confirmed.
    pub async fn set_totp_pending(&self, user_id: i64, sealed: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(sealed.map(str::to_string))
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Confirms enrolment: the pending secret becomes the account's, and
    /// the step of the confirming code is remembered so it is not reused.
    pub async fn enable_totp(&self, user_id: i64, step: i64, actor: &Actor) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = $1,
                    totp_last_step = $2, updated_at = $1, version = version + 1
             WHERE id = $3 AND totp_pending IS NOT NULL",
        )
        .bind(now)
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Refused(
                "Không có mã bí mật đang chờ xác nhận; hãy bắt đầu lại".into(),
            ));
        }
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "totp_enabled",
            Some(user_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns the second factor off (a user who chose it, or an
    /// administrator resetting a lost authenticator).
    pub async fn disable_totp(&self, user_id: i64, actor: &Actor) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL,
                    updated_at = $1, version = version + 1 WHERE id = $2",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "totp_disabled",
            Some(user_id),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a code for `step` was used; false when that step (or a
    /// later one) was already used, so two requests racing with the same
    /// code cannot both pass.
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Disables every active account unused for 45 days (the hourly
    /// housekeeping). Returns how many.
    pub async fn disable_dormant_users(&self) -> StoreResult<u64> {
        let cutoff = account::dormant_cutoff(self.now_ms());
        let rows = sqlx::query(
            "SELECT id FROM users WHERE active = 1 AND created_at < $1
               AND (last_login_at IS NULL OR last_login_at < $1)
               AND (enabled_at IS NULL OR enabled_at < $1)
             ORDER BY id",
        )
        .bind(cutoff)
        .fetch_all(&self.read)
        .await?;
        let mut n = 0;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            if self.disable_user(id, DORMANT, &Actor::system()).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Disables an account and ends its sessions; false when it was not
    /// active.
    pub async fn disable_user(
        &self,
        user_id: i64,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET active = 0, disabled_at = $1, disabled_reason = $2, updated_at = $1,
                    version = version + 1 WHERE id = $3 AND active = 1",
        )
        .bind(now)
        .bind(reason.to_string())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let ended = end_all_sessions(&mut tx, user_id).await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "account_disabled",
            Some(user_id),
            Some(json!({"active": true})),
            Some(json!({"active": false, "reason": reason, "sessions_ended": ended})),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An administrator enables an account again; that counts as activity,
    /// so it has 45 days to be used.
    pub async fn enable_user(&self, user_id: i64, actor: &Actor) -> StoreResult<()> {
        let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET active = 1, disabled_at = NULL, disabled_reason = NULL, enabled_at = $1,
                    failed_logins = 0, locked_until = NULL, updated_at = $1, version = version + 1
             WHERE id = $2",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "account_enabled",
            Some(user_id),
            Some(json!({
                "active": user.active,
                "reason": user.disabled_reason,
                "disabled_at": user.disabled_at,
            })),
            Some(json!({"active": true})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a user's roles (a permission change), audited with the
    /// roles before and after.
    pub async fn set_roles(&self, user_id: i64, roles: &[Role], actor: &Actor) -> StoreResult<()> {
        let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(StoreError::Refused(
                "Tài khoản phải có ít nhất một vai trò".into(),
            ));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for role in &roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE users SET updated_at = $1, version = version + 1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "roles_changed",
            Some(user_id),
            Some(json!({"roles": user.roles})),
            Some(json!({"roles": roles})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
