//! The kmo-portefeuille rules engine.
//!
//! It answers one question: *if this enterprise submits this application on this date, is it
//! eligible, and how much subsidy does it get?* — exactly, with every failing reason, and with a
//! trace of the rules and parameter values applied (rules.md, rules-eval.md).
//!
//! # Layout
//! - [`ruleset`]: the eight dated rule sets of rules.md D1, as embedded TOML data, validated at
//!   load into typed [`RuleSet`]s; [`RuleBook::in_force`] picks the one of a date.
//! - [`case`]: a parsed, bounded [`Case`] (the facts of one application).
//! - [`input`]: JSON → [`Case`], with errors that name the field (rules-eval.md "Input").
//! - [`evaluate`]: [`evaluate()`] / [`evaluate_traced`] → [`Decision`]; pure, allocation-free.
//! - [`trace`]: compact [`Step`]s, written as Dutch or English text only on output.
//! - [`reason`]: the stable reason codes.
//! - [`output`]: [`Decision`] → the JSON answer of rules-eval.md.
//! - [`explain`]: a readable explanation of one decision for people.
//!
//! **Architecture Invariant:** this crate does no I/O and never reads a clock or the
//! environment. The date that matters is the case's `submitted_on`; "today" is the caller's.

pub mod case;
pub mod evaluate;
pub mod explain;
pub mod input;
pub mod output;
pub mod reason;
pub mod ruleset;
pub mod sample;
pub mod trace;
pub mod vectors;

pub use case::Case;
pub use evaluate::{Decision, evaluate, evaluate_traced};
pub use input::{InputError, parse_case};
pub use reason::{Reason, Reasons};
pub use ruleset::{RuleBook, RuleSet, RuleSetError};
pub use trace::{Step, Trace, Tracer};
