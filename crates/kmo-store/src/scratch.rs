//! Fresh, empty, migrated databases: for each scenario of `kmo scenario run` and for each test.
//! SQLite: a new file in the temporary folder (or next to a given `sqlite://` path). PostgreSQL:
//! a new schema in the given database, reached through `search_path`, dropped afterwards.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use kmo_app::store::StoreError;

use crate::{Backend, ConnectOptions, Db, migrate_to};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A scratch database; call [`Scratch::drop_it`] when done.
#[derive(Debug)]
pub struct Scratch {
    pub db: Db,
    /// The URL that reaches it (from another process too).
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(PathBuf),
    Schema { admin: Db, schema: String },
}

impl Scratch {
    /// Creates one. `base` is a database URL (None: a temporary SQLite file); `connections` is
    /// the pool size.
    pub async fn create(base: Option<&str>, connections: u32) -> Result<Scratch, StoreError> {
        Scratch::create_at(base, connections, i64::MAX).await
    }

    /// Like [`Scratch::create`], migrated only up to `version`.
    pub async fn create_at(
        base: Option<&str>,
        connections: u32,
        version: i64,
    ) -> Result<Scratch, StoreError> {
        let unique = format!(
            "{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        match base.map(Db::backend_of).transpose()? {
            None | Some(Backend::Sqlite) => {
                let path = match base {
                    // Next to the named file, whatever the URL's parameters say.
                    Some(url) => {
                        let (file, _) = crate::sqlite::parse_url(url)?;
                        PathBuf::from(format!("{}.scratch-{unique}", file.display()))
                    }
                    None => std::env::temp_dir().join(format!("kmo-scratch-{unique}.sqlite3")),
                };
                remove_sqlite(&path);
                let url = Db::sqlite_url(&path);
                let db = Db::connect(
                    &url,
                    ConnectOptions {
                        max_connections: connections,
                        ..ConnectOptions::default()
                    },
                )
                .await?;
                migrate_to(&db, version).await?;
                Ok(Scratch {
                    db,
                    url,
                    cleanup: Cleanup::File(path),
                })
            }
            Some(Backend::Postgres) => {
                let url = base.unwrap_or_default();
                let admin = Db::connect(
                    url,
                    ConnectOptions {
                        max_connections: 1,
                        ..ConnectOptions::default()
                    },
                )
                .await?;
                let schema = format!("kmo_scratch_{unique}");
                if let Db::Postgres(pool) = &admin {
                    sqlx::query(&format!("create schema {schema}"))
                        .execute(pool)
                        .await
                        .map_err(crate::postgres::map_err)?;
                }
                let sep = if url.contains('?') { '&' } else { '?' };
                let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
                let db = Db::connect(
                    &scoped,
                    ConnectOptions {
                        max_connections: connections,
                        ..ConnectOptions::default()
                    },
                )
                .await?;
                migrate_to(&db, version).await?;
                Ok(Scratch {
                    db,
                    url: scoped,
                    cleanup: Cleanup::Schema { admin, schema },
                })
            }
        }
    }

    /// Closes and removes it.
    pub async fn drop_it(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => remove_sqlite(&path),
            Cleanup::Schema { admin, schema } => {
                if let Db::Postgres(pool) = &admin {
                    let _ = sqlx::query(&format!("drop schema {schema} cascade"))
                        .execute(pool)
                        .await;
                }
                admin.close().await;
            }
        }
    }
}

fn remove_sqlite(path: &Path) {
    crate::sqlite::remove_files(path);
}

/// The databases a test suite runs on: SQLite (`None`) always, and PostgreSQL when
/// `KMO_TEST_DATABASE_URL` names one. With `KMO_REQUIRE_POSTGRES=1` (CI sets it) a missing
/// PostgreSQL panics, so its tests fail instead of being skipped.
#[must_use]
#[allow(
    clippy::panic,
    reason = "test support: a missing required database must fail the run"
)]
pub fn backends_under_test() -> Vec<Option<String>> {
    let mut list = vec![None];
    match std::env::var("KMO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => list.push(Some(url)),
        _ => {
            if std::env::var("KMO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!(
                    "KMO_REQUIRE_POSTGRES=1 but KMO_TEST_DATABASE_URL is not set: the PostgreSQL tests must run"
                );
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[tokio::test]
    async fn a_scratch_file_lies_next_to_the_named_one_whatever_the_url_parameters() {
        let base = std::env::temp_dir().join(format!("kmo-scratch-base-{}", std::process::id()));
        let url = format!("{}?mode=rwc", Db::sqlite_url(&base));
        let scratch = Scratch::create(Some(&url), 1).await.unwrap();
        let Cleanup::File(path) = &scratch.cleanup else {
            unreachable!("a SQLite scratch is a file")
        };
        assert!(path.starts_with(std::env::temp_dir()) && path.exists());
        assert!(
            path.display()
                .to_string()
                .starts_with(&format!("{}.scratch-", base.display())),
            "{}",
            path.display()
        );
        scratch.drop_it().await;
        assert!(!base.exists());
    }
}
