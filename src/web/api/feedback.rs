//! Citizen feedback over the API: the public calls (challenge, submit,
//! track, rate, erase, answered list, communes), which need no account and
//! return no personal data, and the staff calls (list, one, stats, route,
//! assign, answer), where personal data reaches only staff of the commune
//! concerned.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::feedback_dto::*;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::citizen::{self, Submission, person_for};
use crate::actions::feedback::{self, Answer, AssignTo, RouteTo};
use crate::domain::attachment::AttachedTo;
use crate::domain::feedback::{
    Contact, Feedback, FeedbackDraft, FeedbackStatus, Topic, group_code, satisfaction_percent,
};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, Auth, ClientIp};

fn out(state: &AppState, auth: &Auth, f: &Feedback) -> FeedbackOut {
    FeedbackOut::new(
        f,
        f.timing(state.store.clock().today()),
        person_for(state, &auth.principal, f),
    )
}

#[utoipa::path(get, path = "/api/public/challenge", tag = "public", security(()),
    responses((status = 200, body = ChallengeOut)))]
pub async fn challenge(State(state): State<AppState>) -> ApiJson<ChallengeOut> {
    let c = citizen::new_challenge(&state);
    ApiJson(ChallengeOut {
        question: c.question,
        token: c.token,
    })
}

#[utoipa::path(get, path = "/api/public/communes", tag = "public", security(()),
    responses((status = 200, body = [CommuneOut])))]
pub async fn communes(State(state): State<AppState>) -> Result<ApiJson<Vec<CommuneOut>>, ApiError> {
    let units = feedback::communes(&state).await?;
    Ok(ApiJson(
        units
            .into_iter()
            .map(|u| CommuneOut {
                id: u.id,
                name: u.name,
                province_id: u.province_id,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/public/feedback", tag = "public", security(()), request_body = FeedbackIn,
    responses((status = 201, body = SubmittedOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<FeedbackIn>,
) -> Result<(StatusCode, ApiJson<SubmittedOut>), ApiError> {
    let files = attachments(input.attachments, AttachedTo::Feedback)?;
    let submission = Submission {
        draft: FeedbackDraft {
            commune_id: Some(input.commune_id),
            topic: Topic::parse(&input.topic),
            content: input.content,
            contact: Contact {
                name: input.name,
                phone: input.phone,
                email: input.email,
            },
            notice_acknowledged: input.notice_acknowledged,
            contact_consent: input.contact_consent,
        },
        honeypot: input.website.unwrap_or_default(),
        challenge_token: input.challenge_token,
        challenge_answer: input.challenge_answer,
        files,
    };
    let (f, code) = citizen::submit(&state, &ip.0, submission).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(SubmittedOut {
            tracking_code: group_code(&code),
            status: f.status.as_str().to_string(),
            due_on: f.due_on.to_string(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/public/feedback/track", tag = "public", security(()), request_body = CodeIn,
    responses((status = 200, body = PublicFeedbackOut), (status = 422, body = ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<CodeIn>,
) -> Result<ApiJson<PublicFeedbackOut>, ApiError> {
    let f = citizen::find(&state, &ip.0, &input.tracking_code).await?;
    Ok(ApiJson(PublicFeedbackOut::from(&f)))
}

#[utoipa::path(post, path = "/api/public/feedback/rate", tag = "public", security(()), request_body = RateIn,
    responses((status = 200, body = PublicFeedbackOut), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<RateIn>,
) -> Result<ApiJson<PublicFeedbackOut>, ApiError> {
    let f = citizen::rate(
        &state,
        &ip.0,
        &input.tracking_code,
        input.satisfied,
        input.reason,
    )
    .await?;
    Ok(ApiJson(PublicFeedbackOut::from(&f)))
}

#[utoipa::path(post, path = "/api/public/feedback/erase", tag = "public", security(()), request_body = CodeIn,
    responses((status = 200, body = PublicFeedbackOut), (status = 422, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(input): ApiJson<CodeIn>,
) -> Result<ApiJson<PublicFeedbackOut>, ApiError> {
    let f = citizen::erase(&state, &ip.0, &input.tracking_code).await?;
    Ok(ApiJson(PublicFeedbackOut::from(&f)))
}

#[utoipa::path(get, path = "/api/public/feedback", tag = "public", security(()), params(PublicListParams),
    responses((status = 200, body = [AnsweredOut]), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answered(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicListParams>,
) -> Result<ApiJson<Vec<AnsweredOut>>, ApiError> {
    let list = feedback::answered(&state, q.commune_id, checked_page(q.page, Some(50))?).await?;
    Ok(ApiJson(list.items.iter().map(AnsweredOut::from).collect()))
}

#[utoipa::path(get, path = "/api/feedback", tag = "feedback", params(FeedbackParams),
    responses((status = 200, body = [FeedbackOut]), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<FeedbackParams>,
) -> Result<ApiJson<Vec<FeedbackOut>>, ApiError> {
    let p = &auth.principal;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            FeedbackStatus::parse(s)
                .ok_or_else(|| AppError::BadRequest(format!("Tình trạng không hợp lệ: {s}")))?,
        ),
    };
    checked_page(q.page, None)?;
    let list = feedback::list(&state, p, status, q.page).await?;
    Ok(ApiJson(
        list.items.iter().map(|f| out(&state, &auth, f)).collect(),
    ))
}

#[utoipa::path(get, path = "/api/feedback/{id}", tag = "feedback", params(("id" = i64, Path)),
    responses((status = 200, body = FeedbackOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FeedbackOut>, ApiError> {
    let (f, person) = feedback::get(&state, &auth.principal, id).await?;
    let timing = f.timing(state.store.clock().today());
    Ok(ApiJson(FeedbackOut::new(&f, timing, person)))
}

#[utoipa::path(get, path = "/api/feedback/stats", tag = "feedback", params(StatsParams),
    responses((status = 200, body = FeedbackStatsOut), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<StatsParams>,
) -> Result<ApiJson<FeedbackStatsOut>, ApiError> {
    let from = q
        .from
        .as_deref()
        .map(|t| parse_date(t, "Từ ngày (from)"))
        .transpose()?;
    let to =
        q.to.as_deref()
            .map(|t| parse_date(t, "Đến ngày (to)"))
            .transpose()?;
    let s = feedback::stats(&state, &auth.principal, from, to).await?;
    let c = s.counts;
    Ok(ApiJson(FeedbackStatsOut {
        from: s.from.to_string(),
        to: s.to.to_string(),
        received: c.received,
        answered_on_time: c.answered_on_time,
        answered_late: c.answered_late,
        open: c.open,
        overdue: c.overdue,
        rated: c.rated,
        satisfied: c.satisfied,
        satisfaction_percent: satisfaction_percent(c.satisfied, c.rated),
        initiatives_recognised: s.initiatives_recognised,
    }))
}

#[utoipa::path(post, path = "/api/feedback/{id}/route", tag = "feedback", params(("id" = i64, Path)), request_body = RouteIn,
    responses((status = 200, body = FeedbackOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn route(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RouteIn>,
) -> Result<ApiJson<FeedbackOut>, ApiError> {
    let to = RouteTo {
        commune_id: input.commune_id,
        version: input.version,
    };
    let f = feedback::route(&state, &auth.caller(&ip), id, Ok(to)).await?;
    Ok(ApiJson(out(&state, &auth, &f)))
}

#[utoipa::path(post, path = "/api/feedback/{id}/assign", tag = "feedback", params(("id" = i64, Path)), request_body = AssignIn,
    responses((status = 200, body = FeedbackOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignIn>,
) -> Result<ApiJson<FeedbackOut>, ApiError> {
    let to = AssignTo {
        unit_id: input.unit_id,
        version: input.version,
    };
    let f = feedback::assign(&state, &auth.caller(&ip), id, Ok(to)).await?;
    Ok(ApiJson(out(&state, &auth, &f)))
}

#[utoipa::path(post, path = "/api/feedback/{id}/answer", tag = "feedback", params(("id" = i64, Path)), request_body = AnswerIn,
    responses((status = 200, body = FeedbackOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnswerIn>,
) -> Result<ApiJson<FeedbackOut>, ApiError> {
    let answer = Answer {
        text: input.answer,
        publish: input.publish,
        version: input.version,
    };
    let f = feedback::answer(&state, &auth.caller(&ip), id, Ok(answer)).await?;
    Ok(ApiJson(out(&state, &auth, &f)))
}
