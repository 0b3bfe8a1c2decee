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
mod tests;
