//! Public statistics, pages of applications, an application's audit trail and the ledger report.

use kmo_domain::Date;

use crate::kernel::CommandError;
use crate::platform::Platform;
use crate::store::{InsightTx, KernelTx, Store};
use crate::wallet::lifecycle::Application;

impl<S: Store> Platform<S> {
    /// The public statistics of a calendar year: accepted applications and their subsidy per
    /// month of submission, theme and size class (no enterprise is named).
    pub async fn statistics(&self, year: i32) -> Result<Statistics, CommandError> {
        let (Ok(from), Ok(to)) = (Date::from_ymd(year, 1, 1), Date::last_of_year(year)) else {
            return Err(CommandError::Invalid {
                field: "year".into(),
                message: format!("{year} is not a calendar year the platform knows"),
            });
        };
        let mut tx = self.store.read().await?;
        let cells = tx.statistics(from, to).await?;
        drop(tx);
        Ok(Statistics::from_cells(year, cells))
    }

    /// A page of applications of an enterprise or a provider (ids above `after`).
    pub async fn applications_page(
        &self,
        owner: crate::store::AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, CommandError> {
        let mut tx = self.store.read().await?;
        let page = tx.applications_page(owner, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// The application's audit trail (its hash-chained stream), oldest first.
    pub async fn audit_trail(
        &self,
        app: &Application,
    ) -> Result<Vec<crate::store::AuditRecord>, CommandError> {
        let mut tx = self.store.read().await?;
        let records = tx
            .audit_stream(&crate::kernel::audit::AuditStream::Application(app.id).to_string())
            .await?;
        drop(tx);
        Ok(records)
    }
}

impl<S: Store> Platform<S>
where
    S::Tx: crate::store::StoreRead,
{
    /// Everything stored, read in one snapshot: the clock, every application (with its key),
    /// enterprise, enterprise year, transfer and audit record. For checks, scenarios,
    /// replays and simulations — never a request path.
    pub async fn snapshot(&self) -> Result<Snapshot, CommandError> {
        let mut tx = self.store.read().await?;
        let snapshot = Snapshot {
            clock: crate::store::KernelTx::clock(&mut tx).await?,
            applications: crate::store::StoreRead::all_applications(&mut tx).await?,
            enterprises: crate::store::StoreRead::all_enterprises(&mut tx).await?,
            enterprise_years: crate::store::StoreRead::all_enterprise_years(&mut tx).await?,
            transfers: crate::store::StoreRead::all_transfers(&mut tx).await?,
            audit: crate::store::StoreRead::all_audit_records(&mut tx).await?,
        };
        drop(tx);
        Ok(snapshot)
    }

    /// `kmo ledger check` in-process: every balance recomputed from the journal and every
    /// invariant asserted, in one read transaction.
    pub async fn ledger_report(&self) -> Result<crate::check::LedgerReport, CommandError> {
        let mut tx = self.store.read().await?;
        let report = crate::check::ledger_report(&mut tx).await?;
        drop(tx);
        Ok(report)
    }
}

/// The whole stored state at one moment ([`Platform::snapshot`]).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub clock: Option<kmo_domain::Date>,
    pub applications: Vec<(String, crate::lifecycle::Application)>,
    pub enterprises: Vec<crate::store::EnterpriseRecord>,
    pub enterprise_years: Vec<crate::store::EnterpriseYear>,
    pub transfers: Vec<kmo_ledger::Transfer>,
    pub audit: Vec<crate::store::AuditRecord>,
}

/// Totals of a group of statistics cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatisticsTotals {
    pub applications: i64,
    pub subsidy_cents: i64,
    pub returned_cents: i64,
    pub paid_subsidy_cents: i64,
}

impl StatisticsTotals {
    fn add(&mut self, c: &crate::store::StatisticsCell) {
        self.applications += c.applications;
        self.subsidy_cents += c.subsidy_cents;
        self.returned_cents += c.returned_cents;
        self.paid_subsidy_cents += c.paid_subsidy_cents;
    }
}

/// The public statistics of a year: totals, and the same totals per month, per theme, per
/// month and theme, and per size class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statistics {
    pub year: i32,
    pub totals: StatisticsTotals,
    /// Twelve entries, `YYYY-MM`, empty months included.
    pub by_month: Vec<(String, StatisticsTotals)>,
    pub by_theme: Vec<(String, StatisticsTotals)>,
    pub by_size: Vec<(String, StatisticsTotals)>,
    /// Non-empty (month, theme) pairs.
    pub by_month_and_theme: Vec<(String, String, StatisticsTotals)>,
}

impl Statistics {
    #[must_use]
    pub fn from_cells(year: i32, cells: Vec<crate::store::StatisticsCell>) -> Statistics {
        use std::collections::BTreeMap;
        let mut totals = StatisticsTotals::default();
        let mut months: BTreeMap<String, StatisticsTotals> = (1..=12)
            .map(|m| (format!("{year:04}-{m:02}"), StatisticsTotals::default()))
            .collect();
        let mut themes: BTreeMap<String, StatisticsTotals> = BTreeMap::new();
        let mut sizes: BTreeMap<String, StatisticsTotals> = BTreeMap::new();
        let mut month_theme: BTreeMap<(String, String), StatisticsTotals> = BTreeMap::new();
        for c in &cells {
            totals.add(c);
            months.entry(c.month.clone()).or_default().add(c);
            themes.entry(c.theme.clone()).or_default().add(c);
            sizes.entry(c.size.clone()).or_default().add(c);
            month_theme
                .entry((c.month.clone(), c.theme.clone()))
                .or_default()
                .add(c);
        }
        Statistics {
            year,
            totals,
            by_month: months.into_iter().collect(),
            by_theme: themes.into_iter().collect(),
            by_size: sizes.into_iter().collect(),
            by_month_and_theme: month_theme
                .into_iter()
                .map(|((m, t), v)| (m, t, v))
                .collect(),
        }
    }
}
