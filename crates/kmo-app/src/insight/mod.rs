//! Insight: what the platform tells about itself without changing anything — public
//! statistics, the ledger check, and the year planner (pure).

pub mod check;
pub mod planner;
pub mod statistics;
pub mod store;
