//! Domain types of kmo-portefeuille.
//!
//! Every type here *parses* its input once and then carries its invariant in the type
//! ("parse, don't validate"): a [`Cents`] is an integer amount, a [`Date`] is a real calendar
//! date, an [`EnterpriseNumber`] passed its mod-97 check. Fields are private; constructors return
//! a `Result` with an error that names the reason.
//!
//! # Layout
//! - [`money`]: [`Cents`], integer euro cents with checked arithmetic and Belgian formatting.
//! - [`date`]: [`Date`], a proleptic Gregorian calendar date (Europe/Brussels calendar days).
//! - [`decimal`]: [`Hundredths`], exact two-decimal quantities (percentages, annual work units).
//! - [`codes`]: the closed code lists of the rule book (sizes, service kinds, legal forms,
//!   themes, sub-themes, excluded topics, cost types).
//! - [`enterprise_number`], [`iban`], [`provider_number`], [`nace`], [`payment_reference`]:
//!   Belgian identifiers (rules.md §10, D21).
//!
//! **Architecture Invariant:** this crate does no I/O, reads no clock and no environment, and
//! depends on nothing but `thiserror`.

pub mod codes;
pub mod date;
pub mod decimal;
pub mod enterprise_number;
pub mod iban;
pub mod ids;
pub mod money;
pub mod nace;
pub mod orders;
pub mod payment_reference;
pub mod provider_number;

pub use codes::{
    CostType, EnterpriseSize, ExcludedTopic, Lang, LegalForm, RefusalReason, ServiceKind, SubTheme,
    Theme,
};
pub use date::{Date, DateError};
pub use decimal::{DecimalError, Hundredths};
pub use enterprise_number::{EnterpriseNumber, EnterpriseNumberError, EstablishmentUnitNumber};
pub use iban::{Iban, IbanError};
pub use ids::{ApplicationId, EnterpriseId, ProviderId};
pub use money::{Cents, MoneyError};
pub use nace::{NaceCode, NaceError};
pub use orders::{InvoiceNumber, OrderIdError, PayoutRunId};
pub use payment_reference::{PaymentReference, PaymentReferenceError};
pub use provider_number::{ProviderNumber, ProviderNumberError};
