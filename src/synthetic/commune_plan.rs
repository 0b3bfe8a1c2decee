//! One commune planned in memory before it is emitted as rows.

use super::*;

// One commune, planned in memory, then emitted as rows.

pub(super) struct TaskPlan {
    pub(super) id: i64,
    pub(super) lead: usize,
    pub(super) live: bool,
    pub(super) due: Option<NaiveDate>,
    /// Month whose report is the last on time for the deadline.
    pub(super) due_month: Option<i64>,
    pub(super) start: i64,
    pub(super) finish: Option<i64>,
    pub(super) suspend_at: Option<i64>,
    pub(super) reason: &'static str,
    /// Latest accepted (status, first_submitted_at).
    pub(super) latest: Option<(&'static str, i64)>,
    /// The first accepted report saying done (status, first_submitted_at).
    pub(super) first_done: Option<(&'static str, i64)>,
}

impl TaskPlan {
    /// What the lead unit reports in month `m`: status, percent, result,
    /// suspension reason.
    pub(super) fn report(
        &self,
        m: i64,
    ) -> (
        &'static str,
        Option<i64>,
        Option<&'static str>,
        Option<&'static str>,
    ) {
        let percent_at = |m: i64| -> i64 {
            match self.finish {
                Some(f) if f > self.start => {
                    let p = 10 + 85 * (m - self.start) / (f - self.start);
                    (p / 5 * 5).clamp(5, 95)
                }
                Some(_) => 50,
                None => (10 + 5 * (m - self.start)).clamp(5, 90),
            }
        };
        if let Some(s) = self.suspend_at
            && m >= s
        {
            return ("suspended", Some(percent_at(s)), None, Some(self.reason));
        }
        if let Some(f) = self.finish
            && m >= f
        {
            let late = self.due_month.is_some_and(|d| f > d);
            let status = if late { "done_late" } else { "done" };
            return (status, Some(100), Some("Đã hoàn thành"), None);
        }
        if m >= self.start {
            if self.due.is_none() {
                return ("in_progress", None, None, None);
            }
            return ("in_progress", Some(percent_at(m)), None, None);
        }
        ("not_started", Some(0), None, None)
    }
}

pub(super) struct TargetPlan {
    pub(super) id: i64,
    pub(super) lead: usize,
    pub(super) template: usize,
    pub(super) goals: Vec<Goal>,
    pub(super) base: f64,
    pub(super) slope: f64,
    pub(super) spread: f64,
    /// Latest accepted non-null value, by the year of its round.
    pub(super) latest: BTreeMap<i32, f64>,
}

impl TargetPlan {
    pub(super) fn value(&self, m: i64, rng: &mut Rng) -> Option<f64> {
        // About one figure in a hundred is left empty ("chưa có số liệu").
        if rng.chance(0.01) {
            return None;
        }
        let t = &TARGETS[self.template];
        let v = (self.base + self.slope * m as f64 + self.spread * rng.noise())
            .clamp(t.bounds.0, t.bounds.1);
        Some(if t.whole {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        })
    }
}

/// The commune being generated: its ids and what has been planned.
pub(super) struct Commune {
    pub(super) province_id: i64,
    pub(super) commune_id: i64,
    pub(super) plan_id: i64,
    pub(super) units: Vec<i64>,
    pub(super) tasks: Vec<TaskPlan>,
    pub(super) targets: Vec<TargetPlan>,
    pub(super) rng: Rng,
}

/// How a unit's report of a round ended.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Outcome {
    Accepted,
    Submitted,
    Returned,
    Draft,
    Pending,
}
