//! A reporting round as the focal point and leaders see it: who reported,
//! on time or not, the consolidated report, and ad-hoc requests.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::Layout;
use crate::actions::rounds::{self, AdHocRequest, RoundDetail};
use crate::domain::report::{ReportStatus, Timeliness};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels::round_label;
use crate::web::session::{Auth, ClientIp, PageAuth};

pub struct UnitRow {
    pub report_id: i64,
    pub unit_name: String,
    pub status: &'static str,
    pub timeliness: &'static str,
    pub late: bool,
    pub submitted: String,
    pub reviewable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "round.html")]
pub struct RoundPage {
    layout: Layout,
    id: i64,
    plan_id: i64,
    plan_title: String,
    label: String,
    unit_due: String,
    consolidated_due: String,
    expected: i64,
    on_time: i64,
    late: i64,
    missing: i64,
    not_due: i64,
    received_rate: String,
    on_time_rate: String,
    units: Vec<UnitRow>,
    accepted: usize,
    consolidated: String,
    can_review: bool,
    can_approve: bool,
    can_consolidate: bool,
    /// Units that have not sent their report, named before consolidating.
    missing_units: Vec<String>,
    error: Option<String>,
}

fn time_text(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| {
            (t + chrono::Duration::hours(7))
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn round_page(auth: &Auth, d: &RoundDetail) -> RoundPage {
    let p = &auth.principal;
    let round = &d.round;
    let c = &d.completeness;
    let accepted = d.accepted();
    let consolidated = d.consolidated.as_ref();
    let can_review = p.can_review(&round.scope_path);
    RoundPage {
        layout: Layout::new(round_label(round), auth),
        id: round.id,
        plan_id: round.plan_id,
        plan_title: round.plan_title.clone(),
        label: round_label(round),
        unit_due: round.unit_due_on.format("%d/%m/%Y").to_string(),
        consolidated_due: round.consolidated_due_on.format("%d/%m/%Y").to_string(),
        expected: c.expected,
        on_time: c.on_time,
        late: c.late,
        missing: c.missing,
        not_due: c.not_due,
        received_rate: format!("{}%", crate::web::labels::number(c.received_rate(), 1)),
        on_time_rate: format!("{}%", crate::web::labels::number(c.on_time_rate(), 1)),
        units: d
            .reports
            .iter()
            .map(|(r, t)| UnitRow {
                report_id: r.id,
                unit_name: r.unit_name.clone(),
                status: r.status.label_vi(),
                timeliness: t.label_vi(),
                late: matches!(t, Timeliness::Late | Timeliness::Missing),
                submitted: time_text(r.first_submitted_at),
                reviewable: can_review && r.status == ReportStatus::Submitted,
            })
            .collect(),
        accepted,
        consolidated: match consolidated {
            None => "Chưa tổng hợp".into(),
            Some(c) if c.status == "approved" => {
                format!("Đã phê duyệt lúc {}", time_text(c.approved_at))
            }
            Some(c) => format!(
                "Đã tổng hợp lúc {}, chờ lãnh đạo phê duyệt",
                time_text(c.consolidated_at)
            ),
        },
        can_review,
        can_approve: p.can_approve(&round.scope_path)
            && consolidated.is_some_and(|c| c.status == "consolidated"),
        can_consolidate: can_review
            && accepted > 0
            && consolidated.is_none_or(|c| c.status != "approved"),
        missing_units: d.missing_units(),
        error: None,
    }
}

pub async fn show_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<RoundPage, PageError> {
    let detail = rounds::detail(&state, &auth.principal, id).await?;
    Ok(round_page(&auth, &detail))
}

/// The focal point asks for an ad-hoc report with its own due date.
pub async fn create_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let request = AdHocRequest {
        plan_id,
        title: f.text("title"),
        due: f
            .date("due", "Hạn báo cáo")?
            .ok_or_else(|| AppError::Invalid("Hãy chọn hạn báo cáo".into()))?,
    };
    let round = rounds::open_ad_hoc(&state, &auth.caller(&ip), request).await?;
    let to = format!("/rounds/{}", round.id);
    Ok(redirect_with(
        &to,
        Flash::AdHocRequested,
        state.config.secure_cookies,
    ))
}

pub async fn consolidate_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let result = rounds::consolidate(&state, &auth.caller(&ip), id, f.optional("number")).await;
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |_| redirect_with(&format!("/rounds/{id}"), Flash::RoundConsolidated, secure),
        |e| async move {
            let detail = rounds::detail(&state, &auth.principal, id).await?;
            let mut page = round_page(&auth, &detail);
            page.error = Some(e.to_string());
            Ok(page)
        },
    )
    .await
}

pub async fn approve_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    rounds::approve(&state, &auth.caller(&ip), id).await?;
    let to = format!("/rounds/{id}");
    Ok(redirect_with(
        &to,
        Flash::RoundApproved,
        state.config.secure_cookies,
    ))
}
