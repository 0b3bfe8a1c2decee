//! The reminder ladder as sent, and the tasks escalated to the leaders of
//! the level that assigned them, with the lead unit's explanation. What is
//! due when is the domain's (`domain::reminder`); this module keeps what
//! went out, so each step goes once, and what the leaders see.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::notifications::{NewNotification, insert_notifications};
use super::rows::{date_text, parse_date};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::reminder::Escalation;
use crate::domain::valid::Valid;

/// A reminder step sent for a task's deadline on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct SentReminder {
    pub task_id: i64,
    pub due_on: NaiveDate,
    pub step: String,
    pub sent_on: NaiveDate,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
}

/// A task going to the leaders today.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEscalation {
    pub task_id: i64,
    pub due_on: NaiveDate,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub lead_unit_id: i64,
    pub level_unit_id: i64,
    pub escalated_on: NaiveDate,
    pub reminders: i64,
}

/// What one run of the reminders writes, in one transaction: the steps
/// sent, the escalations, and the notifications telling people of both.
#[derive(Debug, Clone, Default)]
pub struct ReminderRun {
    pub sent: Vec<SentReminder>,
    pub escalations: Vec<NewEscalation>,
    pub notifications: Vec<NewNotification>,
}

const ESCALATION_COLUMNS: &str = "e.id, e.task_id, t.ref, t.title, e.due_on, e.lead_unit_id,
    lu.name AS lead_unit_name, lu.path AS lead_unit_path, e.level_unit_id, su.path AS scope_path,
    e.escalated_on, e.reminders, e.explanation, e.explained_at, x.full_name AS explained_by_name,
    e.province_id, e.commune_id, e.version";
const ESCALATION_FROM: &str = "FROM escalations e JOIN tasks t ON t.id = e.task_id
    JOIN plans p ON p.id = t.plan_id JOIN units su ON su.id = p.issuer_unit_id
    JOIN units lu ON lu.id = e.lead_unit_id LEFT JOIN users x ON x.id = e.explained_by";

impl Store {
    /// The steps already sent for the deadlines of live tasks not done,
    /// keyed by task and deadline.
    pub async fn reminders_sent(
        &self,
    ) -> StoreResult<HashMap<(i64, NaiveDate), Vec<(String, NaiveDate)>>> {
        let rows = sqlx::query(
            "SELECT r.task_id, r.due_on, r.step, r.sent_on FROM task_reminders r
             JOIN task_facts f ON f.task_id = r.task_id AND f.due_on = r.due_on
             WHERE f.live = 1 AND f.done IS NULL ORDER BY r.sent_on",
        )
        .fetch_all(&self.read)
        .await?;
        let mut out: HashMap<(i64, NaiveDate), Vec<(String, NaiveDate)>> = HashMap::new();
        for r in rows {
            let due = required_date(r.try_get("due_on")?)?;
            let sent = required_date(r.try_get("sent_on")?)?;
            out.entry((r.try_get("task_id")?, due))
                .or_default()
                .push((r.try_get("step")?, sent));
        }
        Ok(out)
    }

    /// The deadlines of open tasks already escalated.
    pub async fn escalated_deadlines(&self) -> StoreResult<HashSet<(i64, NaiveDate)>> {
        let rows = sqlx::query(
            "SELECT e.task_id, e.due_on FROM escalations e
             JOIN task_facts f ON f.task_id = e.task_id AND f.due_on = e.due_on
             WHERE f.live = 1 AND f.done IS NULL",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("task_id")?, required_date(r.try_get("due_on")?)?)))
            .collect()
    }

    /// When progress on each open task was last accepted (milliseconds):
    /// a report received with the task under way or further, not "nothing
    /// this period" nor "not started".
    pub async fn last_accepted_progress(&self) -> StoreResult<HashMap<i64, i64>> {
        let rows = sqlx::query(
            "SELECT tu.task_id, MAX(ur.reviewed_at) AS at FROM task_updates tu
             JOIN unit_reports ur ON ur.id = tu.report_id
             JOIN task_facts f ON f.task_id = tu.task_id
             WHERE f.live = 1 AND f.done IS NULL AND ur.status = 'accepted'
               AND ur.reviewed_at IS NOT NULL AND tu.nothing_this_period = 0
               AND tu.status IS NOT NULL AND tu.status <> 'not_started'
             GROUP BY tu.task_id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("task_id")?, r.try_get("at")?)))
            .collect()
    }

    /// Writes a run of reminders: each step and escalation once (a second
    /// run the same day finds them kept), and the notifications. Returns
    /// how many notifications were new.
    pub async fn record_reminders(&self, run: &ReminderRun) -> StoreResult<usize> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        for s in &run.sent {
            sqlx::query(
                "INSERT INTO task_reminders (task_id, due_on, step, sent_on, province_id, commune_id)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, due_on, step) DO NOTHING",
            )
            .bind(s.task_id)
            .bind(date_text(Some(s.due_on)))
            .bind(s.step.clone())
            .bind(date_text(Some(s.sent_on)))
            .bind(s.province_id)
            .bind(s.commune_id)
            .execute(&mut *tx)
            .await?;
        }
        for e in &run.escalations {
            sqlx::query(
                "INSERT INTO escalations (task_id, due_on, province_id, commune_id, lead_unit_id,
                        level_unit_id, escalated_on, reminders, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) ON CONFLICT (task_id, due_on) DO NOTHING",
            )
            .bind(e.task_id)
            .bind(date_text(Some(e.due_on)))
            .bind(e.province_id)
            .bind(e.commune_id)
            .bind(e.lead_unit_id)
            .bind(e.level_unit_id)
            .bind(date_text(Some(e.escalated_on)))
            .bind(e.reminders)
            .execute(&mut *tx)
            .await?;
        }
        let new = insert_notifications(&mut tx, &run.notifications, now).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Escalations of tasks assigned within `scope_path` (the issuing
    /// unit's subtree), newest first; `open_only` leaves out those whose
    /// task has since been done or dropped.
    pub async fn escalations_within(
        &self,
        scope_path: &str,
        open_only: bool,
        limit: i64,
    ) -> StoreResult<Vec<Escalation>> {
        let open = if open_only {
            " AND EXISTS (SELECT 1 FROM task_facts f WHERE f.task_id = e.task_id
                 AND f.live = 1 AND f.done IS NULL)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {ESCALATION_COLUMNS} {ESCALATION_FROM} WHERE su.path LIKE $1{open}
             ORDER BY e.escalated_on DESC, e.id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{scope_path}%"))
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(escalation_from_row).collect()
    }

    /// The escalations of one task, newest deadline first.
    pub async fn escalations_of_task(&self, task_id: i64) -> StoreResult<Vec<Escalation>> {
        let sql = format!(
            "SELECT {ESCALATION_COLUMNS} {ESCALATION_FROM} WHERE e.task_id = $1
             ORDER BY e.due_on DESC, e.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(task_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(escalation_from_row).collect()
    }

    pub async fn escalation(&self, id: i64) -> StoreResult<Option<Escalation>> {
        let sql = format!("SELECT {ESCALATION_COLUMNS} {ESCALATION_FROM} WHERE e.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(escalation_from_row).transpose()
    }

    /// The lead unit's explanation of an escalated task, replacing any
    /// earlier one if `version` is still the stored one; audited.
    pub async fn explain_escalation(
        &self,
        id: i64,
        version: i64,
        explanation: Valid<String>,
        actor: &Actor,
    ) -> StoreResult<Escalation> {
        let before = self.escalation(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let text = explanation.into_inner();
        let mut tx = self.write.begin().await?;
        let changed = sqlx::query(
            "UPDATE escalations SET explanation = $1, explained_by = $2, explained_at = $3,
                    version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(text.clone())
        .bind(actor.user_id)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "explain_escalation",
                entity: "task",
                entity_id: Some(before.task_id),
                province_id: before.province_id,
                commune_id: before.commune_id,
                before: Some(json!({"explanation": before.explanation})),
                after: Some(json!({"explanation": text, "escalation_id": id})),
            },
        )
        .await?;
        tx.commit().await?;
        self.escalation(id).await?.ok_or(StoreError::NotFound)
    }
}

fn required_date(text: Option<String>) -> StoreResult<NaiveDate> {
    parse_date(text)?.ok_or_else(|| StoreError::Corrupt("missing date".into()))
}

fn escalation_from_row(r: &AnyRow) -> StoreResult<Escalation> {
    Ok(Escalation {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        task_reference: r.try_get("ref")?,
        task_title: r.try_get("title")?,
        due_on: required_date(r.try_get("due_on")?)?,
        lead_unit_id: r.try_get("lead_unit_id")?,
        lead_unit_name: r.try_get("lead_unit_name")?,
        lead_unit_path: r.try_get("lead_unit_path")?,
        level_unit_id: r.try_get("level_unit_id")?,
        scope_path: r.try_get("scope_path")?,
        escalated_on: required_date(r.try_get("escalated_on")?)?,
        reminders: r.try_get("reminders")?,
        explanation: r.try_get("explanation")?,
        explained_at: r.try_get("explained_at")?,
        explained_by_name: r.try_get("explained_by_name")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        version: r.try_get("version")?,
    })
}
