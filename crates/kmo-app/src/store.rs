//! The storage the services need, as traits; `kmo-store` implements them for SQLite and
//! PostgreSQL. One [`StoreTx`] is one database transaction: a service reads what it needs,
//! decides with the pure lifecycle, writes the change and commits — or drops the transaction and
//! nothing happened.

use std::future::Future;

use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::Transfer;

use crate::lifecycle::Application;

/// A storage failure. `Conflict` means the transaction lost a race (serialization failure,
/// busy database) and may be retried as a whole.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the transaction conflicted with another one; retry it")]
    Conflict,
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
}

/// A registered enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseRecord {
    pub id: i64,
    /// The caller's key (a scenario id, or the enterprise number).
    pub key: String,
    pub name: String,
    /// The rules-eval.md `enterprise` object (legal form, establishment, size or figures…).
    pub profile: serde_json::Value,
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

/// An enterprise's calendar year: its size lock and its ceiling (cached balances of the ceiling
/// accounts, kept in the same transaction as the transfers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseYear {
    pub enterprise: i64,
    pub year: i32,
    pub size_lock: Option<EnterpriseSize>,
    pub ceiling_granted: Cents,
    pub ceiling_reserved: Cents,
}

/// A registered provider (the registry of providers grows with the server issue).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRecord {
    pub id: i64,
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

impl ListedService {
    /// The rules-eval.md `service` object of an application for this service.
    #[must_use]
    pub fn case_service(&self, start_date: Date) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind,
            "theme": self.theme,
            "sub_theme": self.sub_theme,
            "start_date": start_date.to_string(),
            "topics": self.topics,
            "on_occupation_list": self.on_occupation_list,
            "related_to_provider": false,
        })
    }
}

/// The stored answer to a request sent with an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentAnswer {
    pub request_hash: String,
    pub status: i64,
    pub body: String,
}

/// Whose applications a page lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppOwner {
    Enterprise(i64),
    Provider(i64),
    /// Every application still waiting for its own share (the agency's queue of deposits to
    /// match).
    AwaitingDeposit,
}

/// An activation letter (rules.md §8).
#[derive(Clone, PartialEq, Eq)]
pub struct LetterRecord {
    pub id: i64,
    pub user: i64,
    pub enterprise: i64,
    /// The code in clear, until the letter is printed.
    pub code: Option<String>,
    pub issued_on: Date,
    pub valid_until: Date,
    pub printed_on: Option<Date>,
    pub used_on: Option<Date>,
}

impl std::fmt::Debug for LetterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterRecord")
            .field("id", &self.id)
            .field("user", &self.user)
            .field("enterprise", &self.enterprise)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// Records that have a caller's key besides their id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyed {
    Application,
    Provider,
    Enterprise,
}

impl Keyed {
    /// The table (a fixed name, never caller input).
    #[must_use]
    pub const fn table(self) -> &'static str {
        match self {
            Keyed::Application => "application",
            Keyed::Provider => "provider",
            Keyed::Enterprise => "enterprise",
        }
    }
}

/// A user account (the password only as its argon2 hash).
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// `enterprise`, `provider`, `agency` or `quality_chamber`.
    pub role: String,
    /// The provider a provider user acts for.
    pub provider: Option<i64>,
    pub created_on: Date,
}

/// The hash never appears in logs.
impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// An API token (its secret only as a SHA-256 hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub user: i64,
    pub name: String,
    pub created_on: Date,
    pub revoked: bool,
}

/// A user's mandate for an enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateRecord {
    pub id: i64,
    pub user: i64,
    pub enterprise: i64,
    pub enterprise_key: String,
    /// `legal_representative`, `view_and_release` or `view_and_apply`.
    pub scope: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    /// `pending`, `active` or `revoked`.
    pub state: String,
    pub granted_by: Option<i64>,
}

/// A transfer that made something payable: to a provider (a released invoice) or to refunds
/// (an own share refunded, a deposit returned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayableCredit {
    pub seq: i64,
    pub transfer: Transfer,
}

/// A request to put a listed service on the occupation-specific list (rules.md §4.3); its
/// content as JSON (`occupation::ListRequest::to_json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRequestRecord {
    /// 0 before it is stored.
    pub id: i64,
    pub key: String,
    pub provider: i64,
    /// The listed service the request is for.
    pub service: i64,
    /// The state code (kept on the row for the queues).
    pub state: String,
    pub body: String,
}

/// A saved draft of an application (T1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftRecord {
    pub key: String,
    pub enterprise: i64,
    /// The draft's content as JSON (see `platform::Draft`).
    pub body: String,
    pub saved_on: Date,
}

/// One record of the append-only, hash-chained audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// `application:<id>`, `enterprise:<id>` or `platform`.
    pub stream: String,
    /// 1, 2, 3… within the stream.
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    /// The business date of the change.
    pub date: Date,
    /// Canonical JSON: the change's details and the ids of its transfers.
    pub payload: String,
    /// Hash of the previous record of the stream (64 hex zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over the fields above (see [`crate::audit::record_hash`]).
    pub hash: String,
}

/// What a submission reads first, in one call (one statement on PostgreSQL).
#[derive(Clone, Copy, Debug)]
pub struct SubmissionQuery<'a> {
    pub enterprise_key: &'a str,
    pub application_key: &'a str,
    /// The submission's calendar year: its enterprise-year row is created if needed and locked.
    pub year: i32,
    /// The de-minimis window: aid dated after `de_minimis_after` and on or before
    /// `de_minimis_until`.
    pub de_minimis_after: Date,
    pub de_minimis_until: Date,
    /// The provider's registration for this kind is read when both are known.
    pub provider: Option<i64>,
    pub kind: Option<kmo_domain::ServiceKind>,
}

/// What [`StoreTx::submission_context`] found.
#[derive(Clone, Debug)]
pub struct SubmissionContext {
    /// None: no enterprise with that key (and nothing else was read).
    pub enterprise: Option<EnterpriseRecord>,
    /// An application with that key exists already.
    pub key_taken: bool,
    pub year: Option<EnterpriseYear>,
    pub de_minimis: Cents,
    pub registration: Option<crate::registry::Registration>,
    /// A fresh application id (unused ids are gaps, never reused).
    pub next_id: i64,
}

/// A command's stored answer (request hash, answer), if any, and the application it names.
pub type CommandContext = (Option<(String, String)>, Option<Application>);

/// Which application a command names.
#[derive(Clone, Copy, Debug)]
pub enum AppLookup<'a> {
    Key(&'a str),
    /// The structured reference's 12 digits.
    Reference(&'a str),
    /// None (a reference that does not parse).
    Nothing,
}

/// A new application as [`Writes`] inserts it.
#[derive(Clone, Copy, Debug)]
pub struct NewApplicationWrite<'a> {
    pub application: &'a Application,
    pub key: &'a str,
    /// The service as submitted (the rules-eval.md `service` object), stored with it.
    pub service: &'a serde_json::Value,
    /// The structured reference's 12 digits.
    pub reference: &'a str,
    /// The case as submitted (JSON).
    pub case: &'a str,
    pub participants: &'a [(String, crate::registry::WorkerStatus)],
}

/// The answer of a command sent with an idempotency key, as [`Writes`] stores it.
#[derive(Clone, Copy, Debug)]
pub struct CommandResultWrite<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
    pub answer: &'a str,
}

/// Everything one command writes, in one call: on PostgreSQL one statement (a round trip
/// instead of five), on SQLite the same statements one after the other.
#[derive(Clone, Copy, Debug, Default)]
pub struct Writes<'a> {
    pub new_application: Option<NewApplicationWrite<'a>>,
    /// A changed application, written only if the stored one is still at `seq - 1`
    /// (otherwise `StoreError::Conflict`).
    pub application: Option<&'a Application>,
    pub enterprise_year: Option<&'a EnterpriseYear>,
    pub transfers: &'a [Transfer],
    pub audit: Option<&'a AuditRecord>,
    pub command_result: Option<CommandResultWrite<'a>>,
}

/// Starts transactions.
pub trait Store: Send + Sync {
    type Tx: StoreTx;

    /// Begins a read-write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers never deadlock on an upgrade.
    fn begin(&self) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;

    /// Begins a read-only transaction: a consistent snapshot that never waits for a writer (on
    /// SQLite a reader connection in WAL mode, on PostgreSQL `READ ONLY`). Any write in it
    /// fails. Queries use it; commands use [`Store::begin`].
    fn read(&self) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;

    /// The user of an unrevoked API token with this hash and the user's mandates, read in one
    /// go outside any transaction (every authenticated request starts with it).
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<(UserRecord, Vec<MandateRecord>)>, StoreError>> + Send;
}

/// One database transaction.
#[allow(
    clippy::too_many_arguments,
    reason = "insert statements take the row's fields"
)]
pub trait StoreTx: Send {
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- the platform clock (lifecycle.md §2) ---
    fn clock(&mut self) -> impl Future<Output = Result<Option<Date>, StoreError>> + Send;
    fn set_clock(&mut self, date: Date) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- registries ---
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

    /// The key of the record with this id.
    fn key_of(
        &mut self,
        kind: Keyed,
        id: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Applications of an enterprise or a provider with an id above `after`, by id, at most
    /// `limit`.
    fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(String, Application)>, StoreError>> + Send;
    /// Providers whose name contains `name` (case-insensitive) and, if given, active in
    /// `theme`, with an id above `after`, by id, at most `limit`.
    fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ProviderRecord>, StoreError>> + Send;
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
    /// One audit stream (`application:<id>`), in order.
    fn audit_stream(
        &mut self,
        stream: &str,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>> + Send;

    fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<IdempotentAnswer>, StoreError>> + Send;
    /// Keeps the answer; a concurrent request that stored one first wins (nothing happens).
    fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        answer: &IdempotentAnswer,
        on: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- accounts ---
    fn insert_user(
        &mut self,
        user: &UserRecord,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn user_by_email(
        &mut self,
        email: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn user_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn insert_token(
        &mut self,
        token: &TokenRecord,
        hash: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The user of an unrevoked token with this hash.
    fn user_by_token_hash(
        &mut self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn tokens_of(
        &mut self,
        user: i64,
    ) -> impl Future<Output = Result<Vec<TokenRecord>, StoreError>> + Send;
    /// Revokes the user's token; false when the user has no such token.
    fn revoke_token(
        &mut self,
        user: i64,
        token: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user and CSRF token of a session that has not ended by `now` (Unix seconds).
    fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<(UserRecord, String)>, StoreError>> + Send;
    fn delete_session(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn insert_letter(
        &mut self,
        letter: &LetterRecord,
        code_hash: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// A letter by id (`by_code_hash: false`) or by the hash of its code.
    fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> impl Future<Output = Result<Option<LetterRecord>, StoreError>> + Send;
    /// Marks the letter printed (its clear code is dropped) or used.
    fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn insert_mandate(
        &mut self,
        mandate: &MandateRecord,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn mandates_of(
        &mut self,
        user: i64,
    ) -> impl Future<Output = Result<Vec<MandateRecord>, StoreError>> + Send;
    /// Every mandate for an enterprise (any state), by id.
    fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> impl Future<Output = Result<Vec<MandateRecord>, StoreError>> + Send;
    fn mandate_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<MandateRecord>, StoreError>> + Send;
    fn set_mandate_state(
        &mut self,
        id: i64,
        state: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- applications ---
    /// A fresh application id (also the base of its structured reference).
    fn next_application_id(&mut self) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The application with this caller key, locked for update.
    fn application_by_key(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    /// The application with this structured reference (12 digits), locked for update.
    fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    fn application_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<Application>, StoreError>> + Send;
    /// Ids of applications with a deadline event dated on or before `date` (lapse of a submitted
    /// one, expiry of a funded or partially paid one), oldest first.
    fn due_applications(
        &mut self,
        date: Date,
    ) -> impl Future<Output = Result<Vec<i64>, StoreError>> + Send;

    /// The stored answer of an idempotent command, and the application it names (locked), in one
    /// call (one statement on PostgreSQL when the application exists).
    fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> impl Future<Output = Result<CommandContext, StoreError>> + Send;

    /// Everything a submission reads before it decides (see [`SubmissionQuery`]).
    fn submission_context(
        &mut self,
        query: &SubmissionQuery<'_>,
    ) -> impl Future<Output = Result<SubmissionContext, StoreError>> + Send;

    /// Writes everything a command changed (see [`Writes`]).
    fn write(&mut self, writes: &Writes<'_>)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- ledger and audit ---
    fn insert_transfers(
        &mut self,
        transfers: &[Transfer],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The hash of the last audit record of a stream and its seq (None for an empty stream).
    fn audit_head(
        &mut self,
        stream: &str,
    ) -> impl Future<Output = Result<Option<(i64, String)>, StoreError>> + Send;
    fn append_audit(
        &mut self,
        record: &AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

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

    // --- the provider's confirmation that it checked an application ---
    /// Records it once; false when it was recorded before.
    fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The confirmations of the applications naming `provider` (or of one of them):
    /// application id and date.
    fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> impl Future<Output = Result<Vec<(i64, Date)>, StoreError>> + Send;

    // --- calendar feeds ---
    /// Gives `user` a feed address with this secret's hash, replacing an earlier one.
    fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user whose feed has this secret's hash.
    fn calendar_feed_user(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    // --- drafts (T1) ---
    /// The draft with this key, if any.
    fn draft(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<DraftRecord>, StoreError>> + Send;
    /// Inserts or replaces a draft.
    fn save_draft(
        &mut self,
        draft: &DraftRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes a draft; whether there was one.
    fn delete_draft(&mut self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    // --- failed attempts (logins, activation codes) ---
    /// Failures counted for `key` in the window that began at the returned first failure.
    fn attempt_failures(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(i64, i64)>, StoreError>> + Send;
    /// Counts a failure at `now` (unix seconds): a window older than `window` seconds starts
    /// afresh; rows of windows that have passed are removed.
    fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn clear_attempt_failures(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- payout runs ---
    /// The payout watermark and every transfer to a payable (a provider's, or refunds) with a
    /// seq above it, oldest first, with the highest seq now in the journal. On PostgreSQL this
    /// first waits for every transaction writing transfers to finish and holds new ones off
    /// until this one ends, so that no transfer below the new watermark commits later.
    fn payables_since_watermark(
        &mut self,
    ) -> impl Future<Output = Result<(i64, Vec<PayableCredit>, i64), StoreError>> + Send;
    fn set_payout_watermark(
        &mut self,
        seq: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- idempotent commands ---
    /// The stored answer of an earlier command with this idempotency key: (request hash, answer).
    fn command_result(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, String)>, StoreError>> + Send;
    fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
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
