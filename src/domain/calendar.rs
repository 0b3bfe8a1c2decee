//! Working days for counting deadlines the way Vietnamese offices do.
//!
//! A day is a working day when it is Monday–Friday and not a day off, or
//! when it is a make-up day ("làm bù", usually a Saturday) that the
//! government swapped in for a weekday off. The built-in table
//! ([`WorkCalendar::vietnam`]) follows `HOLIDAYS.md`:
//!
//! - 2025 and 2026: the official days off and make-up days announced by the
//!   Prime Minister and Bộ Nội vụ (`estimated = false`).
//! - 2027–2030: the statutory days of BLLĐ 2019 Điều 112, with Tết taken as
//!   giao thừa plus mùng 1–4 from precomputed lunar dates, and a holiday
//!   that falls on a weekend moved to the next weekday that is not already
//!   off (Điều 111). These are marked `estimated = true` because the real
//!   plan (swaps, which Tết days) is only announced the year before.
//! - Outside 2025–2030 only weekends are off.
//!
//! Administrators can edit the calendar; the store keeps their rows and
//! [`WorkCalendar::from_days`] reads them. Counting is arithmetic over
//! whole weeks plus the listed exceptions, so it stays fast and cannot
//! loop forever on any input; dates beyond chrono's range saturate at the
//! first or last representable day.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How a listed day differs from the ordinary Monday–Friday week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A weekday off: a holiday, a day in lieu, or a swapped day.
    Off,
    /// A make-up working day on a weekend.
    Work,
}

/// One exception to the ordinary week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    /// True when computed from the statute rather than read from an
    /// official notice.
    pub estimated: bool,
}

/// A set of exceptions to the Monday–Friday week.
///
/// The default calendar has no exceptions: only weekends are off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

const NEW_YEAR: &str = "Tết Dương lịch";
const LUNAR_NEW_YEAR: &str = "Tết Nguyên đán";
const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
const VICTORY: &str = "Ngày Chiến thắng";
const LABOUR: &str = "Quốc tế Lao động";
const NATIONAL: &str = "Quốc khánh";
const MAKE_UP: &str = "Làm bù";

/// Official days of 2025 and 2026 from `HOLIDAYS.md` §2, as
/// `(year, month, day, kind, name)`.
///
/// 24/11/2026 (Ngày Văn hóa Việt Nam) is deliberately left out: it is only
/// a proposal until the Labour Code is amended or Bộ Nội vụ announces it.
/// An administrator can add it through the editable calendar.
const OFFICIAL: &[(i32, u32, u32, DayKind, &str)] = &[
    (2025, 1, 1, DayKind::Off, NEW_YEAR),
    (2025, 1, 27, DayKind::Off, LUNAR_NEW_YEAR),
    (2025, 1, 28, DayKind::Off, LUNAR_NEW_YEAR),
    (2025, 1, 29, DayKind::Off, LUNAR_NEW_YEAR),
    (2025, 1, 30, DayKind::Off, LUNAR_NEW_YEAR),
    (2025, 1, 31, DayKind::Off, LUNAR_NEW_YEAR),
    (2025, 4, 7, DayKind::Off, HUNG_KINGS),
    (2025, 4, 26, DayKind::Work, MAKE_UP),
    (2025, 4, 30, DayKind::Off, VICTORY),
    (2025, 5, 1, DayKind::Off, LABOUR),
    (2025, 5, 2, DayKind::Off, "Quốc tế Lao động (nghỉ hoán đổi)"),
    (2025, 9, 1, DayKind::Off, NATIONAL),
    (2025, 9, 2, DayKind::Off, NATIONAL),
    (2026, 1, 1, DayKind::Off, NEW_YEAR),
    (2026, 1, 2, DayKind::Off, "Tết Dương lịch (nghỉ hoán đổi)"),
    (2026, 1, 10, DayKind::Work, MAKE_UP),
    (2026, 2, 16, DayKind::Off, LUNAR_NEW_YEAR),
    (2026, 2, 17, DayKind::Off, LUNAR_NEW_YEAR),
    (2026, 2, 18, DayKind::Off, LUNAR_NEW_YEAR),
    (2026, 2, 19, DayKind::Off, LUNAR_NEW_YEAR),
    (2026, 2, 20, DayKind::Off, LUNAR_NEW_YEAR),
    (2026, 4, 27, DayKind::Off, "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (2026, 4, 30, DayKind::Off, VICTORY),
    (2026, 5, 1, DayKind::Off, LABOUR),
    (2026, 8, 22, DayKind::Work, MAKE_UP),
    (2026, 8, 31, DayKind::Off, "Quốc khánh (nghỉ hoán đổi)"),
    (2026, 9, 1, DayKind::Off, NATIONAL),
    (2026, 9, 2, DayKind::Off, NATIONAL),
];

/// `(month, day)` of a solar date.
type MonthDay = (u32, u32);

/// Lunar dates for the estimated years (`HOLIDAYS.md` §3, Vietnamese
/// calendar at UTC+7): `(year, giao thừa (month, day), Giỗ Tổ (month, day))`.
/// A table rather than an algorithm because four independent calculations
/// agreed on it and it cannot silently drift.
const LUNAR: &[(i32, MonthDay, MonthDay)] = &[
    (2027, (2, 5), (4, 16)),
    (2028, (1, 25), (4, 4)),
    (2029, (2, 12), (4, 23)),
    (2030, (2, 1), (4, 12)),
];

impl WorkCalendar {
    /// The built-in Vietnamese calendar (see the module documentation).
    pub fn vietnam() -> WorkCalendar {
        WorkCalendar::from_days(&WorkCalendar::builtin_days())
    }

    /// A calendar made only of the given rows. When a date is listed twice
    /// the later row wins, matching an editor where the last change counts.
    pub fn from_days(days: &[Holiday]) -> WorkCalendar {
        WorkCalendar {
            days: days.iter().map(|h| (h.date, h.kind)).collect(),
        }
    }

    /// The rows behind [`WorkCalendar::vietnam`], in date order, so an
    /// administrator can start from them.
    pub fn builtin_days() -> Vec<Holiday> {
        let mut days: Vec<Holiday> = OFFICIAL
            .iter()
            .filter_map(|&(y, m, d, kind, name)| {
                Some(Holiday {
                    date: NaiveDate::from_ymd_opt(y, m, d)?,
                    kind,
                    name: name.to_string(),
                    estimated: false,
                })
            })
            .collect();
        for &(year, eve, hung) in LUNAR {
            days.extend(estimated_year(year, eve, hung));
        }
        days.sort_by_key(|h| h.date);
        days
    }

    /// Monday–Friday unless listed as off, plus listed make-up days.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Off) => false,
            Some(DayKind::Work) => true,
            None => is_weekday(d),
        }
    }

    /// `d` itself when it is a working day, else the first working day
    /// after it (or the last representable date).
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        if self.is_working_day(d) {
            d
        } else {
            self.add_working_days(d, 1)
        }
    }

    /// Moves `n` working days from `d`: forward for positive `n` (the
    /// n-th working day after `d`), backward for negative `n` (the n-th
    /// working day before `d`); `0` returns `d` unchanged even on a day off.
    pub fn add_working_days(&self, d: NaiveDate, n: i64) -> NaiveDate {
        match n {
            0 => d,
            n if n > 0 => self.step(d, n.unsigned_abs(), true),
            n => self.step(d, n.unsigned_abs(), false),
        }
    }

    /// Working days in `(from, to]`, negated when `to < from`, so that
    /// `between(a, b) == -between(b, a)`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let count = |a: NaiveDate, b: NaiveDate| {
            // a < b here, so a has a successor.
            a.succ_opt().map_or(0, |s| self.count_inclusive(s, b))
        };
        match from.cmp(&to) {
            std::cmp::Ordering::Less => count(from, to),
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => -count(to, from),
        }
    }

    /// Working days in a month; 0 for an invalid month.
    pub fn working_days_in_month(&self, year: i32, month: u32) -> u32 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
            return 0;
        };
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        u32::try_from(self.count_inclusive(first, last)).unwrap_or(0)
    }

    /// Working days in a year; 0 for a year chrono cannot represent.
    pub fn working_days_in_year(&self, year: i32) -> u32 {
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(first), Some(last)) => {
                u32::try_from(self.count_inclusive(first, last)).unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// Working days in `[a, b]` (0 when `b < a`): weekdays by arithmetic,
    /// then the listed exceptions inside the span.
    fn count_inclusive(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return 0;
        }
        let total = (b - a).num_days() + 1;
        let weeks = total / 7;
        let first = i64::from(a.weekday().num_days_from_monday());
        let rest = (0..total % 7).filter(|i| (first + i) % 7 < 5).count();
        let mut count = weeks * 5 + i64::try_from(rest).unwrap_or(0);
        for (date, kind) in self.days.range(a..=b) {
            match (kind, is_weekday(*date)) {
                (DayKind::Off, true) => count -= 1,
                (DayKind::Work, false) => count += 1,
                _ => {}
            }
        }
        count
    }

    /// Walks `n` working days forward or backward. Jumps whole weeks while
    /// that cannot overshoot, then steps day by day, so even absurd `n`
    /// finishes quickly and saturates at the ends of chrono's range.
    fn step(&self, d: NaiveDate, n: u64, forward: bool) -> NaiveDate {
        let mut cur = d;
        let mut remaining = i64::try_from(n).unwrap_or(i64::MAX);
        let mut weeks = u64::try_from(remaining / 7).unwrap_or(0);
        while weeks > 0 {
            let days = Days::new(weeks.saturating_mul(7));
            let jump = if forward {
                cur.checked_add_days(days)
            } else {
                cur.checked_sub_days(days)
            };
            // Days landed on while jumping: (cur, next] forward, [next, cur) back.
            // Strictly fewer than needed, so the walk ends on a working day.
            let landed = jump.and_then(|next| {
                let (lo, hi) = if forward {
                    (cur.succ_opt()?, next)
                } else {
                    (next, cur.pred_opt()?)
                };
                Some((next, self.count_inclusive(lo, hi)))
            });
            match landed {
                Some((next, count)) if count < remaining => {
                    cur = next;
                    remaining -= count;
                    weeks = weeks.min(u64::try_from(remaining / 7).unwrap_or(0));
                }
                _ => weeks /= 2,
            }
        }
        while remaining > 0 {
            let next = if forward {
                cur.succ_opt()
            } else {
                cur.pred_opt()
            };
            let Some(next) = next else {
                return cur;
            };
            cur = next;
            if self.is_working_day(cur) {
                remaining -= 1;
            }
        }
        cur
    }
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The statutory days off of an estimated year. Holidays on a weekday are
/// placed first, so that a weekend holiday moves past them (30/4 on a
/// Sunday before 1/5 on a Monday is taken on Tuesday 2/5).
fn estimated_year(year: i32, eve: MonthDay, hung: MonthDay) -> Vec<Holiday> {
    let date = |(m, d): MonthDay| NaiveDate::from_ymd_opt(year, m, d);
    let mut statutory: Vec<(NaiveDate, &str)> = Vec::new();
    let fixed = [
        ((1, 1), NEW_YEAR),
        (hung, HUNG_KINGS),
        ((4, 30), VICTORY),
        ((5, 1), LABOUR),
        ((9, 1), NATIONAL),
        ((9, 2), NATIONAL),
    ];
    statutory.extend(
        fixed
            .iter()
            .filter_map(|&(md, name)| Some((date(md)?, name))),
    );
    if let Some(eve) = date(eve) {
        // Giao thừa and mùng 1–4: the five Tết days of Điều 112.
        statutory.extend(
            (0..5).filter_map(|i| Some((eve.checked_add_days(Days::new(i))?, LUNAR_NEW_YEAR))),
        );
    }
    statutory.sort_by_key(|(d, _)| *d);

    let mut off: BTreeMap<NaiveDate, String> = statutory
        .iter()
        .filter(|(d, _)| is_weekday(*d))
        .map(|(d, name)| (*d, (*name).to_string()))
        .collect();
    for (d, name) in statutory.iter().filter(|(d, _)| !is_weekday(*d)) {
        let mut lieu = *d;
        // Terminates within a couple of weeks: only a handful of days are off.
        while !is_weekday(lieu) || off.contains_key(&lieu) {
            match lieu.succ_opt() {
                Some(next) => lieu = next,
                None => break,
            }
        }
        off.insert(lieu, format!("{name} (nghỉ bù)"));
    }
    off.into_iter()
        .map(|(date, name)| Holiday {
            date,
            kind: DayKind::Off,
            name,
            estimated: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn months(cal: &WorkCalendar, year: i32) -> Vec<u32> {
        (1..=12)
            .map(|m| cal.working_days_in_month(year, m))
            .collect()
    }

    #[test]
    fn reproduces_the_2025_fixture() {
        let cal = WorkCalendar::vietnam();
        assert_eq!(
            months(&cal, 2025),
            [17, 20, 21, 21, 20, 21, 23, 21, 20, 23, 20, 23]
        );
        assert_eq!(cal.working_days_in_year(2025), 250);
    }

    #[test]
    fn reproduces_the_2026_fixture() {
        let cal = WorkCalendar::vietnam();
        assert_eq!(
            months(&cal, 2026),
            [21, 15, 22, 20, 20, 22, 23, 21, 20, 22, 21, 23]
        );
        assert_eq!(cal.working_days_in_year(2026), 250);
    }

    #[test]
    fn counting_agrees_with_day_by_day_checks() {
        let cal = WorkCalendar::vietnam();
        for year in 2024..=2031 {
            let mut slow = 0;
            let mut day = d(year, 1, 1);
            while day.year() == year {
                slow += u32::from(cal.is_working_day(day));
                day = day.succ_opt().expect("next day");
            }
            assert_eq!(cal.working_days_in_year(year), slow, "{year}");
            assert_eq!(months(&cal, year).iter().sum::<u32>(), slow, "{year}");
        }
    }

    #[test]
    fn make_up_saturdays_and_swapped_days() {
        let cal = WorkCalendar::vietnam();
        assert!(cal.is_working_day(d(2026, 1, 10)), "make-up Saturday");
        assert!(!cal.is_working_day(d(2026, 1, 2)), "swapped Friday");
        assert!(!cal.is_working_day(d(2026, 1, 3)), "ordinary Saturday");
        assert!(cal.is_working_day(d(2026, 1, 5)));
        // 24/11/2026 is unconfirmed, so the built-in table keeps it a working day.
        assert!(cal.is_working_day(d(2026, 11, 24)));
    }

    #[test]
    fn add_working_days_across_tet_2026() {
        let cal = WorkCalendar::vietnam();
        // Fri 13/2 → Tết 16–20/2 off → Mon 23/2.
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 1), d(2026, 2, 23));
        assert_eq!(cal.add_working_days(d(2026, 2, 12), 5), d(2026, 2, 26));
        assert_eq!(cal.add_working_days(d(2026, 2, 23), -1), d(2026, 2, 13));
        assert_eq!(cal.add_working_days(d(2026, 2, 26), -5), d(2026, 2, 12));
        // Starting inside the break.
        assert_eq!(cal.add_working_days(d(2026, 2, 18), 1), d(2026, 2, 23));
        assert_eq!(cal.add_working_days(d(2026, 2, 18), -1), d(2026, 2, 13));
    }

    #[test]
    fn add_working_days_across_a_make_up_saturday() {
        let cal = WorkCalendar::vietnam();
        // Wed 31/12/2025 + 1: 1/1 and 2/1 off, weekend → Mon 5/1.
        assert_eq!(cal.add_working_days(d(2025, 12, 31), 1), d(2026, 1, 5));
        // Fri 9/1 + 1 is the make-up Saturday 10/1.
        assert_eq!(cal.add_working_days(d(2026, 1, 9), 1), d(2026, 1, 10));
        assert_eq!(cal.add_working_days(d(2026, 1, 9), 2), d(2026, 1, 12));
        assert_eq!(cal.add_working_days(d(2026, 1, 12), -1), d(2026, 1, 10));
        assert_eq!(cal.add_working_days(d(2026, 1, 2), 0), d(2026, 1, 2));
    }

    #[test]
    fn long_jumps_match_single_steps() {
        let cal = WorkCalendar::vietnam();
        let start = d(2024, 12, 20);
        let mut cur = start;
        for n in 1..=1_600_i64 {
            cur = cal.add_working_days(cur, 1);
            assert_eq!(cal.add_working_days(start, n), cur, "+{n}");
            assert_eq!(cal.add_working_days(cur, -n), start, "-{n}");
            assert_eq!(cal.working_days_between(start, cur), n);
        }
    }

    #[test]
    fn working_days_between_has_a_symmetric_sign() {
        let cal = WorkCalendar::vietnam();
        let (a, b) = (d(2026, 2, 9), d(2026, 2, 25));
        assert_eq!(cal.working_days_between(a, b), 7);
        assert_eq!(cal.working_days_between(b, a), -7);
        assert_eq!(cal.working_days_between(a, a), 0);
        // (Fri, Mon]: only Monday counts.
        assert_eq!(cal.working_days_between(d(2026, 3, 6), d(2026, 3, 9)), 1);
    }

    #[test]
    fn next_working_day_keeps_working_days() {
        let cal = WorkCalendar::vietnam();
        assert_eq!(cal.next_working_day(d(2026, 2, 12)), d(2026, 2, 12));
        assert_eq!(cal.next_working_day(d(2026, 2, 14)), d(2026, 2, 23));
        assert_eq!(cal.next_working_day(d(2026, 1, 10)), d(2026, 1, 10));
        assert_eq!(cal.next_working_day(d(2026, 1, 1)), d(2026, 1, 5));
    }

    #[test]
    fn from_days_reads_an_admin_calendar() {
        let mut days = WorkCalendar::builtin_days();
        days.push(Holiday {
            date: d(2026, 11, 24),
            kind: DayKind::Off,
            name: "Ngày Văn hóa Việt Nam".to_string(),
            estimated: false,
        });
        let cal = WorkCalendar::from_days(&days);
        assert!(!cal.is_working_day(d(2026, 11, 24)));
        assert_eq!(cal.working_days_in_month(2026, 11), 20);
        assert_eq!(cal.working_days_in_year(2026), 249);
        assert_eq!(cal.add_working_days(d(2026, 11, 23), 1), d(2026, 11, 25));
        // The admin may also take a day back: the later row wins.
        days.push(Holiday {
            date: d(2026, 11, 24),
            kind: DayKind::Work,
            name: "Đi làm".to_string(),
            estimated: false,
        });
        assert!(WorkCalendar::from_days(&days).is_working_day(d(2026, 11, 24)));
    }

    #[test]
    fn default_calendar_is_monday_to_friday() {
        let cal = WorkCalendar::default();
        assert!(cal.is_working_day(d(2026, 1, 1)));
        assert!(!cal.is_working_day(d(2026, 1, 10)));
        assert_eq!(cal.working_days_in_year(2026), 261);
    }

    #[test]
    fn builtin_table_is_complete_and_labelled() {
        let days = WorkCalendar::builtin_days();
        let official = days.iter().filter(|h| !h.estimated).count();
        assert_eq!(official, OFFICIAL.len());
        assert!(days.iter().all(|h| h.estimated == (h.date.year() >= 2027)));
        assert!(days.windows(2).all(|w| w[0].date < w[1].date));
        for h in &days {
            match h.kind {
                DayKind::Off => assert!(is_weekday(h.date), "{h:?}"),
                DayKind::Work => assert!(!is_weekday(h.date), "{h:?}"),
            }
        }
        // Eleven statutory days, each on its own weekday, in every estimated year.
        for year in 2027..=2030 {
            assert_eq!(days.iter().filter(|h| h.date.year() == year).count(), 11);
        }
        let json = serde_json::to_value(&days[0]).expect("serialise");
        assert_eq!(json["kind"], "off");
        assert_eq!(json["date"], "2025-01-01");
    }

    #[test]
    fn estimated_years_move_weekend_holidays_forward() {
        let cal = WorkCalendar::vietnam();
        let off = |y, m, day| !cal.is_working_day(d(y, m, day));
        // 2027: Tết giao thừa Fri 5/2, mùng 1–2 on the weekend → Wed 10, Thu 11.
        assert!(off(2027, 2, 5) && off(2027, 2, 8) && off(2027, 2, 9));
        assert!(off(2027, 2, 10) && off(2027, 2, 11) && !off(2027, 2, 12));
        // 1/5/2027 is a Saturday → Mon 3/5.
        assert!(off(2027, 5, 3) && !off(2027, 5, 4));
        // 2028: 1/1 Sat → Mon 3/1; 30/4 Sun, 1/5 Mon → Tue 2/5; 2/9 Sat → Mon 4/9.
        assert!(off(2028, 1, 3) && off(2028, 5, 1) && off(2028, 5, 2));
        assert!(off(2028, 9, 1) && off(2028, 9, 4) && !off(2028, 9, 5));
        // 2028 Tết: Tue 25/1 – Fri 28/1, mùng 4 on Sat 29/1 → Mon 31/1.
        assert!(off(2028, 1, 28) && off(2028, 1, 31) && !off(2028, 2, 1));
        // 2029: 1/9 Sat, 2/9 Sun → Mon 3/9, Tue 4/9.
        assert!(off(2029, 9, 3) && off(2029, 9, 4) && !off(2029, 9, 5));
        // 2030: 1/9 Sun → Tue 3/9 because Mon 2/9 is already off.
        assert!(off(2030, 9, 2) && off(2030, 9, 3) && !off(2030, 9, 4));
        assert!(off(2030, 4, 12) && off(2030, 2, 6) && off(2030, 2, 7));
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let cal = WorkCalendar::vietnam();
        let max = cal.add_working_days(d(2026, 1, 1), i64::MAX);
        assert!(max > d(100_000, 1, 1));
        let min = cal.add_working_days(d(2026, 1, 1), i64::MIN);
        assert!(min < d(-100_000, 1, 1));
        assert_eq!(cal.next_working_day(NaiveDate::MAX), NaiveDate::MAX);
        let _ = cal.next_working_day(NaiveDate::MIN);
        assert!(cal.working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
        assert_eq!(cal.working_days_in_month(2026, 13), 0);
        assert_eq!(cal.working_days_in_month(2026, 0), 0);
        assert_eq!(cal.working_days_in_year(i32::MAX), 0);
        let empty = WorkCalendar::from_days(&[]);
        assert_eq!(empty, WorkCalendar::default());
    }
}
