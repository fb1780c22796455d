//! The kernel every context builds on: the refusal of a command ([`CommandError`]), the command
//! runner (bounded retries on conflicts, the audit record, the checked write before commit),
//! idempotency, and the hash-chained audit log.

pub mod audit;
pub mod clock;
pub mod code;
pub mod error;
pub mod idempotency;
pub mod runner;
pub mod store;

pub use code::ErrorCode;
pub(crate) use error::check_amount;
pub use error::{AMOUNT_CENTS_MAX, CommandError};
pub(crate) use idempotency::{request_hash, seen_before, stored_code};
pub use runner::CONFLICT_RETRIES_MAX;
pub(crate) use runner::{append_record, retrying, stream_of, transfer_ids, write_change};
