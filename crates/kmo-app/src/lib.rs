//! The application layer of kmo-portefeuille.
//!
//! # Layout
//! - [`lifecycle`]: the application state machine of lifecycle.md as pure functions.
//!
//! **Architecture Invariant:** `kmo-app` defines the store traits and never imports a store
//! implementation; "now" enters only through an injected clock.

pub mod lifecycle;
