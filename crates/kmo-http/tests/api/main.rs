//! API tests: each spawns the real server on port 0 with a fresh database, on SQLite and on
//! PostgreSQL, and talks real HTTP to it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod authorization;
mod helpers;
mod journeys;
mod language;
mod operations;
mod registries;
mod rules;
