//! The one error type of every action, in words for people (Vietnamese).
//! The web layer renders it once: as an HTML page for the site and as a
//! JSON error with a stable code for the API (`web/error.rs`).

use crate::domain::external::{ExternalId, RecordKind};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Không tìm thấy trang hoặc dữ liệu yêu cầu")]
    NotFound,
    #[error("Bạn cần đăng nhập để tiếp tục")]
    Unauthorized,
    #[error("Bạn không có quyền thực hiện thao tác này")]
    Forbidden,
    #[error("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang và thử lại")]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Invalid(String),
    /// A sheet refused as a whole: the reason, and each bad row with its
    /// own (row 0 is the file itself).
    #[error("{message}")]
    BadSheet {
        message: String,
        rows: Vec<crate::domain::onboarding::RowProblem>,
    },
    #[error("Dữ liệu đã được người khác thay đổi; hãy xem giá trị hiện tại và lưu lại")]
    Conflict { current: Option<serde_json::Value> },
    #[error("Dữ liệu đã tồn tại: {0}")]
    Duplicate(String),
    /// Another record of the kind carries the external id sent.
    #[error(
        "Mã liên thông {external} đã được gán cho {} khác{}",
        kind.label_vi(),
        holder.map(|id| format!(" (số {id})")).unwrap_or_default()
    )]
    ExternalIdTaken {
        kind: RecordKind,
        external: ExternalId,
        holder: Option<i64>,
    },
    #[error("{0}")]
    TooManyRequests(String),
    #[error("Dữ liệu gửi lên quá lớn")]
    PayloadTooLarge,
    #[error("Hệ thống gặp lỗi; vui lòng thử lại sau")]
    Internal(String),
    #[error(
        "Tài khoản quản trị phải bật xác thực hai lớp trước khi làm việc khác (trang /account/totp)"
    )]
    TotpEnrolmentRequired,
}

impl AppError {
    pub fn invalid(e: impl std::fmt::Display) -> AppError {
        AppError::Invalid(e.to_string())
    }

    /// Refusals a person can put right on the form they sent (a wrong
    /// value, a stale version, too many tries): the page shows the form
    /// again with the message instead of an error page.
    pub fn is_correctable(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_)
                | AppError::BadSheet { .. }
                | AppError::Conflict { .. }
                | AppError::Duplicate(_)
                | AppError::ExternalIdTaken { .. }
                | AppError::TooManyRequests(_)
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { .. } => AppError::Conflict { current: None },
            StoreError::Duplicate(what) => AppError::Duplicate(what),
            StoreError::ExternalIdTaken {
                kind,
                external,
                holder,
            } => AppError::ExternalIdTaken {
                kind,
                external,
                holder,
            },
            StoreError::Refused(message) => AppError::Invalid(message),
            StoreError::InvalidReference(what) => {
                AppError::Invalid(format!("Tham chiếu không hợp lệ: {what}"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}
