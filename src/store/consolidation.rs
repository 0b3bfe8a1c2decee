//! The commune's side of a round: bulk updates from an uploaded sheet, the
//! consolidated report assembled from accepted unit reports, and the
//! leader's approval.

use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::{Actor, ReportEdits, Store, StoreError, StoreResult};
use crate::domain::report::{ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use crate::domain::round::{Consolidated, ReportView};
use crate::domain::valid::Valid;

/// One validated row of a bulk upload.
#[derive(Debug, Clone)]
pub enum BulkUpdate {
    Task {
        row: usize,
        task_id: i64,
        draft: Valid<TaskUpdateDraft>,
    },
    Target {
        row: usize,
        target_id: i64,
        draft: Valid<TargetFigureDraft>,
    },
}

impl Store {
    /// Applies a bulk upload to the round's reports: each task row to the
    /// report of the task's first lead unit, each target row to its lead's.
    /// Every row is checked first; one bad row stores nothing and is named.
    pub async fn apply_bulk(
        &self,
        round_id: i64,
        rows: Vec<BulkUpdate>,
        actor: &Actor,
    ) -> StoreResult<usize> {
        let reports = self.reports_of_round(round_id).await?;
        let mut views: Vec<ReportView> = Vec::new();
        for r in &reports {
            if let Some(v) = self.report_view(r.id).await? {
                views.push(v);
            }
        }
        let mut per_report: Vec<(i64, ReportEdits)> = Vec::new();
        for row in &rows {
            let (row_no, found) = match row {
                BulkUpdate::Task {
                    row,
                    task_id,
                    draft,
                } => {
                    let found = views.iter().find_map(|v| {
                        v.tasks
                            .iter()
                            .find(|i| i.task.id == *task_id && i.leads)
                            .map(|i| (v, i.update.as_ref().map(|u| u.version).unwrap_or(0)))
                    });
                    (
                        row,
                        found.map(|(v, version)| (v, Edit::Task(*task_id, version, draft.clone()))),
                    )
                }
                BulkUpdate::Target {
                    row,
                    target_id,
                    draft,
                } => {
                    let found = views.iter().find_map(|v| {
                        v.targets
                            .iter()
                            .find(|i| i.target.id == *target_id)
                            .map(|i| (v, i.figure.as_ref().map(|f| f.version).unwrap_or(0)))
                    });
                    (
                        row,
                        found.map(|(v, version)| {
                            (v, Edit::Target(*target_id, version, draft.clone()))
                        }),
                    )
                }
            };
            let Some((view, edit)) = found else {
                return Err(StoreError::Refused(format!(
                    "Dòng {row_no}: mã không thuộc kỳ báo cáo này hoặc chưa có đơn vị chủ trì"
                )));
            };
            if !view.report.status.is_editable() {
                return Err(StoreError::Refused(format!(
                    "Dòng {row_no}: báo cáo của {} đã gửi hoặc đã tiếp nhận, không cập nhật được",
                    view.report.unit_name
                )));
            }
            let slot = match per_report.iter_mut().find(|(id, _)| *id == view.report.id) {
                Some((_, e)) => e,
                None => {
                    per_report.push((view.report.id, ReportEdits::default()));
                    let last = per_report.len() - 1;
                    &mut per_report[last].1
                }
            };
            match edit {
                Edit::Task(id, v, d) => slot.tasks.push((id, v, d)),
                Edit::Target(id, v, d) => slot.targets.push((id, v, d)),
            }
        }
        // Each report is saved in its own transaction; the checks above
        // make a failure here a concurrent edit, reported as a conflict.
        let mut applied = 0;
        for (report_id, edits) in per_report {
            applied += edits.tasks.len() + edits.targets.len();
            self.save_report(report_id, edits, false, actor).await?;
        }
        Ok(applied)
    }

    pub async fn consolidated(&self, round_id: i64) -> StoreResult<Option<Consolidated>> {
        let row = sqlx::query(
            "SELECT round_id, status, number, consolidated_at, approved_at, approved_by, version
             FROM consolidated_reports WHERE round_id = $1",
        )
        .bind(round_id)
        .fetch_optional(&self.read)
        .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(Consolidated {
                round_id: r.try_get("round_id")?,
                status: r.try_get("status")?,
                number: r.try_get("number")?,
                consolidated_at: r.try_get("consolidated_at")?,
                approved_at: r.try_get("approved_at")?,
                approved_by: r.try_get("approved_by")?,
                version: r.try_get("version")?,
            })),
        }
    }

    /// The focal point consolidates the round from its accepted reports.
    /// Allowed again until a leader approves it.
    pub async fn consolidate_round(
        &self,
        round_id: i64,
        number: Option<String>,
        actor: &Actor,
    ) -> StoreResult<Consolidated> {
        let round = self.round(round_id).await?.ok_or(StoreError::NotFound)?;
        let accepted = self
            .reports_of_round(round_id)
            .await?
            .iter()
            .filter(|r| r.status == ReportStatus::Accepted)
            .count();
        if accepted == 0 {
            return Err(StoreError::Refused(
                "Chưa có báo cáo nào của đơn vị được tiếp nhận để tổng hợp".into(),
            ));
        }
        if self
            .consolidated(round_id)
            .await?
            .is_some_and(|c| c.status == "approved")
        {
            return Err(StoreError::Refused(
                "Báo cáo tổng hợp đã được lãnh đạo phê duyệt".into(),
            ));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO consolidated_reports (round_id, province_id, commune_id, status, number,
                    consolidated_at, consolidated_by, version)
             VALUES ($1, $2, $3, 'consolidated', $4, $5, $6, 1)
             ON CONFLICT (round_id) DO UPDATE SET status = 'consolidated', number = $4,
                    consolidated_at = $5, consolidated_by = $6,
                    version = consolidated_reports.version + 1",
        )
        .bind(round_id)
        .bind(round.province_id)
        .bind(round.commune_id)
        .bind(number.clone())
        .bind(now)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "consolidate",
                entity: "round",
                entity_id: Some(round_id),
                province_id: round.province_id,
                commune_id: round.commune_id,
                before: None,
                after: Some(json!({"accepted_reports": accepted, "number": number})),
            },
        )
        .await?;
        tx.commit().await?;
        self.consolidated(round_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn approve_round(&self, round_id: i64, actor: &Actor) -> StoreResult<Consolidated> {
        let round = self.round(round_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE consolidated_reports SET status = 'approved', approved_at = $1, approved_by = $2,
                    version = version + 1 WHERE round_id = $3 AND status = 'consolidated'",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(
                "Chỉ phê duyệt được báo cáo đã tổng hợp và chưa phê duyệt".into(),
            ));
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "approve",
                entity: "round",
                entity_id: Some(round_id),
                province_id: round.province_id,
                commune_id: round.commune_id,
                before: Some(json!({"status": "consolidated"})),
                after: Some(json!({"status": "approved"})),
            },
        )
        .await?;
        tx.commit().await?;
        self.consolidated(round_id)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

enum Edit {
    Task(i64, i64, Valid<TaskUpdateDraft>),
    Target(i64, i64, Valid<TargetFigureDraft>),
}

/// Reads a bulk row's status code.
pub fn bulk_status(code: &str) -> Option<TaskStatus> {
    TaskStatus::parse_any(code)
}
