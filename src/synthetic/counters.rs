//! Rollup counters computed while generating, as `store/rollups.rs` does.

use super::*;

// Counters, exactly as `store/rollups.rs` computes them.

/// (metric, bucket) → value, for one level unit.
pub(super) type CounterMap = BTreeMap<(&'static str, String), i64>;

/// A level's counters are the sum of its children's: every record rolls up
/// to its commune, province and the nation alike.
pub(super) fn merge(into: &mut CounterMap, from: &CounterMap) {
    for (k, v) in from {
        *into.entry(k.clone()).or_insert(0) += v;
    }
}

pub(super) fn bump(map: &mut CounterMap, metric: &'static str, bucket: String) {
    *map.entry((metric, bucket)).or_insert(0) += 1;
}

/// What a task adds to the counters: `task_contributions` in rollups.rs.
pub(super) fn task_contributions(
    live: bool,
    due_on: &Option<String>,
    done: &Option<String>,
    status: &Option<String>,
) -> Vec<(&'static str, String)> {
    if !live {
        return Vec::new();
    }
    let mut out = vec![("tasks", String::new())];
    out.push((
        "tasks_status",
        status.clone().unwrap_or_else(|| "none".into()),
    ));
    match (done.as_deref(), due_on) {
        (Some("on_time"), _) => out.push(("tasks_done_on_time", String::new())),
        (Some(_), _) => out.push(("tasks_done_late", String::new())),
        (None, Some(d)) => out.push(("tasks_open_due", d.clone())),
        (None, None) => out.push(("tasks_open_ongoing", String::new())),
    }
    out
}

pub(super) fn state_metric(state: &str) -> &'static str {
    match state {
        "met" => "targets_met",
        "not_met" => "targets_not_met",
        _ => "targets_no_data",
    }
}
