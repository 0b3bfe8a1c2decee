//! What waits for someone, read for the home page's "Việc cần làm":
//! reports waiting for review, rounds ready to consolidate, consolidated
//! reports waiting for a leader, and how many comments a returned report
//! carries. Each list is bounded; the pages behind the links show all.

use chrono::NaiveDate;
use sqlx::Row;

use super::reports::{REPORT_COLUMNS, ROUND_COLUMNS, ROUND_FROM, report_from_row, round_from_row};
use super::rows::date_text;
use super::{Store, StoreResult};
use crate::domain::round::{Round, UnitReport};

impl Store {
    /// Submitted unit reports in rounds of plans issued inside
    /// `scope_path`, oldest submission first.
    pub async fn reports_waiting_review(
        &self,
        scope_path: &str,
        limit: i64,
    ) -> StoreResult<Vec<(Round, UnitReport)>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS}, r.id AS r_id FROM unit_reports ur JOIN units un ON un.id = ur.unit_id
             JOIN report_rounds r ON r.id = ur.round_id JOIN plans p ON p.id = r.plan_id
             JOIN units u ON u.id = p.issuer_unit_id
             WHERE ur.status = 'submitted' AND u.path LIKE $1
             ORDER BY ur.submitted_at, ur.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{scope_path}%"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        let mut out = Vec::new();
        for row in &rows {
            let report = report_from_row(row)?;
            let round_id: i64 = row.try_get("r_id")?;
            if let Some(round) = self.round(round_id).await? {
                out.push((round, report));
            }
        }
        Ok(out)
    }

    /// Rounds of plans issued inside `scope_path` not yet consolidated,
    /// with at least one accepted report, whose units' due date has passed
    /// or whose every report is accepted: the focal point can consolidate.
    pub async fn rounds_to_consolidate(
        &self,
        scope_path: &str,
        today: NaiveDate,
        limit: i64,
    ) -> StoreResult<Vec<Round>> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} {ROUND_FROM}
             WHERE u.path LIKE $1
               AND NOT EXISTS (SELECT 1 FROM consolidated_reports c WHERE c.round_id = r.id)
               AND EXISTS (SELECT 1 FROM unit_reports a WHERE a.round_id = r.id AND a.status = 'accepted')
               AND (r.unit_due_on < $2
                    OR NOT EXISTS (SELECT 1 FROM unit_reports x WHERE x.round_id = r.id AND x.status <> 'accepted'))
             ORDER BY r.consolidated_due_on, r.id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{scope_path}%"))
            .bind(date_text(Some(today)))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// Rounds of plans issued inside `scope_path` whose consolidated report
    /// waits for a leader's approval.
    pub async fn rounds_waiting_approval(
        &self,
        scope_path: &str,
        limit: i64,
    ) -> StoreResult<Vec<Round>> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} {ROUND_FROM} JOIN consolidated_reports c ON c.round_id = r.id
             WHERE c.status = 'consolidated' AND u.path LIKE $1
             ORDER BY r.consolidated_due_on, r.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{scope_path}%"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// How many items of a report carry a reviewer's comment.
    pub async fn item_comment_count(&self, report_id: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM task_updates WHERE report_id = $1
                        AND review_comment IS NOT NULL AND review_comment <> '')
                  + (SELECT COUNT(*) FROM target_figures WHERE report_id = $1
                        AND review_comment IS NOT NULL AND review_comment <> '') AS n",
        )
        .bind(report_id)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("n")?)
    }
}
