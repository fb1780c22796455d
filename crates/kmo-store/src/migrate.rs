//! Embedded migrations, one tree per backend with the same versions (vaultwarden's layout),
//! applied in order and recorded with a checksum; an edited released migration is an error.

use sha2::{Digest, Sha256};

use kmo_app::store::{KernelTx, Store, StoreError};

use crate::Db;

/// The table recording applied migrations (the same on both backends).
pub(crate) const CREATE_MIGRATION_TABLE: &str = "create table if not exists kmo_migration (version bigint primary key, name text not null, checksum text not null)";

/// One migration in both dialects.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Every migration, oldest first. Never edit a released one: add a new version.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "wallet",
        sqlite: include_str!("../migrations/sqlite/0001_wallet.sql"),
        postgres: include_str!("../migrations/postgres/0001_wallet.sql"),
    },
    Migration {
        version: 2,
        name: "registries",
        sqlite: include_str!("../migrations/sqlite/0002_registries.sql"),
        postgres: include_str!("../migrations/postgres/0002_registries.sql"),
    },
    Migration {
        version: 3,
        name: "inspections_drafts",
        sqlite: include_str!("../migrations/sqlite/0003_inspections_drafts.sql"),
        postgres: include_str!("../migrations/postgres/0003_inspections_drafts.sql"),
    },
    Migration {
        version: 4,
        name: "catalogue",
        sqlite: include_str!("../migrations/sqlite/0004_catalogue.sql"),
        postgres: include_str!("../migrations/postgres/0004_catalogue.sql"),
    },
    Migration {
        version: 5,
        name: "accounts",
        sqlite: include_str!("../migrations/sqlite/0005_accounts.sql"),
        postgres: include_str!("../migrations/postgres/0005_accounts.sql"),
    },
    Migration {
        version: 6,
        name: "idempotency",
        sqlite: include_str!("../migrations/sqlite/0006_idempotency.sql"),
        postgres: include_str!("../migrations/postgres/0006_idempotency.sql"),
    },
    Migration {
        version: 7,
        name: "lists",
        sqlite: include_str!("../migrations/sqlite/0007_lists.sql"),
        postgres: include_str!("../migrations/postgres/0007_lists.sql"),
    },
    Migration {
        version: 8,
        name: "sessions",
        sqlite: include_str!("../migrations/sqlite/0008_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0008_sessions.sql"),
    },
    Migration {
        version: 9,
        name: "activation_letters",
        sqlite: include_str!("../migrations/sqlite/0009_activation_letters.sql"),
        postgres: include_str!("../migrations/postgres/0009_activation_letters.sql"),
    },
    Migration {
        version: 10,
        name: "money_lists",
        sqlite: include_str!("../migrations/sqlite/0010_money_lists.sql"),
        postgres: include_str!("../migrations/postgres/0010_money_lists.sql"),
    },
    Migration {
        version: 11,
        name: "attempt_failures",
        sqlite: include_str!("../migrations/sqlite/0011_attempt_failures.sql"),
        postgres: include_str!("../migrations/postgres/0011_attempt_failures.sql"),
    },
    Migration {
        version: 12,
        name: "lists_confirmations_feeds",
        sqlite: include_str!("../migrations/sqlite/0012_lists_confirmations_feeds.sql"),
        postgres: include_str!("../migrations/postgres/0012_lists_confirmations_feeds.sql"),
    },
];

/// The SHA-256 of a migration's text in lower-case hex, as stored in `kmo_migration.checksum`
/// (its form must never change: every database compares against it).
fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies every migration not applied yet, each in its own transaction. Returns how many ran.
pub async fn migrate(db: &Db) -> Result<usize, StoreError> {
    migrate_to(db, i64::MAX).await
}

/// Applies the migrations not applied yet up to and including `version` (tests of a migration
/// start from the version before it).
pub async fn migrate_to(db: &Db, version: i64) -> Result<usize, StoreError> {
    let applied = {
        let mut tx = db.begin().await?;
        let applied = tx.applied_migrations().await?;
        tx.commit().await?;
        applied
    };
    let mut ran = 0;
    for m in MIGRATIONS.iter().filter(|m| m.version <= version) {
        let sql = match db {
            Db::Sqlite(_) => m.sqlite,
            Db::Postgres(_) => m.postgres,
        };
        let sum = checksum(sql);
        if let Some((_, stored)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *stored != sum {
                return Err(StoreError::Corrupt(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        // Each migration in its own transaction (IMMEDIATE on SQLite, like every write; with
        // foreign keys off until it is checked, so that a table can be rebuilt).
        let mut tx = db.begin_migration().await?;
        tx.apply_migration(sql, m, &sum).await?;
        tx.commit().await?;
        ran += 1;
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every database keeps these checksums: their form (lower-case hex of SHA-256) must not
    /// change, or every migration would look edited.
    #[test]
    fn a_checksum_is_the_lower_case_hex_sha256_of_the_text() {
        assert_eq!(
            checksum("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
