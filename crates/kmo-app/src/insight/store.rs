//! What insight reads from the store: pages of applications, the cells of the public
//! statistics, the money that left the platform, and whole-database reads for checks.

use std::future::Future;

use kmo_domain::Date;
use kmo_ledger::Transfer;

use crate::kernel::store::AuditRecord;
use crate::lifecycle::Application;
use crate::registry::store::{EnterpriseRecord, EnterpriseYear};
use crate::store::StoreError;

/// Whose applications a page lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppOwner {
    Enterprise(kmo_domain::EnterpriseId),
    Provider(kmo_domain::ProviderId),
    /// Every application still waiting for its own share (the agency's queue of deposits to
    /// match).
    AwaitingDeposit,
}

/// Accepted applications of one month of submission, theme and size: the cells of the public
/// statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatisticsCell {
    /// `YYYY-MM` of the submission.
    pub month: String,
    /// The service's theme (wire code; empty when the service has none).
    pub theme: String,
    /// The size class the subsidy was decided for (`small` or `medium`).
    pub size: String,
    pub applications: i64,
    /// Subsidy reserved at submission.
    pub subsidy_cents: i64,
    /// Subsidy given back to the budget since (stops, lapses, refusals, expiry).
    pub returned_cents: i64,
    /// Subsidy paid to providers.
    pub paid_subsidy_cents: i64,
}

/// Money that left the platform's bank account: a payout to a provider or a refund to an
/// enterprise (one ledger transfer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyOut {
    /// The transfer's place in the ledger (lists page by it).
    pub seq: i64,
    /// The transfer id (`payout.<run>.provider.<id>`, `refund.<seq>.paid`).
    pub transfer: String,
    /// The application a refund belongs to (payouts sum many applications).
    pub application: Option<String>,
    pub amount_cents: i64,
    pub date: Date,
}

/// Insight's part of one database transaction: pages and figures for views.
pub trait InsightTx: Send {
    /// Applications of an enterprise or a provider with an id above `after`, by id, at most
    /// `limit`.
    fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(String, Application)>, StoreError>> + Send;
    /// The cells of the public statistics for applications submitted from `from` to `to`
    /// (inclusive), by month, theme and size.
    fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<StatisticsCell>, StoreError>> + Send;
    /// Payouts sent to a provider, with a ledger sequence above `after`, at most `limit`.
    fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<MoneyOut>, StoreError>> + Send;
    /// Refunds sent for an enterprise's applications, with a ledger sequence above `after`.
    fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<MoneyOut>, StoreError>> + Send;
}

/// Whole-database reads for checks, replays and the scenario state (not for request paths).
pub trait StoreRead: Send {
    fn all_transfers(&mut self) -> impl Future<Output = Result<Vec<Transfer>, StoreError>> + Send;
    fn all_applications(
        &mut self,
    ) -> impl Future<Output = Result<Vec<(String, Application)>, StoreError>> + Send;
    fn all_enterprises(
        &mut self,
    ) -> impl Future<Output = Result<Vec<EnterpriseRecord>, StoreError>> + Send;
    fn all_enterprise_years(
        &mut self,
    ) -> impl Future<Output = Result<Vec<EnterpriseYear>, StoreError>> + Send;
    fn all_audit_records(
        &mut self,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>> + Send;
}
