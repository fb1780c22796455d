//! One module per resource, each with its own `router()`; [`crate::router`] merges them.

pub mod accounts;
pub mod applications;
pub mod drafts;
pub mod health;
pub mod lists;
pub mod registry;
pub mod rules;
pub mod statistics;
