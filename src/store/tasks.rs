//! Tasks of a plan and the units named on them.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Change};
use super::external::{external_from_row, set_external};
use super::rollups::{RollupDeltas, refresh_task};
use super::rows::{Bind, Conditions, date_text, fetch_page, flag, join_lines, split_lines};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::deadline::Deadline;
use crate::domain::external::{ExternalChange, ExternalId, RecordKind};
use crate::domain::plan::Plan;
use crate::domain::status::DoneTiming;
use crate::domain::task::{Task, TaskDraft, UnitMention};
use crate::domain::text::search_key;
use crate::domain::valid::Valid;

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub within_path: Option<String>,
    pub plan_id: Option<i64>,
    /// Tasks this unit leads or supports.
    pub unit_id: Option<i64>,
    /// Folded words of the title, matched as a substring.
    pub query: Option<String>,
    pub deadline_kind: Option<String>,
    /// The status of the latest accepted update (`done`, …), or `none`
    /// for tasks never reported.
    pub status: Option<String>,
    /// Tasks under this group heading (the first line of the group path).
    pub group: Option<String>,
    /// One-off tasks due on or before this date.
    pub due_by: Option<chrono::NaiveDate>,
    /// The dashboards' drill-down: live tasks in a state on a date.
    pub state: Option<StateFilter>,
}

/// Task states as the rollups count them, for listing the tasks behind a
/// dashboard figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Overdue(chrono::NaiveDate),
    DueBetween(chrono::NaiveDate, chrono::NaiveDate),
    DoneOnTime,
    DoneLate,
}

const TASK_COLUMNS: &str = "t.id, t.plan_id, u.path AS scope_path, t.ref, t.group_path,
    t.position, t.title, t.product, t.deadline_text, t.funding, t.legal_basis,
    t.parent_task_id, t.draft, t.not_applicable_reason, t.confidential, t.responsible_user_id,
    t.external_source, t.external_id, t.version";
/// The accepted updates of a task, newest round first.
const LATEST_ACCEPTED: &str =
    "SELECT 1 FROM task_updates tu JOIN unit_reports ur ON ur.id = tu.report_id
    WHERE tu.task_id = t.id AND ur.status = 'accepted' AND tu.status IS NOT NULL";
const LATEST_ACCEPTED_STATUS: &str = "SELECT tu.status FROM task_updates tu
    JOIN unit_reports ur ON ur.id = tu.report_id JOIN report_rounds rr ON rr.id = ur.round_id
    WHERE tu.task_id = t.id AND ur.status = 'accepted' AND tu.status IS NOT NULL
    ORDER BY rr.unit_due_on DESC, tu.id DESC LIMIT 1";
/// Live tasks done on time or late, by the name `task_facts.done` stores.
const DONE_AS: &str =
    "EXISTS (SELECT 1 FROM task_facts f WHERE f.task_id = t.id AND f.live = 1 AND f.done = ?)";
const TASK_FROM: &str = "FROM tasks t JOIN plans p ON p.id = t.plan_id
    JOIN units u ON u.id = p.issuer_unit_id";

impl Store {
    pub async fn create_task(
        &self,
        plan_id: i64,
        draft: Valid<TaskDraft>,
        actor: &Actor,
    ) -> StoreResult<Task> {
        self.create_task_with_external(plan_id, draft, None, actor)
            .await
    }

    /// Creates a task carrying `external` (refused when another task has it).
    pub async fn create_task_with_external(
        &self,
        plan_id: i64,
        draft: Valid<TaskDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Task> {
        match self.add_task(plan_id, draft, external, actor).await {
            Ok(record) => Ok(record),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn add_task(
        &self,
        plan_id: i64,
        draft: Valid<TaskDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Task> {
        let plan = self.plan(plan_id).await?.ok_or(StoreError::NotFound)?;
        self.check_mentions(&plan, &draft.lead).await?;
        self.check_mentions(&plan, &draft.support).await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        super::plans::lock_plan(&mut tx, plan_id).await?;
        let position: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM tasks WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        let mut deltas = RollupDeltas::new(now);
        let mut task = insert_task(&mut tx, &mut deltas, &plan, position, draft, now).await?;
        set_external(&mut tx, RecordKind::Task, task.id, external, None).await?;
        task.external = external.cloned();
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "create",
                entity: "task",
                entity_id: Some(task.id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: None,
                after: Some(task_json(&task)),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        Ok(task)
    }

    pub async fn update_task(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TaskDraft>,
        actor: &Actor,
    ) -> StoreResult<Task> {
        self.update_task_with_external(id, expected_version, draft, &ExternalChange::Keep, actor)
            .await
    }

    /// Changes a task and its external id in one transaction.
    pub async fn update_task_with_external(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TaskDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Task> {
        match self
            .change_task(id, expected_version, draft, external, actor)
            .await
        {
            Ok(record) => Ok(record),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn change_task(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TaskDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Task> {
        let before = self.task(id).await?.ok_or(StoreError::NotFound)?;
        let plan = self
            .plan(before.plan_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.check_mentions(&plan, &draft.lead).await?;
        self.check_mentions(&plan, &draft.support).await?;
        if let Some(parent) = draft.parent_task_id
            && (parent == id || self.task(parent).await?.is_none())
        {
            return Err(StoreError::InvalidReference("parent task".into()));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let d = &draft.deadline;
        let done = sqlx::query(
            "UPDATE tasks SET ref = $1, group_path = $2, title = $3, folded_title = $4,
                    product = $5, deadline_text = $6, deadline_kind = $7, deadline_start = $8,
                    deadline_end = $9, funding = $10, legal_basis = $11, parent_task_id = $12,
                    draft = $13, updated_at = $14, confidential = $17, responsible_user_id = $18,
                    version = version + 1
             WHERE id = $15 AND version = $16",
        )
        .bind(draft.reference.clone())
        .bind(join_lines(&draft.group_path))
        .bind(draft.title.clone())
        .bind(search_key(&draft.title))
        .bind(draft.product.clone())
        .bind(d.text().to_string())
        .bind(d.kind().as_str())
        .bind(date_text(d.start()))
        .bind(date_text(d.end()))
        .bind(draft.funding.clone())
        .bind(draft.legal_basis.clone())
        .bind(draft.parent_task_id)
        .bind(i64::from(draft.draft))
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .bind(i64::from(draft.confidential))
        .bind(draft.responsible_user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        sqlx::query("DELETE FROM task_units WHERE task_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_task_units(&mut tx, id, &plan, &draft.lead, &draft.support).await?;
        let mut deltas = RollupDeltas::new(now);
        refresh_task(&mut tx, &mut deltas, id).await?;
        let wanted = external.apply(before.external.as_ref());
        set_external(
            &mut tx,
            RecordKind::Task,
            id,
            wanted.as_ref(),
            before.external.as_ref(),
        )
        .await?;
        let draft = draft.into_inner();
        let after = Task {
            external: wanted,
            reference: draft.reference,
            group_path: draft.group_path,
            title: draft.title,
            lead: draft.lead,
            support: draft.support,
            responsible_user_id: draft.responsible_user_id,
            product: draft.product,
            deadline: draft.deadline,
            funding: draft.funding,
            legal_basis: draft.legal_basis,
            parent_task_id: draft.parent_task_id,
            draft: draft.draft,
            confidential: draft.confidential,
            version: before.version + 1,
            ..before.clone()
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "update",
                entity: "task",
                entity_id: Some(id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: Some(task_json(&before)),
                after: Some(task_json(&after)),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        Ok(after)
    }

    /// A unit named on a task must belong to the plan's own subtree: a
    /// commune's plan cannot hand work to another commune's department.
    pub(super) async fn check_mentions(
        &self,
        plan: &Plan,
        mentions: &[UnitMention],
    ) -> StoreResult<()> {
        for m in mentions {
            if let Some(unit_id) = m.unit_id {
                let unit = self
                    .unit(unit_id)
                    .await?
                    .ok_or_else(|| StoreError::InvalidReference(format!("unit {unit_id}")))?;
                if !unit.is_within(&plan.issuer_path) {
                    return Err(StoreError::InvalidReference(format!(
                        "unit {unit_id} is outside the plan's scope"
                    )));
                }
            }
        }
        Ok(())
    }

    pub async fn task(&self, id: i64) -> StoreResult<Option<Task>> {
        let sql = format!("SELECT {TASK_COLUMNS} {TASK_FROM} WHERE t.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut tasks = vec![task_from_row(&row)?];
                self.attach_task_units(&mut tasks).await?;
                Ok(tasks.pop())
            }
        }
    }

    pub async fn tasks(&self, filter: &TaskFilter, page: Page) -> StoreResult<Listing<Task>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("u.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(plan_id) = filter.plan_id {
            c.push("t.plan_id = ?", Bind::Int(plan_id));
        }
        if let Some(unit_id) = filter.unit_id {
            c.push(
                "EXISTS (SELECT 1 FROM task_units tu WHERE tu.task_id = t.id AND tu.unit_id = ?)",
                Bind::Int(unit_id),
            );
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            c.push("t.folded_title LIKE ?", Bind::Text(format!("%{q}%")));
        }
        if let Some(kind) = &filter.deadline_kind {
            c.push("t.deadline_kind = ?", Bind::Text(kind.clone()));
        }
        if let Some(group) = &filter.group {
            c.push("t.group_path LIKE ?", Bind::Text(format!("{group}%")));
        }
        if let Some(due) = filter.due_by {
            c.push(
                "t.deadline_end <= ?",
                Bind::Text(due.format("%Y-%m-%d").to_string()),
            );
        }
        match filter.state {
            None => {}
            Some(StateFilter::Overdue(today)) => c.push(
                "EXISTS (SELECT 1 FROM task_facts f WHERE f.task_id = t.id AND f.live = 1 AND f.done IS NULL AND f.due_on < ?)",
                Bind::Text(today.format("%Y-%m-%d").to_string()),
            ),
            Some(StateFilter::DueBetween(from, to)) => {
                let n = c.next_placeholder();
                c.binds.push(Bind::Text(from.format("%Y-%m-%d").to_string()));
                c.binds.push(Bind::Text(to.format("%Y-%m-%d").to_string()));
                c.push_raw(&format!(
                    "EXISTS (SELECT 1 FROM task_facts f WHERE f.task_id = t.id AND f.live = 1 AND f.done IS NULL
                     AND f.due_on >= ${n} AND f.due_on <= ${})",
                    n + 1
                ));
            }
            Some(StateFilter::DoneOnTime) => c.push(DONE_AS, Bind::Text(DoneTiming::OnTime.as_str().into())),
            Some(StateFilter::DoneLate) => c.push(DONE_AS, Bind::Text(DoneTiming::Late.as_str().into())),
        }
        match filter.status.as_deref() {
            None | Some("") => {}
            Some("none") => c.push_raw(&format!("NOT EXISTS ({LATEST_ACCEPTED})")),
            Some(status) => c.push(
                &format!("({LATEST_ACCEPTED_STATUS}) = ?"),
                Bind::Text(status.to_string()),
            ),
        }
        let (total, rows) = fetch_page(
            &self.read,
            TASK_COLUMNS,
            TASK_FROM,
            &c,
            "t.plan_id, t.position, t.id",
            page,
        )
        .await?;
        let mut items = rows
            .iter()
            .map(task_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_task_units(&mut items).await?;
        Ok(Listing { items, total, page })
    }

    pub async fn tasks_of_plan(&self, plan_id: i64) -> StoreResult<Vec<Task>> {
        let filter = TaskFilter {
            plan_id: Some(plan_id),
            ..TaskFilter::default()
        };
        Ok(self.tasks(&filter, Page::all()).await?.items)
    }

    async fn attach_task_units(&self, tasks: &mut [Task]) -> StoreResult<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = tasks.iter().map(|t| t.id.to_string()).collect();
        let sql = format!(
            "SELECT task_id, role, mention, unit_id FROM task_units
             WHERE task_id IN ({}) ORDER BY task_id, role, position",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        for r in rows {
            let task_id: i64 = r.try_get("task_id")?;
            let role: String = r.try_get("role")?;
            let mention = UnitMention {
                name: r.try_get("mention")?,
                unit_id: r.try_get("unit_id")?,
            };
            if let Some(t) = tasks.iter_mut().find(|t| t.id == task_id) {
                if role == "lead" {
                    t.lead.push(mention);
                } else {
                    t.support.push(mention);
                }
            }
        }
        Ok(())
    }
}

/// Inserts a task and its units; shared by `create_task` and the importer's
/// bulk path so both store the same rows.
pub(super) async fn insert_task(
    conn: &mut AnyConnection,
    deltas: &mut RollupDeltas,
    plan: &Plan,
    position: i64,
    draft: Valid<TaskDraft>,
    now: i64,
) -> StoreResult<Task> {
    let d = &draft.deadline;
    let row = sqlx::query(
        "INSERT INTO tasks (plan_id, province_id, commune_id, ref, group_path, position, title,
                folded_title, product, deadline_text, deadline_kind, deadline_start, deadline_end,
                funding, legal_basis, parent_task_id, draft, created_at, updated_at, version,
                confidential, responsible_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $18, 1, $19, $20)
         RETURNING id",
    )
    .bind(plan.id)
    .bind(plan.province_id)
    .bind(plan.commune_id)
    .bind(draft.reference.clone())
    .bind(join_lines(&draft.group_path))
    .bind(position)
    .bind(draft.title.clone())
    .bind(search_key(&draft.title))
    .bind(draft.product.clone())
    .bind(d.text().to_string())
    .bind(d.kind().as_str())
    .bind(date_text(d.start()))
    .bind(date_text(d.end()))
    .bind(draft.funding.clone())
    .bind(draft.legal_basis.clone())
    .bind(draft.parent_task_id)
    .bind(i64::from(draft.draft))
    .bind(now)
    .bind(i64::from(draft.confidential))
    .bind(draft.responsible_user_id)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    insert_task_units(conn, id, plan, &draft.lead, &draft.support).await?;
    refresh_task(conn, deltas, id).await?;
    let draft = draft.into_inner();
    Ok(Task {
        id,
        plan_id: plan.id,
        scope_path: plan.issuer_path.clone(),
        reference: draft.reference,
        group_path: draft.group_path,
        position,
        title: draft.title,
        lead: draft.lead,
        support: draft.support,
        responsible_user_id: draft.responsible_user_id,
        product: draft.product,
        deadline: draft.deadline,
        funding: draft.funding,
        legal_basis: draft.legal_basis,
        parent_task_id: draft.parent_task_id,
        draft: draft.draft,
        not_applicable_reason: None,
        confidential: draft.confidential,
        external: None,
        version: 1,
    })
}

async fn insert_task_units(
    conn: &mut AnyConnection,
    task_id: i64,
    plan: &Plan,
    lead: &[UnitMention],
    support: &[UnitMention],
) -> StoreResult<()> {
    for (role, list) in [("lead", lead), ("support", support)] {
        for (i, m) in list.iter().enumerate() {
            sqlx::query(
                "INSERT INTO task_units (task_id, province_id, commune_id, role, position, mention, unit_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(task_id)
            .bind(plan.province_id)
            .bind(plan.commune_id)
            .bind(role)
            .bind(i as i64)
            .bind(m.name.clone())
            .bind(m.unit_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

pub(super) fn task_json(task: &Task) -> serde_json::Value {
    let mentions = |list: &[UnitMention]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|m| json!({"name": m.name, "unit_id": m.unit_id}))
            .collect()
    };
    json!({
        "id": task.id,
        "plan_id": task.plan_id,
        "ref": task.reference,
        "group": task.group_path,
        "title": task.title,
        "lead": mentions(&task.lead),
        "support": mentions(&task.support),
        "responsible_user_id": task.responsible_user_id,
        "product": task.product,
        "deadline": task.deadline,
        "funding": task.funding,
        "basis": task.legal_basis,
        "parent_task_id": task.parent_task_id,
        "draft": task.draft,
        "external": task.external,
        "version": task.version,
    })
}

fn task_from_row(row: &AnyRow) -> StoreResult<Task> {
    let group: String = row.try_get("group_path")?;
    let deadline: String = row.try_get("deadline_text")?;
    Ok(Task {
        id: row.try_get("id")?,
        plan_id: row.try_get("plan_id")?,
        scope_path: row.try_get("scope_path")?,
        reference: row.try_get("ref")?,
        group_path: split_lines(&group),
        position: row.try_get("position")?,
        title: row.try_get("title")?,
        lead: Vec::new(),
        support: Vec::new(),
        responsible_user_id: row.try_get("responsible_user_id")?,
        product: row.try_get("product")?,
        deadline: Deadline::parse(&deadline),
        funding: row.try_get("funding")?,
        legal_basis: row.try_get("legal_basis")?,
        parent_task_id: row.try_get("parent_task_id")?,
        draft: flag(row, "draft")?,
        confidential: flag(row, "confidential")?,
        not_applicable_reason: row.try_get("not_applicable_reason")?,
        external: external_from_row(row)?,
        version: row.try_get("version")?,
    })
}
