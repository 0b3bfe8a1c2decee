//! The domain: pure types and rules, no I/O. Everything the store keeps and
//! the pages show is one of these, parsed at the edge and checked here.

pub mod access;
pub mod account;
pub mod attachment;
pub mod auto_figure;
pub mod calendar;
pub mod cascade;
pub mod commune_template;
pub mod deadline;
pub mod direction;
pub mod evidence;
pub mod extension;
pub mod feedback;
pub mod figures;
pub mod goal;
pub mod initiative;
pub mod lockout;
pub mod official;
pub mod onboarding;
pub mod period;
pub mod plan;
pub mod reminder;
pub mod report;
pub mod review;
pub mod rollup;
pub mod round;
pub mod score;
pub mod six_clear;
pub mod staff;
pub mod status;
pub mod target;
pub mod task;
pub mod text;
pub mod unit;
pub mod valid;
