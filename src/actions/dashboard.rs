//! A level's dashboard (commune, province, nation): its figures from its
//! counters, and the level units below it ranked by score. The page and
//! the API show the same numbers from here.
//!
//! The figures (the unit's own and its children's) are kept per unit in a
//! [`DashboardCache`], keyed on the day, the time the unit's counters last
//! moved (which every change below it moves too, a target's trend among
//! them) and the calendar's state:
//! a change anywhere in the subtree makes the next reader compute them
//! again, and until then a dashboard reads one small row for its figures.
//! One reader at a time fills a unit's entry; the others wait and take
//! what it computed. A miss reads only the counters the figures use, and
//! for the ranking each child's counters already summed (a
//! [`RankCounts`] a child, not its months one by one).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::AppError;
use super::access::readable_unit;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::figures::{BucketsUsed, DoneMonth, Figures, done_trend, figures, trend_months};
use crate::domain::score::rank;
use crate::domain::standing::{RankCounts, RankWindow, Standing, standing};
use crate::domain::unit::Unit;
use crate::store::{DashboardKey, OffTrackTarget, Store, TargetScope};

/// One level unit below, with its standing and its rank (ties share one).
pub struct Ranked {
    pub rank: u32,
    pub unit_id: i64,
    pub name: String,
    pub standing: Standing,
}

pub struct Dashboard {
    pub unit: Unit,
    /// The level above, when the principal may read it (to go up).
    pub parent: Option<Unit>,
    pub figures: Figures,
    pub ranking: Vec<Ranked>,
    /// Targets in scope whose trend misses their goal.
    pub off_track: Vec<OffTrackTarget>,
    /// Tasks done, month by month over the last twelve.
    pub done_trend: Vec<DoneMonth>,
}

/// How many off-track targets a dashboard names; the rest are counted.
const OFF_TRACK_SHOWN: i64 = 20;

/// The dashboard of a level unit the principal reads; a unit that is not
/// a level has none.
pub async fn dashboard(
    state: &AppState,
    principal: &Principal,
    unit_id: i64,
) -> Result<Dashboard, AppError> {
    let unit = readable_unit(state, principal, unit_id).await?;
    if !unit.kind.is_level() {
        return Err(AppError::BadRequest(
            "Bảng điều hành chỉ có cho xã, tỉnh và toàn quốc".into(),
        ));
    }
    let store = &state.store;
    let parent = match unit.parent_id {
        Some(id) => store
            .unit(id)
            .await?
            .filter(|p| principal.can_read(&p.path)),
        None => None,
    };
    let cached = state.dashboards.figures(store, &unit).await?;
    let scored: Vec<(i64, String, Standing)> = store
        .ranked_below(unit.id)
        .await?
        .into_iter()
        .map(|(id, name)| {
            let standing = cached
                .children
                .get(&id)
                .cloned()
                .unwrap_or_else(|| cached.empty.clone());
            (id, name, standing)
        })
        .collect();
    Ok(Dashboard {
        unit,
        parent,
        figures: cached.own.clone(),
        ranking: ranked(scored),
        off_track: cached.off_track.clone(),
        done_trend: cached.done_trend.clone(),
    })
}

/// The units below in rank order, best first.
fn ranked(scored: Vec<(i64, String, Standing)>) -> Vec<Ranked> {
    let ranks = rank(
        &scored
            .iter()
            .map(|(id, _, f)| (*id, f.score.total))
            .collect::<Vec<_>>(),
    );
    let rank_of = |id: i64| ranks.iter().find(|(r, _)| *r == id).map(|(_, n)| *n);
    let mut out: Vec<Ranked> = scored
        .into_iter()
        .map(|(unit_id, name, standing)| Ranked {
            rank: rank_of(unit_id).unwrap_or(u32::MAX),
            unit_id,
            name,
            standing,
        })
        .collect();
    out.sort_by_key(|r| r.rank);
    out
}

/// Units whose figures are kept at most; past this the cache starts over
/// (a nation has about 3,300 communes, 34 provinces and itself).
const CACHED_UNITS: usize = 8_192;

/// A level's figures and its children's, as computed for one key.
pub struct CachedFigures {
    key: (NaiveDate, DashboardKey),
    pub own: Figures,
    pub children: HashMap<i64, Standing>,
    /// The standing of a child with no counters yet.
    pub empty: Standing,
    /// Targets in scope whose trend misses their goal (a target's trend
    /// moving moves its levels' time too).
    pub off_track: Vec<OffTrackTarget>,
    /// The level's tasks done over the last twelve months.
    pub done_trend: Vec<DoneMonth>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Arc<CachedFigures>>>>;

/// Dashboard figures per level unit; see the module's note.
#[derive(Default)]
pub struct DashboardCache {
    slots: Mutex<HashMap<i64, Slot>>,
}

impl DashboardCache {
    fn slot(&self, unit_id: i64) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= CACHED_UNITS && !slots.contains_key(&unit_id) {
            slots.clear();
        }
        slots.entry(unit_id).or_default().clone()
    }

    /// The figures of a level and its children now: cached when nothing
    /// they depend on has moved, else computed (by one reader at a time).
    pub async fn figures(
        &self,
        store: &Store,
        unit: &Unit,
    ) -> Result<Arc<CachedFigures>, AppError> {
        let unit_id = unit.id;
        let today = store.clock().today();
        // Read before the counters: a change landing in between gives an
        // entry older than its key says, computed again next time, never
        // the reverse.
        let key = (today, store.dashboard_key(unit_id).await?);
        let slot = self.slot(unit_id);
        let mut entry = slot.lock().await;
        if let Some(cached) = entry.as_ref().filter(|c| c.key == key) {
            return Ok(cached.clone());
        }
        let fresh = Arc::new(compute(store, unit, key).await?);
        *entry = Some(fresh.clone());
        Ok(fresh)
    }
}

async fn compute(
    store: &Store,
    unit: &Unit,
    key: (NaiveDate, DashboardKey),
) -> Result<CachedFigures, AppError> {
    let unit_id = unit.id;
    let today = key.0;
    let used = BucketsUsed::on(today);
    let off_track = store
        .off_track_targets(TargetScope::within(unit), OFF_TRACK_SHOWN)
        .await?;
    let calendar = store.work_calendar().await?;
    let own = store
        .rollup_for_figures(unit_id, &used, key.1.counters_at)
        .await?;
    let done_before = store
        .tasks_first_done_before(unit_id, trend_months(today).0)
        .await?;
    let children = store
        .child_rank_counts(unit_id, &RankWindow::on(today))
        .await?
        .into_iter()
        .map(|(id, counts)| (id, standing(&counts)))
        .collect();
    Ok(CachedFigures {
        key,
        own: figures(&own, today, &calendar),
        children,
        empty: standing(&RankCounts::default()),
        off_track,
        done_trend: done_trend(&own, done_before, today),
    })
}
