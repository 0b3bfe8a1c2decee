//! Plans and the higher-level plans they implement.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::external::{external_from_row, set_external};
use super::rows::{Bind, Conditions, date_text, fetch_page, join_lines, parse_date, split_lines};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::external::{ExternalChange, ExternalId, RecordKind};
use crate::domain::plan::{Plan, PlanDraft, ReportingRegime};
use crate::domain::text::search_key;
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;

#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Only plans issued inside this subtree.
    pub within_path: Option<String>,
    pub issuer_unit_id: Option<i64>,
    pub query: Option<String>,
}

const PLAN_COLUMNS: &str = "p.id, p.issuer_unit_id, u.path AS issuer_path, p.province_id,
    p.commune_id, p.number, p.issued_on, p.place, p.title, p.basis, p.periods, p.unit_due_day,
    p.consolidated_due_day, p.external_source, p.external_id, p.version";

impl Store {
    pub async fn create_plan(&self, draft: Valid<PlanDraft>, actor: &Actor) -> StoreResult<Plan> {
        self.create_plan_with_external(draft, None, actor).await
    }

    /// Creates a plan carrying `external` (refused when another plan has it).
    pub async fn create_plan_with_external(
        &self,
        draft: Valid<PlanDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Plan> {
        match self.add_plan(draft, external, actor).await {
            Ok(plan) => Ok(plan),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn add_plan(
        &self,
        draft: Valid<PlanDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Plan> {
        let issuer = self
            .unit(draft.issuer_unit_id)
            .await?
            .ok_or_else(|| StoreError::InvalidReference("issuer unit".into()))?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let mut plan = insert_plan(&mut tx, &issuer, draft, None, now).await?;
        set_external(&mut tx, RecordKind::Plan, plan.id, external, None).await?;
        plan.external = external.cloned();
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "create",
                entity: "plan",
                entity_id: Some(plan.id),
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                before: None,
                after: Some(plan_json(&plan)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Changes a plan's header and regime. The issuer stays: moving a plan to
    /// another unit would move its tasks across communes.
    pub async fn update_plan(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<PlanDraft>,
        actor: &Actor,
    ) -> StoreResult<Plan> {
        self.update_plan_with_external(id, expected_version, draft, &ExternalChange::Keep, actor)
            .await
    }

    /// Changes a plan and its external id in one transaction.
    pub async fn update_plan_with_external(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<PlanDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Plan> {
        match self
            .change_plan(id, expected_version, draft, external, actor)
            .await
        {
            Ok(plan) => Ok(plan),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn change_plan(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<PlanDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Plan> {
        let before = self.plan(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE plans SET number = $1, issued_on = $2, place = $3, title = $4,
                    folded_title = $5, basis = $6, periods = $7, unit_due_day = $8,
                    consolidated_due_day = $9, updated_at = $10, version = version + 1
             WHERE id = $11 AND version = $12",
        )
        .bind(draft.number.clone())
        .bind(date_text(draft.issued_on))
        .bind(draft.place.clone())
        .bind(draft.title.clone())
        .bind(search_key(&draft.title))
        .bind(join_lines(&draft.basis))
        .bind(draft.regime.periods_text())
        .bind(draft.regime.unit_due_day.map(i64::from))
        .bind(draft.regime.consolidated_due_day.map(i64::from))
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
        self.replace_links(
            &mut tx,
            id,
            &draft.implements,
            before.province_id,
            before.commune_id,
        )
        .await?;
        let wanted = external.apply(before.external.as_ref());
        set_external(
            &mut tx,
            RecordKind::Plan,
            id,
            wanted.as_ref(),
            before.external.as_ref(),
        )
        .await?;
        let draft = draft.into_inner();
        let after = Plan {
            number: draft.number,
            issued_on: draft.issued_on,
            place: draft.place,
            title: draft.title,
            basis: draft.basis,
            implements: draft.implements,
            regime: draft.regime,
            external: wanted,
            version: before.version + 1,
            ..before.clone()
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "update",
                entity: "plan",
                entity_id: Some(id),
                province_id: after.province_id,
                commune_id: after.commune_id,
                before: Some(plan_json(&before)),
                after: Some(plan_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub(super) async fn replace_links(
        &self,
        conn: &mut sqlx::AnyConnection,
        plan_id: i64,
        implements: &[i64],
        province_id: Option<i64>,
        commune_id: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM plan_links WHERE plan_id = $1")
            .bind(plan_id)
            .execute(&mut *conn)
            .await?;
        for parent in implements {
            if *parent == plan_id {
                return Err(StoreError::InvalidReference(
                    "a plan cannot implement itself".into(),
                ));
            }
            let exists = sqlx::query("SELECT id FROM plans WHERE id = $1")
                .bind(*parent)
                .fetch_optional(&mut *conn)
                .await?;
            if exists.is_none() {
                return Err(StoreError::InvalidReference(format!("plan {parent}")));
            }
            sqlx::query(
                "INSERT INTO plan_links (plan_id, implements_plan_id, province_id, commune_id)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(plan_id)
            .bind(*parent)
            .bind(province_id)
            .bind(commune_id)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    pub async fn plan(&self, id: i64) -> StoreResult<Option<Plan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM plans p JOIN units u ON u.id = p.issuer_unit_id
             WHERE p.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(row) => {
                let mut plan = plan_from_row(&row)?;
                plan.implements = self.plan_links(id).await?;
                Ok(Some(plan))
            }
        }
    }

    async fn plan_links(&self, id: i64) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT implements_plan_id FROM plan_links WHERE plan_id = $1 ORDER BY implements_plan_id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                r.try_get::<i64, _>("implements_plan_id")
                    .map_err(StoreError::from)
            })
            .collect()
    }

    pub async fn plans(&self, filter: &PlanFilter, page: Page) -> StoreResult<Listing<Plan>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("u.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(issuer) = filter.issuer_unit_id {
            c.push("p.issuer_unit_id = ?", Bind::Int(issuer));
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            c.push("p.folded_title LIKE ?", Bind::Text(format!("%{q}%")));
        }
        let (total, rows) = fetch_page(
            &self.read,
            PLAN_COLUMNS,
            "FROM plans p JOIN units u ON u.id = p.issuer_unit_id",
            &c,
            "p.issued_on DESC, p.id DESC",
            page,
        )
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut plan = plan_from_row(row)?;
            plan.implements = self.plan_links(plan.id).await?;
            items.push(plan);
        }
        Ok(Listing { items, total, page })
    }

    /// Plans that declare they implement `plan_id` (a province plan's
    /// commune plans).
    pub async fn plans_implementing(&self, plan_id: i64) -> StoreResult<Vec<Plan>> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM plans p JOIN units u ON u.id = p.issuer_unit_id
             JOIN plan_links l ON l.plan_id = p.id WHERE l.implements_plan_id = $1 ORDER BY p.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(plan_from_row).collect()
    }
}

pub(super) fn plan_json(plan: &Plan) -> serde_json::Value {
    json!({
        "id": plan.id,
        "issuer_unit_id": plan.issuer_unit_id,
        "number": plan.number,
        "date": plan.issued_on.map(|d| d.to_string()),
        "place": plan.place,
        "title": plan.title,
        "basis": plan.basis,
        "implements": plan.implements,
        "periods": plan.regime.periods_text(),
        "unit_due_day": plan.regime.unit_due_day,
        "consolidated_due_day": plan.regime.consolidated_due_day,
        "external": plan.external,
        "version": plan.version,
    })
}

fn plan_from_row(row: &AnyRow) -> StoreResult<Plan> {
    let periods: String = row.try_get("periods")?;
    let basis: String = row.try_get("basis")?;
    let day = |col: &str| -> StoreResult<Option<u32>> {
        Ok(row
            .try_get::<Option<i64>, _>(col)?
            .and_then(|d| u32::try_from(d).ok()))
    };
    Ok(Plan {
        id: row.try_get("id")?,
        issuer_unit_id: row.try_get("issuer_unit_id")?,
        issuer_path: row.try_get("issuer_path")?,
        province_id: row.try_get("province_id")?,
        commune_id: row.try_get("commune_id")?,
        number: row.try_get("number")?,
        issued_on: parse_date(row.try_get("issued_on")?)?,
        place: row.try_get("place")?,
        title: row.try_get("title")?,
        basis: split_lines(&basis),
        implements: Vec::new(),
        regime: ReportingRegime {
            periods: ReportingRegime::periods_from_text(&periods),
            unit_due_day: day("unit_due_day")?,
            consolidated_due_day: day("consolidated_due_day")?,
        },
        external: external_from_row(row)?,
        version: row.try_get("version")?,
    })
}

/// Inserts a plan row and its links; shared by `create_plan` and imports.
pub(super) async fn insert_plan(
    conn: &mut sqlx::AnyConnection,
    issuer: &Unit,
    draft: Valid<PlanDraft>,
    source_digest: Option<&str>,
    now: i64,
) -> StoreResult<Plan> {
    let row = sqlx::query(
        "INSERT INTO plans (province_id, commune_id, issuer_unit_id, number, issued_on, place,
                title, folded_title, basis, periods, unit_due_day, consolidated_due_day,
                source_digest, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1)
         RETURNING id",
    )
    .bind(issuer.province_id)
    .bind(issuer.commune_id)
    .bind(issuer.id)
    .bind(draft.number.clone())
    .bind(date_text(draft.issued_on))
    .bind(draft.place.clone())
    .bind(draft.title.clone())
    .bind(search_key(&draft.title))
    .bind(join_lines(&draft.basis))
    .bind(draft.regime.periods_text())
    .bind(draft.regime.unit_due_day.map(i64::from))
    .bind(draft.regime.consolidated_due_day.map(i64::from))
    .bind(source_digest.map(str::to_string))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    for parent in &draft.implements {
        sqlx::query(
            "INSERT INTO plan_links (plan_id, implements_plan_id, province_id, commune_id)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(*parent)
        .bind(issuer.province_id)
        .bind(issuer.commune_id)
        .execute(&mut *conn)
        .await
        .map_err(|_| StoreError::InvalidReference(format!("plan {parent}")))?;
    }
    let draft = draft.into_inner();
    Ok(Plan {
        id,
        issuer_unit_id: issuer.id,
        issuer_path: issuer.path.clone(),
        province_id: issuer.province_id,
        commune_id: issuer.commune_id,
        number: draft.number,
        issued_on: draft.issued_on,
        place: draft.place,
        title: draft.title,
        basis: draft.basis,
        implements: draft.implements,
        regime: draft.regime,
        external: None,
        version: 1,
    })
}

/// Takes the plan's row lock until the transaction ends, before a writer
/// numbers the plan's tasks or targets (`MAX(position) + 1`). On
/// PostgreSQL two tasks added at the same moment would otherwise read the
/// same maximum; SQLite's single writer already serialises them, and the
/// same statement holds its write lock there.
pub(crate) async fn lock_plan(conn: &mut sqlx::AnyConnection, plan_id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE plans SET version = version WHERE id = $1")
        .bind(plan_id)
        .execute(conn)
        .await?;
    Ok(())
}
