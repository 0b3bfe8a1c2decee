//! Reporting periods: the month, quarter, half year, nine months, year or
//! ad-hoc span that a progress report covers.
//!
//! Vietnamese reporting regimes are phrased per period ("báo cáo hằng
//! tháng trước ngày 15", "báo cáo 6 tháng, 9 tháng, năm"), so every report,
//! deadline check and dashboard column is keyed by a [`ReportingPeriod`].
//! The key string (`2026-07`, `2026-Q3`, `2026-H1`, `2026-9M`, `2026`,
//! `2026-03-05..2026-03-20`) is the stable identifier used in URLs, JSON
//! and the database.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The kind of a reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Monthly,
    Quarterly,
    HalfYearly,
    NineMonths,
    Yearly,
    AdHoc,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 6] = [
        PeriodKind::Monthly,
        PeriodKind::Quarterly,
        PeriodKind::HalfYearly,
        PeriodKind::NineMonths,
        PeriodKind::Yearly,
        PeriodKind::AdHoc,
    ];

    /// The stable machine name, equal to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Monthly => "monthly",
            PeriodKind::Quarterly => "quarterly",
            PeriodKind::HalfYearly => "half_yearly",
            PeriodKind::NineMonths => "nine_months",
            PeriodKind::Yearly => "yearly",
            PeriodKind::AdHoc => "ad_hoc",
        }
    }

    /// Inverse of [`PeriodKind::as_str`]; surrounding spaces and case are
    /// forgiven because the value often comes from a query string.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        PeriodKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name shown to users.
    pub fn label_vi(self) -> &'static str {
        match self {
            PeriodKind::Monthly => "Hằng tháng",
            PeriodKind::Quarterly => "Hằng quý",
            PeriodKind::HalfYearly => "6 tháng",
            PeriodKind::NineMonths => "9 tháng",
            PeriodKind::Yearly => "Hằng năm",
            PeriodKind::AdHoc => "Đột xuất",
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One concrete reporting period.
///
/// The dates are computed once at construction so that `start()`/`end()`
/// cannot fail later; field order makes the derived ordering chronological
/// (by start, then end, then kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReportingPeriod {
    start: NaiveDate,
    end: NaiveDate,
    kind: PeriodKind,
    /// Month (1-12), quarter (1-4) or half (1-2) within the year; 0 when the
    /// kind has no index.
    index: u32,
}

/// Years the period keys can represent: four digits keep keys sortable and
/// unambiguous to parse.
const MIN_YEAR: i32 = 1000;
const MAX_YEAR: i32 = 9999;

const ROMAN_QUARTERS: [&str; 4] = ["I", "II", "III", "IV"];

impl ReportingPeriod {
    pub fn month(year: i32, month: u32) -> Option<Self> {
        Self::indexed(PeriodKind::Monthly, year, month, month, month)
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Self> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        Self::indexed(
            PeriodKind::Quarterly,
            year,
            quarter,
            quarter * 3 - 2,
            quarter * 3,
        )
    }

    pub fn half_year(year: i32, half: u32) -> Option<Self> {
        if !(1..=2).contains(&half) {
            return None;
        }
        Self::indexed(PeriodKind::HalfYearly, year, half, half * 6 - 5, half * 6)
    }

    /// The cumulative January–September period ("9 tháng").
    pub fn nine_months(year: i32) -> Option<Self> {
        Self::indexed(PeriodKind::NineMonths, year, 0, 1, 9)
    }

    pub fn year(year: i32) -> Option<Self> {
        Self::indexed(PeriodKind::Yearly, year, 0, 1, 12)
    }

    /// An ad-hoc period covering `start..=end`; `None` if reversed or
    /// outside the representable years.
    pub fn ad_hoc(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        let years = MIN_YEAR..=MAX_YEAR;
        if start > end || !years.contains(&start.year()) || !years.contains(&end.year()) {
            return None;
        }
        Some(ReportingPeriod {
            start,
            end,
            kind: PeriodKind::AdHoc,
            index: 0,
        })
    }

    fn indexed(
        kind: PeriodKind,
        year: i32,
        index: u32,
        first_month: u32,
        last_month: u32,
    ) -> Option<Self> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Some(ReportingPeriod {
            start: NaiveDate::from_ymd_opt(year, first_month, 1)?,
            end: last_day_of_month(year, last_month)?,
            kind,
            index,
        })
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The calendar year of the period (of its start, for ad-hoc periods).
    pub fn year_number(&self) -> i32 {
        self.start.year()
    }

    /// Month (1-12), quarter (1-4) or half (1-2); `None` for kinds that are
    /// a whole span of their own.
    pub fn index(&self) -> Option<u32> {
        (self.index != 0).then_some(self.index)
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The stable identifier, e.g. `2026-07`, `2026-Q3`, `2026-H1`,
    /// `2026-9M`, `2026`, `2026-03-05..2026-03-20`.
    pub fn key(&self) -> String {
        let y = self.year_number();
        match self.kind {
            PeriodKind::Monthly => format!("{y:04}-{:02}", self.index),
            PeriodKind::Quarterly => format!("{y:04}-Q{}", self.index),
            PeriodKind::HalfYearly => format!("{y:04}-H{}", self.index),
            PeriodKind::NineMonths => format!("{y:04}-9M"),
            PeriodKind::Yearly => format!("{y:04}"),
            PeriodKind::AdHoc => format!(
                "{}..{}",
                self.start.format("%Y-%m-%d"),
                self.end.format("%Y-%m-%d")
            ),
        }
    }

    /// Parses a [`ReportingPeriod::key`]; lower-case `q`/`h`/`m` are
    /// accepted since keys are typed into URLs by hand.
    pub fn parse_key(key: &str) -> Option<Self> {
        let key = key.trim();
        if let Some((a, b)) = key.split_once("..") {
            return Self::ad_hoc(parse_iso_date(a)?, parse_iso_date(b)?);
        }
        let (year_part, rest) = match key.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (key, None),
        };
        let year = parse_digits(year_part, 4)?;
        let year = i32::try_from(year).ok()?;
        let Some(rest) = rest else {
            return Self::year(year);
        };
        let upper = rest.to_ascii_uppercase();
        if upper == "9M" {
            Self::nine_months(year)
        } else if let Some(q) = upper.strip_prefix('Q') {
            Self::quarter(year, parse_digits(q, 1)?)
        } else if let Some(h) = upper.strip_prefix('H') {
            Self::half_year(year, parse_digits(h, 1)?)
        } else {
            Self::month(year, parse_digits(rest, 2)?)
        }
    }

    /// The Vietnamese name of the period as written in reports.
    pub fn label_vi(&self) -> String {
        let y = self.year_number();
        match self.kind {
            PeriodKind::Monthly => format!("Tháng {}/{y}", self.index),
            PeriodKind::Quarterly => {
                let roman = self
                    .index
                    .checked_sub(1)
                    .and_then(|i| ROMAN_QUARTERS.get(usize::try_from(i).ok()?))
                    .copied()
                    .unwrap_or("?");
                format!("Quý {roman}/{y}")
            }
            PeriodKind::HalfYearly if self.index == 1 => format!("6 tháng đầu năm {y}"),
            PeriodKind::HalfYearly => format!("6 tháng cuối năm {y}"),
            PeriodKind::NineMonths => format!("9 tháng năm {y}"),
            PeriodKind::Yearly => format!("Năm {y}"),
            PeriodKind::AdHoc => format!(
                "Đột xuất {} - {}",
                self.start.format("%d/%m/%Y"),
                self.end.format("%d/%m/%Y")
            ),
        }
    }

    /// The report due date for this period under a "before day N of the
    /// month" rule: day `day` of the period's last month, clamped to that
    /// month's length (day 31 in September is 30 September). Ad-hoc periods
    /// are due on their end date whatever the day.
    pub fn due_on(&self, day: u32) -> NaiveDate {
        if self.kind == PeriodKind::AdHoc {
            return self.end;
        }
        // `end` is the last day of the last month, so its day is the month length.
        let day = day.clamp(1, self.end.day());
        self.end.with_day(day).unwrap_or(self.end)
    }

    /// Every period of `kind` in `year`, in order; empty for ad hoc, which
    /// has no calendar.
    pub fn periods_of(kind: PeriodKind, year: i32) -> Vec<Self> {
        let count = match kind {
            PeriodKind::Monthly => 12,
            PeriodKind::Quarterly => 4,
            PeriodKind::HalfYearly => 2,
            PeriodKind::NineMonths | PeriodKind::Yearly => 1,
            PeriodKind::AdHoc => 0,
        };
        (1..=count)
            .filter_map(|i| Self::of_kind(kind, year, i))
            .collect()
    }

    /// The period of `kind` that contains `date`; `None` for ad hoc and for
    /// October–December under nine months.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Option<Self> {
        let month = date.month();
        let index = match kind {
            PeriodKind::Monthly => month,
            PeriodKind::Quarterly => (month - 1) / 3 + 1,
            PeriodKind::HalfYearly => (month - 1) / 6 + 1,
            PeriodKind::NineMonths if month > 9 => return None,
            PeriodKind::NineMonths | PeriodKind::Yearly => 1,
            PeriodKind::AdHoc => return None,
        };
        Self::of_kind(kind, date.year(), index)
    }

    /// The period of the same kind just before this one; `None` for ad hoc.
    pub fn previous(&self) -> Option<Self> {
        self.step(-1)
    }

    /// The period of the same kind just after this one; `None` for ad hoc.
    pub fn next(&self) -> Option<Self> {
        self.step(1)
    }

    fn step(&self, delta: i32) -> Option<Self> {
        let per_year = match self.kind {
            PeriodKind::Monthly => 12,
            PeriodKind::Quarterly => 4,
            PeriodKind::HalfYearly => 2,
            PeriodKind::NineMonths | PeriodKind::Yearly => 1,
            PeriodKind::AdHoc => return None,
        };
        let index = i32::try_from(self.index.max(1)).ok()?;
        let linear = self.year_number() * per_year + (index - 1) + delta;
        let year = linear.div_euclid(per_year);
        let index = u32::try_from(linear.rem_euclid(per_year) + 1).ok()?;
        Self::of_kind(self.kind, year, index)
    }

    fn of_kind(kind: PeriodKind, year: i32, index: u32) -> Option<Self> {
        match kind {
            PeriodKind::Monthly => Self::month(year, index),
            PeriodKind::Quarterly => Self::quarter(year, index),
            PeriodKind::HalfYearly => Self::half_year(year, index),
            PeriodKind::NineMonths => Self::nine_months(year),
            PeriodKind::Yearly => Self::year(year),
            PeriodKind::AdHoc => None,
        }
    }
}

impl fmt::Display for ReportingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl Serialize for ReportingPeriod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for ReportingPeriod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        ReportingPeriod::parse_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid reporting period key: {key}")))
    }
}

/// The last day of `month` in `year`.
pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month.checked_add(1)?)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// Parses a run of ASCII digits of at most `max_len` characters; rejects
/// signs and spaces that `str::parse` would otherwise let through or choke on.
fn parse_digits(s: &str, max_len: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let y = parse_digits(parts.next()?, 4)?;
    let m = parse_digits(parts.next()?, 2)?;
    let d = parse_digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn all_kinds_2026() -> Vec<ReportingPeriod> {
        PeriodKind::ALL
            .into_iter()
            .flat_map(|k| ReportingPeriod::periods_of(k, 2026))
            .chain(ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)))
            .collect()
    }

    #[test]
    fn period_kind_names_round_trip_and_match_serde() {
        for kind in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).expect("serialise kind");
            assert_eq!(json, serde_json::json!(kind.as_str()));
        }
        assert_eq!(
            PeriodKind::parse(" Half_Yearly "),
            Some(PeriodKind::HalfYearly)
        );
        assert_eq!(PeriodKind::parse("weekly"), None);
    }

    #[test]
    fn period_kind_labels_are_vietnamese() {
        let labels: Vec<_> = PeriodKind::ALL.iter().map(|k| k.label_vi()).collect();
        assert_eq!(
            labels,
            [
                "Hằng tháng",
                "Hằng quý",
                "6 tháng",
                "9 tháng",
                "Hằng năm",
                "Đột xuất"
            ]
        );
    }

    #[test]
    fn constructors_reject_out_of_range_parts() {
        assert!(ReportingPeriod::month(2026, 0).is_none());
        assert!(ReportingPeriod::month(2026, 13).is_none());
        assert!(ReportingPeriod::quarter(2026, 5).is_none());
        assert!(ReportingPeriod::half_year(2026, 0).is_none());
        assert!(ReportingPeriod::year(99_999).is_none());
        assert!(ReportingPeriod::ad_hoc(date(2026, 3, 20), date(2026, 3, 5)).is_none());
        assert!(ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 5)).is_some());
    }

    #[test]
    fn start_and_end_cover_the_whole_period() {
        let cases = [
            (
                ReportingPeriod::month(2026, 2),
                date(2026, 2, 1),
                date(2026, 2, 28),
            ),
            (
                ReportingPeriod::month(2028, 2),
                date(2028, 2, 1),
                date(2028, 2, 29),
            ),
            (
                ReportingPeriod::quarter(2026, 3),
                date(2026, 7, 1),
                date(2026, 9, 30),
            ),
            (
                ReportingPeriod::half_year(2026, 1),
                date(2026, 1, 1),
                date(2026, 6, 30),
            ),
            (
                ReportingPeriod::half_year(2026, 2),
                date(2026, 7, 1),
                date(2026, 12, 31),
            ),
            (
                ReportingPeriod::nine_months(2026),
                date(2026, 1, 1),
                date(2026, 9, 30),
            ),
            (
                ReportingPeriod::year(2026),
                date(2026, 1, 1),
                date(2026, 12, 31),
            ),
        ];
        for (period, start, end) in cases {
            let period = period.expect("valid period");
            assert_eq!((period.start(), period.end()), (start, end), "{period}");
            assert!(period.contains(start) && period.contains(end));
            assert!(!period.contains(start.pred_opt().expect("day before")));
            assert!(!period.contains(end.succ_opt().expect("day after")));
            assert_eq!(period.year_number(), start.year());
        }
    }

    #[test]
    fn keys_have_the_documented_shapes() {
        let keys: Vec<String> = [
            ReportingPeriod::month(2026, 7),
            ReportingPeriod::quarter(2026, 3),
            ReportingPeriod::half_year(2026, 1),
            ReportingPeriod::nine_months(2026),
            ReportingPeriod::year(2026),
            ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)),
        ]
        .into_iter()
        .map(|p| p.expect("valid period").key())
        .collect();
        assert_eq!(
            keys,
            [
                "2026-07",
                "2026-Q3",
                "2026-H1",
                "2026-9M",
                "2026",
                "2026-03-05..2026-03-20"
            ]
        );
    }

    #[test]
    fn every_key_round_trips_through_parse_key_display_and_serde() {
        for period in all_kinds_2026() {
            let key = period.key();
            assert_eq!(ReportingPeriod::parse_key(&key), Some(period), "{key}");
            assert_eq!(period.to_string(), key);
            let json = serde_json::to_value(period).expect("serialise period");
            assert_eq!(json, serde_json::json!(key));
            let back: ReportingPeriod = serde_json::from_value(json).expect("deserialise period");
            assert_eq!(back, period);
        }
    }

    #[test]
    fn parse_key_rejects_malformed_keys() {
        for bad in [
            "",
            "2026-13",
            "2026-Q0",
            "2026-Q5",
            "2026-H3",
            "26",
            "2026-",
            "-2026",
            "2026-7M",
            "2026-03-20..2026-03-05",
            "2026-02-30..2026-03-01",
            "abcd",
            "+2026",
            "2026-+7",
        ] {
            assert_eq!(ReportingPeriod::parse_key(bad), None, "{bad:?}");
        }
        assert_eq!(
            ReportingPeriod::parse_key("2026-7"),
            ReportingPeriod::month(2026, 7)
        );
        assert_eq!(
            ReportingPeriod::parse_key("2026-q3"),
            ReportingPeriod::quarter(2026, 3)
        );
    }

    #[test]
    fn labels_read_like_vietnamese_reports() {
        let label = |p: Option<ReportingPeriod>| p.expect("valid period").label_vi();
        assert_eq!(label(ReportingPeriod::month(2026, 7)), "Tháng 7/2026");
        assert_eq!(label(ReportingPeriod::quarter(2026, 3)), "Quý III/2026");
        assert_eq!(label(ReportingPeriod::quarter(2026, 4)), "Quý IV/2026");
        assert_eq!(
            label(ReportingPeriod::half_year(2026, 1)),
            "6 tháng đầu năm 2026"
        );
        assert_eq!(
            label(ReportingPeriod::half_year(2026, 2)),
            "6 tháng cuối năm 2026"
        );
        assert_eq!(
            label(ReportingPeriod::nine_months(2026)),
            "9 tháng năm 2026"
        );
        assert_eq!(label(ReportingPeriod::year(2026)), "Năm 2026");
        assert_eq!(
            label(ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20))),
            "Đột xuất 05/03/2026 - 20/03/2026"
        );
    }

    #[test]
    fn due_on_falls_in_the_last_month_of_the_period() {
        let due = |p: Option<ReportingPeriod>, day| p.expect("valid period").due_on(day);
        assert_eq!(due(ReportingPeriod::month(2026, 7), 15), date(2026, 7, 15));
        assert_eq!(
            due(ReportingPeriod::quarter(2026, 3), 15),
            date(2026, 9, 15)
        );
        assert_eq!(
            due(ReportingPeriod::half_year(2026, 1), 15),
            date(2026, 6, 15)
        );
        assert_eq!(
            due(ReportingPeriod::nine_months(2026), 15),
            date(2026, 9, 15)
        );
        assert_eq!(due(ReportingPeriod::year(2026), 15), date(2026, 12, 15));
        let ad_hoc = ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20));
        assert_eq!(due(ad_hoc, 1), date(2026, 3, 20));
    }

    #[test]
    fn due_on_clamps_to_the_length_of_the_month() {
        let feb = ReportingPeriod::month(2026, 2).expect("valid period");
        assert_eq!(feb.due_on(31), date(2026, 2, 28));
        assert_eq!(feb.due_on(0), date(2026, 2, 1));
        let q3 = ReportingPeriod::quarter(2026, 3).expect("valid period");
        assert_eq!(q3.due_on(31), date(2026, 9, 30));
    }

    #[test]
    fn periods_of_lists_every_period_of_a_year_in_order() {
        let count = |k| ReportingPeriod::periods_of(k, 2026).len();
        assert_eq!(count(PeriodKind::Monthly), 12);
        assert_eq!(count(PeriodKind::Quarterly), 4);
        assert_eq!(count(PeriodKind::HalfYearly), 2);
        assert_eq!(count(PeriodKind::NineMonths), 1);
        assert_eq!(count(PeriodKind::Yearly), 1);
        assert_eq!(count(PeriodKind::AdHoc), 0);
        let months = ReportingPeriod::periods_of(PeriodKind::Monthly, 2026);
        assert!(months.windows(2).all(|w| w[0] < w[1]));
        assert!(months.windows(2).all(|w| w[0].next() == Some(w[1])));
    }

    #[test]
    fn containing_finds_the_period_of_a_date() {
        let d = date(2026, 8, 17);
        let key = |k| ReportingPeriod::containing(k, d).map(|p| p.key());
        assert_eq!(key(PeriodKind::Monthly).as_deref(), Some("2026-08"));
        assert_eq!(key(PeriodKind::Quarterly).as_deref(), Some("2026-Q3"));
        assert_eq!(key(PeriodKind::HalfYearly).as_deref(), Some("2026-H2"));
        assert_eq!(key(PeriodKind::NineMonths).as_deref(), Some("2026-9M"));
        assert_eq!(key(PeriodKind::Yearly).as_deref(), Some("2026"));
        assert_eq!(key(PeriodKind::AdHoc), None);
        assert_eq!(
            ReportingPeriod::containing(PeriodKind::NineMonths, date(2026, 10, 1)),
            None
        );
    }

    #[test]
    fn previous_and_next_cross_year_boundaries() {
        let key = |p: Option<ReportingPeriod>| p.map(|p| p.key());
        let jan = ReportingPeriod::month(2026, 1).expect("valid period");
        assert_eq!(key(jan.previous()).as_deref(), Some("2025-12"));
        let q4 = ReportingPeriod::quarter(2026, 4).expect("valid period");
        assert_eq!(key(q4.next()).as_deref(), Some("2027-Q1"));
        let h1 = ReportingPeriod::half_year(2026, 1).expect("valid period");
        assert_eq!(key(h1.previous()).as_deref(), Some("2025-H2"));
        let nine = ReportingPeriod::nine_months(2026).expect("valid period");
        assert_eq!(key(nine.next()).as_deref(), Some("2027-9M"));
        let year = ReportingPeriod::year(2026).expect("valid period");
        assert_eq!(key(year.previous()).as_deref(), Some("2025"));
        let ad_hoc = ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20));
        assert_eq!(ad_hoc.and_then(|p| p.next()), None);
        let last = ReportingPeriod::year(9999).expect("valid period");
        assert_eq!(last.next(), None);
    }

    #[test]
    fn ordering_is_chronological() {
        let mut periods = all_kinds_2026();
        periods.sort();
        assert_eq!(periods[0].key(), "2026-01");
        assert!(periods.windows(2).all(|w| w[0].start() <= w[1].start()));
    }

    #[test]
    fn last_day_of_month_handles_december_and_leap_years() {
        assert_eq!(last_day_of_month(2026, 12), Some(date(2026, 12, 31)));
        assert_eq!(last_day_of_month(2024, 2), Some(date(2024, 2, 29)));
        assert_eq!(last_day_of_month(2026, 13), None);
    }
}
