//! The former communes of the 2025 rearrangement: the ~10,000 communes,
//! wards and townships in force until 30 June 2025, each with the new
//! commune (or communes) it went to. Shipped in `data/units/` (see the
//! README there for its source) and compiled in; `theodoi unit import
//! --official --former` loads them as ended units, predecessors of the new
//! communes, so records from before the merger have a unit to belong to.

use std::collections::{BTreeMap, HashMap};

use crate::domain::official::{OfficialError, OfficialUnit};

/// The shipped file: `code,type,name,district,province_code,new_code,successor`,
/// one row per (former commune, new commune) pair.
pub const FORMER_2025_CSV: &str = include_str!("../../data/units/former_2025.csv");

/// The day the former communes ended.
pub const FORMER_2025_ENDED_ON: &str = "2025-07-01";

/// Former communes are keyed by their own code behind this prefix, so they
/// never meet a current five-digit code (many new communes kept the code of
/// one of their predecessors).
pub const FORMER_CODE_PREFIX: &str = "cu-";

/// One former commune and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerUnit {
    /// The statistics office's code it had (five digits).
    pub code: String,
    /// `xa`, `phuong` or `thi_tran`.
    pub former_type: String,
    pub name: String,
    /// The district it belonged to (the level that was dropped).
    pub district: String,
    /// The code of the province it belonged to before the merger.
    pub former_province_code: String,
    /// The new commune that took most of it.
    pub successor_code: String,
    /// The other new communes that took part of it.
    pub also_to: Vec<String>,
}

impl FormerUnit {
    /// The code it is stored under.
    pub fn stored_code(&self) -> String {
        format!("{FORMER_CODE_PREFIX}{}", self.code)
    }
}

/// Reads the list in the shipped layout: rows of one former commune
/// together or not, exactly one successor each.
pub fn parse_former(csv: &str) -> Result<Vec<FormerUnit>, OfficialError> {
    let mut by_code: BTreeMap<String, FormerUnit> = BTreeMap::new();
    let mut order = Vec::new();
    for (index, raw) in csv.lines().enumerate().skip(1) {
        let line = index + 1;
        let bad = |reason: &str| OfficialError::BadLine {
            line,
            reason: reason.to_string(),
        };
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split(',').collect();
        let [code, kind, name, district, province, new_code, successor] = fields[..] else {
            return Err(bad("cần 7 cột"));
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(code) || !digits(province) || !digits(new_code) {
            return Err(bad("mã không hợp lệ"));
        }
        if !matches!(kind, "xa" | "phuong" | "thi_tran") {
            return Err(bad("loại không hợp lệ"));
        }
        let is_successor = match successor {
            "1" => true,
            "0" => false,
            _ => return Err(bad("cột successor phải là 0 hoặc 1")),
        };
        let entry = by_code.entry(code.to_string()).or_insert_with(|| {
            order.push(code.to_string());
            FormerUnit {
                code: code.to_string(),
                former_type: kind.to_string(),
                name: crate::domain::text::normalize_spaces(name),
                district: district.to_string(),
                former_province_code: province.to_string(),
                successor_code: String::new(),
                also_to: Vec::new(),
            }
        });
        if is_successor {
            if !entry.successor_code.is_empty() {
                return Err(bad("xã cũ có hai xã kế thừa chính"));
            }
            entry.successor_code = new_code.to_string();
        } else {
            entry.also_to.push(new_code.to_string());
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for code in order {
        let unit = by_code
            .remove(&code)
            .ok_or_else(|| OfficialError::BadLine {
                line: 0,
                reason: format!("mã {code}"),
            })?;
        if unit.successor_code.is_empty() {
            return Err(OfficialError::BadLine {
                line: 0,
                reason: format!("xã cũ mã {code} không có xã kế thừa chính"),
            });
        }
        out.push(unit);
    }
    Ok(out)
}

/// The shipped list.
pub fn former_2025() -> Result<Vec<FormerUnit>, OfficialError> {
    parse_former(FORMER_2025_CSV)
}

/// The province (code, in the current list) of each current commune code.
fn province_of(official: &[OfficialUnit]) -> HashMap<&str, &str> {
    official
        .iter()
        .filter_map(|u| Some((u.code.as_str(), u.parent_code.as_deref()?)))
        .collect()
}

/// The former communes whose successor lies in province `code` today.
pub fn of_province(
    formers: &[FormerUnit],
    official: &[OfficialUnit],
    code: &str,
) -> Vec<FormerUnit> {
    let provinces = province_of(official);
    formers
        .iter()
        .filter(|f| provinces.get(f.successor_code.as_str()) == Some(&code))
        .cloned()
        .collect()
}

/// How many former communes each current province took (by successor).
pub fn per_province(formers: &[FormerUnit], official: &[OfficialUnit]) -> HashMap<String, usize> {
    let provinces = province_of(official);
    let mut counts = HashMap::new();
    for f in formers {
        if let Some(p) = provinces.get(f.successor_code.as_str()) {
            *counts.entry(p.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::official::official_2025;

    /// Former communes per current province, as data/units/README.md
    /// lists them.
    const PER_PROVINCE: [(&str, usize); 34] = [
        ("01", 526),
        ("04", 161),
        ("08", 330),
        ("11", 129),
        ("12", 106),
        ("14", 200),
        ("15", 319),
        ("19", 280),
        ("20", 194),
        ("22", 171),
        ("24", 313),
        ("25", 479),
        ("31", 374),
        ("33", 381),
        ("37", 398),
        ("38", 547),
        ("40", 412),
        ("42", 209),
        ("44", 264),
        ("46", 133),
        ("48", 280),
        ("51", 272),
        ("52", 373),
        ("56", 194),
        ("66", 286),
        ("68", 329),
        ("75", 270),
        ("79", 441),
        ("80", 280),
        ("82", 305),
        ("86", 354),
        ("91", 298),
        ("92", 263),
        ("96", 164),
    ];

    #[test]
    fn the_shipped_list_has_10035_former_communes_each_with_a_current_successor() {
        let formers = former_2025().expect("shipped list reads");
        let official = official_2025().expect("official list reads");
        assert_eq!(formers.len(), 10_035);
        let count = |t: &str| formers.iter().filter(|f| f.former_type == t).count();
        assert_eq!(count("xa"), 7_695);
        assert_eq!(count("phuong"), 1_724);
        assert_eq!(count("thi_tran"), 616);
        assert_eq!(
            formers.iter().filter(|f| !f.also_to.is_empty()).count(),
            471
        );
        let pairs: usize = formers.iter().map(|f| 1 + f.also_to.len()).sum();
        assert_eq!(pairs, 10_597);
        let current = province_of(&official);
        for f in &formers {
            assert!(current.contains_key(f.successor_code.as_str()), "{f:?}");
            for other in &f.also_to {
                assert!(current.contains_key(other.as_str()), "{f:?}");
            }
        }
        let per = per_province(&formers, &official);
        for (code, n) in PER_PROVINCE {
            assert_eq!(per.get(code), Some(&n), "province {code}");
        }
        assert_eq!(per.values().sum::<usize>(), 10_035);
    }

    #[test]
    fn a_handful_of_former_communes_went_where_the_list_says() {
        let formers = former_2025().expect("shipped list reads");
        let by_code = |c: &str| formers.iter().find(|f| f.code == c).expect(c);
        let phuc_xa = by_code("00001");
        assert_eq!(phuc_xa.name, "Phường Phúc Xá");
        assert_eq!(phuc_xa.district, "Quận Ba Đình");
        assert_eq!(phuc_xa.former_province_code, "01");
        assert_eq!(phuc_xa.successor_code, "00097");
        assert_eq!(phuc_xa.stored_code(), "cu-00001");
        assert_eq!(by_code("00004").successor_code, "00004");
        let official = official_2025().expect("official");
        let lai_chau = of_province(&formers, &official, "12");
        assert_eq!(lai_chau.len(), 106);
        assert!(of_province(&formers, &official, "99").is_empty());
    }

    #[test]
    fn a_bad_list_is_refused() {
        let head = "code,type,name,district,province_code,new_code,successor\n";
        let two =
            format!("{head}00001,xa,Xã A,Huyện B,01,00097,1\n00001,xa,Xã A,Huyện B,01,00098,1\n");
        assert!(parse_former(&two).is_err());
        let none = format!("{head}00001,xa,Xã A,Huyện B,01,00097,0\n");
        assert!(parse_former(&none).is_err());
        let kind = format!("{head}00001,huyen,Xã A,Huyện B,01,00097,1\n");
        assert!(parse_former(&kind).is_err());
        let split =
            format!("{head}00001,xa,Xã A,Huyện B,01,00097,1\n00001,xa,Xã A,Huyện B,01,00098,0\n");
        let parsed = parse_former(&split).expect("reads");
        assert_eq!(parsed[0].also_to, vec!["00098".to_string()]);
    }
}
