//! The dashboards' counters under pressure and over time: reports of many
//! communes accepted at the same moment all add to the same nation and
//! province rows without a deadlock, and a recurring task moves on to its
//! next occurrence when the one it answered to has passed; random accepts,
//! returns and deadline changes running at once leave every counter equal
//! to a recount. Either way the counters stay equal to a recount from the
//! records.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use theodoi::domain::calendar::WorkCalendar;
use theodoi::domain::deadline::Deadline;
use theodoi::domain::figures::figures;
use theodoi::domain::goal::Goal;
use theodoi::domain::period::ReportingPeriod;
use theodoi::domain::plan::{PlanDraft, ReportingRegime};
use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use theodoi::domain::rollup::{Counter, Rollup};
use theodoi::domain::standing::{RankCounts, RankWindow};
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::UnitMention;
use theodoi::domain::unit::{Side, Unit, UnitDraft, UnitKind};
use theodoi::store::{Actor, ReportEdits, Store};

use crate::harness::{TestApp, World, task};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn unit(store: &Store, parent: &Unit, kind: UnitKind, name: &str) -> Unit {
    let draft = UnitDraft {
        parent_id: Some(parent.id),
        kind,
        name: name.into(),
        aliases: vec![],
        side: Side::Government,
    }
    .validate(Some(parent.kind))
    .expect("valid unit");
    store
        .create_unit(draft, &Actor::system())
        .await
        .expect("create unit")
}

async fn plan(store: &Store, issuer: &Unit) -> i64 {
    let draft = PlanDraft {
        issuer_unit_id: issuer.id,
        number: None,
        issued_on: None,
        place: None,
        title: format!("Kế hoạch chuyển đổi số {}", issuer.name),
        basis: vec![],
        implements: vec![],
        regime: ReportingRegime::default(),
    }
    .validate()
    .expect("valid plan");
    store
        .create_plan(draft, &Actor::system())
        .await
        .expect("create plan")
        .id
}

async fn target(store: &Store, plan_id: i64, lead: &Unit) -> i64 {
    let draft = TargetDraft {
        reference: Some("1".into()),
        group_path: vec![],
        name: "Tỷ lệ hồ sơ trực tuyến".into(),
        measure_unit: Some("%".into()),
        lead: vec![UnitMention::resolved(lead.name.clone(), lead.id)],
        goals: vec![Goal::parse("≥ 80", Some(2026)).expect("goal")],
        note: None,
        direction: None,
    }
    .validate()
    .expect("valid target");
    store
        .create_target(plan_id, draft, &Actor::system())
        .await
        .expect("create target")
        .id
}

/// One commune of the crowd: its plan, its department's tasks and target.
struct Commune {
    plan_id: i64,
    department: i64,
    tasks: Vec<i64>,
    target: i64,
}

/// What commune `c` reports on task `j` in month `m`: statuses cycle, in a
/// different phase in each commune, so two reviews change the same
/// counters in different orders.
fn status(c: usize, j: usize, m: u32) -> TaskStatus {
    [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Done,
    ][(c + j + m as usize) % 3]
}

/// Every commune's department fills and submits its report of month `m`,
/// all at once; returns the reports.
async fn submit_month(store: &Store, communes: &[Commune], m: u32) -> Vec<i64> {
    let mut reports = Vec::new();
    for c in communes {
        let period = ReportingPeriod::month(2026, m).expect("period");
        let round = store
            .open_round(c.plan_id, period, None, None, &Actor::system())
            .await
            .expect("open round");
        let report = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == c.department)
            .expect("the department's report");
        reports.push(report.id);
    }
    let mut saves = Vec::new();
    for (i, (c, report_id)) in communes.iter().zip(&reports).enumerate() {
        let edits = ReportEdits {
            notes: None,
            tasks: c
                .tasks
                .iter()
                .enumerate()
                .map(|(j, t)| {
                    let draft = TaskUpdateDraft {
                        status: Some(status(i, j, m)),
                        ..TaskUpdateDraft::default()
                    };
                    (*t, 0, draft.validate().expect("valid update"))
                })
                .collect(),
            targets: vec![(
                c.target,
                0,
                TargetFigureDraft {
                    value: Some(70.0 + f64::from(m) * 2.0 + i as f64),
                    source: None,
                    ..TargetFigureDraft::default()
                }
                .validate()
                .expect("valid figure"),
            )],
        };
        let store = store.clone();
        let report_id = *report_id;
        saves.push(tokio::spawn(async move {
            store
                .save_report(report_id, edits, true, &Actor::system())
                .await
        }));
    }
    for save in saves {
        save.await
            .expect("join")
            .expect("submitted without an error");
    }
    reports
}

fn sorted(r: &Rollup) -> Vec<(Counter, i64)> {
    let mut rows = r.rows.clone();
    rows.sort();
    rows
}

#[tokio::test]
async fn reports_accepted_at_once_move_the_same_levels_without_a_deadlock() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let mut communes = Vec::new();
        for i in 0..8 {
            let commune = unit(
                store,
                &w.province_a,
                UnitKind::Commune,
                &format!("Xã Thử {i}"),
            )
            .await;
            let department = unit(
                store,
                &commune,
                UnitKind::Department,
                "Phòng Văn hóa - Xã hội",
            )
            .await;
            let plan_id = plan(store, &commune).await;
            let mut tasks = Vec::new();
            for deadline in ["Tháng 4/2026", "Quý II/2026", "Thường xuyên", "Năm 2026"] {
                tasks.push(task(store, plan_id, "Nhiệm vụ", &department, deadline).await);
            }
            communes.push(Commune {
                plan_id,
                department: department.id,
                target: target(store, plan_id, &department).await,
                tasks,
            });
        }
        for m in 3..=6 {
            let reports = submit_month(store, &communes, m).await;
            let mut reviews = Vec::new();
            for report_id in reports {
                let store = store.clone();
                reviews.push(tokio::spawn(async move {
                    store
                        .review_report(report_id, true, None, vec![], &Actor::system())
                        .await
                }));
            }
            for review in reviews {
                review
                    .await
                    .expect("join")
                    .unwrap_or_else(|err| panic!("{e}: month {m}: accepting failed: {err}"));
            }
        }
        let levels = [w.nation.id, w.province_a.id];
        let mut before = Vec::new();
        for id in levels {
            before.push(sorted(&store.rollup(id).await.expect("rollup")));
        }
        assert!(
            before[1].contains(&(Counter::Tasks, 8 * 4 + 3)),
            "{e}: {:?}",
            before[1]
        );
        store.rebuild_rollups().await.expect("rebuild");
        for (id, before) in levels.iter().zip(&before) {
            let after = sorted(&store.rollup(*id).await.expect("rollup"));
            assert_eq!(before, &after, "{e}: unit {id} equals a recount");
        }
        assert!(
            before[1]
                .iter()
                .any(|(c, n)| matches!(c, Counter::TasksFirstDone(_)) && *n > 0),
            "{e}: tasks first done are counted: {:?}",
            before[1]
        );
        // A database from before migration 0018: its backfill gives the
        // same counters a recount does.
        let pool = app.raw_pool().await;
        sqlx::query("UPDATE task_facts SET first_done = NULL")
            .execute(&pool)
            .await
            .expect("forget");
        sqlx::query("DELETE FROM rollups WHERE metric = 'tasks_first_done'")
            .execute(&pool)
            .await
            .expect("forget");
        for statement in backfill_of_0018() {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&pool)
                .await
                .unwrap_or_else(|err| panic!("{e}: backfill: {err}"));
        }
        for (id, before) in levels.iter().zip(&before) {
            let after = sorted(&store.rollup(*id).await.expect("rollup"));
            assert_eq!(before, &after, "{e}: unit {id} after the backfill");
        }
        app.finish().await;
    }
}

/// The statements of migration 0018 after its `ALTER TABLE`: what fills
/// the facts and counters a database already had.
fn backfill_of_0018() -> Vec<String> {
    let sql: String = include_str!("../../migrations/0018_first_done.sql")
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    sql.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with("ALTER"))
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn a_recurring_task_counts_each_quarter_for_itself() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let quarterly = task(store, w.plan_a1, "Báo cáo quý", &w.vhxh_a1, "Hằng quý").await;
        let commune = || async { store.rollup(w.commune_a1.id).await.expect("rollup") };
        // 10/3: the task answers to the end of the first quarter.
        let r = commune().await;
        assert_eq!(r.get(Counter::TasksOpenDue(date(2026, 3, 31))), 1, "{e}");
        let cal = WorkCalendar::vietnam();
        assert_eq!(figures(&r, date(2026, 3, 10), &cal).tasks.overdue, 0);

        let period = ReportingPeriod::month(2026, 3).expect("period");
        let round = store
            .open_round(w.plan_a1, period, None, None, &Actor::system())
            .await
            .expect("round");
        let report = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("report");
        let done = TaskUpdateDraft {
            status: Some(TaskStatus::Done),
            ..TaskUpdateDraft::default()
        };
        let edits = ReportEdits {
            notes: None,
            tasks: vec![(quarterly, 0, done.validate().expect("valid"))],
            targets: vec![],
        };
        store
            .save_report(report.id, edits, true, &Actor::system())
            .await
            .expect("submit");
        store
            .review_report(report.id, true, None, vec![], &Actor::system())
            .await
            .expect("accept");
        let r = commune().await;
        assert_eq!(r.get(Counter::TasksDoneOnTime), 1, "{e}: done for Q1");
        assert_eq!(r.get(Counter::TasksOpenDue(date(2026, 3, 31))), 0);
        assert_eq!(
            store.roll_over_recurring_tasks().await.expect("roll over"),
            0,
            "{e}: nothing has passed yet"
        );

        // 2/4: the first quarter is over; the task answers to the second,
        // not done yet, and is not overdue for the first.
        app.clock.advance_ms(23 * 24 * 3_600_000);
        assert_eq!(
            store.roll_over_recurring_tasks().await.expect("roll over"),
            1,
            "{e}"
        );
        let r = commune().await;
        assert_eq!(r.get(Counter::TasksDoneOnTime), 0, "{e}");
        assert_eq!(r.get(Counter::TasksOpenDue(date(2026, 6, 30))), 1, "{e}");
        assert_eq!(
            r.get(Counter::TasksStatus(Some(TaskStatus::Done))),
            1,
            "{e}: the status shows what was last reported"
        );
        let f = figures(&r, date(2026, 4, 2), &cal);
        assert_eq!(f.tasks.overdue, 0, "{e}");
        assert_eq!(
            store.roll_over_recurring_tasks().await.expect("roll over"),
            0,
            "{e}: once per occurrence"
        );
        let before = sorted(&store.rollup(w.nation.id).await.expect("rollup"));
        store.rebuild_rollups().await.expect("rebuild");
        let after = sorted(&store.rollup(w.nation.id).await.expect("rollup"));
        assert_eq!(before, after, "{e}: moved counters equal a recount");
        app.finish().await;
    }
}

/// splitmix64: the same random choices on every run for a seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// A ranking's sums of each child (read summed, through the index) equal
/// the same sums taken from the child's every counter, on days around and
/// after the month's round, so a rank always agrees with the child's own
/// dashboard.
async fn ranked_sums_equal_full_counters(store: &Store, parent: i64, children: &[i64], m: u32) {
    let e = store.engine().name();
    for day in [
        NaiveDate::from_ymd_opt(2026, m, 1),
        NaiveDate::from_ymd_opt(2026, m, 20),
        NaiveDate::from_ymd_opt(2026, 12, 31),
        NaiveDate::from_ymd_opt(2027, 1, 2),
    ]
    .into_iter()
    .flatten()
    {
        let window = RankWindow::on(day);
        let summed: HashMap<i64, RankCounts> = store
            .child_rank_counts(parent, &window)
            .await
            .expect("rank counts")
            .into_iter()
            .collect();
        let mut counted = 0;
        for id in children {
            let full = RankCounts::of(&store.rollup(*id).await.expect("rollup"), &window);
            let read = summed.get(id).copied().unwrap_or_default();
            assert_eq!(read, full, "{e}: month {m}, {day}: unit {id}");
            counted += usize::from(full.tasks > 0 && full.reports_expected > 0);
        }
        if day.year() == 2026 {
            assert!(counted > 0, "{e}: month {m}, {day}: something was summed");
        }
    }
}

/// Every counter of every level, sorted, for comparing with a recount.
async fn all_counters(store: &Store, levels: &[i64]) -> Vec<(i64, Vec<(Counter, i64)>)> {
    let mut out = Vec::new();
    for id in levels {
        let mut rows: Vec<(Counter, i64)> = store
            .rollup(*id)
            .await
            .expect("rollup")
            .rows
            .into_iter()
            .filter(|(_, v)| *v != 0)
            .collect();
        rows.sort();
        out.push((*id, rows));
    }
    out
}

#[tokio::test]
async fn random_accepts_returns_and_deadline_changes_at_once_equal_a_recount() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let mut communes = Vec::new();
        let mut levels = vec![w.nation.id, w.province_a.id];
        for i in 0..6 {
            let commune = unit(
                store,
                &w.province_a,
                UnitKind::Commune,
                &format!("Xã Trộn {i}"),
            )
            .await;
            levels.push(commune.id);
            let department = unit(store, &commune, UnitKind::Department, "Phòng Kinh tế").await;
            let plan_id = plan(store, &commune).await;
            let mut tasks = Vec::new();
            for deadline in ["Tháng 4/2026", "Quý II/2026", "Thường xuyên", "Hằng quý"] {
                tasks.push(task(store, plan_id, "Nhiệm vụ", &department, deadline).await);
            }
            communes.push(Commune {
                plan_id,
                department: department.id,
                target: target(store, plan_id, &department).await,
                tasks,
            });
        }
        let all_tasks: Vec<i64> = communes.iter().flat_map(|c| c.tasks.clone()).collect();
        let deadlines = [
            "Tháng 3/2026",
            "Tháng 5/2026",
            "Quý II/2026",
            "Năm 2026",
            "Thường xuyên",
            "Hằng quý",
            "Trước 15/4/2026",
        ];
        let mut rng = Rng(0x5eed ^ e.len() as u64);
        let (mut accepted, mut returned, mut moved) = (0, 0, 0);
        for m in 3..=5 {
            let reports = submit_month(store, &communes, m).await;
            let mut jobs = Vec::new();
            for report_id in reports {
                let accept = rng.below(3) != 0;
                if accept {
                    accepted += 1;
                } else {
                    returned += 1;
                }
                let store = store.clone();
                jobs.push(tokio::spawn(async move {
                    let comment = (!accept).then(|| "Bổ sung".to_string());
                    store
                        .review_report(report_id, accept, comment, vec![], &Actor::system())
                        .await
                        .map(|_| ())
                }));
            }
            for _ in 0..4 {
                let task_id = all_tasks[rng.below(all_tasks.len() as u64) as usize];
                let text = deadlines[rng.below(deadlines.len() as u64) as usize];
                moved += 1;
                let store = store.clone();
                jobs.push(tokio::spawn(async move {
                    store
                        .change_deadline(
                            task_id,
                            Deadline::parse(text),
                            "Điều chỉnh",
                            &Actor::system(),
                        )
                        .await
                        .map(|_| ())
                }));
            }
            for job in jobs {
                job.await
                    .expect("join")
                    .unwrap_or_else(|err| panic!("{e}: month {m}: {err}"));
            }
            let live = all_counters(store, &levels).await;
            store.rebuild_rollups().await.expect("rebuild");
            assert_eq!(
                live,
                all_counters(store, &levels).await,
                "{e}: month {m}: the counters as they moved equal a recount"
            );
            ranked_sums_equal_full_counters(store, w.province_a.id, &levels[2..], m).await;
        }
        assert!(
            accepted > 0 && returned > 0 && moved > 0,
            "{e}: every path ran"
        );
        app.finish().await;
    }
}
