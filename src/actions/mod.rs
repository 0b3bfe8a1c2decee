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
pub mod citizen;
mod error;
pub mod imports;
pub mod plans;
pub mod sign_in;
pub mod targets;
pub mod tasks;
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
