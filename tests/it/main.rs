//! The one integration-test binary: drives the real router over HTTP
//! semantics (tower's `oneshot`) against SQLite and, when reachable (always
//! in CI), PostgreSQL; plus the end-to-end browser tests.

mod access;
mod accounts;
mod api;
mod audit;
mod authz_matrix;
mod backup;
mod bad_input;
mod changes;
mod confidential;
mod demo_history;
mod directions;
mod durability;
mod e2e;
mod e2e_feedback;
mod e2e_kept;
mod e2e_pages;
mod e2e_reporting;
mod feedback;
mod feedback_guards;
mod hardening2;
mod harness;
mod import_cli;
mod import_page;
mod initiatives;
mod inspection;
mod monitoring;
mod notifications;
mod pages;
mod province_loop;
mod public_page;
mod reminders;
mod report_content;
mod report_property;
mod report_typing;
mod reporting;
mod rollups;
mod sealed_files;
mod staff_admin;
mod status_pages;
mod store_story;
mod todo;
mod unit_merge;
mod units_official;
