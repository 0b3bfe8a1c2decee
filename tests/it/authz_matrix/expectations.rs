//! Who the matrix sends requests as, and what each of them may do: the
//! principals and the table of rules, apart from the machinery that sends
//! the requests, so the table can be read (and extended) on its own.

use theodoi::domain::access::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    Nation,
    ProvinceA,
    A1,
    /// Phòng VHXH of commune A1, the unit that leads `task_a1`.
    A1Unit,
    A2,
    A2Unit,
    B1,
    B1Unit,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Who {
    pub(super) user: Option<&'static str>,
    role: Option<Role>,
    at: At,
}

const fn who(user: &'static str, role: Role, at: At) -> Who {
    Who {
        user: Some(user),
        role: Some(role),
        at,
    }
}

pub(super) const PRINCIPALS: [Who; 19] = [
    Who {
        user: None,
        role: None,
        at: At::Nation,
    },
    who("viewer_a1", Role::Viewer, At::A1),
    who("reporter_a1", Role::UnitReporter, At::A1Unit),
    who("focal_a1", Role::FocalPoint, At::A1),
    who("leader_a1", Role::Leader, At::A1),
    who("admin_a1", Role::Administrator, At::A1),
    who("viewer_a2", Role::Viewer, At::A2),
    who("reporter_a2", Role::UnitReporter, At::A2Unit),
    who("focal_a2", Role::FocalPoint, At::A2),
    who("leader_a2", Role::Leader, At::A2),
    who("admin_a2", Role::Administrator, At::A2),
    who("viewer_b1", Role::Viewer, At::B1),
    who("reporter_b1", Role::UnitReporter, At::B1Unit),
    who("focal_b1", Role::FocalPoint, At::B1),
    who("leader_b1", Role::Leader, At::B1),
    who("admin_b1", Role::Administrator, At::B1),
    who("leader_a", Role::Leader, At::ProvinceA),
    who("inspector_a1", Role::Inspector, At::A1),
    who("admin", Role::Administrator, At::Nation),
];

impl Who {
    pub(super) fn label(&self) -> &'static str {
        self.user.unwrap_or("anonymous")
    }
    fn has(&self, roles: &[Role]) -> bool {
        self.role.is_some_and(|r| roles.contains(&r))
    }
    /// Placed on a level (commune, province, nation), not a working unit.
    fn at_level(&self) -> bool {
        !matches!(self.at, At::A1Unit | At::A2Unit | At::B1Unit)
    }
}

// The rules, as the README states them, for objects of commune A1.
pub(super) type Rule = fn(&Who) -> bool;

fn anyone(_: &Who) -> bool {
    true
}
fn signed_in(w: &Who) -> bool {
    w.user.is_some()
}
/// Reads commune A1: its staff, the province's, the nation's.
fn reads(w: &Who) -> bool {
    signed_in(w) && matches!(w.at, At::Nation | At::ProvinceA | At::A1 | At::A1Unit)
}
/// Focal points and administrators of A1 or above (no such role sits on
/// province A in this world).
fn manages(w: &Who) -> bool {
    w.has(&[Role::FocalPoint, Role::Administrator]) && matches!(w.at, At::Nation | At::A1)
}
fn administers(w: &Who) -> bool {
    w.has(&[Role::Administrator]) && matches!(w.at, At::Nation | At::A1)
}
/// Acts for Phòng VHXH of A1: its reporter, or A1's managers.
/// Administers the province of A1: the nation's administrator (none sits on
/// province A in this world).
fn administers_province(w: &Who) -> bool {
    w.has(&[Role::Administrator]) && w.at == At::Nation
}
fn reports_for_unit(w: &Who) -> bool {
    manages(w) || (w.at == At::A1Unit && w.has(&[Role::UnitReporter]))
}
/// Sees the report (and the feedback assigned to) Phòng VHXH of A1.
fn views_report(w: &Who) -> bool {
    reads(w) && (manages(w) || w.at == At::A1Unit || (w.at_level() && w.has(LEVEL_READERS)))
}
fn follows_round(w: &Who) -> bool {
    manages(w) || (reads(w) && w.at_level() && w.has(LEVEL_READERS))
}
/// Sends A1's consolidated report back: a manager of a level above A1.
fn returns_consolidated(w: &Who) -> bool {
    manages(w) && w.at == At::Nation
}
fn approves(w: &Who) -> bool {
    w.has(&[Role::Leader]) && matches!(w.at, At::Nation | At::ProvinceA | At::A1)
}
fn decides(w: &Who) -> bool {
    manages(w) || approves(w)
}
/// The council named for the initiative: leader_a1 and viewer_a1.
fn reviewer(w: &Who) -> bool {
    matches!(w.user, Some("leader_a1" | "viewer_a1"))
}
/// Issues plans somewhere (focal points and administrators of a level).
fn manages_somewhere(w: &Who) -> bool {
    w.has(&[Role::FocalPoint, Role::Administrator])
}
/// Registers initiatives for some unit of some commune.
fn registers_somewhere(w: &Who) -> bool {
    w.has(&[Role::UnitReporter, Role::FocalPoint, Role::Administrator])
}
/// A staged import belongs to the focal point who uploaded it.
fn uploader(w: &Who) -> bool {
    w.user == Some("focal_a1")
}
fn national_admin(w: &Who) -> bool {
    w.user == Some("admin")
}
/// Any administrator, each within its own subtree (lists, the audit log).
/// Roles that read every unit's work beneath their level.
const LEVEL_READERS: &[Role] = &[
    Role::Leader,
    Role::Viewer,
    Role::Administrator,
    Role::Inspector,
];
/// The audit trail of one's subtree: administrators and inspectors.
fn reads_audit(w: &Who) -> bool {
    w.has(&[Role::Administrator, Role::Inspector])
}
/// Takes a subtree out (the full export): administrators, leaders and
/// focal points of A1 or above.
fn exports(w: &Who) -> bool {
    w.has(&[Role::Administrator, Role::Leader, Role::FocalPoint])
        && matches!(w.at, At::Nation | At::ProvinceA | At::A1)
}
fn any_admin(w: &Who) -> bool {
    w.has(&[Role::Administrator])
}

/// Who may do what, route by route. Every route of the router needs a line.
pub(super) const EXPECTATIONS: &[(&str, &str, Rule)] = &[
    // Pages
    ("GET", "/login", anyone),
    ("POST", "/login", anyone),
    ("POST", "/logout", signed_in),
    // Without a pending second step, a visitor is sent back to /login.
    ("GET", "/login/totp", signed_in),
    ("POST", "/login/totp", anyone),
    // The user's own account
    ("GET", "/account", signed_in),
    ("POST", "/account/logout-all", signed_in),
    ("POST", "/account/password", signed_in),
    ("GET", "/account/totp", signed_in),
    ("POST", "/account/totp", signed_in),
    ("POST", "/account/totp/disable", signed_in),
    // Accounts and the audit trail, for administrators
    ("GET", "/admin/users", any_admin),
    ("POST", "/admin/users", administers),
    ("GET", "/admin/users/{id}", administers),
    ("POST", "/admin/users/{id}", administers),
    ("POST", "/admin/users/{id}/unit", administers),
    ("POST", "/admin/users/{id}/roles", administers),
    ("POST", "/admin/users/{id}/disable", administers),
    ("POST", "/admin/users/{id}/enable", administers),
    ("POST", "/admin/users/{id}/totp-reset", administers),
    ("POST", "/admin/users/{id}/password-reset", administers),
    // Setting a password with an enrolment code: no session needed (the
    // code is the authority; a wrong one is refused whoever sends it).
    ("GET", "/enrol", anyone),
    ("POST", "/enrol", anyone),
    ("GET", "/enrol/{code}", anyone),
    ("POST", "/api/enrol", anyone),
    // Asking for a reset code by e-mail: no session, the same answer for
    // any name (here, without mail set up, a refusal for everyone).
    ("GET", "/password/forgot", anyone),
    ("POST", "/password/forgot", anyone),
    ("POST", "/api/password/forgot", anyone),
    ("GET", "/admin/audit", reads_audit),
    ("GET", "/admin/audit.csv", reads_audit),
    ("POST", "/api/login/totp", anyone),
    ("POST", "/api/logout/all", signed_in),
    ("POST", "/api/account/password", signed_in),
    ("POST", "/api/account/totp", signed_in),
    ("POST", "/api/account/totp/confirm", signed_in),
    ("GET", "/api/users", any_admin),
    ("POST", "/api/users", administers),
    ("GET", "/api/users/{id}", administers),
    ("PUT", "/api/users/{id}", administers),
    ("POST", "/api/users/{id}/disable", administers),
    ("POST", "/api/users/{id}/password-reset", administers),
    ("POST", "/api/users/{id}/enable", administers),
    ("POST", "/api/users/{id}/totp/reset", administers),
    ("PUT", "/api/users/{id}/roles", administers),
    ("GET", "/api/audit", reads_audit),
    // The home page sends a visitor without a session to the login page.
    ("GET", "/", signed_in),
    ("GET", "/units", signed_in),
    ("GET", "/units/{id}", reads),
    ("GET", "/units/{id}/export.xlsx", exports),
    // A working unit of A1: an administrator is told it is no commune.
    ("POST", "/units/{id}/template", administers),
    ("GET", "/plans", signed_in),
    ("POST", "/plans", manages),
    ("GET", "/plans/new", manages_somewhere),
    ("GET", "/plans/import", manages_somewhere),
    ("POST", "/plans/import", manages),
    ("GET", "/plans/import/{token}", uploader),
    ("POST", "/plans/import/{token}", uploader),
    ("GET", "/plans/{id}", reads),
    ("POST", "/plans/{id}", manages),
    ("GET", "/plans/{id}/edit", manages),
    ("POST", "/plans/{id}/tasks", manages),
    ("GET", "/plans/{id}/tasks/new", manages),
    ("POST", "/plans/{id}/targets", manages),
    ("GET", "/plans/{id}/targets/new", manages),
    ("GET", "/tasks", signed_in),
    ("GET", "/tasks/{id}", reads),
    ("POST", "/tasks/{id}", manages),
    ("GET", "/tasks/{id}/edit", manages),
    ("POST", "/tasks/{id}/deadline", manages),
    ("POST", "/tasks/{id}/not-applicable", manages),
    ("POST", "/tasks/{id}/split", manages),
    ("POST", "/escalations/{id}/explanation", reports_for_unit),
    ("POST", "/tasks/{id}/directions", approves),
    ("POST", "/tasks/{id}/extensions", reports_for_unit),
    ("POST", "/extensions/{id}/decision", decides),
    ("GET", "/targets/{id}", reads),
    ("POST", "/targets/{id}", manages),
    ("GET", "/targets/{id}/edit", manages),
    ("POST", "/notifications/read", signed_in),
    ("POST", "/kept-forms/discard", signed_in),
    ("GET", "/admin/calendar", signed_in),
    ("POST", "/admin/calendar", national_admin),
    ("GET", "/dashboard", signed_in),
    ("GET", "/dashboard/{id}", reads),
    ("GET", "/reports", signed_in),
    ("GET", "/reports/{id}", views_report),
    ("POST", "/reports/{id}", reports_for_unit),
    ("POST", "/reports/{id}/evidence", reports_for_unit),
    ("POST", "/reports/{id}/review", manages),
    ("GET", "/evidence/{id}", views_report),
    ("POST", "/plans/{id}/rounds", manages),
    ("GET", "/rounds/{id}", follows_round),
    ("POST", "/rounds/{id}/consolidate", manages),
    ("POST", "/rounds/{id}/approve", approves),
    ("GET", "/rounds/{id}/report.docx", follows_round),
    ("GET", "/rounds/{id}/report.xlsx", follows_round),
    ("GET", "/rounds/{id}/sheet.xlsx", manages),
    ("GET", "/plans/{id}/reviews", follows_round),
    ("POST", "/rounds/{id}/sheet", manages),
    ("POST", "/targets/{id}/source", manages),
    ("GET", "/gop-y", anyone),
    ("POST", "/gop-y", anyone),
    ("GET", "/gop-y/theo-doi", anyone),
    ("POST", "/gop-y/theo-doi", anyone),
    ("POST", "/gop-y/danh-gia", anyone),
    ("POST", "/gop-y/xoa-thong-tin", anyone),
    ("GET", "/gop-y/da-tra-loi", anyone),
    ("GET", "/sang-kien", anyone),
    ("GET", "/cong-khai", anyone),
    ("GET", "/cong-khai/{id}", anyone),
    ("GET", "/feedback", signed_in),
    ("GET", "/feedback/{id}", views_report),
    ("POST", "/feedback/{id}/route", manages),
    ("POST", "/feedback/{id}/assign", manages),
    ("POST", "/feedback/{id}/answer", reports_for_unit),
    ("GET", "/feedback/files/{id}", views_report),
    ("GET", "/initiatives", signed_in),
    ("POST", "/initiatives", reports_for_unit),
    ("GET", "/initiatives/new", registers_somewhere),
    ("GET", "/initiatives/{id}", reads),
    ("POST", "/initiatives/{id}/reviewers", manages),
    ("POST", "/initiatives/{id}/score", reviewer),
    ("POST", "/initiatives/{id}/decision", decides),
    ("POST", "/initiatives/{id}/files", reports_for_unit),
    ("GET", "/initiative-files/{id}", reads),
    ("GET", "/static/style.css", anyone),
    ("GET", "/healthz", anyone),
    // API
    ("GET", "/api/openapi.json", anyone),
    ("POST", "/api/login", anyone),
    ("POST", "/api/logout", signed_in),
    ("GET", "/api/me", signed_in),
    ("GET", "/api/units", signed_in),
    ("POST", "/api/units", administers),
    ("GET", "/api/units/{id}", reads),
    ("PUT", "/api/units/{id}", administers),
    ("POST", "/api/units/{id}/rename", administers),
    ("GET", "/api/units/{id}/names", reads),
    ("POST", "/api/units/{id}/merge", administers_province),
    // Phòng VHXH of A1 is split, moved or dissolved by an administrator of
    // A1 (its parent) or above.
    ("POST", "/api/units/{id}/split", administers),
    ("POST", "/api/units/{id}/move", administers),
    ("POST", "/api/units/{id}/dissolve", administers),
    ("GET", "/api/units/{id}/history", reads),
    // A working unit of A1: an administrator is told it is no commune.
    ("POST", "/api/units/{id}/template", administers),
    // A JSON body: an administrator is told to send a sheet (400).
    ("POST", "/api/onboarding", any_admin),
    ("GET", "/api/changes", signed_in),
    ("GET", "/api/external/{kind}/{source}/{id}", reads),
    ("GET", "/api/units/{id}/export.json", exports),
    ("GET", "/api/plans", signed_in),
    ("POST", "/api/plans", manages),
    ("GET", "/api/plans/{id}", reads),
    ("GET", "/api/plans/{id}/reviews/{kind}", follows_round),
    ("PUT", "/api/plans/{id}", manages),
    ("GET", "/api/tasks", signed_in),
    ("POST", "/api/tasks", manages),
    ("GET", "/api/tasks/{id}", reads),
    ("PUT", "/api/tasks/{id}", manages),
    ("GET", "/api/targets", signed_in),
    ("POST", "/api/targets", manages),
    ("GET", "/api/targets/{id}", reads),
    ("PUT", "/api/targets/{id}", manages),
    ("POST", "/api/tasks/{id}/deadline", manages),
    ("POST", "/api/tasks/{id}/not-applicable", manages),
    ("POST", "/api/tasks/{id}/split", manages),
    ("GET", "/api/escalations", signed_in),
    ("GET", "/api/directions", reads),
    ("POST", "/api/directions", approves),
    (
        "POST",
        "/api/escalations/{id}/explanation",
        reports_for_unit,
    ),
    ("GET", "/api/tasks/{id}/communes", reads),
    ("GET", "/api/tasks/{id}/extensions", reads),
    ("POST", "/api/tasks/{id}/extensions", reports_for_unit),
    ("POST", "/api/extensions/{id}/decision", decides),
    ("GET", "/api/rounds", reads),
    ("POST", "/api/rounds", manages),
    ("GET", "/api/rounds/{id}", follows_round),
    ("POST", "/api/rounds/{id}/consolidate", manages),
    ("POST", "/api/rounds/{id}/approve", approves),
    ("GET", "/api/rounds/{id}/communes", follows_round),
    ("POST", "/api/rounds/{id}/return", returns_consolidated),
    ("GET", "/api/reports", signed_in),
    ("GET", "/api/reports/{id}", views_report),
    ("PUT", "/api/reports/{id}", reports_for_unit),
    ("POST", "/api/reports/{id}/review", manages),
    ("POST", "/api/reports/{id}/evidence", reports_for_unit),
    ("GET", "/api/completeness", signed_in),
    ("GET", "/api/dashboard/{id}", reads),
    ("GET", "/api/public/challenge", anyone),
    ("GET", "/api/public/communes", anyone),
    ("GET", "/api/public/feedback", anyone),
    ("POST", "/api/public/feedback", anyone),
    ("POST", "/api/public/feedback/track", anyone),
    ("POST", "/api/public/feedback/rate", anyone),
    ("POST", "/api/public/feedback/erase", anyone),
    ("GET", "/api/public/initiatives", anyone),
    ("GET", "/api/feedback", signed_in),
    ("GET", "/api/feedback/stats", signed_in),
    ("GET", "/api/feedback/{id}", views_report),
    ("POST", "/api/feedback/{id}/route", manages),
    ("POST", "/api/feedback/{id}/assign", manages),
    ("POST", "/api/feedback/{id}/answer", reports_for_unit),
    ("GET", "/api/initiatives", signed_in),
    ("POST", "/api/initiatives", reports_for_unit),
    ("GET", "/api/initiatives/{id}", reads),
    ("POST", "/api/initiatives/{id}/reviewers", manages),
    ("POST", "/api/initiatives/{id}/score", reviewer),
    ("POST", "/api/initiatives/{id}/decision", decides),
    ("PUT", "/api/targets/{id}/source", manages),
    ("GET", "/api/targets/{id}/auto-figures", reads),
];
