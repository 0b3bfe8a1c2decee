//! Rollups in SQL: the counters per commune, province and nation that the
//! dashboards read (`rollups`, `rollup_times`), and the facts each task and
//! target remembers of its last contribution (`task_facts`,
//! `target_facts`). What counts where is decided in `domain::rollup`; this
//! module only reads the records those rules need and writes the result.
//!
//! Every change that moves a counter (a task created, a deadline changed, a
//! report sent or accepted) moves it in its own transaction, so a figure
//! reflects an accepted report at once. The changes are not written as they
//! are found: the write path collects them in a [`RollupDeltas`] and
//! [`RollupDeltas::commit`] writes them once, just before the commit, in
//! one order (unit, metric, bucket) and with one timestamp per level.
//! Two reports accepted at the same moment both add to the same nation and
//! province rows; written in the order each found them, PostgreSQL would
//! let each hold a row the other waits for and abort one as a deadlock.
//! Written in the same order, the second simply waits for the first.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use sqlx::{Any, AnyConnection, Row, Transaction};

use super::rows::{bind_real, date_text, parse_date, placeholders};
use super::{Store, StoreError, StoreResult};
use crate::domain::deadline::{Deadline, DeadlineKind};
use crate::domain::figures::BucketsUsed;
use crate::domain::goal::{Comparator, Goal};
use crate::domain::report::{TaskStatus, vietnam_date};
use crate::domain::rollup::{
    Counter, Counts, Metric, Month, Rollup, TaskFact, levels, report_expected, report_received,
    target_counter,
};
use crate::domain::standing::{RankCounts, RankWindow};
use crate::domain::status::{
    AcceptedUpdate, DoneTiming, EarlierDeadline, Measure, TargetState, goal_state, trajectory_of,
};

/// The counter changes of one transaction, by level unit, kept sorted so
/// they are written in one order; and the levels they reached, whose
/// "as of" time moves.
#[derive(Debug)]
pub(super) struct RollupDeltas {
    pub(super) now: i64,
    /// The day facts are computed for: a recurring task answers to the
    /// occurrence due next on this day.
    pub(super) today: NaiveDate,
    levels: BTreeMap<i64, (Option<i64>, Counts)>,
    touched: BTreeSet<i64>,
}

impl RollupDeltas {
    /// Changes made at `now` (epoch ms), the time every level they reach
    /// is stamped with.
    pub(super) fn new(now: i64) -> RollupDeltas {
        RollupDeltas {
            now,
            today: vietnam_date(now),
            levels: BTreeMap::new(),
            touched: BTreeSet::new(),
        }
    }

    /// Adds a record's change to every level of its plan's path. A record
    /// whose counters did not move touches nothing.
    fn add(&mut self, path: &str, change: &Counts) {
        if change.is_empty() {
            return;
        }
        for (unit_id, parent_id) in levels(path) {
            let level = self
                .levels
                .entry(unit_id)
                .or_insert_with(|| (parent_id, Counts::default()));
            level.1.merge(change);
            self.touched.insert(unit_id);
        }
    }

    /// Marks every level of a plan's path as moved without changing a
    /// counter: what a dashboard shows besides its counters (a target's
    /// trend) changed.
    fn touch(&mut self, path: &str) {
        for (unit_id, _) in levels(path) {
            self.touched.insert(unit_id);
        }
    }

    /// Counts `n` reports expected in a round due on `due`.
    pub(super) fn reports_expected(&mut self, path: &str, due: NaiveDate, n: i64) {
        let mut change = Counts::default();
        change.add(report_expected(due), n);
        self.add(path, &change);
    }

    /// Counts a report's first submission, on time or late.
    pub(super) fn report_received(&mut self, path: &str, due: NaiveDate, first_submitted_at: i64) {
        let mut change = Counts::default();
        change.add(report_received(due, first_submitted_at), 1);
        self.add(path, &change);
    }

    /// Writes the changes, then commits. The rows go in one order (unit,
    /// then metric, then bucket; then the levels' times by unit) in every
    /// transaction, which is what keeps two writers from deadlocking; and
    /// nothing can be added between the write and the commit.
    pub(super) async fn commit(self, mut tx: Transaction<'_, Any>) -> StoreResult<()> {
        self.write(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Many rows a statement: the locks are taken in the rows' order all
    /// the same, and a transaction holds the nation's and the province's
    /// rows for one round trip, not one a counter.
    async fn write(self, conn: &mut AnyConnection) -> StoreResult<()> {
        let rows: Vec<(i64, Option<i64>, Counter, i64)> = self
            .levels
            .iter()
            .flat_map(|(unit_id, (parent_id, counts))| {
                counts
                    .iter()
                    .map(move |(counter, delta)| (*unit_id, *parent_id, counter, delta))
            })
            .collect();
        for chunk in rows.chunks(WRITE_ROWS) {
            let sql = format!(
                "INSERT INTO rollups (unit_id, parent_id, metric, bucket, value) VALUES {}
                 ON CONFLICT (unit_id, metric, bucket) DO UPDATE SET value = rollups.value + excluded.value",
                placeholders(chunk.len(), 5)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (unit_id, parent_id, counter, delta) in chunk {
                q = q
                    .bind(*unit_id)
                    .bind(*parent_id)
                    .bind(counter.metric().as_str())
                    .bind(counter.bucket())
                    .bind(*delta);
            }
            q.execute(&mut *conn).await?;
        }
        let touched: Vec<i64> = self.touched.iter().copied().collect();
        for chunk in touched.chunks(WRITE_ROWS) {
            // Strictly later than the time it replaces, even for two
            // changes within one millisecond: the time is also the key of
            // the unit's cached dashboard, which must move with every
            // change.
            let sql = format!(
                "INSERT INTO rollup_times (unit_id, updated_at) VALUES {}
                 ON CONFLICT (unit_id) DO UPDATE SET updated_at = CASE
                     WHEN rollup_times.updated_at >= excluded.updated_at THEN rollup_times.updated_at + 1
                     ELSE excluded.updated_at END",
                placeholders(chunk.len(), 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for unit_id in chunk {
                q = q.bind(*unit_id).bind(self.now);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Counter rows written per statement.
const WRITE_ROWS: usize = 500;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

fn task_status(text: &str) -> StoreResult<TaskStatus> {
    TaskStatus::parse(text).ok_or_else(|| corrupt("task status", text))
}

/// Recomputes a task's fact from its row and its accepted updates, and adds
/// the difference to the counters.
pub(super) async fn refresh_task(
    conn: &mut AnyConnection,
    deltas: &mut RollupDeltas,
    task_id: i64,
) -> StoreResult<()> {
    // The task's row lock, held to the commit: two reports on the same task
    // accepted at once take turns, and the second reads the first's fact
    // (on PostgreSQL each statement sees what committed before it).
    sqlx::query("UPDATE tasks SET version = version WHERE id = $1")
        .bind(task_id)
        .execute(&mut *conn)
        .await?;
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
    let updates = accepted_updates(conn, task_id).await?;
    let earlier = earlier_deadlines(conn, task_id).await?;
    let after = TaskFact::judged(live, &deadline, &earlier, &updates, deltas.today);
    let before = task_fact(conn, task_id).await?;
    let before = before.map(|f| f.counters()).unwrap_or_default();
    deltas.add(&path, &Counts::change(&before, &after.counters()));
    sqlx::query(
        "INSERT INTO task_facts (task_id, province_id, commune_id, live, due_on, done, status, updated_at,
                last_update, first_done)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (task_id) DO UPDATE SET live = $4, due_on = $5, done = $6, status = $7,
                updated_at = $8, last_update = $9, first_done = $10",
    )
    .bind(task_id)
    .bind(row.try_get::<Option<i64>, _>("province_id")?)
    .bind(row.try_get::<Option<i64>, _>("commune_id")?)
    .bind(i64::from(after.live))
    .bind(date_text(after.due_on))
    .bind(after.done.map(DoneTiming::as_str))
    .bind(after.status.map(TaskStatus::as_str))
    .bind(deltas.now)
    .bind(after.last_update.map(|m| m.to_string()))
    .bind(after.first_done.map(|m| m.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The deadlines a task had before its current one, oldest first, each
/// with the moment a change replaced it (`deadline_changes`).
async fn earlier_deadlines(
    conn: &mut AnyConnection,
    task_id: i64,
) -> StoreResult<Vec<EarlierDeadline>> {
    let rows = sqlx::query(
        "SELECT old_text, changed_at FROM deadline_changes WHERE task_id = $1 ORDER BY changed_at, id",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EarlierDeadline {
                until: r.try_get("changed_at")?,
                deadline: Deadline::parse(&r.try_get::<String, _>("old_text")?),
            })
        })
        .collect()
}

/// A task's accepted updates that carry a status, oldest round first.
async fn accepted_updates(
    conn: &mut AnyConnection,
    task_id: i64,
) -> StoreResult<Vec<AcceptedUpdate>> {
    let rows = sqlx::query(
        "SELECT tu.status, rr.unit_due_on, ur.first_submitted_at FROM task_updates tu
         JOIN unit_reports ur ON ur.id = tu.report_id JOIN report_rounds rr ON rr.id = ur.round_id
         WHERE tu.task_id = $1 AND ur.status = 'accepted' AND tu.status IS NOT NULL
         ORDER BY rr.unit_due_on, tu.id",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(AcceptedUpdate {
            status: task_status(&r.try_get::<String, _>("status")?)?,
            round_due_on: parse_date(r.try_get("unit_due_on")?)?
                .ok_or_else(|| corrupt("round due date", "NULL"))?,
            first_submitted_at: r.try_get("first_submitted_at")?,
        });
    }
    Ok(out)
}

/// The fact the task last contributed by, if it has one.
async fn task_fact(conn: &mut AnyConnection, task_id: i64) -> StoreResult<Option<TaskFact>> {
    let row = sqlx::query(
        "SELECT live, due_on, done, status, last_update, first_done FROM task_facts
         WHERE task_id = $1",
    )
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let done = match r.try_get::<Option<String>, _>("done")? {
        Some(d) => Some(DoneTiming::parse(&d).ok_or_else(|| corrupt("done", &d))?),
        None => None,
    };
    let status = match r.try_get::<Option<String>, _>("status")? {
        Some(s) => Some(task_status(&s)?),
        None => None,
    };
    Ok(Some(TaskFact {
        live: r.try_get::<i64, _>("live")? != 0,
        due_on: parse_date(r.try_get("due_on")?)?,
        done,
        status,
        last_update: match r.try_get::<Option<String>, _>("last_update")? {
            Some(m) => Some(Month::parse(&m).ok_or_else(|| corrupt("last_update", &m))?),
            None => None,
        },
        first_done: match r.try_get::<Option<String>, _>("first_done")? {
            Some(m) => Some(Month::parse(&m).ok_or_else(|| corrupt("first_done", &m))?),
            None => None,
        },
    }))
}

/// Recomputes a target's state for each year it has a goal (met, not met,
/// or no data, from the latest accepted figure of that year), and adds the
/// difference to the counters.
pub(super) async fn refresh_target(
    conn: &mut AnyConnection,
    deltas: &mut RollupDeltas,
    target_id: i64,
) -> StoreResult<()> {
    // As for tasks: two accepted figures of one target take turns.
    sqlx::query("UPDATE targets SET version = version WHERE id = $1")
        .bind(target_id)
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query(
        "SELECT g.province_id, g.commune_id, g.measure_unit, u.path FROM targets g
         JOIN plans p ON p.id = g.plan_id JOIN units u ON u.id = p.issuer_unit_id WHERE g.id = $1",
    )
    .bind(target_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let path: String = row.try_get("path")?;
    let province_id: Option<i64> = row.try_get("province_id")?;
    let commune_id: Option<i64> = row.try_get("commune_id")?;
    let measure_unit: Option<String> = row.try_get("measure_unit")?;
    let goals = dated_goals(conn, target_id).await?;
    let trend = {
        let history = accepted_history(conn, target_id).await?;
        let plain: Vec<Goal> = goals.iter().map(|(_, g)| g.clone()).collect();
        trajectory_of(&plain, measure_unit.as_deref(), &history, deltas.today)
    };
    let old = sqlx::query("SELECT year, state FROM target_facts WHERE target_id = $1")
        .bind(target_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut before = Vec::new();
    for r in &old {
        let state: String = r.try_get("state")?;
        let state = TargetState::parse(&state).ok_or_else(|| corrupt("target state", &state))?;
        let year = i32::try_from(r.try_get::<i64, _>("year")?)
            .map_err(|_| corrupt("target year", "out of range"))?;
        before.push(target_counter(state, year));
    }
    sqlx::query("DELETE FROM target_facts WHERE target_id = $1")
        .bind(target_id)
        .execute(&mut *conn)
        .await?;
    let mut after = Vec::new();
    for (year, goal) in &goals {
        let value = latest_figure(conn, target_id, *year).await?;
        let state = goal_state(goal, value);
        after.push(target_counter(state, *year));
        // A goal already met needs no warning about the trend.
        let warning = trend
            .iter()
            .find(|w| w.year == *year)
            .filter(|_| state != TargetState::Met);
        let query = bind_real(
            sqlx::query(
                "INSERT INTO target_facts (target_id, year, province_id, commune_id, state, value,
                        updated_at, projected, off_track)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(target_id)
            .bind(i64::from(*year))
            .bind(province_id)
            .bind(commune_id)
            .bind(state.as_str()),
            value,
        )
        .bind(deltas.now);
        bind_real(query, warning.map(|w| w.projected))
            .bind(warning.map(|w| w.message.clone()))
            .execute(&mut *conn)
            .await?;
    }
    deltas.add(&path, &Counts::change(&before, &after));
    // Its trend may have moved even when no counter did: the dashboards
    // above it list targets off track.
    deltas.touch(&path);
    Ok(())
}

/// A target's accepted figures, oldest first, dated by their round's due
/// date: the points its trend is drawn through.
async fn accepted_history(conn: &mut AnyConnection, target_id: i64) -> StoreResult<Vec<Measure>> {
    let rows = sqlx::query(
        "SELECT rr.unit_due_on, f.value FROM target_figures f JOIN unit_reports ur ON ur.id = f.report_id
         JOIN report_rounds rr ON rr.id = ur.round_id
         WHERE f.target_id = $1 AND ur.status = 'accepted' AND f.value IS NOT NULL
         ORDER BY rr.unit_due_on, f.id",
    )
    .bind(target_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        if let Some(on) = parse_date(r.try_get("unit_due_on")?)? {
            out.push(Measure {
                on,
                value: r.try_get("value")?,
            });
        }
    }
    Ok(out)
}

/// A target's goals that name a year; only those are counted.
async fn dated_goals(conn: &mut AnyConnection, target_id: i64) -> StoreResult<Vec<(i32, Goal)>> {
    let rows = sqlx::query("SELECT year, op, value, text FROM target_goals WHERE target_id = $1")
        .bind(target_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut goals = Vec::new();
    for r in rows {
        let op: String = r.try_get("op")?;
        let op: Comparator = serde_json::from_value(serde_json::Value::String(op.clone()))
            .map_err(|_| corrupt("comparator", &op))?;
        if let Some(year) = r
            .try_get::<Option<i64>, _>("year")?
            .and_then(|y| i32::try_from(y).ok())
        {
            let goal = Goal {
                year: Some(year),
                op,
                value: r.try_get("value")?,
                text: r.try_get("text")?,
            };
            goals.push((year, goal));
        }
    }
    Ok(goals)
}

/// The latest accepted figure of a target in a year, by its round's due date.
/// The figure a target's year is judged by: for a target fed by an
/// automatic source (citizens' satisfaction, initiatives recognised), that
/// source's figure for the year; otherwise the latest accepted figure of a
/// round due in the year.
async fn latest_figure(
    conn: &mut AnyConnection,
    target_id: i64,
    year: i32,
) -> StoreResult<Option<f64>> {
    let linked = sqlx::query("SELECT 1 AS linked FROM target_sources WHERE target_id = $1")
        .bind(target_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if linked {
        let auto =
            sqlx::query("SELECT value FROM auto_figures WHERE target_id = $1 AND period_key = $2")
                .bind(target_id)
                .bind(format!("{year:04}"))
                .fetch_optional(&mut *conn)
                .await?;
        return Ok(match auto {
            Some(r) => r.try_get("value")?,
            None => None,
        });
    }
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
    Ok(match latest {
        Some(r) => r.try_get("value")?,
        None => None,
    })
}

/// See [`Store::dashboard_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardKey {
    /// When the level's counters last moved (epoch ms, strictly increasing).
    pub counters_at: Option<i64>,
    /// Days in the calendar table and when one last changed.
    pub calendar: (i64, Option<i64>),
}

/// The stored names of `metrics`, quoted, for `metric IN (…)`.
fn list(metrics: &[Metric]) -> String {
    metrics
        .iter()
        .map(|m| format!("'{}'", m.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows [`BucketsUsed::keeps`] of the unit `$1`: one range of the
/// index `rollups_read` (unit, metric, bucket) a metric group, on `$2` (the target
/// year), `$3`, `$4` (the first and last report month), `$5` (the first
/// month whose updates count as recent), `$6`, `$7` (the months of the
/// "tasks done" trend); bound by [`bind_buckets`]. Ranges joined by
/// UNION ALL, so both engines walk the index from the first row wanted to
/// the last, where one condition with OR made them read every counter of
/// the unit and filter.
fn buckets_used_sql() -> String {
    let targets = [
        Metric::TargetsMet,
        Metric::TargetsNotMet,
        Metric::TargetsNoData,
    ];
    let reports = [
        Metric::ReportsExpected,
        Metric::ReportsOnTime,
        Metric::ReportsLate,
    ];
    let by_bucket = [
        &targets[..],
        &reports[..],
        &[Metric::TasksOpenUpdated, Metric::TasksFirstDone][..],
    ]
    .concat();
    let whole: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| !by_bucket.contains(m))
        .collect();
    let part = |condition: String| {
        format!(
            "SELECT metric, bucket, value FROM rollups WHERE unit_id = $1 AND value <> 0 AND {condition}"
        )
    };
    [
        part(format!("metric IN ({})", list(&whole))),
        part(format!("metric IN ({}) AND bucket = $2", list(&targets))),
        part(format!(
            "metric IN ({}) AND bucket >= $3 AND bucket <= $4",
            list(&reports)
        )),
        part(format!(
            "metric = '{}' AND bucket >= $5",
            Metric::TasksOpenUpdated.as_str()
        )),
        part(format!(
            "metric = '{}' AND bucket >= $6 AND bucket <= $7",
            Metric::TasksFirstDone.as_str()
        )),
    ]
    .join(" UNION ALL ")
}

fn bind_buckets<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    used: &BucketsUsed,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    q.bind(used.target_year.to_string())
        .bind(used.report_months.0.to_string())
        .bind(used.report_months.1.to_string())
        .bind(used.updated_since.to_string())
        .bind(used.done_months.0.to_string())
        .bind(used.done_months.1.to_string())
}

fn rollup_row(r: &sqlx::any::AnyRow) -> StoreResult<(Counter, i64)> {
    let metric: String = r.try_get("metric")?;
    let bucket: String = r.try_get("bucket")?;
    let counter = Counter::parse(&metric, &bucket)
        .ok_or_else(|| corrupt("rollup counter", &format!("{metric} {bucket}")))?;
    Ok((counter, r.try_get("value")?))
}

/// The metrics a ranking sums, one column each in
/// [`Store::child_rank_counts`].
const RANKED_METRICS: [Metric; 11] = [
    Metric::Tasks,
    Metric::TasksDoneOnTime,
    Metric::TasksDoneLate,
    Metric::TasksOpenDue,
    Metric::TasksOpenUpdated,
    Metric::TargetsMet,
    Metric::TargetsNotMet,
    Metric::TargetsNoData,
    Metric::ReportsExpected,
    Metric::ReportsOnTime,
    Metric::ReportsLate,
];

/// Tasks moved on to their next occurrence per transaction: small enough
/// that the yearly rollover of every commune's tasks does not hold the
/// write lock for long, large enough to be quick.
const ROLL_OVER_BATCH: usize = 200;

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
        Ok(Rollup {
            unit_id,
            rows: rows.iter().map(rollup_row).collect::<StoreResult<_>>()?,
            updated_at: match time {
                Some(r) => Some(r.try_get("updated_at")?),
                None => None,
            },
        })
    }

    /// What a level's dashboard figures depend on besides the day: when
    /// its counters last moved (every change moves it, see
    /// [`RollupDeltas`]) and the state of the working-day calendar. The key
    /// of its cached figures, in one small read.
    pub async fn dashboard_key(&self, unit_id: i64) -> StoreResult<DashboardKey> {
        let row = sqlx::query(
            "SELECT (SELECT updated_at FROM rollup_times WHERE unit_id = $1) AS counters,
                    (SELECT COUNT(*) FROM calendar_days) AS days,
                    (SELECT MAX(updated_at) FROM calendar_days) AS calendar",
        )
        .bind(unit_id)
        .fetch_one(&self.read)
        .await?;
        Ok(DashboardKey {
            counters_at: row.try_get("counters")?,
            calendar: (row.try_get("days")?, row.try_get("calendar")?),
        })
    }

    /// Moves a level's "counters last moved" time on without changing a
    /// counter: its cached dashboard is computed again on the next read.
    /// For `theodoi bench`, to time dashboards with the cache cold.
    pub async fn touch_rollup_time(&self, unit_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE rollup_times SET updated_at = updated_at + 1 WHERE unit_id = $1")
            .bind(unit_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// How many tasks of a level were first reported done in a round due
    /// before `month`: where the "tasks done" trend's running total starts.
    pub async fn tasks_first_done_before(&self, unit_id: i64, month: Month) -> StoreResult<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM rollups
             WHERE unit_id = $1 AND metric = $2 AND bucket < $3",
        )
        .bind(unit_id)
        .bind(Metric::TasksFirstDone.as_str())
        .bind(month.to_string())
        .fetch_one(&self.read)
        .await?;
        Ok(n)
    }

    /// A level's counters, only the buckets its figures read (through the
    /// covering index `rollups_read`), stamped with `updated_at`.
    pub async fn rollup_for_figures(
        &self,
        unit_id: i64,
        used: &BucketsUsed,
        updated_at: Option<i64>,
    ) -> StoreResult<Rollup> {
        let sql = buckets_used_sql();
        let rows = bind_buckets(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(unit_id), used)
            .fetch_all(&self.read)
            .await?;
        Ok(Rollup {
            unit_id,
            rows: rows.iter().map(rollup_row).collect::<StoreResult<_>>()?,
            updated_at,
        })
    }

    /// What every child of a level (communes of a province, provinces of
    /// the nation) is ranked by: its counters summed over `window`, one row
    /// a child. Each sum is one range of the index `rollups_children`
    /// (parent, metric, bucket); a child with no counters has no row.
    pub async fn child_rank_counts(
        &self,
        parent_id: i64,
        window: &RankWindow,
    ) -> StoreResult<Vec<(i64, RankCounts)>> {
        let sum = |metric: Metric| {
            format!(
                "CAST(SUM(CASE WHEN metric = '{}' THEN value ELSE 0 END) AS BIGINT) AS {}",
                metric.as_str(),
                metric.as_str()
            )
        };
        let sums = RANKED_METRICS.map(sum).join(", ");
        let part = |condition: &str| {
            format!(
                "SELECT unit_id, metric, value FROM rollups WHERE parent_id = $1 AND {condition}"
            )
        };
        let ranges = [
            part(&format!(
                "metric IN ({})",
                list(&[
                    Metric::Tasks,
                    Metric::TasksDoneOnTime,
                    Metric::TasksDoneLate
                ])
            )),
            part(&format!(
                "metric = '{}' AND bucket < $2",
                Metric::TasksOpenDue.as_str()
            )),
            part(&format!(
                "metric IN ({}) AND bucket = $3",
                list(&[
                    Metric::TargetsMet,
                    Metric::TargetsNotMet,
                    Metric::TargetsNoData
                ])
            )),
            part(&format!(
                "metric IN ({}) AND bucket >= $4 AND bucket <= $5",
                list(&[
                    Metric::ReportsExpected,
                    Metric::ReportsOnTime,
                    Metric::ReportsLate
                ])
            )),
            part(&format!(
                "metric = '{}' AND bucket >= $6",
                Metric::TasksOpenUpdated.as_str()
            )),
        ]
        .join(" UNION ALL ");
        let sql = format!("SELECT unit_id, {sums} FROM ({ranges}) r GROUP BY unit_id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(parent_id)
            .bind(Counter::TasksOpenDue(window.today).bucket())
            .bind(window.year.to_string())
            .bind(window.report_months.0.to_string())
            .bind(window.report_months.1.to_string())
            .bind(window.updated_since.to_string())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let get = |m: Metric| r.try_get::<i64, _>(m.as_str());
                Ok((
                    r.try_get("unit_id")?,
                    RankCounts {
                        tasks: get(Metric::Tasks)?,
                        done_on_time: get(Metric::TasksDoneOnTime)?,
                        done_late: get(Metric::TasksDoneLate)?,
                        overdue: get(Metric::TasksOpenDue)?,
                        open_updated: get(Metric::TasksOpenUpdated)?,
                        targets_met: get(Metric::TargetsMet)?,
                        targets_not_met: get(Metric::TargetsNotMet)?,
                        targets_no_data: get(Metric::TargetsNoData)?,
                        reports_expected: get(Metric::ReportsExpected)?,
                        reports_on_time: get(Metric::ReportsOnTime)?,
                        reports_late: get(Metric::ReportsLate)?,
                    },
                ))
            })
            .collect()
    }

    /// Moves live recurring tasks on to their next occurrence once the one
    /// their fact answers to has passed: from the day after its due date
    /// the task is open for the next one (see `domain::rollup`). The
    /// server runs it hourly, before the warnings are worked out; until it
    /// runs, such a task shows as overdue. Returns how many tasks moved.
    pub async fn roll_over_recurring_tasks(&self) -> StoreResult<usize> {
        let today = self.clock.today();
        // A fact without a due date is looked at too: a recurring task
        // whose fact predates this rule, or a periodic one that is only
        // ever ad hoc (a handful; refreshing them changes nothing).
        let rows = sqlx::query(
            "SELECT f.task_id FROM task_facts f JOIN tasks t ON t.id = f.task_id
             WHERE f.live = 1 AND t.deadline_kind IN ($1, $2)
               AND (f.due_on IS NULL OR f.due_on < $3)
             ORDER BY f.task_id",
        )
        .bind(DeadlineKind::Yearly.as_str())
        .bind(DeadlineKind::Periodic.as_str())
        .bind(date_text(Some(today)))
        .fetch_all(&self.read)
        .await?;
        let ids = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("task_id"))
            .collect::<Result<Vec<_>, _>>()?;
        for batch in ids.chunks(ROLL_OVER_BATCH) {
            let mut tx = self.write.begin().await?;
            let mut deltas = RollupDeltas::new(self.now_ms());
            for id in batch {
                refresh_task(&mut tx, &mut deltas, *id).await?;
            }
            deltas.commit(tx).await?;
        }
        Ok(ids.len())
    }

    /// Rebuilds every fact and counter from the records, for a database
    /// that predates the rollups or after a bulk load. Safe to run twice.
    pub async fn rebuild_rollups(&self) -> StoreResult<()> {
        let mut deltas = RollupDeltas::new(self.now_ms());
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
            refresh_task(&mut tx, &mut deltas, r.try_get("id")?).await?;
        }
        let targets = sqlx::query("SELECT id FROM targets ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for r in targets {
            refresh_target(&mut tx, &mut deltas, r.try_get("id")?).await?;
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
            deltas.reports_expected(&path, due, 1);
            if let Some(at) = r.try_get::<Option<i64>, _>("first_submitted_at")? {
                deltas.report_received(&path, due, at);
            }
        }
        deltas.commit(tx).await
    }
}

impl Store {
    /// Accepted figures of a target, oldest first, dated by their round's
    /// due date: the history a trajectory is drawn from.
    pub async fn target_history(&self, target_id: i64) -> StoreResult<Vec<(NaiveDate, f64)>> {
        let mut conn = self.read.acquire().await?;
        Ok(accepted_history(&mut conn, target_id)
            .await?
            .into_iter()
            .map(|m| (m.on, m.value))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::end_of_day_ms;

    #[test]
    fn changes_collect_by_level_in_one_order() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
        let mut deltas = RollupDeltas::new(end_of_day_ms(due));
        assert_eq!(deltas.today, due);
        deltas.report_received("/1/5/9/", due, end_of_day_ms(due));
        deltas.reports_expected("/1/5/8/", due, 2);
        deltas.reports_expected("/1/6/", due, 0);
        let units: Vec<i64> = deltas.levels.keys().copied().collect();
        assert_eq!(
            units,
            vec![1, 5, 8, 9],
            "a level reached by nothing is not written"
        );
        assert_eq!(deltas.touched.iter().copied().collect::<Vec<_>>(), units);
        let (parent, nation) = &deltas.levels[&1];
        assert_eq!(*parent, None);
        let rows: Vec<(Counter, i64)> = nation.iter().collect();
        let month = crate::domain::rollup::Month::of(due);
        assert_eq!(
            rows,
            vec![
                (Counter::ReportsExpected(month), 2),
                (Counter::ReportsOnTime(month), 1)
            ]
        );
        assert_eq!(deltas.levels[&9].0, Some(5));
    }
}
