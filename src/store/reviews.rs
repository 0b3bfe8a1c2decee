//! What the reviews over the term read: the task answers and target
//! figures of a plan's accepted unit reports, in the rounds due within a
//! span. Nothing else is read: a report not accepted counts for nothing.

use chrono::NaiveDate;
use sqlx::Row;

use super::rows::date_text;
use super::{Store, StoreError, StoreResult};
use crate::domain::period::ReportingPeriod;
use crate::domain::report::TaskStatus;
use crate::domain::review::{AcceptedFigure, AcceptedTask};

/// Rounds of a plan due within the span, accepted reports only.
const ACCEPTED_IN_SPAN: &str = "JOIN unit_reports ur ON ur.id = x.report_id
     JOIN report_rounds r ON r.id = ur.round_id
     WHERE r.plan_id = $1 AND ur.status = 'accepted'
       AND r.unit_due_on >= $2 AND r.unit_due_on <= $3";

impl Store {
    /// Each task answer in the plan's accepted reports of rounds due from
    /// `from` to `to` (a round is due in its period's last month, so these
    /// are the rounds of the span and a few more the review sorts out),
    /// with the unit that gave it. `leads` is left false: the caller knows
    /// the tasks' leads.
    pub async fn accepted_task_answers(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(i64, AcceptedTask)>> {
        let sql = format!(
            "SELECT r.id AS round_id, r.period_key, ur.unit_id, x.task_id, x.status, x.percent,
                    x.result, x.nothing_this_period
             FROM task_updates x {ACCEPTED_IN_SPAN} ORDER BY r.id, ur.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(date_text(Some(from)))
            .bind(date_text(Some(to)))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let status: Option<String> = r.try_get("status")?;
                Ok((
                    r.try_get("unit_id")?,
                    AcceptedTask {
                        round_id: r.try_get("round_id")?,
                        period: period(r.try_get("period_key")?)?,
                        task_id: r.try_get("task_id")?,
                        leads: false,
                        status: status.as_deref().and_then(TaskStatus::parse),
                        percent: r
                            .try_get::<Option<i64>, _>("percent")?
                            .and_then(|p| u8::try_from(p).ok()),
                        result: r.try_get("result")?,
                        nothing_this_period: r.try_get::<i64, _>("nothing_this_period")? != 0,
                    },
                ))
            })
            .collect()
    }

    /// Each target figure in the plan's accepted reports of rounds due from
    /// `from` to `to`, in the order the reports were made.
    pub async fn accepted_target_figures(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<AcceptedFigure>> {
        let sql = format!(
            "SELECT r.id AS round_id, r.period_key, x.target_id, x.value, x.nothing_this_period
             FROM target_figures x {ACCEPTED_IN_SPAN} ORDER BY r.id, ur.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(date_text(Some(from)))
            .bind(date_text(Some(to)))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AcceptedFigure {
                    round_id: r.try_get("round_id")?,
                    period: period(r.try_get("period_key")?)?,
                    target_id: r.try_get("target_id")?,
                    value: r.try_get("value")?,
                    nothing_this_period: r.try_get::<i64, _>("nothing_this_period")? != 0,
                })
            })
            .collect()
    }
}

fn period(key: String) -> StoreResult<ReportingPeriod> {
    ReportingPeriod::parse_key(&key).ok_or_else(|| StoreError::Corrupt(format!("period {key}")))
}
