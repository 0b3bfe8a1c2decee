//! A unit's history as events: renamed, merged (A + B → C), split (A → B +
//! C), moved under another parent with its subtree, dissolved with no
//! successor. Each takes effect on a day, today at the latest and not
//! before the unit's last event, and is kept, so a record shows the unit as
//! it was at its own date. Which unit may split, move or dissolve, and
//! when, is decided here; the store writes what these rules allowed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::text::{normalize_spaces, search_key};
use crate::domain::unit::{Unit, UnitKind};

/// What happened to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Rename,
    Merge,
    Split,
    Move,
    Dissolve,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Rename,
        EventKind::Merge,
        EventKind::Split,
        EventKind::Move,
        EventKind::Dissolve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Rename => "rename",
            EventKind::Merge => "merge",
            EventKind::Split => "split",
            EventKind::Move => "move",
            EventKind::Dissolve => "dissolve",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            EventKind::Rename => "Đổi tên",
            EventKind::Merge => "Sáp nhập",
            EventKind::Split => "Chia tách",
            EventKind::Move => "Chuyển",
            EventKind::Dissolve => "Giải thể",
        }
    }
}

/// The part another unit plays in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPart {
    /// A unit merged into the event's unit.
    Source,
    /// A new unit made by splitting the event's unit.
    Successor,
    /// The parent a moved unit left.
    FromParent,
    /// The parent a moved unit went to.
    ToParent,
}

impl LinkPart {
    pub const ALL: [LinkPart; 4] = [
        LinkPart::Source,
        LinkPart::Successor,
        LinkPart::FromParent,
        LinkPart::ToParent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkPart::Source => "source",
            LinkPart::Successor => "successor",
            LinkPart::FromParent => "from_parent",
            LinkPart::ToParent => "to_parent",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPart> {
        LinkPart::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Another unit an event names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventLink {
    pub unit_id: i64,
    pub unit_name: String,
    pub part: LinkPart,
}

/// One event of a unit's history, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnitEvent {
    pub id: i64,
    pub kind: EventKind,
    /// The unit it happened to: the successor of a merge, the unit split,
    /// moved, dissolved or renamed.
    pub unit_id: i64,
    pub unit_name: String,
    pub effective_on: NaiveDate,
    /// For a rename: the name before and (when recorded) after.
    pub name_before: Option<String>,
    pub name_after: Option<String>,
    pub links: Vec<EventLink>,
    pub actor_id: Option<i64>,
    /// When it was recorded (epoch ms).
    pub at: i64,
}

impl UnitEvent {
    /// The names of the linked units playing `part`.
    pub fn linked(&self, part: LinkPart) -> Vec<&str> {
        self.links
            .iter()
            .filter(|l| l.part == part)
            .map(|l| l.unit_name.as_str())
            .collect()
    }

    fn is_linked(&self, unit_id: i64, part: LinkPart) -> bool {
        self.links
            .iter()
            .any(|l| l.unit_id == unit_id && l.part == part)
    }

    /// The event in one Vietnamese sentence, as seen from unit `viewer`.
    pub fn describe_vi(&self, viewer: i64) -> String {
        let list = |part| self.linked(part).join(", ");
        match self.kind {
            EventKind::Rename => match (&self.name_before, &self.name_after) {
                (Some(b), Some(a)) => format!("Đổi tên từ «{b}» thành «{a}»"),
                (Some(b), None) => format!("Đổi tên, trước đó là «{b}»"),
                _ => "Đổi tên".to_string(),
            },
            EventKind::Merge if self.unit_id == viewer => {
                format!("Sáp nhập {} vào đơn vị", list(LinkPart::Source))
            }
            EventKind::Merge => format!("Sáp nhập vào {}", self.unit_name),
            EventKind::Split if self.unit_id == viewer => {
                format!("Chia tách thành {}", list(LinkPart::Successor))
            }
            EventKind::Split => format!("Thành lập do chia tách {}", self.unit_name),
            EventKind::Move if self.unit_id == viewer => format!(
                "Chuyển từ {} sang {}",
                list(LinkPart::FromParent),
                list(LinkPart::ToParent)
            ),
            EventKind::Move if self.is_linked(viewer, LinkPart::ToParent) => format!(
                "{} chuyển đến từ {}",
                self.unit_name,
                list(LinkPart::FromParent)
            ),
            EventKind::Move => format!(
                "{} chuyển sang {}",
                self.unit_name,
                list(LinkPart::ToParent)
            ),
            EventKind::Dissolve => "Giải thể".to_string(),
        }
    }
}

/// A unit a split makes, as a person names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewUnit {
    pub name: String,
    /// An official code, for a commune; unique among units.
    #[serde(default)]
    pub code: Option<String>,
}

/// What still hangs on a unit that would be dissolved, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenWork {
    /// Units beneath it that have not ended.
    pub children: Vec<String>,
    /// Tasks it leads or supports that are not done.
    pub tasks: Vec<String>,
    /// Its reports not yet accepted.
    pub reports: Vec<String>,
}

/// Why a change of a unit's history is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("Ngày hiệu lực không được sau hôm nay")]
    InFuture,
    #[error("Ngày hiệu lực không được trước lần thay đổi gần nhất của đơn vị ({0})")]
    BeforeLast(String),
    #[error("Đơn vị «{0}» đã kết thúc hoạt động (sáp nhập, chia tách hoặc giải thể) trước đó")]
    Ended(String),
    #[error("Không thể chia tách, chuyển hoặc giải thể cấp toàn quốc hoặc tỉnh")]
    TopLevel,
    #[error("Hãy nêu ít nhất hai đơn vị mới khi chia tách")]
    SplitTooFew,
    #[error("Tên đơn vị mới không được để trống và tối đa 300 ký tự")]
    SplitBadName,
    #[error("Hai đơn vị mới trùng tên: «{0}»")]
    SplitSameName(String),
    #[error("Mã đơn vị «{0}» không hợp lệ (tối đa 20 chữ số, chữ cái hoặc dấu gạch ngang)")]
    SplitBadCode(String),
    #[error("Đơn vị đã ở dưới đơn vị cấp trên này")]
    MoveSameParent,
    #[error("Không thể chuyển đơn vị vào chính nó hoặc đơn vị trực thuộc nó")]
    MoveIntoItself,
    #[error("Đơn vị loại «{0}» không thể đặt dưới đơn vị loại «{1}»")]
    MoveWrongParent(&'static str, &'static str),
    #[error("Chưa thể giải thể: {0}")]
    DissolveOpen(String),
}

/// Checks an event's day: today at the latest, not before `last` (the day
/// of the unit's last event, if any).
pub fn check_date(
    effective_on: NaiveDate,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), HistoryError> {
    if effective_on > today {
        return Err(HistoryError::InFuture);
    }
    match last {
        Some(last) if effective_on < last => Err(HistoryError::BeforeLast(
            last.format("%d/%m/%Y").to_string(),
        )),
        _ => Ok(()),
    }
}

/// The unit is a commune or a working unit that has not ended.
fn check_live_below_province(unit: &Unit) -> Result<(), HistoryError> {
    if matches!(unit.kind, UnitKind::Nation | UnitKind::Province) {
        return Err(HistoryError::TopLevel);
    }
    if unit.ended_on.is_some() {
        return Err(HistoryError::Ended(unit.name.clone()));
    }
    Ok(())
}

/// Checks a split of `unit` into `into` and returns the new units cleaned
/// (names' spaces, codes trimmed, an empty code dropped).
pub fn check_split(
    unit: &Unit,
    into: Vec<NewUnit>,
    effective_on: NaiveDate,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<NewUnit>, HistoryError> {
    check_live_below_province(unit)?;
    check_date(effective_on, last, today)?;
    if into.len() < 2 {
        return Err(HistoryError::SplitTooFew);
    }
    let mut out: Vec<NewUnit> = Vec::with_capacity(into.len());
    for new in into {
        let name = normalize_spaces(&new.name);
        if name.is_empty() || name.chars().count() > 300 {
            return Err(HistoryError::SplitBadName);
        }
        if out.iter().any(|o| search_key(&o.name) == search_key(&name)) {
            return Err(HistoryError::SplitSameName(name));
        }
        let code = new
            .code
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(c) = &code {
            let fits = c.len() <= 20 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !fits {
                return Err(HistoryError::SplitBadCode(c.clone()));
            }
        }
        out.push(NewUnit { name, code });
    }
    Ok(out)
}

/// Checks a move of `unit` from under its parent to under `to`.
pub fn check_move(
    unit: &Unit,
    to: &Unit,
    effective_on: NaiveDate,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), HistoryError> {
    check_live_below_province(unit)?;
    check_date(effective_on, last, today)?;
    if to.ended_on.is_some() {
        return Err(HistoryError::Ended(to.name.clone()));
    }
    if unit.parent_id == Some(to.id) {
        return Err(HistoryError::MoveSameParent);
    }
    if to.path.starts_with(&unit.path) {
        return Err(HistoryError::MoveIntoItself);
    }
    if !unit.kind.may_sit_under(Some(to.kind)) {
        return Err(HistoryError::MoveWrongParent(
            unit.kind.label_vi(),
            to.kind.label_vi(),
        ));
    }
    Ok(())
}

/// How many names of each kind a refusal lists before "và N khác".
const NAMED: usize = 5;

fn name_some(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(NAMED).map(|n| format!("«{n}»")).collect();
    match names.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} và {more} khác", shown.join(", ")),
    }
}

/// Checks a dissolution of `unit`: nothing beneath it still running, no
/// task of it still open, no report of it waiting.
pub fn check_dissolve(
    unit: &Unit,
    open: &OpenWork,
    effective_on: NaiveDate,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), HistoryError> {
    check_live_below_province(unit)?;
    check_date(effective_on, last, today)?;
    let mut why = Vec::new();
    if !open.children.is_empty() {
        why.push(format!(
            "còn đơn vị trực thuộc đang hoạt động ({}), hãy chuyển hoặc giải thể trước",
            name_some(&open.children)
        ));
    }
    if !open.tasks.is_empty() {
        why.push(format!(
            "còn nhiệm vụ chưa hoàn thành được giao ({})",
            name_some(&open.tasks)
        ));
    }
    if !open.reports.is_empty() {
        why.push(format!(
            "còn báo cáo chưa được chấp nhận ({})",
            name_some(&open.reports)
        ));
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(HistoryError::DissolveOpen(why.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::unit::Side;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn unit(id: i64, kind: UnitKind, path: &str, parent: i64) -> Unit {
        Unit {
            id,
            parent_id: Some(parent),
            kind,
            name: format!("Đơn vị {id}"),
            aliases: vec![],
            side: Side::Government,
            path: path.into(),
            province_id: Some(2),
            commune_id: None,
            code: None,
            ended_on: None,
            successor_id: None,
            external: None,
            version: 1,
        }
    }

    fn named(names: &[&str]) -> Vec<NewUnit> {
        names
            .iter()
            .map(|n| NewUnit {
                name: n.to_string(),
                code: None,
            })
            .collect()
    }

    #[test]
    fn an_event_is_dated_today_at_the_latest_and_not_before_the_last() {
        let today = d("2026-03-10");
        assert_eq!(check_date(d("2026-03-10"), None, today), Ok(()));
        assert_eq!(
            check_date(d("2026-03-11"), None, today),
            Err(HistoryError::InFuture)
        );
        assert_eq!(
            check_date(d("2026-03-01"), Some(d("2026-03-01")), today),
            Ok(())
        );
        assert_eq!(
            check_date(d("2026-02-28"), Some(d("2026-03-01")), today),
            Err(HistoryError::BeforeLast("01/03/2026".into()))
        );
    }

    #[test]
    fn a_commune_splits_into_two_or_more_named_units() {
        let today = d("2026-03-10");
        let on = d("2026-03-01");
        let a = unit(5, UnitKind::Commune, "/1/2/5/", 2);
        let into = vec![
            NewUnit {
                name: "  Xã  Bắc ".into(),
                code: Some(" 30001 ".into()),
            },
            NewUnit {
                name: "Xã Nam".into(),
                code: Some("".into()),
            },
        ];
        let cleaned = check_split(&a, into, on, None, today).expect("splits");
        assert_eq!(cleaned[0].name, "Xã Bắc");
        assert_eq!(cleaned[0].code.as_deref(), Some("30001"));
        assert_eq!(cleaned[1].code, None);
        assert_eq!(
            check_split(&a, named(&["Xã Bắc"]), on, None, today),
            Err(HistoryError::SplitTooFew)
        );
        assert_eq!(
            check_split(&a, named(&["Xã Hoà", "xã hòa"]), on, None, today),
            Err(HistoryError::SplitSameName("xã hòa".into()))
        );
        assert_eq!(
            check_split(&a, named(&["Xã Bắc", " "]), on, None, today),
            Err(HistoryError::SplitBadName)
        );
        let bad_code = vec![
            NewUnit {
                name: "Xã Bắc".into(),
                code: Some("30 001".into()),
            },
            NewUnit {
                name: "Xã Nam".into(),
                code: None,
            },
        ];
        assert!(matches!(
            check_split(&a, bad_code, on, None, today),
            Err(HistoryError::SplitBadCode(_))
        ));
        let province = unit(2, UnitKind::Province, "/1/2/", 1);
        assert_eq!(
            check_split(&province, named(&["A", "B"]), on, None, today),
            Err(HistoryError::TopLevel)
        );
        let ended = Unit {
            ended_on: Some(on),
            ..a.clone()
        };
        assert!(matches!(
            check_split(&ended, named(&["A", "B"]), on, None, today),
            Err(HistoryError::Ended(_))
        ));
        assert_eq!(
            check_split(&a, named(&["A", "B"]), on, Some(d("2026-03-05")), today),
            Err(HistoryError::BeforeLast("05/03/2026".into()))
        );
    }

    #[test]
    fn a_commune_moves_to_another_province_and_a_village_to_another_commune() {
        let today = d("2026-03-10");
        let on = d("2026-03-01");
        let commune = unit(5, UnitKind::Commune, "/1/2/5/", 2);
        let other_province = unit(3, UnitKind::Province, "/1/3/", 1);
        let own_province = unit(2, UnitKind::Province, "/1/2/", 1);
        assert_eq!(
            check_move(&commune, &other_province, on, None, today),
            Ok(())
        );
        assert_eq!(
            check_move(&commune, &own_province, on, None, today),
            Err(HistoryError::MoveSameParent)
        );
        let other_commune = unit(6, UnitKind::Commune, "/1/2/6/", 2);
        assert!(matches!(
            check_move(&commune, &other_commune, on, None, today),
            Err(HistoryError::MoveWrongParent(_, _))
        ));
        let village = unit(9, UnitKind::Village, "/1/2/5/9/", 5);
        assert_eq!(
            check_move(&village, &other_commune, on, None, today),
            Ok(())
        );
        let hamlet = unit(10, UnitKind::Other, "/1/2/5/9/10/", 9);
        assert_eq!(
            check_move(&village, &hamlet, on, None, today),
            Err(HistoryError::MoveIntoItself)
        );
        let ended = Unit {
            ended_on: Some(on),
            ..other_commune.clone()
        };
        assert!(matches!(
            check_move(&village, &ended, on, None, today),
            Err(HistoryError::Ended(_))
        ));
        assert_eq!(
            check_move(&own_province, &other_province, on, None, today),
            Err(HistoryError::TopLevel)
        );
        assert_eq!(
            check_move(&village, &other_commune, d("2026-03-11"), None, today),
            Err(HistoryError::InFuture)
        );
    }

    #[test]
    fn a_unit_dissolves_only_when_nothing_is_left_open_and_the_refusal_names_it() {
        let today = d("2026-03-10");
        let on = d("2026-03-01");
        let village = unit(9, UnitKind::Village, "/1/2/5/9/", 5);
        assert_eq!(
            check_dissolve(&village, &OpenWork::default(), on, None, today),
            Ok(())
        );
        let open = OpenWork {
            children: vec![],
            tasks: (1..=7).map(|i| format!("Nhiệm vụ {i}")).collect(),
            reports: vec!["Báo cáo tháng 3/2026".into()],
        };
        let Err(HistoryError::DissolveOpen(why)) = check_dissolve(&village, &open, on, None, today)
        else {
            panic!("refused");
        };
        assert!(why.contains("«Nhiệm vụ 1»"), "{why}");
        assert!(why.contains("và 2 khác"), "{why}");
        assert!(why.contains("«Báo cáo tháng 3/2026»"), "{why}");
        let with_children = OpenWork {
            children: vec!["Thôn Đông".into()],
            ..OpenWork::default()
        };
        assert!(check_dissolve(&village, &with_children, on, None, today).is_err());
        let nation = Unit {
            parent_id: None,
            ..unit(1, UnitKind::Nation, "/1/", 0)
        };
        assert_eq!(
            check_dissolve(&nation, &OpenWork::default(), on, None, today),
            Err(HistoryError::TopLevel)
        );
    }

    #[test]
    fn events_read_as_sentences_from_either_side() {
        let event = UnitEvent {
            id: 1,
            kind: EventKind::Split,
            unit_id: 5,
            unit_name: "Xã Cũ".into(),
            effective_on: d("2026-03-01"),
            name_before: None,
            name_after: None,
            links: vec![
                EventLink {
                    unit_id: 7,
                    unit_name: "Xã Bắc".into(),
                    part: LinkPart::Successor,
                },
                EventLink {
                    unit_id: 8,
                    unit_name: "Xã Nam".into(),
                    part: LinkPart::Successor,
                },
            ],
            actor_id: None,
            at: 0,
        };
        assert_eq!(event.describe_vi(5), "Chia tách thành Xã Bắc, Xã Nam");
        assert_eq!(event.describe_vi(7), "Thành lập do chia tách Xã Cũ");
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        for part in LinkPart::ALL {
            assert_eq!(LinkPart::parse(part.as_str()), Some(part));
        }
    }
}
