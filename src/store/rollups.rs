//! Rollups: counters per commune, province and nation, kept current in the
//! same transaction as every change that moves them (a task created, a
//! report accepted, a deadline changed), so a dashboard reads a few rows
//! instead of scanning millions. Each task and target remembers its last
//! contribution (`task_facts`, `target_facts`); a change applies only the
//! difference.
//!
//! Metrics and buckets:
//! - `tasks` ``: live tasks (not drafts, not marked not applicable)
//! - `tasks_open_due` `YYYY-MM-DD`: live tasks not done, by due date
//! - `tasks_open_ongoing` ``: live tasks not done that have no due date
//! - `tasks_done_on_time`, `tasks_done_late` ``: done, by the latest accepted report
//! - `tasks_status` `status`: live tasks by their latest accepted status (`none` if never)
//! - `targets_met`, `targets_not_met`, `targets_no_data` `YYYY`: per goal year
//! - `reports_expected`, `reports_on_time`, `reports_late` `YYYY-MM`: by due month

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::rows::{date_text, parse_date};
use super::{Store, StoreError, StoreResult};
use crate::domain::deadline::{Deadline, DeadlineKind};
use crate::domain::goal::{Comparator, Goal};
use crate::domain::report::end_of_day_ms;

/// One counter a record contributes to.
type Contribution = (&'static str, String);

/// The level units a record rolls up to, from its plan issuer's path
/// (`/nation/province/commune/`), each with its parent.
fn levels(path: &str) -> Vec<(i64, Option<i64>)> {
    let ids: Vec<i64> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .take(3)
        .collect();
    ids.iter()
        .enumerate()
        .map(|(i, id)| (*id, if i == 0 { None } else { Some(ids[i - 1]) }))
        .collect()
}

async fn apply(
    conn: &mut AnyConnection,
    path: &str,
    before: &[Contribution],
    after: &[Contribution],
    now: i64,
) -> StoreResult<()> {
    let mut deltas: Vec<(&'static str, String, i64)> = Vec::new();
    for (m, b) in before {
        deltas.push((m, b.clone(), -1));
    }
    for (m, b) in after {
        match deltas.iter_mut().find(|(dm, db, _)| dm == m && db == b) {
            Some(d) => d.2 += 1,
            None => deltas.push((m, b.clone(), 1)),
        }
    }
    deltas.retain(|d| d.2 != 0);
    if deltas.is_empty() {
        return Ok(());
    }
    for (unit_id, parent_id) in levels(path) {
        for (metric, bucket, delta) in &deltas {
            add(conn, unit_id, parent_id, metric, bucket, *delta).await?;
        }
        touch(conn, unit_id, now).await?;
    }
    Ok(())
}

async fn add(
    conn: &mut AnyConnection,
    unit_id: i64,
    parent_id: Option<i64>,
    metric: &str,
    bucket: &str,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO rollups (unit_id, parent_id, metric, bucket, value) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (unit_id, metric, bucket) DO UPDATE SET value = rollups.value + $5",
    )
    .bind(unit_id)
    .bind(parent_id)
    .bind(metric.to_string())
    .bind(bucket.to_string())
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn touch(conn: &mut AnyConnection, unit_id: i64, now: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO rollup_times (unit_id, updated_at) VALUES ($1, $2)
         ON CONFLICT (unit_id) DO UPDATE SET updated_at = $2",
    )
    .bind(unit_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn is_one_off(kind: DeadlineKind) -> bool {
    matches!(
        kind,
        DeadlineKind::Month
            | DeadlineKind::Quarter
            | DeadlineKind::HalfYear
            | DeadlineKind::Year
            | DeadlineKind::Date
            | DeadlineKind::Range
    )
}

/// What a task adds to the counters, from its stored fact.
fn task_contributions(
    live: bool,
    due_on: &Option<String>,
    done: &Option<String>,
    status: &Option<String>,
) -> Vec<Contribution> {
    if !live {
        return Vec::new();
    }
    let mut out = vec![("tasks", String::new())];
    out.push((
        "tasks_status",
        status.clone().unwrap_or_else(|| "none".into()),
    ));
    match (done.as_deref(), due_on) {
        (Some("on_time"), _) => out.push(("tasks_done_on_time", String::new())),
        (Some(_), _) => out.push(("tasks_done_late", String::new())),
        (None, Some(d)) => out.push(("tasks_open_due", d.clone())),
        (None, None) => out.push(("tasks_open_ongoing", String::new())),
    }
    out
}

/// Recomputes a task's fact from its row and its latest accepted report,
/// and moves the counters by the difference.
pub(super) async fn refresh_task(
    conn: &mut AnyConnection,
    task_id: i64,
    now: i64,
) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT t.province_id, t.commune_id, t.draft, t.not_applicable_reason, t.deadline_text, u.path
         FROM tasks t JOIN plans p ON p.id = t.plan_id JOIN units u ON u.id = p.issuer_unit_id
         WHERE t.id = $1",
    )
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let path: String = row.try_get("path")?;
    let live = row.try_get::<i64, _>("draft")? == 0
        && row
            .try_get::<Option<String>, _>("not_applicable_reason")?
            .is_none();
    let deadline = Deadline::parse(&row.try_get::<String, _>("deadline_text")?);
    let due = if is_one_off(deadline.kind()) {
        deadline.end()
    } else {
        None
    };
    let latest = sqlx::query(
        "SELECT tu.status, ur.first_submitted_at FROM task_updates tu
         JOIN unit_reports ur ON ur.id = tu.report_id JOIN report_rounds rr ON rr.id = ur.round_id
         WHERE tu.task_id = $1 AND ur.status = 'accepted' AND tu.status IS NOT NULL
         ORDER BY rr.unit_due_on DESC, tu.id DESC LIMIT 1",
    )
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (status, submitted_at): (Option<String>, Option<i64>) = match &latest {
        Some(r) => (r.try_get("status")?, r.try_get("first_submitted_at")?),
        None => (None, None),
    };
    let done = match status.as_deref() {
        Some("done") => match (due, submitted_at) {
            (Some(d), Some(at)) if at > end_of_day_ms(d) => Some("late".to_string()),
            _ => Some("on_time".to_string()),
        },
        Some("done_late") => Some("late".to_string()),
        _ => None,
    };
    let due_on = date_text(due);
    let old = sqlx::query("SELECT live, due_on, done, status FROM task_facts WHERE task_id = $1")
        .bind(task_id)
        .fetch_optional(&mut *conn)
        .await?;
    let before = match &old {
        Some(r) => task_contributions(
            r.try_get::<i64, _>("live")? != 0,
            &r.try_get("due_on")?,
            &r.try_get("done")?,
            &r.try_get("status")?,
        ),
        None => Vec::new(),
    };
    let after = task_contributions(live, &due_on, &done, &status);
    apply(conn, &path, &before, &after, now).await?;
    sqlx::query(
        "INSERT INTO task_facts (task_id, province_id, commune_id, live, due_on, done, status, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (task_id) DO UPDATE SET live = $4, due_on = $5, done = $6, status = $7, updated_at = $8",
    )
    .bind(task_id)
    .bind(row.try_get::<Option<i64>, _>("province_id")?)
    .bind(row.try_get::<Option<i64>, _>("commune_id")?)
    .bind(i64::from(live))
    .bind(due_on)
    .bind(done)
    .bind(status)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Recomputes a target's state for each year it has a goal: met, not met,
/// or no data, from the latest accepted figure of that year.
pub(super) async fn refresh_target(
    conn: &mut AnyConnection,
    target_id: i64,
    now: i64,
) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT g.province_id, g.commune_id, u.path FROM targets g JOIN plans p ON p.id = g.plan_id
         JOIN units u ON u.id = p.issuer_unit_id WHERE g.id = $1",
    )
    .bind(target_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let path: String = row.try_get("path")?;
    let province_id: Option<i64> = row.try_get("province_id")?;
    let commune_id: Option<i64> = row.try_get("commune_id")?;
    let goal_rows =
        sqlx::query("SELECT year, op, value, text FROM target_goals WHERE target_id = $1")
            .bind(target_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut goals = Vec::new();
    for r in goal_rows {
        let op: String = r.try_get("op")?;
        let op: Comparator = serde_json::from_value(serde_json::Value::String(op.clone()))
            .map_err(|_| StoreError::Corrupt(format!("comparator {op}")))?;
        if let Some(year) = r
            .try_get::<Option<i64>, _>("year")?
            .and_then(|y| i32::try_from(y).ok())
        {
            goals.push(Goal {
                year: Some(year),
                op,
                value: r.try_get("value")?,
                text: r.try_get("text")?,
            });
        }
    }
    let old = sqlx::query("SELECT year, state FROM target_facts WHERE target_id = $1")
        .bind(target_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut before = Vec::new();
    for r in &old {
        let state: String = r.try_get("state")?;
        before.push((
            state_metric(&state),
            r.try_get::<i64, _>("year")?.to_string(),
        ));
    }
    sqlx::query("DELETE FROM target_facts WHERE target_id = $1")
        .bind(target_id)
        .execute(&mut *conn)
        .await?;
    let mut after = Vec::new();
    for goal in &goals {
        let Some(year) = goal.year else { continue };
        let latest = sqlx::query(
            "SELECT f.value FROM target_figures f JOIN unit_reports ur ON ur.id = f.report_id
             JOIN report_rounds rr ON rr.id = ur.round_id
             WHERE f.target_id = $1 AND ur.status = 'accepted' AND f.value IS NOT NULL
               AND rr.unit_due_on >= $2 AND rr.unit_due_on <= $3
             ORDER BY rr.unit_due_on DESC, f.id DESC LIMIT 1",
        )
        .bind(target_id)
        .bind(format!("{year}-01-01"))
        .bind(format!("{year}-12-31"))
        .fetch_optional(&mut *conn)
        .await?;
        let value: Option<f64> = match latest {
            Some(r) => r.try_get("value")?,
            None => None,
        };
        let state = match value {
            Some(v) if goal.is_met_by(v) => "met",
            Some(_) => "not_met",
            None => "no_data",
        };
        after.push((state_metric(state), year.to_string()));
        // sqlx 0.9's Any driver binds a NULL f64 as a float4 on PostgreSQL; a
        // statement cached with that type then refuses a real f64 ("incorrect
        // binary data format"), so this one is prepared afresh each time.
        sqlx::query(
            "INSERT INTO target_facts (target_id, year, province_id, commune_id, state, value, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .persistent(false)
        .bind(target_id)
        .bind(i64::from(year))
        .bind(province_id)
        .bind(commune_id)
        .bind(state)
        .bind(value)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    apply(conn, &path, &before, &after, now).await
}

fn state_metric(state: &str) -> &'static str {
    match state {
        "met" => "targets_met",
        "not_met" => "targets_not_met",
        _ => "targets_no_data",
    }
}

/// Counts reports expected in a round, by its due month.
pub(super) async fn reports_expected(
    conn: &mut AnyConnection,
    path: &str,
    due: NaiveDate,
    n: i64,
    now: i64,
) -> StoreResult<()> {
    let bucket = due.format("%Y-%m").to_string();
    for (unit_id, parent_id) in levels(path) {
        add(conn, unit_id, parent_id, "reports_expected", &bucket, n).await?;
        touch(conn, unit_id, now).await?;
    }
    Ok(())
}

/// Counts a report's first submission, on time or late.
pub(super) async fn report_received(
    conn: &mut AnyConnection,
    path: &str,
    due: NaiveDate,
    on_time: bool,
    now: i64,
) -> StoreResult<()> {
    let bucket = due.format("%Y-%m").to_string();
    let metric = if on_time {
        "reports_on_time"
    } else {
        "reports_late"
    };
    for (unit_id, parent_id) in levels(path) {
        add(conn, unit_id, parent_id, metric, &bucket, 1).await?;
        touch(conn, unit_id, now).await?;
    }
    Ok(())
}

/// The counters of one unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    pub unit_id: i64,
    pub rows: Vec<(String, String, i64)>,
    pub updated_at: Option<i64>,
}

impl Rollup {
    pub fn get(&self, metric: &str, bucket: &str) -> i64 {
        self.rows
            .iter()
            .filter(|(m, b, _)| m == metric && b == bucket)
            .map(|(_, _, v)| *v)
            .sum()
    }

    pub fn sum(&self, metric: &str, keep: impl Fn(&str) -> bool) -> i64 {
        self.rows
            .iter()
            .filter(|(m, b, _)| m == metric && keep(b))
            .map(|(_, _, v)| *v)
            .sum()
    }

    /// Open tasks due on a date in `[from, to]`.
    pub fn open_due_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.rows
            .iter()
            .filter(|(m, _, _)| m == "tasks_open_due")
            .filter_map(|(_, b, v)| parse_date(Some(b.clone())).ok().flatten().map(|d| (d, *v)))
            .filter(|(d, _)| *d >= from && *d <= to)
            .map(|(_, v)| v)
            .sum()
    }

    /// Open tasks whose due date has passed.
    pub fn overdue(&self, today: NaiveDate) -> i64 {
        self.rows
            .iter()
            .filter(|(m, _, _)| m == "tasks_open_due")
            .filter_map(|(_, b, v)| parse_date(Some(b.clone())).ok().flatten().map(|d| (d, *v)))
            .filter(|(d, _)| *d < today)
            .map(|(_, v)| v)
            .sum()
    }
}

impl Store {
    pub async fn rollup(&self, unit_id: i64) -> StoreResult<Rollup> {
        let rows = sqlx::query(
            "SELECT metric, bucket, value FROM rollups WHERE unit_id = $1 AND value <> 0",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        let time = sqlx::query("SELECT updated_at FROM rollup_times WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_optional(&self.read)
            .await?;
        let mut out = Rollup {
            unit_id,
            rows: Vec::with_capacity(rows.len()),
            updated_at: match time {
                Some(r) => Some(r.try_get("updated_at")?),
                None => None,
            },
        };
        for r in rows {
            out.rows.push((
                r.try_get("metric")?,
                r.try_get("bucket")?,
                r.try_get("value")?,
            ));
        }
        Ok(out)
    }

    /// The counters of every child of a level (communes of a province,
    /// provinces of the nation), for rankings.
    pub async fn child_rollups(&self, parent_id: i64) -> StoreResult<Vec<Rollup>> {
        let rows = sqlx::query(
            "SELECT unit_id, metric, bucket, value FROM rollups WHERE parent_id = $1 AND value <> 0 ORDER BY unit_id",
        )
        .bind(parent_id)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<Rollup> = Vec::new();
        for r in rows {
            let unit_id: i64 = r.try_get("unit_id")?;
            let row = (
                r.try_get("metric")?,
                r.try_get("bucket")?,
                r.try_get("value")?,
            );
            match out.last_mut() {
                Some(last) if last.unit_id == unit_id => last.rows.push(row),
                _ => out.push(Rollup {
                    unit_id,
                    rows: vec![row],
                    updated_at: None,
                }),
            }
        }
        Ok(out)
    }

    /// Rebuilds every fact and counter from the records, for a database
    /// that predates the rollups or after a bulk load. Safe to run twice.
    pub async fn rebuild_rollups(&self) -> StoreResult<()> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        for sql in [
            "DELETE FROM rollups",
            "DELETE FROM rollup_times",
            "DELETE FROM task_facts",
            "DELETE FROM target_facts",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        let tasks = sqlx::query("SELECT id FROM tasks ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for r in tasks {
            refresh_task(&mut tx, r.try_get("id")?, now).await?;
        }
        let targets = sqlx::query("SELECT id FROM targets ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for r in targets {
            refresh_target(&mut tx, r.try_get("id")?, now).await?;
        }
        let reports = sqlx::query(
            "SELECT u.path, r.unit_due_on, ur.first_submitted_at FROM unit_reports ur
             JOIN report_rounds r ON r.id = ur.round_id JOIN plans p ON p.id = r.plan_id
             JOIN units u ON u.id = p.issuer_unit_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for r in reports {
            let path: String = r.try_get("path")?;
            let due = parse_date(r.try_get("unit_due_on")?)?
                .ok_or_else(|| StoreError::Corrupt("due".into()))?;
            reports_expected(&mut tx, &path, due, 1, now).await?;
            if let Some(at) = r.try_get::<Option<i64>, _>("first_submitted_at")? {
                report_received(&mut tx, &path, due, at <= end_of_day_ms(due), now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Accepted figures of a target, oldest first, dated by their round's
    /// due date: the history a trajectory is drawn from.
    pub async fn target_history(&self, target_id: i64) -> StoreResult<Vec<(NaiveDate, f64)>> {
        let rows = sqlx::query(
            "SELECT rr.unit_due_on, f.value FROM target_figures f JOIN unit_reports ur ON ur.id = f.report_id
             JOIN report_rounds rr ON rr.id = ur.round_id
             WHERE f.target_id = $1 AND ur.status = 'accepted' AND f.value IS NOT NULL
             ORDER BY rr.unit_due_on, f.id",
        )
        .bind(target_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(d) = parse_date(r.try_get("unit_due_on")?)? {
                out.push((d, r.try_get("value")?));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_rolls_up_to_its_levels() {
        assert_eq!(
            levels("/1/5/9/"),
            vec![(1, None), (5, Some(1)), (9, Some(5))]
        );
        assert_eq!(levels("/1/5/"), vec![(1, None), (5, Some(1))]);
        assert_eq!(
            levels("/1/5/9/12/"),
            vec![(1, None), (5, Some(1)), (9, Some(5))]
        );
    }

    #[test]
    fn a_task_contributes_by_its_state() {
        let due = Some("2026-07-31".to_string());
        assert_eq!(
            task_contributions(true, &due, &None, &None),
            vec![
                ("tasks", String::new()),
                ("tasks_status", "none".into()),
                ("tasks_open_due", "2026-07-31".into())
            ]
        );
        assert_eq!(
            task_contributions(false, &due, &None, &None),
            Vec::<Contribution>::new()
        );
        let done = task_contributions(true, &due, &Some("late".into()), &Some("done_late".into()));
        assert!(done.contains(&("tasks_done_late", String::new())));
    }
}
