//! Idempotency: a command seen before under the same key answers as it did.

use crate::kernel::CommandError;
use crate::store::KernelTx;

/// The stable code stored for an answer, back as a `&'static str`.
pub(crate) fn stored_code(code: &str) -> &'static str {
    const CODES: [&str; 12] = [
        "DEPOSIT_AFTER_DEADLINE",
        "DEPOSIT_ALREADY_FUNDED",
        "DEPOSIT_WRONG_AMOUNT",
        "PAYMENT_AFTER_END",
        "NOT_FUNDED",
        "PAYMENT_EXCEEDS_BALANCE",
        "ILLEGAL_TRANSITION",
        "UNKNOWN_REFERENCE",
        "UNKNOWN_APPLICATION",
        "INVALID_COMMAND",
        "DATE_BEFORE_CLOCK",
        "accepted",
    ];
    CODES.into_iter().find(|c| *c == code).unwrap_or("REPEATED")
}

pub(crate) fn request_hash(parts: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(parts.as_bytes()))
}

/// A command seen before under the same idempotency key: the same request replays its answer
/// (nothing is done again); another request under the key is refused.
pub(crate) async fn seen_before<T: KernelTx>(
    tx: &mut T,
    key: &str,
    hash: &str,
) -> Result<Option<&'static str>, CommandError> {
    match tx.command_result(key).await? {
        None => Ok(None),
        Some((stored, answer)) if stored == hash => Ok(Some(stored_code(&answer))),
        Some(_) => Err(CommandError::IdempotencyKeyReused),
    }
}
