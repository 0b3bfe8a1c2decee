//! Query parameters read the same way by a page and its API twin.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::actions::AppError;
use crate::domain::account::AuditQueryInput;
use crate::store::Page;

/// A search of the audit trail; dates are days in Vietnam, both included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub action: Option<String>,
    pub username: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Entries per page, 1 to 500 (default 50); out of range is refused.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

impl AuditParams {
    pub fn input(&self) -> AuditQueryInput<'_> {
        AuditQueryInput {
            action: self.action.as_deref(),
            username: self.username.as_deref(),
            entity: self.entity.as_deref(),
            entity_id: self.entity_id.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
        }
    }
}

/// A page asked for through the API: `page` from 1, `per_page` from 1 to
/// [`Page::MAX_PER_PAGE`]; a value out of range is refused, not capped.
pub fn checked_page(page: Option<u32>, per_page: Option<u32>) -> Result<Page, AppError> {
    if page == Some(0) {
        return Err(AppError::Invalid("Số trang (page) bắt đầu từ 1".into()));
    }
    if per_page.is_some_and(|n| n == 0 || n > Page::MAX_PER_PAGE) {
        return Err(AppError::Invalid(format!(
            "Số mục mỗi trang (per_page) phải từ 1 đến {}",
            Page::MAX_PER_PAGE
        )));
    }
    Ok(Page::new(page, per_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_out_of_range_are_refused() {
        assert!(checked_page(Some(0), None).is_err());
        assert!(checked_page(None, Some(0)).is_err());
        assert!(checked_page(None, Some(501)).is_err());
        let p = checked_page(Some(2), Some(500)).expect("in range");
        assert_eq!((p.page, p.per_page), (2, 500));
        let p = checked_page(None, None).expect("defaults");
        assert_eq!((p.page, p.per_page), (1, 50));
    }
}
