//! The demo's past: twelve months of reporting before today, written
//! through the store's own methods (open a round, save and submit a
//! report, accept or return it) by a store whose clock is moved to each
//! moment, so every counter, rollup, audit entry and rule is the one real
//! use produces. Nothing is written by hand.
//!
//! Each commune has its habits (Tân Phong reports well, Hòa Lạc less so),
//! so the ranking, the trend charts and the public page differ. This
//! month's rounds stay open with work left for every role: reports to
//! fill, reports waiting for review, one returned per commune. Feedback
//! and initiatives are in `history_public.rs`.
//!
//! Deterministic: one splitmix64 stream with a fixed seed, walked in id
//! order, and each task's pace drawn from its name.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::clock::{Clock, FixedClock};
use crate::domain::report::{ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use crate::domain::round::{ReportView, Round};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::store::{Actor, Page, PlanFilter, ReportEdits, Store};
use crate::synthetic::Rng;

use super::COMMUNES;

/// Months of history before this one.
pub const MONTHS: u32 = 12;
const SEED: u64 = 57;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// How a commune's units report.
#[derive(Debug, Clone, Copy)]
struct Habits {
    /// Share of reports never sent.
    missing: f64,
    /// Share of the sent reports sent after their due date.
    late: f64,
    /// Share of the sent reports returned once for more detail.
    returned: f64,
}

fn habits(commune: Option<&str>) -> Habits {
    match commune {
        Some("Xã Tân Phong") => Habits {
            missing: 0.02,
            late: 0.08,
            returned: 0.10,
        },
        Some("Xã Đồng Tâm") => Habits {
            missing: 0.06,
            late: 0.22,
            returned: 0.15,
        },
        Some(_) => Habits {
            missing: 0.15,
            late: 0.40,
            returned: 0.20,
        },
        None => Habits {
            missing: 0.05,
            late: 0.15,
            returned: 0.10,
        },
    }
}

/// Who does what: the focal point reviewing each commune's rounds (and the
/// province's), and the reporter accounts of units that have one.
pub(super) struct People {
    pub focal_by_commune: HashMap<Option<i64>, i64>,
    pub leader_by_commune: HashMap<Option<i64>, i64>,
    pub reporter_by_unit: HashMap<i64, i64>,
    pub commune_names: HashMap<i64, String>,
}

impl People {
    async fn find(store: &Store) -> anyhow::Result<People> {
        let mut p = People {
            focal_by_commune: HashMap::new(),
            leader_by_commune: HashMap::new(),
            reporter_by_unit: HashMap::new(),
            commune_names: HashMap::new(),
        };
        if let Some(u) = store.user_by_username("tinh.daumoi").await? {
            p.focal_by_commune.insert(None, u.id);
        }
        if let Some(u) = store.user_by_username("tinh.lanhdao").await? {
            p.leader_by_commune.insert(None, u.id);
        }
        for (name, login) in COMMUNES {
            let Some(focal) = store.user_by_username(&format!("{login}.daumoi")).await? else {
                continue;
            };
            p.focal_by_commune.insert(Some(focal.unit_id), focal.id);
            p.commune_names.insert(focal.unit_id, name.to_string());
            if let Some(leader) = store.user_by_username(&format!("{login}.lanhdao")).await? {
                p.leader_by_commune.insert(Some(focal.unit_id), leader.id);
            }
        }
        for username in ["tanphong.vhxh", "tanphong.congan"] {
            if let Some(u) = store.user_by_username(username).await? {
                p.reporter_by_unit.insert(u.unit_id, u.id);
            }
        }
        Ok(p)
    }

    fn focal(&self, commune_id: Option<i64>) -> Actor {
        actor(self.focal_by_commune.get(&commune_id).copied())
    }

    fn leader(&self, commune_id: Option<i64>) -> Actor {
        actor(self.leader_by_commune.get(&commune_id).copied())
    }

    fn reporter(&self, unit_id: i64) -> Actor {
        actor(self.reporter_by_unit.get(&unit_id).copied())
    }
}

fn actor(user_id: Option<i64>) -> Actor {
    Actor { user_id, ip: None }
}

/// One step of the past, at its moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// The unit saves and sends its report, as of month `n` of the walk.
    Send { month: u32 },
    /// The focal point accepts it, or returns it for more detail.
    Review { accept: bool },
    /// The focal point consolidates the round (the id is the round's).
    Consolidate,
    /// A leader approves the consolidated report (the id is the round's).
    Approve,
}

/// The moment, in epoch ms, of `minutes` after midnight in Vietnam on `day`.
pub(super) fn vn_ms(day: NaiveDate, minutes: i64) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default()
        - 7 * 60 * MINUTE_MS
        + minutes * MINUTE_MS
}

pub(super) fn set(clock: &FixedClock, at: i64) {
    clock.advance_ms(at - clock.now_ms());
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month `n` months before `month`'s.
pub(super) fn months_before(month: NaiveDate, n: u32) -> NaiveDate {
    month
        .checked_sub_months(chrono::Months::new(n))
        .unwrap_or(month)
}

/// Builds the past once: a second run finds rounds before this month and
/// leaves everything as it is.
pub async fn build(store: &Store) -> anyhow::Result<()> {
    let now = store.clock().now_ms();
    let this_month = first_of_month(store.clock().today());
    let plans = store
        .plans(&PlanFilter::default(), Page::all())
        .await?
        .items;
    for p in &plans {
        if store
            .rounds_of_plan(p.id)
            .await?
            .iter()
            .any(|r| r.unit_due_on < this_month)
        {
            return Ok(());
        }
    }
    let start = months_before(this_month, MONTHS);
    let clock = FixedClock::at(vn_ms(start, 7 * 60));
    let past = store.with_clock(clock.clone() as Arc<dyn Clock>);
    let people = People::find(store).await?;
    let mut rng = Rng::new(SEED);
    // Each month's rounds open on its first morning, as the hourly job
    // opens them.
    for n in 0..MONTHS {
        let month = start
            .checked_add_months(chrono::Months::new(n))
            .unwrap_or(start);
        set(&clock, vn_ms(month, 7 * 60));
        past.open_current_rounds(month).await?;
    }
    let mut rounds: Vec<Round> = Vec::new();
    let mut seen = HashSet::new();
    for p in &plans {
        for r in past.rounds_of_plan(p.id).await? {
            if seen.insert(r.id) {
                rounds.push(r);
            }
        }
    }
    rounds.sort_by_key(|r| (r.unit_due_on, r.id));
    let mut steps: Vec<(i64, i64, Step)> = Vec::new();
    for round in &rounds {
        let commune = round.commune_id.and_then(|c| people.commune_names.get(&c));
        let h = habits(commune.map(String::as_str));
        let reports = past.reports_of_round(round.id).await?;
        if round.unit_due_on < this_month {
            let month = month_index(start, round.unit_due_on);
            let first = steps.len();
            for r in &reports {
                past_steps(round, r.id, month, h, &mut rng, &mut steps);
            }
            let last = steps[first..].iter().map(|s| s.0).max();
            closing_steps(round, last, &rounds, now, &mut steps);
        } else {
            present_steps(
                round,
                &reports,
                &people,
                (this_month, now),
                &mut rng,
                &mut steps,
            );
        }
    }
    steps.sort();
    for (at, report_id, step) in steps {
        set(&clock, at);
        match step {
            Step::Consolidate | Step::Approve => close(&past, &people, report_id, step).await?,
            _ => run(&past, &people, report_id, step).await?,
        }
    }
    super::history_public::build(store, &past, &clock, &people, &mut rng).await?;
    // The hourly job's work, on today's store.
    store.roll_over_recurring_tasks().await?;
    Ok(())
}

/// The walk's month of a date: 0 for the first month, [`MONTHS`] for this one.
fn month_index(start: NaiveDate, d: NaiveDate) -> u32 {
    let months = (d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32;
    months.clamp(0, MONTHS as i32) as u32
}

/// A past round's report: sent on time or late (or never), accepted,
/// some returned first and sent again.
fn past_steps(
    round: &Round,
    report_id: i64,
    month: u32,
    h: Habits,
    rng: &mut Rng,
    out: &mut Vec<(i64, i64, Step)>,
) {
    if rng.chance(h.missing) {
        return;
    }
    let due = round.unit_due_on;
    let day = if rng.chance(h.late) {
        due + chrono::Duration::days(1 + rng.below(10) as i64)
    } else {
        due - chrono::Duration::days(rng.below(6) as i64)
    };
    let mut at = vn_ms(day, 8 * 60 + rng.below(8 * 60) as i64);
    out.push((at, report_id, Step::Send { month }));
    at += (1 + rng.below(2) as i64) * DAY_MS + rng.below(120) as i64 * MINUTE_MS;
    if rng.chance(h.returned) {
        out.push((at, report_id, Step::Review { accept: false }));
        at += 2 * DAY_MS;
        out.push((at, report_id, Step::Send { month }));
        at += DAY_MS;
    }
    out.push((at, report_id, Step::Review { accept: true }));
}

/// A past round is consolidated once its reports are in and approved
/// two days later; the latest past round of each plan waits for its
/// leader's approval.
fn closing_steps(
    round: &Round,
    last: Option<i64>,
    rounds: &[Round],
    now: i64,
    out: &mut Vec<(i64, i64, Step)>,
) {
    let Some(last) = last else {
        return;
    };
    let at = last.max(vn_ms(round.consolidated_due_on, 9 * 60)) + 60 * MINUTE_MS;
    if at >= now {
        return;
    }
    out.push((at, round.id, Step::Consolidate));
    let newest = !rounds.iter().any(|r| {
        r.plan_id == round.plan_id
            && r.unit_due_on > round.unit_due_on
            && r.unit_due_on < vietnam_day(now)
    });
    let approved = at + 2 * DAY_MS;
    if !newest && approved < now {
        out.push((approved, round.id, Step::Approve));
    }
}

fn vietnam_day(ms: i64) -> NaiveDate {
    crate::clock::vietnam_date(ms)
}

/// This month's round: one report returned and one waiting for review
/// in each commune, then some accepted, some waiting, the rest to fill;
/// the demo reporters' own reports are left to fill. So each role has
/// something to do.
fn present_steps(
    round: &Round,
    reports: &[crate::domain::round::UnitReport],
    people: &People,
    (month_start, now): (NaiveDate, i64),
    rng: &mut Rng,
    out: &mut Vec<(i64, i64, Step)>,
) {
    let begin = vn_ms(month_start, 0).max(now - 20 * DAY_MS);
    let span = (now - begin).max(4);
    // Moments in order within this month so far, never past now.
    let moment = |k: i64| begin + span * k / 8;
    let mut returned_one = false;
    let mut waiting_one = false;
    for r in reports {
        let send = Step::Send { month: MONTHS };
        // The demo reporters' own reports stay to fill: the browser
        // tests fill them in.
        if people.reporter_by_unit.contains_key(&r.unit_id) {
            continue;
        }
        if !returned_one && round.commune_id.is_some() {
            returned_one = true;
            out.push((moment(1), r.id, send));
            out.push((moment(2), r.id, Step::Review { accept: false }));
            continue;
        }
        if !waiting_one {
            waiting_one = true;
            out.push((moment(4), r.id, send));
            continue;
        }
        match rng.below(10) {
            0..=2 => {
                out.push((moment(3), r.id, send));
                out.push((moment(5), r.id, Step::Review { accept: true }));
            }
            3..=5 => out.push((moment(6), r.id, send)),
            _ => {}
        }
    }
}

async fn run(past: &Store, people: &People, report_id: i64, step: Step) -> anyhow::Result<()> {
    let Some(view) = past.report_view(report_id).await? else {
        return Ok(());
    };
    match step {
        Step::Send { month } => {
            if !matches!(
                view.report.status,
                ReportStatus::Pending | ReportStatus::Returned
            ) {
                return Ok(());
            }
            let edits = answers(&view, month)?;
            let who = people.reporter(view.report.unit_id);
            past.save_report_on(&view, edits, true, &who).await?;
        }
        Step::Review { accept } => {
            let comment = (!accept).then(|| {
                "Đề nghị bổ sung kết quả cụ thể và văn bản, minh chứng kèm theo".to_string()
            });
            let who = people.focal(view.round.commune_id);
            past.review_report(report_id, accept, comment, Vec::new(), &who)
                .await?;
        }
        Step::Consolidate | Step::Approve => {}
    }
    Ok(())
}

/// A round-level step; the id is the round's.
async fn close(past: &Store, people: &People, round_id: i64, step: Step) -> anyhow::Result<()> {
    let Some(round) = past.round(round_id).await? else {
        return Ok(());
    };
    match step {
        Step::Consolidate => {
            let number = Some(format!("{}/BC-UBND", 100 + round_id % 900));
            let who = people.focal(round.commune_id);
            past.consolidate_round(round_id, number, &who).await?;
        }
        Step::Approve => {
            past.approve_round(round_id, &people.leader(round.commune_id))
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// What a unit writes in month `month` of the walk: each task it leads
/// moves on at the task's pace, each target's figure climbs toward its
/// goal.
fn answers(view: &ReportView, month: u32) -> anyhow::Result<ReportEdits> {
    let mut edits = ReportEdits::default();
    for item in &view.tasks {
        let version = item.update.as_ref().map_or(0, |u| u.version);
        let draft = if item.leads {
            task_answer(&item.task, month)
        } else {
            TaskUpdateDraft {
                nothing_this_period: true,
                ..TaskUpdateDraft::default()
            }
        };
        edits.tasks.push((item.task.id, version, draft.validate()?));
    }
    for item in &view.targets {
        let version = item.figure.as_ref().map_or(0, |f| f.version);
        let draft = TargetFigureDraft {
            value: Some(figure(&item.target, view.round.unit_due_on.year(), month)),
            source: Some("Số liệu thống kê của đơn vị".into()),
            ..TargetFigureDraft::default()
        };
        edits
            .targets
            .push((item.target.id, version, draft.validate()?));
    }
    Ok(edits)
}

/// A stable number drawn from a text (FNV-1a then splitmix), so a task's
/// pace is the same on every run and engine.
fn stable(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    Rng::new(h).next_u64()
}

/// A task's pace: the month work starts and how many months it takes
/// (none for the one in ten that never starts).
fn task_answer(task: &Task, month: u32) -> TaskUpdateDraft {
    let h = stable(&format!("{}|{}", task.plan_id, task.title));
    let never = h.is_multiple_of(10);
    let begins = ((h >> 8) % 5) as u32;
    let takes = 3 + ((h >> 16) % 14) as u32;
    let (status, percent, result) = if never || month < begins {
        (TaskStatus::NotStarted, 0, None)
    } else if month + 1 >= begins + takes {
        (
            TaskStatus::Done,
            100,
            Some("Đã hoàn thành; văn bản, sản phẩm lưu tại đơn vị".to_string()),
        )
    } else {
        let p = ((month + 1 - begins) * 100 / takes).min(95) as u8;
        (
            TaskStatus::InProgress,
            p,
            Some(format!("Đang triển khai, đạt khoảng {p}% khối lượng")),
        )
    };
    TaskUpdateDraft {
        status: Some(status),
        percent: Some(percent),
        result,
        ..TaskUpdateDraft::default()
    }
}

/// A target's figure in month `month`: from about half its goal, climbing.
fn figure(target: &Target, year: i32, month: u32) -> f64 {
    let h = stable(&format!("{}|{}", target.plan_id, target.name));
    let goal = target
        .goal_for(year)
        .map_or(50.0, |g| g.value.abs().max(1.0));
    let reach = 0.45 + 0.05 * f64::from(month) + (h % 20) as f64 / 100.0;
    let mut v = goal * reach;
    if target
        .measure_unit
        .as_deref()
        .is_some_and(|u| u.contains('%'))
    {
        v = v.min(100.0);
    }
    (v * 10.0).round() / 10.0
}
