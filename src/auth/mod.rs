//! Passwords, tokens, the login rules (lockout, rate limit), sealed
//! personal data and the form challenge, kept apart from HTTP so they can be
//! tested alone.

pub mod challenge;
pub mod password;
pub mod sealed;
pub mod token;
pub mod totp;
