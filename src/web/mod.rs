//! The web layer: HTML pages in Vietnamese and the JSON API, served by one
//! axum router. `app()` below is the whole sitemap; each handler extracts,
//! parses into domain types, makes one store call, and renders.

pub mod api;
pub mod boundary;
pub mod error;
pub mod extract;
pub mod flash;
pub mod forms;
pub mod kept_forms;
pub mod labels;
pub mod login;
pub mod pages;
pub mod params;
pub mod report_document;
pub mod review_document;
pub mod review_file;
pub mod security;
pub mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware;
use axum::routing::MethodRouter;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use crate::app::AppState;
use crate::domain::attachment::AttachedTo;
use crate::web::forms::upload_limit;

/// Every route the server answers, as (method, path) pairs: the same
/// registrations as [`app`], for tests that must cover them all.
pub fn route_table() -> Vec<(Method, &'static str)> {
    sitemap().table
}

pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let secure = state.config.secure_cookies;
    Router::new()
        .merge(sitemap().router)
        .fallback(pages::assets::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .layer(middleware::from_fn(boundary::refuse_control_query))
        .layer(middleware::from_fn(move |req, next| {
            security::headers(secure, req, next)
        }))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The sitemap: pages, then the API.
fn sitemap() -> Sitemap {
    let pages = Sitemap::default()
        // Signing in and out
        .route("/login", get(login::login_page).post(login::login_submit))
        .route(
            "/login/totp",
            get(login::totp_page).post(login::totp_submit),
        )
        .route("/logout", post(login::logout_submit))
        // The user's own account
        .route("/account", get(pages::account::show_account))
        .route(
            "/account/logout-all",
            post(pages::account::logout_all_submit),
        )
        .route("/account/password", post(pages::account::password_submit))
        .route(
            "/account/totp",
            get(pages::account::totp_page).post(pages::account::totp_submit),
        )
        .route(
            "/account/totp/disable",
            post(pages::account::totp_disable_submit),
        )
        // Setting a password with a one-time enrolment code (no login)
        .route(
            "/enrol",
            get(pages::staff::enrol_form).post(pages::staff::enrol_submit),
        )
        .route("/enrol/{code}", get(pages::staff::enrol_with_code))
        // A code by e-mail for someone who forgot their password (no login)
        .route(
            "/password/forgot",
            get(pages::password_reset::forgot_form).post(pages::password_reset::forgot_submit),
        )
        // Home
        .route("/", get(pages::home::show_home))
        // The unit tree
        .route("/units", get(pages::units::list_units))
        .route("/units/{id}", get(pages::units::show_unit))
        .route(
            "/units/{id}/export.xlsx",
            get(pages::exports::unit_export_xlsx),
        )
        .route(
            "/units/{id}/template",
            post(pages::units::apply_unit_template),
        )
        // Plans, with their tasks and targets
        .route(
            "/plans",
            get(pages::plans::list_plans).post(pages::plans::create_plan),
        )
        .route("/plans/new", get(pages::plans::new_plan))
        .route(
            "/plans/import",
            get(pages::imports::import_form)
                .post(pages::imports::upload_plan)
                .layer(DefaultBodyLimit::max(pages::imports::UPLOAD_LIMIT)),
        )
        .route(
            "/plans/import/{token}",
            get(pages::imports::preview_plan).post(pages::imports::confirm_plan),
        )
        .route(
            "/plans/{id}",
            get(pages::plans::show_plan).post(pages::plans::update_plan),
        )
        .route("/plans/{id}/edit", get(pages::plans::edit_plan))
        .route("/plans/{id}/tasks", post(pages::task_form::create_task))
        .route("/plans/{id}/tasks/new", get(pages::task_form::new_task))
        .route("/plans/{id}/targets", post(pages::targets::create_target))
        .route("/plans/{id}/targets/new", get(pages::targets::new_target))
        .route("/tasks", get(pages::tasks::list_tasks))
        .route(
            "/tasks/{id}",
            get(pages::tasks::show_task).post(pages::task_form::update_task),
        )
        .route("/tasks/{id}/edit", get(pages::task_form::edit_task))
        .route("/tasks/{id}/deadline", post(pages::tasks::change_deadline))
        .route(
            "/tasks/{id}/not-applicable",
            post(pages::tasks::set_not_applicable),
        )
        .route("/tasks/{id}/split", post(pages::tasks::split_task))
        .route(
            "/escalations/{id}/explanation",
            post(pages::tasks::explain_escalation),
        )
        .route("/tasks/{id}/directions", post(pages::tasks::give_direction))
        .route(
            "/tasks/{id}/extensions",
            post(pages::extensions::ask_extension),
        )
        .route(
            "/extensions/{id}/decision",
            post(pages::extensions::decide_extension),
        )
        .route(
            "/targets/{id}",
            get(pages::targets::show_target).post(pages::targets::update_target),
        )
        .route("/targets/{id}/edit", get(pages::targets::edit_target))
        // Warnings
        .route("/notifications/read", post(pages::home::read_notifications))
        // Administration
        .route(
            "/admin/users",
            get(pages::staff::list_users).post(pages::staff::create_user_submit),
        )
        .route(
            "/admin/users/{id}",
            get(pages::staff::show_user).post(pages::staff::update_user_submit),
        )
        .route(
            "/admin/users/{id}/unit",
            post(pages::staff::move_user_submit),
        )
        .route("/admin/users/{id}/roles", post(pages::staff::roles_submit))
        .route(
            "/admin/users/{id}/disable",
            post(pages::staff::disable_user_submit),
        )
        .route(
            "/admin/users/{id}/enable",
            post(pages::staff::enable_user_submit),
        )
        .route(
            "/admin/users/{id}/totp-reset",
            post(pages::staff::reset_totp_submit),
        )
        .route(
            "/admin/users/{id}/password-reset",
            post(pages::staff::reset_password_submit),
        )
        .route("/admin/audit", get(pages::audit::show_audit))
        .route("/admin/audit.csv", get(pages::audit::export_csv))
        .route(
            "/admin/calendar",
            get(pages::calendar::show_calendar).post(pages::calendar::save_calendar_day),
        )
        // Dashboards
        .route("/dashboard", get(pages::dashboard::my_dashboard))
        .route("/dashboard/{id}", get(pages::dashboard::show_dashboard))
        // Periodic reporting
        .route("/reports", get(pages::reports::list_reports))
        .route(
            "/reports/{id}",
            get(pages::reports::show_report)
                .post(pages::reports::save_report)
                .layer(DefaultBodyLimit::max(pages::reports::REPORT_FORM_LIMIT)),
        )
        .route(
            "/reports/{id}/evidence",
            post(pages::reports::add_evidence)
                .layer(DefaultBodyLimit::max(pages::reports::EVIDENCE_LIMIT)),
        )
        .route("/reports/{id}/review", post(pages::reports::review_report))
        .route("/kept-forms/discard", post(kept_forms::discard))
        .route("/evidence/{id}", get(pages::attachments::evidence_file))
        .route("/plans/{id}/rounds", post(pages::rounds::create_round))
        .route("/rounds/{id}", get(pages::rounds::show_round))
        .route(
            "/rounds/{id}/consolidate",
            post(pages::rounds::consolidate_round),
        )
        .route("/rounds/{id}/approve", post(pages::rounds::approve_round))
        .route("/rounds/{id}/report.docx", get(pages::exports::report_docx))
        .route("/rounds/{id}/report.xlsx", get(pages::exports::report_xlsx))
        .route("/rounds/{id}/sheet.xlsx", get(pages::exports::sheet_xlsx))
        .route("/plans/{id}/reviews", get(pages::exports::review_download))
        .route(
            "/rounds/{id}/sheet",
            post(pages::exports::upload_sheet)
                .layer(DefaultBodyLimit::max(pages::reports::EVIDENCE_LIMIT)),
        )
        .route("/targets/{id}/source", post(pages::targets::link_source))
        // Citizen feedback and initiatives: public pages (no login)
        .route(
            "/gop-y",
            get(pages::public_feedback::feedback_form)
                .post(pages::public_feedback::submit_feedback)
                .layer(DefaultBodyLimit::max(upload_limit(AttachedTo::Feedback))),
        )
        .route(
            "/gop-y/theo-doi",
            get(pages::public_feedback::track_form).post(pages::public_feedback::track_submit),
        )
        .route("/gop-y/danh-gia", post(pages::public_feedback::rate_submit))
        .route(
            "/gop-y/xoa-thong-tin",
            post(pages::public_feedback::erase_submit),
        )
        .route(
            "/gop-y/da-tra-loi",
            get(pages::public_feedback::answered_list),
        )
        .route("/sang-kien", get(pages::initiatives::public_initiatives))
        // Public pages per commune
        .route("/cong-khai", get(pages::public_commune::communes))
        .route("/cong-khai/{id}", get(pages::public_commune::commune))
        // Citizen feedback and initiatives: staff
        .route("/feedback", get(pages::feedback::list_feedback))
        .route("/feedback/{id}", get(pages::feedback::show_feedback))
        .route(
            "/feedback/{id}/route",
            post(pages::feedback::route_feedback),
        )
        .route(
            "/feedback/{id}/assign",
            post(pages::feedback::assign_feedback),
        )
        .route(
            "/feedback/{id}/answer",
            post(pages::feedback::answer_feedback),
        )
        .route(
            "/feedback/files/{id}",
            get(pages::attachments::feedback_file),
        )
        .route(
            "/initiatives",
            get(pages::initiatives::list_initiatives)
                .post(pages::initiatives::create_initiative)
                .layer(DefaultBodyLimit::max(upload_limit(AttachedTo::Initiative))),
        )
        .route("/initiatives/new", get(pages::initiatives::new_initiative))
        .route(
            "/initiatives/{id}",
            get(pages::initiatives::show_initiative),
        )
        .route(
            "/initiatives/{id}/reviewers",
            post(pages::initiatives::name_reviewers),
        )
        .route(
            "/initiatives/{id}/score",
            post(pages::initiatives::score_initiative),
        )
        .route(
            "/initiatives/{id}/decision",
            post(pages::initiatives::decide_initiative),
        )
        .route(
            "/initiatives/{id}/files",
            post(pages::initiatives::add_file)
                .layer(DefaultBodyLimit::max(upload_limit(AttachedTo::Initiative))),
        )
        .route(
            "/initiative-files/{id}",
            get(pages::attachments::initiative_file),
        )
        // Assets and probes
        .route("/static/style.css", get(pages::assets::stylesheet))
        .route("/healthz", get(pages::assets::healthz));

    let api = Sitemap::default()
        .route("/api/openapi.json", get(api::openapi::openapi_json))
        .route("/api/login", post(api::auth::login))
        .route("/api/login/totp", post(api::account::login_totp))
        .route("/api/logout", post(api::auth::logout))
        .route("/api/logout/all", post(api::account::logout_all))
        .route("/api/account/password", post(api::account::change_password))
        .route("/api/account/totp", post(api::account::totp_start))
        .route(
            "/api/account/totp/confirm",
            post(api::account::totp_confirm),
        )
        .route("/api/enrol", post(api::staff::enrol))
        .route("/api/password/forgot", post(api::staff::forgot_password))
        .route(
            "/api/users",
            get(api::staff::list_users).post(api::staff::create_user),
        )
        .route(
            "/api/users/{id}",
            get(api::staff::get_user).put(api::staff::update_user),
        )
        .route("/api/users/{id}/enable", post(api::account::enable_user))
        .route("/api/users/{id}/disable", post(api::staff::disable_user))
        .route("/api/users/{id}/totp/reset", post(api::account::reset_totp))
        .route("/api/users/{id}/roles", put(api::account::set_roles))
        .route(
            "/api/users/{id}/password-reset",
            post(api::staff::reset_password),
        )
        .route("/api/audit", get(api::account::audit))
        .route("/api/me", get(api::auth::me))
        .route(
            "/api/units",
            get(api::units::list_units).post(api::units::create_unit),
        )
        .route(
            "/api/units/{id}",
            get(api::units::get_unit).put(api::units::update_unit),
        )
        .route("/api/units/{id}/rename", post(api::units::rename_unit))
        .route("/api/units/{id}/names", get(api::units::unit_names))
        .route("/api/units/{id}/merge", post(api::units::merge_units))
        .route("/api/units/{id}/split", post(api::unit_history::split_unit))
        .route("/api/units/{id}/move", post(api::unit_history::move_unit))
        .route(
            "/api/units/{id}/dissolve",
            post(api::unit_history::dissolve_unit),
        )
        .route("/api/units/{id}/history", get(api::unit_history::history))
        .route(
            "/api/units/{id}/template",
            post(api::onboarding::apply_template),
        )
        .route(
            "/api/onboarding",
            post(api::onboarding::onboard)
                .layer(DefaultBodyLimit::max(crate::import::MAX_INPUT_BYTES)),
        )
        .route("/api/changes", get(api::units::changes))
        // Exchange with other systems: a record by its external id, a
        // subtree's full export
        .route(
            "/api/external/{kind}/{source}/{id}",
            get(api::exchange::find_by_external),
        )
        .route(
            "/api/units/{id}/export.json",
            get(api::exchange::export_json),
        )
        .route(
            "/api/plans",
            get(api::plans::list_plans).post(api::plans::create_plan),
        )
        .route(
            "/api/plans/{id}",
            get(api::plans::get_plan).put(api::plans::update_plan),
        )
        .route(
            "/api/tasks",
            get(api::tasks::list_tasks).post(api::tasks::create_task),
        )
        .route(
            "/api/tasks/{id}",
            get(api::tasks::get_task).put(api::tasks::update_task),
        )
        .route(
            "/api/targets",
            get(api::targets::list_targets).post(api::targets::create_target),
        )
        .route(
            "/api/targets/{id}",
            get(api::targets::get_target).put(api::targets::update_target),
        )
        // A task's life: deadlines, applicability, hand-down, directions,
        // escalations, extensions
        .route(
            "/api/tasks/{id}/deadline",
            post(api::tasks::change_deadline),
        )
        .route(
            "/api/tasks/{id}/not-applicable",
            post(api::tasks::set_not_applicable),
        )
        .route("/api/tasks/{id}/split", post(api::tasks::split_task))
        .route("/api/escalations", get(api::escalations::list))
        .route(
            "/api/directions",
            get(api::directions::list).post(api::directions::give),
        )
        .route(
            "/api/escalations/{id}/explanation",
            post(api::escalations::explain),
        )
        .route("/api/tasks/{id}/communes", get(api::tasks::split_progress))
        .route(
            "/api/tasks/{id}/extensions",
            get(api::extensions::of_task).post(api::extensions::ask),
        )
        .route(
            "/api/extensions/{id}/decision",
            post(api::extensions::decide),
        )
        // Periodic reporting
        .route(
            "/api/rounds",
            get(api::reports::list_rounds).post(api::reports::create_round),
        )
        .route("/api/rounds/{id}", get(api::reports::get_round))
        .route(
            "/api/rounds/{id}/consolidate",
            post(api::reports::consolidate_round),
        )
        .route(
            "/api/rounds/{id}/approve",
            post(api::reports::approve_round),
        )
        .route(
            "/api/rounds/{id}/communes",
            get(api::reports::commune_reports),
        )
        .route("/api/rounds/{id}/return", post(api::reports::return_round))
        .route("/api/reports", get(api::reports::my_reports))
        .route(
            "/api/reports/{id}",
            get(api::reports::get_report).put(api::reports::save_report),
        )
        .route(
            "/api/reports/{id}/review",
            post(api::reports::review_report),
        )
        .route(
            "/api/reports/{id}/evidence",
            post(api::reports::add_evidence),
        )
        .route("/api/completeness", get(api::reports::completeness))
        .route(
            "/api/plans/{id}/reviews/{kind}",
            get(api::reviews::download_review),
        )
        // Monitoring
        .route("/api/dashboard/{id}", get(api::dashboard::dashboard))
        // Citizen feedback and initiatives: public API (no login)
        .route("/api/public/challenge", get(api::feedback::challenge))
        .route("/api/public/communes", get(api::feedback::communes))
        .route(
            "/api/public/feedback",
            get(api::feedback::answered)
                .post(api::feedback::submit)
                .layer(DefaultBodyLimit::max(
                    upload_limit(AttachedTo::Feedback) / 3 * 4 + 64 * 1024,
                )),
        )
        .route("/api/public/feedback/track", post(api::feedback::track))
        .route("/api/public/feedback/rate", post(api::feedback::rate))
        .route("/api/public/feedback/erase", post(api::feedback::erase))
        .route(
            "/api/public/initiatives",
            get(api::initiatives::public_list),
        )
        // Citizen feedback and initiatives: staff API
        .route("/api/feedback", get(api::feedback::list))
        .route("/api/feedback/stats", get(api::feedback::stats))
        .route("/api/feedback/{id}", get(api::feedback::get_one))
        .route("/api/feedback/{id}/route", post(api::feedback::route))
        .route("/api/feedback/{id}/assign", post(api::feedback::assign))
        .route("/api/feedback/{id}/answer", post(api::feedback::answer))
        .route(
            "/api/initiatives",
            get(api::initiatives::list)
                .post(api::initiatives::create)
                .layer(DefaultBodyLimit::max(
                    upload_limit(AttachedTo::Initiative) / 3 * 4 + 64 * 1024,
                )),
        )
        .route("/api/initiatives/{id}", get(api::initiatives::get_one))
        .route(
            "/api/initiatives/{id}/reviewers",
            post(api::initiatives::reviewers),
        )
        .route("/api/initiatives/{id}/score", post(api::initiatives::score))
        .route(
            "/api/initiatives/{id}/decision",
            post(api::initiatives::decide),
        )
        .route(
            "/api/targets/{id}/source",
            put(api::initiatives::link_source),
        )
        .route(
            "/api/targets/{id}/auto-figures",
            get(api::initiatives::auto_figures),
        );

    pages.merge(api)
}

/// A router that also records what it registers, so the route table is
/// read from the same lines that build the router.
#[derive(Default)]
struct Sitemap {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Sitemap {
    fn route(mut self, path: &'static str, endpoint: Endpoint) -> Self {
        self.table
            .extend(endpoint.methods.into_iter().map(|m| (m, path)));
        self.router = self.router.route(path, endpoint.router);
        self
    }

    fn merge(mut self, other: Sitemap) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }
}

/// A path's handlers by method (axum's `MethodRouter`), with the methods.
struct Endpoint {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
}

fn get<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    Endpoint {
        router: axum::routing::get(handler),
        methods: vec![Method::GET],
    }
}

fn post<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    Endpoint {
        router: axum::routing::post(handler),
        methods: vec![Method::POST],
    }
}

fn put<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    Endpoint {
        router: axum::routing::put(handler),
        methods: vec![Method::PUT],
    }
}

impl Endpoint {
    fn post<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> Self {
        self.router = self.router.post(handler);
        self.methods.push(Method::POST);
        self
    }

    fn put<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> Self {
        self.router = self.router.put(handler);
        self.methods.push(Method::PUT);
        self
    }

    /// Applies to the methods registered so far, as `MethodRouter::layer`.
    fn layer(mut self, limit: DefaultBodyLimit) -> Self {
        self.router = self.router.layer(limit);
        self
    }
}
