//! The official list of provinces and communes loaded into the unit tree,
//! keyed by code: a unit already carrying the code is left as it is (its
//! name may have changed since), one made by hand under the same parent
//! with the same name is given its code, the rest are created. Loading the
//! list again changes nothing.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::official::OfficialUnit;
use crate::domain::text::search_key;
use crate::domain::unit::UnitKind;

/// What loading the official list did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OfficialImport {
    /// Provinces and communes of the list that were loaded.
    pub provinces: usize,
    pub communes: usize,
    /// Units created.
    pub created: usize,
    /// Units made by hand, found by name, given their code.
    pub adopted: usize,
    /// Units already carrying their code.
    pub unchanged: usize,
    /// Of those, units whose name here differs from the list's (renamed
    /// since, or named otherwise locally); left as they are.
    pub named_otherwise: usize,
}

/// A province or commune already in the tree.
struct Existing {
    id: i64,
    path: String,
    folded_name: String,
}

/// Where a unit of the list goes: under this parent.
#[derive(Clone)]
struct Place {
    id: i64,
    path: String,
    province_id: Option<i64>,
}

#[derive(Default)]
struct Known {
    by_code: HashMap<String, Existing>,
    /// Units without a code, by (parent, kind, folded name).
    by_name: HashMap<(i64, String, String), Existing>,
}

impl Store {
    /// Loads `units` (provinces before their communes) under the nation in
    /// one transaction, creating the nation if the tree has none.
    pub async fn import_official(
        &self,
        units: &[OfficialUnit],
        actor: &Actor,
    ) -> StoreResult<OfficialImport> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let nation = nation_of(&mut tx, now).await?;
        let mut known = known_units(&mut tx).await?;
        let mut placed: HashMap<String, Place> = HashMap::new();
        let mut outcome = OfficialImport::default();
        for unit in units {
            let kind = unit.official_type.unit_kind();
            let parent = match &unit.parent_code {
                None => nation.clone(),
                Some(code) => placed
                    .get(code)
                    .cloned()
                    .ok_or_else(|| StoreError::Refused(format!("thiếu tỉnh mã {code}")))?,
            };
            let (id, path) =
                place_unit(&mut tx, now, &mut known, &parent, unit, &mut outcome).await?;
            match kind {
                UnitKind::Province => {
                    outcome.provinces += 1;
                    placed.insert(
                        unit.code.clone(),
                        Place {
                            id,
                            path,
                            province_id: Some(id),
                        },
                    );
                }
                _ => outcome.communes += 1,
            }
        }
        if outcome.created + outcome.adopted > 0 {
            audit::record(
                &mut tx,
                now,
                actor,
                Change {
                    action: "import_official",
                    entity: "unit",
                    entity_id: None,
                    province_id: None,
                    commune_id: None,
                    before: None,
                    after: Some(json!(outcome)),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

/// The nation at the root of the tree, created when there is none.
async fn nation_of(conn: &mut sqlx::AnyConnection, now: i64) -> StoreResult<Place> {
    let row = sqlx::query("SELECT id, path FROM units WHERE kind = 'nation' ORDER BY id LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(row) = row {
        return Ok(Place {
            id: row.try_get("id")?,
            path: row.try_get("path")?,
            province_id: None,
        });
    }
    let name = "Việt Nam";
    let row = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                            commune_id, created_at, updated_at, version)
         VALUES (NULL, 'nation', $1, $2, 'government', '', NULL, NULL, $3, $3, 1) RETURNING id",
    )
    .bind(name)
    .bind(search_key(name))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    let path = format!("/{id}/");
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
        .bind(path.clone())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Place {
        id,
        path,
        province_id: None,
    })
}

async fn known_units(conn: &mut sqlx::AnyConnection) -> StoreResult<Known> {
    let rows = sqlx::query(
        "SELECT id, parent_id, kind, folded_name, path, code FROM units
         WHERE kind IN ('province', 'commune')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut known = Known::default();
    for row in rows {
        let existing = Existing {
            id: row.try_get("id")?,
            path: row.try_get("path")?,
            folded_name: row.try_get("folded_name")?,
        };
        let code: Option<String> = row.try_get("code")?;
        let parent: Option<i64> = row.try_get("parent_id")?;
        let kind: String = row.try_get("kind")?;
        match (code, parent) {
            (Some(code), _) => {
                known.by_code.insert(code, existing);
            }
            (None, Some(parent)) => {
                let key = (parent, kind, existing.folded_name.clone());
                known.by_name.entry(key).or_insert(existing);
            }
            (None, None) => {}
        }
    }
    Ok(known)
}

/// Finds or creates one unit of the list; returns its id and path.
async fn place_unit(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    known: &mut Known,
    parent: &Place,
    unit: &OfficialUnit,
    outcome: &mut OfficialImport,
) -> StoreResult<(i64, String)> {
    let folded = search_key(&unit.name);
    if let Some(existing) = known.by_code.get(&unit.code) {
        outcome.unchanged += 1;
        if existing.folded_name != folded {
            outcome.named_otherwise += 1;
        }
        return Ok((existing.id, existing.path.clone()));
    }
    let kind = unit.official_type.unit_kind();
    let key = (parent.id, kind.as_str().to_string(), folded.clone());
    if let Some(existing) = known.by_name.remove(&key) {
        sqlx::query(
            "UPDATE units SET code = $1, official_type = $2, updated_at = $3,
                    version = version + 1
             WHERE id = $4",
        )
        .bind(unit.code.clone())
        .bind(unit.official_type.as_str())
        .bind(now)
        .bind(existing.id)
        .execute(&mut *conn)
        .await?;
        outcome.adopted += 1;
        return Ok((existing.id, existing.path));
    }
    let row = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                            commune_id, code, official_type, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, 'government', '', $5, NULL, $6, $7, $8, $8, 1) RETURNING id",
    )
    .bind(parent.id)
    .bind(kind.as_str())
    .bind(unit.name.clone())
    .bind(folded)
    .bind(parent.province_id)
    .bind(unit.code.clone())
    .bind(unit.official_type.as_str())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    let path = format!("{}{id}/", parent.path);
    let (province_id, commune_id) = match kind {
        UnitKind::Province => (Some(id), None),
        _ => (parent.province_id, Some(id)),
    };
    sqlx::query("UPDATE units SET path = $1, province_id = $2, commune_id = $3 WHERE id = $4")
        .bind(path.clone())
        .bind(province_id)
        .bind(commune_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    outcome.created += 1;
    Ok((id, path))
}
