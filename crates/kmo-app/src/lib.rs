//! The application layer of kmo-portefeuille, in bounded contexts.
//!
//! # Layout
//! - [`kernel`]: the command runner (retries, audit, checked writes), idempotency, errors,
//!   the audit log.
//! - [`wallet`]: the application lifecycle of lifecycle.md (pure, [`wallet::lifecycle`]) and the
//!   commands on it: decide and submit, drafts, deposits, payments, closings, payout runs.
//! - [`accounts`]: users, sessions, tokens, mandates, activation letters, and the access policy.
//! - [`registry`]: enterprises, providers, registrations, catalogue, the occupation list.
//! - [`insight`]: statistics, the ledger check, the year planner.
//! - [`store`]: the storage traits the contexts need (implemented by `kmo-store`).
//! - [`platform`]: the `Platform` every context adds its services to.
//!
//! The demo, scenarios, replay and simulation are tooling over these services, in `kmo-sim`.
//!
//! **Architecture Invariant:** `kmo-app` defines the store traits and never imports a store
//! implementation; "now" enters only through the dates of commands (or an injected clock).

pub mod accounts;
pub mod insight;
pub mod kernel;
pub mod platform;
pub mod registry;
pub mod store;
pub mod wallet;

// The paths of before the contexts, kept for the crates that use them.
pub use insight::{check, planner};
pub use kernel::audit;
pub use registry::{listing, occupation};
pub use wallet::lifecycle;
