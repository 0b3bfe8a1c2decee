//! Reporting over the API: rounds, a unit's report, review, evidence,
//! consolidation, completeness, and task management.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Datelike;

use super::report_dto::*;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{manageable_plan, readable_plan};
use crate::domain::period::ReportingPeriod;
use crate::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft, timeliness};
use crate::store::{EvidenceInput, ItemComment, ReportEdits, ReportView, StoreError};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, Auth, ClientIp};

async fn followable_round(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> Result<crate::store::Round, AppError> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    if !auth.principal.can_follow_round(&round.scope_path) {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

async fn visible_report(state: &AppState, auth: &Auth, id: i64) -> Result<ReportView, AppError> {
    let view = state
        .store
        .report_view(id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !auth
        .principal
        .can_view_report(&view.round.scope_path, &view.report.unit_path)
    {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

fn report_out(state: &AppState, view: &ReportView) -> ReportOut {
    let t = timeliness(
        view.report.first_submitted_at,
        view.round.unit_due_on,
        state.store.clock().now_ms(),
    );
    ReportOut::new(view, t)
}

#[utoipa::path(get, path = "/api/rounds", tag = "reporting", params(RoundParams),
    responses((status = 200, body = [RoundOut]), (status = 404, body = ErrorBody)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<RoundParams>,
) -> Result<ApiJson<Vec<RoundOut>>, ApiError> {
    let plan = readable_plan(&state, &auth.principal, q.plan_id).await?;
    state
        .store
        .open_current_rounds_of(plan.id, state.store.clock().today())
        .await?;
    let rounds = state.store.rounds_of_plan(plan.id).await?;
    Ok(ApiJson(rounds.iter().map(RoundOut::from).collect()))
}

#[utoipa::path(post, path = "/api/rounds", tag = "reporting", request_body = AdHocRoundIn,
    responses((status = 201, body = RoundOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<AdHocRoundIn>,
) -> Result<(StatusCode, ApiJson<RoundOut>), ApiError> {
    let plan = manageable_plan(&state, &auth.principal, input.plan_id).await?;
    let title = input.title.trim().to_string();
    if title.is_empty() {
        return Err(AppError::Invalid("Hãy nêu nội dung cần báo cáo".into()).into());
    }
    let due = parse_date(&input.due, "Hạn báo cáo (due)")?;
    let today = state.store.clock().today();
    let period = ReportingPeriod::ad_hoc(today, due)
        .ok_or_else(|| AppError::Invalid("Hạn báo cáo không được ở quá khứ".into()))?;
    let round = state
        .store
        .open_round(plan.id, period, Some(title), Some(due), &auth.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, ApiJson(RoundOut::from(&round))))
}

#[utoipa::path(get, path = "/api/rounds/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetailOut), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    let round = followable_round(&state, &auth, id).await?;
    let (c, rows) = state.store.round_completeness(id).await?;
    let consolidated = state.store.consolidated(id).await?.map(|c| c.status);
    Ok(ApiJson(RoundDetailOut {
        round: RoundOut::from(&round),
        completeness: c.into(),
        reports: rows
            .iter()
            .map(|(r, t)| UnitReportOut::new(r, *t))
            .collect(),
        consolidated,
    }))
}

/// How many of the caller's reports the list gives, newest due date first:
/// a unit has one a round, so this is years of monthly rounds.
const MY_REPORTS_LIMIT: i64 = 100;

#[utoipa::path(get, path = "/api/reports", tag = "reporting", params(MyReportsParams),
    responses((status = 200, body = [MyReportOut]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_reports(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<MyReportsParams>,
) -> Result<ApiJson<Vec<MyReportOut>>, ApiError> {
    let p = &auth.principal;
    let store = &state.store;
    store
        .open_current_rounds_within(&p.read_path, store.clock().today())
        .await?;
    let now = store.clock().now_ms();
    let rows = store
        .reports_of_units(&p.unit_path, MY_REPORTS_LIMIT)
        .await?
        .into_iter()
        .filter(|(round, r)| {
            p.can_view_report(&round.scope_path, &r.unit_path)
                && (q.editable != Some(true) || r.status.is_editable())
        })
        .map(|(round, r)| MyReportOut {
            report: UnitReportOut::new(
                &r,
                timeliness(r.first_submitted_at, round.unit_due_on, now),
            ),
            plan_title: round.plan_title.clone(),
            round: RoundOut::from(&round),
        })
        .collect();
    Ok(ApiJson(rows))
}

#[utoipa::path(get, path = "/api/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<ReportOut>, ApiError> {
    let view = visible_report(&state, &auth, id).await?;
    Ok(ApiJson(report_out(&state, &view)))
}

#[utoipa::path(put, path = "/api/reports/{id}", tag = "reporting", params(("id" = i64, Path)), request_body = ReportIn,
    responses((status = 200, body = ReportOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_report(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportIn>,
) -> Result<ApiJson<ReportOut>, ApiError> {
    let view = visible_report(&state, &auth, id).await?;
    if !auth.principal.can_report_for(&view.report.unit_path) {
        return Err(AppError::Forbidden.into());
    }
    let mut edits = ReportEdits {
        notes: Some((input.difficulties, input.recommendations)),
        ..ReportEdits::default()
    };
    for t in input.tasks {
        let status = t
            .status
            .as_deref()
            .map(|s| {
                TaskStatus::parse(s)
                    .ok_or_else(|| AppError::Invalid(format!("Tình trạng không hợp lệ: {s}")))
            })
            .transpose()?;
        let draft = TaskUpdateDraft {
            status,
            percent: t.percent,
            result: t.result,
            suspend_reason: t.suspend_reason,
        }
        .validate()
        .map_err(|e| AppError::Invalid(format!("Nhiệm vụ {}: {e}", t.task_id)))?;
        edits.tasks.push((t.task_id, t.version, draft));
    }
    for g in input.targets {
        let draft = TargetFigureDraft {
            value: g.value,
            source: g.source,
        }
        .validate()
        .map_err(AppError::invalid)?;
        edits.targets.push((g.target_id, g.version, draft));
    }
    match state
        .store
        .save_report_on(&view, edits, input.submit, &auth.actor(&ip))
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            let current = state
                .store
                .report_view(id)
                .await?
                .map(|v| report_out(&state, &v));
            return Err(AppError::Conflict {
                current: current.and_then(|c| serde_json::to_value(c).ok()),
            }
            .into());
        }
        Err(e) => return Err(e.into()),
    }
    let view = visible_report(&state, &auth, id).await?;
    Ok(ApiJson(report_out(&state, &view)))
}

#[utoipa::path(post, path = "/api/reports/{id}/review", tag = "reporting", params(("id" = i64, Path)), request_body = ReviewIn,
    responses((status = 200, body = ReportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_report(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewIn>,
) -> Result<ApiJson<ReportOut>, ApiError> {
    let view = visible_report(&state, &auth, id).await?;
    if !auth.principal.can_review(&view.round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    let accept = match input.decision.as_str() {
        "accept" => true,
        "return" => false,
        other => return Err(AppError::Invalid(format!("Quyết định không hợp lệ: {other}")).into()),
    };
    let comment = input.comment.filter(|c| !c.trim().is_empty());
    if !accept && comment.is_none() {
        return Err(AppError::Invalid(
            crate::domain::report::ReportError::MissingReturnReason.to_string(),
        )
        .into());
    }
    let mut items = Vec::new();
    for i in input.items {
        items.push(match (i.task_id, i.target_id) {
            (Some(t), None) => ItemComment::Task(t, i.comment),
            (None, Some(g)) => ItemComment::Target(g, i.comment),
            _ => {
                return Err(AppError::Invalid(
                    "Mỗi ý kiến cần đúng một task_id hoặc target_id".into(),
                )
                .into());
            }
        });
    }
    state
        .store
        .review_report(id, accept, comment, items, &auth.actor(&ip))
        .await?;
    let view = visible_report(&state, &auth, id).await?;
    Ok(ApiJson(report_out(&state, &view)))
}

#[utoipa::path(post, path = "/api/reports/{id}/evidence", tag = "reporting", params(("id" = i64, Path)), request_body = EvidenceIn,
    responses((status = 201, body = EvidenceOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<EvidenceIn>,
) -> Result<(StatusCode, ApiJson<EvidenceOut>), ApiError> {
    let view = visible_report(&state, &auth, id).await?;
    if !auth.principal.can_report_for(&view.report.unit_path) {
        return Err(AppError::Forbidden.into());
    }
    let evidence = match (input.number.filter(|n| !n.trim().is_empty()), input.url) {
        (Some(number), _) => EvidenceInput::Document {
            number,
            date: input
                .date
                .as_deref()
                .map(|d| parse_date(d, "Ngày văn bản"))
                .transpose()?,
        },
        (None, Some(url))
            if (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= 2000 =>
        {
            EvidenceInput::Link { url }
        }
        _ => {
            return Err(AppError::Invalid(
                "Cần số văn bản, hoặc đường dẫn http(s); tệp được tải lên qua trang báo cáo".into(),
            )
            .into());
        }
    };
    let e = state
        .store
        .add_evidence(id, input.task_id, evidence, &auth.actor(&ip))
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(EvidenceOut {
            id: e.id,
            kind: e.kind.clone(),
            description: e.describe(),
            sha256: e.blob_sha256.clone(),
            url: e.url.clone(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/rounds/{id}/consolidate", tag = "reporting", params(("id" = i64, Path)), request_body = ConsolidateIn,
    responses((status = 200, body = RoundDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consolidate_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ConsolidateIn>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    let round = followable_round(&state, &auth, id).await?;
    if !auth.principal.can_review(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    state
        .store
        .consolidate_round(id, input.number, &auth.actor(&ip))
        .await?;
    get_round(State(state), ApiAuth(auth), ApiPath(id)).await
}

#[utoipa::path(post, path = "/api/rounds/{id}/approve", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    let round = followable_round(&state, &auth, id).await?;
    if !auth.principal.can_approve(&round.scope_path) {
        return Err(AppError::Forbidden.into());
    }
    state.store.approve_round(id, &auth.actor(&ip)).await?;
    get_round(State(state), ApiAuth(auth), ApiPath(id)).await
}

#[utoipa::path(get, path = "/api/completeness", tag = "reporting", params(CompletenessParams),
    responses((status = 200, body = [CommuneCompletenessOut]), (status = 401, body = ErrorBody)))]
pub async fn completeness(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<CompletenessParams>,
) -> Result<ApiJson<Vec<CommuneCompletenessOut>>, ApiError> {
    let today = state.store.clock().today();
    let from = match q.from.as_deref() {
        Some(d) => parse_date(d, "from")?,
        None => today.with_day(1).unwrap_or(today),
    };
    let to = match q.to.as_deref() {
        Some(d) => parse_date(d, "to")?,
        None => today,
    };
    let rows = state
        .store
        .completeness_by_commune(&auth.principal.read_path, from, to)
        .await?;
    Ok(ApiJson(
        rows.into_iter()
            .map(|(id, name, c)| CommuneCompletenessOut {
                commune_id: id,
                commune_name: name,
                completeness: c.into(),
            })
            .collect(),
    ))
}
