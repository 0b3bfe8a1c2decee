//! A level's dashboard (commune, province, nation): its figures from its
//! counters, and the level units below it ranked by score. The page and
//! the API show the same numbers from here.

use super::AppError;
use super::access::readable_unit;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::figures::{Figures, figures};
use crate::domain::rollup::Rollup;
use crate::domain::score::rank;
use crate::domain::unit::Unit;
use crate::store::{OffTrackTarget, Page, UnitFilter};

/// One level unit below, with its figures and its rank (ties share one).
pub struct Ranked {
    pub rank: u32,
    pub unit_id: i64,
    pub name: String,
    pub figures: Figures,
}

pub struct Dashboard {
    pub unit: Unit,
    /// The level above, when the principal may read it (to go up).
    pub parent: Option<Unit>,
    pub figures: Figures,
    pub ranking: Vec<Ranked>,
    /// Targets in scope whose trend misses their goal.
    pub off_track: Vec<OffTrackTarget>,
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
    let today = store.clock().today();
    let calendar = store.work_calendar().await?;
    let own = figures(&store.rollup(unit.id).await?, today, &calendar);
    let children = store.child_rollups(unit.id).await?;
    let below = store
        .units(
            &UnitFilter {
                parent_id: Some(unit.id),
                ..UnitFilter::default()
            },
            Page::all(),
        )
        .await?
        .items;
    let scored: Vec<(i64, String, Figures)> = below
        .into_iter()
        .filter(|u| u.kind.is_level())
        .map(|u| {
            let counters = children
                .iter()
                .find(|c| c.unit_id == u.id)
                .cloned()
                .unwrap_or_else(|| Rollup {
                    unit_id: u.id,
                    ..Rollup::default()
                });
            (u.id, u.name, figures(&counters, today, &calendar))
        })
        .collect();
    let off_track = store.off_track_targets(&unit.path, OFF_TRACK_SHOWN).await?;
    Ok(Dashboard {
        unit,
        parent,
        figures: own,
        ranking: ranked(scored),
        off_track,
    })
}

/// The units below in rank order, best first.
fn ranked(scored: Vec<(i64, String, Figures)>) -> Vec<Ranked> {
    let ranks = rank(
        &scored
            .iter()
            .map(|(id, _, f)| (*id, f.score.total))
            .collect::<Vec<_>>(),
    );
    let rank_of = |id: i64| ranks.iter().find(|(r, _)| *r == id).map(|(_, n)| *n);
    let mut out: Vec<Ranked> = scored
        .into_iter()
        .map(|(unit_id, name, figures)| Ranked {
            rank: rank_of(unit_id).unwrap_or(u32::MAX),
            unit_id,
            name,
            figures,
        })
        .collect();
    out.sort_by_key(|r| r.rank);
    out
}
