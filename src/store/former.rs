//! The former communes of 2025 loaded as predecessors: each an ended unit
//! (ended on 1 July 2025) under the new commune that took most of it, which
//! it names as successor, keyed by its own code behind a prefix; each new
//! commune gets one merge event naming every former commune that went into
//! it, wholly or in part. One transaction, written in multi-row statements;
//! a former commune already loaded is left as it is, so loading again
//! changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::rows::placeholders;
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::former::{FORMER_2025_ENDED_ON, FORMER_CODE_PREFIX, FormerUnit};
use crate::domain::text::search_key;
use crate::domain::unit_history::{EventKind, LinkPart};

/// What loading the former communes did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FormerImport {
    /// Former communes created.
    pub created: usize,
    /// Already loaded, left as they were.
    pub unchanged: usize,
    /// Not loaded: the new commune they went to is not in the tree (load
    /// the official list first).
    pub without_successor: usize,
    /// Merge events recorded (one per new commune that took some).
    pub events: usize,
}

/// A current commune, by its code.
struct Successor {
    id: i64,
    province_id: Option<i64>,
}

/// Rows a multi-row statement carries.
const ROWS: usize = 400;

impl Store {
    pub async fn import_former(
        &self,
        formers: &[FormerUnit],
        actor: &Actor,
    ) -> StoreResult<FormerImport> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let current = current_communes(&mut tx).await?;
        let loaded = codes_loaded(&mut tx).await?;
        let mut outcome = FormerImport::default();
        let mut fresh = Vec::new();
        for f in formers {
            if loaded.contains(&f.stored_code()) {
                outcome.unchanged += 1;
            } else if let Some(s) = current.get(&f.successor_code) {
                fresh.push((f, s));
            } else {
                outcome.without_successor += 1;
            }
        }
        for chunk in fresh.chunks(ROWS) {
            insert_formers(&mut tx, chunk, now).await?;
        }
        outcome.created = fresh.len();
        if fresh.is_empty() {
            tx.commit().await?;
            return Ok(outcome);
        }
        // Paths and commune keys in one statement: each under its successor.
        sqlx::query(
            "UPDATE units SET
                 path = (SELECT s.path FROM units s WHERE s.id = units.successor_id)
                        || CAST(id AS TEXT) || '/',
                 commune_id = id
             WHERE path = '' AND code LIKE $1",
        )
        .bind(format!("{FORMER_CODE_PREFIX}%"))
        .execute(&mut *tx)
        .await?;
        let ids = former_ids(&mut tx).await?;
        outcome.events = record_merges(&mut tx, &fresh, &current, &ids, now, actor).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "import_former",
                entity: "unit",
                entity_id: None,
                province_id: None,
                commune_id: None,
                before: None,
                after: Some(json!(outcome)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

async fn current_communes(
    conn: &mut sqlx::AnyConnection,
) -> StoreResult<HashMap<String, Successor>> {
    let rows = sqlx::query(
        "SELECT id, province_id, code FROM units
         WHERE kind = 'commune' AND code IS NOT NULL AND code NOT LIKE $1",
    )
    .bind(format!("{FORMER_CODE_PREFIX}%"))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        out.insert(
            r.try_get("code")?,
            Successor {
                id: r.try_get("id")?,
                province_id: r.try_get("province_id")?,
            },
        );
    }
    Ok(out)
}

async fn codes_loaded(conn: &mut sqlx::AnyConnection) -> StoreResult<HashSet<String>> {
    Ok(former_ids(conn).await?.into_keys().collect())
}

/// The former communes in the tree: stored code → id.
async fn former_ids(conn: &mut sqlx::AnyConnection) -> StoreResult<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT id, code FROM units WHERE code LIKE $1")
        .bind(format!("{FORMER_CODE_PREFIX}%"))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("id")?)))
        .collect()
}

async fn insert_formers(
    conn: &mut sqlx::AnyConnection,
    chunk: &[(&FormerUnit, &Successor)],
    now: i64,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO units (parent_id, kind, name, folded_name, side, path, province_id, commune_id,
                            code, official_type, ended_on, successor_id, created_at, updated_at, version)
         VALUES {}",
        placeholders(chunk.len(), 15)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (f, s) in chunk {
        q = q
            .bind(s.id)
            .bind("commune")
            .bind(f.name.clone())
            .bind(search_key(&f.name))
            .bind("government")
            .bind("")
            .bind(s.province_id)
            .bind(None::<i64>)
            .bind(f.stored_code())
            .bind(f.former_type.clone())
            .bind(FORMER_2025_ENDED_ON)
            .bind(s.id)
            .bind(now)
            .bind(now)
            .bind(1i64);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// One merge event per new commune, naming as sources every former
/// commune loaded now that went into it, wholly or in part.
async fn record_merges(
    conn: &mut sqlx::AnyConnection,
    fresh: &[(&FormerUnit, &Successor)],
    current: &HashMap<String, Successor>,
    ids: &HashMap<String, i64>,
    now: i64,
    actor: &Actor,
) -> StoreResult<usize> {
    let mut sources: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (f, _) in fresh {
        let id = *ids
            .get(&f.stored_code())
            .ok_or_else(|| StoreError::Corrupt(format!("former {}", f.code)))?;
        let to = std::iter::once(&f.successor_code).chain(f.also_to.iter());
        for new in to.filter_map(|c| current.get(c)) {
            sources.entry(new.id).or_default().push(id);
        }
    }
    let mut links: Vec<(i64, i64)> = Vec::new();
    for (new_id, formers) in &sources {
        let row = sqlx::query(
            "INSERT INTO unit_events (kind, unit_id, effective_on, actor_id, at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(EventKind::Merge.as_str())
        .bind(*new_id)
        .bind(FORMER_2025_ENDED_ON)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        let event: i64 = row.try_get("id")?;
        links.extend(formers.iter().map(|f| (event, *f)));
    }
    for chunk in links.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO unit_event_links (event_id, unit_id, part) VALUES {}",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (event, unit) in chunk {
            q = q.bind(*event).bind(*unit).bind(LinkPart::Source.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(sources.len())
}
