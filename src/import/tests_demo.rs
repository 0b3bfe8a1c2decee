//! The four fictional demo plans shipped with the app (`src/demo/plans`),
//! imported as the demo does. The counts were checked by hand against the
//! files; a change here means the demo would show a different plan.

use chrono::NaiveDate;

use super::{ParsedPlan, parse_plan};
use crate::domain::period::PeriodKind;

const SON_LAM: &[u8] = include_bytes!("../demo/plans/son_lam_tinh.txt");
const TAN_PHONG: &[u8] = include_bytes!("../demo/plans/tan_phong_ubnd.txt");
const DONG_TAM: &[u8] = include_bytes!("../demo/plans/dong_tam_dang_uy.txt");
const HOA_LAC: &[u8] = include_bytes!("../demo/plans/hoa_lac_ubnd.txt");

fn import(bytes: &[u8], name: &str) -> ParsedPlan {
    parse_plan(bytes, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_province_demo_plan_has_8_tasks_with_departments_split() {
    let plan = import(SON_LAM, "son_lam_tinh.txt");
    assert_eq!(plan.tasks.len(), 8);
    assert!(plan.tasks.iter().all(|t| !t.draft));
    assert_eq!(plan.plan.number.as_deref(), Some("15/KH-UBND"));
    assert_eq!(
        plan.plan.issuer.as_deref(),
        Some("Ủy ban nhân dân tỉnh Sơn Lâm")
    );
    // "Sở Khoa học và Công nghệ, Sở Tư pháp" names two departments.
    assert_eq!(
        plan.tasks[1].support,
        ["Sở Khoa học và Công nghệ", "Sở Tư pháp"]
    );
    assert_eq!(
        plan.tasks[0].support,
        ["Sở Văn hóa, Thể thao và Du lịch", "UBND các xã, phường"]
    );
}

#[test]
fn the_tan_phong_demo_plan_has_20_tasks_12_targets_and_a_monthly_regime() {
    let plan = import(TAN_PHONG, "tan_phong_ubnd.txt");
    assert_eq!(plan.tasks.len(), 20);
    assert_eq!(plan.targets.len(), 12);
    let r = &plan.plan.reporting;
    assert_eq!(r.periods, [PeriodKind::Monthly]);
    assert_eq!(r.unit_due_day, Some(15));
    assert_eq!(r.consolidated_due_day, Some(18));
    assert_eq!(plan.plan.number.as_deref(), Some("21/KH-UBND"));
    assert_eq!(plan.plan.date, NaiveDate::from_ymd_opt(2026, 1, 20));
}

#[test]
fn the_dong_tam_party_plan_has_12_tasks_and_names_its_issuer() {
    let plan = import(DONG_TAM, "dong_tam_dang_uy.txt");
    assert_eq!(plan.tasks.len(), 12);
    assert_eq!(plan.plan.number.as_deref(), Some("12-KH/ĐU"));
    assert_eq!(plan.plan.date, NaiveDate::from_ymd_opt(2026, 1, 15));
    let issuer = plan.plan.issuer.as_deref().unwrap_or("");
    assert!(issuer.contains("Đồng Tâm"), "issuer: {issuer:?}");
}

#[test]
fn the_hoa_lac_demo_plan_has_3_dossier_tasks_and_reads_its_caption() {
    let plan = import(HOA_LAC, "hoa_lac_ubnd.txt");
    assert_eq!(plan.tasks.len(), 3);
    assert!(plan.tasks.iter().all(|t| !t.draft && t.funding.is_some()));
    let refs: Vec<&str> = plan
        .tasks
        .iter()
        .filter_map(|t| t.reference.as_deref())
        .collect();
    assert_eq!(refs, ["1", "2", "3"]);
    // The header leaves number and day blank; the appendix caption has them.
    assert_eq!(plan.plan.number.as_deref(), Some("08/KH-UBND"));
    assert_eq!(plan.plan.date, NaiveDate::from_ymd_opt(2026, 2, 5));
}
