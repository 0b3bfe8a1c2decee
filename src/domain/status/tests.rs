//! Tests of the status rules (badges, task states, figures' wording), kept
//! apart from `status.rs` so the rules read without scrolling past them.

use super::*;
use crate::domain::goal::Direction;

#[test]
fn a_badge_follows_the_counted_fact() {
    let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).expect("date");
    let (today, soon) = (d(10), d(19));
    assert_eq!(
        badge(true, Some(d(9)), None, today, soon),
        Some(Badge::Overdue)
    );
    assert_eq!(
        badge(true, Some(d(10)), None, today, soon),
        Some(Badge::DueSoon)
    );
    assert_eq!(
        badge(true, Some(d(19)), None, today, soon),
        Some(Badge::DueSoon)
    );
    assert_eq!(badge(true, Some(d(20)), None, today, soon), None);
    assert_eq!(badge(true, None, None, today, soon), None);
    assert_eq!(
        badge(true, Some(d(1)), Some("late"), today, soon),
        Some(Badge::DoneLate)
    );
    assert_eq!(
        badge(true, Some(d(1)), Some("on_time"), today, soon),
        Some(Badge::DoneOnTime)
    );
    assert_eq!(badge(false, Some(d(1)), None, today, soon), None);
    assert_eq!(Badge::Overdue.label_vi(), "Quá hạn");
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

/// An update of a round due on the day given, sent at noon that day.
fn update(status: TaskStatus, y: i32, m: u32, day: u32) -> AcceptedUpdate {
    AcceptedUpdate {
        status,
        round_due_on: d(y, m, day),
        first_submitted_at: Some(end_of_day_ms(d(y, m, day)) - 12 * 3_600_000),
    }
}

fn state(deadline: &Deadline, latest: Option<&AcceptedUpdate>, on: NaiveDate) -> TaskState {
    states(
        deadline,
        latest.map(std::slice::from_ref).unwrap_or_default(),
        on,
    )
}

fn states(deadline: &Deadline, updates: &[AcceptedUpdate], on: NaiveDate) -> TaskState {
    let facts = TaskFacts {
        deadline,
        not_applicable: false,
        updates,
    };
    task_state(&facts, on, &WorkCalendar::vietnam())
}

#[test]
fn names_and_labels_are_stable() {
    for s in TaskState::ALL {
        let json = serde_json::to_value(s).expect("serialise");
        assert_eq!(json, serde_json::json!(s.as_str()));
        assert!(!s.label_vi().is_empty());
    }
    let problems: Vec<_> = TaskState::ALL
        .into_iter()
        .filter(|s| s.is_problem())
        .collect();
    assert_eq!(problems, [TaskState::DueSoon, TaskState::Overdue]);
    for s in TargetState::ALL {
        let json = serde_json::to_value(s).expect("serialise");
        assert_eq!(json, serde_json::json!(s.as_str()));
        assert_eq!(TargetState::parse(s.as_str()), Some(s));
    }
    for t in [DoneTiming::OnTime, DoneTiming::Late] {
        assert_eq!(DoneTiming::parse(t.as_str()), Some(t));
    }
    assert_eq!(TargetState::NotMet.label_vi(), "Chưa đạt");
}

#[test]
fn not_applicable_and_suspended_win() {
    let deadline = Deadline::parse("Trước ngày 30/6/2026");
    let done = update(TaskStatus::Done, 2026, 6, 1);
    let facts = TaskFacts {
        deadline: &deadline,
        not_applicable: true,
        updates: std::slice::from_ref(&done),
    };
    let cal = WorkCalendar::vietnam();
    assert_eq!(
        task_state(&facts, d(2026, 7, 1), &cal),
        TaskState::NotApplicable
    );
    let paused = update(TaskStatus::Suspended, 2026, 3, 1);
    assert_eq!(
        state(&deadline, Some(&paused), d(2026, 8, 1)),
        TaskState::Suspended
    );
}

#[test]
fn one_off_task_over_time() {
    let deadline = Deadline::parse("Tháng 6/2026");
    let started = update(TaskStatus::InProgress, 2026, 3, 10);
    let not_started = update(TaskStatus::NotStarted, 2026, 3, 10);
    assert_eq!(state(&deadline, None, d(2026, 3, 1)), TaskState::NotStarted);
    assert_eq!(
        state(&deadline, Some(&not_started), d(2026, 4, 1)),
        TaskState::NotStarted
    );
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 4, 1)),
        TaskState::OnTrack
    );
    // Tue 30/6 is due; Fri 19/6 leaves 7 working days, Thu 18/6 leaves 8.
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 6, 18)),
        TaskState::OnTrack
    );
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 6, 19)),
        TaskState::DueSoon
    );
    assert_eq!(state(&deadline, None, d(2026, 6, 30)), TaskState::DueSoon);
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 7, 1)),
        TaskState::Overdue
    );
    let done = update(TaskStatus::Done, 2026, 6, 29);
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 7, 1)),
        TaskState::DoneOnTime
    );
    let late = update(TaskStatus::Done, 2026, 7, 3);
    assert_eq!(
        state(&deadline, Some(&late), d(2026, 7, 2)),
        TaskState::Overdue,
        "report not yet made"
    );
    assert_eq!(
        state(&deadline, Some(&late), d(2026, 7, 3)),
        TaskState::DoneLate
    );
    let marked_late = update(TaskStatus::DoneLate, 2026, 6, 1);
    assert_eq!(
        state(&deadline, Some(&marked_late), d(2026, 6, 2)),
        TaskState::DoneLate
    );
}

#[test]
fn due_soon_counts_working_days_across_tet_2026() {
    let deadline = Deadline::parse("Trước ngày 25/02/2026");
    let started = update(TaskStatus::InProgress, 2026, 1, 15);
    // Fri 6/2: 8 working days left (9–13/2, 23–25/2) → still on track.
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 2, 6)),
        TaskState::OnTrack
    );
    // Mon 9/2: 16 calendar days before, but only 7 working days.
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 2, 9)),
        TaskState::DueSoon
    );
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 2, 18)),
        TaskState::DueSoon
    );
    assert_eq!(
        state(&deadline, Some(&started), d(2026, 2, 26)),
        TaskState::Overdue
    );
}

#[test]
fn ongoing_and_unknown_tasks_have_no_due_date() {
    for text in ["Thường xuyên", "khi có yêu cầu của cấp trên"] {
        let deadline = Deadline::parse(text);
        assert_eq!(due_date_for(&deadline, d(2026, 5, 1)), None, "{text}");
        let started = update(TaskStatus::InProgress, 2026, 1, 1);
        let done = update(TaskStatus::Done, 2030, 1, 1);
        assert_eq!(state(&deadline, None, d(2040, 1, 1)), TaskState::NotStarted);
        assert_eq!(
            state(&deadline, Some(&started), d(2040, 1, 1)),
            TaskState::OnTrack
        );
        assert_eq!(
            state(&deadline, Some(&done), d(2040, 1, 1)),
            TaskState::DoneOnTime
        );
    }
}

#[test]
fn due_dates_of_recurring_deadlines() {
    let yearly = Deadline::parse("Tháng 11 hằng năm");
    assert_eq!(due_date_for(&yearly, d(2026, 5, 1)), Some(d(2026, 11, 30)));
    assert_eq!(
        due_date_for(&yearly, d(2026, 11, 30)),
        Some(d(2026, 11, 30))
    );
    assert_eq!(due_date_for(&yearly, d(2026, 12, 1)), Some(d(2027, 11, 30)));
    let from_2027 = Deadline::parse("Từ năm 2027 trở đi");
    assert_eq!(
        due_date_for(&from_2027, d(2026, 1, 1)),
        Some(d(2027, 12, 31))
    );
    let periodic = Deadline::parse("Quý, 6 tháng, 9 tháng, năm");
    assert_eq!(due_date_for(&periodic, d(2026, 5, 1)), Some(d(2026, 6, 30)));
    assert_eq!(
        due_date_for(&periodic, d(2026, 10, 1)),
        Some(d(2026, 12, 31))
    );
    assert_eq!(due_date_for(&periodic, d(2027, 1, 1)), Some(d(2027, 3, 31)));
    let one_off = Deadline::parse("Quý III/2026");
    assert_eq!(due_date_for(&one_off, d(2027, 1, 1)), Some(d(2026, 9, 30)));
}

#[test]
fn yearly_task_is_done_only_for_its_occurrence() {
    let deadline = Deadline::parse("Hằng năm");
    let done = update(TaskStatus::Done, 2026, 12, 10);
    // Done in December 2026 for the 2026 occurrence.
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 12, 15)),
        TaskState::DoneOnTime
    );
    // The 2027 occurrence starts the day after 31/12/2026: not done yet.
    assert_eq!(
        state(&deadline, Some(&done), d(2027, 1, 5)),
        TaskState::NotStarted
    );
    assert_eq!(
        state(&deadline, Some(&done), d(2027, 12, 24)),
        TaskState::DueSoon
    );
    let in_progress = update(TaskStatus::InProgress, 2027, 3, 1);
    assert_eq!(
        state(&deadline, Some(&in_progress), d(2027, 6, 1)),
        TaskState::OnTrack
    );
    let late = update(TaskStatus::DoneLate, 2026, 12, 10);
    assert_eq!(
        state(&deadline, Some(&late), d(2027, 1, 5)),
        TaskState::NotStarted
    );
}

#[test]
fn quarterly_task_rolls_over_each_quarter() {
    let deadline = Deadline::parse("Hằng quý");
    let done = update(TaskStatus::Done, 2026, 3, 20);
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 3, 25)),
        TaskState::DoneOnTime
    );
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 3, 31)),
        TaskState::DoneOnTime
    );
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 4, 1)),
        TaskState::NotStarted
    );
    // 7 working days before Tue 30/6 is Fri 19/6.
    assert_eq!(
        state(&deadline, Some(&done), d(2026, 6, 19)),
        TaskState::DueSoon
    );
    let again = update(TaskStatus::Done, 2026, 6, 22);
    assert_eq!(
        state(&deadline, Some(&again), d(2026, 6, 30)),
        TaskState::DoneOnTime
    );
}

#[test]
fn a_task_done_on_time_stays_on_time_when_reported_again_later() {
    let deadline = Deadline::parse("Tháng 6/2026");
    let history = [
        update(TaskStatus::InProgress, 2026, 4, 15),
        update(TaskStatus::Done, 2026, 5, 15),
        update(TaskStatus::Done, 2026, 6, 15),
        update(TaskStatus::Done, 2026, 7, 15),
    ];
    assert_eq!(
        states(&deadline, &history, d(2026, 8, 1)),
        TaskState::DoneOnTime
    );
    // First said done in July, after the due date: late for good.
    let late = [
        update(TaskStatus::InProgress, 2026, 6, 15),
        update(TaskStatus::Done, 2026, 7, 15),
        update(TaskStatus::Done, 2026, 8, 15),
    ];
    assert_eq!(states(&deadline, &late, d(2026, 9, 1)), TaskState::DoneLate);
    // Reopened by a later report: no longer done.
    let reopened = [
        update(TaskStatus::Done, 2026, 5, 15),
        update(TaskStatus::InProgress, 2026, 6, 10),
    ];
    assert_eq!(
        states(&deadline, &reopened, d(2026, 6, 22)),
        TaskState::DueSoon
    );
}

#[test]
fn a_late_report_of_a_round_counts_for_its_round_s_occurrence() {
    let deadline = Deadline::parse("Hằng quý");
    // The March round (due 15/3) sent on 3/4: done for the first
    // quarter, but after its due date.
    let sent_late = AcceptedUpdate {
        status: TaskStatus::Done,
        round_due_on: d(2026, 3, 15),
        first_submitted_at: Some(end_of_day_ms(d(2026, 4, 3))),
    };
    let history = [sent_late];
    assert_eq!(
        progress(&deadline, &history, d(2026, 3, 31)),
        Progress {
            due: Some(d(2026, 3, 31)),
            done: Some(DoneTiming::Late)
        }
    );
    // By the time it was sent the second quarter had begun: the task
    // is open for it, and not overdue for the first.
    assert_eq!(
        progress(&deadline, &history, d(2026, 4, 3)),
        Progress {
            due: Some(d(2026, 6, 30)),
            done: None
        }
    );
    assert_eq!(
        states(&deadline, &history, d(2026, 4, 3)),
        TaskState::NotStarted
    );
    // The April round says done: done on time for the second quarter,
    // whatever the first quarter's report said.
    let history = [sent_late, update(TaskStatus::Done, 2026, 4, 15)];
    assert_eq!(
        progress(&deadline, &history, d(2026, 4, 20)).done,
        Some(DoneTiming::OnTime)
    );
}

#[test]
fn a_recurring_task_is_never_overdue_and_undated_tasks_have_no_due_date() {
    let yearly = Deadline::parse("Tháng 11 hằng năm");
    for on in [
        d(2026, 12, 1),
        d(2027, 6, 30),
        d(2027, 11, 30),
        d(2028, 1, 1),
    ] {
        let p = progress(&yearly, &[], on);
        assert!(p.due.is_some_and(|due| due >= on), "{on}");
        assert_ne!(states(&yearly, &[], on), TaskState::Overdue);
    }
    let ongoing = Deadline::parse("Thường xuyên");
    let done = [update(TaskStatus::Done, 2026, 3, 15)];
    assert_eq!(
        progress(&ongoing, &done, d(2030, 1, 1)),
        Progress {
            due: None,
            done: Some(DoneTiming::OnTime)
        }
    );
}

#[test]
fn due_soon_means_at_most_seven_working_days_left() {
    let cal = WorkCalendar::vietnam();
    // Wed 20/5/2026: the 7th working day after it is Fri 29/5, so a
    // task due Sunday 31/5 still has only 7 working days left.
    assert_eq!(due_soon_until(d(2026, 5, 20), &cal), d(2026, 5, 31));
    let deadline = Deadline::parse("Tháng 5/2026");
    assert_eq!(state(&deadline, None, d(2026, 5, 20)), TaskState::DueSoon);
    assert_eq!(
        state(&deadline, None, d(2026, 5, 19)),
        TaskState::NotStarted
    );
    // The window agrees with counting working days, across Tết too.
    let mut today = d(2026, 1, 1);
    while today < d(2026, 12, 31) {
        let until = due_soon_until(today, &cal);
        for ahead in 0..40 {
            let due = today + chrono::Duration::days(ahead);
            assert_eq!(
                due <= until,
                cal.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS,
                "{today} → {due}"
            );
        }
        today += chrono::Duration::days(1);
    }
}

fn target(unit: &str, goals: Vec<Goal>) -> Target {
    let direction = goals
        .first()
        .map_or(Direction::HigherIsBetter, |g| g.direction());
    Target {
        id: 1,
        plan_id: 1,
        scope_path: "/1/".to_string(),
        reference: None,
        group_path: Vec::new(),
        position: 0,
        name: "Tỷ lệ hồ sơ trực tuyến".to_string(),
        measure_unit: Some(unit.to_string()),
        lead: Vec::new(),
        goals,
        note: None,
        direction,
        external: None,
        version: 1,
    }
}

fn goal(text: &str, year: i32) -> Goal {
    Goal::parse(text, Some(year)).expect("valid goal")
}

fn m(y: i32, mo: u32, day: u32, value: f64) -> Measure {
    Measure {
        on: d(y, mo, day),
        value,
    }
}

#[test]
fn target_state_compares_with_the_year_goal() {
    let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
    assert_eq!(target_state(&t, 2026, Some(65.0)), TargetState::Met);
    assert_eq!(target_state(&t, 2026, Some(55.0)), TargetState::NotMet);
    assert_eq!(target_state(&t, 2028, Some(70.0)), TargetState::NotMet);
    assert_eq!(target_state(&t, 2026, None), TargetState::NoData);
    assert_eq!(target_state(&t, 2026, Some(f64::NAN)), TargetState::NoData);
    assert_eq!(target_state(&t, 2031, Some(90.0)), TargetState::NoData);
}

#[test]
fn rising_series_that_reaches_the_goal_gives_no_warning() {
    let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
    let history = [
        m(2025, 1, 1, 40.0),
        m(2025, 7, 1, 50.0),
        m(2026, 1, 1, 60.0),
    ];
    assert!(trajectory(&t, &history, d(2026, 2, 1)).is_empty());
}

#[test]
fn flat_series_warns_with_the_projected_value() {
    let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
    let history = [
        m(2025, 6, 30, 71.0),
        m(2025, 12, 31, 71.6),
        m(2026, 3, 31, 71.3),
    ];
    let warnings = trajectory(&t, &history, d(2026, 4, 1));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert_eq!(w.year, 2030);
    assert_eq!(w.goal.value, 80.0);
    // Least squares: slope 0.4/183 per day over 1 Jul–31 Dec, projected on.
    assert!(w.projected > 73.0 && w.projected < 76.0, "{}", w.projected);
    assert!(
        w.message
            .starts_with("Với tốc độ hiện nay, đến cuối năm 2030 chỉ đạt khoảng 7")
    );
    assert!(w.message.ends_with("(mục tiêu ≥ 80)"), "{}", w.message);

    let exact = [m(2025, 1, 1, 71.3), m(2026, 1, 1, 71.3)];
    let warnings = trajectory(&t, &exact, d(2026, 4, 1));
    assert_eq!(warnings.len(), 1);
    assert!((warnings[0].projected - 71.3).abs() < 1e-9);
    assert_eq!(
        warnings[0].message,
        "Với tốc độ hiện nay, đến cuối năm 2030 chỉ đạt khoảng 71,3 (mục tiêu ≥ 80)"
    );
    // Past goal years are not projected: from 2027 on only 2030 counts.
    let falling = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 40.0)];
    let years: Vec<i32> = trajectory(&t, &falling, d(2027, 1, 1))
        .iter()
        .map(|w| w.year)
        .collect();
    assert_eq!(years, [2030]);
    let all: Vec<i32> = trajectory(&t, &falling, d(2026, 1, 1))
        .iter()
        .map(|w| w.year)
        .collect();
    assert_eq!(all, [2026, 2030]);
}

#[test]
fn percentages_are_clamped() {
    let t = target("%", vec![goal("≥ 100", 2030)]);
    let steep = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 90.0)];
    assert!(trajectory(&t, &steep, d(2026, 1, 1)).is_empty());
    let t = target("%", vec![goal("≥ 10", 2030)]);
    let falling = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 20.0)];
    let w = trajectory(&t, &falling, d(2026, 1, 1));
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].projected, 0.0);
}

#[test]
fn single_point_or_same_day_gives_no_warning() {
    let t = target("%", vec![goal("≥ 80", 2030)]);
    assert!(trajectory(&t, &[m(2026, 1, 1, 10.0)], d(2026, 1, 1)).is_empty());
    assert!(trajectory(&t, &[], d(2026, 1, 1)).is_empty());
    let same_day = [m(2026, 1, 1, 10.0), m(2026, 1, 1, 12.0)];
    assert!(trajectory(&t, &same_day, d(2026, 1, 1)).is_empty());
    let with_nan = [m(2025, 1, 1, f64::NAN), m(2026, 1, 1, 12.0)];
    assert!(trajectory(&t, &with_nan, d(2026, 1, 1)).is_empty());
}

#[test]
fn lower_is_better_targets() {
    // A rank that improves from 40th to 30th a year reaches Top 20 by 2030.
    let t = target("hạng", vec![goal("Top 20", 2030)]);
    let improving = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 30.0)];
    assert!(trajectory(&t, &improving, d(2027, 1, 1)).is_empty());
    let stuck = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 39.0)];
    let w = trajectory(&t, &stuck, d(2027, 1, 1));
    assert_eq!(w.len(), 1);
    assert!((w[0].projected - 35.0).abs() < 0.1, "{}", w[0].projected);
    assert!(
        w[0].message.contains("chỉ xếp hạng khoảng 35"),
        "{}",
        w[0].message
    );
    // Falling far below 1 still counts as rank 1, which is in the top 20.
    let steep = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 10.0)];
    assert!(trajectory(&t, &steep, d(2027, 1, 1)).is_empty());

    let t = target("%", vec![goal("≤ 5", 2030)]);
    let high = [m(2025, 1, 1, 12.0), m(2026, 1, 1, 11.5)];
    let w = trajectory(&t, &high, d(2026, 1, 1));
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message.contains("vẫn ở mức khoảng"),
        "{}",
        w[0].message
    );
    let low = [m(2025, 1, 1, 12.0), m(2026, 1, 1, 8.0)];
    assert!(trajectory(&t, &low, d(2026, 1, 1)).is_empty());
}

#[test]
fn vietnamese_number_format() {
    assert_eq!(format_vi(71.3), "71,3");
    assert_eq!(format_vi(80.0), "80");
    assert_eq!(format_vi(1.05), "1,05");
    assert_eq!(format_vi(-0.001), "0");
}
