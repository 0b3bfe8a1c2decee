//! Actions: what a person can do, once for the pages and the API alike.
//!
//! Each action takes the application state, the caller and a typed input
//! already read by the web layer; it checks access, applies the domain's
//! rule and makes the store calls (one transaction for a change), and
//! returns domain data. Pages and API handlers are thin adapters: they read
//! the request into the input, call one action and render what it returns.
//! Actions know nothing of HTTP: no requests, no responses, no cookies.

pub mod access;
pub mod accounts;
pub mod attachments;
pub mod calendar;
pub mod cascade;
pub mod changes;
pub mod citizen;
pub mod dashboard;
pub mod directions;
mod error;
pub mod escalations;
pub mod exchange;
pub mod exports;
pub mod extensions;
pub mod feedback;
pub mod home;
pub mod imports;
pub mod initiatives;
pub mod onboarding;
pub mod password_reset;
pub mod plans;
pub mod public;
pub mod rekey;
pub mod reports;
pub mod reviews;
pub mod rounds;
pub mod sign_in;
pub mod staff;
pub mod targets;
pub mod tasks;
pub mod todo;
pub mod unit_history;
pub mod units;

pub use error::AppError;

use crate::domain::access::Principal;
use crate::store::Actor;

/// Who acts: the signed-in user's authority, and the user and address the
/// audit trail records.
pub struct Caller<'a> {
    pub principal: &'a Principal,
    pub actor: Actor,
}

/// One field of an edit as a request sent it: absent (left as it is), or
/// set, to a value or to nothing. A save that names only some fields
/// changes only those.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Edit<T> {
    #[default]
    Keep,
    Set(Option<T>),
}

impl<T> Edit<T> {
    /// The value after the edit, from the value before it.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Edit::Keep => current,
            Edit::Set(v) => v,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Edit<U> {
        match self {
            Edit::Keep => Edit::Keep,
            Edit::Set(v) => Edit::Set(v.map(f)),
        }
    }
}

impl Edit<String> {
    /// A text field: absent is kept, blank clears it.
    pub fn text(value: Option<String>) -> Edit<String> {
        match value {
            None => Edit::Keep,
            Some(t) if t.trim().is_empty() => Edit::Set(None),
            Some(t) => Edit::Set(Some(t)),
        }
    }
}
