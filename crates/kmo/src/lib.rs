//! The `kmo` command line: the one binary of kmo-portefeuille.
//!
//! `main.rs` only parses arguments and calls into this library, so every command is testable.
//!
//! # Layout
//! - [`cli`]: the clap command tree and dispatch, one module per command.
//! - [`eval_stream`]: `kmo rules eval`, streaming and parallel.
//! - [`bench`]: `kmo bench rules`.
//! - [`clock`]: "today" in Europe/Brussels — the only place this binary reads the system clock.
//! - [`serve`]: `kmo serve`, the HTTP server of `kmo-http` with its settings.
//! - [`wallet`]: the commands that touch storage (`scenario run`, `ledger check`, `audit verify`,
//!   `tick`, `migrate`).

pub mod bench;
pub mod bench_http;
pub mod cli;
pub mod clock;
pub mod eval_stream;
pub mod json_at;
pub mod race;
pub mod serve;
pub mod wallet;
