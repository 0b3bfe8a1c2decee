//! Completeness and timeliness: who reported on time, late or not at all,
//! per round and per commune up the tree.

use chrono::NaiveDate;
use sqlx::Row;

use super::rows::{date_text, parse_date};
use super::{Store, StoreError, StoreResult};
use crate::domain::report::{Completeness, Timeliness, timeliness};
use crate::domain::round::UnitReport;

impl Store {
    /// Who reported on time, late, or not at all, in one round.
    pub async fn round_completeness(
        &self,
        round_id: i64,
    ) -> StoreResult<(Completeness, Vec<(UnitReport, Timeliness)>)> {
        let round = self.round(round_id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut total = Completeness::default();
        let mut rows = Vec::new();
        for report in self.reports_of_round(round_id).await? {
            let t = timeliness(report.first_submitted_at, round.unit_due_on, now);
            total.add(t);
            rows.push((report, t));
        }
        Ok((total, rows))
    }

    /// Completeness of every round due in `[from, to]` inside a subtree,
    /// per commune: the rates up the tree.
    pub async fn completeness_by_commune(
        &self,
        within_path: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(i64, String, Completeness)>> {
        let rows = sqlx::query(
            "SELECT ur.commune_id AS commune_id, c.name AS commune_name, ur.first_submitted_at, r.unit_due_on
             FROM unit_reports ur JOIN report_rounds r ON r.id = ur.round_id
             JOIN units c ON c.id = ur.commune_id
             WHERE c.path LIKE $1 AND r.unit_due_on >= $2 AND r.unit_due_on <= $3
             ORDER BY c.path",
        )
        .bind(format!("{within_path}%"))
        .bind(date_text(Some(from)))
        .bind(date_text(Some(to)))
        .fetch_all(&self.read)
        .await?;
        let now = self.now_ms();
        let mut out: Vec<(i64, String, Completeness)> = Vec::new();
        for r in rows {
            let commune_id: i64 = r.try_get("commune_id")?;
            let due = parse_date(r.try_get("unit_due_on")?)?
                .ok_or_else(|| StoreError::Corrupt("due".into()))?;
            let t = timeliness(r.try_get("first_submitted_at")?, due, now);
            match out.iter_mut().find(|(id, _, _)| *id == commune_id) {
                Some((_, _, c)) => c.add(t),
                None => {
                    let mut c = Completeness::default();
                    c.add(t);
                    out.push((commune_id, r.try_get("commune_name")?, c));
                }
            }
        }
        Ok(out)
    }
}
