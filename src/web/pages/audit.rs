//! The audit trail for administrators: a search (action, user, record,
//! dates) over their own subtree's entries, paged, and its CSV export,
//! which is itself written to the trail.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;

use super::Layout;
use super::attachments::attachment;
use crate::actions::accounts;
use crate::store::Page;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::labels;
use crate::web::params::AuditParams;
use crate::web::session::{ClientIp, PageAuth, encode_component};

pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub ip: String,
    pub action: &'static str,
    pub entity: String,
    /// What changed, one short line a field.
    pub changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    layout: Layout,
    username: String,
    entity_id: String,
    from: String,
    to: String,
    rows: Vec<AuditRow>,
    /// The actions and record kinds to search by: code, words, chosen.
    actions: Vec<(&'static str, &'static str, bool)>,
    entities: Vec<(&'static str, &'static str, bool)>,
    total: String,
    page: u32,
    prev_link: Option<String>,
    next_link: Option<String>,
    csv_link: String,
    error: Option<String>,
}

/// The search as a query string, to page and export the same search.
fn search_query(p: &AuditParams) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("action", &p.action),
        ("username", &p.username),
        ("entity", &p.entity),
        ("entity_id", &p.entity_id),
        ("from", &p.from),
        ("to", &p.to),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", encode_component(v)));
        }
    }
    parts.join("&")
}

/// A list of codes in words for a select, the chosen one marked; codes
/// sharing words are offered once.
fn choices(
    list: &'static [(&'static str, &'static str)],
    chosen: Option<&str>,
) -> Vec<(&'static str, &'static str, bool)> {
    let mut out: Vec<(&'static str, &'static str, bool)> = Vec::new();
    for (code, words) in list {
        if !out.iter().any(|(_, w, _)| w == words) || chosen == Some(*code) {
            out.push((code, words, chosen == Some(*code)));
        }
    }
    out
}

pub async fn show_audit(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(params): Query<AuditParams>,
) -> Result<Response, PageError> {
    use axum::response::IntoResponse;
    accounts::audit_scope(&state, &auth.principal).await?;
    let page = Page::new(params.page, params.per_page.or(Some(50)));
    let search = search_query(&params);
    let (rows, total, error) = match params.input().validate() {
        Ok(query) => {
            let listing = accounts::search_audit(&state, &auth.principal, &query, page).await?;
            let rows = listing
                .items
                .into_iter()
                .map(|e| AuditRow {
                    id: e.id,
                    at: labels::date_time(e.at),
                    username: e.username.unwrap_or_default(),
                    ip: e.ip.unwrap_or_default(),
                    action: labels::audit_action(&e.action),
                    entity: match e.entity_id {
                        Some(id) => format!("{} số {id}", labels::audit_entity(&e.entity)),
                        None => labels::audit_entity(&e.entity).to_string(),
                    },
                    changes: labels::changed_fields(e.before.as_deref(), e.after.as_deref()),
                })
                .collect();
            (rows, listing.total, None)
        }
        Err(e) => (Vec::new(), 0, Some(e.to_string())),
    };
    let link = |n: u32| {
        let sep = if search.is_empty() { "" } else { "&" };
        format!(
            "/admin/audit?{search}{sep}page={n}&per_page={}",
            page.per_page
        )
    };
    let shown_to = i64::from(page.page) * i64::from(page.per_page);
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let view = AuditPage {
        layout: Layout::new("Nhật ký hệ thống", &auth),
        username: params.username.clone().unwrap_or_default(),
        entity_id: params.entity_id.clone().unwrap_or_default(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        rows,
        actions: choices(labels::AUDIT_ACTIONS, params.action.as_deref()),
        entities: choices(labels::AUDIT_ENTITIES, params.entity.as_deref()),
        total: labels::int(total),
        page: page.page,
        prev_link: (page.page > 1).then(|| link(page.page - 1)),
        next_link: (shown_to < total).then(|| link(page.page + 1)),
        csv_link: format!("/admin/audit.csv?{search}"),
        error,
    };
    Ok((status, view).into_response())
}

pub async fn export_csv(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Query(params): Query<AuditParams>,
) -> Result<Response, PageError> {
    let query = params.input().validate().map_err(AppError::invalid)?;
    let csv = accounts::export_audit(&state, &auth.caller(&ip), &query).await?;
    let day = state.store.clock().today();
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("nhat-ky-{day}.csv"),
        csv.into_bytes(),
    ))
}
