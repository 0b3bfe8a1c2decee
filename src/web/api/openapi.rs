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
        super::account::totp_start, super::account::totp_confirm, super::staff::list_users,
        super::account::enable_user, super::account::reset_totp, super::account::set_roles,
        super::staff::get_user, super::staff::create_user, super::staff::update_user,
        super::staff::disable_user, super::staff::reset_password, super::staff::enrol,
        super::staff::forgot_password,
        super::account::audit,
        super::units::list_units, super::units::get_unit, super::units::create_unit, super::units::update_unit,
        super::units::rename_unit, super::units::unit_names, super::units::merge_units,
        super::units::changes, super::exchange::find_by_external, super::exchange::export_json,
        super::unit_history::split_unit, super::unit_history::move_unit,
        super::unit_history::dissolve_unit, super::unit_history::history,
        super::onboarding::onboard, super::onboarding::apply_template,
        super::plans::list_plans, super::plans::get_plan, super::plans::create_plan, super::plans::update_plan,
        super::tasks::list_tasks, super::tasks::get_task, super::tasks::create_task, super::tasks::update_task,
        super::targets::list_targets, super::targets::get_target, super::targets::create_target, super::targets::update_target,
        super::reports::list_rounds, super::reports::create_round, super::reports::get_round,
        super::reports::my_reports, super::reports::get_report, super::reports::save_report, super::reports::review_report,
        super::reports::add_evidence, super::reports::consolidate_round, super::reports::approve_round,
        super::reports::completeness, super::reviews::download_review, super::tasks::change_deadline, super::tasks::set_not_applicable,
        super::tasks::split_task, super::escalations::list, super::escalations::explain,
        super::directions::give, super::directions::list,
        super::extensions::ask, super::extensions::of_task, super::extensions::decide,
        super::tasks::split_progress, super::reports::commune_reports,
        super::reports::return_round, super::dashboard::dashboard,
        super::feedback::challenge, super::feedback::communes, super::feedback::submit,
        super::feedback::track, super::feedback::rate, super::feedback::erase, super::feedback::answered,
        super::feedback::list, super::feedback::get_one, super::feedback::stats, super::feedback::route,
        super::feedback::assign, super::feedback::answer,
        super::initiatives::public_list, super::initiatives::list, super::initiatives::create,
        super::initiatives::get_one, super::initiatives::reviewers, super::initiatives::score,
        super::initiatives::decide, super::initiatives::auto_figures, super::initiatives::link_source,
    ),
    components(schemas(ErrorBody, ErrorDetail, ExternalIn, crate::domain::external::ExternalId,
        super::exchange::ExternalRecordOut, UnitOut, UnitIn, PlanOut, PlanIn, ReportingOut, TaskOut, TaskIn,
        TargetOut, TargetIn, GoalOut, GoalIn, MentionOut, MentionIn, DeadlineOut, LoginIn, LoginOut, MeOut,
        LoginResult, SecondStepOut, super::account::TotpLoginIn, super::account::LogoutAllOut,
        super::account::PasswordIn, super::account::EnrolmentOut, super::account::CodeIn,
        super::account::UserOut, super::account::RolesIn, super::account::AuditEntryOut,
        super::account::AuditPageOut, super::staff::NewUserIn, super::staff::EnrolmentIssuedOut,
        super::staff::UserIn, super::staff::EnrolIn, super::staff::EnrolOut,
        super::staff::ForgotIn, super::staff::ForgotOut,
        RoundOut, RoundDetailOut, CompletenessOut, UnitReportOut, ReportOut, TaskItemOut, TargetItemOut,
        EvidenceOut, ReportIn, TaskItemIn, TargetItemIn, ReviewIn, ItemCommentIn, EvidenceIn, AdHocRoundIn,
        ConsolidateIn, DeadlineIn, NotApplicableIn, SplitIn, CommuneCompletenessOut,
        super::dashboard::DashboardOut, super::dashboard::RankOut, super::dashboard::TrajectoryOut, crate::domain::figures::Figures,
        crate::domain::figures::TaskFigures, crate::domain::figures::TargetFigures, crate::domain::figures::ReportFigures,
        ChallengeOut, AttachmentIn, FeedbackIn, SubmittedOut, CodeIn, RateIn, PublicFeedbackOut, AnsweredOut,
        CommuneOut, ContactOut, FeedbackOut, RouteIn, AssignIn, AnswerIn, FeedbackStatsOut, InitiativeIn,
        ReviewOut, CriterionOut, InitiativeOut, InitiativeDetailOut, ReviewersIn, ScoreIn, DecisionIn,
        SourceIn, AutoFigureOut, TargetSourceOut, super::escalations::EscalationOut,
        super::escalations::ExplanationIn, super::directions::DirectionOut,
        super::directions::DirectionIn, DirectionAnswerIn, super::extensions::ExtensionOut,
        super::extensions::DeadlineStepOut, super::extensions::TaskExtensionsOut,
        super::extensions::ExtensionIn, super::extensions::ExtensionDecisionIn, CommuneReportOut, CommuneReportsOut, ReturnIn,
        ChildTaskOut, SplitProgressOut, RenameIn, MergeIn, UnitNamesOut, ChangeOut, ChangesOut, crate::domain::unit::FormerName,
        super::unit_history::SplitUnitIn, super::unit_history::SplitUnitOut, super::unit_history::MoveUnitIn,
        super::unit_history::DissolveUnitIn, super::unit_history::UnitEventOut, super::unit_history::UnitHistoryOut,
        crate::domain::unit_history::NewUnit, crate::domain::unit_history::EventLink,
        crate::domain::unit_history::EventKind, crate::domain::unit_history::LinkPart,
        super::onboarding::OnboardingOut, super::onboarding::PlannedUnitOut,
        super::onboarding::PlannedAccountOut, super::onboarding::TemplateOut,
        crate::domain::onboarding::RowProblem)),
    modifiers(&BearerAuth, &CommonErrors),
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

/// The errors every operation can answer whatever its handler does, added
/// to each operation that does not list them itself: a malformed request
/// (400: JSON syntax, a path id or a query that does not parse) or invalid
/// data (422: JSON of the wrong shape) anywhere; 413 with a body; without a
/// session 401, and 403 on writes (no right, or a cookie session without its
/// CSRF token); 404 where the path or the body names a record by id (it
/// may not exist, or not be visible to the user); 409 where a request carries
/// the `version` it read; 429 where the public and login limits count.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::Operation;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Schema};

        // Request shapes by what they carry: the version read (a write
        // may conflict), ids of other records (which may not be visible).
        let shapes_with = |wanted: fn(&str) -> bool| -> Vec<String> {
            openapi
                .components
                .as_ref()
                .map(|c| {
                    c.schemas
                        .iter()
                        .filter(|(_, s)| match s {
                            RefOr::T(Schema::Object(o)) => o.properties.keys().any(|k| wanted(k)),
                            _ => false,
                        })
                        .map(|(name, _)| format!("#/components/schemas/{name}"))
                        .collect()
                })
                .unwrap_or_default()
        };
        let versioned = shapes_with(|k| k == "version");
        let referring = shapes_with(|k| k.ends_with("_id") || k.ends_with("_ids"));
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        let add = |op: &mut Operation, code: &str, description: &str| {
            op.responses
                .responses
                .entry(code.to_string())
                .or_insert_with(|| RefOr::T(error(description)));
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
            ];
            for (write, op) in ops {
                let Some(op) = op else { continue };
                let public = op.security.as_ref().is_some_and(|reqs| {
                    reqs.iter()
                        .all(|r| serde_json::to_value(r).ok() == Some(serde_json::json!({})))
                });
                let body_ref = op.request_body.as_ref().and_then(|b| {
                    b.content.values().find_map(|c| match &c.schema {
                        Some(RefOr::Ref(r)) => Some(r.ref_location.clone()),
                        _ => None,
                    })
                });
                add(op, "400", "Malformed request");
                add(op, "422", "Invalid data");
                if op.request_body.is_some() {
                    add(op, "413", "Request body too large");
                }
                if !public {
                    add(op, "401", "Not signed in");
                    if write {
                        add(op, "403", "Not allowed, or missing CSRF token");
                    }
                }
                if path.contains('{') || body_ref.as_ref().is_some_and(|r| referring.contains(r)) {
                    add(op, "404", "Not found, or not visible to the user");
                }
                if body_ref.is_some_and(|r| versioned.contains(&r)) {
                    add(op, "409", "Changed since read");
                }
                if write && (public || path == "/api/login") {
                    add(op, "429", "Too many requests");
                }
            }
        }
    }
}

pub async fn openapi_json() -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(ApiDoc::openapi())
}
