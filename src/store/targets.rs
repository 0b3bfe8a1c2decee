//! Targets of a plan, their lead units and yearly goals.

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Change};
use super::external::{external_from_row, set_external};
use super::rollups::{RollupDeltas, refresh_target};
use super::rows::{Bind, Conditions, fetch_page, join_lines, split_lines};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::external::{ExternalChange, ExternalId, RecordKind};
use crate::domain::goal::{Comparator, Direction, Goal};
use crate::domain::plan::Plan;
use crate::domain::target::{Target, TargetDraft};
use crate::domain::task::UnitMention;
use crate::domain::text::search_key;
use crate::domain::valid::Valid;

#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub within_path: Option<String>,
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub query: Option<String>,
}

const TARGET_COLUMNS: &str = "g.id, g.plan_id, u.path AS scope_path, g.ref, g.group_path,
    g.position, g.name, g.measure_unit, g.direction, g.note,
    g.external_source, g.external_id, g.version";
const TARGET_FROM: &str = "FROM targets g JOIN plans p ON p.id = g.plan_id
    JOIN units u ON u.id = p.issuer_unit_id";

impl Store {
    pub async fn create_target(
        &self,
        plan_id: i64,
        draft: Valid<TargetDraft>,
        actor: &Actor,
    ) -> StoreResult<Target> {
        self.create_target_with_external(plan_id, draft, None, actor)
            .await
    }

    /// Creates a target carrying `external` (refused when another target has it).
    pub async fn create_target_with_external(
        &self,
        plan_id: i64,
        draft: Valid<TargetDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Target> {
        match self.add_target(plan_id, draft, external, actor).await {
            Ok(record) => Ok(record),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn add_target(
        &self,
        plan_id: i64,
        draft: Valid<TargetDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Target> {
        let plan = self.plan(plan_id).await?.ok_or(StoreError::NotFound)?;
        self.check_mentions(&plan, &draft.lead).await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        super::plans::lock_plan(&mut tx, plan_id).await?;
        let position: i64 = sqlx::query(
            "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM targets WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
        let mut deltas = RollupDeltas::new(now);
        let mut target = insert_target(&mut tx, &mut deltas, &plan, position, draft, now).await?;
        set_external(&mut tx, RecordKind::Target, target.id, external, None).await?;
        target.external = external.cloned();
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "create",
                entity: "target",
                entity_id: Some(target.id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: None,
                after: Some(target_json(&target)),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        Ok(target)
    }

    pub async fn update_target(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TargetDraft>,
        actor: &Actor,
    ) -> StoreResult<Target> {
        self.update_target_with_external(id, expected_version, draft, &ExternalChange::Keep, actor)
            .await
    }

    /// Changes a target and its external id in one transaction.
    pub async fn update_target_with_external(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TargetDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Target> {
        match self
            .change_target(id, expected_version, draft, external, actor)
            .await
        {
            Ok(record) => Ok(record),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn change_target(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<TargetDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Target> {
        let before = self.target(id).await?.ok_or(StoreError::NotFound)?;
        let plan = self
            .plan(before.plan_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.check_mentions(&plan, &draft.lead).await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE targets SET ref = $1, group_path = $2, name = $3, folded_name = $4,
                    measure_unit = $5, direction = $6, note = $7, updated_at = $8,
                    version = version + 1
             WHERE id = $9 AND version = $10",
        )
        .bind(draft.reference.clone())
        .bind(join_lines(&draft.group_path))
        .bind(draft.name.clone())
        .bind(search_key(&draft.name))
        .bind(draft.measure_unit.clone())
        .bind(direction_text(
            draft.direction.unwrap_or(Direction::HigherIsBetter),
        ))
        .bind(draft.note.clone())
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        for table in [
            "DELETE FROM target_units WHERE target_id = $1",
            "DELETE FROM target_goals WHERE target_id = $1",
        ] {
            sqlx::query(table).bind(id).execute(&mut *tx).await?;
        }
        insert_target_parts(&mut tx, id, &plan, &draft.lead, &draft.goals).await?;
        let mut deltas = RollupDeltas::new(now);
        refresh_target(&mut tx, &mut deltas, id).await?;
        let wanted = external.apply(before.external.as_ref());
        set_external(
            &mut tx,
            RecordKind::Target,
            id,
            wanted.as_ref(),
            before.external.as_ref(),
        )
        .await?;
        let draft = draft.into_inner();
        let after = Target {
            external: wanted,
            reference: draft.reference,
            group_path: draft.group_path,
            name: draft.name,
            measure_unit: draft.measure_unit,
            lead: draft.lead,
            goals: draft.goals,
            note: draft.note,
            direction: draft.direction.unwrap_or(Direction::HigherIsBetter),
            version: before.version + 1,
            ..before.clone()
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "update",
                entity: "target",
                entity_id: Some(id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: Some(target_json(&before)),
                after: Some(target_json(&after)),
            },
        )
        .await?;
        deltas.commit(tx).await?;
        Ok(after)
    }

    pub async fn target(&self, id: i64) -> StoreResult<Option<Target>> {
        let sql = format!("SELECT {TARGET_COLUMNS} {TARGET_FROM} WHERE g.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut targets = vec![target_from_row(&row)?];
                self.attach_target_parts(&mut targets).await?;
                Ok(targets.pop())
            }
        }
    }

    pub async fn targets(&self, filter: &TargetFilter, page: Page) -> StoreResult<Listing<Target>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("u.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(plan_id) = filter.plan_id {
            c.push("g.plan_id = ?", Bind::Int(plan_id));
        }
        if let Some(unit_id) = filter.unit_id {
            c.push(
                "EXISTS (SELECT 1 FROM target_units tu WHERE tu.target_id = g.id AND tu.unit_id = ?)",
                Bind::Int(unit_id),
            );
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            c.push("g.folded_name LIKE ?", Bind::Text(format!("%{q}%")));
        }
        let (total, rows) = fetch_page(
            &self.read,
            TARGET_COLUMNS,
            TARGET_FROM,
            &c,
            "g.plan_id, g.position, g.id",
            page,
        )
        .await?;
        let mut items = rows
            .iter()
            .map(target_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_target_parts(&mut items).await?;
        Ok(Listing { items, total, page })
    }

    pub async fn targets_of_plan(&self, plan_id: i64) -> StoreResult<Vec<Target>> {
        let filter = TargetFilter {
            plan_id: Some(plan_id),
            ..TargetFilter::default()
        };
        Ok(self.targets(&filter, Page::all()).await?.items)
    }

    async fn attach_target_parts(&self, targets: &mut [Target]) -> StoreResult<()> {
        if targets.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = targets.iter().map(|t| t.id.to_string()).collect();
        let ids = ids.join(",");
        let sql = format!(
            "SELECT target_id, mention, unit_id FROM target_units
             WHERE target_id IN ({ids}) ORDER BY target_id, position"
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?
        {
            let target_id: i64 = r.try_get("target_id")?;
            if let Some(t) = targets.iter_mut().find(|t| t.id == target_id) {
                t.lead.push(UnitMention {
                    name: r.try_get("mention")?,
                    unit_id: r.try_get("unit_id")?,
                });
            }
        }
        let sql = format!(
            "SELECT target_id, year, op, value, text FROM target_goals
             WHERE target_id IN ({ids}) ORDER BY target_id, position"
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?
        {
            let target_id: i64 = r.try_get("target_id")?;
            let op: String = r.try_get("op")?;
            let goal = Goal {
                year: r
                    .try_get::<Option<i64>, _>("year")?
                    .and_then(|y| i32::try_from(y).ok()),
                op: parse_comparator(&op)?,
                value: r.try_get("value")?,
                text: r.try_get("text")?,
            };
            if let Some(t) = targets.iter_mut().find(|t| t.id == target_id) {
                t.goals.push(goal);
            }
        }
        Ok(())
    }
}

pub(super) async fn insert_target(
    conn: &mut AnyConnection,
    deltas: &mut RollupDeltas,
    plan: &Plan,
    position: i64,
    draft: Valid<TargetDraft>,
    now: i64,
) -> StoreResult<Target> {
    let row = sqlx::query(
        "INSERT INTO targets (plan_id, province_id, commune_id, ref, group_path, position, name,
                folded_name, measure_unit, direction, note, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id",
    )
    .bind(plan.id)
    .bind(plan.province_id)
    .bind(plan.commune_id)
    .bind(draft.reference.clone())
    .bind(join_lines(&draft.group_path))
    .bind(position)
    .bind(draft.name.clone())
    .bind(search_key(&draft.name))
    .bind(draft.measure_unit.clone())
    .bind(direction_text(
        draft.direction.unwrap_or(Direction::HigherIsBetter),
    ))
    .bind(draft.note.clone())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    insert_target_parts(conn, id, plan, &draft.lead, &draft.goals).await?;
    refresh_target(conn, deltas, id).await?;
    let draft = draft.into_inner();
    Ok(Target {
        id,
        plan_id: plan.id,
        scope_path: plan.issuer_path.clone(),
        reference: draft.reference,
        group_path: draft.group_path,
        position,
        name: draft.name,
        measure_unit: draft.measure_unit,
        lead: draft.lead,
        goals: draft.goals,
        note: draft.note,
        direction: draft.direction.unwrap_or(Direction::HigherIsBetter),
        external: None,
        version: 1,
    })
}

async fn insert_target_parts(
    conn: &mut AnyConnection,
    target_id: i64,
    plan: &Plan,
    lead: &[UnitMention],
    goals: &[Goal],
) -> StoreResult<()> {
    for (i, m) in lead.iter().enumerate() {
        sqlx::query(
            "INSERT INTO target_units (target_id, province_id, commune_id, position, mention, unit_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(target_id)
        .bind(plan.province_id)
        .bind(plan.commune_id)
        .bind(i as i64)
        .bind(m.name.clone())
        .bind(m.unit_id)
        .execute(&mut *conn)
        .await?;
    }
    for (i, g) in goals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO target_goals (target_id, province_id, commune_id, position, year, op, value, text)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(target_id)
        .bind(plan.province_id)
        .bind(plan.commune_id)
        .bind(i as i64)
        .bind(g.year.map(i64::from))
        .bind(comparator_text(g.op))
        .bind(g.value)
        .bind(g.text.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn comparator_text(op: Comparator) -> String {
    serde_json::to_value(op)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| ">=".to_string())
}

fn parse_comparator(text: &str) -> StoreResult<Comparator> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("comparator {text}")))
}

fn direction_text(direction: Direction) -> &'static str {
    match direction {
        Direction::HigherIsBetter => "higher_is_better",
        Direction::LowerIsBetter => "lower_is_better",
    }
}

pub(super) fn target_json(target: &Target) -> serde_json::Value {
    json!({
        "id": target.id,
        "plan_id": target.plan_id,
        "ref": target.reference,
        "group": target.group_path,
        "name": target.name,
        "unit": target.measure_unit,
        "lead": target.lead.iter().map(|m| json!({"name": m.name, "unit_id": m.unit_id})).collect::<Vec<_>>(),
        "goals": target.goals,
        "note": target.note,
        "direction": direction_text(target.direction),
        "external": target.external,
        "version": target.version,
    })
}

fn target_from_row(row: &AnyRow) -> StoreResult<Target> {
    let group: String = row.try_get("group_path")?;
    let direction: String = row.try_get("direction")?;
    Ok(Target {
        id: row.try_get("id")?,
        plan_id: row.try_get("plan_id")?,
        scope_path: row.try_get("scope_path")?,
        reference: row.try_get("ref")?,
        group_path: split_lines(&group),
        position: row.try_get("position")?,
        name: row.try_get("name")?,
        measure_unit: row.try_get("measure_unit")?,
        lead: Vec::new(),
        goals: Vec::new(),
        note: row.try_get("note")?,
        direction: if direction == "lower_is_better" {
            Direction::LowerIsBetter
        } else {
            Direction::HigherIsBetter
        },
        external: external_from_row(row)?,
        version: row.try_get("version")?,
    })
}
