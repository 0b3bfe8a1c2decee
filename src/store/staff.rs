//! Staff administration: accounts listed by filter, their profile edited,
//! moved to another unit, and one-time enrolment codes (a new account or a
//! password reset) issued and redeemed. Every change is audited in its own
//! transaction; an enrolment code is kept only as its SHA-256.

use serde_json::json;
use sqlx::Row;

use super::audit;
use super::rows::{Bind, Conditions, bind_all, map_unique};
use super::sessions::end_all_sessions;
use super::users::{USER_COLUMNS, user_from_row};
use super::{Actor, Listing, NewUser, Page, Store, StoreError, StoreResult, User};
use crate::domain::access::Role;
use crate::domain::staff::{EnrolmentPurpose, Profile};
use crate::domain::unit::Unit;

/// A password hash no password matches: an account waiting for its owner
/// to enrol, or whose password an administrator reset.
pub const NO_PASSWORD: &str = "!enrolment";

/// Which accounts a list shows: always within a subtree, narrowed by unit
/// (and the units beneath it), role, state and a search of the username
/// and full name.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub within_path: String,
    pub unit_path: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub query: Option<String>,
}

/// An enrolment code as stored (never the code itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// A code to issue: its hash, and until when it works.
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    pub code_hash: String,
    pub purpose: EnrolmentPurpose,
    pub expires_at: i64,
}

impl Store {
    pub async fn users_filtered(&self, f: &UserFilter, page: Page) -> StoreResult<Listing<User>> {
        let mut c = Conditions::default();
        c.push("u.path LIKE ?", Bind::Text(format!("{}%", f.within_path)));
        if let Some(p) = &f.unit_path {
            c.push("u.path LIKE ?", Bind::Text(format!("{p}%")));
        }
        if let Some(role) = f.role {
            c.push(
                "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = s.id AND r.role = ?)",
                Bind::Text(role.as_str().to_string()),
            );
        }
        if let Some(active) = f.active {
            c.push("s.active = ?", Bind::Int(i64::from(active)));
        }
        if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let like = format!("%{}%", q.to_lowercase());
            c.push(
                "(LOWER(s.username) LIKE ? OR LOWER(s.full_name) LIKE ?)",
                Bind::Text(like),
            );
        }
        let from = "FROM users s JOIN units u ON u.id = s.unit_id";
        let count_sql = format!("SELECT COUNT(*) AS n {from}{}", c.sql());
        let total: i64 = bind_all(sqlx::query(sqlx::AssertSqlSafe(count_sql)), &c.binds)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let limit = c.next_placeholder();
        let sql = format!(
            "SELECT {USER_COLUMNS} {from}{} ORDER BY u.path, s.username LIMIT ${limit} OFFSET ${}",
            c.sql(),
            limit + 1
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &c.binds)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.read)
            .await?;
        let mut items = Vec::new();
        for row in &rows {
            let mut user = user_from_row(row)?;
            user.roles = self.roles_of(user.id).await?;
            items.push(user);
        }
        Ok(Listing { items, total, page })
    }

    /// Full name, e-mail and phone, given the version the editor read.
    pub async fn update_profile(
        &self,
        user_id: i64,
        version: i64,
        profile: &Profile,
        actor: &Actor,
    ) -> StoreResult<()> {
        let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET full_name = $1, email = $2, phone = $3, updated_at = $4,
                    version = version + 1 WHERE id = $5 AND version = $6",
        )
        .bind(profile.full_name.clone())
        .bind(profile.email.clone())
        .bind(profile.phone.clone())
        .bind(now)
        .bind(user_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                current: user.version,
            });
        }
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "update_user",
            Some(user_id),
            Some(json!({"full_name": user.full_name, "email": user.email, "phone": user.phone})),
            Some(json!({
                "full_name": profile.full_name,
                "email": profile.email,
                "phone": profile.phone,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Places an account on another unit (its province and commune follow,
    /// so the trail of the account is seen by the new unit's
    /// administrators).
    pub async fn move_user(&self, user_id: i64, to: &Unit, actor: &Actor) -> StoreResult<()> {
        let user = self.user(user_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET unit_id = $1, province_id = $2, commune_id = $3, updated_at = $4,
                    version = version + 1 WHERE id = $5",
        )
        .bind(to.id)
        .bind(to.province_id)
        .bind(to.commune_id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "move_user",
            Some(user_id),
            Some(json!({"unit_id": user.unit_id, "unit": user.unit_name})),
            Some(json!({"unit_id": to.id, "unit": to.name})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new account waiting for its owner: no password, and an enrolment
    /// code, in one transaction.
    pub async fn create_user_enrolling(
        &self,
        new: NewUser,
        profile: &Profile,
        code: &NewEnrolment,
        actor: &Actor,
    ) -> StoreResult<User> {
        let mut tx = self.write.begin().await?;
        let new = NewUser {
            password_hash: NO_PASSWORD.to_string(),
            ..new
        };
        let id = self.insert_user(&mut tx, &new, actor).await?;
        sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE id = $3")
            .bind(profile.email.clone())
            .bind(profile.phone.clone())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.insert_code(&mut tx, id, code, actor).await?;
        tx.commit().await?;
        self.user(id).await?.ok_or(StoreError::NotFound)
    }

    /// A password reset: the password stops working, every session ends,
    /// and a new enrolment code replaces any earlier one.
    pub async fn reset_password(
        &self,
        user_id: i64,
        code: &NewEnrolment,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1
             WHERE id = $3",
        )
        .bind(NO_PASSWORD)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let ended = end_all_sessions(&mut tx, user_id).await?;
        self.insert_code(&mut tx, user_id, code, actor).await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "reset_password",
            Some(user_id),
            None,
            Some(json!({"sessions_ended": ended, "expires_at": code.expires_at})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the account's unused codes with a new one; a code the
    /// person asked for by e-mail replaces only their earlier such code, so
    /// an administrator's stays valid.
    pub(super) async fn insert_code(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: i64,
        code: &NewEnrolment,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let self_reset = code.purpose == EnrolmentPurpose::SelfReset;
        let replaced = if self_reset {
            "DELETE FROM enrolment_codes WHERE user_id = $1 AND used_at IS NULL
             AND purpose = 'self_reset'"
        } else {
            "DELETE FROM enrolment_codes WHERE user_id = $1 AND used_at IS NULL"
        };
        sqlx::query(replaced)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO enrolment_codes (user_id, code_hash, purpose, created_at, expires_at,
                    used_at, created_by)
             VALUES ($1, $2, $3, $4, $5, NULL, $6)",
        )
        .bind(user_id)
        .bind(code.code_hash.clone())
        .bind(code.purpose.as_str())
        .bind(now)
        .bind(code.expires_at)
        .bind(actor.user_id)
        .execute(&mut *conn)
        .await
        .map_err(|e| map_unique(e, "code_hash"))?;
        audit::record_user_event(
            conn,
            now,
            actor,
            if self_reset {
                "self_reset_requested"
            } else {
                "enrolment_issued"
            },
            Some(user_id),
            None,
            Some(json!({"purpose": code.purpose.as_str(), "expires_at": code.expires_at})),
        )
        .await
    }

    /// The stored code with this hash, used or not.
    pub async fn enrolment_code(&self, code_hash: &str) -> StoreResult<Option<EnrolmentCode>> {
        let row = sqlx::query(
            "SELECT id, user_id, purpose, created_at, expires_at, used_at FROM enrolment_codes
             WHERE code_hash = $1",
        )
        .bind(code_hash.to_string())
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(EnrolmentCode {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                purpose: r.try_get("purpose")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                used_at: r.try_get("used_at")?,
            })
        })
        .transpose()
    }

    /// Spends a code and sets the password it was for, in one
    /// transaction: false (and nothing changed) when the code was used or
    /// expired meanwhile, or the account was disabled. Every session of
    /// the account ends.
    pub async fn redeem_enrolment(
        &self,
        code_id: i64,
        user_id: i64,
        password_hash: &str,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let spent = sqlx::query(
            "UPDATE enrolment_codes SET used_at = $1
             WHERE id = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(code_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if spent.rows_affected() != 1 {
            return Ok(false);
        }
        let set = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL,
                    updated_at = $2, version = version + 1 WHERE id = $3 AND active = 1",
        )
        .bind(password_hash.to_string())
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if set.rows_affected() != 1 {
            return Ok(false);
        }
        let ended = end_all_sessions(&mut tx, user_id).await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "enrolment_used",
            Some(user_id),
            None,
            Some(json!({"sessions_ended": ended})),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
