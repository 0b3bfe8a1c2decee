//! Test data: a commune report of xã Tân Phong with two task groups, five
//! tasks and three targets, and the matching period fill-in sheet.

use chrono::NaiveDate;

use super::model::{
    PeriodSheet, ReportDocument, Section, SheetTarget, SheetTask, TargetLine, TaskLine,
};

fn task(reference: &str, title: &str, lead: &str, status: &str, progress: &str) -> TaskLine {
    TaskLine {
        group: Some("Hạ tầng số".to_string()),
        reference: reference.to_string(),
        title: title.to_string(),
        lead: lead.to_string(),
        deadline: "Tháng 9/2026".to_string(),
        status: status.to_string(),
        progress: progress.to_string(),
        result: format!("Kết quả của nhiệm vụ {reference}"),
        evidence: format!("Công văn số 1{reference}/UBND-VX"),
    }
}

fn group(reference: &str, name: &str) -> TaskLine {
    TaskLine {
        group: Some(name.to_string()),
        reference: reference.to_string(),
        title: String::new(),
        lead: String::new(),
        deadline: String::new(),
        status: String::new(),
        progress: String::new(),
        result: String::new(),
        evidence: String::new(),
    }
}

fn target(reference: &str, name: &str, unit: &str, goal: &str, value: &str) -> TargetLine {
    TargetLine {
        group: None,
        reference: reference.to_string(),
        name: name.to_string(),
        measure_unit: unit.to_string(),
        lead: "Văn phòng HĐND và UBND xã".to_string(),
        goal: goal.to_string(),
        value: value.to_string(),
        assessment: if value.is_empty() {
            "Chưa có số liệu".to_string()
        } else {
            "Đạt".to_string()
        },
        source: "Hệ thống thông tin giải quyết TTHC tỉnh".to_string(),
    }
}

pub fn report() -> ReportDocument {
    ReportDocument {
        format: super::model::DocumentFormat::State,
        parent_body: None,
        issuer: "ỦY BAN NHÂN DÂN XÃ TÂN PHONG".to_string(),
        number: Some("12".to_string()),
        symbol: "BC-UBND".to_string(),
        place: "Tân Phong".to_string(),
        date: NaiveDate::from_ymd_opt(2026, 8, 5).expect("valid date"),
        summary: "Kết quả thực hiện Kế hoạch số 21/KH-UBND về phát triển khoa học, công nghệ, \
                  đổi mới sáng tạo và chuyển đổi số tháng 7 năm 2026"
            .to_string(),
        addressees: vec!["Ủy ban nhân dân tỉnh Lạng Sơn".to_string()],
        sections: vec![
            Section {
                heading: "I. KẾT QUẢ THỰC HIỆN".to_string(),
                paragraphs: vec![
                    "Trong tháng, xã đã hoàn thành 2/5 nhiệm vụ; tỷ lệ hồ sơ trực tuyến đạt 92,5%."
                        .to_string(),
                    "Chi tiết tại Phụ lục I và Phụ lục II kèm theo <báo cáo> & số liệu."
                        .to_string(),
                ],
            },
            Section {
                heading: "II. NHIỆM VỤ THÁNG TỚI".to_string(),
                paragraphs: vec!["Tiếp tục triển khai phủ sóng 4G tại thôn Nà Đon.".to_string()],
            },
        ],
        recipients: vec![
            "UBND tỉnh Lạng Sơn".to_string(),
            "Thường trực Đảng ủy xã".to_string(),
            "Lưu: VT, VHXH".to_string(),
        ],
        signer_authority: "TM. ỦY BAN NHÂN DÂN".to_string(),
        signer_titles: vec!["CHỦ TỊCH".to_string()],
        signer_name: "Nguyễn Văn Hùng".to_string(),
        tasks: vec![
            group("I", "HẠ TẦNG SỐ"),
            task(
                "1",
                "Phủ sóng 4G tới 100% thôn",
                "Công an xã",
                "Đang thực hiện",
                "60%",
            ),
            task(
                "2",
                "Lắp camera an ninh tại trung tâm xã",
                "Công an xã",
                "Hoàn thành",
                "100%",
            ),
            task(
                "3",
                "Số hóa hồ sơ hộ tịch",
                "Văn phòng HĐND và UBND xã",
                "in_progress",
                "40%",
            ),
            group("II", "CHÍNH QUYỀN SỐ"),
            task(
                "4",
                "Tập huấn kỹ năng số cho cán bộ",
                "Phòng Văn hóa - Xã hội",
                "done_late",
                "100%",
            ),
            task(
                "5",
                "Triển khai chữ ký số cá nhân",
                "Văn phòng HĐND và UBND xã",
                "Chưa triển khai",
                "",
            ),
        ],
        targets: vec![
            target("1", "Tỷ lệ hồ sơ TTHC nộp trực tuyến", "%", "≥ 90", "92,5"),
            target(
                "2",
                "Số người dân có tài khoản định danh mức 2",
                "người",
                "≥ 3.000",
                "3.215",
            ),
            target("3", "Tỷ lệ hộ gia đình có cáp quang", "%", "≥ 80", ""),
        ],
        tasks_title: "Kết quả thực hiện nhiệm vụ tháng 7 năm 2026".to_string(),
        targets_title: "Kết quả thực hiện chỉ tiêu tháng 7 năm 2026".to_string(),
        review: None,
    }
}

pub fn period_sheet() -> PeriodSheet {
    let task =
        |id: i64, reference: &str, title: &str, status: &str, percent: Option<u8>| SheetTask {
            id,
            reference: reference.to_string(),
            title: title.to_string(),
            lead: "Công an xã".to_string(),
            deadline: "Tháng 9/2026".to_string(),
            status: status.to_string(),
            percent,
            result: String::new(),
        };
    PeriodSheet {
        plan_title: "Kế hoạch số 21/KH-UBND xã Tân Phong".to_string(),
        period_key: "2026-07".to_string(),
        period_label: "Tháng 7/2026".to_string(),
        tasks: vec![
            task(
                101,
                "1",
                "Phủ sóng 4G tới 100% thôn",
                "in_progress",
                Some(60),
            ),
            task(102, "2", "Lắp camera an ninh tại trung tâm xã", "", None),
            task(103, "3", "Số hóa hồ sơ hộ tịch", "", None),
        ],
        targets: vec![
            SheetTarget {
                id: 201,
                reference: "1".to_string(),
                name: "Tỷ lệ hồ sơ TTHC nộp trực tuyến".to_string(),
                measure_unit: "%".to_string(),
                goal: "≥ 90".to_string(),
                value: None,
                source: String::new(),
            },
            SheetTarget {
                id: 202,
                reference: "2".to_string(),
                name: "Tỷ lệ hộ gia đình có cáp quang".to_string(),
                measure_unit: "%".to_string(),
                goal: "≥ 80".to_string(),
                value: None,
                source: String::new(),
            },
        ],
    }
}
