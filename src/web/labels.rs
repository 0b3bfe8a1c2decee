//! Vietnamese words for records shown to people: a round's name, a piece
//! of evidence. Pages, the API and the exported documents all say them the
//! same way, from here.

use crate::domain::evidence::Evidence;
use crate::domain::period::ReportingPeriod;
use crate::domain::round::Round;
use crate::domain::text::lower_first;

/// "Báo cáo tháng 7/2026", or the title of an ad-hoc request.
pub fn round_label(round: &Round) -> String {
    match (&round.title, ReportingPeriod::parse_key(&round.period_key)) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => format!("Báo cáo {}", lower_first(&p.label_vi())),
        (None, None) => round.period_key.clone(),
    }
}

/// The period a round covers ("Tháng 7/2026"), or its label when it is not
/// a regular period.
pub fn period_label(round: &Round) -> String {
    ReportingPeriod::parse_key(&round.period_key)
        .map(|p| p.label_vi())
        .unwrap_or_else(|| round_label(round))
}

/// "Tệp bien-ban.pdf", "Văn bản số 12/QĐ-UBND ngày 05/03/2026", or the link.
pub fn evidence_label(e: &Evidence) -> String {
    match e.kind.as_str() {
        "file" => format!("Tệp {}", e.file_name.clone().unwrap_or_default()),
        "document" => format!(
            "Văn bản số {}{}",
            e.doc_number.clone().unwrap_or_default(),
            e.doc_date
                .map(|d| format!(" ngày {}", d.format("%d/%m/%Y")))
                .unwrap_or_default()
        ),
        _ => e.url.clone().unwrap_or_default(),
    }
}

/// A whole number with a dot between thousands: `1.234`, `-12.500`.
pub fn int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A number the Vietnamese way, at most `decimals` places, trailing zeros
/// dropped: `2,5`, `1.234`, `40`, `0,75`.
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, frac) = fixed.split_once('.').unwrap_or((fixed.as_str(), ""));
    let frac = frac.trim_end_matches('0');
    let whole: i64 = whole.parse().unwrap_or(0);
    let negative = value < 0.0 && (whole != 0 || !frac.is_empty());
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&int(whole));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// A share (0–1) as a percent with one decimal at most: `45,5%`.
pub fn percent_of_rate(rate: f64) -> String {
    format!("{}%", number(rate * 100.0, 1))
}

/// `part` of `whole` as a percent, or a dash when there is no whole.
pub fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        percent_of_rate(part as f64 / whole as f64)
    }
}

/// A date as people write it: `15/12/2026`.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A stored instant (milliseconds) in Vietnam time: `15/12/2026 08:30`.
pub fn date_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            (t + chrono::Duration::hours(7))
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A period key (`2026-12`, `2026-Q4`) in words: `Tháng 12/2026`,
/// `Quý IV/2026`; an unknown key as it is.
pub fn period_key(key: &str) -> String {
    ReportingPeriod::parse_key(key)
        .map(|p| p.label_vi())
        .unwrap_or_else(|| key.to_string())
}

/// A unit report's status in words.
pub fn report_status(code: &str) -> &'static str {
    match code {
        "pending" => "Chưa nhập",
        "draft" => "Đang nhập",
        "submitted" => "Đã gửi, chờ xem xét",
        "returned" => "Bị trả lại",
        "accepted" => "Đã tiếp nhận",
        "consolidated" => "Đã tổng hợp, chờ phê duyệt",
        "approved" => "Đã phê duyệt",
        _ => "Khác",
    }
}

/// What an audited action did, in words; an action with no words yet is
/// named generically rather than by its code.
pub fn audit_action(code: &str) -> &'static str {
    match code {
        "create" => "Tạo mới",
        "update" => "Cập nhật",
        "delete" => "Xóa",
        "import" => "Nhập từ văn bản",
        "change_deadline" => "Đổi thời hạn",
        "not_applicable" => "Đổi trạng thái áp dụng",
        "split_task" => "Giao từ nhiệm vụ cấp trên",
        "submit_feedback" => "Người dân gửi phản ánh",
        "route_feedback" => "Chuyển xã, phường",
        "assign_feedback" => "Giao đơn vị xử lý",
        "answer_feedback" => "Trả lời phản ánh",
        "rate_feedback" => "Người dân đánh giá",
        "erase_personal_data" => "Xóa thông tin cá nhân",
        "name_reviewers" => "Cử thành viên hội đồng",
        "score" => "Chấm điểm",
        "decide" => "Quyết định công nhận",
        "add_file" => "Thêm tệp",
        "link_source" => "Liên kết số liệu tự động",
        "save_report" => "Lưu báo cáo",
        "submit_report" => "Gửi báo cáo",
        "review_report" | "review" => "Xem xét báo cáo",
        "accept_report" | "accept" => "Tiếp nhận báo cáo",
        "return_report" | "return" => "Trả lại báo cáo",
        "add_evidence" => "Thêm minh chứng",
        "consolidate" => "Tổng hợp báo cáo",
        "approve" => "Phê duyệt báo cáo tổng hợp",
        "open_round" => "Mở kỳ báo cáo",
        "login" => "Đăng nhập",
        "login_failed" => "Đăng nhập không thành công",
        "logout" => "Đăng xuất",
        "lockout" | "locked" => "Khóa tài khoản tạm thời",
        "create_user" => "Tạo tài khoản",
        "update_user" => "Sửa tài khoản",
        "set_password" | "change_password" | "reset_password" => "Đổi mật khẩu",
        "enable_totp" | "totp_enabled" => "Bật xác thực hai bước",
        "disable_totp" | "reset_totp" => "Tắt xác thực hai bước",
        "set_email" => "Đổi thư điện tử",
        "bulk_update" | "apply_bulk" => "Cập nhật hàng loạt",
        "report_task" => "Báo cáo nhiệm vụ",
        "report_target" => "Báo cáo chỉ tiêu",
        "calendar_day" => "Đặt ngày nghỉ, ngày làm bù",
        "calendar_day_removed" => "Bỏ ngày nghỉ, ngày làm bù",
        "export" => "Xuất văn bản",
        "logout_all" => "Đăng xuất mọi phiên",
        "password_change" => "Đổi mật khẩu",
        "totp_disabled" => "Tắt xác thực hai bước",
        "account_disabled" => "Khóa tài khoản",
        "account_enabled" => "Mở khóa tài khoản",
        "roles_changed" => "Đổi vai trò",
        "backup" => "Sao lưu",
        "restore" => "Khôi phục",
        _ => "Thao tác khác",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_vietnamese_way() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1234), "1.234");
        assert_eq!(int(-1_234_567), "-1.234.567");
        assert_eq!(number(2.5, 1), "2,5");
        assert_eq!(number(40.0, 1), "40");
        assert_eq!(number(1234.0, 2), "1.234");
        assert_eq!(number(0.754, 2), "0,75");
        assert_eq!(number(-0.01, 1), "0");
        assert_eq!(number(f64::NAN, 1), "—");
    }

    #[test]
    fn percents_shares_dates_and_periods() {
        assert_eq!(percent_of_rate(0.455), "45,5%");
        assert_eq!(percent_of_rate(1.0), "100%");
        assert_eq!(share(1, 3), "33,3%");
        assert_eq!(share(1, 0), "—");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 15).expect("date");
        assert_eq!(date(d), "15/12/2026");
        assert_eq!(period_key("2026-12"), "Tháng 12/2026");
        assert_eq!(period_key("2026-Q4"), "Quý IV/2026");
        assert_eq!(period_key("khác"), "khác");
        // 15/12/2026 01:30 UTC is 08:30 in Vietnam.
        let ms = d
            .and_hms_opt(1, 30, 0)
            .expect("time")
            .and_utc()
            .timestamp_millis();
        assert_eq!(date_time(ms), "15/12/2026 08:30");
    }

    #[test]
    fn codes_shown_to_people_are_words() {
        assert_eq!(audit_action("submit_report"), "Gửi báo cáo");
        assert_eq!(audit_action("something_new"), "Thao tác khác");
        assert_eq!(report_status("returned"), "Bị trả lại");
        assert!(!report_status("x").contains('_'));
    }
}
