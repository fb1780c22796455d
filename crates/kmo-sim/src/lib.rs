//! Tooling over the platform's public services — never part of a request path:
//!
//! - [`demo`]: `kmo demo` / `kmo serve --demo`, a believable platform built through the
//!   ordinary services, in date order.
//! - [`scenario`]: the scenario language of lifecycle.md (`kmo scenario run`).
//! - [`replay`]: the synthetic year of `kmo replay`.
//! - [`simulation`]: the deterministic simulation of the money path (`kmo simulate`).
//!
//! **Architecture Invariant:** this crate reaches the store only through `Platform`'s public
//! services (`Platform::snapshot` for whole-database reads); it never opens a transaction.

pub mod demo;
pub mod replay;
pub mod scenario;
pub mod simulation;
