//! What the registry keeps in the store: enterprises and their years (size lock, ceiling,
//! de-minimis aid), providers with their profile, registrations and catalogue, and the
//! requests for the occupation-specific list.

use kmo_domain::{EnterpriseId, ProviderId};
use std::future::Future;

use kmo_domain::{Cents, Date, EnterpriseSize};

use crate::store::StoreError;

/// A registered enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseRecord {
    pub id: EnterpriseId,
    /// The caller's key (a scenario id, or the enterprise number).
    pub key: String,
    pub name: String,
    /// The rules-eval.md `enterprise` object (legal form, establishment, size or figures…).
    pub profile: serde_json::Value,
}

/// An enterprise's calendar year: its size lock and its ceiling (cached balances of the ceiling
/// accounts, kept in the same transaction as the transfers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseYear {
    pub enterprise: EnterpriseId,
    pub year: i32,
    pub size_lock: Option<EnterpriseSize>,
    pub ceiling_granted: Cents,
    pub ceiling_reserved: Cents,
}

/// A registered provider (the registry of providers grows with the server issue).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRecord {
    pub id: ProviderId,
    pub key: String,
    pub name: String,
}

/// A provider's identity and activity (rules.md §7): its enterprise number, the IBAN it is paid
/// on, and the themes it is active in (wire codes, sorted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderProfile {
    pub enterprise_number: Option<String>,
    pub iban: Option<String>,
    pub themes: Vec<String>,
}

/// A service a provider offers (its catalogue). Codes are the wire codes of rules-eval.md.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedService {
    pub name: String,
    pub kind: String,
    pub theme: String,
    pub sub_theme: Option<String>,
    /// The price, excluding VAT.
    pub price: Cents,
    /// Codes of the excluded-topic list the service is about (normally none).
    pub topics: Vec<String>,
    pub on_occupation_list: bool,
}

/// A request to put a listed service on the occupation-specific list (rules.md §4.3); its
/// content as JSON (`occupation::ListRequest::to_json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRequestRecord {
    /// 0 before it is stored.
    pub id: i64,
    pub key: String,
    pub provider: ProviderId,
    /// The listed service the request is for.
    pub service: i64,
    /// The state code (kept on the row for the queues).
    pub state: String,
    pub body: String,
}

/// The registry's part of one database transaction.
pub trait RegistryTx: Send {
    // --- enterprises ---
    fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<EnterpriseRecord>, StoreError>> + Send;
    fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Replaces an enterprise's name and profile.
    fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The enterprise's year as stored, without creating or locking it (`None` before its
    /// first submission): for views in a read transaction.
    fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> impl Future<Output = Result<Option<EnterpriseYear>, StoreError>> + Send;
    /// The enterprise's year, locked for update; created (no lock, nothing granted) if absent.
    fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> impl Future<Output = Result<EnterpriseYear, StoreError>> + Send;
    /// De-minimis aid granted to the enterprise dated after `after` and on or before `until`
    /// (the balance movements of its de-minimis account in that window).
    fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> impl Future<Output = Result<Cents, StoreError>> + Send;

    // --- providers ---
    fn provider_by_key(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ProviderRecord>, StoreError>> + Send;
    fn insert_provider(
        &mut self,
        key: &str,
        name: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Registers a service of a provider; returns its id.
    fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn provider_profile(
        &mut self,
        provider: i64,
    ) -> impl Future<Output = Result<ProviderProfile, StoreError>> + Send;
    /// Replaces the provider's enterprise number, IBAN and themes.
    fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Adds a service to the provider's catalogue; returns its id.
    fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The provider's catalogue, by id.
    fn listed_services(
        &mut self,
        provider: i64,
    ) -> impl Future<Output = Result<Vec<(i64, ListedService)>, StoreError>> + Send;
    /// Providers whose name contains `name` (case-insensitive) and, if given, active in
    /// `theme`, with an id above `after`, by id, at most `limit`.
    fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ProviderRecord>, StoreError>> + Send;

    // --- provider registrations (rules.md §7) ---
    /// The provider's registration for a service kind, if any.
    fn registration(
        &mut self,
        provider: i64,
        kind: kmo_domain::ServiceKind,
    ) -> impl Future<Output = Result<Option<crate::registry::Registration>, StoreError>> + Send;
    /// Inserts or replaces the provider's registration for its kind.
    fn save_registration(
        &mut self,
        provider: i64,
        registration: &crate::registry::Registration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- the occupation-specific list (rules.md §4.3) ---
    fn insert_list_request(
        &mut self,
        request: &ListRequestRecord,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The request with this key, locked for an update where the store locks rows.
    fn list_request(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ListRequestRecord>, StoreError>> + Send;
    fn update_list_request(
        &mut self,
        request: &ListRequestRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Requests, newest first: a provider's, or all.
    fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ListRequestRecord>, StoreError>> + Send;
    /// Puts a listed service of `provider` on the occupation-specific list; false when the
    /// provider lists no such service.
    fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
