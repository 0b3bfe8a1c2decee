//! Units of the organisation tree.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::external::{external_from_row, set_external};
use super::rows::{Bind, Conditions, date_text, fetch_page, map_unique, parse_date};
use super::unit_history::{NewEvent, record_event};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::external::{ExternalChange, ExternalId, RecordKind};
use crate::domain::text::search_key;
use crate::domain::unit::{FormerName, Side, Unit, UnitDraft, UnitKind};
use crate::domain::unit_history::EventKind;
use crate::domain::valid::Valid;

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only units inside this subtree (a path prefix).
    pub within_path: Option<String>,
    pub parent_id: Option<i64>,
    pub kind: Option<UnitKind>,
    /// Folded substring of the name or an alias.
    pub query: Option<String>,
}

const UNIT_COLUMNS: &str =
    "u.id, u.parent_id, u.kind, u.name, u.side, u.path, u.province_id, u.commune_id, u.code,
     u.ended_on, u.successor_id, u.external_source, u.external_id, u.version";

impl Store {
    pub async fn create_unit(&self, draft: Valid<UnitDraft>, actor: &Actor) -> StoreResult<Unit> {
        self.create_unit_with_external(draft, None, actor).await
    }

    /// Creates a unit carrying `external` (refused when another unit has it).
    pub async fn create_unit_with_external(
        &self,
        draft: Valid<UnitDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        match self.insert_unit(draft, external, actor).await {
            Ok(unit) => Ok(unit),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn insert_unit(
        &self,
        draft: Valid<UnitDraft>,
        external: Option<&ExternalId>,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let parent = match draft.parent_id {
            Some(id) => Some(self.unit(id).await?.ok_or(StoreError::NotFound)?),
            None => None,
        };
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                                commune_id, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, '', NULL, NULL, $6, $6, 1) RETURNING id",
        )
        .bind(draft.parent_id)
        .bind(draft.kind.as_str())
        .bind(draft.name.clone())
        .bind(search_key(&draft.name))
        .bind(draft.side.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "unit"))?;
        let id: i64 = row.try_get("id")?;
        let path = match &parent {
            Some(p) => format!("{}{id}/", p.path),
            None => format!("/{id}/"),
        };
        let province_id = match draft.kind {
            UnitKind::Province => Some(id),
            _ => parent.as_ref().and_then(|p| p.province_id),
        };
        let commune_id = match draft.kind {
            UnitKind::Commune => Some(id),
            _ => parent.as_ref().and_then(|p| p.commune_id),
        };
        sqlx::query("UPDATE units SET path = $1, province_id = $2, commune_id = $3 WHERE id = $4")
            .bind(path.clone())
            .bind(province_id)
            .bind(commune_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_aliases(&mut tx, id, &draft.aliases).await?;
        set_external(&mut tx, RecordKind::Unit, id, external, None).await?;
        let draft = draft.into_inner();
        let unit = Unit {
            id,
            parent_id: draft.parent_id,
            kind: draft.kind,
            name: draft.name,
            aliases: draft.aliases,
            side: draft.side,
            path,
            province_id,
            commune_id,
            code: None,
            ended_on: None,
            successor_id: None,
            external: external.cloned(),
            version: 1,
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "create",
                entity: "unit",
                entity_id: Some(id),
                province_id,
                commune_id,
                before: None,
                after: Some(json!(unit)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// Renames a unit, changes its kind, side or aliases. Moving a unit to
    /// another parent is not offered: its path and keys would change for
    /// every record beneath it.
    pub async fn update_unit(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<UnitDraft>,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        self.update_unit_with_external(id, expected_version, draft, &ExternalChange::Keep, actor)
            .await
    }

    /// Changes a unit and its external id in one transaction.
    pub async fn update_unit_with_external(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<UnitDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        match self
            .change_unit(id, expected_version, draft, external, actor)
            .await
        {
            Ok(unit) => Ok(unit),
            Err(e) => Err(self.name_external_holder(e).await),
        }
    }

    async fn change_unit(
        &self,
        id: i64,
        expected_version: i64,
        draft: Valid<UnitDraft>,
        external: &ExternalChange,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let before = self.unit(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE units SET kind = $1, name = $2, folded_name = $3, side = $4,
                    updated_at = $5, version = version + 1
             WHERE id = $6 AND version = $7",
        )
        .bind(draft.kind.as_str())
        .bind(draft.name.clone())
        .bind(search_key(&draft.name))
        .bind(draft.side.as_str())
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
        if search_key(&before.name) != search_key(&draft.name) {
            // A plain change of name takes effect today.
            keep_former_name(
                &mut tx,
                id,
                (&before.name, &draft.name),
                self.clock.today(),
                now,
                actor,
            )
            .await?;
        }
        sqlx::query("DELETE FROM unit_aliases WHERE unit_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_aliases(&mut tx, id, &draft.aliases).await?;
        let wanted = external.apply(before.external.as_ref());
        set_external(
            &mut tx,
            RecordKind::Unit,
            id,
            wanted.as_ref(),
            before.external.as_ref(),
        )
        .await?;
        let draft = draft.into_inner();
        let after = Unit {
            kind: draft.kind,
            name: draft.name,
            aliases: draft.aliases,
            side: draft.side,
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
                entity: "unit",
                entity_id: Some(id),
                province_id: after.province_id,
                commune_id: after.commune_id,
                before: Some(json!(before)),
                after: Some(json!(after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A unit with its aliases, in one read (a row an alias): every
    /// request reads one or two.
    pub async fn unit(&self, id: i64) -> StoreResult<Option<Unit>> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS}, a.alias FROM units u
             LEFT JOIN unit_aliases a ON a.unit_id = u.id WHERE u.id = $1 ORDER BY a.alias"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut unit = unit_from_row(first)?;
        for row in &rows {
            if let Some(alias) = row.try_get::<Option<String>, _>("alias")? {
                unit.aliases.push(alias);
            }
        }
        Ok(Some(unit))
    }

    /// The units a level ranks: the live levels directly below it (the
    /// provinces of the nation, the communes of a province), by id and
    /// name in tree order. Units that ended (merged, split, dissolved)
    /// are not ranked; their history counts where it was filed.
    pub async fn ranked_below(&self, parent_id: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT id, name FROM units
             WHERE parent_id = $1 AND kind IN ($2, $3) AND ended_on IS NULL ORDER BY path",
        )
        .bind(parent_id)
        .bind(UnitKind::Province.as_str())
        .bind(UnitKind::Commune.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }

    /// The names a unit had before its renames, oldest first.
    pub async fn former_names(&self, id: i64) -> StoreResult<Vec<FormerName>> {
        let rows = sqlx::query(
            "SELECT name, until_on FROM unit_names WHERE unit_id = $1 ORDER BY until_on",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(FormerName {
                name: r.try_get("name")?,
                until_on: parse_date(r.try_get("until_on")?)?
                    .ok_or_else(|| StoreError::Corrupt("unit_names.until_on".into()))?,
            });
        }
        Ok(out)
    }

    /// Renames a unit read at `expected_version` from `effective_on` (a
    /// day checked by the domain): the name it had is kept until that day.
    pub async fn rename_unit(
        &self,
        id: i64,
        expected_version: i64,
        name: &str,
        effective_on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let before = self.unit(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE units SET name = $1, folded_name = $2, updated_at = $3, version = version + 1
             WHERE id = $4 AND version = $5",
        )
        .bind(name.to_string())
        .bind(search_key(name))
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
        keep_former_name(&mut tx, id, (&before.name, name), effective_on, now, actor).await?;
        let after = Unit {
            name: name.to_string(),
            version: before.version + 1,
            ..before.clone()
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "rename",
                entity: "unit",
                entity_id: Some(id),
                province_id: after.province_id,
                commune_id: after.commune_id,
                before: Some(json!({"name": before.name})),
                after: Some(json!({"name": after.name, "effective_on": effective_on})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The unit carrying an official code.
    pub async fn unit_by_code(&self, code: &str) -> StoreResult<Option<Unit>> {
        let row = sqlx::query("SELECT id FROM units WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(row) => self.unit(row.try_get("id")?).await,
            None => Ok(None),
        }
    }

    pub async fn units(&self, filter: &UnitFilter, page: Page) -> StoreResult<Listing<Unit>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("u.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(parent) = filter.parent_id {
            c.push("u.parent_id = ?", Bind::Int(parent));
        }
        if let Some(kind) = filter.kind {
            c.push("u.kind = ?", Bind::Text(kind.as_str().to_string()));
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            let n = c.next_placeholder();
            c.binds.push(Bind::Text(format!("%{q}%")));
            c.push_raw(&format!(
                "(u.folded_name LIKE ${n} OR EXISTS (SELECT 1 FROM unit_aliases a
                  WHERE a.unit_id = u.id AND a.folded_alias LIKE ${n}))"
            ));
        }
        let (total, rows) =
            fetch_page(&self.read, UNIT_COLUMNS, "FROM units u", &c, "u.path", page).await?;
        let mut items = rows
            .iter()
            .map(unit_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_aliases(&mut items).await?;
        Ok(Listing { items, total, page })
    }

    /// Every unit inside a subtree, in tree order, with aliases: used to
    /// resolve unit names in plans and to draw the tree.
    pub async fn subtree(&self, path: &str) -> StoreResult<Vec<Unit>> {
        let filter = UnitFilter {
            within_path: Some(path.to_string()),
            ..UnitFilter::default()
        };
        Ok(self.units(&filter, Page::all()).await?.items)
    }

    async fn attach_aliases(&self, units: &mut [Unit]) -> StoreResult<()> {
        if units.is_empty() {
            return Ok(());
        }
        // One query for the page rather than one per unit.
        let ids: Vec<String> = units.iter().map(|u| u.id.to_string()).collect();
        let sql = format!(
            "SELECT unit_id, alias FROM unit_aliases WHERE unit_id IN ({}) ORDER BY alias",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.read)
            .await?;
        for r in rows {
            let unit_id: i64 = r.try_get("unit_id")?;
            let alias: String = r.try_get("alias")?;
            if let Some(u) = units.iter_mut().find(|u| u.id == unit_id) {
                u.aliases.push(alias);
            }
        }
        Ok(())
    }
}

/// Keeps `name` as the unit's name until `until_on`; a second change the
/// same day keeps the name the day began with.
async fn keep_former_name(
    conn: &mut sqlx::AnyConnection,
    unit_id: i64,
    (name, new_name): (&str, &str),
    until_on: NaiveDate,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    record_event(
        &mut *conn,
        NewEvent {
            kind: EventKind::Rename,
            unit_id,
            effective_on: until_on,
            name_before: Some(name),
            name_after: Some(new_name),
            links: vec![],
        },
        now,
        actor,
    )
    .await?;
    sqlx::query(
        "INSERT INTO unit_names (unit_id, until_on, name, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id, until_on) DO NOTHING",
    )
    .bind(unit_id)
    .bind(date_text(Some(until_on)))
    .bind(name.to_string())
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_aliases(
    conn: &mut sqlx::AnyConnection,
    unit_id: i64,
    aliases: &[String],
) -> StoreResult<()> {
    for alias in aliases {
        sqlx::query(
            "INSERT INTO unit_aliases (unit_id, alias, folded_alias) VALUES ($1, $2, $3)
             ON CONFLICT (unit_id, folded_alias) DO NOTHING",
        )
        .bind(unit_id)
        .bind(alias.clone())
        .bind(search_key(alias))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn unit_from_row(row: &AnyRow) -> StoreResult<Unit> {
    let kind: String = row.try_get("kind")?;
    let side: String = row.try_get("side")?;
    Ok(Unit {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        kind: UnitKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unit kind {kind}")))?,
        name: row.try_get("name")?,
        aliases: Vec::new(),
        side: Side::parse(&side).ok_or_else(|| StoreError::Corrupt(format!("side {side}")))?,
        path: row.try_get("path")?,
        province_id: row.try_get("province_id")?,
        commune_id: row.try_get("commune_id")?,
        code: row.try_get("code")?,
        ended_on: parse_date(row.try_get("ended_on")?)?,
        successor_id: row.try_get("successor_id")?,
        external: external_from_row(row)?,
        version: row.try_get("version")?,
    })
}
