//! Accounts: typed keys with a stable text form (the database stores the text).

use std::fmt;
use std::str::FromStr;

/// The unit an account counts in. Transfers never cross ledgers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerKind {
    /// Euro cents held by the financial manager.
    Money,
    /// The annual subsidy ceiling of an enterprise (D3), in cents of subsidy.
    Ceiling,
    /// De-minimis aid granted to an enterprise (D14), in cents of aid.
    DeMinimis,
}

/// Which side increases the account's balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormalSide {
    /// Assets: balance = debits − credits.
    Debit,
    /// Liabilities, wallets and quotas: balance = credits − debits.
    Credit,
}

/// Every account of the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKey {
    /// The financial manager's bank account (money on hand). Never negative.
    Bank,
    /// Incoming transfers that matched no application, until returned. Never negative.
    Suspense,
    /// Refunds owed to enterprises (unused own share, returned deposits). Never negative.
    RefundsPayable,
    /// The agency's subsidy budget of a budget year (the submission year). It funds wallets and
    /// takes returned subsidy back; its balance is the net spending, so it has no floor.
    AgencyBudget { year: i32 },
    /// What the platform owes a provider for released invoices. Never negative.
    ProviderPayable { provider: i64 },
    /// An application's own-share wallet. Never negative.
    OwnShareWallet { application: i64 },
    /// An application's subsidy wallet (the reservation arrives here, pending, at submission and
    /// is posted at funding). Never negative.
    SubsidyWallet { application: i64 },
    /// Subsidy paid out for an application and claimed back from the enterprise after an
    /// inspection (T9), until repaid. An asset of the agency; never negative.
    RecoveryReceivable { application: i64 },
    /// Issues annual ceilings. No floor.
    CeilingSource,
    /// The part of an enterprise's ceiling of a year still available. Never negative: this is
    /// the account whose limit stops a submission beyond the ceiling.
    CeilingAvailable { enterprise: i64, year: i32 },
    /// The part of an enterprise's ceiling of a year reserved by its applications. Never negative.
    CeilingReserved { enterprise: i64, year: i32 },
    /// Issues de-minimis aid. No floor.
    DeMinimisSource,
    /// De-minimis aid granted to an enterprise (dated by the aid date). Never negative.
    DeMinimisGranted { enterprise: i64 },
}

/// Text that is not an account key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an account key")]
pub struct AccountKeyError(pub String);

impl AccountKey {
    /// The text every provider's payable begins with (`provider_payable:<provider>`): a store
    /// finds all of them by it.
    pub const PROVIDER_PAYABLE_PREFIX: &'static str = "provider_payable:";
    /// The text every enterprise's de-minimis account begins with (`de_minimis:<enterprise>`):
    /// a store that knows the enterprise only inside a statement appends the id to it.
    pub const DE_MINIMIS_GRANTED_PREFIX: &'static str = "de_minimis:";

    /// The ledger this account belongs to.
    #[must_use]
    pub const fn ledger(self) -> LedgerKind {
        match self {
            AccountKey::Bank
            | AccountKey::Suspense
            | AccountKey::RefundsPayable
            | AccountKey::AgencyBudget { .. }
            | AccountKey::ProviderPayable { .. }
            | AccountKey::OwnShareWallet { .. }
            | AccountKey::SubsidyWallet { .. }
            | AccountKey::RecoveryReceivable { .. } => LedgerKind::Money,
            AccountKey::CeilingSource
            | AccountKey::CeilingAvailable { .. }
            | AccountKey::CeilingReserved { .. } => LedgerKind::Ceiling,
            AccountKey::DeMinimisSource | AccountKey::DeMinimisGranted { .. } => {
                LedgerKind::DeMinimis
            }
        }
    }

    /// Which side increases the balance.
    #[must_use]
    pub const fn normal_side(self) -> NormalSide {
        match self {
            AccountKey::Bank
            | AccountKey::RecoveryReceivable { .. }
            | AccountKey::AgencyBudget { .. }
            | AccountKey::CeilingSource
            | AccountKey::DeMinimisSource => NormalSide::Debit,
            _ => NormalSide::Credit,
        }
    }

    /// Whether the balance may never go below zero (pending debits included).
    #[must_use]
    pub const fn has_floor(self) -> bool {
        !matches!(
            self,
            AccountKey::AgencyBudget { .. }
                | AccountKey::CeilingSource
                | AccountKey::DeMinimisSource
        )
    }

    /// The application this account belongs to, if any.
    #[must_use]
    pub const fn application(self) -> Option<i64> {
        match self {
            AccountKey::OwnShareWallet { application }
            | AccountKey::SubsidyWallet { application }
            | AccountKey::RecoveryReceivable { application } => Some(application),
            _ => None,
        }
    }
}

impl fmt::Display for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountKey::Bank => f.write_str("bank"),
            AccountKey::Suspense => f.write_str("suspense"),
            AccountKey::RefundsPayable => f.write_str("refunds_payable"),
            AccountKey::AgencyBudget { year } => write!(f, "agency_budget:{year}"),
            AccountKey::ProviderPayable { provider } => {
                write!(f, "{}{provider}", Self::PROVIDER_PAYABLE_PREFIX)
            }
            AccountKey::OwnShareWallet { application } => {
                write!(f, "application:{application}:own_share")
            }
            AccountKey::SubsidyWallet { application } => {
                write!(f, "application:{application}:subsidy")
            }
            AccountKey::RecoveryReceivable { application } => {
                write!(f, "application:{application}:recovery")
            }
            AccountKey::CeilingSource => f.write_str("ceiling_source"),
            AccountKey::CeilingAvailable { enterprise, year } => {
                write!(f, "ceiling:{enterprise}:{year}:available")
            }
            AccountKey::CeilingReserved { enterprise, year } => {
                write!(f, "ceiling:{enterprise}:{year}:reserved")
            }
            AccountKey::DeMinimisSource => f.write_str("de_minimis_source"),
            AccountKey::DeMinimisGranted { enterprise } => {
                write!(f, "{}{enterprise}", Self::DE_MINIMIS_GRANTED_PREFIX)
            }
        }
    }
}

impl FromStr for AccountKey {
    type Err = AccountKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AccountKeyError(s.to_owned());
        let parts: Vec<&str> = s.split(':').collect();
        let int = |i: usize| -> Result<i64, AccountKeyError> {
            parts.get(i).and_then(|p| p.parse().ok()).ok_or_else(err)
        };
        let year = |i: usize| -> Result<i32, AccountKeyError> {
            parts.get(i).and_then(|p| p.parse().ok()).ok_or_else(err)
        };
        let key = match parts.as_slice() {
            ["bank"] => AccountKey::Bank,
            ["suspense"] => AccountKey::Suspense,
            ["refunds_payable"] => AccountKey::RefundsPayable,
            ["agency_budget", _] => AccountKey::AgencyBudget { year: year(1)? },
            ["provider_payable", _] => AccountKey::ProviderPayable { provider: int(1)? },
            ["application", _, "own_share"] => AccountKey::OwnShareWallet {
                application: int(1)?,
            },
            ["application", _, "subsidy"] => AccountKey::SubsidyWallet {
                application: int(1)?,
            },
            ["application", _, "recovery"] => AccountKey::RecoveryReceivable {
                application: int(1)?,
            },
            ["ceiling_source"] => AccountKey::CeilingSource,
            ["ceiling", _, _, "available"] => AccountKey::CeilingAvailable {
                enterprise: int(1)?,
                year: year(2)?,
            },
            ["ceiling", _, _, "reserved"] => AccountKey::CeilingReserved {
                enterprise: int(1)?,
                year: year(2)?,
            },
            ["de_minimis_source"] => AccountKey::DeMinimisSource,
            ["de_minimis", _] => AccountKey::DeMinimisGranted {
                enterprise: int(1)?,
            },
            _ => return Err(err()),
        };
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_have_a_stable_text_form() {
        assert_eq!(
            AccountKey::CeilingAvailable {
                enterprise: 7,
                year: 2024
            }
            .to_string(),
            "ceiling:7:2024:available"
        );
        assert_eq!(
            "application:12:subsidy".parse(),
            Ok(AccountKey::SubsidyWallet { application: 12 })
        );
        assert_eq!(
            AccountKey::ProviderPayable { provider: 3 }.to_string(),
            format!("{}3", AccountKey::PROVIDER_PAYABLE_PREFIX)
        );
        assert_eq!(
            AccountKey::DeMinimisGranted { enterprise: 9 }.to_string(),
            "de_minimis:9"
        );
        assert!("application:x:subsidy".parse::<AccountKey>().is_err());
        assert!("nope".parse::<AccountKey>().is_err());
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identity(kind in 0u8..13, a in -5i64..1_000_000, y in 2016i32..2040) {
            let key = match kind {
                0 => AccountKey::Bank,
                1 => AccountKey::Suspense,
                2 => AccountKey::RefundsPayable,
                3 => AccountKey::AgencyBudget { year: y },
                4 => AccountKey::ProviderPayable { provider: a },
                5 => AccountKey::OwnShareWallet { application: a },
                6 => AccountKey::SubsidyWallet { application: a },
                7 => AccountKey::CeilingSource,
                8 => AccountKey::CeilingAvailable { enterprise: a, year: y },
                9 => AccountKey::CeilingReserved { enterprise: a, year: y },
                10 => AccountKey::DeMinimisSource,
                11 => AccountKey::RecoveryReceivable { application: a },
                _ => AccountKey::DeMinimisGranted { enterprise: a },
            };
            prop_assert_eq!(key.to_string().parse::<AccountKey>(), Ok(key));
        }
    }
}
