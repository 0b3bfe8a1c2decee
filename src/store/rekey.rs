//! Key rotation's storage side: every sealed value and sealed file read,
//! handed to a [`Resealer`] (which holds the keys; the store never does)
//! and written back, all in one transaction, so a rotation either changes
//! every value or none.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::attachments::{forget_blob_in, put_blob_in};
use super::audit::{self, Change};
use super::{Actor, Store, StoreError, StoreResult};

/// Where a sealed value is kept; the resealer knows the field each is
/// bound to and the key it was sealed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedColumn {
    ContactName,
    ContactPhone,
    ContactEmail,
    TotpSecret,
    TotpPending,
    KeptForm,
    FeedbackFile,
}

/// What a resealer answers for one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resealed<T> {
    /// The value under the new key.
    Value(T),
    /// Not opened, and that is expected (a kept form sealed with a
    /// server's passing secret): left as it is.
    Skip,
}

/// Opens a value with the old key and seals it with the new one; an
/// `Err` (the old key does not open it) undoes the whole rotation.
pub trait Resealer {
    fn text(&self, column: SealedColumn, value: &str) -> Result<Resealed<String>, String>;
    fn bytes(&self, column: SealedColumn, value: &[u8]) -> Result<Resealed<Vec<u8>>, String>;
}

/// How many values a rotation sealed again, and how many it left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResealCounts {
    pub contacts: usize,
    pub totp_secrets: usize,
    pub kept_forms: usize,
    pub files: usize,
    pub skipped: usize,
}

impl Store {
    /// Seals every sealed value again through `resealer`, in one
    /// transaction; the rotation itself is audited (counts only).
    pub async fn reseal(
        &self,
        resealer: &dyn Resealer,
        actor: &Actor,
    ) -> StoreResult<ResealCounts> {
        let mut counts = ResealCounts::default();
        let mut tx = self.write.begin().await?;
        reseal_contacts(&mut tx, resealer, &mut counts).await?;
        reseal_totp(&mut tx, resealer, &mut counts).await?;
        reseal_kept_forms(&mut tx, resealer, &mut counts).await?;
        reseal_files(&mut tx, resealer, &mut counts, self.now_ms()).await?;
        audit::record(
            &mut tx,
            self.now_ms(),
            actor,
            Change {
                action: "rekey",
                entity: "data_key",
                entity_id: None,
                province_id: None,
                commune_id: None,
                before: None,
                after: Some(json!(counts)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(counts)
    }
}

/// A resealer's refusal, naming where: nothing is written.
fn refused(what: &str, id: impl std::fmt::Display, why: String) -> StoreError {
    StoreError::Refused(format!("{what} {id}: {why}"))
}

/// A row's nullable sealed columns, each under the new key (a skipped
/// value kept as it is), in the order given.
fn reseal_columns(
    row: &AnyRow,
    columns: &[(SealedColumn, &str)],
    r: &dyn Resealer,
) -> Result<Vec<Option<String>>, String> {
    let mut values = Vec::new();
    for (column, name) in columns {
        let value: Option<String> = row.try_get(*name).map_err(|e| e.to_string())?;
        values.push(match value {
            None => None,
            Some(v) => match r.text(*column, &v)? {
                Resealed::Value(new) => Some(new),
                Resealed::Skip => Some(v),
            },
        });
    }
    Ok(values)
}

async fn reseal_contacts(
    conn: &mut AnyConnection,
    r: &dyn Resealer,
    counts: &mut ResealCounts,
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT id, contact_name, contact_phone, contact_email FROM feedback
         WHERE contact_name IS NOT NULL OR contact_phone IS NOT NULL OR contact_email IS NOT NULL
         ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let columns = [
            (SealedColumn::ContactName, "contact_name"),
            (SealedColumn::ContactPhone, "contact_phone"),
            (SealedColumn::ContactEmail, "contact_email"),
        ];
        let values = reseal_columns(&row, &columns, r).map_err(|e| refused("feedback", id, e))?;
        sqlx::query(
            "UPDATE feedback SET contact_name = $1, contact_phone = $2, contact_email = $3
             WHERE id = $4",
        )
        .bind(values[0].clone())
        .bind(values[1].clone())
        .bind(values[2].clone())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        counts.contacts += 1;
    }
    Ok(())
}

async fn reseal_totp(
    conn: &mut AnyConnection,
    r: &dyn Resealer,
    counts: &mut ResealCounts,
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT id, totp_secret, totp_pending FROM users
         WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let columns = [
            (SealedColumn::TotpSecret, "totp_secret"),
            (SealedColumn::TotpPending, "totp_pending"),
        ];
        let values = reseal_columns(&row, &columns, r).map_err(|e| refused("user", id, e))?;
        sqlx::query("UPDATE users SET totp_secret = $1, totp_pending = $2 WHERE id = $3")
            .bind(values[0].clone())
            .bind(values[1].clone())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        counts.totp_secrets += 1;
    }
    Ok(())
}

async fn reseal_kept_forms(
    conn: &mut AnyConnection,
    r: &dyn Resealer,
    counts: &mut ResealCounts,
) -> StoreResult<()> {
    let rows = sqlx::query("SELECT user_id, path, body FROM kept_forms ORDER BY user_id, path")
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let user_id: i64 = row.try_get("user_id")?;
        let path: String = row.try_get("path")?;
        let body: String = row.try_get("body")?;
        let resealed = r
            .text(SealedColumn::KeptForm, &body)
            .map_err(|e| refused("kept form of user", user_id, e))?;
        let Resealed::Value(body) = resealed else {
            counts.skipped += 1;
            continue;
        };
        sqlx::query("UPDATE kept_forms SET body = $1 WHERE user_id = $2 AND path = $3")
            .bind(body)
            .bind(user_id)
            .bind(path)
            .execute(&mut *conn)
            .await?;
        counts.kept_forms += 1;
    }
    Ok(())
}

/// A citizen's files: sealed bytes change their SHA-256, so each is kept
/// as a new blob, its rows moved to it, and the old blob dropped when
/// nothing else refers to it.
async fn reseal_files(
    conn: &mut AnyConnection,
    r: &dyn Resealer,
    counts: &mut ResealCounts,
    now: i64,
) -> StoreResult<()> {
    let shas: Vec<String> =
        sqlx::query("SELECT DISTINCT blob_sha256 FROM feedback_files ORDER BY blob_sha256")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| row.try_get("blob_sha256"))
            .collect::<Result<_, _>>()?;
    for sha in shas {
        let row = sqlx::query("SELECT content_type, bytes FROM blobs WHERE sha256 = $1")
            .bind(sha.clone())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| refused("blob", &sha, "missing".into()))?;
        let content_type: String = row.try_get("content_type")?;
        let bytes: Vec<u8> = row.try_get("bytes")?;
        let resealed = r
            .bytes(SealedColumn::FeedbackFile, &bytes)
            .map_err(|e| refused("blob", &sha, e))?;
        let Resealed::Value(bytes) = resealed else {
            counts.skipped += 1;
            continue;
        };
        let new_sha = put_blob_in(conn, &bytes, &content_type, now).await?;
        sqlx::query("UPDATE feedback_files SET blob_sha256 = $1 WHERE blob_sha256 = $2")
            .bind(new_sha)
            .bind(sha.clone())
            .execute(&mut *conn)
            .await?;
        forget_blob_in(conn, &sha).await?;
        counts.files += 1;
    }
    Ok(())
}
