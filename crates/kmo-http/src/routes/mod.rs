//! One module per resource, each with its own `router()`; [`crate::router`] merges them.

pub mod health;
pub mod rules;
