//! Where each task stands, for the lists and the task page: its fact (due
//! date, done or not), its latest accepted report (status, percent,
//! result, evidence), and every report that named it.

use chrono::NaiveDate;
use sqlx::Row;

use super::rows::parse_date;
use super::{Store, StoreResult};

/// A task's standing: its counted fact and its latest accepted update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskStanding {
    pub task_id: i64,
    /// Counted on the dashboards (not a draft, not set aside).
    pub live: bool,
    /// The due date it answers to now, if any.
    pub due_on: Option<NaiveDate>,
    /// `on_time` or `late` once done.
    pub done: Option<String>,
    /// From the latest accepted report.
    pub status: Option<String>,
    pub percent: Option<i64>,
    pub result: Option<String>,
    pub evidence: i64,
    /// The unit and period of that report.
    pub reported_by: Option<String>,
    pub period_key: Option<String>,
}

/// One report that named a task: who, for which period, what they said,
/// and where the report stands.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskReportLine {
    pub report_id: i64,
    pub unit_name: String,
    pub period_key: String,
    pub round_title: Option<String>,
    pub status: Option<String>,
    pub percent: Option<i64>,
    pub result: Option<String>,
    pub nothing_this_period: bool,
    pub evidence: i64,
    pub report_status: String,
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_comment: Option<String>,
}

/// A plan's counted tasks, how many are done and how many overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanProgress {
    pub plan_id: i64,
    pub tasks: i64,
    pub done: i64,
    pub overdue: i64,
}

const LATEST: &str = "SELECT tu.report_id FROM task_updates tu
    JOIN unit_reports ur ON ur.id = tu.report_id JOIN report_rounds rr ON rr.id = ur.round_id
    WHERE tu.task_id = t.id AND ur.status = 'accepted' AND tu.status IS NOT NULL
    ORDER BY rr.unit_due_on DESC, tu.id DESC LIMIT 1";

impl Store {
    /// The standing of each task named, in no particular order; a task
    /// with no fact and no report has the default standing.
    pub async fn task_standings(&self, ids: &[i64]) -> StoreResult<Vec<TaskStanding>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT t.id AS task_id, f.live, f.due_on, f.done,
                    tu.status, tu.percent, tu.result, un.name AS unit_name, rr.period_key,
                    (SELECT COUNT(*) FROM evidence e WHERE e.report_id = tu.report_id AND e.task_id = t.id) AS evidence
             FROM tasks t LEFT JOIN task_facts f ON f.task_id = t.id
             LEFT JOIN task_updates tu ON tu.task_id = t.id AND tu.report_id = ({LATEST})
             LEFT JOIN unit_reports ur ON ur.id = tu.report_id
             LEFT JOIN units un ON un.id = ur.unit_id
             LEFT JOIN report_rounds rr ON rr.id = ur.round_id
             WHERE t.id IN ({})",
            list.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskStanding {
                    task_id: r.try_get("task_id")?,
                    live: r.try_get::<Option<i64>, _>("live")?.unwrap_or(0) == 1,
                    due_on: parse_date(r.try_get("due_on")?)?,
                    done: r.try_get("done")?,
                    status: r.try_get("status")?,
                    percent: r.try_get("percent")?,
                    result: r.try_get("result")?,
                    evidence: r.try_get::<Option<i64>, _>("evidence")?.unwrap_or(0),
                    reported_by: r.try_get("unit_name")?,
                    period_key: r.try_get("period_key")?,
                })
            })
            .collect()
    }

    /// The progress of each plan named, from its tasks' counted facts.
    pub async fn plan_progress(
        &self,
        plan_ids: &[i64],
        today: NaiveDate,
    ) -> StoreResult<Vec<PlanProgress>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = plan_ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT t.plan_id,
                    SUM(CASE WHEN f.live = 1 THEN 1 ELSE 0 END) AS tasks,
                    SUM(CASE WHEN f.live = 1 AND f.done IS NOT NULL THEN 1 ELSE 0 END) AS done,
                    SUM(CASE WHEN f.live = 1 AND f.done IS NULL AND f.due_on < $1 THEN 1 ELSE 0 END) AS overdue
             FROM tasks t JOIN task_facts f ON f.task_id = t.id
             WHERE t.plan_id IN ({}) GROUP BY t.plan_id",
            list.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(today.format("%Y-%m-%d").to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanProgress {
                    plan_id: r.try_get("plan_id")?,
                    tasks: r.try_get::<Option<i64>, _>("tasks")?.unwrap_or(0),
                    done: r.try_get::<Option<i64>, _>("done")?.unwrap_or(0),
                    overdue: r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Each target's state (`met`, `not_met`, `no_data`) and latest
    /// accepted value for a goal year: (target id, state, value).
    pub async fn target_standings(
        &self,
        ids: &[i64],
        year: i32,
    ) -> StoreResult<Vec<(i64, String, Option<f64>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT target_id, state, value FROM target_facts WHERE year = $1 AND target_id IN ({})",
            list.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(year))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("target_id")?,
                    r.try_get("state")?,
                    r.try_get("value")?,
                ))
            })
            .collect()
    }

    /// Every report that named the task, newest period first.
    pub async fn task_report_lines(&self, task_id: i64) -> StoreResult<Vec<TaskReportLine>> {
        let rows = sqlx::query(
            "SELECT ur.id AS report_id, un.name AS unit_name, rr.period_key, rr.title,
                    tu.status, tu.percent, tu.result, tu.nothing_this_period, ur.status AS report_status,
                    ur.submitted_at, ur.reviewed_at, tu.review_comment,
                    (SELECT COUNT(*) FROM evidence e WHERE e.report_id = ur.id AND e.task_id = tu.task_id) AS evidence
             FROM task_updates tu JOIN unit_reports ur ON ur.id = tu.report_id
             JOIN units un ON un.id = ur.unit_id JOIN report_rounds rr ON rr.id = ur.round_id
             WHERE tu.task_id = $1 AND ur.status <> 'pending'
             ORDER BY rr.unit_due_on DESC, ur.id DESC LIMIT 100",
        )
        .bind(task_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskReportLine {
                    report_id: r.try_get("report_id")?,
                    unit_name: r.try_get("unit_name")?,
                    period_key: r.try_get("period_key")?,
                    round_title: r.try_get("title")?,
                    status: r.try_get("status")?,
                    percent: r.try_get("percent")?,
                    result: r.try_get("result")?,
                    nothing_this_period: r
                        .try_get::<Option<i64>, _>("nothing_this_period")?
                        .unwrap_or(0)
                        == 1,
                    evidence: r.try_get("evidence")?,
                    report_status: r.try_get("report_status")?,
                    submitted_at: r.try_get("submitted_at")?,
                    reviewed_at: r.try_get("reviewed_at")?,
                    review_comment: r.try_get("review_comment")?,
                })
            })
            .collect()
    }
}
