//! Attached files, one storage for every kind: the bytes kept once in
//! `blobs` by their SHA-256, and one row per attachment in the kind's
//! table (`evidence`, `feedback_files`, `initiative_files`), read here by
//! one reader since the three share the columns a download needs.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::attachment::{AttachedFile, AttachedTo, UploadedFile};
use crate::domain::evidence::UNNAMED_FILE;
use crate::domain::valid::Valid;

/// Where a kind's attachments are kept.
struct FileTable {
    table: &'static str,
    /// The column naming the record a file belongs to.
    owner: &'static str,
    /// What else makes a row a file: evidence that is a link or an issued
    /// document has no blob.
    files_only: &'static str,
}

fn table_of(of: AttachedTo) -> FileTable {
    let (table, owner, files_only) = match of {
        AttachedTo::Evidence => ("evidence", "report_id", "AND blob_sha256 IS NOT NULL"),
        AttachedTo::Feedback => ("feedback_files", "feedback_id", ""),
        AttachedTo::Initiative => ("initiative_files", "initiative_id", ""),
    };
    FileTable {
        table,
        owner,
        files_only,
    }
}

/// The record a new attachment belongs to, with the tenancy columns its
/// row repeats.
pub(super) struct FileOwner {
    pub id: i64,
    pub province_id: Option<i64>,
    pub commune_id: i64,
}

impl Store {
    /// One attached file of a kind, by its id.
    pub async fn attached_file(
        &self,
        of: AttachedTo,
        id: i64,
    ) -> StoreResult<Option<AttachedFile>> {
        let FileTable {
            table,
            owner,
            files_only,
        } = table_of(of);
        let sql = format!(
            "SELECT id, {owner} AS owner_id, blob_sha256, file_name, content_type, size
             FROM {table} WHERE id = $1 {files_only}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(file_from_row).transpose()
    }

    /// The files of one record (a report, a feedback, an initiative), in
    /// the order they were added.
    pub async fn attached_files(
        &self,
        of: AttachedTo,
        owner_id: i64,
    ) -> StoreResult<Vec<AttachedFile>> {
        let FileTable {
            table,
            owner,
            files_only,
        } = table_of(of);
        let sql = format!(
            "SELECT id, {owner} AS owner_id, blob_sha256, file_name, content_type, size
             FROM {table} WHERE {owner} = $1 {files_only} ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(file_from_row).collect()
    }

    pub async fn feedback_files(&self, feedback_id: i64) -> StoreResult<Vec<AttachedFile>> {
        self.attached_files(AttachedTo::Feedback, feedback_id).await
    }

    pub async fn initiative_files(&self, initiative_id: i64) -> StoreResult<Vec<AttachedFile>> {
        self.attached_files(AttachedTo::Initiative, initiative_id)
            .await
    }

    /// Keeps a file once, by its SHA-256, on its own (an upload staged
    /// before anything refers to it).
    pub async fn put_blob(&self, bytes: &[u8], content_type: &str) -> StoreResult<String> {
        let mut conn = self.write.acquire().await?;
        put_blob_in(&mut conn, bytes, content_type, self.now_ms()).await
    }

    /// A blob's recorded type and bytes.
    pub async fn blob(&self, sha256: &str) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row = sqlx::query("SELECT content_type, bytes FROM blobs WHERE sha256 = $1")
            .bind(sha256.to_string())
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((r.try_get("content_type")?, r.try_get("bytes")?))),
        }
    }
}

/// Keeps a file once, by its SHA-256, inside the caller's transaction
/// (SQLite has one writer: a second connection would wait for this one).
pub(super) async fn put_blob_in(
    conn: &mut AnyConnection,
    bytes: &[u8],
    content_type: &str,
    now: i64,
) -> StoreResult<String> {
    let sha = crate::auth::token::sha256_bytes_hex(bytes);
    sqlx::query(
        "INSERT INTO blobs (sha256, size, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha.clone())
    .bind(bytes.len() as i64)
    .bind(content_type.to_string())
    .bind(bytes.to_vec())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(sha)
}

/// A blob no row refers to any more.
const UNREFERENCED: &str = "sha256 = $1
       AND NOT EXISTS (SELECT 1 FROM feedback_files x WHERE x.blob_sha256 = $1)
       AND NOT EXISTS (SELECT 1 FROM initiative_files x WHERE x.blob_sha256 = $1)
       AND NOT EXISTS (SELECT 1 FROM evidence x WHERE x.blob_sha256 = $1)
       AND NOT EXISTS (SELECT 1 FROM import_uploads x WHERE x.blob_sha256 = $1)";

/// Deletes a blob nothing refers to any more, inside the caller's
/// transaction: the same bytes may have been sent elsewhere too. Its bytes
/// are overwritten first, so what a deleted row leaves behind (SQLite's
/// freed pages, zeroed by `secure_delete`; PostgreSQL's dead tuples until
/// VACUUM) holds nothing of the file.
pub(super) async fn forget_blob_in(conn: &mut AnyConnection, sha256: &str) -> StoreResult<()> {
    let overwrite = format!("UPDATE blobs SET bytes = $2, size = 0 WHERE {UNREFERENCED}");
    sqlx::query(sqlx::AssertSqlSafe(overwrite))
        .bind(sha256.to_string())
        .bind(Vec::<u8>::new())
        .execute(&mut *conn)
        .await?;
    let delete = format!("DELETE FROM blobs WHERE {UNREFERENCED}");
    sqlx::query(sqlx::AssertSqlSafe(delete))
        .bind(sha256.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps a feedback's or an initiative's file and its row, inside the
/// caller's transaction. Evidence is kept with its report's own columns
/// (`evidence.rs`).
pub(super) async fn attach_in(
    conn: &mut AnyConnection,
    of: AttachedTo,
    owner: &FileOwner,
    file: &Valid<UploadedFile>,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    let FileTable {
        table,
        owner: owner_column,
        ..
    } = table_of(of);
    // Who added it is kept where staff add files; a citizen stays anonymous.
    let (by_column, by_value) = match of {
        AttachedTo::Initiative => (", created_by", ", $9"),
        AttachedTo::Feedback => ("", ""),
        AttachedTo::Evidence => {
            return Err(StoreError::InvalidReference(
                "evidence is added with its report".into(),
            ));
        }
    };
    let sha = put_blob_in(conn, &file.bytes, file.content_type, now).await?;
    let sql = format!(
        "INSERT INTO {table} ({owner_column}, province_id, commune_id, blob_sha256, file_name,
                content_type, size, created_at{by_column})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8{by_value})"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner.id)
        .bind(owner.province_id)
        .bind(owner.commune_id)
        .bind(sha)
        .bind(file.file_name.clone())
        .bind(file.content_type)
        .bind(file.size as i64)
        .bind(now);
    if !by_column.is_empty() {
        query = query.bind(actor.user_id);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

fn file_from_row(r: &AnyRow) -> StoreResult<AttachedFile> {
    // Evidence keeps these columns nullable (links have none); a file row
    // always has them, but a missing name still downloads under a default.
    let file_name: Option<String> = r.try_get("file_name")?;
    let content_type: Option<String> = r.try_get("content_type")?;
    let size: Option<i64> = r.try_get("size")?;
    Ok(AttachedFile {
        id: r.try_get("id")?,
        owner_id: r.try_get("owner_id")?,
        blob_sha256: r.try_get("blob_sha256")?,
        file_name: file_name.unwrap_or_else(|| UNNAMED_FILE.to_string()),
        content_type: content_type.unwrap_or_default(),
        size: size.unwrap_or_default(),
    })
}
