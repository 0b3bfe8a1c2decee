//! The JSON API under `/api/`: the same operations as the pages, described
//! by the OpenAPI document at `/api/openapi.json`. Every failure is a JSON
//! error with a stable `code`.

pub mod account;
pub mod auth;
pub mod dashboard;
pub mod directions;
pub mod dto;
pub mod escalations;
pub mod exchange;
pub mod extensions;
pub mod feedback;
pub mod feedback_dto;
pub mod initiatives;
pub mod onboarding;
pub mod openapi;
pub mod plans;
pub mod report_dto;
pub mod reports;
pub mod reviews;
pub mod staff;
pub mod targets;
pub mod tasks;
pub mod unit_history;
pub mod units;

pub use super::extract::{ApiJson, ApiPath, ApiQuery};
