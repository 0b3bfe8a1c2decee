//! Server-side sessions and the bookkeeping of login attempts.

use serde_json::json;
use sqlx::{Any, AnyConnection, Row};

use super::audit;
use super::users::{USER_COLUMNS, User, user_from_row};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::access::Role;
use crate::domain::lockout::Failures;
use crate::domain::unit::UnitKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// A session, its account and what of the account's unit decides what
/// the account may read (see [`Store::signed_in`]).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: SessionRecord,
    pub user: User,
    pub unit_kind: UnitKind,
    pub unit_commune_id: Option<i64>,
}

/// What the store knows before a password is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCheck {
    /// Failed attempts from this address inside the window.
    pub recent_failures_from_ip: i64,
}

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip)
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(csrf_token.to_string())
        .bind(now)
        .bind(expires_at)
        .bind(actor.ip.clone())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        audit::record_user_event(&mut tx, now, actor, "login", Some(user_id), None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A session with its account and the account's unit, as every
    /// signed-in request needs them, in one read (a row a role).
    pub async fn signed_in(&self, token_hash: &str) -> StoreResult<Option<SignedIn>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, x.csrf_token, x.created_at AS session_created_at,
                    x.last_seen_at, x.expires_at, u.kind AS unit_kind,
                    u.commune_id AS unit_commune_id, r.role
             FROM sessions x JOIN users s ON s.id = x.user_id JOIN units u ON u.id = s.unit_id
             LEFT JOIN user_roles r ON r.user_id = s.id
             WHERE x.token_hash = $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_string())
            .fetch_all(&self.read)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut user = user_from_row(first)?;
        for row in &rows {
            if let Some(role) = row
                .try_get::<Option<String>, _>("role")?
                .as_deref()
                .and_then(Role::parse)
            {
                user.roles.push(role);
            }
        }
        user.roles.sort();
        let kind: String = first.try_get("unit_kind")?;
        Ok(Some(SignedIn {
            session: SessionRecord {
                user_id: user.id,
                csrf_token: first.try_get("csrf_token")?,
                created_at: first.try_get("session_created_at")?,
                last_seen_at: first.try_get("last_seen_at")?,
                expires_at: first.try_get("expires_at")?,
            },
            unit_kind: UnitKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unit kind {kind}")))?,
            unit_commune_id: first.try_get("unit_commune_id")?,
            user,
        }))
    }

    pub async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, created_at, last_seen_at, expires_at
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash.to_string())
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(SessionRecord {
                user_id: r.try_get("user_id")?,
                csrf_token: r.try_get("csrf_token")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                expires_at: r.try_get("expires_at")?,
            })),
        }
    }

    /// Marks a session used now. Called at most once a minute per session
    /// (the caller checks), so reading pages does not queue behind writes.
    pub async fn touch_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(self.now_ms())
            .bind(token_hash.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_session(
        &self,
        token_hash: &str,
        user_id: i64,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&mut *tx)
            .await?;
        audit::record_user_event(&mut tx, now, actor, "logout", Some(user_id), None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets sessions a day after they ended: until then an ended
    /// session still says whose a long form sent after it ended is, so what
    /// was typed can be kept for them (it never signs anyone in).
    pub async fn delete_expired_sessions(&self) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(self.now_ms() - super::kept_forms::KEEP_FOR_MS)
            .execute(&self.write)
            .await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
            .bind(self.now_ms())
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    /// Logout everywhere: ends every session of the user (this one too).
    /// Returns how many ended.
    pub async fn delete_user_sessions(&self, user_id: i64, actor: &Actor) -> StoreResult<u64> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let ended = end_all_sessions(&mut tx, user_id).await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "logout_all",
            Some(user_id),
            None,
            Some(json!({"sessions_ended": ended})),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// How many sessions a user has open (the account page shows it).
    pub async fn session_count(&self, user_id: i64) -> StoreResult<i64> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1 AND expires_at >= $2",
        )
        .bind(user_id)
        .bind(self.now_ms())
        .fetch_one(&self.read)
        .await?
        .try_get("n")?;
        Ok(n)
    }

    /// A password accepted, the second step still to come.
    pub async fn create_login_challenge(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: i64,
        ip: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at, ip)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(self.now_ms())
        .bind(expires_at)
        .bind(ip.map(str::to_string))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The user of a challenge still valid now.
    pub async fn login_challenge(&self, token_hash: &str) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT user_id FROM login_challenges WHERE token_hash = $1 AND expires_at >= $2",
        )
        .bind(token_hash.to_string())
        .bind(self.now_ms())
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| r.try_get("user_id").map_err(Into::into))
            .transpose()
    }

    pub async fn delete_login_challenge(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn login_check(&self, ip: &str, window_ms: i64) -> StoreResult<LoginCheck> {
        let since = self.now_ms() - window_ms;
        let n: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE ip = $1 AND at > $2")
                .bind(ip.to_string())
                .bind(since)
                .fetch_one(&self.read)
                .await?
                .try_get("n")?;
        Ok(LoginCheck {
            recent_failures_from_ip: n,
        })
    }

    /// Failures on `username` (a [`crate::domain::lockout::username_key`])
    /// since `since`: from `ip`, and from every address.
    pub async fn login_failures(
        &self,
        username: &str,
        ip: &str,
        since: i64,
    ) -> StoreResult<Failures> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MAX(at) AS last,
                    SUM(CASE WHEN ip = $2 THEN 1 ELSE 0 END) AS pair_n,
                    MAX(CASE WHEN ip = $2 THEN at END) AS pair_last
             FROM login_failures WHERE username = $1 AND at > $3",
        )
        .bind(username.to_string())
        .bind(ip.to_string())
        .bind(since)
        .fetch_one(&self.write)
        .await?;
        Ok(Failures {
            pair: row.try_get::<Option<i64>, _>("pair_n")?.unwrap_or(0),
            pair_last: row.try_get("pair_last")?,
            account: row.try_get("n")?,
            account_last: row.try_get("last")?,
        })
    }

    /// Records a failed login (or current-password check) under the
    /// username key and the address, with an audit entry.
    pub async fn record_login_failure(
        &self,
        username: &str,
        user_id: Option<i64>,
        stage: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let ip = actor.ip.clone().unwrap_or_default();
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO login_failures (ip, username, at) VALUES ($1, $2, $3)")
            .bind(ip)
            .bind(username.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        audit::record_user_event(
            &mut tx,
            now,
            actor,
            "login_failed",
            user_id,
            None,
            Some(json!({"username": username, "stage": stage})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Ends every session and pending login of a user, inside the caller's
/// transaction. Returns the number of sessions ended.
pub(super) async fn end_all_sessions(conn: &mut AnyConnection, user_id: i64) -> StoreResult<u64> {
    let done = sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query::<Any>("DELETE FROM login_challenges WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
