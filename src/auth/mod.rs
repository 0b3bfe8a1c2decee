//! Passwords, tokens and the login rules (lockout, rate limit), kept apart
//! from HTTP so they can be tested alone.

pub mod password;
pub mod token;
