//! The five real seed plans, read at run time from `../shared/seeds` beside
//! the crate. Outside CI a missing folder skips these tests; under CI=true
//! it fails them, so a broken checkout cannot pass silently. Counts below
//! were checked by hand against the seed files.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{ParsedPlan, ParsedTask, parse_plan};
use crate::domain::deadline::DeadlineKind;
use crate::domain::goal::Comparator;
use crate::domain::period::PeriodKind;

fn seeds_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("seed folder missing under CI: {}", dir.display());
    }
    None
}

fn seed(prefix: &str) -> Option<ParsedPlan> {
    let dir = seeds_dir()?;
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no seed {prefix}_* in {}", dir.display()));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().and_then(|n| n.to_str());
    Some(parse_plan(&bytes, name).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn task<'a>(plan: &'a ParsedPlan, reference: &str) -> &'a ParsedTask {
    plan.tasks
        .iter()
        .find(|t| t.reference.as_deref() == Some(reference))
        .unwrap_or_else(|| panic!("no task {reference}"))
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn seed_004_has_48_tasks_in_seven_groups_with_cut_rows_joined() {
    let Some(plan) = seed("004") else { return };
    assert_eq!(plan.tasks.len(), 48);
    assert!(plan.tasks.iter().all(|t| !t.draft));
    let mut groups: Vec<&str> = plan.tasks.iter().map(|t| t.group[0].as_str()).collect();
    groups.dedup();
    let numerals: Vec<&str> = groups
        .iter()
        .map(|g| g.split('.').next().unwrap_or(""))
        .collect();
    assert_eq!(numerals, ["I", "II", "III", "IV", "V", "VI", "VII"]);
    let t4 = task(&plan, "4");
    assert!(
        t4.title
            .starts_with("Phối hợp nghiên cứu xây dựng phương pháp/tiêu chí")
    );
    assert!(t4.title.ends_with(
        "nhiệm vụ chuyển đổi số của cơ quan nhà nước, người đứng đầu và cán bộ, công chức, viên chức trong cơ quan nhà nước gắn với việc đánh giá, xếp loại mức độ hoàn thành nhiệm vụ của tổ chức theo quy định"
    ));
    assert_eq!(t4.lead, ["Phòng Nội vụ"]);
    assert_eq!(
        t4.support,
        ["Phòng Văn hóa - Xã hội", "Các phòng ban chuyên môn"]
    );
    assert_eq!(
        t4.product.as_deref(),
        Some("Phương pháp/ tiêu chí đánh giá mức độ hoàn thành nhiệm vụ chuyển đổi số")
    );
    assert_eq!(task(&plan, "26").deadline.kind(), DeadlineKind::Yearly);
    let t22 = &task(&plan, "22").deadline;
    assert_eq!(t22.kind(), DeadlineKind::Range);
    assert_eq!(
        (t22.start(), t22.end()),
        (date(2025, 1, 1), date(2026, 12, 31))
    );
    assert_eq!(task(&plan, "1").deadline.kind(), DeadlineKind::Month);
    assert!(
        task(&plan, "23")
            .title
            .ends_with("văn bản số 1552/BTTTT-THH và 708/BTTTT-CATTT")
    );
    // Units glued without a separator are still two units.
    assert_eq!(
        task(&plan, "7").support,
        ["Phòng Văn hóa – Xã hội", "Các phòng ban chuyên môn"]
    );
    assert_eq!(task(&plan, "37").product, None);
    assert_eq!(plan.plan.number, None);
    assert_eq!(plan.plan.date, None);
    assert_eq!(plan.plan.place.as_deref(), Some("Quân Chu"));
    assert_eq!(plan.plan.issuer.as_deref(), Some("UBND xã Quân Chu"));
    let basis: Vec<&str> = plan.plan.basis.iter().map(|b| b.number.as_str()).collect();
    assert_eq!(
        basis,
        [
            "57-NQ/TW",
            "71/NQ-CP",
            "193/2025/QH15",
            "62-CTr/TU",
            "261-KH/TU",
            "263-KH/TU",
            "155/KH-UBND"
        ]
    );
    assert_eq!(plan.plan.basis[6].date, date(2025, 6, 23));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("Số kế hoạch để trống"))
    );
    assert!(plan.targets.is_empty());
}

#[test]
fn seed_002_has_numbered_subgroups_and_keeps_comma_unit_names_whole() {
    let Some(plan) = seed("002") else { return };
    let refs: Vec<&str> = plan
        .tasks
        .iter()
        .filter_map(|t| t.reference.as_deref())
        .collect();
    assert_eq!(
        refs,
        [
            "1", "2", "3", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2", "3.3",
            "3.4", "3.5", "3.6", "4.1", "4.2", "5.1", "5.2", "6.1"
        ]
    );
    assert_eq!(
        plan.tasks[0].group,
        ["I. Công tác lãnh đạo, chỉ đạo triển khai thực hiện Kế hoạch"]
    );
    assert_eq!(
        task(&plan, "1.1").group,
        ["II. Nhiệm vụ cụ thể", "1. Về hạ tầng số"]
    );
    assert_eq!(
        task(&plan, "6.1").group[1],
        "6. Bảo đảm an toàn thông tin, an ninh mạng"
    );
    let t1 = &plan.tasks[0];
    assert_eq!(
        t1.lead[0],
        "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy"
    );
    assert_eq!(t1.lead.len(), 5);
    assert_eq!(t1.lead[3], "Ủy ban Mặt trận Tổ quốc Việt Nam xã");
    // The cut "Ủy" + "ban Mặt trận" row is joined back.
    assert!(
        task(&plan, "2.1")
            .support
            .contains(&"Ủy ban Mặt trận Tổ quốc Việt Nam xã".to_string())
    );
    assert_eq!(task(&plan, "2").deadline.kind(), DeadlineKind::Periodic);
    assert_eq!(task(&plan, "3").deadline.kind(), DeadlineKind::Ongoing);
    assert_eq!(plan.plan.number.as_deref(), Some("60-KH/ĐU"));
    assert_eq!(plan.plan.date, date(2026, 1, 15));
    assert_eq!(
        plan.plan.issuer.as_deref(),
        Some("Ban Thường vụ Đảng ủy xã Phong Quang")
    );
    let basis: Vec<&str> = plan.plan.basis.iter().map(|b| b.number.as_str()).collect();
    assert_eq!(
        basis,
        [
            "57-NQ/TW",
            "02-KH/BCĐTW",
            "62-CTr/TU",
            "08-CTr/BCĐ",
            "23-KH/ĐU",
            "02-CTr/ĐU",
            "28-KH/ĐU"
        ]
    );
    assert_eq!(plan.plan.basis[0].date, date(2024, 12, 22));
    assert!(plan.plan.reporting.periods.contains(&PeriodKind::AdHoc));
}

#[test]
fn seed_003_has_38_targets_in_groups_a_to_e_and_three_dossier_tasks() {
    let Some(plan) = seed("003") else { return };
    assert_eq!(plan.targets.len(), 38);
    let mut groups: Vec<&str> = plan.targets.iter().map(|t| t.group[0].as_str()).collect();
    groups.dedup();
    assert_eq!(
        groups,
        [
            "A. Phát triển hạ tầng",
            "B. Phát triển nguồn lực",
            "C. Phát triển khoa học, công nghệ",
            "D. Phát triển hệ sinh thái đổi mới sáng tạo",
            "E. Phát triển chuyển đổi số"
        ]
    );
    let t3 = &plan.targets[2];
    assert_eq!(t3.unit.as_deref(), Some("% ngân sách"));
    assert_eq!(
        (t3.goals[0].year, t3.goals[0].op, t3.goals[0].value),
        (Some(2026), Comparator::Ge, 1.1)
    );
    assert_eq!(
        t3.goals[0].text,
        "≥ 1,1 và không thấp hơn chỉ tiêu tỉnh giao"
    );
    assert_eq!((t3.goals[1].year, t3.goals[1].value), (Some(2030), 1.5));
    let t9 = &plan.targets[8];
    assert_eq!((t9.goals[0].op, t9.goals[0].value), (Comparator::Top, 20.0));
    assert_eq!((t9.goals[1].op, t9.goals[1].value), (Comparator::Top, 10.0));
    assert!(plan.targets[9].goals.is_empty());
    assert_eq!(plan.targets[11].goals[1].op, Comparator::Gt);
    assert_eq!(
        plan.targets[37].lead,
        ["Trạm Y tế", "Phòng Văn hóa - Xã hội"]
    );
    assert!(
        plan.targets
            .iter()
            .enumerate()
            .all(|(i, t)| i == 9 || t.goals.len() == 2)
    );
    assert_eq!(plan.tasks.len(), 3);
    let titles: Vec<&str> = plan.tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Thực hiện nhiệm vụ khoa học, công nghệ",
            "Thực hiện nhiệm vụ đổi mới sáng tạo",
            "Các hoạt động CDS, ứng dụng CNTT thường xuyên"
        ]
    );
    let d2 = &plan.tasks[1];
    assert_eq!(d2.funding.as_deref(), Some("Ngân sách xã"));
    assert_eq!(d2.deadline.kind(), DeadlineKind::Year);
    assert!(d2.basis.as_deref().is_some_and(|b| b.contains("214/NQ-CP")));
    assert!(plan.tasks.iter().all(|t| !t.draft && t.product.is_some()));
    assert_eq!(plan.plan.basis.len(), 1);
    assert_eq!(plan.plan.basis[0].number, "107/KH-UBND");
    assert_eq!(plan.plan.place.as_deref(), Some("Lâm Thao"));
    assert_eq!(plan.plan.date, None);
}

#[test]
fn seed_000_has_narrative_drafts_and_a_monthly_regime() {
    let Some(plan) = seed("000") else { return };
    // 31 bullets under numbered headings plus section 7, a plain paragraph.
    assert_eq!(plan.tasks.len(), 32);
    assert!(plan.tasks.iter().all(|t| t.draft && t.lead.is_empty()));
    assert!(
        plan.tasks
            .iter()
            .all(|t| t.deadline.kind() == DeadlineKind::Unknown)
    );
    assert_eq!(
        plan.tasks[16].group,
        ["5. Về chuyển đổi số", "5.1. Hạ tầng kỹ thuật, công nghệ"]
    );
    let r = &plan.plan.reporting;
    assert_eq!(r.periods, [PeriodKind::Monthly]);
    assert_eq!(r.unit_due_day, Some(15));
    assert_eq!(r.consolidated_due_day, Some(18));
    assert_eq!(plan.plan.date, date(2026, 1, 23));
    assert_eq!(plan.plan.issuer.as_deref(), Some("UBND xã Cao Lộc"));
    let basis: Vec<&str> = plan.plan.basis.iter().map(|b| b.number.as_str()).collect();
    assert_eq!(basis, ["06/KH-UBND", "47-KH/ĐU"]);
}

#[test]
fn seed_001_has_narrative_drafts_and_no_table_tasks() {
    let Some(plan) = seed("001") else { return };
    // 40 body paragraphs in section III, less 3 page-break continuations.
    assert_eq!(plan.tasks.len(), 37);
    assert!(plan.tasks.iter().all(|t| t.draft));
    assert!(plan.targets.is_empty());
    assert_eq!(plan.plan.number.as_deref(), Some("08-KH/ĐU"));
    assert_eq!(plan.plan.date, date(2025, 8, 10));
    assert_eq!(
        plan.plan.issuer.as_deref(),
        Some("Ban Thường vụ Đảng ủy xã Tân Khánh")
    );
    assert_eq!(plan.plan.basis.len(), 4);
    assert_eq!(
        plan.plan.reporting.periods,
        [
            PeriodKind::Monthly,
            PeriodKind::Quarterly,
            PeriodKind::HalfYearly,
            PeriodKind::Yearly,
            PeriodKind::AdHoc
        ]
    );
    let last = plan.tasks.last().map(|t| t.group[0].as_str()).unwrap_or("");
    assert!(last.starts_with("9. Triển khai các nhiệm vụ Kế hoạch số 02-KH/BCĐTW, ngày 19/6/2025"));
}

#[test]
fn seed_plans_serialise_with_the_contract_keys() {
    let Some(plan) = seed("002") else { return };
    let json = serde_json::to_value(&plan).unwrap_or_default();
    for key in ["plan", "tasks", "targets", "warnings", "unresolved_units"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let t = &json["tasks"][0];
    for key in [
        "ref", "group", "title", "lead", "support", "product", "deadline", "funding", "basis",
        "draft", "line",
    ] {
        assert!(t.get(key).is_some(), "task lacks {key}");
    }
    assert_eq!(json["plan"]["date"], "2026-01-15");
    assert!(json["plan"]["reporting"].get("unit_due_day").is_some());
}
