//! The reminder ladder of a deadline, and when an overdue task goes to the
//! leaders.
//!
//! A task's lead unit (and its commune's focal point) hears of a deadline
//! 7 and 3 working days before it, on the day, and then every
//! `every` working days after it while the task is not done. Each step is
//! sent once per deadline: an approved extension starts a new ladder. A
//! day the housekeeping did not run is not made up with older steps; the
//! step due on the day of the run is the one sent.
//!
//! The Party Secretariat's rules (Quy chế 08-QC/TW) and the provinces'
//! take on them: a task still overdue after three reminders goes to the
//! leaders' meeting, and the unit explains. Here a task is escalated once
//! per deadline, on the first run after the deadline when it has had at
//! least [`ESCALATE_AFTER_REMINDERS`] reminders since the last accepted
//! report of progress on it.

use chrono::NaiveDate;

use crate::domain::calendar::WorkCalendar;

/// Reminders without accepted progress that send an overdue task to the
/// leaders.
pub const ESCALATE_AFTER_REMINDERS: usize = 3;

/// One rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderStep {
    /// Seven working days before the deadline.
    WeekBefore,
    /// Three working days before.
    ThreeDaysBefore,
    /// On the deadline.
    DueDay,
    /// The n-th reminder after the deadline (from 1).
    After(u32),
}

impl ReminderStep {
    /// The stable name kept with each sent reminder.
    pub fn key(self) -> String {
        match self {
            ReminderStep::WeekBefore => "t-7".into(),
            ReminderStep::ThreeDaysBefore => "t-3".into(),
            ReminderStep::DueDay => "t0".into(),
            ReminderStep::After(n) => format!("after-{n}"),
        }
    }

    pub fn is_overdue(self) -> bool {
        matches!(self, ReminderStep::After(_))
    }
}

/// The ladder for one deadline.
#[derive(Debug, Clone, Copy)]
pub struct Ladder<'a> {
    pub due: NaiveDate,
    /// Working days between the reminders after the deadline (at least 1).
    pub every: i64,
    pub cal: &'a WorkCalendar,
}

impl Ladder<'_> {
    /// The day a step falls on.
    pub fn day_of(&self, step: ReminderStep) -> NaiveDate {
        match step {
            ReminderStep::WeekBefore => self.cal.add_working_days(self.due, -7),
            ReminderStep::ThreeDaysBefore => self.cal.add_working_days(self.due, -3),
            ReminderStep::DueDay => self.due,
            ReminderStep::After(n) => self
                .cal
                .add_working_days(self.due, 1 + self.every.max(1) * (i64::from(n.max(1)) - 1)),
        }
    }

    /// The step to send on `today`: the latest whose day has come, if any.
    pub fn step_on(&self, today: NaiveDate) -> Option<ReminderStep> {
        if today > self.due {
            let late = self.cal.working_days_between(self.due, today);
            if late >= 1 {
                let n = (late - 1) / self.every.max(1) + 1;
                return Some(ReminderStep::After(u32::try_from(n).unwrap_or(u32::MAX)));
            }
            // A weekend or holiday right after the deadline: the due-day
            // reminder still stands.
            return Some(ReminderStep::DueDay);
        }
        [
            ReminderStep::DueDay,
            ReminderStep::ThreeDaysBefore,
            ReminderStep::WeekBefore,
        ]
        .into_iter()
        .find(|s| self.day_of(*s) <= today)
    }
}

/// Whether an overdue task goes to the leaders on `today`: past its
/// deadline, with at least [`ESCALATE_AFTER_REMINDERS`] reminders sent
/// for it (`sent`, the days they went out, today's included) after the
/// last accepted report of progress (`progress`, the day it was accepted).
pub fn escalates(
    due: NaiveDate,
    today: NaiveDate,
    sent: &[NaiveDate],
    progress: Option<NaiveDate>,
) -> bool {
    let unanswered = sent
        .iter()
        .filter(|d| progress.is_none_or(|p| **d > p))
        .count();
    today > due && unanswered >= ESCALATE_AFTER_REMINDERS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// Each day from `from` to `to`, as a daily job sees them.
    fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        from.iter_days().take_while(move |x| *x <= to)
    }

    #[test]
    fn the_ladder_falls_on_working_days_before_and_after() {
        let cal = WorkCalendar::vietnam();
        // Tue 31/3/2026.
        let ladder = Ladder {
            due: d(2026, 3, 31),
            every: 5,
            cal: &cal,
        };
        assert_eq!(ladder.day_of(ReminderStep::WeekBefore), d(2026, 3, 20));
        assert_eq!(ladder.day_of(ReminderStep::ThreeDaysBefore), d(2026, 3, 26));
        assert_eq!(ladder.day_of(ReminderStep::DueDay), d(2026, 3, 31));
        assert_eq!(ladder.day_of(ReminderStep::After(1)), d(2026, 4, 1));
        assert_eq!(ladder.day_of(ReminderStep::After(2)), d(2026, 4, 8));
        assert_eq!(ladder.step_on(d(2026, 3, 19)), None);
        assert_eq!(
            ladder.step_on(d(2026, 3, 20)),
            Some(ReminderStep::WeekBefore)
        );
        assert_eq!(
            ladder.step_on(d(2026, 3, 25)),
            Some(ReminderStep::WeekBefore)
        );
        assert_eq!(
            ladder.step_on(d(2026, 3, 26)),
            Some(ReminderStep::ThreeDaysBefore)
        );
        assert_eq!(ladder.step_on(d(2026, 3, 31)), Some(ReminderStep::DueDay));
        assert_eq!(ladder.step_on(d(2026, 4, 1)), Some(ReminderStep::After(1)));
        assert_eq!(ladder.step_on(d(2026, 4, 7)), Some(ReminderStep::After(1)));
        assert_eq!(ladder.step_on(d(2026, 4, 8)), Some(ReminderStep::After(2)));
    }

    #[test]
    fn a_daily_run_sends_each_step_once_in_order() {
        let cal = WorkCalendar::vietnam();
        // Fri 24/4/2026, before the Giỗ Tổ and 30/4–1/5 days off.
        let ladder = Ladder {
            due: d(2026, 4, 24),
            every: 5,
            cal: &cal,
        };
        let mut sent: Vec<(NaiveDate, ReminderStep)> = Vec::new();
        for today in days(d(2026, 4, 1), d(2026, 5, 20)) {
            if let Some(step) = ladder.step_on(today)
                && !sent.iter().any(|(_, s)| *s == step)
            {
                sent.push((today, step));
            }
        }
        let steps: Vec<String> = sent.iter().map(|(_, s)| s.key()).collect();
        assert_eq!(steps, ["t-7", "t-3", "t0", "after-1", "after-2", "after-3"]);
        // After the Friday deadline comes the weekend and Monday 27/4,
        // the day off for Giỗ Tổ: the first overdue reminder is Tuesday.
        assert_eq!(sent[3].0, d(2026, 4, 28));
        // 30/4 and 1/5 are not working days either.
        assert_eq!(sent[4].0, d(2026, 5, 7));
    }

    #[test]
    fn three_reminders_without_progress_escalate_once_overdue() {
        let due = d(2026, 3, 31);
        let sent = [d(2026, 3, 20), d(2026, 3, 26), d(2026, 3, 31)];
        // On the day itself the task is not late yet.
        assert!(!escalates(due, d(2026, 3, 31), &sent, None));
        let with_first_late = [&sent[..], &[d(2026, 4, 1)]].concat();
        assert!(escalates(due, d(2026, 4, 1), &with_first_late, None));
        // Progress accepted after the second reminder: the count starts
        // again, and the third reminder after it is the second overdue one.
        let progress = Some(d(2026, 3, 27));
        assert!(!escalates(due, d(2026, 4, 1), &with_first_late, progress));
        let with_second_late = [&with_first_late[..], &[d(2026, 4, 8)]].concat();
        assert!(escalates(due, d(2026, 4, 8), &with_second_late, progress));
        // Fewer than three reminders (the task was added late).
        assert!(!escalates(
            due,
            d(2026, 4, 1),
            &[d(2026, 3, 31), d(2026, 4, 1)],
            None
        ));
    }
}
