//! Query parameters read the same way by a page and its API twin.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::account::AuditQueryInput;

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
    pub page: Option<u32>,
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
