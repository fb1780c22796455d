//! The wallet: the application lifecycle (pure, [`lifecycle`]) and its commands — submission
//! with the one decision path, drafts, own-share deposits, payments, closings, inspections,
//! and payout runs. Every command runs through the kernel's runner.

pub mod actions;
pub mod deposit;
pub mod drafts;
pub mod lifecycle;
pub mod payouts;
pub mod store;
pub mod submit;
pub mod types;

pub use types::{
    CostRequest, DepositTarget, Draft, Inspection, Payout, PayoutRun, ServiceRequest, Submission,
    Submitted, costs_from_json,
};
