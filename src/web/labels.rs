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

/// A unit report's or a consolidated report's status in words.
pub fn report_status(code: &str) -> &'static str {
    if let Some(s) = crate::domain::report::ReportStatus::parse(code) {
        return s.label_vi();
    }
    match code {
        "consolidated" => "Đã tổng hợp, chờ phê duyệt",
        "approved" => "Đã phê duyệt",
        _ => "Khác",
    }
}

/// Every audited action with its words, in the order the audit page
/// offers them.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("create", "Tạo mới"),
    ("update", "Cập nhật"),
    ("delete", "Xóa"),
    ("import", "Nhập từ văn bản"),
    ("change_deadline", "Đổi thời hạn"),
    ("ask_extension", "Đề nghị gia hạn, điều chỉnh"),
    ("decide_extension", "Xem xét đề nghị gia hạn, điều chỉnh"),
    (
        "refuse_late_extension",
        "Đề nghị gia hạn sau thời hạn (không ghi nhận)",
    ),
    ("not_applicable", "Đổi trạng thái áp dụng"),
    ("split_task", "Giao từ nhiệm vụ cấp trên"),
    ("submit_feedback", "Người dân gửi phản ánh"),
    ("route_feedback", "Chuyển xã, phường"),
    ("assign_feedback", "Giao đơn vị xử lý"),
    ("answer_feedback", "Trả lời phản ánh"),
    ("rate_feedback", "Người dân đánh giá"),
    ("erase_personal_data", "Xóa thông tin cá nhân"),
    ("rekey", "Đổi khóa bảo vệ dữ liệu"),
    ("name_reviewers", "Cử thành viên hội đồng"),
    ("score", "Chấm điểm"),
    ("decide", "Quyết định công nhận"),
    ("add_file", "Thêm tệp"),
    ("link_source", "Liên kết số liệu tự động"),
    ("save_report", "Lưu báo cáo"),
    ("submit_report", "Gửi báo cáo"),
    ("review_report", "Xem xét báo cáo"),
    ("review", "Xem xét báo cáo"),
    ("accept_report", "Tiếp nhận báo cáo"),
    ("accept", "Tiếp nhận báo cáo"),
    ("return_report", "Trả lại báo cáo"),
    ("return", "Trả lại báo cáo"),
    ("add_evidence", "Thêm minh chứng"),
    ("consolidate", "Tổng hợp báo cáo"),
    ("approve", "Phê duyệt báo cáo tổng hợp"),
    ("open_round", "Mở kỳ báo cáo"),
    ("login", "Đăng nhập"),
    ("login_failed", "Đăng nhập không thành công"),
    ("logout", "Đăng xuất"),
    ("lockout", "Khóa tài khoản tạm thời"),
    ("locked", "Khóa tài khoản tạm thời"),
    ("create_user", "Tạo tài khoản"),
    ("update_user", "Sửa tài khoản"),
    ("set_password", "Đổi mật khẩu"),
    ("change_password", "Đổi mật khẩu"),
    ("reset_password", "Đặt lại mật khẩu"),
    ("move_user", "Chuyển đơn vị công tác"),
    ("enrolment_issued", "Cấp mã kích hoạt"),
    (
        "self_reset_requested",
        "Tự đề nghị đặt lại mật khẩu qua thư điện tử",
    ),
    ("enrolment_used", "Đặt mật khẩu bằng mã kích hoạt"),
    ("enable_totp", "Bật xác thực hai bước"),
    ("totp_enabled", "Bật xác thực hai bước"),
    ("disable_totp", "Tắt xác thực hai bước"),
    ("reset_totp", "Tắt xác thực hai bước"),
    ("set_email", "Đổi thư điện tử"),
    ("bulk_update", "Cập nhật hàng loạt"),
    ("apply_bulk", "Cập nhật hàng loạt"),
    ("report_task", "Báo cáo nhiệm vụ"),
    ("report_target", "Báo cáo chỉ tiêu"),
    ("calendar_day", "Đặt ngày nghỉ, ngày làm bù"),
    ("calendar_day_removed", "Bỏ ngày nghỉ, ngày làm bù"),
    ("export", "Xuất văn bản"),
    ("logout_all", "Đăng xuất mọi phiên"),
    ("password_change", "Đổi mật khẩu"),
    ("totp_disabled", "Tắt xác thực hai bước"),
    ("account_disabled", "Khóa tài khoản"),
    ("account_enabled", "Mở khóa tài khoản"),
    ("roles_changed", "Đổi vai trò"),
    ("backup", "Sao lưu"),
    ("restore", "Khôi phục"),
    ("give_direction", "Ý kiến chỉ đạo"),
    ("answer_direction", "Trả lời ý kiến chỉ đạo"),
    ("explain_escalation", "Giải trình nhiệm vụ quá hạn"),
    (
        "refuse_confidential_content",
        "Từ chối nội dung của nhiệm vụ mật",
    ),
    ("read", "Xem (kiểm tra, giám sát)"),
    ("rename", "Đổi tên đơn vị"),
    ("merge", "Hợp nhất đơn vị"),
    ("import_official", "Nạp danh mục đơn vị hành chính"),
    ("split", "Chia tách đơn vị"),
    ("move", "Chuyển đơn vị sang đơn vị cấp trên khác"),
    ("dissolve", "Giải thể đơn vị"),
    ("import_former", "Nạp danh sách xã cũ trước sắp xếp"),
];

/// What an audited action did, in words; an action with no words yet is
/// named generically rather than by its code.
pub fn audit_action(code: &str) -> &'static str {
    AUDIT_ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Thao tác khác")
}

/// The kinds of record the audit trail names, in words.
pub const AUDIT_ENTITIES: &[(&str, &str)] = &[
    ("plan", "Kế hoạch"),
    ("task", "Nhiệm vụ"),
    ("target", "Chỉ tiêu"),
    ("round", "Kỳ báo cáo"),
    ("unit_report", "Báo cáo của đơn vị"),
    ("report", "Báo cáo"),
    ("unit", "Đơn vị"),
    ("user", "Tài khoản"),
    ("session", "Phiên đăng nhập"),
    ("feedback", "Phản ánh, kiến nghị"),
    ("initiative", "Sáng kiến"),
    ("calendar", "Lịch làm việc"),
    ("audit", "Nhật ký"),
    ("import", "Nhập kế hoạch"),
    ("attachment", "Tệp đính kèm"),
    ("evidence", "Minh chứng"),
];

/// A kind of record in words; an unknown kind is named generically.
pub fn audit_entity(code: &str) -> &'static str {
    AUDIT_ENTITIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Dữ liệu khác")
}

/// The fields a change names, in words; others keep their name with
/// spaces for underscores.
pub fn field_name(key: &str) -> String {
    let known = [
        ("status", "Tình trạng"),
        ("title", "Tên"),
        ("name", "Tên"),
        ("number", "Số"),
        ("percent", "Tỷ lệ (%)"),
        ("result", "Kết quả"),
        ("deadline", "Thời hạn"),
        ("deadline_text", "Thời hạn"),
        ("lead", "Chủ trì"),
        ("support", "Phối hợp"),
        ("product", "Sản phẩm"),
        ("roles", "Vai trò"),
        ("unit_id", "Đơn vị"),
        ("email", "Thư điện tử"),
        ("value", "Giá trị"),
        ("source", "Nguồn số liệu"),
        ("comment", "Ý kiến"),
        ("review_comment", "Ý kiến"),
        ("reason", "Lý do"),
        ("difficulties", "Khó khăn"),
        ("recommendations", "Kiến nghị"),
        ("accepted_reports", "Số báo cáo đã tiếp nhận"),
        ("tasks", "Số nhiệm vụ"),
        ("targets", "Số chỉ tiêu"),
        ("username", "Tên đăng nhập"),
        ("period", "Kỳ"),
        ("period_key", "Kỳ"),
        ("plan_id", "Kế hoạch số"),
        ("task_id", "Nhiệm vụ số"),
        ("target_id", "Chỉ tiêu số"),
        ("report_id", "Báo cáo số"),
        ("round_id", "Kỳ báo cáo số"),
        ("unit_due_on", "Hạn nộp của đơn vị"),
        ("consolidated_due_on", "Hạn tổng hợp"),
        ("digest", "Mã kiểm tra tệp"),
        ("file_name", "Tên tệp"),
        ("issued_on", "Ngày ban hành"),
        ("due_on", "Hạn"),
        ("full_name", "Họ tên"),
        ("disabled", "Khóa"),
        ("phone", "Số điện thoại"),
        ("unit", "Đơn vị"),
        ("active", "Đang hoạt động"),
        ("sessions_ended", "Số phiên đăng nhập kết thúc"),
        ("expires_at", "Hết hạn"),
        ("purpose", "Mục đích"),
    ];
    known
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| key.replace('_', " "))
}

/// What changed between two JSON records, as short lines "field: before →
/// after" (or "field: value" for a new record); long values are cut.
pub fn changed_fields(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    use serde_json::Value;
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let (b, a) = (parse(before), parse(after));
    let empty = serde_json::Map::new();
    let as_map = |v: &Option<Value>| match v {
        Some(Value::Object(m)) => Some(m.clone()),
        _ => None,
    };
    let (bm, am) = (as_map(&b), as_map(&a));
    if bm.is_none() && am.is_none() {
        // Not objects: show the values themselves.
        return [("Trước", b), ("Sau", a)]
            .into_iter()
            .filter_map(|(w, v)| v.map(|v| format!("{w}: {}", short_value("", &v))))
            .collect();
    }
    let (bm, am) = (bm.unwrap_or_else(|| empty.clone()), am.unwrap_or(empty));
    let keys: std::collections::BTreeSet<&String> = am.keys().chain(bm.keys()).collect();
    let mut out = Vec::new();
    // The version moves with every change; it says nothing to a reader.
    for k in keys.into_iter().filter(|k| k.as_str() != "version") {
        let (old, new) = (bm.get(k), am.get(k));
        if old == new {
            continue;
        }
        let name = field_name(k);
        out.push(match (old, new) {
            (Some(o), Some(n)) => format!("{name}: {} → {}", short_value(k, o), short_value(k, n)),
            (None, Some(n)) => format!("{name}: {}", short_value(k, n)),
            (Some(o), None) => format!("{name}: {} → (bỏ)", short_value(k, o)),
            (None, None) => continue,
        });
    }
    out
}

/// A JSON value as a person reads it, cut at 80 characters.
fn short_value(key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    let text = match v {
        Value::Null => "(trống)".to_string(),
        Value::Bool(true) => "có".to_string(),
        Value::Bool(false) => "không".to_string(),
        Value::Number(n) if key.ends_with("_at") && n.as_i64().is_some() => {
            n.as_i64().map(date_time).unwrap_or_default()
        }
        Value::String(s) if key == "reason" && s == "administrator" => {
            "Quản trị viên khóa".to_string()
        }
        Value::String(s) if key == "reason" && s == "dormant" => {
            "Không sử dụng quá 45 ngày".to_string()
        }
        Value::String(s) if key == "purpose" => match s.as_str() {
            "new_account" => "Tài khoản mới".to_string(),
            "password_reset" => "Đặt lại mật khẩu".to_string(),
            other => other.to_string(),
        },
        Value::Number(n) => n
            .as_f64()
            .map(|f| number(f, 2))
            .unwrap_or_else(|| n.to_string()),
        Value::String(s) if key == "status" && report_status(s) != "Khác" => {
            report_status(s).to_string()
        }
        Value::String(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => date(d),
            Err(_) if key.starts_with("period") => period_key(s),
            Err(_) => s.clone(),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| match (key, i) {
                ("roles", Value::String(r)) => crate::domain::access::Role::parse(r)
                    .map(|r| r.label_vi().to_string())
                    .unwrap_or_else(|| r.clone()),
                _ => short_value("", i),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(m) => format!("{} mục", m.len()),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_changes_read_in_words() {
        let lines = changed_fields(
            Some(r#"{"active": true, "roles": ["viewer"]}"#),
            Some(
                r#"{"active": false, "reason": "administrator", "roles": ["viewer", "leader"],
                   "purpose": "password_reset", "expires_at": 1773108000000}"#,
            ),
        );
        let text = lines.join("\n");
        assert!(text.contains("Lý do: Quản trị viên khóa"), "{text}");
        assert!(
            text.contains("Vai trò: Người xem → Người xem, Lãnh đạo"),
            "{text}"
        );
        assert!(text.contains("Mục đích: Đặt lại mật khẩu"), "{text}");
        assert!(text.contains("Hết hạn: 10/03/2026"), "{text}");
        assert_eq!(audit_action("move_user"), "Chuyển đơn vị công tác");
    }

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
    fn a_change_reads_as_its_changed_fields() {
        let lines = changed_fields(
            Some(r#"{"status":"submitted","title":"A","version":3}"#),
            Some(r#"{"status":"returned","title":"A","version":4,"comment":"Bổ sung"}"#),
        );
        assert_eq!(
            lines,
            vec![
                "Ý kiến: Bổ sung",
                "Tình trạng: Đã gửi, chờ xem xét → Bị trả lại, cần bổ sung",
            ]
        );
        assert_eq!(changed_fields(None, Some("12")), vec!["Sau: 12"]);
        assert_eq!(
            changed_fields(
                None,
                Some(r#"{"period":"2026-12","unit_due_on":"2026-12-15"}"#)
            ),
            vec!["Kỳ: Tháng 12/2026", "Hạn nộp của đơn vị: 15/12/2026"]
        );
        assert!(changed_fields(None, None).is_empty());
        let long = format!(r#"{{"title":"{}"}}"#, "x".repeat(200));
        assert!(changed_fields(None, Some(&long))[0].chars().count() < 100);
    }

    #[test]
    fn codes_shown_to_people_are_words() {
        assert_eq!(audit_action("submit_report"), "Gửi báo cáo");
        assert_eq!(audit_action("something_new"), "Thao tác khác");
        assert_eq!(report_status("returned"), "Bị trả lại, cần bổ sung");
        assert_eq!(report_status("approved"), "Đã phê duyệt");
        assert!(!report_status("x").contains('_'));
    }
}
