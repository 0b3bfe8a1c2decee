//! Onboarding in bulk: the part of the tree a sheet is read against, the
//! usernames already taken, and a checked sheet written in one
//! transaction — units one by one (each needs its parent's path), then the
//! accounts, their roles, their enrolment codes (hashes only) and every
//! audit entry in multi-row statements, so a province of 2,000 units and
//! 2,000 accounts loads in seconds. No password is hashed here.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::bulk::{BulkValue, insert_rows};
use super::rows::map_unique;
use super::staff::NO_PASSWORD;
use super::units::insert_aliases;
use super::{Actor, NewEnrolment, Store, StoreError, StoreResult};
use crate::domain::onboarding::{OnboardPlan, TreeUnit, UnitRef};
use crate::domain::text::search_key;
use crate::domain::unit::{Unit, UnitDraft, UnitKind};
use crate::domain::valid::Valid;

/// What a sheet created: the ids of the new units (in the plan's order)
/// and of the new accounts (likewise).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Onboarded {
    pub unit_ids: Vec<i64>,
    pub user_ids: Vec<i64>,
}

/// A unit's place, for its children and accounts.
#[derive(Clone)]
struct Placed {
    id: i64,
    path: String,
    province_id: Option<i64>,
    commune_id: Option<i64>,
}

impl Store {
    /// Creates checked units under `parent` in one transaction, each
    /// audited (a commune's template).
    pub async fn create_units(
        &self,
        parent: &Unit,
        drafts: Vec<Valid<UnitDraft>>,
        actor: &Actor,
    ) -> StoreResult<Vec<Unit>> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let mut created = Vec::with_capacity(drafts.len());
        let mut changes = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let row = sqlx::query(
                "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                                    commune_id, created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $8, 1) RETURNING id",
            )
            .bind(parent.id)
            .bind(draft.kind.as_str())
            .bind(draft.name.clone())
            .bind(search_key(&draft.name))
            .bind(draft.side.as_str())
            .bind(parent.province_id)
            .bind(parent.commune_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| map_unique(e, "unit"))?;
            let id: i64 = row.try_get("id")?;
            let path = format!("{}{id}/", parent.path);
            sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
                .bind(path.clone())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_aliases(&mut tx, id, &draft.aliases).await?;
            let draft = draft.into_inner();
            let unit = Unit {
                id,
                parent_id: Some(parent.id),
                kind: draft.kind,
                name: draft.name,
                aliases: draft.aliases,
                side: draft.side,
                path,
                province_id: parent.province_id,
                commune_id: parent.commune_id,
                code: None,
                ended_on: None,
                successor_id: None,
                external: None,
                version: 1,
            };
            changes.push(Change {
                action: "create",
                entity: "unit",
                entity_id: Some(id),
                province_id: unit.province_id,
                commune_id: unit.commune_id,
                before: None,
                after: Some(json!(unit)),
            });
            created.push(unit);
        }
        audit::record_many(&mut tx, now, actor, changes).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Every unit in force under `path` (the root excluded), with its
    /// aliases: what a sheet's rows are resolved against.
    pub async fn onboarding_tree(&self, path: &str) -> StoreResult<Vec<TreeUnit>> {
        let rows = sqlx::query(
            "SELECT id, parent_id, kind, name, code FROM units
             WHERE path LIKE $1 AND path <> $2 AND ended_on IS NULL ORDER BY path",
        )
        .bind(format!("{path}%"))
        .bind(path.to_string())
        .fetch_all(&self.read)
        .await?;
        let mut units = Vec::with_capacity(rows.len());
        let mut index = HashMap::new();
        for r in rows {
            let kind: String = r.try_get("kind")?;
            let id: i64 = r.try_get("id")?;
            index.insert(id, units.len());
            units.push(TreeUnit {
                id,
                parent_id: r.try_get("parent_id")?,
                kind: UnitKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit kind {kind}")))?,
                name: r.try_get("name")?,
                aliases: Vec::new(),
                code: r.try_get("code")?,
            });
        }
        let aliases = sqlx::query(
            "SELECT a.unit_id, a.alias FROM unit_aliases a JOIN units u ON u.id = a.unit_id
             WHERE u.path LIKE $1",
        )
        .bind(format!("{path}%"))
        .fetch_all(&self.read)
        .await?;
        for r in aliases {
            let id: i64 = r.try_get("unit_id")?;
            if let Some(&i) = index.get(&id) {
                units[i].aliases.push(r.try_get("alias")?);
            }
        }
        Ok(units)
    }

    /// Which of `names` are usernames already, and every username that
    /// starts with one of `prefixes` (a base whose numbered variants must
    /// be avoided).
    pub async fn usernames_taken(
        &self,
        names: &[String],
        prefixes: &[String],
    ) -> StoreResult<HashSet<String>> {
        let mut taken = HashSet::new();
        for chunk in names.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT username FROM users WHERE username IN ({})",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for name in chunk {
                q = q.bind(name.clone());
            }
            for r in q.fetch_all(&self.read).await? {
                taken.insert(r.try_get::<String, _>("username")?);
            }
        }
        for prefix in prefixes.iter().collect::<HashSet<_>>() {
            // Usernames are ASCII letters, digits and `._-`, all below `~`.
            let rows =
                sqlx::query("SELECT username FROM users WHERE username >= $1 AND username < $2")
                    .bind(prefix.clone())
                    .bind(format!("{prefix}~"))
                    .fetch_all(&self.read)
                    .await?;
            for r in rows {
                taken.insert(r.try_get::<String, _>("username")?);
            }
        }
        Ok(taken)
    }

    /// Writes a checked sheet under `root` in one transaction: its units,
    /// its accounts (no password; `codes[i]` is the enrolment code of
    /// `plan.accounts[i]`), and the audit trail. A username taken since
    /// the check refuses the whole sheet.
    pub async fn apply_onboarding(
        &self,
        root_id: i64,
        plan: &Valid<OnboardPlan>,
        codes: &[NewEnrolment],
        actor: &Actor,
    ) -> StoreResult<Onboarded> {
        if codes.len() != plan.accounts.len() {
            return Err(StoreError::Refused(
                "một mã kích hoạt cho mỗi tài khoản".into(),
            ));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let mut placed = self.insert_units(&mut tx, plan, now, actor).await?;
        let user_ids = self
            .insert_accounts(&mut tx, plan, codes, &mut placed, now, actor)
            .await?;
        let root = self.unit(root_id).await?.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "onboard",
                entity: "unit",
                entity_id: Some(root.id),
                province_id: root.province_id,
                commune_id: root.commune_id,
                before: None,
                after: Some(json!({
                    "units_created": plan.units.len(),
                    "accounts_created": plan.accounts.len(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Onboarded {
            unit_ids: placed.new.iter().map(|p| p.id).collect(),
            user_ids,
        })
    }

    async fn insert_units(
        &self,
        conn: &mut sqlx::AnyConnection,
        plan: &OnboardPlan,
        now: i64,
        actor: &Actor,
    ) -> StoreResult<PlacedUnits> {
        let mut placed = PlacedUnits::default();
        let mut changes = Vec::with_capacity(plan.units.len());
        for unit in &plan.units {
            let parent = placed.get(self, unit.parent).await?;
            let row = sqlx::query(
                "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                                    commune_id, created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, '', NULL, NULL, $6, $6, 1) RETURNING id",
            )
            .bind(parent.id)
            .bind(unit.kind.as_str())
            .bind(unit.name.clone())
            .bind(search_key(&unit.name))
            .bind(unit.side.as_str())
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| map_unique(e, "unit"))?;
            let id: i64 = row.try_get("id")?;
            let here = Placed {
                id,
                path: format!("{}{id}/", parent.path),
                province_id: match unit.kind {
                    UnitKind::Province => Some(id),
                    _ => parent.province_id,
                },
                commune_id: match unit.kind {
                    UnitKind::Commune => Some(id),
                    _ => parent.commune_id,
                },
            };
            sqlx::query(
                "UPDATE units SET path = $1, province_id = $2, commune_id = $3 WHERE id = $4",
            )
            .bind(here.path.clone())
            .bind(here.province_id)
            .bind(here.commune_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            changes.push(Change {
                action: "create",
                entity: "unit",
                entity_id: Some(id),
                province_id: here.province_id,
                commune_id: here.commune_id,
                before: None,
                after: Some(json!({
                    "id": id,
                    "parent_id": parent.id,
                    "kind": unit.kind,
                    "name": unit.name,
                    "side": unit.side,
                    "path": here.path,
                    "row": unit.row,
                })),
            });
            placed.new.push(here);
        }
        audit::record_many(conn, now, actor, changes).await?;
        Ok(placed)
    }

    async fn insert_accounts(
        &self,
        conn: &mut sqlx::AnyConnection,
        plan: &OnboardPlan,
        codes: &[NewEnrolment],
        placed: &mut PlacedUnits,
        now: i64,
        actor: &Actor,
    ) -> StoreResult<Vec<i64>> {
        if plan.accounts.is_empty() {
            return Ok(Vec::new());
        }
        let mut places = Vec::with_capacity(plan.accounts.len());
        let mut rows = Vec::with_capacity(plan.accounts.len());
        let text = |v: &Option<String>| match v {
            Some(t) => BulkValue::Text(t.clone()),
            None => BulkValue::NullText,
        };
        let int = |v: Option<i64>| v.map_or(BulkValue::Null, BulkValue::Int);
        for a in &plan.accounts {
            let unit = placed.get(self, a.unit).await?;
            rows.push(vec![
                BulkValue::Int(unit.id),
                int(unit.province_id),
                int(unit.commune_id),
                BulkValue::Text(a.username.clone()),
                BulkValue::Text(a.profile.full_name.clone()),
                BulkValue::Text(NO_PASSWORD.into()),
                BulkValue::Int(1),
                BulkValue::Int(0),
                BulkValue::Int(now),
                BulkValue::Int(now),
                BulkValue::Int(1),
                text(&a.profile.email),
                text(&a.profile.phone),
            ]);
            places.push(unit);
        }
        insert_rows(
            conn,
            self.engine,
            "users",
            &[
                "unit_id",
                "province_id",
                "commune_id",
                "username",
                "full_name",
                "password_hash",
                "active",
                "failed_logins",
                "created_at",
                "updated_at",
                "version",
                "email",
                "phone",
            ],
            &rows,
        )
        .await
        .map_err(|e| match e {
            StoreError::Database(e) => map_unique(e, "username"),
            other => other,
        })?;
        let ids = ids_of(conn, plan).await?;
        let roles: Vec<Vec<BulkValue>> = plan
            .accounts
            .iter()
            .zip(&ids)
            .map(|(a, id)| vec![BulkValue::Int(*id), BulkValue::Text(a.role.as_str().into())])
            .collect();
        insert_rows(
            conn,
            self.engine,
            "user_roles",
            &["user_id", "role"],
            &roles,
        )
        .await?;
        let code_rows: Vec<Vec<BulkValue>> = codes
            .iter()
            .zip(&ids)
            .map(|(c, id)| {
                vec![
                    BulkValue::Int(*id),
                    BulkValue::Text(c.code_hash.clone()),
                    BulkValue::Text(c.purpose.as_str().into()),
                    BulkValue::Int(now),
                    BulkValue::Int(c.expires_at),
                    actor.user_id.map_or(BulkValue::Null, BulkValue::Int),
                ]
            })
            .collect();
        insert_rows(
            conn,
            self.engine,
            "enrolment_codes",
            &[
                "user_id",
                "code_hash",
                "purpose",
                "created_at",
                "expires_at",
                "created_by",
            ],
            &code_rows,
        )
        .await?;
        let changes = account_changes(plan, &ids, &places, codes);
        audit::record_many(conn, now, actor, changes).await?;
        Ok(ids)
    }
}

/// The trail of the accounts just written: each created, each given a code.
fn account_changes<'a>(
    plan: &'a OnboardPlan,
    ids: &[i64],
    places: &[Placed],
    codes: &[NewEnrolment],
) -> Vec<Change<'a>> {
    let mut changes = Vec::with_capacity(2 * ids.len());
    for ((a, id), (unit, code)) in plan.accounts.iter().zip(ids).zip(places.iter().zip(codes)) {
        changes.push(Change {
            action: "create",
            entity: "user",
            entity_id: Some(*id),
            province_id: unit.province_id,
            commune_id: unit.commune_id,
            before: None,
            after: Some(json!({
                "username": a.username,
                "full_name": a.profile.full_name,
                "unit_id": unit.id,
                "roles": [a.role],
                "row": a.row,
            })),
        });
        changes.push(Change {
            action: "enrolment_issued",
            entity: "user",
            entity_id: Some(*id),
            province_id: unit.province_id,
            commune_id: unit.commune_id,
            before: None,
            after: Some(json!({
                "purpose": code.purpose.as_str(),
                "expires_at": code.expires_at,
            })),
        });
    }
    changes
}

/// The ids of the accounts just written, in the plan's order.
async fn ids_of(conn: &mut sqlx::AnyConnection, plan: &OnboardPlan) -> StoreResult<Vec<i64>> {
    let mut by_name = HashMap::with_capacity(plan.accounts.len());
    for chunk in plan.accounts.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, username FROM users WHERE username IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for a in chunk {
            q = q.bind(a.username.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            by_name.insert(
                r.try_get::<String, _>("username")?,
                r.try_get::<i64, _>("id")?,
            );
        }
    }
    plan.accounts
        .iter()
        .map(|a| {
            by_name
                .get(&a.username)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("account {} not written", a.username)))
        })
        .collect()
}

/// The units created so far, and existing ones read once each.
#[derive(Default)]
struct PlacedUnits {
    new: Vec<Placed>,
    existing: HashMap<i64, Placed>,
}

impl PlacedUnits {
    async fn get(&mut self, store: &Store, r: UnitRef) -> StoreResult<Placed> {
        match r {
            UnitRef::New(i) => self
                .new
                .get(i)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("planned unit {i}"))),
            UnitRef::Existing(id) => {
                if let Some(p) = self.existing.get(&id) {
                    return Ok(p.clone());
                }
                let unit = store
                    .unit(id)
                    .await?
                    .ok_or_else(|| StoreError::InvalidReference(format!("unit {id}")))?;
                let p = Placed {
                    id,
                    path: unit.path,
                    province_id: unit.province_id,
                    commune_id: unit.commune_id,
                };
                self.existing.insert(id, p.clone());
                Ok(p)
            }
        }
    }
}
