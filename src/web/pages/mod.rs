//! HTML pages, one file per resource. Templates are typed (askama): one
//! struct per page, rendered inside `base.html`.

pub mod account;
pub mod assets;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod charts;
pub mod dashboard;
pub mod exports;
pub mod extensions;
pub mod feedback;
pub mod filters;
pub mod home;
pub mod imports;
pub mod initiatives;
pub mod password_reset;
pub mod plans;
pub mod public_commune;
pub mod public_feedback;
pub mod report_form;
pub mod reports;
pub mod rounds;
pub mod staff;
pub mod targets;
pub mod task_form;
pub mod tasks;
pub mod todo;
pub mod units;
pub mod views;

use super::session::Auth;

/// What the shared layout needs: the page title and who is signed in.
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub role_label: String,
    pub csrf: String,
    /// Administrators see the accounts and audit pages in the menu.
    pub is_admin: bool,
    /// Reads the audit trail (administrators and inspectors).
    pub reads_audit: bool,
    /// What the previous action did, said once.
    pub flash: Option<String>,
}

impl Layout {
    /// A page anyone may open; `csrf` is the token its forms carry.
    pub fn public(title: impl Into<String>, auth: Option<&Auth>, csrf: String) -> Layout {
        match auth {
            Some(a) => Layout::new(title, a),
            None => Layout {
                title: title.into(),
                user_name: None,
                role_label: String::new(),
                csrf,
                is_admin: false,
                reads_audit: false,
                flash: None,
            },
        }
    }

    pub fn new(title: impl Into<String>, auth: &Auth) -> Layout {
        Layout {
            title: title.into(),
            user_name: Some(auth.principal.full_name.clone()),
            role_label: auth.principal.role_labels(),
            csrf: auth.csrf_token.clone(),
            is_admin: auth
                .principal
                .has(crate::domain::access::Role::Administrator),
            reads_audit: auth.principal.can_read_audit(),
            flash: auth.flash.map(|f| f.message_vi()),
        }
    }
}
