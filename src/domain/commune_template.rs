//! The usual working units of a commune (xã), ward (phường) or special
//! zone (đặc khu) under the two-level local government in force since
//! 1 July 2025, as the plans name them (DOMAIN.md, "The units of a
//! commune"): the Party committee and its bodies, the People's Council and
//! Committee with their office and two departments, the public service
//! centre, police and military command, the health station, the Fatherland
//! Front and mass organisations, the steering committee and the community
//! digital technology team. Schools and villages differ from one commune to
//! the next and are left to the sheet import.

use super::text::search_key;
use super::unit::{Side, UnitKind};

/// One unit of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateUnit {
    pub kind: UnitKind,
    pub side: Side,
    pub name: String,
    pub aliases: Vec<String>,
}

/// The word for the level in unit names: `xã`, `phường` or `đặc khu`.
pub fn level_word(commune_name: &str) -> &'static str {
    let key = search_key(commune_name);
    if key.starts_with("phuong ") {
        "phường"
    } else if key.starts_with("dac khu ") {
        "đặc khu"
    } else {
        "xã"
    }
}

/// The template for a commune named `commune_name`.
pub fn commune_template(commune_name: &str) -> Vec<TemplateUnit> {
    use Side::{Government as G, Other as O, Party as P};
    use UnitKind::*;
    let x = level_word(commune_name);
    let ward = x == "phường";
    let economy = if ward {
        "Phòng Kinh tế - Hạ tầng - Đô thị"
    } else {
        "Phòng Kinh tế"
    };
    let rows: Vec<(UnitKind, Side, String, Vec<String>)> = vec![
        (
            Office,
            P,
            format!("Đảng ủy {x}"),
            vec![format!("Ban Thường vụ Đảng ủy {x}")],
        ),
        (Office, P, "Văn phòng Đảng ủy".into(), vec![]),
        (Office, P, "Ủy ban Kiểm tra Đảng ủy".into(), vec![]),
        (Office, P, "Ban Xây dựng Đảng".into(), vec![]),
        (
            Office,
            G,
            format!("Hội đồng nhân dân {x}"),
            vec![format!("HĐND {x}")],
        ),
        (
            Office,
            G,
            format!("Ủy ban nhân dân {x}"),
            vec![format!("UBND {x}")],
        ),
        (
            Office,
            G,
            "Văn phòng HĐND và UBND".into(),
            vec!["Văn phòng HĐND-UBND".into()],
        ),
        (
            Department,
            G,
            "Phòng Văn hóa - Xã hội".into(),
            vec!["Phòng VHXH".into()],
        ),
        (Department, G, economy.into(), vec![]),
        (
            Office,
            G,
            "Trung tâm Phục vụ hành chính công".into(),
            vec!["TTPVHCC".into()],
        ),
        (
            Office,
            G,
            "Trung tâm Dịch vụ công ích".into(),
            vec!["Trung tâm cung ứng dịch vụ sự nghiệp công".into()],
        ),
        (PolicePost, G, format!("Công an {x}"), vec![]),
        (Office, G, format!("Ban Chỉ huy quân sự {x}"), vec![]),
        (Other, G, format!("Trạm Y tế {x}"), vec!["Trạm Y tế".into()]),
        (
            MassOrganisation,
            O,
            format!("Ủy ban MTTQ Việt Nam {x}"),
            vec![format!("Ủy ban Mặt trận Tổ quốc Việt Nam {x}")],
        ),
        (MassOrganisation, O, format!("Đoàn Thanh niên {x}"), vec![]),
        (MassOrganisation, O, format!("Hội Phụ nữ {x}"), vec![]),
        (MassOrganisation, O, format!("Hội Nông dân {x}"), vec![]),
        (
            MassOrganisation,
            O,
            format!("Hội Cựu chiến binh {x}"),
            vec![],
        ),
        (
            SteeringCommittee,
            P,
            format!("Ban Chỉ đạo 57 {x}"),
            vec!["Ban Chỉ đạo".into()],
        ),
        (Other, O, "Tổ công nghệ số cộng đồng".into(), vec![]),
    ];
    rows.into_iter()
        .map(|(kind, side, name, aliases)| TemplateUnit {
            kind,
            side,
            name,
            aliases,
        })
        .collect()
}

/// The units of the template the commune does not have yet: one whose
/// name or an alias matches (folded) a child's name or alias is there.
pub fn missing_units(template: Vec<TemplateUnit>, existing: &[Vec<String>]) -> Vec<TemplateUnit> {
    let have: std::collections::HashSet<String> =
        existing.iter().flatten().map(|n| search_key(n)).collect();
    template
        .into_iter()
        .filter(|t| {
            !std::iter::once(&t.name)
                .chain(&t.aliases)
                .any(|n| have.contains(&search_key(n)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ward_gets_its_own_words() {
        let ward = commune_template("Phường Hà Đông");
        assert!(ward.iter().any(|u| u.name == "Công an phường"));
        assert!(
            ward.iter()
                .any(|u| u.name == "Phòng Kinh tế - Hạ tầng - Đô thị")
        );
        let commune = commune_template("Xã Tân Phong");
        assert!(commune.iter().any(|u| u.name == "Công an xã"));
        assert!(commune.iter().any(|u| u.name == "Phòng Kinh tế"));
        assert_eq!(level_word("Đặc khu Côn Đảo"), "đặc khu");
    }

    #[test]
    fn units_already_there_are_skipped_by_name_or_alias() {
        let template = commune_template("Xã Tân Phong");
        let n = template.len();
        let existing = vec![
            vec!["Phòng Văn hoá – Xã hội".to_string()],
            vec!["Công an xã".to_string()],
            vec!["UBND xã".to_string()],
        ];
        let missing = missing_units(template, &existing);
        assert_eq!(missing.len(), n - 3);
        assert!(!missing.iter().any(|u| u.name == "Ủy ban nhân dân xã"));
        assert!(missing_units(missing.clone(), &[]).len() == missing.len());
    }

    #[test]
    fn every_template_unit_may_sit_under_a_commune() {
        for u in commune_template("Xã A") {
            assert!(u.kind.may_sit_under(Some(UnitKind::Commune)), "{}", u.name);
        }
    }
}
