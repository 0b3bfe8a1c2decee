//! The one integration-test binary: drives the real router over HTTP
//! semantics (tower's `oneshot`) against SQLite and, when reachable (always
//! in CI), PostgreSQL; plus the end-to-end browser test.

mod access;
mod api;
mod bad_input;
mod e2e;
mod e2e_feedback;
mod feedback;
mod harness;
mod import_cli;
mod initiatives;
mod pages;
mod reporting;
mod store_story;
