//! Evidence on a unit's report: files (kept in `blobs` like every
//! attachment, see `attachments.rs`), issued documents by number and date,
//! and links.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::attachments::put_blob_in;
use super::audit::{self, Change};
use super::rows::{date_text, parse_date};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::evidence::{Evidence, EvidenceInput};

impl Store {
    pub(super) async fn evidence_of(&self, report_id: i64) -> StoreResult<Vec<Evidence>> {
        let rows = sqlx::query(EVIDENCE_SELECT_BY_REPORT)
            .bind(report_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(evidence_from_row).collect()
    }

    pub async fn evidence(&self, id: i64) -> StoreResult<Option<Evidence>> {
        let row = sqlx::query(EVIDENCE_SELECT_BY_ID)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(evidence_from_row).transpose()
    }

    pub async fn add_evidence(
        &self,
        report_id: i64,
        task_id: i64,
        input: EvidenceInput,
        actor: &Actor,
    ) -> StoreResult<Evidence> {
        let view = self
            .report_view(report_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !view.report.status.is_editable() {
            return Err(StoreError::Refused(
                crate::domain::report::ReportError::Locked.to_string(),
            ));
        }
        if !view.tasks.iter().any(|i| i.task.id == task_id) {
            return Err(StoreError::InvalidReference(format!(
                "task {task_id} is not on this report"
            )));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let (kind, sha, file_name, content_type, size, number, date, url) = match input {
            EvidenceInput::File {
                bytes,
                content_type,
                file_name,
            } => {
                // The bytes are kept in the same transaction as their row.
                let sha = put_blob_in(&mut tx, &bytes, content_type, now).await?;
                (
                    "file",
                    Some(sha),
                    Some(file_name),
                    Some(content_type.to_string()),
                    Some(bytes.len() as i64),
                    None,
                    None,
                    None,
                )
            }
            EvidenceInput::Document { number, date } => {
                ("document", None, None, None, None, Some(number), date, None)
            }
            EvidenceInput::Link { url } => ("link", None, None, None, None, None, None, Some(url)),
        };
        let id: i64 = sqlx::query(
            "INSERT INTO evidence (report_id, task_id, province_id, commune_id, kind, blob_sha256, file_name,
                    content_type, size, doc_number, doc_date, url, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(report_id)
        .bind(task_id)
        .bind(view.round.province_id)
        .bind(view.round.commune_id)
        .bind(kind)
        .bind(sha)
        .bind(file_name.clone())
        .bind(content_type)
        .bind(size)
        .bind(number.clone())
        .bind(date_text(date))
        .bind(url.clone())
        .bind(now)
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "add_evidence",
                entity: "evidence",
                entity_id: Some(id),
                province_id: view.round.province_id,
                commune_id: view.round.commune_id,
                before: None,
                after: Some(
                    json!({"report_id": report_id, "task_id": task_id, "kind": kind,
                    "file_name": file_name, "number": number, "url": url}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.evidence(id).await?.ok_or(StoreError::NotFound)
    }
}

const EVIDENCE_SELECT_BY_REPORT: &str =
    "SELECT e.id, e.report_id, e.task_id, e.kind, e.blob_sha256,
    e.file_name, e.content_type, e.size, e.doc_number, e.doc_date, e.url,
    u.path AS scope_path, un.path AS unit_path
    FROM evidence e JOIN unit_reports ur ON ur.id = e.report_id JOIN units un ON un.id = ur.unit_id
    JOIN report_rounds r ON r.id = ur.round_id JOIN plans p ON p.id = r.plan_id
    JOIN units u ON u.id = p.issuer_unit_id WHERE e.report_id = $1 ORDER BY e.id";
const EVIDENCE_SELECT_BY_ID: &str = "SELECT e.id, e.report_id, e.task_id, e.kind, e.blob_sha256,
    e.file_name, e.content_type, e.size, e.doc_number, e.doc_date, e.url,
    u.path AS scope_path, un.path AS unit_path
    FROM evidence e JOIN unit_reports ur ON ur.id = e.report_id JOIN units un ON un.id = ur.unit_id
    JOIN report_rounds r ON r.id = ur.round_id JOIN plans p ON p.id = r.plan_id
    JOIN units u ON u.id = p.issuer_unit_id WHERE e.id = $1";

fn evidence_from_row(r: &AnyRow) -> StoreResult<Evidence> {
    Ok(Evidence {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        task_id: r.try_get("task_id")?,
        kind: r.try_get("kind")?,
        blob_sha256: r.try_get("blob_sha256")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        doc_number: r.try_get("doc_number")?,
        doc_date: parse_date(r.try_get("doc_date")?)?,
        url: r.try_get("url")?,
        scope_path: r.try_get("scope_path")?,
        unit_path: r.try_get("unit_path")?,
    })
}
