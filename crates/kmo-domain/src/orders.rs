//! The ids people give to money orders: the invoice number of a payment order and the id of a
//! payout run. Each is parsed once, here, for the API, the pages and the CLI alike.

use std::fmt;

/// Characters of an invoice number at most.
pub const INVOICE_NUMBER_CHARS_MAX: usize = 100;
/// Characters of a payout run id at most (it becomes part of transfer ids).
pub const PAYOUT_RUN_ID_CHARS_MAX: usize = 40;

/// Why an id was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderIdError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("contains a control character")]
    ControlCharacter,
    #[error("may contain only letters, digits, '-' and '_'")]
    NotAnId,
}

impl OrderIdError {
    /// The refusal in Dutch, for the pages.
    #[must_use]
    pub fn message_nl(self) -> String {
        match self {
            OrderIdError::Empty => "is leeg".into(),
            OrderIdError::TooLong(n) => format!("is langer dan {n} tekens"),
            OrderIdError::ControlCharacter => "bevat een stuurteken".into(),
            OrderIdError::NotAnId => "mag alleen letters, cijfers, '-' en '_' bevatten".into(),
        }
    }
}

/// The number of an invoice the enterprise releases (T6): what the provider printed on it,
/// trimmed, 1 to 100 characters, no control characters. One payment order per invoice number
/// and amount: a retry of the same order is answered, not repeated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    /// Parses an invoice number as typed.
    pub fn parse(text: &str) -> Result<InvoiceNumber, OrderIdError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(OrderIdError::Empty);
        }
        if t.chars().count() > INVOICE_NUMBER_CHARS_MAX {
            return Err(OrderIdError::TooLong(INVOICE_NUMBER_CHARS_MAX));
        }
        if t.chars().any(char::is_control) {
            return Err(OrderIdError::ControlCharacter);
        }
        Ok(InvoiceNumber(t.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a payout run (its idempotency key): 1 to 40 ASCII letters, digits, '-' or '_'.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PayoutRunId(String);

impl PayoutRunId {
    pub fn parse(text: &str) -> Result<PayoutRunId, OrderIdError> {
        if text.is_empty() {
            return Err(OrderIdError::Empty);
        }
        if text.len() > PAYOUT_RUN_ID_CHARS_MAX {
            return Err(OrderIdError::TooLong(PAYOUT_RUN_ID_CHARS_MAX));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(OrderIdError::NotAnId);
        }
        Ok(PayoutRunId(text.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PayoutRunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn an_invoice_number_is_trimmed_and_counted_in_characters() {
        assert_eq!(
            InvoiceNumber::parse("  F-2025/001 ").unwrap().as_str(),
            "F-2025/001"
        );
        assert_eq!(InvoiceNumber::parse(" "), Err(OrderIdError::Empty));
        // 100 accented letters are 200 bytes and still one invoice number.
        assert!(InvoiceNumber::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            InvoiceNumber::parse(&"é".repeat(101)),
            Err(OrderIdError::TooLong(100))
        );
        assert_eq!(
            InvoiceNumber::parse("F1\nF2"),
            Err(OrderIdError::ControlCharacter)
        );
    }

    #[test]
    fn a_payout_run_id_is_a_short_ascii_id() {
        assert!(PayoutRunId::parse("WEB-2025_03").is_ok());
        assert_eq!(PayoutRunId::parse(""), Err(OrderIdError::Empty));
        assert_eq!(PayoutRunId::parse("run 1"), Err(OrderIdError::NotAnId));
        assert_eq!(
            PayoutRunId::parse(&"a".repeat(41)),
            Err(OrderIdError::TooLong(40))
        );
    }
}
