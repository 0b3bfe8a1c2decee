//! Organisation units: one tree from the nation down to each department,
//! village and school of a commune. Every record that belongs to a commune
//! carries the ids of its province and commune, taken from this tree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::external::ExternalId;
use crate::domain::valid::Valid;

/// What a unit is. The first three are the administrative levels; the rest
/// live inside a commune (or, for a province, inside the province).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Nation,
    Province,
    Commune,
    Department,
    Office,
    Village,
    School,
    PolicePost,
    MassOrganisation,
    Enterprise,
    SteeringCommittee,
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 12] = [
        UnitKind::Nation,
        UnitKind::Province,
        UnitKind::Commune,
        UnitKind::Department,
        UnitKind::Office,
        UnitKind::Village,
        UnitKind::School,
        UnitKind::PolicePost,
        UnitKind::MassOrganisation,
        UnitKind::Enterprise,
        UnitKind::SteeringCommittee,
        UnitKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Nation => "nation",
            UnitKind::Province => "province",
            UnitKind::Commune => "commune",
            UnitKind::Department => "department",
            UnitKind::Office => "office",
            UnitKind::Village => "village",
            UnitKind::School => "school",
            UnitKind::PolicePost => "police_post",
            UnitKind::MassOrganisation => "mass_organisation",
            UnitKind::Enterprise => "enterprise",
            UnitKind::SteeringCommittee => "steering_committee",
            UnitKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Nation => "Toàn quốc",
            UnitKind::Province => "Tỉnh/Thành phố",
            UnitKind::Commune => "Xã/Phường",
            UnitKind::Department => "Phòng chuyên môn",
            UnitKind::Office => "Văn phòng/Cơ quan",
            UnitKind::Village => "Thôn/Tổ dân phố",
            UnitKind::School => "Trường học",
            UnitKind::PolicePost => "Công an",
            UnitKind::MassOrganisation => "Mặt trận, đoàn thể",
            UnitKind::Enterprise => "Doanh nghiệp",
            UnitKind::SteeringCommittee => "Ban Chỉ đạo",
            UnitKind::Other => "Khác",
        }
    }

    /// The administrative levels form the spine of the tree; everything
    /// else is a working unit inside a province or commune.
    pub fn is_level(self) -> bool {
        matches!(
            self,
            UnitKind::Nation | UnitKind::Province | UnitKind::Commune
        )
    }

    /// Whether a unit of this kind may sit directly under `parent`.
    pub fn may_sit_under(self, parent: Option<UnitKind>) -> bool {
        match (self, parent) {
            (UnitKind::Nation, None) => true,
            (UnitKind::Province, Some(UnitKind::Nation)) => true,
            (UnitKind::Commune, Some(UnitKind::Province)) => true,
            (UnitKind::Nation | UnitKind::Province | UnitKind::Commune, _) => false,
            (_, Some(UnitKind::Nation)) | (_, None) => false,
            // Working units sit under a province or commune, or under another
            // working unit (a working group under its steering committee).
            (_, Some(_)) => true,
        }
    }
}

/// Which side of the political system a unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Government,
    Party,
    Other,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Government => "government",
            Side::Party => "party",
            Side::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "government" => Some(Side::Government),
            "party" => Some(Side::Party),
            "other" => Some(Side::Other),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Side::Government => "Chính quyền",
            Side::Party => "Đảng",
            Side::Other => "Khác",
        }
    }
}

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub side: Side,
    /// Ids of the ancestors and the unit itself, as `/1/4/9/`, so a subtree
    /// is one prefix match on either engine.
    pub path: String,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    /// The official code of a province or commune (the statistics office's),
    /// unique; none for a unit made by hand.
    #[serde(default)]
    pub code: Option<String>,
    /// The day it was merged into `successor_id`, when it was.
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
    #[serde(default)]
    pub successor_id: Option<i64>,
    /// Its id in another system, if one was given.
    #[serde(default)]
    pub external: Option<ExternalId>,
    pub version: i64,
}

impl Unit {
    pub fn is_within(&self, ancestor_path: &str) -> bool {
        self.path.starts_with(ancestor_path)
    }
}

/// The fields a person supplies to create or change a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitDraft {
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub side: Side,
}

/// A name a unit had until a rename took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormerName {
    pub name: String,
    /// The day the next name took effect: this one was the unit's before it.
    pub until_on: NaiveDate,
}

/// The name a unit had on `date`, from its current name and its former
/// names (in any order).
pub fn name_at<'a>(current: &'a str, former: &'a [FormerName], date: NaiveDate) -> &'a str {
    former
        .iter()
        .filter(|f| f.until_on > date)
        .min_by_key(|f| f.until_on)
        .map(|f| f.name.as_str())
        .unwrap_or(current)
}

/// Checks a rename taking effect on `effective_on`: a new name, not in the
/// future, and after the last rename.
pub fn check_rename(
    current: &str,
    new_name: &str,
    former: &[FormerName],
    effective_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), UnitError> {
    if crate::domain::text::search_key(current) == crate::domain::text::search_key(new_name) {
        return Err(UnitError::SameName);
    }
    if effective_on > today {
        return Err(UnitError::RenameInFuture);
    }
    if former.iter().any(|f| f.until_on >= effective_on) {
        return Err(UnitError::RenameBeforeLast);
    }
    Ok(())
}

/// Why a unit draft cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("Tên đơn vị không được để trống")]
    EmptyName,
    #[error("Tên đơn vị quá dài (tối đa 300 ký tự)")]
    NameTooLong,
    #[error("Loại đơn vị này không thể đặt dưới đơn vị cha đã chọn")]
    WrongParent,
    #[error("Tên mới trùng tên hiện tại của đơn vị")]
    SameName,
    #[error("Ngày hiệu lực của việc đổi tên không được sau hôm nay")]
    RenameInFuture,
    #[error("Ngày hiệu lực phải sau lần đổi tên gần nhất của đơn vị")]
    RenameBeforeLast,
    #[error("Chỉ sáp nhập được xã, phường, đặc khu vào một xã, phường, đặc khu")]
    MergeNotCommunes,
    #[error("Các đơn vị sáp nhập phải cùng tỉnh với đơn vị sau sáp nhập")]
    MergeOtherProvince,
    #[error("Đơn vị đã được sáp nhập hoặc giải thể trước đó")]
    MergeEnded,
    #[error("Hãy chọn ít nhất một đơn vị khác đơn vị sau sáp nhập")]
    MergeNothing,
    #[error("Ngày hiệu lực của việc sáp nhập không được sau hôm nay")]
    MergeInFuture,
}

/// Checks a merge of `sources` into `successor` on `effective_on`: communes
/// of one province, none already ended, the successor not among them.
pub fn check_merge(
    successor: &Unit,
    sources: &[Unit],
    effective_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), UnitError> {
    if effective_on > today {
        return Err(UnitError::MergeInFuture);
    }
    if sources.is_empty() || sources.iter().any(|s| s.id == successor.id) {
        return Err(UnitError::MergeNothing);
    }
    for (i, unit) in sources.iter().chain([successor]).enumerate() {
        if unit.kind != UnitKind::Commune {
            return Err(UnitError::MergeNotCommunes);
        }
        if unit.ended_on.is_some() {
            return Err(UnitError::MergeEnded);
        }
        if unit.province_id != successor.province_id {
            return Err(UnitError::MergeOtherProvince);
        }
        if sources[..i.min(sources.len())]
            .iter()
            .any(|s| s.id == unit.id)
        {
            return Err(UnitError::MergeNothing);
        }
    }
    Ok(())
}

impl UnitDraft {
    /// Cleans the names and checks the draft against its parent's kind.
    pub fn validate(
        mut self,
        parent_kind: Option<UnitKind>,
    ) -> Result<Valid<UnitDraft>, UnitError> {
        self.name = crate::domain::text::normalize_spaces(&self.name);
        if self.name.is_empty() {
            return Err(UnitError::EmptyName);
        }
        if self.name.chars().count() > 300 {
            return Err(UnitError::NameTooLong);
        }
        if !self.kind.may_sit_under(parent_kind) {
            return Err(UnitError::WrongParent);
        }
        let mut aliases: Vec<String> = Vec::new();
        for alias in self
            .aliases
            .iter()
            .map(|a| crate::domain::text::normalize_spaces(a))
        {
            if !alias.is_empty() && !aliases.contains(&alias) && alias != self.name {
                aliases.push(alias);
            }
        }
        self.aliases = aliases;
        Ok(Valid::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_nest_nation_province_commune() {
        assert!(UnitKind::Nation.may_sit_under(None));
        assert!(UnitKind::Province.may_sit_under(Some(UnitKind::Nation)));
        assert!(UnitKind::Commune.may_sit_under(Some(UnitKind::Province)));
        assert!(!UnitKind::Commune.may_sit_under(Some(UnitKind::Nation)));
        assert!(!UnitKind::Province.may_sit_under(Some(UnitKind::Commune)));
    }

    #[test]
    fn working_units_sit_under_a_commune_or_another_unit() {
        assert!(UnitKind::Village.may_sit_under(Some(UnitKind::Commune)));
        assert!(UnitKind::Other.may_sit_under(Some(UnitKind::SteeringCommittee)));
        assert!(!UnitKind::Department.may_sit_under(Some(UnitKind::Nation)));
        assert!(!UnitKind::Department.may_sit_under(None));
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn a_draft_is_cleaned_and_checked() {
        let draft = UnitDraft {
            parent_id: Some(3),
            kind: UnitKind::Department,
            name: "  Phòng Văn hóa -   Xã hội ".into(),
            aliases: vec!["Phòng VHXH".into(), "".into(), "Phòng VHXH".into()],
            side: Side::Government,
        };
        let ok = draft.validate(Some(UnitKind::Commune)).expect("valid");
        assert_eq!(ok.name, "Phòng Văn hóa - Xã hội");
        assert_eq!(ok.aliases, vec!["Phòng VHXH".to_string()]);
    }

    #[test]
    fn a_unit_is_named_as_it_was_on_a_date() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let former = vec![
            FormerName {
                name: "Xã B".into(),
                until_on: d("2026-03-01"),
            },
            FormerName {
                name: "Xã A".into(),
                until_on: d("2025-07-01"),
            },
        ];
        assert_eq!(name_at("Xã C", &former, d("2025-06-30")), "Xã A");
        assert_eq!(name_at("Xã C", &former, d("2025-07-01")), "Xã B");
        assert_eq!(name_at("Xã C", &former, d("2026-02-28")), "Xã B");
        assert_eq!(name_at("Xã C", &former, d("2026-03-01")), "Xã C");
        assert_eq!(name_at("Xã C", &[], d("2020-01-01")), "Xã C");
        let today = d("2026-03-10");
        assert_eq!(
            check_rename("Xã C", "Xã D", &former, d("2026-03-11"), today),
            Err(UnitError::RenameInFuture)
        );
        assert_eq!(
            check_rename("Xã C", "Xã D", &former, d("2026-03-01"), today),
            Err(UnitError::RenameBeforeLast)
        );
        assert_eq!(
            check_rename("Xã C", "xã c", &former, d("2026-03-05"), today),
            Err(UnitError::SameName)
        );
        assert_eq!(
            check_rename("Xã C", "Xã D", &former, d("2026-03-05"), today),
            Ok(())
        );
    }

    #[test]
    fn communes_of_one_province_merge_into_another_once() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let commune = |id: i64, province: i64| Unit {
            id,
            parent_id: Some(province),
            kind: UnitKind::Commune,
            name: format!("Xã {id}"),
            aliases: vec![],
            side: Side::Government,
            path: format!("/1/{province}/{id}/"),
            province_id: Some(province),
            commune_id: Some(id),
            code: None,
            ended_on: None,
            successor_id: None,
            external: None,
            version: 1,
        };
        let today = d("2026-03-10");
        let on = d("2026-03-01");
        let c = commune(5, 2);
        assert_eq!(
            check_merge(&c, &[commune(3, 2), commune(4, 2)], on, today),
            Ok(())
        );
        assert_eq!(
            check_merge(&c, &[commune(3, 2), commune(7, 6)], on, today),
            Err(UnitError::MergeOtherProvince)
        );
        assert_eq!(
            check_merge(&c, &[], on, today),
            Err(UnitError::MergeNothing)
        );
        assert_eq!(
            check_merge(&c, &[commune(5, 2)], on, today),
            Err(UnitError::MergeNothing)
        );
        assert_eq!(
            check_merge(&c, &[commune(3, 2), commune(3, 2)], on, today),
            Err(UnitError::MergeNothing)
        );
        let ended = Unit {
            ended_on: Some(on),
            ..commune(3, 2)
        };
        assert_eq!(
            check_merge(&c, &[ended], on, today),
            Err(UnitError::MergeEnded)
        );
        let department = Unit {
            kind: UnitKind::Department,
            ..commune(3, 2)
        };
        assert_eq!(
            check_merge(&c, &[department], on, today),
            Err(UnitError::MergeNotCommunes)
        );
        assert_eq!(
            check_merge(&c, &[commune(3, 2)], d("2026-03-11"), today),
            Err(UnitError::MergeInFuture)
        );
    }

    #[test]
    fn an_empty_name_is_refused() {
        let draft = UnitDraft {
            parent_id: Some(3),
            kind: UnitKind::Village,
            name: "   ".into(),
            aliases: vec![],
            side: Side::Government,
        };
        assert_eq!(
            draft.validate(Some(UnitKind::Commune)),
            Err(UnitError::EmptyName)
        );
    }
}
