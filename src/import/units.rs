//! Unit lists ("Cơ quan chủ trì", "Cơ quan phối hợp") split into unit
//! names, and unit mentions resolved against the commune's unit directory.
//!
//! A comma cannot always split: "Các cơ quan chuyên trách tham mưu, giúp
//! việc Đảng ủy" is one name. So a comma splits only where the next piece
//! starts like a new unit name.

use std::collections::HashMap;

use serde::Serialize;

use super::model::ParsedPlan;
use crate::domain::text::fold_vietnamese;

/// Words that begin a unit name. Matching is case-sensitive on purpose:
/// lower-case "đảng bộ" after a comma continues the previous name
/// ("các chi bộ, đảng bộ trực thuộc"), while "Đảng ủy" starts a new one.
///
/// Province plans list departments and central agencies ("Sở Khoa học và
/// Công nghệ, Sở Tư pháp"), hence the province-level words. A word belongs
/// here only if it never continues a name after a comma: "Sở Văn hóa, Thể
/// thao và Du lịch" stays whole because "Thể thao" is not listed.
const UNIT_STARTS: &[&str] = &[
    "Sở",
    "Bộ",
    "Cục",
    "Chi cục",
    "Tổng cục",
    "Viện",
    "Bệnh viện",
    "Kho bạc",
    "Ngân hàng",
    "Bảo hiểm xã hội",
    "Bảo hiểm Xã hội",
    "BHXH",
    "Điện lực",
    "Công ty",
    "Tổng công ty",
    "Tập đoàn",
    "Chi nhánh",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Tỉnh đoàn",
    "Liên đoàn",
    "Thanh tra",
    "Tòa án",
    "Toà án",
    "Đài",
    "UBMTTQ",
    "MobiFone",
    "Mobifone",
    "VinaPhone",
    "Vinaphone",
    "Phòng",
    "phòng",
    "Văn phòng",
    "Ban",
    "Trung tâm",
    "Công an",
    "UBND",
    "Ủy ban",
    "Uỷ ban",
    "HĐND",
    "Hội",
    "Đoàn",
    "Trạm",
    "Trường",
    "trường",
    "Các",
    "các",
    "Đảng ủy",
    "Đảng uỷ",
    "Chi bộ",
    "Tổ",
    "Bộ phận",
    "Cơ quan",
    "Thôn",
    "Xóm",
    "Mặt trận",
    "MTTQ",
    "Chủ tịch",
    "Doanh nghiệp",
    "Cán bộ",
    "Công chức",
    "Viettel",
    "VNPT",
    "Bưu điện",
    "Hợp tác xã",
];

/// Splits a unit cell into names. Semicolons, line breaks, leading "- "
/// bullets and ". - " always split; a comma splits only before a unit word.
pub fn split_units(cell: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let normalised = cell.replace(". - ", "\n").replace(".- ", "\n");
    for line in normalised.split(['\n', ';']) {
        let line = line.trim();
        let line = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("+ "))
            .or_else(|| line.strip_prefix("• "))
            .unwrap_or(line);
        let mut current = String::new();
        for part in line.split(',') {
            let part_trim = part.trim();
            if !current.is_empty() && starts_with_unit_word(part_trim) {
                pieces.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(',');
            }
            current.push_str(part);
        }
        pieces.push(current);
    }
    pieces
        .into_iter()
        .flat_map(|p| split_glued_units(&p))
        .map(|p| tidy_name(&p))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Head words that begin a new unit even without a separator ("Sở Tài
/// chính Sở Nội vụ"). "Đảng ủy" is not one: it ends many names ("Văn phòng
/// Đảng ủy", "Ủy ban Kiểm tra Đảng ủy").
const GLUED_STARTS: &[&str] = &[
    "Các",
    "Sở",
    "Ban",
    "Ủy ban",
    "Uỷ ban",
    "UBND",
    "Công an",
    "Văn phòng",
    "Trung tâm",
    "Phòng",
    "Hội",
    "Đoàn",
    "Báo",
    "Trạm",
    "Trường",
    "Bộ Chỉ huy",
    "Ban Chỉ huy",
];

/// Words after which a head word continues the same name ("Văn phòng HĐND
/// và UBND xã", "Ủy ban Mặt trận Tổ quốc").
const JOINERS: &[&str] = &["và", "&", "-", "–", "của", "thuộc", "các", "với"];

/// "Phòng Văn hóa – Xã hội Các phòng ban chuyên môn", "Sở Tài chính Sở Nội
/// vụ": a head word inside a piece starts a second unit whose separator was
/// lost, when the name before it is complete (its head and at least one
/// more word) and no joining word stands between.
fn split_glued_units(piece: &str) -> Vec<String> {
    let words: Vec<&str> = piece.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut start = 0;
    let mut i = 1;
    while i < words.len() {
        let rest = words[i..].join(" ");
        let head = GLUED_STARTS.iter().find(|w| {
            rest.strip_prefix(**w)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        });
        let left = words[start..i].join(" ");
        let head_words = UNIT_STARTS
            .iter()
            .filter(|w| left.starts_with(**w))
            .map(|w| w.split(' ').count())
            .max();
        let complete = head_words.is_some_and(|h| i - start > h);
        let joined = JOINERS.contains(&words[i - 1]);
        // A head alone at the end ("… Ban") names nothing new.
        let has_name = head.is_some_and(|h| rest.len() > h.len());
        if let (Some(_), true, false, true) = (head, complete, joined, has_name) {
            out.push(words[start..i].join(" "));
            start = i;
        }
        i += 1;
    }
    out.push(words[start..].join(" "));
    out
}

/// A lead cell read as units and the role words around them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadCell {
    pub lead: Vec<String>,
    /// Units of the later clauses of a sentence ("…; các phòng thực hiện").
    pub support: Vec<String>,
    /// The role words, kept so nothing written is lost.
    pub note: Option<String>,
}

/// Role words that end the unit part of a clause.
const ROLE_WORDS: &[&str] = &[
    "chủ trì",
    "thực hiện",
    "phối hợp",
    "thúc đẩy",
    "theo dõi",
    "hướng dẫn",
    "đôn đốc",
    "báo cáo",
    "tổng hợp",
    "triển khai",
    "kiểm tra",
    "giám sát",
    "tổ chức",
];

/// Where the role words of a clause start: a lower-case role word after
/// the unit, not followed by a capitalised name ("Ban Chỉ đạo thực hiện
/// Nghị quyết 57" is a name).
fn role_start(clause: &str) -> Option<usize> {
    ROLE_WORDS
        .iter()
        .filter_map(|w| {
            let pos = clause.find(&format!(" {w}"))? + 1;
            let after = clause[pos + w.len()..].trim_start_matches([',', ' ']);
            let names_something = after.starts_with(char::is_uppercase);
            let word_end = clause[pos + w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            (word_end && !names_something).then_some(pos)
        })
        .min()
}

/// "Sở Nội vụ chủ trì hướng dẫn, đôn đốc; các phòng, ban, UBND cấp xã thực
/// hiện" → lead Sở Nội vụ, support the rest, the role words as a note. A
/// cell without role words is a plain unit list.
pub fn split_lead_cell(cell: &str) -> LeadCell {
    let clauses: Vec<&str> = cell
        .split([';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    // A plain list whose last units carry a role ("…; các chi bộ định kỳ
    // báo cáo") names leads all along; only a cell that opens with a role
    // sentence ("Sở Nội vụ chủ trì …") is read as one.
    if clauses.first().is_none_or(|c| role_start(c).is_none()) {
        return LeadCell {
            lead: split_units(cell),
            ..LeadCell::default()
        };
    }
    let mut out = LeadCell::default();
    let mut roles: Vec<&str> = Vec::new();
    for clause in clauses {
        let (units, role) = match role_start(clause) {
            Some(pos) => (&clause[..pos], Some(clause[pos..].trim())),
            None => (clause, None),
        };
        let units = split_units(units);
        let leads = out.lead.is_empty() || role.is_some_and(|r| r.starts_with("chủ trì"));
        if leads {
            out.lead.extend(units);
        } else {
            out.support.extend(units);
        }
        roles.extend(role);
    }
    out.note = (!roles.is_empty()).then(|| roles.join("; "));
    out
}

fn starts_with_unit_word(s: &str) -> bool {
    UNIT_STARTS.iter().any(|w| {
        s.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '-', '–']))
    })
}

/// Whether a name a plan gives as a lead or support unit reads as a unit's
/// name, rather than a fragment of a sentence the reader cut out: a name
/// starts with a capital letter (or a unit word such as "các phòng"), is
/// at most twelve words, and holds no clause marks (`:`, `;`) nor a verb
/// of instruction.
pub fn looks_like_unit_name(name: &str) -> bool {
    let t = name.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    let Some(first) = t.chars().next() else {
        return false;
    };
    let lower = t.to_lowercase();
    let starts_well = first.is_uppercase()
        || starts_with_unit_word(t)
        || ["các ", "phòng ", "ban ", "ủy ban ", "uỷ ban "]
            .iter()
            .any(|w| lower.starts_with(w));
    let clause = t.contains([':', ';', '?', '!'])
        || [
            " để ",
            " nhằm ",
            " thực hiện ",
            " triển khai ",
            " đảm bảo ",
            " bảo đảm ",
        ]
        .iter()
        .any(|v| format!(" {lower} ").contains(v));
    starts_well && !clause && (1..=12).contains(&words.len())
}

/// Trims spaces, bullets and the trailing full stop of a name.
fn tidy_name(s: &str) -> String {
    let t = s.trim().trim_start_matches(['-', '+', '•']).trim();
    let t = t.trim_end_matches(['.', ',', ';']).trim();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A unit of the commune as the directory knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitEntry {
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
}

/// Each distinct unit mention of a plan, in document order, with the
/// directory id it matched (or `None`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Resolution {
    pub mentions: Vec<(String, Option<i64>)>,
}

impl Resolution {
    /// The id a mention resolved to, if any.
    pub fn get(&self, mention: &str) -> Option<i64> {
        self.mentions
            .iter()
            .find(|(m, _)| m == mention)
            .and_then(|(_, id)| *id)
    }

    /// Mentions that matched no unit, distinct, in document order.
    pub fn unresolved(&self) -> Vec<String> {
        self.mentions
            .iter()
            .filter(|(_, id)| id.is_none())
            .map(|(m, _)| m.clone())
            .collect()
    }
}

/// Resolves every lead/support mention of tasks and targets against the
/// directory by folded name or alias, forgiving a trailing "xã"/"phường"
/// and the case of a leading "phòng".
pub fn resolve_units(plan: &ParsedPlan, directory: &[UnitEntry]) -> Resolution {
    let mut index: HashMap<String, i64> = HashMap::new();
    for entry in directory {
        for name in std::iter::once(&entry.name).chain(entry.aliases.iter()) {
            let key = match_key(name);
            if !key.is_empty() {
                index.entry(key).or_insert(entry.id);
            }
        }
    }
    let mentions = plan
        .tasks
        .iter()
        .flat_map(|t| t.lead.iter().chain(t.support.iter()))
        .chain(plan.targets.iter().flat_map(|t| t.lead.iter()));
    let mut resolution = Resolution::default();
    for mention in mentions {
        if resolution.mentions.iter().any(|(m, _)| m == mention) {
            continue;
        }
        let id = index.get(&match_key(mention)).copied();
        resolution.mentions.push((mention.clone(), id));
    }
    resolution
}

/// The commune's own unit names as a gazetteer: a mention that matches no
/// unit but is several unit names written one after another ("Phòng Kinh
/// tế Công an xã") is split into them. Call before [`resolve_units`].
pub fn split_by_directory(plan: &mut ParsedPlan, directory: &[UnitEntry]) {
    let known: std::collections::HashSet<String> = directory
        .iter()
        .flat_map(|e| std::iter::once(&e.name).chain(e.aliases.iter()))
        .map(|n| match_key(n))
        .filter(|k| !k.is_empty())
        .collect();
    let split = |names: &mut Vec<String>| {
        let mut out = Vec::with_capacity(names.len());
        for name in names.drain(..) {
            match segment(&name, &known) {
                Some(parts) => out.extend(parts),
                None => out.push(name),
            }
        }
        *names = out;
    };
    for t in &mut plan.tasks {
        split(&mut t.lead);
        split(&mut t.support);
    }
    for t in &mut plan.targets {
        split(&mut t.lead);
    }
}

/// The mention as two or more known names back to back, longest first;
/// `None` when it is a known name itself or cannot be cut that way.
fn segment(mention: &str, known: &std::collections::HashSet<String>) -> Option<Vec<String>> {
    if known.contains(&match_key(mention)) {
        return None;
    }
    let words: Vec<&str> = mention.split_whitespace().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let end = (i + 1..=words.len())
            .rev()
            .find(|&j| known.contains(&match_key(&words[i..j].join(" "))))?;
        parts.push(words[i..end].join(" "));
        i = end;
    }
    (parts.len() >= 2).then_some(parts)
}

/// The comparison form of a unit name: folded (case, diacritics, dashes),
/// "&" read as "và", and the commune suffix dropped.
fn match_key(name: &str) -> String {
    let folded = fold_vietnamese(&name.replace('&', " và "));
    let mut key = folded.trim_end_matches('.').trim().to_string();
    for suffix in [" xa", " phuong"] {
        if let Some(stripped) = key.strip_suffix(suffix) {
            key = stripped.trim_end().to_string();
        }
    }
    key
}

#[cfg(test)]
mod tests {

    #[test]
    fn fragments_of_sentences_are_not_unit_names() {
        for name in [
            "Phòng Văn hóa - Xã hội",
            "Các phòng, đơn vị thuộc UBND xã",
            "UBND các xã, phường",
            "phòng Văn hoá – Xã hội",
            "Trường TH&THCS Tân Phong",
            "Hợp tác xã Tân Phong Xanh",
        ] {
            assert!(looks_like_unit_name(name), "{name}");
        }
        for fragment in [
            "trên cơ sở kết quả rà soát",
            "Tổ chức thực hiện: các đơn vị chủ động",
            "Các đơn vị triển khai thực hiện để đảm bảo tiến độ theo kế hoạch đã đề ra của tỉnh",
            "",
        ] {
            assert!(!looks_like_unit_name(fragment), "{fragment}");
        }
    }

    use super::*;

    #[test]
    fn semicolons_newlines_and_bullets_always_split() {
        assert_eq!(
            split_units("Phòng Văn hóa - Xã hội; Các phòng ban chuyên môn"),
            ["Phòng Văn hóa - Xã hội", "Các phòng ban chuyên môn"]
        );
        assert_eq!(
            split_units("- UBND xã\n- Công an xã."),
            ["UBND xã", "Công an xã"]
        );
    }

    #[test]
    fn a_comma_splits_only_before_a_new_unit_name() {
        assert_eq!(
            split_units(
                "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy; Hội đồng nhân dân xã"
            ),
            [
                "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy",
                "Hội đồng nhân dân xã"
            ]
        );
        assert_eq!(
            split_units("Trạm Y tế, Phòng Văn hóa - Xã hội"),
            ["Trạm Y tế", "Phòng Văn hóa - Xã hội"]
        );
        assert_eq!(
            split_units("Các cơ quan, đơn vị liên quan"),
            ["Các cơ quan, đơn vị liên quan"]
        );
        assert_eq!(
            split_units("Phòng VHXX, các phòng ban chuyên môn"),
            ["Phòng VHXX", "các phòng ban chuyên môn"]
        );
    }

    #[test]
    fn province_level_unit_names_after_a_comma_start_a_new_unit() {
        assert_eq!(
            split_units("Sở Khoa học và Công nghệ, Sở Tư pháp"),
            ["Sở Khoa học và Công nghệ", "Sở Tư pháp"]
        );
        assert_eq!(
            split_units(
                "Ban Quản lý dự án, Bộ Chỉ huy Quân sự tỉnh, Cục Thống kê, Chi cục Thuế khu vực, Viện Nghiên cứu, Kho bạc Nhà nước, Ngân hàng Chính sách xã hội, Bảo hiểm xã hội tỉnh, Điện lực Sơn Lâm, Viettel Sơn Lâm, VNPT Sơn Lâm"
            ),
            [
                "Ban Quản lý dự án",
                "Bộ Chỉ huy Quân sự tỉnh",
                "Cục Thống kê",
                "Chi cục Thuế khu vực",
                "Viện Nghiên cứu",
                "Kho bạc Nhà nước",
                "Ngân hàng Chính sách xã hội",
                "Bảo hiểm xã hội tỉnh",
                "Điện lực Sơn Lâm",
                "Viettel Sơn Lâm",
                "VNPT Sơn Lâm"
            ]
        );
    }

    #[test]
    fn a_comma_inside_a_province_level_name_does_not_split_it() {
        assert_eq!(
            split_units("Sở Văn hóa, Thể thao và Du lịch, Sở Nội vụ"),
            ["Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ"]
        );
        assert_eq!(
            split_units("Các sở, ngành; UBND các xã, phường"),
            ["Các sở, ngành", "UBND các xã, phường"]
        );
        assert_eq!(
            split_units("Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy, Sở Tư pháp"),
            [
                "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy",
                "Sở Tư pháp"
            ]
        );
    }

    #[test]
    fn units_glued_without_a_separator_are_split() {
        assert_eq!(
            split_units("Phòng Văn hóa – Xã hội Các phòng ban chuyên môn"),
            ["Phòng Văn hóa – Xã hội", "Các phòng ban chuyên môn"]
        );
    }

    #[test]
    fn units_of_the_same_kind_glued_together_are_split() {
        assert_eq!(
            split_units("Sở Tài chính Sở Nội vụ; Công an tỉnh"),
            ["Sở Tài chính", "Sở Nội vụ", "Công an tỉnh"]
        );
        assert_eq!(
            split_units("Văn phòng HĐND và UBND xã Ủy ban Mặt trận Tổ quốc xã"),
            ["Văn phòng HĐND và UBND xã", "Ủy ban Mặt trận Tổ quốc xã"]
        );
        assert_eq!(split_units("Văn phòng Đảng ủy"), ["Văn phòng Đảng ủy"]);
        assert_eq!(split_units("Văn phòng UBND tỉnh"), ["Văn phòng UBND tỉnh"]);
        assert_eq!(
            split_units("Ủy ban Kiểm tra Đảng ủy xã"),
            ["Ủy ban Kiểm tra Đảng ủy xã"]
        );
    }

    #[test]
    fn a_lead_cell_written_as_a_sentence_gives_lead_support_and_roles() {
        let c = split_lead_cell(
            "Sở Nội vụ chủ trì hướng dẫn, đôn đốc; các phòng, ban, UBND cấp xã thực hiện",
        );
        assert_eq!(c.lead, ["Sở Nội vụ"]);
        assert_eq!(c.support, ["các phòng, ban", "UBND cấp xã"]);
        assert_eq!(
            c.note.as_deref(),
            Some("chủ trì hướng dẫn, đôn đốc; thực hiện")
        );
        let c = split_lead_cell("Sở Khoa học và Công nghệ thúc đẩy, theo dõi, báo cáo chỉ tiêu");
        assert_eq!(c.lead, ["Sở Khoa học và Công nghệ"]);
        assert_eq!(
            c.note.as_deref(),
            Some("thúc đẩy, theo dõi, báo cáo chỉ tiêu")
        );
        let c = split_lead_cell("Ban Chỉ đạo thực hiện Nghị quyết 57 xã");
        assert_eq!(c.lead, ["Ban Chỉ đạo thực hiện Nghị quyết 57 xã"]);
        assert_eq!(c.note, None);
    }

    #[test]
    fn empty_cells_have_no_units() {
        assert!(split_units("").is_empty());
        assert!(split_units(" ; ").is_empty());
    }

    fn plan_with(lead: &[&str]) -> ParsedPlan {
        use crate::domain::deadline::Deadline;
        ParsedPlan {
            plan: Default::default(),
            tasks: vec![super::super::model::ParsedTask {
                reference: None,
                group: vec![],
                title: "x".into(),
                lead: lead.iter().map(|s| s.to_string()).collect(),
                support: vec![],
                product: None,
                deadline: Deadline::parse(""),
                funding: None,
                basis: None,
                note: None,
                draft: false,
                line: 1,
            }],
            targets: vec![],
            warnings: vec![],
            unresolved_units: vec![],
            tables: vec![],
        }
    }

    #[test]
    fn mentions_glued_together_are_split_by_the_directory_names() {
        let directory = vec![
            UnitEntry {
                id: 1,
                name: "Phòng Kinh tế".into(),
                aliases: vec![],
            },
            UnitEntry {
                id: 2,
                name: "Công an xã".into(),
                aliases: vec![],
            },
        ];
        let mut plan = plan_with(&["Phòng Kinh tế Công an xã", "Hợp tác xã trên địa bàn"]);
        split_by_directory(&mut plan, &directory);
        assert_eq!(
            plan.tasks[0].lead,
            ["Phòng Kinh tế", "Công an xã", "Hợp tác xã trên địa bàn"]
        );
        let r = resolve_units(&plan, &directory);
        assert_eq!(r.unresolved(), ["Hợp tác xã trên địa bàn"]);
    }

    #[test]
    fn mentions_resolve_by_folded_name_alias_and_commune_suffix() {
        let directory = vec![
            UnitEntry {
                id: 1,
                name: "Phòng Văn hóa - Xã hội".into(),
                aliases: vec!["Phòng VHXH".into()],
            },
            UnitEntry {
                id: 2,
                name: "Công an xã".into(),
                aliases: vec![],
            },
        ];
        let plan = plan_with(&[
            "phòng Văn hoá – Xã hội",
            "Phòng Văn hóa - Xã hội xã",
            "Phòng VHXH",
            "Công an",
            "Phòng VHXXH",
            "phòng Văn hoá – Xã hội",
        ]);
        let r = resolve_units(&plan, &directory);
        assert_eq!(r.mentions.len(), 5);
        assert_eq!(r.get("phòng Văn hoá – Xã hội"), Some(1));
        assert_eq!(r.get("Phòng Văn hóa - Xã hội xã"), Some(1));
        assert_eq!(r.get("Phòng VHXH"), Some(1));
        assert_eq!(r.get("Công an"), Some(2));
        assert_eq!(r.unresolved(), ["Phòng VHXXH"]);
    }
}
