//! The platform: the rules and a store, with the services of every context as its methods
//! (`kernel`, `wallet`, `registry`, `accounts`, `insight`). This module keeps the old paths of
//! the types those contexts define.

use kmo_rules::RuleBook;

use crate::store::Store;

pub use crate::insight::statistics::{Snapshot, Statistics, StatisticsTotals};
pub use crate::kernel::{AMOUNT_CENTS_MAX, CONFLICT_RETRIES_MAX, CommandError};
pub use crate::registry::enterprises::{EnterpriseWallet, WalletYear};
pub use crate::wallet::payouts::PayoutsDue;
pub use crate::wallet::{
    CostRequest, DepositTarget, Draft, Inspection, Payout, PayoutRun, ServiceRequest, Submission,
    Submitted, costs_from_json,
};

/// The platform: the rules, and a store.
#[derive(Debug)]
pub struct Platform<S> {
    pub(crate) store: S,
    pub rules: RuleBook,
    /// Provider ids by key: a provider's id never changes, so it is read once.
    pub(crate) providers:
        std::sync::Mutex<std::collections::HashMap<String, kmo_domain::ProviderId>>,
}

impl<S: Store> Platform<S> {
    #[must_use]
    pub fn new(store: S, rules: RuleBook) -> Self {
        Platform {
            store,
            rules,
            providers: std::sync::Mutex::default(),
        }
    }
}
