//! `kmo audit verify`: the audit log's hash chains.

use clap::Subcommand;

use crate::wallet::DbLocation;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chains of the audit log and that every transfer is in it.
    Verify,
}

pub fn run(location: &DbLocation, command: &AuditCommand) -> anyhow::Result<u8> {
    match command {
        AuditCommand::Verify => crate::wallet::audit_verify(location),
    }
}
