//! The application layer of kmo-portefeuille.
//!
//! # Layout
//! - [`lifecycle`]: the application state machine of lifecycle.md as pure functions.
//! - [`store`]: the storage traits the services need (implemented by `kmo-store`).
//! - [`platform`]: the use-case services; each command is one transaction.
//! - [`planner`]: the year planner — planned items in, the submission dates and order that
//!   use the annual ceilings best, with every deadline (pure; the rules engine decides).
//! - [`audit`]: the hash-chained audit log and its verification.
//! - [`occupation`]: requests for the occupation-specific list, as pure rules.
//! - [`scenario`]: the scenario language of lifecycle.md (`kmo scenario run`).
//!
//! **Architecture Invariant:** `kmo-app` defines the store traits and never imports a store
//! implementation; "now" enters only through the dates of commands (or an injected clock).

pub mod accounts;
pub mod audit;
pub mod check;
pub mod demo;
pub mod lifecycle;
pub mod listing;
pub mod occupation;
pub mod planner;
pub mod platform;
pub mod registry;
pub mod replay;
pub mod scenario;
pub mod simulation;
pub mod store;
