//! The OpenAPI 3 document, generated from the handlers' annotations so it
//! cannot drift from the code.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::ApiJson;
use super::dto::*;
use super::feedback_dto::*;
use super::report_dto::*;
use crate::web::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(title = "Theo Dõi API", description = "Theo dõi thực hiện Nghị quyết 57-NQ/TW: đơn vị, kế hoạch, nhiệm vụ, chỉ tiêu, báo cáo, phản ánh kiến nghị của người dân và sáng kiến."),
    paths(
        super::auth::login, super::auth::logout, super::auth::me,
        super::account::login_totp, super::account::logout_all, super::account::change_password,
        super::account::totp_start, super::account::totp_confirm, super::account::list_users,
        super::account::enable_user, super::account::reset_totp, super::account::set_roles,
        super::account::audit,
        super::units::list_units, super::units::get_unit, super::units::create_unit, super::units::update_unit,
        super::plans::list_plans, super::plans::get_plan, super::plans::create_plan, super::plans::update_plan,
        super::tasks::list_tasks, super::tasks::get_task, super::tasks::create_task, super::tasks::update_task,
        super::targets::list_targets, super::targets::get_target, super::targets::create_target, super::targets::update_target,
        super::reports::list_rounds, super::reports::create_round, super::reports::get_round,
        super::reports::get_report, super::reports::save_report, super::reports::review_report,
        super::reports::add_evidence, super::reports::consolidate_round, super::reports::approve_round,
        super::reports::completeness, super::reports::change_deadline, super::reports::set_not_applicable,
        super::reports::split_task, super::dashboard::dashboard,
        super::feedback::challenge, super::feedback::communes, super::feedback::submit,
        super::feedback::track, super::feedback::rate, super::feedback::erase, super::feedback::answered,
        super::feedback::list, super::feedback::get_one, super::feedback::stats, super::feedback::route,
        super::feedback::assign, super::feedback::answer,
        super::initiatives::public_list, super::initiatives::list, super::initiatives::create,
        super::initiatives::get_one, super::initiatives::reviewers, super::initiatives::score,
        super::initiatives::decide, super::initiatives::auto_figures, super::initiatives::link_source,
    ),
    components(schemas(ErrorBody, ErrorDetail, UnitOut, UnitIn, PlanOut, PlanIn, ReportingOut, TaskOut, TaskIn,
        TargetOut, TargetIn, GoalOut, GoalIn, MentionOut, MentionIn, DeadlineOut, LoginIn, LoginOut, MeOut,
        LoginResult, SecondStepOut, super::account::TotpLoginIn, super::account::LogoutAllOut,
        super::account::PasswordIn, super::account::EnrolmentOut, super::account::CodeIn,
        super::account::UserOut, super::account::RolesIn, super::account::AuditEntryOut,
        super::account::AuditPageOut,
        RoundOut, RoundDetailOut, CompletenessOut, UnitReportOut, ReportOut, TaskItemOut, TargetItemOut,
        EvidenceOut, ReportIn, TaskItemIn, TargetItemIn, ReviewIn, ItemCommentIn, EvidenceIn, AdHocRoundIn,
        ConsolidateIn, DeadlineIn, NotApplicableIn, SplitIn, CommuneCompletenessOut,
        super::dashboard::DashboardOut, super::dashboard::RankOut, crate::web::figures::Figures,
        crate::web::figures::TaskFigures, crate::web::figures::TargetFigures, crate::web::figures::ReportFigures,
        ChallengeOut, AttachmentIn, FeedbackIn, SubmittedOut, CodeIn, RateIn, PublicFeedbackOut, AnsweredOut,
        CommuneOut, ContactOut, FeedbackOut, RouteIn, AssignIn, AnswerIn, FeedbackStatsOut, InitiativeIn,
        ReviewOut, CriterionOut, InitiativeOut, InitiativeDetailOut, ReviewersIn, ScoreIn, DecisionIn,
        SourceIn, AutoFigureOut, TargetSourceOut)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(ApiDoc::openapi())
}
