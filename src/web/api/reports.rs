//! Reporting over the API: rounds, a unit's report, review, evidence,
//! consolidation and completeness. Each handler reads the request into an
//! action's input, calls the action (`actions::reports`,
//! `actions::rounds`) and shapes the answer.

use axum::extract::State;
use axum::http::StatusCode;

use super::report_dto::*;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::Edit;
use crate::actions::cascade;
use crate::actions::reports::{
    self, EvidenceDraft, ReportInput, ReviewInput, TargetItemInput, TaskItemInput, parse_decision,
    parse_status,
};
use crate::actions::rounds::{self, AdHocRequest, RoundDetail};
use crate::domain::report::timeliness;
use crate::domain::round::{ItemComment, ReportView};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::labels::evidence_label;
use crate::web::session::{ApiAuth, ClientIp};

fn report_out(state: &AppState, view: &ReportView) -> ReportOut {
    let t = timeliness(
        view.report.first_submitted_at,
        view.round.unit_due_on,
        state.store.clock().now_ms(),
    );
    ReportOut::new(view, t)
}

fn round_detail_out(d: RoundDetail) -> RoundDetailOut {
    RoundDetailOut {
        missing_units: d.missing_units(),
        round: RoundOut::from(&d.round),
        completeness: d.completeness.into(),
        reports: d
            .reports
            .iter()
            .map(|(r, t)| UnitReportOut::new(r, *t))
            .collect(),
        consolidated: d.consolidated.map(|c| c.status),
    }
}

#[utoipa::path(get, path = "/api/rounds", tag = "reporting", params(RoundParams),
    responses((status = 200, body = [RoundOut]), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<RoundParams>,
) -> Result<ApiJson<Vec<RoundOut>>, ApiError> {
    let rounds = rounds::rounds_of_plan(&state, &auth.principal, q.plan_id).await?;
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
    let request = AdHocRequest {
        plan_id: input.plan_id,
        title: input.title,
        due: parse_date(&input.due, "Hạn báo cáo (due)")?,
    };
    let round = rounds::open_ad_hoc(&state, &auth.caller(&ip), request).await?;
    Ok((StatusCode::CREATED, ApiJson(RoundOut::from(&round))))
}

#[utoipa::path(get, path = "/api/rounds/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetailOut), (status = 404, body = ErrorBody)))]
pub async fn get_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    let detail = rounds::detail(&state, &auth.principal, id).await?;
    Ok(ApiJson(round_detail_out(detail)))
}

#[utoipa::path(get, path = "/api/reports", tag = "reporting", params(MyReportsParams),
    responses((status = 200, body = [MyReportOut]), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn my_reports(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<MyReportsParams>,
) -> Result<ApiJson<Vec<MyReportOut>>, ApiError> {
    let mine = reports::my_reports(&state, &auth.principal, q.editable == Some(true)).await?;
    let now = state.store.clock().now_ms();
    Ok(ApiJson(
        mine.into_iter()
            .map(|(round, r)| MyReportOut {
                report: UnitReportOut::new(
                    &r,
                    timeliness(r.first_submitted_at, round.unit_due_on, now),
                ),
                plan_title: round.plan_title.clone(),
                round: RoundOut::from(&round),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/reports/{id}", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody)))]
pub async fn get_report(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<ReportOut>, ApiError> {
    let view = reports::report(&state, &auth.principal, id).await?;
    Ok(ApiJson(report_out(&state, &view)))
}

/// A field absent (or null) in the request is left as it is; an empty
/// string clears a text or the status.
fn input_from(input: ReportIn) -> Result<ReportInput, AppError> {
    let mut tasks = Vec::new();
    for t in input.tasks {
        tasks.push(TaskItemInput {
            task_id: t.task_id,
            version: t.version,
            status: match t.status.as_deref() {
                None => Edit::Keep,
                Some(code) => Edit::Set(parse_status(code)?),
            },
            percent: t.percent.map_or(Edit::Keep, |p| Edit::Set(Some(p))),
            result: Edit::text(t.result),
            suspend_reason: Edit::text(t.suspend_reason),
            nothing_this_period: t
                .nothing_this_period
                .map_or(Edit::Keep, |n| Edit::Set(Some(n))),
        });
    }
    Ok(ReportInput {
        tasks,
        targets: input
            .targets
            .into_iter()
            .map(|g| TargetItemInput {
                target_id: g.target_id,
                version: g.version,
                value: g.value.map_or(Edit::Keep, |v| Edit::Set(Some(v))),
                source: Edit::text(g.source),
                no_data_reason: Edit::text(g.no_data_reason),
                nothing_this_period: g
                    .nothing_this_period
                    .map_or(Edit::Keep, |n| Edit::Set(Some(n))),
            })
            .collect(),
        difficulties: Edit::text(input.difficulties),
        recommendations: Edit::text(input.recommendations),
        evidence: Vec::new(),
        directions: input
            .directions
            .into_iter()
            .map(|d| (d.direction_id, d.answer))
            .collect(),
        submit: input.submit,
    })
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
    let input = input_from(input)?;
    // The answer is the report as read for the save, with what it wrote.
    let saved = match reports::save(&state, &auth.caller(&ip), id, input).await {
        Ok(saved) => saved.view,
        // A conflict carries the report as it is now, to merge from.
        Err(AppError::Conflict { .. }) => {
            let current = reports::report(&state, &auth.principal, id)
                .await
                .ok()
                .and_then(|v| serde_json::to_value(report_out(&state, &v)).ok());
            return Err(AppError::Conflict { current }.into());
        }
        Err(e) => return Err(e.into()),
    };
    let view = match saved {
        Some(view) => view,
        None => reports::report(&state, &auth.principal, id).await?,
    };
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
    let review = ReviewInput {
        accept: parse_decision(&input.decision)?,
        comment: input.comment,
        items,
    };
    let view = reports::review(&state, &auth.caller(&ip), id, review).await?;
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
    let draft = EvidenceDraft {
        task_id: input.task_id,
        file: None,
        number: input.number,
        date: input
            .date
            .as_deref()
            .map(|d| parse_date(d, "Ngày văn bản"))
            .transpose()?,
        url: input.url,
    };
    let e = reports::add_evidence(&state, &auth.caller(&ip), id, draft).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(EvidenceOut {
            id: e.id,
            kind: e.kind.clone(),
            description: evidence_label(&e),
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
    let detail = rounds::consolidate(&state, &auth.caller(&ip), id, input.number).await?;
    Ok(ApiJson(round_detail_out(detail)))
}

#[utoipa::path(post, path = "/api/rounds/{id}/approve", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    let detail = rounds::approve(&state, &auth.caller(&ip), id).await?;
    Ok(ApiJson(round_detail_out(detail)))
}

#[utoipa::path(get, path = "/api/completeness", tag = "reporting", params(CompletenessParams),
    responses((status = 200, body = [CommuneCompletenessOut]), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn completeness(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<CompletenessParams>,
) -> Result<ApiJson<Vec<CommuneCompletenessOut>>, ApiError> {
    let from = q
        .from
        .as_deref()
        .map(|d| parse_date(d, "from"))
        .transpose()?;
    let to = q.to.as_deref().map(|d| parse_date(d, "to")).transpose()?;
    let rows = rounds::completeness_by_commune(&state, &auth.principal, from, to).await?;
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

#[utoipa::path(get, path = "/api/rounds/{id}/communes", tag = "reporting", params(("id" = i64, Path)),
    responses((status = 200, body = CommuneReportsOut), (status = 404, body = ErrorBody)))]
pub async fn commune_reports(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<CommuneReportsOut>, ApiError> {
    use crate::domain::cascade::CommuneReportState as S;
    let view = cascade::commune_reports(&state, &auth.principal, id).await?;
    let count = |s: S| view.communes.iter().filter(|c| c.state == s).count();
    Ok(ApiJson(CommuneReportsOut {
        round: RoundOut::from(&view.round),
        on_time: count(S::OnTime),
        late: count(S::Late),
        missing: count(S::Missing),
        waiting: count(S::Waiting),
        returned: count(S::Returned),
        communes: view
            .communes
            .into_iter()
            .map(|c| CommuneReportOut {
                commune_id: c.commune.unit_id,
                commune_name: c.commune.unit_name,
                plan_id: c.commune.plan_id,
                round_id: c.commune.round_id,
                due_on: c.due_on.to_string(),
                state: serde_json::to_value(c.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                state_label: c.state.label_vi().to_string(),
                status: c.commune.status,
                number: c.commune.number,
                consolidated_at: c.commune.consolidated_at,
                return_reason: c.commune.return_reason,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/api/rounds/{id}/return", tag = "reporting", params(("id" = i64, Path)), request_body = ReturnIn,
    responses((status = 200, body = RoundDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn return_round(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReturnIn>,
) -> Result<ApiJson<RoundDetailOut>, ApiError> {
    cascade::return_commune_report(&state, &auth.caller(&ip), id, &input.reason).await?;
    let detail = rounds::detail(&state, &auth.principal, id).await?;
    Ok(ApiJson(round_detail_out(detail)))
}
