//! Forms kept when a session ended while someone was typing: one per user
//! and form, sealed by the caller, gone after a day or once saved.

use sqlx::Row;

use super::{Store, StoreResult};

/// How long a kept form waits for its owner to sign in again.
pub const KEEP_FOR_MS: i64 = 24 * 60 * 60 * 1000;

impl Store {
    /// Keeps (or replaces) what `user_id` sent to the form at `path`.
    pub async fn keep_form(&self, user_id: i64, path: &str, sealed_body: &str) -> StoreResult<()> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO kept_forms (user_id, path, body, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, path) DO UPDATE SET body = $3, created_at = $4, expires_at = $5",
        )
        .bind(user_id)
        .bind(path.to_string())
        .bind(sealed_body.to_string())
        .bind(now)
        .bind(now + KEEP_FOR_MS)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The sealed body kept for `user_id` at `path`, if not expired.
    pub async fn kept_form(&self, user_id: i64, path: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT body FROM kept_forms WHERE user_id = $1 AND path = $2 AND expires_at > $3",
        )
        .bind(user_id)
        .bind(path.to_string())
        .bind(self.now_ms())
        .fetch_optional(&self.read)
        .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("body")?),
            None => None,
        })
    }

    pub async fn discard_kept_form(&self, user_id: i64, path: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM kept_forms WHERE user_id = $1 AND path = $2")
            .bind(user_id)
            .bind(path.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Forgets kept forms whose day is over (hourly housekeeping).
    pub async fn delete_expired_kept_forms(&self) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM kept_forms WHERE expires_at <= $1")
            .bind(self.now_ms())
            .execute(&self.write)
            .await?
            .rows_affected())
    }
}
