//! A password reset a person asks for by e-mail ("Quên mật khẩu"): the
//! accounts a typed name or address points to, and a code issued to one of
//! them at most once in a while. Unlike an administrator's reset, the
//! password is left alone until the code is used.

use super::staff::NewEnrolment;
use super::users::{USER_COLUMNS, user_from_row};
use super::{Actor, Store, StoreError, StoreResult, User};
use crate::domain::staff::EnrolmentPurpose;

impl Store {
    /// The active accounts with an e-mail address that `login` names: the
    /// one with that username, else those with that address (at most
    /// `limit`). Both are compared in lower case.
    pub async fn accounts_for_reset(&self, login: &str, limit: i64) -> StoreResult<Vec<User>> {
        let login = login.trim().to_lowercase();
        if login.is_empty() {
            return Ok(Vec::new());
        }
        let by_name = format!(
            "SELECT {USER_COLUMNS} FROM users s JOIN units u ON u.id = s.unit_id
             WHERE LOWER(s.username) = $1 AND s.active = 1 AND s.email IS NOT NULL"
        );
        let by_address = format!(
            "SELECT {USER_COLUMNS} FROM users s JOIN units u ON u.id = s.unit_id
             WHERE LOWER(s.email) = $1 AND s.active = 1 ORDER BY s.id LIMIT $2"
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(by_name))
            .bind(login.clone())
            .fetch_all(&self.read)
            .await?;
        if rows.is_empty() {
            rows = sqlx::query(sqlx::AssertSqlSafe(by_address))
                .bind(login)
                .bind(limit)
                .fetch_all(&self.read)
                .await?;
        }
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut user = user_from_row(row)?;
            user.roles = self.roles_of(user.id).await?;
            users.push(user);
        }
        Ok(users)
    }

    /// Issues a code the person asked for, replacing their earlier unused
    /// one of the same kind (an administrator's code stays valid); `false`
    /// and nothing stored when one was issued within `interval_ms`.
    pub async fn issue_self_reset(
        &self,
        user_id: i64,
        code: &NewEnrolment,
        interval_ms: i64,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let now = self.now_ms();
        if code.purpose != EnrolmentPurpose::SelfReset {
            return Err(StoreError::Refused("not a self reset".into()));
        }
        let purpose = code.purpose.as_str();
        let mut tx = self.write.begin().await?;
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrolment_codes
             WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
        )
        .bind(user_id)
        .bind(purpose)
        .bind(now - interval_ms)
        .fetch_one(&mut *tx)
        .await?;
        if recent > 0 {
            return Ok(false);
        }
        self.insert_code(&mut tx, user_id, code, actor).await?;
        tx.commit().await?;
        Ok(true)
    }
}
