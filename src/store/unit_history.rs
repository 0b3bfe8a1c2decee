//! A unit's history in SQL: the events (`unit_events` and their links),
//! and the three changes besides renames and merges, each in one
//! transaction with its event and audit entry. A split ends the unit and
//! creates the new ones beside it (its records and counters stay its
//! own); a move rewrites the subtree's paths and keys and moves its
//! counters from the old ancestors to the new ones, so the counters still
//! equal a recount; a dissolution only ends the unit.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::rows::{date_text, parse_date};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::text::search_key;
use crate::domain::unit::{Unit, UnitKind};
use crate::domain::unit_history::{EventKind, EventLink, LinkPart, NewUnit, OpenWork, UnitEvent};

/// An event to record, with the other units it names.
pub(super) struct NewEvent<'a> {
    pub kind: EventKind,
    pub unit_id: i64,
    pub effective_on: NaiveDate,
    pub name_before: Option<&'a str>,
    pub name_after: Option<&'a str>,
    pub links: Vec<(i64, LinkPart)>,
}

/// Records one event of a unit's history in the caller's transaction.
pub(super) async fn record_event(
    conn: &mut sqlx::AnyConnection,
    event: NewEvent<'_>,
    now: i64,
    actor: &Actor,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO unit_events (kind, unit_id, effective_on, name_before, name_after, actor_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(event.kind.as_str())
    .bind(event.unit_id)
    .bind(date_text(Some(event.effective_on)))
    .bind(event.name_before.map(str::to_string))
    .bind(event.name_after.map(str::to_string))
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    for (unit_id, part) in event.links {
        sqlx::query(
            "INSERT INTO unit_event_links (event_id, unit_id, part) VALUES ($1, $2, $3)
             ON CONFLICT (event_id, unit_id, part) DO NOTHING",
        )
        .bind(id)
        .bind(unit_id)
        .bind(part.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// Every table whose rows carry the province and commune of the record
/// (besides `units` and the audit trail, which keeps what was true when
/// it was written): a commune moved to another province takes them along.
const RECORD_TABLES: [&str; 29] = [
    "plans",
    "plan_links",
    "tasks",
    "task_units",
    "targets",
    "target_units",
    "target_goals",
    "users",
    "report_rounds",
    "unit_reports",
    "task_updates",
    "target_figures",
    "evidence",
    "consolidated_reports",
    "deadline_changes",
    "task_facts",
    "target_facts",
    "notifications",
    "feedback",
    "feedback_files",
    "initiatives",
    "initiative_files",
    "initiative_reviews",
    "target_sources",
    "auto_figures",
    "task_reminders",
    "escalations",
    "directions",
    "extension_requests",
];

impl Store {
    /// A unit's history, oldest first: what happened to it and the events
    /// of other units that name it (a merge into it, a split it came from,
    /// a unit moved to or from under it).
    pub async fn unit_history(&self, unit_id: i64) -> StoreResult<Vec<UnitEvent>> {
        let rows = sqlx::query(
            "SELECT e.id, e.kind, e.unit_id, u.name AS unit_name, e.effective_on, e.name_before,
                    e.name_after, e.actor_id, e.at
             FROM unit_events e JOIN units u ON u.id = e.unit_id
             WHERE e.unit_id = $1
                OR EXISTS (SELECT 1 FROM unit_event_links l WHERE l.event_id = e.id AND l.unit_id = $1)
             ORDER BY e.effective_on, e.id",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for r in rows {
            let kind: String = r.try_get("kind")?;
            let id: i64 = r.try_get("id")?;
            events.push(UnitEvent {
                id,
                kind: EventKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit event kind {kind}")))?,
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("unit_name")?,
                effective_on: parse_date(r.try_get("effective_on")?)?
                    .ok_or_else(|| StoreError::Corrupt("unit_events.effective_on".into()))?,
                name_before: r.try_get("name_before")?,
                name_after: r.try_get("name_after")?,
                links: self.event_links(id).await?,
                actor_id: r.try_get("actor_id")?,
                at: r.try_get("at")?,
            });
        }
        Ok(events)
    }

    async fn event_links(&self, event_id: i64) -> StoreResult<Vec<EventLink>> {
        let rows = sqlx::query(
            "SELECT l.unit_id, u.name, l.part FROM unit_event_links l JOIN units u ON u.id = l.unit_id
             WHERE l.event_id = $1 ORDER BY l.part, u.name",
        )
        .bind(event_id)
        .fetch_all(&self.read)
        .await?;
        let mut links = Vec::with_capacity(rows.len());
        for r in rows {
            let part: String = r.try_get("part")?;
            links.push(EventLink {
                unit_id: r.try_get("unit_id")?,
                unit_name: r.try_get("name")?,
                part: LinkPart::parse(&part)
                    .ok_or_else(|| StoreError::Corrupt(format!("unit event part {part}")))?,
            });
        }
        Ok(links)
    }

    /// The day of a unit's last event of its own (renamed, merged into or
    /// from, split, moved, ended): a new one may not take effect before.
    pub async fn last_unit_event_on(&self, unit_id: i64) -> StoreResult<Option<NaiveDate>> {
        let row = sqlx::query(
            "SELECT MAX(d) AS last FROM (
                 SELECT effective_on AS d FROM unit_events WHERE unit_id = $1
                 UNION ALL
                 SELECT e.effective_on AS d FROM unit_events e
                 JOIN unit_event_links l ON l.event_id = e.id
                 WHERE l.unit_id = $1 AND l.part IN ('source', 'successor')
                 UNION ALL
                 SELECT until_on AS d FROM unit_names WHERE unit_id = $1
                 UNION ALL
                 SELECT ended_on AS d FROM units WHERE id = $1
             ) days",
        )
        .bind(unit_id)
        .fetch_one(&self.read)
        .await?;
        parse_date(row.try_get("last")?)
    }

    /// What still hangs on a unit, by name: its running children, its open
    /// tasks (led or supported, live, not done), its reports not accepted.
    pub async fn open_work(&self, unit_id: i64) -> StoreResult<OpenWork> {
        let names = |rows: Vec<sqlx::any::AnyRow>| -> StoreResult<Vec<String>> {
            rows.iter()
                .map(|r| r.try_get::<String, _>("name").map_err(StoreError::from))
                .collect()
        };
        let children = sqlx::query(
            "SELECT name FROM units WHERE parent_id = $1 AND ended_on IS NULL ORDER BY name",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        let tasks = sqlx::query(
            "SELECT DISTINCT t.title AS name, t.id FROM task_units tu
             JOIN tasks t ON t.id = tu.task_id
             LEFT JOIN task_facts f ON f.task_id = t.id
             WHERE tu.unit_id = $1 AND t.draft = 0 AND t.not_applicable_reason IS NULL
               AND f.done IS NULL
             ORDER BY t.id",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        let reports = sqlx::query(
            "SELECT COALESCE(r.title, r.period_key) || ' — ' || p.title AS name
             FROM unit_reports ur JOIN report_rounds r ON r.id = ur.round_id
             JOIN plans p ON p.id = r.plan_id
             WHERE ur.unit_id = $1 AND ur.status <> 'accepted'
             ORDER BY r.unit_due_on, ur.id",
        )
        .bind(unit_id)
        .fetch_all(&self.read)
        .await?;
        Ok(OpenWork {
            children: names(children)?,
            tasks: names(tasks)?,
            reports: names(reports)?,
        })
    }

    /// Splits `unit` into `into` (checked by the domain) from
    /// `effective_on`: the unit ends, the new units are made beside it
    /// with its kind and side, and the event names them.
    pub async fn split_unit(
        &self,
        unit: &Unit,
        into: &[NewUnit],
        effective_on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<Vec<Unit>> {
        let parent = match unit.parent_id {
            Some(id) => self.unit(id).await?.ok_or(StoreError::NotFound)?,
            None => return Err(StoreError::NotFound),
        };
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        end_unit(&mut tx, unit, effective_on, now).await?;
        let mut made = Vec::with_capacity(into.len());
        for new in into {
            made.push(insert_beside(&mut tx, unit, &parent, new, now).await?);
        }
        let links = made.iter().map(|u| (u.id, LinkPart::Successor)).collect();
        record_event(
            &mut tx,
            NewEvent {
                kind: EventKind::Split,
                unit_id: unit.id,
                effective_on,
                name_before: None,
                name_after: None,
                links,
            },
            now,
            actor,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "split",
                entity: "unit",
                entity_id: Some(unit.id),
                province_id: unit.province_id,
                commune_id: unit.commune_id,
                before: Some(json!({"name": unit.name, "path": unit.path})),
                after: Some(json!({"effective_on": effective_on, "into": made})),
            },
        )
        .await?;
        touch_levels(&mut tx, &[parent.id], now).await?;
        tx.commit().await?;
        Ok(made)
    }

    /// Ends `unit` on `effective_on` with no successor; its records and
    /// counters stay its own.
    pub async fn dissolve_unit(
        &self,
        unit: &Unit,
        effective_on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        end_unit(&mut tx, unit, effective_on, now).await?;
        record_event(
            &mut tx,
            NewEvent {
                kind: EventKind::Dissolve,
                unit_id: unit.id,
                effective_on,
                name_before: None,
                name_after: None,
                links: vec![],
            },
            now,
            actor,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "dissolve",
                entity: "unit",
                entity_id: Some(unit.id),
                province_id: unit.province_id,
                commune_id: unit.commune_id,
                before: Some(json!({"name": unit.name})),
                after: Some(json!({"ended_on": effective_on})),
            },
        )
        .await?;
        if let Some(parent) = unit.parent_id {
            touch_levels(&mut tx, &[parent], now).await?;
        }
        tx.commit().await?;
        self.unit(unit.id).await?.ok_or(StoreError::NotFound)
    }

    /// Moves `unit` with its subtree under `to` from `effective_on` (checked
    /// by the domain): paths, province and commune keys of the subtree and
    /// of the records of its communes, and its counters, all in one
    /// transaction.
    pub async fn move_unit(
        &self,
        unit: &Unit,
        to: &Unit,
        effective_on: NaiveDate,
        actor: &Actor,
    ) -> StoreResult<Unit> {
        let from = unit.parent_id.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let moved = sqlx::query(
            "UPDATE units SET parent_id = $1, updated_at = $2, version = version + 1
             WHERE id = $3 AND parent_id = $4 AND ended_on IS NULL",
        )
        .bind(to.id)
        .bind(now)
        .bind(unit.id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::Refused(format!(
                "«{}» vừa được thay đổi bởi người khác; hãy tải lại và thử lại",
                unit.name
            )));
        }
        let new_path = format!("{}{}/", to.path, unit.id);
        if unit.kind != UnitKind::Commune {
            refuse_if_issuing(&mut tx, unit).await?;
        }
        rewrite_paths(&mut tx, &unit.path, &new_path).await?;
        if unit.kind == UnitKind::Commune {
            move_commune_keys(&mut tx, &new_path, to.id).await?;
            move_counters(&mut tx, unit.id, from, to.id, now).await?;
        } else {
            move_working_keys(&mut tx, &new_path, to).await?;
            touch_levels(&mut tx, &[from, to.id], now).await?;
        }
        record_event(
            &mut tx,
            NewEvent {
                kind: EventKind::Move,
                unit_id: unit.id,
                effective_on,
                name_before: None,
                name_after: None,
                links: vec![(from, LinkPart::FromParent), (to.id, LinkPart::ToParent)],
            },
            now,
            actor,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "move",
                entity: "unit",
                entity_id: Some(unit.id),
                province_id: to.province_id,
                commune_id: unit.commune_id,
                before: Some(json!({"parent_id": from, "path": unit.path})),
                after: Some(
                    json!({"parent_id": to.id, "path": new_path, "effective_on": effective_on}),
                ),
            },
        )
        .await?;
        tx.commit().await?;
        self.unit(unit.id).await?.ok_or(StoreError::NotFound)
    }
}

/// Ends a unit still running; one ended meanwhile is refused.
async fn end_unit(
    conn: &mut sqlx::AnyConnection,
    unit: &Unit,
    effective_on: NaiveDate,
    now: i64,
) -> StoreResult<()> {
    let ended = sqlx::query(
        "UPDATE units SET ended_on = $1, updated_at = $2, version = version + 1
         WHERE id = $3 AND ended_on IS NULL",
    )
    .bind(date_text(Some(effective_on)))
    .bind(now)
    .bind(unit.id)
    .execute(&mut *conn)
    .await?;
    if ended.rows_affected() == 0 {
        return Err(StoreError::Refused(format!(
            "Đơn vị «{}» đã kết thúc hoạt động trước đó",
            unit.name
        )));
    }
    Ok(())
}

/// Creates a unit of a split under the split unit's parent.
async fn insert_beside(
    conn: &mut sqlx::AnyConnection,
    unit: &Unit,
    parent: &Unit,
    new: &NewUnit,
    now: i64,
) -> StoreResult<Unit> {
    if let Some(code) = &new.code {
        let taken = sqlx::query("SELECT name FROM units WHERE code = $1")
            .bind(code.clone())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = taken {
            let name: String = row.try_get("name")?;
            return Err(StoreError::Refused(format!(
                "Mã «{code}» đã được dùng cho đơn vị «{name}»"
            )));
        }
    }
    let row = sqlx::query(
        "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id,
                            commune_id, code, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, '', NULL, NULL, $6, $7, $7, 1) RETURNING id",
    )
    .bind(parent.id)
    .bind(unit.kind.as_str())
    .bind(new.name.clone())
    .bind(search_key(&new.name))
    .bind(unit.side.as_str())
    .bind(new.code.clone())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    let path = format!("{}{id}/", parent.path);
    let commune_id = match unit.kind {
        UnitKind::Commune => Some(id),
        _ => parent.commune_id,
    };
    sqlx::query("UPDATE units SET path = $1, province_id = $2, commune_id = $3 WHERE id = $4")
        .bind(path.clone())
        .bind(parent.province_id)
        .bind(commune_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(Unit {
        id,
        parent_id: Some(parent.id),
        kind: unit.kind,
        name: new.name.clone(),
        aliases: vec![],
        side: unit.side,
        path,
        province_id: parent.province_id,
        commune_id,
        code: new.code.clone(),
        ended_on: None,
        successor_id: None,
        external: None,
        version: 1,
    })
}

/// Counters follow the issuer of each plan; a working unit whose subtree
/// issued plans would take counters along that only a recount can place,
/// so it is not moved.
async fn refuse_if_issuing(conn: &mut sqlx::AnyConnection, unit: &Unit) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT p.title FROM plans p JOIN units u ON u.id = p.issuer_unit_id
         WHERE u.path LIKE $1 ORDER BY p.id LIMIT 1",
    )
    .bind(format!("{}%", unit.path))
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Err(StoreError::Refused(format!(
            "Không thể chuyển «{}»: đơn vị (hoặc đơn vị trực thuộc) đã ban hành kế hoạch «{}»",
            unit.name,
            r.try_get::<String, _>("title")?
        ))),
        None => Ok(()),
    }
}

/// Every path under `old` now starts with `new`.
pub(super) async fn rewrite_paths(
    conn: &mut sqlx::AnyConnection,
    old: &str,
    new: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE units SET path = CAST($1 AS TEXT) || SUBSTR(path, CAST($2 AS INTEGER))
         WHERE path LIKE $3",
    )
    .bind(new.to_string())
    .bind(old.len() as i64 + 1)
    .bind(format!("{old}%"))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A commune moved to `province_id`: its subtree's units and every record
/// of its communes (itself and those merged into it) carry the new
/// province.
async fn move_commune_keys(
    conn: &mut sqlx::AnyConnection,
    new_path: &str,
    province_id: i64,
) -> StoreResult<()> {
    let within = format!("{new_path}%");
    sqlx::query("UPDATE units SET province_id = $1 WHERE path LIKE $2")
        .bind(province_id)
        .bind(within.clone())
        .execute(&mut *conn)
        .await?;
    for table in RECORD_TABLES {
        let sql = format!(
            "UPDATE {table} SET province_id = $1 WHERE commune_id IN
                 (SELECT id FROM units WHERE path LIKE $2 AND kind = 'commune')"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(province_id)
            .bind(within.clone())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A working unit moved under `to`: its subtree and the accounts placed in
/// it belong to `to`'s province and commune from now on. Its past records
/// stay with the plans (and communes) they were made for.
async fn move_working_keys(
    conn: &mut sqlx::AnyConnection,
    new_path: &str,
    to: &Unit,
) -> StoreResult<()> {
    let within = format!("{new_path}%");
    sqlx::query("UPDATE units SET province_id = $1, commune_id = $2 WHERE path LIKE $3")
        .bind(to.province_id)
        .bind(to.commune_id)
        .bind(within.clone())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE users SET province_id = $1, commune_id = $2
         WHERE unit_id IN (SELECT id FROM units WHERE path LIKE $3)",
    )
    .bind(to.province_id)
    .bind(to.commune_id)
    .bind(within)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A commune's counters leave its old province and join the new one (the
/// nation counts the same records before and after); its own rows are
/// filed under the new province for rankings. Rows are written in unit
/// order, like every counter change.
async fn move_counters(
    conn: &mut sqlx::AnyConnection,
    commune_id: i64,
    from: i64,
    to: i64,
    now: i64,
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT metric, bucket, value FROM rollups WHERE unit_id = $1 AND value <> 0
         ORDER BY metric, bucket",
    )
    .bind(commune_id)
    .fetch_all(&mut *conn)
    .await?;
    let parent_of_province = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
        .bind(to)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<Option<i64>, _>("parent_id")?;
    let mut sides = [(from, -1i64), (to, 1i64)];
    sides.sort_by_key(|(id, _)| *id);
    for (province, sign) in sides {
        for r in &rows {
            let value: i64 = r.try_get("value")?;
            sqlx::query(
                "INSERT INTO rollups (unit_id, parent_id, metric, bucket, value) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (unit_id, metric, bucket) DO UPDATE SET value = rollups.value + $5",
            )
            .bind(province)
            .bind(parent_of_province)
            .bind(r.try_get::<String, _>("metric")?)
            .bind(r.try_get::<String, _>("bucket")?)
            .bind(sign * value)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query("UPDATE rollups SET parent_id = $1 WHERE unit_id = $2")
        .bind(to)
        .bind(commune_id)
        .execute(&mut *conn)
        .await?;
    let mut levels = vec![from, to, commune_id];
    levels.extend(parent_of_province);
    touch_levels(conn, &levels, now).await
}

/// Moves the "counters last changed" time of levels whose dashboards
/// (rankings, names) a change of the tree alters, so their cached figures
/// are computed again.
async fn touch_levels(conn: &mut sqlx::AnyConnection, units: &[i64], now: i64) -> StoreResult<()> {
    let mut units = units.to_vec();
    units.sort_unstable();
    units.dedup();
    for unit_id in units {
        sqlx::query(
            "INSERT INTO rollup_times (unit_id, updated_at) VALUES ($1, $2)
             ON CONFLICT (unit_id) DO UPDATE SET updated_at = CASE
                 WHEN rollup_times.updated_at >= excluded.updated_at THEN rollup_times.updated_at + 1
                 ELSE excluded.updated_at END",
        )
        .bind(unit_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
