//! Reporting rounds and each unit's report in them: task updates, target
//! figures, notes, submission, review. Every item carries its own version,
//! so two people saving the same item never overwrite each other.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};

use super::report_items::{save_target_items, save_task_items};
use super::rollups::{RollupDeltas, refresh_target, refresh_task};
use super::rows::{date_text, parse_date};
use super::{Actor, Page, PlanFilter, Store, StoreError, StoreResult, TargetFilter, TaskFilter};
use crate::domain::period::{PeriodKind, ReportingPeriod};
use crate::domain::plan::Plan;
use crate::domain::report::{
    ReportAction, ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft, review_action,
};
use crate::domain::round::{
    ItemComment, ReportView, Round, TargetFigure, TargetItem, TaskItem, TaskUpdate, UnitReport,
};
use crate::domain::valid::Valid;

/// Edits to a report, each item with the version it was read at (0 when
/// the item had not been written yet).
#[derive(Debug, Clone, Default)]
pub struct ReportEdits {
    pub notes: Option<(Option<String>, Option<String>)>,
    pub tasks: Vec<(i64, i64, Valid<TaskUpdateDraft>)>,
    pub targets: Vec<(i64, i64, Valid<TargetFigureDraft>)>,
}

/// What a save wrote: the report and the items it changed, as they are
/// now in the database (the transaction checked every version read).
#[derive(Debug, Clone)]
pub struct SavedReport {
    pub report: UnitReport,
    pub tasks: Vec<TaskUpdate>,
    pub figures: Vec<TargetFigure>,
}

pub(super) const ROUND_COLUMNS: &str = "r.id, r.plan_id, p.title AS plan_title, u.path AS scope_path,
    r.province_id, r.commune_id, r.period_key, r.kind, r.title, r.unit_due_on, r.consolidated_due_on";
pub(super) const ROUND_FROM: &str = "FROM report_rounds r JOIN plans p ON p.id = r.plan_id
    JOIN units u ON u.id = p.issuer_unit_id";
pub(super) const REPORT_COLUMNS: &str = "ur.id, ur.round_id, ur.unit_id,
    COALESCE((SELECT n.name FROM unit_names n JOIN report_rounds nr ON nr.id = ur.round_id
              WHERE n.unit_id = ur.unit_id AND n.until_on > nr.unit_due_on
              ORDER BY n.until_on LIMIT 1), un.name) AS unit_name,
    un.path AS unit_path,
    ur.status, ur.difficulties, ur.recommendations, ur.first_submitted_at, ur.submitted_at,
    ur.reviewed_at, ur.review_comment, ur.version";

impl Store {
    /// Opens the round of `period` for a plan, with a pending report for
    /// every unit that leads or supports one of its tasks or leads one of
    /// its targets. Opening twice returns the same round.
    pub async fn open_round(
        &self,
        plan_id: i64,
        period: ReportingPeriod,
        title: Option<String>,
        due_override: Option<NaiveDate>,
        actor: &Actor,
    ) -> StoreResult<Round> {
        let plan = self.plan(plan_id).await?.ok_or(StoreError::NotFound)?;
        let key = period.key();
        if let Some(round) = self.round_by_key(plan_id, &key).await? {
            return Ok(round);
        }
        let unit_due = due_override.unwrap_or_else(|| plan.regime.unit_due_date(&period));
        let consolidated_due = due_override
            .map(|d| d + chrono::Duration::days(3))
            .unwrap_or_else(|| plan.regime.consolidated_due_date(&period));
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO report_rounds (plan_id, province_id, commune_id, period_key, kind, title,
                    unit_due_on, consolidated_due_on, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (plan_id, period_key) DO NOTHING",
        )
        .bind(plan_id)
        .bind(plan.province_id)
        .bind(plan.commune_id)
        .bind(key.clone())
        .bind(period.kind().as_str())
        .bind(title)
        .bind(date_text(Some(unit_due)))
        .bind(date_text(Some(consolidated_due)))
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let round_id: i64 =
            sqlx::query("SELECT id FROM report_rounds WHERE plan_id = $1 AND period_key = $2")
                .bind(plan_id)
                .bind(key.clone())
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
        // Units named on the plan's live tasks and targets.
        let units = sqlx::query(
            "SELECT DISTINCT tu.unit_id AS unit_id FROM task_units tu JOIN tasks t ON t.id = tu.task_id
             WHERE t.plan_id = $1 AND tu.unit_id IS NOT NULL AND t.draft = 0 AND t.not_applicable_reason IS NULL
             UNION
             SELECT DISTINCT gu.unit_id AS unit_id FROM target_units gu JOIN targets g ON g.id = gu.target_id
             WHERE g.plan_id = $1 AND gu.unit_id IS NOT NULL",
        )
        .bind(plan_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut expected = 0;
        for row in units {
            let unit_id: i64 = row.try_get("unit_id")?;
            expected += sqlx::query(
                "INSERT INTO unit_reports (round_id, unit_id, province_id, commune_id, status,
                        created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, 'pending', $5, $5, 1)
                 ON CONFLICT (round_id, unit_id) DO NOTHING",
            )
            .bind(round_id)
            .bind(unit_id)
            .bind(plan.province_id)
            .bind(plan.commune_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected() as i64;
        }
        let mut deltas = RollupDeltas::new(now);
        deltas.reports_expected(&plan.issuer_path, unit_due, expected);
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "open_round",
                entity: "round",
                entity_id: Some(round_id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: None,
                after: Some(
                    json!({"plan_id": plan_id, "period": key, "unit_due_on": unit_due.to_string()}),
                ),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        self.round(round_id).await?.ok_or(StoreError::NotFound)
    }

    /// Opens, for every plan, the round of each period of its regime that
    /// contains `today`. Run by the server at start and every hour, and
    /// before a calendar is shown, so periods open by themselves.
    pub async fn open_current_rounds(&self, today: NaiveDate) -> StoreResult<usize> {
        let rows = sqlx::query("SELECT id FROM plans ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        let mut opened = 0;
        for row in rows {
            let plan_id: i64 = row.try_get("id")?;
            opened += self.open_current_rounds_of(plan_id, today).await?;
        }
        Ok(opened)
    }

    /// Opens the current rounds of the plans issued within `path` and
    /// returns those plans (up to 200): the hourly job may not have opened
    /// this period's rounds yet, and a unit asking what it has to fill in
    /// must see them today.
    pub async fn open_current_rounds_within(
        &self,
        path: &str,
        today: NaiveDate,
    ) -> StoreResult<Vec<Plan>> {
        let filter = PlanFilter {
            within_path: Some(path.to_string()),
            ..Default::default()
        };
        let plans = self
            .plans(&filter, Page::new(Some(1), Some(200)))
            .await?
            .items;
        for plan in &plans {
            self.open_current_rounds_of(plan.id, today).await?;
        }
        Ok(plans)
    }

    pub async fn open_current_rounds_of(
        &self,
        plan_id: i64,
        today: NaiveDate,
    ) -> StoreResult<usize> {
        let Some(plan) = self.plan(plan_id).await? else {
            return Ok(0);
        };
        let mut opened = 0;
        for kind in &plan.regime.periods {
            if *kind == PeriodKind::AdHoc {
                continue;
            }
            if let Some(period) = ReportingPeriod::containing(*kind, today)
                && self.round_by_key(plan_id, &period.key()).await?.is_none()
            {
                self.open_round(plan_id, period, None, None, &Actor::system())
                    .await?;
                opened += 1;
            }
        }
        Ok(opened)
    }

    pub async fn round(&self, id: i64) -> StoreResult<Option<Round>> {
        let sql = format!("SELECT {ROUND_COLUMNS} {ROUND_FROM} WHERE r.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(round_from_row).transpose()
    }

    async fn round_by_key(&self, plan_id: i64, key: &str) -> StoreResult<Option<Round>> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} {ROUND_FROM} WHERE r.plan_id = $1 AND r.period_key = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(key.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(round_from_row).transpose()
    }

    pub async fn rounds_of_plan(&self, plan_id: i64) -> StoreResult<Vec<Round>> {
        let sql = format!(
            "SELECT {ROUND_COLUMNS} {ROUND_FROM} WHERE r.plan_id = $1 ORDER BY r.unit_due_on DESC, r.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(round_from_row).collect()
    }

    /// Reports of units inside `unit_path`, newest due first: what a unit
    /// has to do, and has done.
    pub async fn reports_of_units(
        &self,
        unit_path: &str,
        limit: i64,
    ) -> StoreResult<Vec<(Round, UnitReport)>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS}, r.id AS r_id FROM unit_reports ur JOIN units un ON un.id = ur.unit_id
             JOIN report_rounds r ON r.id = ur.round_id
             WHERE un.path LIKE $1 ORDER BY r.unit_due_on DESC, ur.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{unit_path}%"))
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

    /// A unit's reports of every round due on `due`, oldest round first.
    pub async fn reports_due_with(
        &self,
        unit_id: i64,
        due: NaiveDate,
    ) -> StoreResult<Vec<UnitReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM unit_reports ur JOIN units un ON un.id = ur.unit_id
             JOIN report_rounds r ON r.id = ur.round_id
             WHERE ur.unit_id = $1 AND r.unit_due_on = $2 ORDER BY r.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(unit_id)
            .bind(date_text(Some(due)))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(report_from_row).collect()
    }

    pub async fn reports_of_round(&self, round_id: i64) -> StoreResult<Vec<UnitReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM unit_reports ur JOIN units un ON un.id = ur.unit_id
             WHERE ur.round_id = $1 ORDER BY un.path"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(round_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(report_from_row).collect()
    }

    pub async fn unit_report(&self, id: i64) -> StoreResult<Option<UnitReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM unit_reports ur JOIN units un ON un.id = ur.unit_id WHERE ur.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(report_from_row).transpose()
    }

    /// A report with its items: the plan's live tasks the unit leads or
    /// supports and the targets it leads, with what has been reported.
    pub async fn report_view(&self, report_id: i64) -> StoreResult<Option<ReportView>> {
        self.report_view_for(report_id, |_, _| true).await
    }

    /// [`Store::report_view`] for a reader `allowed` to see it, asked on
    /// the report's row and its round alone: a report the reader may not
    /// see (`None`) costs two small reads, not its items.
    pub async fn report_view_for(
        &self,
        report_id: i64,
        allowed: impl FnOnce(&Round, &UnitReport) -> bool,
    ) -> StoreResult<Option<ReportView>> {
        let Some(report) = self.unit_report(report_id).await? else {
            return Ok(None);
        };
        let round = self
            .round(report.round_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !allowed(&round, &report) {
            return Ok(None);
        }
        // Only the tasks and targets naming the unit, not the whole plan.
        let tasks = self
            .tasks(
                &TaskFilter {
                    plan_id: Some(round.plan_id),
                    unit_id: Some(report.unit_id),
                    ..TaskFilter::default()
                },
                Page::all(),
            )
            .await?
            .items;
        let targets = self
            .targets(
                &TargetFilter {
                    plan_id: Some(round.plan_id),
                    unit_id: Some(report.unit_id),
                    ..TargetFilter::default()
                },
                Page::all(),
            )
            .await?
            .items;
        let updates = self.task_updates_of(report_id).await?;
        let figures = self.target_figures_of(report_id).await?;
        let evidence = self.evidence_of(report_id).await?;
        let task_items = tasks
            .into_iter()
            .filter(|t| !t.draft && t.not_applicable_reason.is_none())
            .filter_map(|t| {
                let leads = t.lead.iter().any(|m| m.unit_id == Some(report.unit_id));
                let supports = t.support.iter().any(|m| m.unit_id == Some(report.unit_id));
                (leads || supports).then(|| TaskItem {
                    update: updates.iter().find(|u| u.task_id == t.id).cloned(),
                    evidence: evidence
                        .iter()
                        .filter(|e| e.task_id == t.id)
                        .cloned()
                        .collect(),
                    leads,
                    task: t,
                })
            })
            .collect();
        let target_items = targets
            .into_iter()
            .filter(|g| g.lead.iter().any(|m| m.unit_id == Some(report.unit_id)))
            .map(|g| TargetItem {
                figure: figures.iter().find(|f| f.target_id == g.id).cloned(),
                target: g,
            })
            .collect();
        Ok(Some(ReportView {
            round,
            report,
            tasks: task_items,
            targets: target_items,
        }))
    }

    async fn task_updates_of(&self, report_id: i64) -> StoreResult<Vec<TaskUpdate>> {
        let rows = sqlx::query(
            "SELECT id, task_id, status, percent, result, suspend_reason, nothing_this_period,
                    review_comment, version
             FROM task_updates WHERE report_id = $1",
        )
        .bind(report_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(task_update_from_row).collect()
    }

    async fn target_figures_of(&self, report_id: i64) -> StoreResult<Vec<TargetFigure>> {
        let rows = sqlx::query(
            "SELECT id, target_id, value, source, no_data_reason, nothing_this_period, review_comment,
                    version
             FROM target_figures WHERE report_id = $1",
        )
        .bind(report_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TargetFigure {
                    id: r.try_get("id")?,
                    target_id: r.try_get("target_id")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                    no_data_reason: r.try_get("no_data_reason")?,
                    nothing_this_period: r.try_get::<i64, _>("nothing_this_period")? != 0,
                    review_comment: r.try_get("review_comment")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    /// Saves what a unit typed, item by item, and submits when asked. All
    /// or nothing: a stale item refuses the whole save.
    pub async fn save_report(
        &self,
        report_id: i64,
        edits: ReportEdits,
        submit: bool,
        actor: &Actor,
    ) -> StoreResult<UnitReport> {
        let view = self
            .report_view(report_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self
            .save_report_on(&view, edits, submit, actor)
            .await?
            .report)
    }

    /// [`Store::save_report`] on a report the caller has just read (to
    /// check access), so it is not read again. The items' and the
    /// report's versions are checked in the transaction all the same: a
    /// view read before someone else's save gives a conflict, not a lost
    /// update. Returns what was written, so the caller need not read the
    /// report again.
    pub async fn save_report_on(
        &self,
        view: &ReportView,
        edits: ReportEdits,
        submit: bool,
        actor: &Actor,
    ) -> StoreResult<SavedReport> {
        let report_id = view.report.id;
        let report = &view.report;
        let action = if submit {
            ReportAction::Submit
        } else {
            ReportAction::Save
        };
        let next = report
            .status
            .after(action)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let now = self.now_ms();
        let (province_id, commune_id) = (view.round.province_id, view.round.commune_id);
        let mut tx = self.write.begin().await?;
        let mut deltas = RollupDeltas::new(now);
        let tasks = save_task_items(&mut tx, view, &edits.tasks, now, actor).await?;
        let figures = save_target_items(&mut tx, view, &edits.targets, now, actor).await?;
        let (difficulties, recommendations) = edits
            .notes
            .clone()
            .unwrap_or((report.difficulties.clone(), report.recommendations.clone()));
        let saved = UnitReport {
            status: next,
            difficulties: difficulties.clone(),
            recommendations: recommendations.clone(),
            first_submitted_at: if submit {
                report.first_submitted_at.or(Some(now))
            } else {
                report.first_submitted_at
            },
            submitted_at: if submit {
                Some(now)
            } else {
                report.submitted_at
            },
            version: report.version + 1,
            ..report.clone()
        };
        let done = sqlx::query(
            "UPDATE unit_reports SET status = $1, difficulties = $2, recommendations = $3,
                    submitted_at = CASE WHEN $4 = 1 THEN $5 ELSE submitted_at END,
                    submitted_by = CASE WHEN $4 = 1 THEN $6 ELSE submitted_by END,
                    first_submitted_at = CASE WHEN $4 = 1 THEN COALESCE(first_submitted_at, $5) ELSE first_submitted_at END,
                    updated_at = $5, version = version + 1
             WHERE id = $7 AND version = $8",
        )
        .bind(next.as_str())
        .bind(difficulties)
        .bind(recommendations)
        .bind(i64::from(submit))
        .bind(now)
        .bind(actor.user_id)
        .bind(report_id)
        .bind(report.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: report.version,
            });
        }
        if submit && report.first_submitted_at.is_none() {
            deltas.report_received(&view.round.scope_path, view.round.unit_due_on, now);
        }
        if submit {
            audit::record(
                &mut tx,
                now,
                actor,
                Change {
                    action: "submit_report",
                    entity: "unit_report",
                    entity_id: Some(report_id),
                    province_id,
                    commune_id,
                    before: Some(json!({"status": report.status.as_str()})),
                    after: Some(json!({"status": next.as_str()})),
                },
            )
            .await?;
        }
        deltas.commit(tx).await?;
        Ok(SavedReport {
            report: saved,
            tasks,
            figures,
        })
    }

    /// The focal point accepts a submitted report (final) or returns it to
    /// its unit with a reason, with comments per item either way.
    pub async fn review_report(
        &self,
        report_id: i64,
        accept: bool,
        comment: Option<String>,
        items: Vec<ItemComment>,
        actor: &Actor,
    ) -> StoreResult<UnitReport> {
        let report = self
            .unit_report(report_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let round = self
            .round(report.round_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let next = review_action(accept, comment.as_deref())
            .and_then(|action| report.status.after(action))
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let mut deltas = RollupDeltas::new(now);
        let done = sqlx::query(
            "UPDATE unit_reports SET status = $1, reviewed_at = $2, reviewed_by = $3, review_comment = $4,
                    updated_at = $2, version = version + 1
             WHERE id = $5 AND status = 'submitted'",
        )
        .bind(next.as_str())
        .bind(now)
        .bind(actor.user_id)
        .bind(comment.clone())
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: report.version,
            });
        }
        if accept {
            // Accepted figures move the dashboards now, not at the next rebuild.
            // In id order, so two reviews on the same tasks take their
            // row locks in the same order.
            let tasks = sqlx::query(
                "SELECT task_id FROM task_updates WHERE report_id = $1 ORDER BY task_id",
            )
            .bind(report_id)
            .fetch_all(&mut *tx)
            .await?;
            for r in tasks {
                refresh_task(&mut tx, &mut deltas, r.try_get("task_id")?).await?;
            }
            let targets = sqlx::query(
                "SELECT target_id FROM target_figures WHERE report_id = $1 ORDER BY target_id",
            )
            .bind(report_id)
            .fetch_all(&mut *tx)
            .await?;
            for r in targets {
                refresh_target(&mut tx, &mut deltas, r.try_get("target_id")?).await?;
            }
        }
        for item in &items {
            comment_item(&mut tx, &round, report_id, item, now, actor).await?;
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: if accept {
                    "accept_report"
                } else {
                    "return_report"
                },
                entity: "unit_report",
                entity_id: Some(report_id),
                province_id: round.province_id,
                commune_id: round.commune_id,
                before: Some(json!({"status": report.status.as_str()})),
                after: Some(json!({
                    "status": next.as_str(),
                    "comment": comment,
                    "items": items.iter().map(|i| match i {
                        ItemComment::Task(id, t) => json!({"task_id": id, "comment": t}),
                        ItemComment::Target(id, t) => json!({"target_id": id, "comment": t}),
                    }).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        self.unit_report(report_id)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

/// Puts a reviewer's comment on an item of a report. The comment belongs
/// to the item whether the unit wrote anything there or not: an item left
/// blank gets a row of its own, holding only the comment, so the unit sees
/// what is asked of it.
async fn comment_item(
    conn: &mut sqlx::AnyConnection,
    round: &Round,
    report_id: i64,
    item: &ItemComment,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    let (update, insert, id, text): (&'static str, &'static str, i64, &String) = match item {
        ItemComment::Task(id, text) => (
            "UPDATE task_updates SET review_comment = $1 WHERE report_id = $2 AND task_id = $3",
            "INSERT INTO task_updates (report_id, task_id, province_id, commune_id, review_comment,
                    updated_at, updated_by, version) VALUES ($2, $3, $4, $5, $1, $6, $7, 1)",
            *id,
            text,
        ),
        ItemComment::Target(id, text) => (
            "UPDATE target_figures SET review_comment = $1 WHERE report_id = $2 AND target_id = $3",
            "INSERT INTO target_figures (report_id, target_id, province_id, commune_id, review_comment,
                    updated_at, updated_by, version) VALUES ($2, $3, $4, $5, $1, $6, $7, 1)",
            *id,
            text,
        ),
    };
    let updated = sqlx::query(update)
        .bind(text.clone())
        .bind(report_id)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if updated == 0 {
        sqlx::query(insert)
            .bind(text.clone())
            .bind(report_id)
            .bind(id)
            .bind(round.province_id)
            .bind(round.commune_id)
            .bind(now)
            .bind(actor.user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) fn round_from_row(row: &AnyRow) -> StoreResult<Round> {
    let kind: String = row.try_get("kind")?;
    Ok(Round {
        id: row.try_get("id")?,
        plan_id: row.try_get("plan_id")?,
        plan_title: row.try_get("plan_title")?,
        scope_path: row.try_get("scope_path")?,
        province_id: row.try_get("province_id")?,
        commune_id: row.try_get("commune_id")?,
        period_key: row.try_get("period_key")?,
        kind: PeriodKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("period kind {kind}")))?,
        title: row.try_get("title")?,
        unit_due_on: parse_date(row.try_get("unit_due_on")?)?
            .ok_or_else(|| StoreError::Corrupt("due".into()))?,
        consolidated_due_on: parse_date(row.try_get("consolidated_due_on")?)?
            .ok_or_else(|| StoreError::Corrupt("due".into()))?,
    })
}

pub(super) fn report_from_row(row: &AnyRow) -> StoreResult<UnitReport> {
    let status: String = row.try_get("status")?;
    Ok(UnitReport {
        id: row.try_get("id")?,
        round_id: row.try_get("round_id")?,
        unit_id: row.try_get("unit_id")?,
        unit_name: row.try_get("unit_name")?,
        unit_path: row.try_get("unit_path")?,
        status: ReportStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("report status {status}")))?,
        difficulties: row.try_get("difficulties")?,
        recommendations: row.try_get("recommendations")?,
        first_submitted_at: row.try_get("first_submitted_at")?,
        submitted_at: row.try_get("submitted_at")?,
        reviewed_at: row.try_get("reviewed_at")?,
        review_comment: row.try_get("review_comment")?,
        version: row.try_get("version")?,
    })
}

fn task_update_from_row(r: &AnyRow) -> StoreResult<TaskUpdate> {
    let status: Option<String> = r.try_get("status")?;
    Ok(TaskUpdate {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        status: status.as_deref().and_then(TaskStatus::parse),
        percent: r
            .try_get::<Option<i64>, _>("percent")?
            .and_then(|p| u8::try_from(p).ok()),
        result: r.try_get("result")?,
        suspend_reason: r.try_get("suspend_reason")?,
        nothing_this_period: r.try_get::<i64, _>("nothing_this_period")? != 0,
        review_comment: r.try_get("review_comment")?,
        version: r.try_get("version")?,
    })
}
