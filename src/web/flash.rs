//! "What just happened", said on the next page: after an action redirects,
//! a short-lived cookie names the outcome, the next page shows it once and
//! the cookie is cleared. No script is needed. The cookie carries only a
//! code and numbers from the fixed list below, never text, so a planted
//! cookie can at most show one of these sentences.

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::session::cookie;

pub const FLASH_COOKIE: &str = "theodoi_flash";

/// The outcome of an action, in the words of the page after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// A report's draft was saved; the number of evidence items attached.
    ReportSaved {
        evidence: u32,
    },
    /// A report was sent to the focal point.
    ReportSubmitted {
        evidence: u32,
    },
    EvidenceAdded,
    ReportAccepted,
    ReportReturned,
    RoundConsolidated,
    RoundApproved,
    AdHocRequested,
    SheetUploaded {
        rows: u32,
    },
    PlanImported {
        tasks: u32,
        drafts: u32,
        targets: u32,
    },
    Saved,
    /// A lead unit explained why its escalated task is late.
    Explained,
    /// What was kept when a session ended was put aside by the person.
    KeptDiscarded,
    /// An administrator disabled an account (its sessions ended).
    AccountDisabled,
    AccountEnabled,
    /// An administrator turned off an account's second factor.
    TotpReset,
}

impl Flash {
    fn code(self) -> String {
        match self {
            Flash::ReportSaved { evidence } => format!("report_saved.{evidence}"),
            Flash::ReportSubmitted { evidence } => format!("report_submitted.{evidence}"),
            Flash::EvidenceAdded => "evidence_added".into(),
            Flash::ReportAccepted => "report_accepted".into(),
            Flash::ReportReturned => "report_returned".into(),
            Flash::RoundConsolidated => "round_consolidated".into(),
            Flash::RoundApproved => "round_approved".into(),
            Flash::AdHocRequested => "ad_hoc_requested".into(),
            Flash::SheetUploaded { rows } => format!("sheet_uploaded.{rows}"),
            Flash::PlanImported {
                tasks,
                drafts,
                targets,
            } => format!("plan_imported.{tasks}.{drafts}.{targets}"),
            Flash::Saved => "saved".into(),
            Flash::Explained => "explained".into(),
            Flash::KeptDiscarded => "kept_discarded".into(),
            Flash::AccountDisabled => "account_disabled".into(),
            Flash::AccountEnabled => "account_enabled".into(),
            Flash::TotpReset => "totp_reset".into(),
        }
    }

    fn parse(code: &str) -> Option<Flash> {
        let mut parts = code.split('.');
        let name = parts.next()?;
        let mut number = || parts.next().and_then(|n| n.parse::<u32>().ok());
        Some(match name {
            "report_saved" => Flash::ReportSaved {
                evidence: number()?,
            },
            "report_submitted" => Flash::ReportSubmitted {
                evidence: number()?,
            },
            "evidence_added" => Flash::EvidenceAdded,
            "report_accepted" => Flash::ReportAccepted,
            "report_returned" => Flash::ReportReturned,
            "round_consolidated" => Flash::RoundConsolidated,
            "round_approved" => Flash::RoundApproved,
            "ad_hoc_requested" => Flash::AdHocRequested,
            "sheet_uploaded" => Flash::SheetUploaded { rows: number()? },
            "plan_imported" => Flash::PlanImported {
                tasks: number()?,
                drafts: number()?,
                targets: number()?,
            },
            "saved" => Flash::Saved,
            "explained" => Flash::Explained,
            "kept_discarded" => Flash::KeptDiscarded,
            "account_disabled" => Flash::AccountDisabled,
            "account_enabled" => Flash::AccountEnabled,
            "totp_reset" => Flash::TotpReset,
            _ => return None,
        })
    }

    pub fn message_vi(self) -> String {
        let with_evidence = |n: u32| {
            if n == 0 {
                String::new()
            } else {
                format!(", kèm {n} minh chứng")
            }
        };
        match self {
            Flash::ReportSaved { evidence } => format!(
                "Đã lưu nháp báo cáo{}. Báo cáo chưa được gửi: khi hoàn thành, bấm «Gửi báo cáo».",
                with_evidence(evidence)
            ),
            Flash::ReportSubmitted { evidence } => format!(
                "Đã gửi báo cáo{} đến đầu mối; báo cáo được khóa cho đến khi đầu mối xem xét.",
                with_evidence(evidence)
            ),
            Flash::EvidenceAdded => "Đã thêm minh chứng.".into(),
            Flash::ReportAccepted => {
                "Đã tiếp nhận báo cáo; số liệu đã được tính vào bảng điều hành.".into()
            }
            Flash::ReportReturned => "Đã trả lại báo cáo cho đơn vị kèm ý kiến để bổ sung.".into(),
            Flash::RoundConsolidated => {
                "Đã tổng hợp báo cáo của kỳ; chờ lãnh đạo phê duyệt.".into()
            }
            Flash::RoundApproved => "Đã phê duyệt báo cáo tổng hợp.".into(),
            Flash::AdHocRequested => "Đã yêu cầu các đơn vị báo cáo đột xuất.".into(),
            Flash::SheetUploaded { rows } => {
                format!("Đã cập nhật {rows} dòng từ bảng tính vào báo cáo của các đơn vị.")
            }
            Flash::PlanImported {
                tasks,
                drafts,
                targets,
            } => {
                let drafts = if drafts == 0 {
                    String::new()
                } else {
                    format!(" ({drafts} nhiệm vụ dự thảo chưa đủ «6 rõ», cần bổ sung rồi xác nhận)")
                };
                format!("Đã nhập kế hoạch: tạo {tasks} nhiệm vụ{drafts} và {targets} chỉ tiêu.")
            }
            Flash::Saved => "Đã lưu.".into(),
            Flash::Explained => {
                "Đã gửi lời giải trình; lãnh đạo xem được trên trang chủ và trong báo cáo tổng hợp."
                    .into()
            }
            Flash::KeptDiscarded => "Đã bỏ nội dung được giữ lại.".into(),
            Flash::AccountDisabled => {
                "Đã khóa tài khoản; mọi phiên đăng nhập của tài khoản đã kết thúc.".into()
            }
            Flash::AccountEnabled => "Đã mở lại tài khoản.".into(),
            Flash::TotpReset => {
                "Đã tắt xác thực hai lớp; người dùng đăng ký lại ở lần đăng nhập sau.".into()
            }
        }
    }

    /// The flash a request brings, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<Flash> {
        cookie(headers, FLASH_COOKIE).and_then(|c| Flash::parse(&c))
    }
}

/// A 303 to `to` that says `flash` on the page there.
pub fn redirect_with(to: &str, flash: Flash, secure_cookies: bool) -> Response {
    let secure = if secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=300{secure}",
        flash.code()
    );
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// Clears the flash once a page has shown it (any page that is not itself
/// a redirect), so it is said once.
pub fn clear_after_shown(res: &mut Response, secure_cookies: bool) {
    if res.status().is_redirection() {
        return;
    }
    let secure = if secure_cookies { "; Secure" } else { "" };
    let clear = format!("{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flash_reads_back_from_its_code() {
        for f in [
            Flash::ReportSaved { evidence: 2 },
            Flash::ReportSubmitted { evidence: 0 },
            Flash::EvidenceAdded,
            Flash::ReportAccepted,
            Flash::ReportReturned,
            Flash::RoundConsolidated,
            Flash::RoundApproved,
            Flash::AdHocRequested,
            Flash::SheetUploaded { rows: 7 },
            Flash::PlanImported {
                tasks: 12,
                drafts: 2,
                targets: 3,
            },
            Flash::Saved,
            Flash::KeptDiscarded,
        ] {
            assert_eq!(Flash::parse(&f.code()), Some(f));
        }
    }

    #[test]
    fn a_planted_cookie_shows_nothing_of_its_own() {
        assert_eq!(Flash::parse("<script>"), None);
        assert_eq!(Flash::parse("report_saved.x"), None);
        assert_eq!(Flash::parse("plan_imported.1"), None);
    }
}
