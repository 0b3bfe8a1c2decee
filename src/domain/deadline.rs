//! Deadlines as the plans write them ("Thời gian thực hiện / hoàn thành"):
//! one type for every form, from `Tháng 7/2025` and `Quý III/2026` through
//! `2025 - 2026` to `Thường xuyên`, `Hàng năm` and
//! `Quý, 6 tháng, 9 tháng, năm`.
//!
//! The verbatim text is always kept, because it is what the plan says and
//! what people recognise; the parsed shape only drives due-date logic. A
//! form we cannot read becomes [`DeadlineKind::Unknown`] instead of an
//! error, so importing a plan never fails on a creative deadline cell.
//!
//! JSON contract (other modules and the API depend on it):
//! `{"text": ..., "kind": ..., "start": "YYYY-MM-DD"|null, "end": "YYYY-MM-DD"|null}`.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::period::{PeriodKind, ReportingPeriod, last_day_of_month};
use crate::domain::text::{fold_vietnamese, normalize_spaces};

/// The shape of a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    Month,
    Quarter,
    HalfYear,
    Year,
    Date,
    Range,
    Ongoing,
    Yearly,
    Periodic,
    Unknown,
}

impl DeadlineKind {
    /// The stable machine name, equal to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Month => "month",
            DeadlineKind::Quarter => "quarter",
            DeadlineKind::HalfYear => "half_year",
            DeadlineKind::Year => "year",
            DeadlineKind::Date => "date",
            DeadlineKind::Range => "range",
            DeadlineKind::Ongoing => "ongoing",
            DeadlineKind::Yearly => "yearly",
            DeadlineKind::Periodic => "periodic",
            DeadlineKind::Unknown => "unknown",
        }
    }

    /// A short Vietnamese name for filters and legends.
    pub fn label_vi(self) -> &'static str {
        match self {
            DeadlineKind::Month => "Tháng",
            DeadlineKind::Quarter => "Quý",
            DeadlineKind::HalfYear => "6 tháng",
            DeadlineKind::Year => "Năm",
            DeadlineKind::Date => "Ngày",
            DeadlineKind::Range => "Giai đoạn",
            DeadlineKind::Ongoing => "Thường xuyên",
            DeadlineKind::Yearly => "Hằng năm",
            DeadlineKind::Periodic => "Định kỳ",
            DeadlineKind::Unknown => "Chưa xác định",
        }
    }

    /// Kinds that are done once, by their end date.
    pub fn is_one_off(self) -> bool {
        matches!(
            self,
            DeadlineKind::Month
                | DeadlineKind::Quarter
                | DeadlineKind::HalfYear
                | DeadlineKind::Year
                | DeadlineKind::Date
                | DeadlineKind::Range
        )
    }
}

impl fmt::Display for DeadlineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed deadline together with its verbatim text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    text: String,
    kind: DeadlineKind,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    /// For `yearly`: the month whose last day is the yearly occurrence.
    yearly_month: Option<u32>,
    /// For `periodic`: the period kinds it lists, sorted and deduplicated.
    periodic: Vec<PeriodKind>,
}

/// Years a plan can plausibly mean; anything else is a typo or not a year.
const MIN_YEAR: u32 = 1900;
const MAX_YEAR: u32 = 2200;

/// Words that carry no date information in front of a deadline
/// ("Trước ngày …", "Trong năm …", "Giai đoạn …", "Hoàn thành trước …").
const FILLERS: &[&str] = &[
    "truoc", "trong", "giai", "doan", "tu", "den", "cham", "nhat", "hoan", "thanh", "vao", "ngay",
    "thoi", "gian", "han", "het", "thuc", "hien", "nhiem", "vu", "trien", "khai",
];

impl Deadline {
    /// Parses a deadline cell. Never fails: an unreadable form keeps its
    /// verbatim text with kind `unknown`.
    pub fn parse(text: &str) -> Deadline {
        let text = normalize_spaces(text);
        let folded = fold_vietnamese(&text);
        let tokens = tokenize(&folded);
        let tokens = trim_trailing_punctuation(&tokens);
        let shape = parse_ongoing(tokens)
            .or_else(|| parse_yearly(tokens))
            .or_else(|| parse_periodic(tokens))
            .or_else(|| parse_span(tokens).map(Shape::OneOff));
        let mut deadline = Deadline {
            text,
            kind: DeadlineKind::Unknown,
            start: None,
            end: None,
            yearly_month: None,
            periodic: Vec::new(),
        };
        match shape {
            Some(Shape::OneOff(span)) => {
                deadline.kind = span.kind;
                deadline.start = Some(span.start);
                deadline.end = Some(span.end);
            }
            Some(Shape::Ongoing) => deadline.kind = DeadlineKind::Ongoing,
            Some(Shape::Yearly { month, first_year }) => {
                deadline.kind = DeadlineKind::Yearly;
                deadline.yearly_month = Some(month);
                deadline.start = first_year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
            }
            Some(Shape::Periodic(kinds)) => {
                deadline.kind = DeadlineKind::Periodic;
                deadline.periodic = kinds;
            }
            None => {}
        }
        deadline
    }

    /// The verbatim input, whitespace-normalised and in NFC.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> DeadlineKind {
        self.kind
    }

    /// First day covered: for one-off kinds the start of the span, for a
    /// yearly deadline with a first year 1 January of that year.
    pub fn start(&self) -> Option<NaiveDate> {
        self.start
    }

    /// Last day covered; only one-off kinds have one.
    pub fn end(&self) -> Option<NaiveDate> {
        self.end
    }

    /// The period kinds a `periodic` deadline lists (empty for other kinds).
    /// `AdHoc` appears when the text also asks for ad-hoc reports; it adds
    /// no scheduled occurrence.
    pub fn periodic_kinds(&self) -> &[PeriodKind] {
        &self.periodic
    }

    /// For `yearly`: the month (1-12) whose last day is due every year.
    pub fn yearly_month(&self) -> Option<u32> {
        self.yearly_month
    }

    /// Whether some occurrence of this deadline falls inside `period`.
    pub fn is_due_in(&self, period: &ReportingPeriod) -> bool {
        self.due_date_in(period).is_some()
    }

    /// The occurrence that falls inside `period`. When several do (a
    /// quarterly deadline seen through a yearly period), the latest one is
    /// returned: by then everything due in the period must be done.
    pub fn due_date_in(&self, period: &ReportingPeriod) -> Option<NaiveDate> {
        let years = period.start().year()..=period.end().year();
        match self.kind {
            kind if kind.is_one_off() => self.end.filter(|d| period.contains(*d)),
            DeadlineKind::Ongoing => Some(period.end()),
            DeadlineKind::Yearly => {
                let month = self.yearly_month?;
                let first_year = self.start.map(|d| d.year());
                years
                    .rev()
                    .filter(|y| first_year.is_none_or(|first| *y >= first))
                    .filter_map(|y| last_day_of_month(y, month))
                    .find(|d| period.contains(*d))
            }
            DeadlineKind::Periodic => self
                .periodic
                .iter()
                .flat_map(|kind| {
                    years
                        .clone()
                        .flat_map(|y| ReportingPeriod::periods_of(*kind, y))
                })
                .map(|p| p.end())
                .filter(|d| period.contains(*d))
                .max(),
            _ => None,
        }
    }

    /// The one date by which a one-off deadline must be met; recurring and
    /// unknown deadlines have none.
    pub fn final_due_date(&self) -> Option<NaiveDate> {
        if self.kind.is_one_off() {
            self.end
        } else {
            None
        }
    }

    /// What to show people: the plan's own words.
    pub fn label_vi(&self) -> String {
        if self.text.is_empty() {
            DeadlineKind::Unknown.label_vi().to_string()
        } else {
            self.text.clone()
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Serialize)]
struct DeadlineJson<'a> {
    text: &'a str,
    kind: DeadlineKind,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

impl Serialize for Deadline {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DeadlineJson {
            text: &self.text,
            kind: self.kind,
            start: self.start,
            end: self.end,
        }
        .serialize(serializer)
    }
}

/// Accepts the JSON object (only `text` is read, the rest is re-derived so
/// stale or hand-edited fields cannot disagree with the text) or a bare
/// string.
#[derive(Deserialize)]
#[serde(untagged)]
enum DeadlineInput {
    Text(String),
    Object { text: String },
}

impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match DeadlineInput::deserialize(deserializer)? {
            DeadlineInput::Text(text) | DeadlineInput::Object { text } => text,
        };
        Ok(Deadline::parse(&text))
    }
}

/// What the parser recognised, before it is flattened into [`Deadline`].
enum Shape {
    OneOff(Span),
    Ongoing,
    Yearly { month: u32, first_year: Option<i32> },
    Periodic(Vec<PeriodKind>),
}

#[derive(Debug, Clone, Copy)]
struct Span {
    kind: DeadlineKind,
    start: NaiveDate,
    end: NaiveDate,
}

/// A token of folded text. Matching on slices of tokens keeps each
/// accepted form readable as one pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    /// Saturates at `u32::MAX` for absurdly long digit runs, which no
    /// range check accepts.
    Num(u32),
    Sym(char),
}

use Tok::{Num, Sym, Word};

fn tokenize(folded: &str) -> Vec<Tok<'_>> {
    let mut tokens = Vec::new();
    let mut chars = folded.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let digit = c.is_ascii_digit();
        if !digit && !c.is_alphabetic() {
            tokens.push(Sym(c));
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            let same_class = if digit {
                next.is_ascii_digit()
            } else {
                next.is_alphabetic() && !next.is_ascii_digit()
            };
            if !same_class {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        let piece = &folded[start..end];
        tokens.push(if digit {
            Num(piece.parse().unwrap_or(u32::MAX))
        } else {
            Word(piece)
        });
    }
    tokens
}

fn trim_trailing_punctuation<'t, 'a>(mut tokens: &'t [Tok<'a>]) -> &'t [Tok<'a>] {
    while let [rest @ .., Sym('.' | ',' | ';' | ':')] = tokens {
        tokens = rest;
    }
    tokens
}

fn strip_fillers<'t, 'a>(mut tokens: &'t [Tok<'a>]) -> &'t [Tok<'a>] {
    while let [Word(w), rest @ ..] = tokens {
        if !FILLERS.contains(w) {
            break;
        }
        tokens = rest;
    }
    tokens
}

fn year(n: u32) -> Option<i32> {
    if (MIN_YEAR..=MAX_YEAR).contains(&n) {
        i32::try_from(n).ok()
    } else {
        None
    }
}

fn month_number(n: u32) -> Option<u32> {
    (1..=12).contains(&n).then_some(n)
}

fn quarter_number(tok: Tok<'_>) -> Option<u32> {
    match tok {
        Num(n @ 1..=4) => Some(n),
        Word("i") => Some(1),
        Word("ii") => Some(2),
        Word("iii") => Some(3),
        Word("iv") => Some(4),
        _ => None,
    }
}

/// `Thường xuyên`, `Liên tục`, optionally both, after filler words such as
/// `Nhiệm vụ` or `Thực hiện`.
fn parse_ongoing(tokens: &[Tok<'_>]) -> Option<Shape> {
    let mut words = Vec::new();
    for tok in strip_fillers(tokens) {
        match tok {
            Word("va") | Sym(',' | '-' | ';') => {}
            Word(w) => words.push(*w),
            _ => return None,
        }
    }
    let known = |pair: &[&str]| matches!(pair, ["thuong", "xuyen"] | ["lien", "tuc"]);
    (!words.is_empty() && words.len() % 2 == 0 && words.chunks(2).all(known))
        .then_some(Shape::Ongoing)
}

/// `Hàng năm`, `Tháng 11 của năm trước`, `Tháng 11 hằng năm`,
/// `Năm 2025 và những năm tiếp theo`, `Từ năm 2026 trở đi`.
fn parse_yearly(tokens: &[Tok<'_>]) -> Option<Shape> {
    let mut tokens = strip_fillers(tokens);
    if let [Word("dinh"), Word("ky"), rest @ ..] = tokens {
        tokens = rest;
    }
    let every_year = |month: u32| {
        Some(Shape::Yearly {
            month: month_number(month)?,
            first_year: None,
        })
    };
    let from_year = |y: u32| {
        Some(Shape::Yearly {
            month: 12,
            first_year: Some(year(y)?),
        })
    };
    match tokens {
        [Word("hang" | "moi"), Word("nam")] => every_year(12),
        [
            Word("thang"),
            Num(m),
            Word("cua"),
            Word("nam"),
            Word("truoc"),
        ]
        | [Word("thang"), Num(m), Word("nam"), Word("truoc")]
        | [
            Word("thang"),
            Num(m),
            Word("hang" | "moi" | "cac"),
            Word("nam"),
        ] => every_year(*m),
        [
            Word("nam"),
            Num(y),
            Word("va"),
            Word("nhung" | "cac"),
            Word("nam"),
            Word("tiep"),
            Word("theo"),
        ]
        | [
            Num(y),
            Word("va"),
            Word("nhung" | "cac"),
            Word("nam"),
            Word("tiep"),
            Word("theo"),
        ]
        | [Word("nam"), Num(y), Word("tro"), Word("di")]
        | [Num(y), Word("tro"), Word("di")] => from_year(*y),
        _ => None,
    }
}

/// A list of report cadences: `Quý, 6 tháng, 9 tháng, năm`, `Hằng quý`,
/// `Định kỳ hằng tháng`, `6 tháng, 1 năm`, possibly followed by reviews
/// (`Sơ kết, tổng kết`) and ad-hoc requests (`Đột xuất khi có yêu cầu`).
fn parse_periodic(tokens: &[Tok<'_>]) -> Option<Shape> {
    let mut kinds = Vec::new();
    let mut items = 0;
    let mut explicit = false;
    for item in tokens.split(|t| matches!(t, Sym(',' | ';') | Word("va"))) {
        let mut item = item;
        if item.is_empty() {
            continue;
        }
        items += 1;
        if let [Word("so" | "tong"), Word("ket"), ..] = item {
            continue;
        }
        if let [Word("dot"), Word("xuat"), ..] = item {
            kinds.push(PeriodKind::AdHoc);
            continue;
        }
        if let [Word("bao"), Word("cao"), rest @ ..] = item {
            item = rest;
        }
        if let [Word("dinh"), Word("ky"), rest @ ..] = item {
            item = rest;
            explicit = true;
        }
        if let [Word("hang" | "moi"), rest @ ..] = item {
            item = rest;
            explicit = true;
        }
        kinds.push(match item {
            [Word("thang")] => PeriodKind::Monthly,
            [Word("quy")] => PeriodKind::Quarterly,
            [Num(6) | Word("sau"), Word("thang")] | [Word("nua"), Word("nam")] => {
                PeriodKind::HalfYearly
            }
            [Num(9) | Word("chin"), Word("thang")] => PeriodKind::NineMonths,
            [Word("nam")] | [Num(1) | Word("mot" | "ca"), Word("nam")] => PeriodKind::Yearly,
            _ => return None,
        });
    }
    kinds.sort();
    kinds.dedup();
    let scheduled: Vec<_> = kinds.iter().filter(|k| **k != PeriodKind::AdHoc).collect();
    // A lone bare word such as "Quý" or "Năm" is too vague to be a cadence.
    if scheduled.is_empty() || (items < 2 && !explicit) {
        return None;
    }
    if scheduled == [&PeriodKind::Yearly] {
        return Some(Shape::Yearly {
            month: 12,
            first_year: None,
        });
    }
    Some(Shape::Periodic(kinds))
}

/// A one-off form, or a range of one-off forms joined by dashes or `đến`.
fn parse_span(tokens: &[Tok<'_>]) -> Option<Span> {
    let tokens = strip_fillers(tokens);
    if let Some(span) = parse_single(tokens) {
        return Some(span);
    }
    // Dates like `30-6-2026` also contain dashes, so every dash is tried as
    // the split point rather than splitting on all of them.
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t, Sym('-') | Word("den")))
        .find_map(|(i, _)| {
            let first = parse_single(strip_fillers(&tokens[..i]))?;
            let rest = parse_span(&tokens[i + 1..])?;
            (first.start <= rest.start && first.end <= rest.end).then_some(Span {
                kind: DeadlineKind::Range,
                start: first.start,
                end: rest.end,
            })
        })
}

fn parse_single(tokens: &[Tok<'_>]) -> Option<Span> {
    match *tokens {
        [Num(y)] | [Word("nam"), Num(y)] => year_span(year(y)?),
        [Num(y), Sym('-'), Num(m), Sym('-'), Num(d)] if year(y).is_some() => {
            date_span(year(y)?, m, d)
        }
        [Num(d), Sym(a), Num(m), Sym(b), Num(y)] if a == b && matches!(a, '/' | '-' | '.') => {
            date_span(year(y)?, m, d)
        }
        [Num(d), Word("thang"), Num(m), Word("nam"), Num(y)]
        | [Num(d), Word("thang"), Num(m), Sym('/'), Num(y)] => date_span(year(y)?, m, d),
        [
            Word("thang" | "t"),
            Num(m),
            Sym('/' | '-') | Word("nam"),
            Num(y),
        ]
        | [Num(m), Sym('/'), Num(y)] => month_span(year(y)?, m),
        [Word("quy" | "q"), q, Sym('/' | '-') | Word("nam"), Num(y)] => {
            let period = ReportingPeriod::quarter(year(y)?, quarter_number(q)?)?;
            Some(period_span(DeadlineKind::Quarter, &period))
        }
        [
            Num(6) | Word("sau"),
            Word("thang"),
            Word(half @ ("dau" | "cuoi")),
            Word("nam"),
            Num(y),
        ]
        | [
            Num(6) | Word("sau"),
            Word("thang"),
            Word(half @ ("dau" | "cuoi")),
            Num(y),
        ] => {
            let period = ReportingPeriod::half_year(year(y)?, if half == "dau" { 1 } else { 2 })?;
            Some(period_span(DeadlineKind::HalfYear, &period))
        }
        _ => None,
    }
}

fn period_span(kind: DeadlineKind, period: &ReportingPeriod) -> Span {
    Span {
        kind,
        start: period.start(),
        end: period.end(),
    }
}

fn year_span(y: i32) -> Option<Span> {
    Some(period_span(DeadlineKind::Year, &ReportingPeriod::year(y)?))
}

fn month_span(y: i32, m: u32) -> Option<Span> {
    let period = ReportingPeriod::month(y, month_number(m)?)?;
    Some(period_span(DeadlineKind::Month, &period))
}

fn date_span(y: i32, m: u32, d: u32) -> Option<Span> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(Span {
        kind: DeadlineKind::Date,
        start: date,
        end: date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn month(y: i32, m: u32) -> ReportingPeriod {
        ReportingPeriod::month(y, m).expect("valid month")
    }

    fn quarter(y: i32, q: u32) -> ReportingPeriod {
        ReportingPeriod::quarter(y, q).expect("valid quarter")
    }

    fn year(y: i32) -> ReportingPeriod {
        ReportingPeriod::year(y).expect("valid year")
    }

    /// Asserts kind, start and end of a parsed deadline.
    fn check(text: &str, kind: DeadlineKind, start: Option<NaiveDate>, end: Option<NaiveDate>) {
        let d = Deadline::parse(text);
        assert_eq!(
            (d.kind(), d.start(), d.end()),
            (kind, start, end),
            "parsing {text:?}"
        );
        assert_eq!(d.text(), normalize_spaces(text));
    }

    fn one_off(text: &str, kind: DeadlineKind, start: NaiveDate, end: NaiveDate) {
        check(text, kind, Some(start), Some(end));
    }

    #[test]
    fn every_deadline_in_the_seed_task_tables_parses() {
        use DeadlineKind::*;
        // 002: "Thời gian thực hiện" column.
        check("Thực hiện thường xuyên", Ongoing, None, None);
        one_off("Tháng 01/2026", Month, date(2026, 1, 1), date(2026, 1, 31));
        let periodic = Deadline::parse(
            "Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu",
        );
        assert_eq!(periodic.kind(), Periodic);
        // 004: "Thời gian hoàn thành" column.
        one_off("2025 - 2026", Range, date(2025, 1, 1), date(2026, 12, 31));
        check("Hàng năm", Yearly, None, None);
        check("Nhiệm vụ thường xuyên", Ongoing, None, None);
        check("Thường xuyên", Ongoing, None, None);
        one_off("Năm 2025", Year, date(2025, 1, 1), date(2025, 12, 31));
        one_off("Năm 2026", Year, date(2026, 1, 1), date(2026, 12, 31));
        check(
            "Năm 2025 và những năm tiếp theo",
            Yearly,
            Some(date(2025, 1, 1)),
            None,
        );
        check("Tháng 11 của năm trước", Yearly, None, None);
        for (text, y, m, last) in [
            ("Tháng 01/2026", 2026, 1, 31),
            ("Tháng 01/2027", 2027, 1, 31),
            ("Tháng 01/2029", 2029, 1, 31),
            ("Tháng 02/2026", 2026, 2, 28),
            ("Tháng 07/2025", 2025, 7, 31),
            ("Tháng 10/2025", 2025, 10, 31),
            ("Tháng 10/2027", 2027, 10, 31),
            ("Tháng 12/2025", 2025, 12, 31),
            ("Tháng 4/2026", 2026, 4, 30),
            ("Tháng 7/2025", 2025, 7, 31),
            ("Tháng 8/2025", 2025, 8, 31),
        ] {
            one_off(text, Month, date(y, m, 1), date(y, m, last));
        }
        // 003: dossier "Thời gian thực hiện" rows.
        one_off("Năm 2026", Year, date(2026, 1, 1), date(2026, 12, 31));
    }

    #[test]
    fn month_forms_parse_to_the_whole_month() {
        for text in [
            "Tháng 7/2025",
            "Tháng 07/2025",
            "tháng 7 năm 2025",
            "07/2025",
            "T7/2025",
            "THÁNG 7-2025",
        ] {
            one_off(
                text,
                DeadlineKind::Month,
                date(2025, 7, 1),
                date(2025, 7, 31),
            );
        }
    }

    #[test]
    fn quarter_forms_parse_to_the_whole_quarter() {
        for text in [
            "Quý III/2026",
            "Quý III năm 2026",
            "Quý 3/2026",
            "quý iii / 2026",
            "Q3/2026",
        ] {
            one_off(
                text,
                DeadlineKind::Quarter,
                date(2026, 7, 1),
                date(2026, 9, 30),
            );
        }
        one_off(
            "quý IV/2025",
            DeadlineKind::Quarter,
            date(2025, 10, 1),
            date(2025, 12, 31),
        );
    }

    #[test]
    fn half_year_forms_parse_to_the_whole_half() {
        for text in ["6 tháng đầu năm 2026", "Sáu tháng đầu năm 2026"] {
            one_off(
                text,
                DeadlineKind::HalfYear,
                date(2026, 1, 1),
                date(2026, 6, 30),
            );
        }
        one_off(
            "6 tháng cuối năm 2026",
            DeadlineKind::HalfYear,
            date(2026, 7, 1),
            date(2026, 12, 31),
        );
    }

    #[test]
    fn year_forms_parse_to_the_whole_year() {
        for text in [
            "Năm 2025",
            "2025",
            "Trong năm 2025",
            "năm 2025",
            "Năm 2025.",
            "Đến hết năm 2025",
        ] {
            one_off(
                text,
                DeadlineKind::Year,
                date(2025, 1, 1),
                date(2025, 12, 31),
            );
        }
    }

    #[test]
    fn date_forms_parse_to_a_single_day() {
        let june_30 = date(2026, 6, 30);
        for text in [
            "trước ngày 30/6/2026",
            "Trước 30/6/2026",
            "30/06/2026",
            "30-6-2026",
            "30.6.2026",
            "ngày 30 tháng 6 năm 2026",
            "Chậm nhất ngày 30/6/2026",
            "2026-06-30",
        ] {
            one_off(text, DeadlineKind::Date, june_30, june_30);
        }
        one_off(
            "ngày 15/01/2026",
            DeadlineKind::Date,
            date(2026, 1, 15),
            date(2026, 1, 15),
        );
    }

    #[test]
    fn range_forms_span_from_first_start_to_last_end() {
        use DeadlineKind::Range;
        for text in [
            "2026-2030",
            "2026 – 2030",
            "Giai đoạn 2026 - 2030",
            "Từ năm 2026 đến năm 2030",
            "2026—2030",
        ] {
            one_off(text, Range, date(2026, 1, 1), date(2030, 12, 31));
        }
        one_off("2025–2030", Range, date(2025, 1, 1), date(2030, 12, 31));
        one_off(
            "Quý IV/2025 - Quý II/2026",
            Range,
            date(2025, 10, 1),
            date(2026, 6, 30),
        );
        one_off(
            "Tháng 7/2025 - Tháng 12/2025",
            Range,
            date(2025, 7, 1),
            date(2025, 12, 31),
        );
        one_off(
            "Từ tháng 7/2025 đến tháng 12/2025",
            Range,
            date(2025, 7, 1),
            date(2025, 12, 31),
        );
        one_off(
            "01/7/2025 - 30-6-2026",
            Range,
            date(2025, 7, 1),
            date(2026, 6, 30),
        );
        one_off(
            "2025 - 2026 - 2027",
            Range,
            date(2025, 1, 1),
            date(2027, 12, 31),
        );
    }

    #[test]
    fn reversed_ranges_are_unknown() {
        check("2030 - 2026", DeadlineKind::Unknown, None, None);
        check(
            "Tháng 12/2025 - Tháng 7/2025",
            DeadlineKind::Unknown,
            None,
            None,
        );
    }

    #[test]
    fn ongoing_forms_parse_without_dates() {
        for text in [
            "Thường xuyên",
            "Nhiệm vụ thường xuyên",
            "Thực hiện thường xuyên",
            "Liên tục",
            "Thường xuyên, liên tục",
            "thuong xuyen",
        ] {
            check(text, DeadlineKind::Ongoing, None, None);
        }
    }

    #[test]
    fn yearly_forms_remember_their_month_and_first_year() {
        for (text, m) in [
            ("Hàng năm", 12),
            ("Hằng năm", 12),
            ("Định kỳ hằng năm", 12),
            ("Tháng 11 của năm trước", 11),
            ("Tháng 11 hằng năm", 11),
        ] {
            let d = Deadline::parse(text);
            assert_eq!(
                (d.kind(), d.yearly_month(), d.start(), d.end()),
                (DeadlineKind::Yearly, Some(m), None, None),
                "{text}"
            );
        }
        let d = Deadline::parse("Năm 2025 và những năm tiếp theo");
        assert_eq!(d.yearly_month(), Some(12));
        assert_eq!(d.start(), Some(date(2025, 1, 1)));
        let d = Deadline::parse("Từ năm 2026 trở đi");
        assert_eq!(
            (d.kind(), d.start()),
            (DeadlineKind::Yearly, Some(date(2026, 1, 1)))
        );
    }

    #[test]
    fn periodic_forms_list_their_period_kinds() {
        use PeriodKind::*;
        for (text, kinds) in [
            (
                "Quý, 6 tháng, 9 tháng, năm",
                vec![Quarterly, HalfYearly, NineMonths, Yearly],
            ),
            (
                "Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu",
                vec![Quarterly, HalfYearly, NineMonths, Yearly, AdHoc],
            ),
            ("Hằng quý", vec![Quarterly]),
            ("Định kỳ hằng tháng", vec![Monthly]),
            ("Hằng tháng", vec![Monthly]),
            ("6 tháng, 1 năm", vec![HalfYearly, Yearly]),
            ("6 tháng và năm", vec![HalfYearly, Yearly]),
        ] {
            let d = Deadline::parse(text);
            assert_eq!(d.kind(), DeadlineKind::Periodic, "{text}");
            assert_eq!(d.periodic_kinds(), kinds.as_slice(), "{text}");
            assert_eq!((d.start(), d.end()), (None, None));
        }
    }

    #[test]
    fn unreadable_forms_keep_their_text_as_unknown() {
        for text in [
            "Theo tiến độ dự án",
            "",
            "Quý",
            "Năm",
            "Tháng 13/2025",
            "31/2/2026",
            "Sơ kết, tổng kết",
            "Đột xuất",
        ] {
            let d = Deadline::parse(text);
            assert_eq!(d.kind(), DeadlineKind::Unknown, "{text:?}");
            assert_eq!(d.text(), text);
            assert_eq!((d.start(), d.end(), d.final_due_date()), (None, None, None));
            assert!(d.periodic_kinds().is_empty());
        }
        assert_eq!(Deadline::parse("").label_vi(), "Chưa xác định");
    }

    #[test]
    fn implausible_years_are_unknown() {
        for text in ["Năm 1899", "Năm 2201", "Tháng 7/9999", "9999999999999"] {
            assert_eq!(
                Deadline::parse(text).kind(),
                DeadlineKind::Unknown,
                "{text}"
            );
        }
    }

    #[test]
    fn text_is_kept_verbatim_apart_from_spacing() {
        let d = Deadline::parse("  Tháng\u{00A0}7/2025 \n");
        assert_eq!(d.text(), "Tháng 7/2025");
        assert_eq!(d.label_vi(), "Tháng 7/2025");
        assert_eq!(d.to_string(), "Tháng 7/2025");
        let decomposed: String =
            unicode_normalization::UnicodeNormalization::nfd("Quý III/2026").collect();
        let d = Deadline::parse(&decomposed);
        assert_eq!(d.text(), "Quý III/2026");
        assert_eq!(d.kind(), DeadlineKind::Quarter);
    }

    #[test]
    fn json_has_exactly_text_kind_start_and_end() {
        let cases = [
            (
                "Tháng 7/2025",
                json!({"text": "Tháng 7/2025", "kind": "month", "start": "2025-07-01", "end": "2025-07-31"}),
            ),
            (
                "Quý III/2026",
                json!({"text": "Quý III/2026", "kind": "quarter", "start": "2026-07-01", "end": "2026-09-30"}),
            ),
            (
                "6 tháng đầu năm 2026",
                json!({"text": "6 tháng đầu năm 2026", "kind": "half_year", "start": "2026-01-01", "end": "2026-06-30"}),
            ),
            (
                "Năm 2025",
                json!({"text": "Năm 2025", "kind": "year", "start": "2025-01-01", "end": "2025-12-31"}),
            ),
            (
                "30/6/2026",
                json!({"text": "30/6/2026", "kind": "date", "start": "2026-06-30", "end": "2026-06-30"}),
            ),
            (
                "2025 - 2026",
                json!({"text": "2025 - 2026", "kind": "range", "start": "2025-01-01", "end": "2026-12-31"}),
            ),
            (
                "Thường xuyên",
                json!({"text": "Thường xuyên", "kind": "ongoing", "start": null, "end": null}),
            ),
            (
                "Hàng năm",
                json!({"text": "Hàng năm", "kind": "yearly", "start": null, "end": null}),
            ),
            (
                "Năm 2025 và những năm tiếp theo",
                json!({"text": "Năm 2025 và những năm tiếp theo", "kind": "yearly", "start": "2025-01-01", "end": null}),
            ),
            (
                "Quý, 6 tháng, 9 tháng, năm",
                json!({"text": "Quý, 6 tháng, 9 tháng, năm", "kind": "periodic", "start": null, "end": null}),
            ),
            (
                "Theo tiến độ dự án",
                json!({"text": "Theo tiến độ dự án", "kind": "unknown", "start": null, "end": null}),
            ),
        ];
        for (text, expected) in cases {
            let d = Deadline::parse(text);
            let value = serde_json::to_value(&d).expect("serialise deadline");
            assert_eq!(value, expected, "{text}");
            let back: Deadline = serde_json::from_value(value).expect("deserialise deadline");
            assert_eq!(back, d);
        }
    }

    #[test]
    fn deserialising_re_derives_fields_from_the_text() {
        let stale = json!({"text": "Quý IV/2025", "kind": "unknown", "start": null, "end": null});
        let d: Deadline = serde_json::from_value(stale).expect("deserialise deadline");
        assert_eq!(d.kind(), DeadlineKind::Quarter);
        let bare: Deadline =
            serde_json::from_value(json!("Thường xuyên")).expect("deserialise string");
        assert_eq!(bare.kind(), DeadlineKind::Ongoing);
        assert!(serde_json::from_value::<Deadline>(json!({"kind": "month"})).is_err());
    }

    #[test]
    fn kind_names_match_their_serde_form() {
        use DeadlineKind::*;
        for kind in [
            Month, Quarter, HalfYear, Year, Date, Range, Ongoing, Yearly, Periodic, Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(kind).expect("serialise kind"),
                json!(kind.as_str())
            );
            assert!(!kind.label_vi().is_empty());
        }
    }

    #[test]
    fn one_off_deadlines_are_due_only_in_the_period_holding_their_end() {
        let d = Deadline::parse("Tháng 7/2025");
        assert_eq!(d.final_due_date(), Some(date(2025, 7, 31)));
        assert_eq!(d.due_date_in(&month(2025, 7)), Some(date(2025, 7, 31)));
        assert!(!d.is_due_in(&month(2025, 6)));
        assert!(d.is_due_in(&quarter(2025, 3)));
        assert!(!d.is_due_in(&quarter(2025, 4)));
        assert_eq!(d.due_date_in(&year(2025)), Some(date(2025, 7, 31)));
        assert!(!d.is_due_in(&year(2026)));

        let q = Deadline::parse("Quý III/2026");
        assert!(!q.is_due_in(&month(2026, 8)));
        assert_eq!(q.due_date_in(&month(2026, 9)), Some(date(2026, 9, 30)));
        assert_eq!(q.due_date_in(&quarter(2026, 3)), Some(date(2026, 9, 30)));

        let h = Deadline::parse("6 tháng đầu năm 2026");
        assert_eq!(h.due_date_in(&month(2026, 6)), Some(date(2026, 6, 30)));
        assert_eq!(h.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
        assert!(!h.is_due_in(&quarter(2026, 1)));

        let y = Deadline::parse("Năm 2025");
        assert!(!y.is_due_in(&month(2025, 11)));
        assert_eq!(y.due_date_in(&month(2025, 12)), Some(date(2025, 12, 31)));
        assert_eq!(y.due_date_in(&year(2025)), Some(date(2025, 12, 31)));

        let day = Deadline::parse("trước ngày 15/01/2026");
        assert_eq!(day.due_date_in(&month(2026, 1)), Some(date(2026, 1, 15)));
        assert_eq!(day.due_date_in(&quarter(2026, 1)), Some(date(2026, 1, 15)));
        assert!(!day.is_due_in(&month(2026, 2)));

        let range = Deadline::parse("2025 - 2026");
        assert!(!range.is_due_in(&year(2025)));
        assert_eq!(range.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
        assert_eq!(
            range.due_date_in(&quarter(2026, 4)),
            Some(date(2026, 12, 31))
        );
        assert!(!range.is_due_in(&month(2026, 11)));
    }

    #[test]
    fn ongoing_deadlines_are_due_at_the_end_of_every_period() {
        let d = Deadline::parse("Thường xuyên");
        assert_eq!(d.final_due_date(), None);
        assert_eq!(d.due_date_in(&month(2026, 2)), Some(date(2026, 2, 28)));
        assert_eq!(d.due_date_in(&quarter(2026, 1)), Some(date(2026, 3, 31)));
        assert_eq!(d.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
        let ad_hoc =
            ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)).expect("valid ad hoc");
        assert_eq!(d.due_date_in(&ad_hoc), Some(date(2026, 3, 20)));
    }

    #[test]
    fn yearly_deadlines_are_due_on_the_last_day_of_their_month_each_year() {
        let every_year = Deadline::parse("Hàng năm");
        assert_eq!(every_year.final_due_date(), None);
        assert!(!every_year.is_due_in(&month(2026, 11)));
        assert_eq!(
            every_year.due_date_in(&month(2026, 12)),
            Some(date(2026, 12, 31))
        );
        assert_eq!(
            every_year.due_date_in(&quarter(2031, 4)),
            Some(date(2031, 12, 31))
        );
        assert_eq!(
            every_year.due_date_in(&year(2020)),
            Some(date(2020, 12, 31))
        );

        let november = Deadline::parse("Tháng 11 của năm trước");
        assert_eq!(
            november.due_date_in(&month(2026, 11)),
            Some(date(2026, 11, 30))
        );
        assert!(!november.is_due_in(&month(2026, 12)));
        assert_eq!(
            november.due_date_in(&quarter(2026, 4)),
            Some(date(2026, 11, 30))
        );
        assert_eq!(november.due_date_in(&year(2027)), Some(date(2027, 11, 30)));

        let from_2025 = Deadline::parse("Năm 2025 và những năm tiếp theo");
        assert!(!from_2025.is_due_in(&year(2024)));
        assert_eq!(from_2025.due_date_in(&year(2025)), Some(date(2025, 12, 31)));
        assert_eq!(
            from_2025.due_date_in(&month(2030, 12)),
            Some(date(2030, 12, 31))
        );
        assert!(!from_2025.is_due_in(&quarter(2030, 3)));
    }

    #[test]
    fn periodic_deadlines_are_due_at_the_end_of_each_listed_period() {
        let d = Deadline::parse(
            "Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu",
        );
        assert_eq!(d.final_due_date(), None);
        assert_eq!(d.due_date_in(&month(2026, 3)), Some(date(2026, 3, 31)));
        assert!(!d.is_due_in(&month(2026, 4)));
        assert_eq!(d.due_date_in(&month(2026, 9)), Some(date(2026, 9, 30)));
        assert_eq!(d.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
        assert_eq!(d.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
        let ad_hoc =
            ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)).expect("valid ad hoc");
        assert!(!d.is_due_in(&ad_hoc));

        let monthly = Deadline::parse("Định kỳ hằng tháng");
        assert_eq!(
            monthly.due_date_in(&month(2026, 2)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            monthly.due_date_in(&quarter(2026, 1)),
            Some(date(2026, 3, 31))
        );

        let half = Deadline::parse("6 tháng, 1 năm");
        assert!(!half.is_due_in(&quarter(2026, 1)));
        assert_eq!(half.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
        assert_eq!(half.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
    }

    #[test]
    fn unknown_deadlines_are_never_due() {
        let d = Deadline::parse("Theo tiến độ dự án");
        for p in [month(2026, 1), quarter(2026, 1), year(2026)] {
            assert!(!d.is_due_in(&p));
            assert_eq!(d.due_date_in(&p), None);
        }
    }

    #[test]
    fn parse_never_panics_on_odd_input() {
        let long = "9".repeat(500);
        let dashes = "- ".repeat(200);
        let weird = [
            "",
            " ",
            "/",
            "-",
            "--",
            "Quý",
            "Quý 0/2026",
            "Quý V/2026",
            "Tháng 13/2025",
            "Tháng 0/2025",
            "31/2/2026",
            "0/0/0",
            "9999999999999",
            "99999999999999999999999/1/1",
            long.as_str(),
            dashes.as_str(),
            "📅 Tháng 7/2025 🎉",
            "🙂",
            "\u{0}",
            "\u{200B}",
            "năm năm năm",
            "Tháng 7/",
            "/2025",
            "2025-",
            "-2025",
            "đến",
            "từ đến",
            "Quý IV/2025 -",
            "ngày tháng năm",
            "Tháng 11 của năm",
            ",,,;;;",
            "6 tháng đầu năm",
            "2026-02-30",
            "1/1/1/1/1",
            "T/2025",
            "Năm 2025 và những năm",
            "١٢/٢٠٢٥",
        ];
        for text in weird {
            let d = Deadline::parse(text);
            let _ = serde_json::to_value(&d).expect("serialise deadline");
            for p in [month(2026, 1), quarter(2026, 1), year(2026)] {
                let _ = d.due_date_in(&p);
            }
        }
        assert_eq!(
            Deadline::parse("📅 Tháng 7/2025 🎉").kind(),
            DeadlineKind::Unknown
        );
    }
}
