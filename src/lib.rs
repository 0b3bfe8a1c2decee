//! Theo Dõi: tracking the tasks and targets of plans that implement
//! Resolution 57-NQ/TW, from the province down to each unit of a commune.
//!
//! Data flows one way: `import` reads documents → `domain` holds the pure
//! types and rules → `store` keeps them (SQLite or PostgreSQL) → `web`
//! serves pages and the JSON API. `cli` wires it together.

pub mod actions;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod export;
pub mod import;
pub mod notify;
pub mod proxy;
pub mod store;
pub mod synthetic;
pub mod web;
