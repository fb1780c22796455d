//! `kmo ledger check`: the books, proven from the journal.

use clap::Subcommand;

use crate::wallet::DbLocation;

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every balance from the transfers and assert the invariants; exit 0 only when
    /// all hold.
    Check,
}

pub fn run(location: &DbLocation, command: &LedgerCommand) -> anyhow::Result<u8> {
    match command {
        LedgerCommand::Check => crate::wallet::ledger_check(location),
    }
}
