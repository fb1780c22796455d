//! `kmo ledger check`: recomputes every balance from the transfers and asserts the invariants.
//!
//! The journal of transfers is the truth; application rows and enterprise-year rows hold cached
//! balances that the services keep in the same transaction. This check replays the journal in
//! order through a [`Book`] (which refuses any transfer that breaks a floor, reuses an id, or
//! resolves a reservation twice) and compares every cached balance with the recomputed one.

use std::collections::BTreeMap;

use kmo_domain::Cents;
use kmo_ledger::{AccountKey, Book, Transfer, TransferCode};

use crate::lifecycle::Application;
use crate::store::{EnterpriseYear, StoreError, StoreRead};

/// What the check looked at and what it found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerReport {
    pub transfers: u64,
    pub accounts: usize,
    pub applications: usize,
    pub enterprise_years: usize,
    pub open_reservations: usize,
    /// Money held: bank balance, suspense, refunds payable, provider payables, wallets.
    pub bank_cents: i64,
    pub wallets_cents: i64,
    pub refunds_payable_cents: i64,
    pub provider_payable_cents: i64,
    /// Subsidy recovered after inspections and not yet repaid.
    pub recovery_receivable_cents: i64,
    /// One sentence per broken invariant. Empty means the books are right.
    pub problems: Vec<String>,
}

impl LedgerReport {
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads every transfer, application and enterprise year through `tx` and runs every check.
pub async fn ledger_report<T: StoreRead>(tx: &mut T) -> Result<LedgerReport, StoreError> {
    let transfers = tx.all_transfers().await?;
    let applications: Vec<Application> = tx
        .all_applications()
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let years = tx.all_enterprise_years().await?;
    Ok(check_ledger(&transfers, &applications, &years))
}

/// Runs every check.
#[must_use]
pub fn check_ledger(
    transfers: &[Transfer],
    applications: &[Application],
    years: &[EnterpriseYear],
) -> LedgerReport {
    let mut report = LedgerReport {
        applications: applications.len(),
        enterprise_years: years.len(),
        ..LedgerReport::default()
    };
    let mut book = Book::new();
    for t in transfers {
        // Replaying in order checks every floor at every step, ids, and single resolution.
        if let Err(e) = book.apply(t) {
            report.problems.push(format!("replaying the journal: {e}"));
        }
    }
    report.transfers = book.transfer_count();
    report.accounts = book.accounts().count();
    report.open_reservations = book.open_pending().count();
    if !book.ledgers_balance() {
        report
            .problems
            .push("a ledger does not balance: debits ≠ credits".into());
    }
    let mut aid_expected: BTreeMap<i64, i64> = BTreeMap::new();
    for t in transfers
        .iter()
        .filter(|t| t.code == TransferCode::DeMinimisExternal)
    {
        if let AccountKey::DeMinimisGranted { enterprise } = t.credit {
            *aid_expected.entry(enterprise).or_default() += t.amount.get();
        }
    }
    for app in applications {
        if let Some(broken) = app.broken_invariant() {
            report.problems.push(broken);
        }
        let own = book.balance(AccountKey::OwnShareWallet {
            application: app.id.get(),
        });
        if own.credits_posted - own.debits_posted != app.own_share_in_wallet().get() {
            report.problems.push(format!(
                "application {}: own-share wallet holds {} but the application says {}",
                app.id,
                Cents::new(own.credits_posted - own.debits_posted),
                app.own_share_in_wallet()
            ));
        }
        if own.credits_posted != app.deposited.get() {
            report.problems.push(format!(
                "application {}: deposits {} ≠ recorded {}",
                app.id,
                Cents::new(own.credits_posted),
                app.deposited
            ));
        }
        let sub = book.balance(AccountKey::SubsidyWallet {
            application: app.id.get(),
        });
        let held = sub.credits_posted + sub.credits_pending - sub.debits_posted;
        if held != app.subsidy_outstanding().get() {
            report.problems.push(format!(
                "application {}: subsidy wallet and reservation hold {} but the application says {} outstanding",
                app.id,
                Cents::new(held),
                app.subsidy_outstanding()
            ));
        }
        if app.state.is_terminal() && (held != 0 || own.credits_posted != own.debits_posted) {
            report.problems.push(format!(
                "application {}: {} but its wallets are not empty",
                app.id, app.state
            ));
        }
        let receivable = book.posted(AccountKey::RecoveryReceivable {
            application: app.id.get(),
        });
        if receivable.checked_add(app.recovery_received) != Some(app.recovered) {
            report.problems.push(format!(
                "application {}: recovery receivable {receivable} + repaid {} ≠ recovered {}",
                app.id, app.recovery_received, app.recovered
            ));
        }
        let aid = app.subsidy.get()
            - app.returned_to_ceiling.get()
            - app.returned_to_budget.get()
            - app.recovered.get();
        *aid_expected.entry(app.enterprise.get()).or_default() += aid;
    }
    for (enterprise, expected) in aid_expected {
        let got = book
            .posted(AccountKey::DeMinimisGranted { enterprise })
            .get();
        if got != expected {
            report.problems.push(format!("enterprise {enterprise}: de-minimis account {} ≠ aid of its applications and declarations {}", Cents::new(got), Cents::new(expected)));
        }
    }
    // Ceilings: cached rows equal the accounts; reserved equals Σ(S − returned to ceiling) of the
    // year's applications; never above what was granted.
    let mut reserved_by_apps: BTreeMap<(i64, i32), i64> = BTreeMap::new();
    for app in applications {
        *reserved_by_apps
            .entry((app.enterprise.get(), app.submitted_on.year()))
            .or_default() += app.subsidy.get() - app.returned_to_ceiling.get();
    }
    for y in years {
        let (e, yr) = (y.enterprise, y.year);
        let reserved = book.posted(AccountKey::CeilingReserved {
            enterprise: e.get(),
            year: yr,
        });
        let available = book.posted(AccountKey::CeilingAvailable {
            enterprise: e.get(),
            year: yr,
        });
        if reserved != y.ceiling_reserved {
            report.problems.push(format!(
                "enterprise {e} year {yr}: reserved account {reserved} ≠ cached {}",
                y.ceiling_reserved
            ));
        }
        if available.checked_add(reserved) != Some(y.ceiling_granted) {
            report.problems.push(format!("enterprise {e} year {yr}: available {available} + reserved {reserved} ≠ granted {}", y.ceiling_granted));
        }
        if y.ceiling_reserved > y.ceiling_granted || y.ceiling_reserved.is_negative() {
            report.problems.push(format!(
                "enterprise {e} year {yr}: ceiling exceeded ({} reserved of {})",
                y.ceiling_reserved, y.ceiling_granted
            ));
        }
        let expected = reserved_by_apps.remove(&(e.get(), yr)).unwrap_or(0);
        if expected != y.ceiling_reserved.get() {
            report.problems.push(format!(
                "enterprise {e} year {yr}: applications reserve {} but the ceiling says {}",
                Cents::new(expected),
                y.ceiling_reserved
            ));
        }
    }
    for ((e, yr), amount) in reserved_by_apps {
        if amount != 0 {
            report.problems.push(format!(
                "enterprise {e} year {yr}: applications reserve {} with no ceiling row",
                Cents::new(amount)
            ));
        }
    }
    // Money on hand: the bank holds exactly what is owed to someone.
    let bank = book.posted(AccountKey::Bank).get();
    let mut owed = 0i64;
    for (key, balance) in book.accounts() {
        if let AccountKey::RecoveryReceivable { .. } = key {
            report.recovery_receivable_cents += balance.posted(key.normal_side());
            continue;
        }
        if key.ledger() != kmo_ledger::LedgerKind::Money
            || matches!(key, AccountKey::Bank | AccountKey::AgencyBudget { .. })
        {
            continue;
        }
        let b = balance.posted(key.normal_side());
        owed += b;
        match key {
            AccountKey::OwnShareWallet { .. } | AccountKey::SubsidyWallet { .. } => {
                report.wallets_cents += b
            }
            AccountKey::RefundsPayable => report.refunds_payable_cents += b,
            AccountKey::ProviderPayable { .. } => report.provider_payable_cents += b,
            AccountKey::Suspense if b != 0 => report.problems.push(format!(
                "suspense holds {}: every unmatched deposit must be returned",
                Cents::new(b)
            )),
            _ => {}
        }
    }
    let budget_spent: i64 = book
        .accounts()
        .filter(|(k, _)| matches!(k, AccountKey::AgencyBudget { .. }))
        .map(|(k, b)| b.posted(k.normal_side()))
        .sum();
    // What the bank holds, plus what enterprises still owe back, plus what the agency added =
    // everything held or owed (wallets, payables, refunds): a pair assertion of double entry on
    // the money ledger.
    if bank + report.recovery_receivable_cents + budget_spent != owed {
        report.problems.push(format!(
            "money: bank {} + recoveries receivable {} + agency subsidy {} ≠ held and owed {}",
            Cents::new(bank),
            Cents::new(report.recovery_receivable_cents),
            Cents::new(budget_spent),
            Cents::new(owed)
        ));
    }
    report.bank_cents = bank;
    report.problems.sort();
    report
}
