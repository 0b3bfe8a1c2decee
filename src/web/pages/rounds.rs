//! A reporting round as the focal point and leaders see it: who reported,
//! on time or not, the consolidated report, and ad-hoc requests.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::actions::access::readable_plan;
use crate::domain::period::ReportingPeriod;
use crate::domain::report::Timeliness;
use crate::store::Round;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::FormPairs;
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
    error: Option<String>,
}

pub async fn load_round(state: &AppState, auth: &Auth, id: i64) -> Result<Round, AppError> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    if !auth.principal.can_follow_round(&round.scope_path) {
        return Err(AppError::NotFound);
    }
    Ok(round)
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

async fn round_page(state: &AppState, auth: &Auth, round: Round) -> Result<RoundPage, AppError> {
    let p = &auth.principal;
    let (c, rows) = state.store.round_completeness(round.id).await?;
    let consolidated = state.store.consolidated(round.id).await?;
    let accepted = rows
        .iter()
        .filter(|(r, _)| r.status == crate::domain::report::ReportStatus::Accepted)
        .count();
    let can_review = p.can_review(&round.scope_path);
    Ok(RoundPage {
        layout: Layout::new(round.label_vi(), auth),
        id: round.id,
        plan_id: round.plan_id,
        plan_title: round.plan_title.clone(),
        label: round.label_vi(),
        unit_due: round.unit_due_on.format("%d/%m/%Y").to_string(),
        consolidated_due: round.consolidated_due_on.format("%d/%m/%Y").to_string(),
        expected: c.expected,
        on_time: c.on_time,
        late: c.late,
        missing: c.missing,
        not_due: c.not_due,
        received_rate: format!("{:.0}%", c.received_rate()),
        on_time_rate: format!("{:.0}%", c.on_time_rate()),
        units: rows
            .iter()
            .map(|(r, t)| UnitRow {
                report_id: r.id,
                unit_name: r.unit_name.clone(),
                status: r.status.label_vi(),
                timeliness: t.label_vi(),
                late: matches!(t, Timeliness::Late | Timeliness::Missing),
                submitted: time_text(r.first_submitted_at),
                reviewable: can_review
                    && r.status == crate::domain::report::ReportStatus::Submitted,
            })
            .collect(),
        accepted,
        consolidated: match &consolidated {
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
            && consolidated
                .as_ref()
                .is_some_and(|c| c.status == "consolidated"),
        can_consolidate: can_review
            && accepted > 0
            && consolidated.as_ref().is_none_or(|c| c.status != "approved"),
        error: None,
    })
}

pub async fn show_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<RoundPage, PageError> {
    let round = load_round(&state, &auth, id).await?;
    Ok(round_page(&state, &auth, round).await?)
}

/// The focal point asks for an ad-hoc report with its own due date.
pub async fn create_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let plan = readable_plan(&state, &auth.principal, plan_id).await?;
    if !auth.principal.can_manage(&plan.issuer_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let title = f
        .optional("title")
        .ok_or_else(|| AppError::Invalid("Hãy nêu nội dung cần báo cáo".into()))?;
    let due = f
        .date("due", "Hạn báo cáo")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn hạn báo cáo".into()))?;
    let today = state.store.clock().today();
    if due < today {
        return Err(AppError::Invalid("Hạn báo cáo không được ở quá khứ".into()).into());
    }
    let period = ReportingPeriod::ad_hoc(today, due)
        .ok_or_else(|| AppError::Invalid("Hạn báo cáo không hợp lệ".into()))?;
    let round = state
        .store
        .open_round(plan_id, period, Some(title), Some(due), &auth.actor(&ip))
        .await?;
    Ok(Redirect::to(&format!("/rounds/{}", round.id)).into_response())
}

pub async fn consolidate_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    if !auth.principal.can_review(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    match state
        .store
        .consolidate_round(id, f.optional("number"), &auth.actor(&ip))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rounds/{id}")).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let mut page = round_page(&state, &auth, round).await?;
            page.error = Some(e.to_string());
            Ok((e.status(), page).into_response())
        }
    }
}

pub async fn approve_round(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let round = load_round(&state, &auth, id).await?;
    if !auth.principal.can_approve(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    state.store.approve_round(id, &auth.actor(&ip)).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}
