//! The official list of administrative units after the rearrangement of
//! 1 July 2025: 34 provinces and 3,321 communes, wards and special zones,
//! with the statistics office's codes. Shipped in `data/units/` (see the
//! README there for its source) and compiled in, so `theodoi unit import
//! --official` needs nothing from the network.

use std::collections::{HashMap, HashSet};

use crate::domain::unit::UnitKind;

/// The shipped file: `code,parent_code,type,name`, provinces before their
/// communes.
pub const OFFICIAL_2025_CSV: &str = include_str!("../../data/units/official_2025.csv");

/// The day the list took effect.
pub const OFFICIAL_2025_EFFECTIVE_ON: &str = "2025-07-01";

/// The official type of a unit, as the statistics office names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfficialType {
    /// Tỉnh.
    Province,
    /// Thành phố trực thuộc trung ương.
    City,
    /// Xã.
    Commune,
    /// Phường.
    Ward,
    /// Đặc khu.
    SpecialZone,
}

impl OfficialType {
    pub const ALL: [OfficialType; 5] = [
        OfficialType::Province,
        OfficialType::City,
        OfficialType::Commune,
        OfficialType::Ward,
        OfficialType::SpecialZone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfficialType::Province => "tinh",
            OfficialType::City => "thanh_pho",
            OfficialType::Commune => "xa",
            OfficialType::Ward => "phuong",
            OfficialType::SpecialZone => "dac_khu",
        }
    }

    pub fn parse(s: &str) -> Option<OfficialType> {
        OfficialType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            OfficialType::Province => "Tỉnh",
            OfficialType::City => "Thành phố trực thuộc trung ương",
            OfficialType::Commune => "Xã",
            OfficialType::Ward => "Phường",
            OfficialType::SpecialZone => "Đặc khu",
        }
    }

    /// The level of the tree a unit of this type sits at.
    pub fn unit_kind(self) -> UnitKind {
        match self {
            OfficialType::Province | OfficialType::City => UnitKind::Province,
            OfficialType::Commune | OfficialType::Ward | OfficialType::SpecialZone => {
                UnitKind::Commune
            }
        }
    }
}

/// One line of the official list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialUnit {
    /// Two digits for a province, five for a commune.
    pub code: String,
    /// The province's code, for a commune.
    pub parent_code: Option<String>,
    pub official_type: OfficialType,
    pub name: String,
}

/// Why a list of official units cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficialError {
    #[error("Dòng {line}: {reason}")]
    BadLine { line: usize, reason: String },
}

/// Reads a list in the shipped layout and checks it: codes unique and all
/// digits, each commune under a province listed before it.
pub fn parse_official(csv: &str) -> Result<Vec<OfficialUnit>, OfficialError> {
    let mut units = Vec::new();
    let mut codes = HashSet::new();
    let mut provinces = HashSet::new();
    for (index, raw) in csv.lines().enumerate().skip(1) {
        let line = index + 1;
        let bad = |reason: &str| OfficialError::BadLine {
            line,
            reason: reason.to_string(),
        };
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.splitn(4, ',').collect();
        let [code, parent, kind, name] = fields[..] else {
            return Err(bad("cần 4 cột"));
        };
        let official_type = OfficialType::parse(kind).ok_or_else(|| bad("loại không hợp lệ"))?;
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("mã không hợp lệ"));
        }
        if !codes.insert(code.to_string()) {
            return Err(bad("mã trùng"));
        }
        let parent_code = match official_type.unit_kind() {
            UnitKind::Province if parent.is_empty() => {
                provinces.insert(code.to_string());
                None
            }
            UnitKind::Commune if provinces.contains(parent) => Some(parent.to_string()),
            _ => return Err(bad("đơn vị cấp trên không hợp lệ")),
        };
        let name = crate::domain::text::normalize_spaces(name);
        if name.is_empty() {
            return Err(bad("thiếu tên"));
        }
        units.push(OfficialUnit {
            code: code.to_string(),
            parent_code,
            official_type,
            name,
        });
    }
    Ok(units)
}

/// The shipped list of 2025.
pub fn official_2025() -> Result<Vec<OfficialUnit>, OfficialError> {
    parse_official(OFFICIAL_2025_CSV)
}

/// One province of a list with its communes, or none if the list has no
/// province of that code.
pub fn of_province(units: &[OfficialUnit], code: &str) -> Option<Vec<OfficialUnit>> {
    let picked: Vec<OfficialUnit> = units
        .iter()
        .filter(|u| {
            u.code == code && u.parent_code.is_none() || u.parent_code.as_deref() == Some(code)
        })
        .cloned()
        .collect();
    if picked.iter().any(|u| u.parent_code.is_none()) {
        Some(picked)
    } else {
        None
    }
}

/// How many communes each province code has in a list.
pub fn communes_per_province(units: &[OfficialUnit]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for unit in units {
        if let Some(parent) = &unit.parent_code {
            *counts.entry(parent.clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_has_34_provinces_and_3321_communes() {
        let units = official_2025().expect("shipped list reads");
        let provinces = units.iter().filter(|u| u.parent_code.is_none()).count();
        assert_eq!(provinces, 34);
        assert_eq!(units.len() - provinces, 3321);
        let count = |t: OfficialType| units.iter().filter(|u| u.official_type == t).count();
        assert_eq!(count(OfficialType::Province), 28);
        assert_eq!(count(OfficialType::City), 6);
        assert_eq!(count(OfficialType::Commune), 2621);
        assert_eq!(count(OfficialType::Ward), 687);
        assert_eq!(count(OfficialType::SpecialZone), 13);
        let per = communes_per_province(&units);
        assert_eq!(per["01"], 126);
        assert_eq!(per["79"], 168);
        assert_eq!(per["12"], 38);
    }

    #[test]
    fn a_handful_of_codes_name_the_right_units() {
        let units = official_2025().expect("shipped list reads");
        let by_code = |c: &str| units.iter().find(|u| u.code == c).expect(c);
        assert_eq!(by_code("01").name, "Thành phố Hà Nội");
        assert_eq!(by_code("04").name, "Tỉnh Cao Bằng");
        assert_eq!(by_code("00004").name, "Phường Ba Đình");
        assert_eq!(by_code("00004").parent_code.as_deref(), Some("01"));
        assert_eq!(by_code("00070").name, "Phường Hoàn Kiếm");
        assert_eq!(by_code("79").official_type, OfficialType::City);
        let lai_chau = of_province(&units, "12").expect("Lai Châu");
        assert_eq!(lai_chau.len(), 39);
        assert_eq!(lai_chau[0].code, "12");
        assert_eq!(of_province(&units, "00004"), None);
        assert_eq!(of_province(&units, "99"), None);
    }

    #[test]
    fn a_bad_list_names_its_line() {
        let csv = "code,parent_code,type,name\n01,,tinh,Tỉnh A\n00001,02,xa,Xã B\n";
        assert_eq!(
            parse_official(csv),
            Err(OfficialError::BadLine {
                line: 3,
                reason: "đơn vị cấp trên không hợp lệ".into()
            })
        );
        let dup = "code,parent_code,type,name\n01,,tinh,Tỉnh A\n01,,tinh,Tỉnh B\n";
        assert!(parse_official(dup).is_err());
    }
}
