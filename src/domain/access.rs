//! Roles and the rule that decides who may read or change what.
//!
//! A role applies to the subtree of the user's own unit, never beyond it.
//! A user placed on a working unit of a commune (a department, a village)
//! may still read the whole commune's plans, because a reporter has to see
//! the plan it reports against; it may change only what its unit leads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Leader,
    FocalPoint,
    UnitReporter,
    Viewer,
    /// Inspection (ủy ban kiểm tra, thanh tra): reads everything in its
    /// subtree, the audit trail included, changes nothing, and each of its
    /// reads is itself recorded (Quy chế 08-QC/TW).
    Inspector,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Leader,
        Role::FocalPoint,
        Role::UnitReporter,
        Role::Viewer,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Leader => "leader",
            Role::FocalPoint => "focal_point",
            Role::UnitReporter => "unit_reporter",
            Role::Viewer => "viewer",
            Role::Inspector => "inspector",
        }
    }

    /// Accepts the English names and the short forms used on the CLI.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "administrator" | "admin" => Some(Role::Administrator),
            "leader" => Some(Role::Leader),
            "focal_point" | "focal" => Some(Role::FocalPoint),
            "unit_reporter" | "reporter" => Some(Role::UnitReporter),
            "viewer" => Some(Role::Viewer),
            "inspector" | "inspection" => Some(Role::Inspector),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Administrator => "Quản trị hệ thống",
            Role::Leader => "Lãnh đạo",
            Role::FocalPoint => "Đầu mối tổng hợp",
            Role::UnitReporter => "Cán bộ báo cáo của đơn vị",
            Role::Viewer => "Người xem",
            Role::Inspector => "Kiểm tra, giám sát (chỉ xem)",
        }
    }
}

/// Who is asking, with the tree positions the rules need. Built once per
/// request from the session; the rules below are pure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_id: i64,
    /// Path of the user's own unit (`/1/4/9/`).
    pub unit_path: String,
    /// Path of the widest subtree the user may read: the user's unit, or its
    /// commune when the unit is a working unit inside a commune.
    pub read_path: String,
    pub roles: Vec<Role>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn can_read(&self, path: &str) -> bool {
        path.starts_with(&self.read_path)
    }

    /// Plans, tasks, targets and units inside the user's own subtree may be
    /// defined and changed by its focal point or administrator.
    pub fn can_manage(&self, path: &str) -> bool {
        path.starts_with(&self.unit_path)
            && (self.has(Role::FocalPoint) || self.has(Role::Administrator))
    }

    /// Only administrators create and change accounts and the unit tree.
    pub fn can_administer(&self, path: &str) -> bool {
        path.starts_with(&self.unit_path) && self.has(Role::Administrator)
    }

    /// The full export of a subtree (its units, plans, tasks, targets and
    /// accepted figures) for another system: its administrators, leaders
    /// and focal points, within their own subtree.
    pub fn can_export(&self, path: &str) -> bool {
        path.starts_with(&self.unit_path)
            && (self.has(Role::Administrator)
                || self.has(Role::Leader)
                || self.has(Role::FocalPoint))
    }

    /// A reporter acts for its own unit (and units beneath it) only.
    pub fn can_report_for(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
            && (self.has(Role::UnitReporter)
                || self.has(Role::FocalPoint)
                || self.has(Role::Administrator))
    }

    /// Whether the user sits on a level (commune, province, nation) rather
    /// than on a working unit inside a commune.
    pub fn is_at_level(&self) -> bool {
        self.read_path == self.unit_path
    }

    /// Leaders and viewers of a level see every unit's report beneath it;
    /// a reporter sees its own unit's only.
    pub fn can_view_report(&self, scope_path: &str, report_unit_path: &str) -> bool {
        if !self.can_read(scope_path) {
            return false;
        }
        self.can_manage(scope_path)
            || report_unit_path.starts_with(&self.unit_path)
            || (self.is_at_level() && self.reads_the_level())
    }

    /// Roles that read every unit's work beneath their level.
    fn reads_the_level(&self) -> bool {
        self.has(Role::Leader)
            || self.has(Role::Viewer)
            || self.has(Role::Administrator)
            || self.has(Role::Inspector)
    }

    /// Whose every read is recorded in the audit trail.
    pub fn reads_are_audited(&self) -> bool {
        self.has(Role::Inspector)
    }

    /// The audit trail of the subtree: its administrators and inspectors.
    pub fn can_read_audit(&self) -> bool {
        self.has(Role::Administrator) || self.has(Role::Inspector)
    }

    /// The focal point of the plan's level accepts or returns reports.
    pub fn can_review(&self, scope_path: &str) -> bool {
        self.can_manage(scope_path)
    }

    /// A focal point or administrator of a level above the plan's unit
    /// (the province, for a commune's plan) sends its consolidated report
    /// back; the plan's own level does not.
    pub fn can_return_consolidated(&self, scope_path: &str) -> bool {
        self.can_manage(scope_path) && scope_path != self.unit_path
    }

    /// A leader of the plan's level (or above) approves its report.
    pub fn can_approve(&self, scope_path: &str) -> bool {
        scope_path.starts_with(&self.unit_path) && self.has(Role::Leader)
    }

    /// Rounds and their completeness: the plan's managers and the leaders
    /// and viewers of its level or above.
    pub fn can_follow_round(&self, scope_path: &str) -> bool {
        self.can_manage(scope_path)
            || (self.can_read(scope_path) && self.is_at_level() && self.reads_the_level())
    }

    /// Citizen feedback to a commune: its focal point receives it, routes
    /// it to the right commune and assigns it to a unit.
    pub fn can_route_feedback(&self, commune_path: &str) -> bool {
        self.can_manage(commune_path)
    }

    /// Who sees a feedback: its commune's managers, the leaders and viewers
    /// of the commune or above, and the unit it is assigned to. Reporters
    /// of other units do not.
    pub fn can_view_feedback(&self, commune_path: &str, assigned_path: Option<&str>) -> bool {
        self.can_view_report(commune_path, assigned_path.unwrap_or(commune_path))
    }

    /// The assigned unit's reporter, or the commune's focal point, answers.
    pub fn can_answer_feedback(&self, commune_path: &str, assigned_path: Option<&str>) -> bool {
        self.can_manage(commune_path) || assigned_path.is_some_and(|u| self.can_report_for(u))
    }

    /// A citizen's name and contact are shown only to staff placed inside
    /// the commune concerned, never to the province or other communes.
    pub fn sees_personal_data(&self, commune_path: &str, assigned_path: Option<&str>) -> bool {
        self.unit_path.starts_with(commune_path)
            && self.can_view_feedback(commune_path, assigned_path)
    }

    /// Staff register initiatives for their own unit (or units beneath it).
    pub fn can_register_initiative(&self, unit_path: &str) -> bool {
        self.can_report_for(unit_path)
    }

    /// The commune's focal point names the council; its focal point or a
    /// leader records the decision.
    pub fn can_decide_initiative(&self, commune_path: &str) -> bool {
        self.can_manage(commune_path) || self.can_approve(commune_path)
    }

    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label_vi())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The read scope of a user placed on `unit_path` of kind `unit_is_level`:
/// levels read their own subtree, working units read their commune's.
pub fn read_path_for(unit_path: &str, unit_is_level: bool, commune_path: Option<&str>) -> String {
    match (unit_is_level, commune_path) {
        (false, Some(commune)) => commune.to_string(),
        _ => unit_path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(unit_path: &str, read_path: &str, roles: &[Role]) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            full_name: "U".into(),
            unit_id: 9,
            unit_path: unit_path.into(),
            read_path: read_path.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_focal_point_manages_its_commune_only() {
        let p = principal("/1/2/3/", "/1/2/3/", &[Role::FocalPoint]);
        assert!(p.can_manage("/1/2/3/"));
        assert!(p.can_manage("/1/2/3/17/"));
        assert!(!p.can_manage("/1/2/4/"));
        assert!(!p.can_manage("/1/2/"));
        assert!(
            !p.can_read("/1/2/30/"),
            "a sibling whose id shares a prefix"
        );
    }

    #[test]
    fn a_reporter_reads_its_commune_and_reports_for_its_unit() {
        let p = principal("/1/2/3/17/", "/1/2/3/", &[Role::UnitReporter]);
        assert!(p.can_read("/1/2/3/18/"));
        assert!(p.can_report_for("/1/2/3/17/"));
        assert!(!p.can_report_for("/1/2/3/18/"));
        assert!(!p.can_manage("/1/2/3/17/"));
        assert!(!p.can_read("/1/2/5/"));
    }

    #[test]
    fn an_inspector_reads_every_report_and_the_audit_but_changes_nothing() {
        let p = principal("/1/2/", "/1/2/", &[Role::Inspector]);
        assert!(p.can_read("/1/2/3/"));
        assert!(p.can_view_report("/1/2/3/", "/1/2/3/18/"));
        assert!(p.can_follow_round("/1/2/3/"));
        assert!(p.can_read_audit() && p.reads_are_audited());
        assert!(!p.can_manage("/1/2/3/"));
        assert!(!p.can_report_for("/1/2/3/17/"));
        assert!(!p.can_administer("/1/2/3/"));
        assert!(!p.can_approve("/1/2/3/"));
        assert!(!p.can_read("/1/5/"));
        assert_eq!(Role::parse("inspector"), Some(Role::Inspector));
    }

    #[test]
    fn only_a_level_above_the_commune_sends_its_consolidated_report_back() {
        let province = principal("/1/2/", "/1/2/", &[Role::FocalPoint]);
        let commune = principal("/1/2/3/", "/1/2/3/", &[Role::FocalPoint]);
        let leader = principal("/1/2/", "/1/2/", &[Role::Leader]);
        assert!(province.can_return_consolidated("/1/2/3/"));
        assert!(!province.can_return_consolidated("/1/2/"));
        assert!(!commune.can_return_consolidated("/1/2/3/"));
        assert!(!leader.can_return_consolidated("/1/2/3/"));
    }

    #[test]
    fn a_viewer_changes_nothing() {
        let p = principal("/1/2/", "/1/2/", &[Role::Viewer]);
        assert!(p.can_read("/1/2/3/"));
        assert!(!p.can_manage("/1/2/3/"));
        assert!(!p.can_report_for("/1/2/3/"));
        assert!(!p.can_administer("/1/2/3/"));
    }

    #[test]
    fn a_reporter_sees_only_its_own_units_reports() {
        let reporter = principal("/1/2/3/17/", "/1/2/3/", &[Role::UnitReporter]);
        assert!(reporter.can_view_report("/1/2/3/", "/1/2/3/17/"));
        assert!(!reporter.can_view_report("/1/2/3/", "/1/2/3/18/"));
        assert!(!reporter.can_review("/1/2/3/"));
        let leader = principal("/1/2/3/", "/1/2/3/", &[Role::Leader]);
        assert!(leader.can_view_report("/1/2/3/", "/1/2/3/18/"));
        assert!(leader.can_approve("/1/2/3/"));
        assert!(!leader.can_review("/1/2/3/"));
        let focal = principal("/1/2/3/", "/1/2/3/", &[Role::FocalPoint]);
        assert!(focal.can_review("/1/2/3/"));
        assert!(!focal.can_approve("/1/2/3/"));
        assert!(!focal.can_view_report("/1/2/4/", "/1/2/4/9/"));
    }

    #[test]
    fn feedback_follows_the_commune_and_the_assigned_unit() {
        let commune = "/1/2/3/";
        let unit = Some("/1/2/3/17/");
        let focal = principal("/1/2/3/", "/1/2/3/", &[Role::FocalPoint]);
        assert!(focal.can_route_feedback(commune));
        assert!(focal.sees_personal_data(commune, None));
        let reporter = principal("/1/2/3/17/", "/1/2/3/", &[Role::UnitReporter]);
        assert!(!reporter.can_view_feedback(commune, None));
        assert!(reporter.can_view_feedback(commune, unit));
        assert!(reporter.can_answer_feedback(commune, unit));
        assert!(reporter.sees_personal_data(commune, unit));
        let other = principal("/1/2/3/18/", "/1/2/3/", &[Role::UnitReporter]);
        assert!(!other.can_view_feedback(commune, unit));
        let province = principal("/1/2/", "/1/2/", &[Role::Leader]);
        assert!(province.can_view_feedback(commune, unit));
        assert!(!province.sees_personal_data(commune, unit));
        let neighbour = principal("/1/2/4/", "/1/2/4/", &[Role::FocalPoint]);
        assert!(!neighbour.can_view_feedback(commune, unit));
        assert!(!neighbour.sees_personal_data(commune, unit));
    }

    #[test]
    fn working_units_read_their_commune() {
        assert_eq!(
            read_path_for("/1/2/3/17/", false, Some("/1/2/3/")),
            "/1/2/3/"
        );
        assert_eq!(read_path_for("/1/2/", true, None), "/1/2/");
    }

    #[test]
    fn roles_parse_from_cli_names() {
        assert_eq!(Role::parse("focal-point"), Some(Role::FocalPoint));
        assert_eq!(Role::parse("reporter"), Some(Role::UnitReporter));
        assert_eq!(Role::parse("admin"), Some(Role::Administrator));
        assert_eq!(Role::parse("boss"), None);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
