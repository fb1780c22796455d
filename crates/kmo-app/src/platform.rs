//! The use-case services: each command is validated, decided by the rules engine and the pure
//! lifecycle, and written — record, transfers and audit — in one database transaction.
//!
//! Dated commands follow lifecycle.md §2 (L1, L19): the clock may not go back; moving it
//! applies every deadline event due on or before the new date (each dated by its event date)
//! and is committed on its own, so the clock stays advanced even when the command itself is then
//! rejected. A rejected command changes nothing else, except that the money of a rejected
//! deposit is returned in full at once and recorded (L3, L14).

use kmo_domain::{Cents, Date, EnterpriseSize, PaymentReference};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};
use kmo_rules::ruleset::DeMinimisWindow;
use kmo_rules::{Reason, RuleBook, evaluate, parse_case};
use serde_json::{Map, Value, json};

use crate::audit::next_record;
use crate::lifecycle::{self, Application, Change, Closing, NewApplication, TransitionError};
use crate::store::{
    AppLookup, CommandResultWrite, DraftRecord, EnterpriseYear, ListedService, NewApplicationWrite,
    ProviderProfile, ProviderRecord, Store, StoreError, StoreTx, SubmissionQuery, Writes,
};

/// Any one amount entering the platform (a deposit, a payment, declared aid, a price) is at
/// least one cent and at most the rules engine's bound for one cost line: an absurd number is
/// refused before it reaches the ledger (whose sums must never overflow).
pub const AMOUNT_CENTS_MAX: i64 = kmo_rules::input::AMOUNT_CENTS_MAX;

fn check_amount(field: &str, amount: Cents) -> Result<(), CommandError> {
    if amount.is_positive() && amount.get() <= AMOUNT_CENTS_MAX {
        Ok(())
    } else {
        Err(CommandError::Invalid {
            field: field.into(),
            message: format!("must be 1 to {AMOUNT_CENTS_MAX} cents"),
        })
    }
}

/// A refused command: the stable code of lifecycle.md §3.1 and what it is about.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("malformed command: {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("the date {date} is before the platform's clock {clock}")]
    DateBeforeClock { date: Date, clock: Date },
    #[error("enterprise {0} is already registered")]
    DuplicateEnterprise(String),
    #[error("the enterprise profile is not valid: {field}: {message}")]
    InvalidEnterprise { field: String, message: String },
    #[error("unknown enterprise {0}")]
    UnknownEnterprise(String),
    #[error("application id {0} is already used")]
    DuplicateApplication(String),
    #[error("the submission is not a valid case: {field}: {message}")]
    InvalidSubmission { field: String, message: String },
    #[error("the submission is rejected: {}", reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))]
    SubmissionRejected { reasons: Vec<Reason> },
    #[error("the reference matches no application; the deposit was returned")]
    UnknownReference,
    #[error("unknown application {0}")]
    UnknownApplication(String),
    #[error("unknown provider {0}")]
    UnknownProvider(String),
    #[error("a user with the e-mail address {0} exists already")]
    DuplicateUser(String),
    #[error("unknown user {0}")]
    UnknownUser(String),
    #[error("the e-mail address or the password is wrong")]
    AuthenticationFailed,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("unknown token {0}")]
    UnknownToken(i64),
    #[error("unknown mandate {0}")]
    UnknownMandate(i64),
    #[error("provider {provider} holds no active registration for {kind} on {date}")]
    ProviderNotRegistered {
        provider: String,
        kind: &'static str,
        date: Date,
    },
    #[error("participant {index} is a {status}, not a worker who may be trained with support")]
    NotAWorker { index: usize, status: &'static str },
    #[error("there is no draft {0}")]
    UnknownDraft(String),
    #[error("application {0} does not name this provider")]
    NotYourApplication(String),
    #[error(transparent)]
    Registration(#[from] crate::registry::RegistrationError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("the idempotency key was used before for a different command")]
    IdempotencyKeyReused,
    #[error("this command was already handled with the result {code}; nothing was done again")]
    Repeated { code: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CommandError {
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Invalid { .. } => "INVALID_COMMAND",
            CommandError::DateBeforeClock { .. } => "DATE_BEFORE_CLOCK",
            CommandError::DuplicateEnterprise(_) => "DUPLICATE_ENTERPRISE",
            CommandError::InvalidEnterprise { .. } => "INVALID_ENTERPRISE",
            CommandError::UnknownEnterprise(_) => "UNKNOWN_ENTERPRISE",
            CommandError::DuplicateApplication(_) => "DUPLICATE_APPLICATION",
            CommandError::InvalidSubmission { .. } => "INVALID_SUBMISSION",
            CommandError::SubmissionRejected { .. } => "SUBMISSION_REJECTED",
            CommandError::UnknownReference => "UNKNOWN_REFERENCE",
            CommandError::UnknownApplication(_) => "UNKNOWN_APPLICATION",
            CommandError::UnknownProvider(_) => "UNKNOWN_PROVIDER",
            CommandError::DuplicateUser(_) => "DUPLICATE_USER",
            CommandError::UnknownUser(_) => "UNKNOWN_USER",
            CommandError::AuthenticationFailed => "AUTHENTICATION_FAILED",
            CommandError::Forbidden(_) => "FORBIDDEN",
            CommandError::UnknownToken(_) => "UNKNOWN_TOKEN",
            CommandError::UnknownMandate(_) => "UNKNOWN_MANDATE",
            CommandError::ProviderNotRegistered { .. } => "PROVIDER_NOT_REGISTERED",
            CommandError::NotAWorker { .. } => "NOT_A_WORKER",
            CommandError::NotYourApplication(_) => "NOT_YOUR_APPLICATION",
            CommandError::UnknownDraft(_) => "UNKNOWN_DRAFT",
            CommandError::Registration(_) => "ILLEGAL_TRANSITION",
            CommandError::Transition(e) => e.code(),
            CommandError::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            CommandError::Repeated { code } => code,
            CommandError::Store(StoreError::Conflict) => "CONFLICT",
            CommandError::Store(_) => "STORE_ERROR",
        }
    }

    /// The field a validation error is about, if any.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            CommandError::Invalid { field, .. }
            | CommandError::InvalidEnterprise { field, .. }
            | CommandError::InvalidSubmission { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Where a deposit says it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepositTarget {
    /// The structured reference on the bank transfer (digits, any accepted form).
    Reference(String),
    /// An application named by its key (used by adapters that know the application but not its
    /// reference; an unknown key is `UNKNOWN_APPLICATION`).
    Application(String),
}

/// A submission (lifecycle.md §3 `submit`).
#[derive(Clone, Debug)]
pub struct Submission {
    pub enterprise: String,
    pub application: String,
    pub provider: String,
    pub submitted_on: Date,
    /// The rules-eval.md `service` object.
    pub service: Value,
    /// The rules-eval.md `costs` array.
    pub costs: Value,
    /// A size group (`size` or `periods`, with `partners`, `linked`) replacing the profile's (L10).
    pub size_group: Option<Map<String, Value>>,
    /// The workers taking part in a training: name and status (rules.md §3.6). Empty for
    /// advice, and for adapters that do not model participants (lifecycle.md L16).
    pub participants: Vec<(String, crate::registry::WorkerStatus)>,
}

/// An application being filled in (T1): a submission without its date.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub enterprise: String,
    pub application: String,
    pub provider: String,
    pub service: Value,
    pub costs: Value,
    pub size_group: Option<Map<String, Value>>,
    pub participants: Vec<(String, crate::registry::WorkerStatus)>,
}

impl Draft {
    fn to_json(&self) -> Value {
        json!({
            "enterprise": self.enterprise,
            "application": self.application,
            "provider": self.provider,
            "service": self.service,
            "costs": self.costs,
            "size_group": self.size_group,
            "participants": self.participants.iter()
                .map(|(name, status)| json!({"name": name, "status": status.code()}))
                .collect::<Vec<_>>(),
        })
    }

    fn from_json(text: &str) -> Result<Draft, CommandError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("stored draft: {what}"));
        let v: Value = serde_json::from_str(text).map_err(|e| corrupt(&e.to_string()))?;
        let text_of = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| corrupt(k))
        };
        let mut participants = Vec::new();
        for p in v
            .get("participants")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| corrupt("name"))?;
            let status = p
                .get("status")
                .and_then(Value::as_str)
                .and_then(crate::registry::WorkerStatus::parse)
                .ok_or_else(|| corrupt("status"))?;
            participants.push((name.to_owned(), status));
        }
        Ok(Draft {
            enterprise: text_of("enterprise")?,
            application: text_of("application")?,
            provider: text_of("provider")?,
            service: v.get("service").cloned().unwrap_or(Value::Null),
            costs: v.get("costs").cloned().unwrap_or(Value::Null),
            size_group: v.get("size_group").and_then(Value::as_object).cloned(),
            participants,
        })
    }

    /// The submission of this draft on `date`.
    #[must_use]
    pub fn into_submission(self, submitted_on: Date) -> Submission {
        Submission {
            enterprise: self.enterprise,
            application: self.application,
            provider: self.provider,
            submitted_on,
            service: self.service,
            costs: self.costs,
            size_group: self.size_group,
            participants: self.participants,
        }
    }
}

/// One payment of a payout run: to a provider (what its released invoices made payable), or a
/// refund (own share refunded at a closing, a deposit returned) to whoever it is owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payout {
    /// `provider` or `refund`.
    pub kind: String,
    /// The provider's id, for a provider payout.
    pub provider: Option<i64>,
    /// The application a refund comes from (none for a deposit that matched no application).
    pub application: Option<i64>,
    /// The transfer that made a refund payable.
    pub source: Option<String>,
    pub amount_cents: i64,
    /// The payout transfer (payable → bank).
    pub transfer: String,
}

/// A payout run: everything payable since the previous run, paid in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRun {
    pub run: String,
    pub date: Date,
    pub payouts: Vec<Payout>,
    pub total_cents: i64,
}

impl PayoutRun {
    /// The run as JSON: the answer of `kmo payout`, and what a repeated run answers.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "run": self.run,
            "date": self.date.to_string(),
            "total_cents": self.total_cents,
            "payouts": self.payouts.iter().map(|p| json!({
                "kind": p.kind,
                "provider": p.provider,
                "application": p.application,
                "source": p.source,
                "amount_cents": p.amount_cents,
                "transfer": p.transfer,
            })).collect::<Vec<_>>(),
        })
    }

    fn from_json(v: &Value) -> Option<PayoutRun> {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut payouts = Vec::new();
        for p in v.get("payouts")?.as_array()? {
            payouts.push(Payout {
                kind: text(p, "kind")?,
                provider: p.get("provider").and_then(Value::as_i64),
                application: p.get("application").and_then(Value::as_i64),
                source: text(p, "source"),
                amount_cents: p.get("amount_cents")?.as_i64()?,
                transfer: text(p, "transfer")?,
            });
        }
        Some(PayoutRun {
            run: text(v, "run")?,
            date: Date::parse(&text(v, "date")?).ok()?,
            payouts,
            total_cents: v.get("total_cents")?.as_i64()?,
        })
    }
}

/// What an agency inspection does (T9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inspection {
    /// Hold the application: no payment, no stop, no expiry until the inspection ends.
    Block,
    /// Nothing irregular: back to the state it was blocked in.
    Unblock,
    /// Irregular: the subsidy is recovered.
    Recover,
}

/// What an accepted submission created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub application: Application,
    pub reference: PaymentReference,
}

/// The platform: the rules, and a store.
#[derive(Debug)]
pub struct Platform<S> {
    pub store: S,
    pub rules: RuleBook,
    /// Provider ids by key: a provider's id never changes, so it is read once.
    providers: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

const SIZE_GROUP: [&str; 4] = ["size", "periods", "partners", "linked"];

/// How often a command is retried when its transaction lost a race (a serialization failure,
/// a busy database, a concurrent insert of the same key) before the conflict is reported.
pub const CONFLICT_RETRIES_MAX: u32 = 20;

/// Runs a command again, from the start, while its transaction lost a race (bounded).
macro_rules! retrying {
    ($e:expr) => {{
        let mut attempt = 0u32;
        loop {
            match $e {
                Err(CommandError::Store(StoreError::Conflict))
                    if attempt < CONFLICT_RETRIES_MAX =>
                {
                    attempt += 1
                }
                other => break other,
            }
        }
    }};
}

/// Appends one record after the head of `stream`, in this transaction (a step that moves no
/// money: its payload names no transfer).
pub(crate) async fn append_record<T: StoreTx>(
    tx: &mut T,
    stream: &str,
    kind: &str,
    actor: &str,
    date: Date,
    mut payload: Value,
) -> Result<(), StoreError> {
    if let Some(p) = payload.as_object_mut() {
        p.insert("transfers".into(), json!([]));
    }
    let head = tx.audit_head(stream).await?;
    let record = next_record(stream, head, kind, actor, date, payload.to_string());
    tx.append_audit(&record).await
}

fn stream_of(app: &Application) -> String {
    format!("application:{}", app.id)
}

fn transfer_ids(transfers: &[Transfer]) -> Vec<Value> {
    transfers
        .iter()
        .map(|t| Value::String(t.id.to_string()))
        .collect()
}

/// The de-minimis window ending on `date` (lifecycle.md §7.3, L11): aid dated after the first
/// date and on or before `date`.
fn de_minimis_window(window: DeMinimisWindow, date: Date) -> Date {
    match window {
        // Calendar years date.year − 2 … date.year: everything after 31 December of year − 3.
        DeMinimisWindow::ThreeCalendarYears => {
            Date::from_ymd(date.year() - 3, 12, 31).unwrap_or(date)
        }
        DeMinimisWindow::RollingThreeYears => date.minus_years(3).unwrap_or(date),
    }
}

/// The registration a step needs, or why there is none.
fn existing(
    r: Option<crate::registry::Registration>,
) -> Result<crate::registry::Registration, CommandError> {
    r.ok_or_else(|| CommandError::Invalid {
        field: "kind".into(),
        message: "the provider has no registration for this service kind".into(),
    })
}

/// The stable code stored for an answer, back as a `&'static str`.
fn stored_code(code: &str) -> &'static str {
    const CODES: [&str; 12] = [
        "DEPOSIT_AFTER_DEADLINE",
        "DEPOSIT_ALREADY_FUNDED",
        "DEPOSIT_WRONG_AMOUNT",
        "PAYMENT_AFTER_END",
        "NOT_FUNDED",
        "PAYMENT_EXCEEDS_BALANCE",
        "ILLEGAL_TRANSITION",
        "UNKNOWN_REFERENCE",
        "UNKNOWN_APPLICATION",
        "INVALID_COMMAND",
        "DATE_BEFORE_CLOCK",
        "accepted",
    ];
    CODES.into_iter().find(|c| *c == code).unwrap_or("REPEATED")
}

fn request_hash(parts: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(parts.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A command seen before under the same idempotency key: the same request replays its answer
/// (nothing is done again); another request under the key is refused.
async fn seen_before<T: StoreTx>(
    tx: &mut T,
    key: &str,
    hash: &str,
) -> Result<Option<&'static str>, CommandError> {
    match tx.command_result(key).await? {
        None => Ok(None),
        Some((stored, answer)) if stored == hash => Ok(Some(stored_code(&answer))),
        Some(_) => Err(CommandError::IdempotencyKeyReused),
    }
}

/// An incoming bank transfer (one line of a statement).
struct StatementLine<'a> {
    bank_ref: &'a str,
    line_key: &'a str,
    hash: &'a str,
    amount: Cents,
    date: Date,
}

impl StatementLine<'_> {
    /// Books a transfer that cannot be accepted to suspense and returns it in full at once, with
    /// the reason in the platform's audit stream and as the line's stored answer.
    async fn return_unmatched<T: StoreTx>(
        &self,
        tx: &mut T,
        application: Option<i64>,
        code: &str,
    ) -> Result<(), StoreError> {
        let transfers = lifecycle::returned_deposit_transfers(
            &format!("bank.{}", self.bank_ref),
            self.amount,
            None,
            self.date,
        );
        tx.insert_transfers(&transfers).await?;
        let head = tx.audit_head("platform").await?;
        let mut payload = json!({"amount_cents": self.amount.get(), "code": code, "transfers": transfer_ids(&transfers)});
        if let (Some(id), Some(p)) = (application, payload.as_object_mut()) {
            p.insert("application".into(), json!(id));
        }
        let record = next_record(
            "platform",
            head,
            "deposit_returned",
            "bank",
            self.date,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.save_command_result(self.line_key, self.hash, code).await
    }
}

/// Writes one lifecycle change: the record, its transfers, its audit record, the cached
/// ceiling of the enterprise's year when subsidy went back to it, and the command's answer when
/// it carries an idempotency key. Returns the application as stored.
async fn write_change<T: StoreTx>(
    tx: &mut T,
    before: &Application,
    change: &Change,
    details: Value,
    command_result: Option<CommandResultWrite<'_>>,
) -> Result<Application, StoreError> {
    let mut app = change.application.clone();
    let mut year = None;
    if app.returned_to_ceiling > before.returned_to_ceiling {
        let mut ey = tx
            .enterprise_year(app.enterprise, app.submitted_on.year())
            .await?;
        let back = app
            .returned_to_ceiling
            .checked_sub(before.returned_to_ceiling)
            .unwrap_or(Cents::ZERO);
        ey.ceiling_reserved = ey
            .ceiling_reserved
            .checked_sub(back)
            .filter(|c| !c.is_negative())
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "enterprise {} ceiling would go below zero",
                    app.enterprise
                ))
            })?;
        year = Some(ey);
    }
    let stream = stream_of(&app);
    // The head of the application's stream is kept on its row (its seq is the application's).
    let head = if before.audit_hash.is_empty() {
        tx.audit_head(&stream).await?
    } else {
        Some((i64::from(before.seq), before.audit_hash.clone()))
    };
    let mut payload =
        json!({"state": app.state.code(), "transfers": transfer_ids(&change.transfers)});
    if let (Some(p), Value::Object(extra)) = (payload.as_object_mut(), details) {
        p.extend(extra);
    }
    let record = next_record(
        &stream,
        head,
        change.event.code(),
        change.actor.code(),
        change.date,
        payload.to_string(),
    );
    app.audit_hash.clone_from(&record.hash);
    tx.write(&Writes {
        application: Some(&app),
        enterprise_year: year.as_ref(),
        transfers: &change.transfers,
        audit: Some(&record),
        command_result,
        ..Writes::default()
    })
    .await?;
    Ok(app)
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

    /// The command, retried from the start while its transaction loses a race.
    pub async fn advance_clock(&self, date: Date) -> Result<usize, CommandError> {
        retrying!(self.advance_clock_once(date).await)
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn register_enterprise(
        &self,
        key: &str,
        name: &str,
        profile: &Value,
    ) -> Result<i64, CommandError> {
        retrying!(self.register_enterprise_once(key, name, profile).await)
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn record_external_de_minimis(
        &self,
        enterprise: &str,
        granted_on: Date,
        amount: Cents,
    ) -> Result<(), CommandError> {
        retrying!(
            self.record_external_de_minimis_once(enterprise, granted_on, amount)
                .await
        )
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn submit(&self, s: &Submission) -> Result<Submitted, CommandError> {
        retrying!(self.submit_once(s, None).await)
    }

    /// Saves a draft (T1): nothing is checked against the rules or reserved yet; the enterprise
    /// must exist and the key must not be an application's already. Saving again replaces it.
    pub async fn save_draft(&self, draft: &Draft, date: Date) -> Result<(), CommandError> {
        retrying!(self.save_draft_once(draft, date).await)
    }

    async fn save_draft_once(&self, draft: &Draft, date: Date) -> Result<(), CommandError> {
        if draft.application.trim().is_empty() {
            return Err(CommandError::Invalid {
                field: "application".into(),
                message: "must not be empty".into(),
            });
        }
        let mut tx = self.store.begin().await?;
        let enterprise = tx
            .enterprise_by_key(&draft.enterprise)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(draft.enterprise.clone()))?;
        if tx.application_by_key(&draft.application).await?.is_some() {
            return Err(CommandError::DuplicateApplication(
                draft.application.clone(),
            ));
        }
        if let Some(existing) = tx.draft(&draft.application).await?
            && existing.enterprise != enterprise.id
        {
            return Err(CommandError::DuplicateApplication(
                draft.application.clone(),
            ));
        }
        tx.save_draft(&DraftRecord {
            key: draft.application.clone(),
            enterprise: enterprise.id,
            body: draft.to_json().to_string(),
            saved_on: date,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The draft with this key (`UNKNOWN_DRAFT` if there is none).
    pub async fn draft(&self, key: &str) -> Result<Draft, CommandError> {
        let mut tx = self.store.begin().await?;
        let record = tx
            .draft(key)
            .await?
            .ok_or_else(|| CommandError::UnknownDraft(key.to_owned()))?;
        drop(tx);
        Draft::from_json(&record.body)
    }

    /// Submits a draft on `date` (T2): the submission of [`Platform::submit`], and the draft is
    /// gone in the same transaction. A rejected submission keeps the draft (T2x: past the
    /// deadline it can never be submitted, and the answer says why).
    pub async fn submit_draft(&self, key: &str, date: Date) -> Result<Submitted, CommandError> {
        let draft = self.draft(key).await?;
        let submission = draft.into_submission(date);
        retrying!(self.submit_once(&submission, Some(key)).await)
    }

    /// Discards a draft; `UNKNOWN_DRAFT` if there is none.
    pub async fn discard_draft(&self, key: &str) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        if !tx.delete_draft(key).await? {
            return Err(CommandError::UnknownDraft(key.to_owned()));
        }
        tx.commit().await?;
        Ok(())
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn deposit(
        &self,
        target: &DepositTarget,
        amount: Cents,
        date: Date,
        bank_ref: &str,
    ) -> Result<Application, CommandError> {
        retrying!(self.deposit_once(target, amount, date, bank_ref).await)
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn pay(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
    ) -> Result<Application, CommandError> {
        retrying!(self.pay_once(key, amount, date, None).await)
    }

    /// A payment order with an id (an invoice number): executed at most once per id.
    pub async fn pay_order(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
        order: &str,
    ) -> Result<Application, CommandError> {
        retrying!(self.pay_once(key, amount, date, Some(order)).await)
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn close(
        &self,
        key: &str,
        closing: Closing,
        date: Date,
        reason: Option<&str>,
    ) -> Result<Application, CommandError> {
        retrying!(self.close_once(key, closing, date, reason, None).await)
    }

    /// Moves the clock to `date` and applies every deadline event due by then, in its own
    /// transaction (L1, L2). Idempotent: the same date twice changes nothing.
    async fn advance_clock_once(&self, date: Date) -> Result<usize, CommandError> {
        let mut tx = self.store.begin().await?;
        let clock = tx.clock().await?;
        if let Some(clock) = clock
            && date < clock
        {
            return Err(CommandError::DateBeforeClock { date, clock });
        }
        let due = tx.due_applications(date).await?;
        for id in &due {
            let Some(app) = tx.application_by_id(*id).await? else {
                continue;
            };
            let change = if app.state == lifecycle::State::Submitted && app.lapse_on() <= date {
                lifecycle::close(&app, Closing::Lapse, app.lapse_on())
            } else if app.expire_on() <= date {
                lifecycle::close(&app, Closing::Expire, app.expire_on())
            } else {
                continue;
            };
            let change = change.map_err(|e| {
                StoreError::Corrupt(format!("deadline event of application {id}: {e}"))
            })?;
            write_change(&mut tx, &app, &change, json!({}), None).await?;
        }
        if clock != Some(date) {
            tx.set_clock(date).await?;
        }
        tx.commit().await?;
        Ok(due.len())
    }

    /// Registers an enterprise with its rules-eval.md profile (exactly one of `size` and
    /// `periods`).
    async fn register_enterprise_once(
        &self,
        key: &str,
        name: &str,
        profile: &Value,
    ) -> Result<i64, CommandError> {
        self.check_profile(profile)?;
        let mut tx = self.store.begin().await?;
        if tx.enterprise_by_key(key).await?.is_some() {
            return Err(CommandError::DuplicateEnterprise(key.to_owned()));
        }
        let id = tx.insert_enterprise(key, name, profile).await?;
        let stream = format!("enterprise:{id}");
        let record = next_record(
            &stream,
            None,
            "registered",
            "agency",
            tx.clock().await?.unwrap_or(Date::EPOCH),
            json!({"key": key, "transfers": []}).to_string(),
        );
        tx.append_audit(&record).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An enterprise profile must be a rules-eval.md `enterprise` object: it is checked with the
    /// rules engine's own parser, on a trivial case.
    fn check_profile(&self, profile: &Value) -> Result<(), CommandError> {
        if !profile.is_object() {
            return Err(CommandError::InvalidEnterprise {
                field: "enterprise".into(),
                message: "must be an object".into(),
            });
        }
        let probe = json!({
            "submitted_on": "2024-01-01",
            "enterprise": profile,
            "service": {"kind": "training", "theme": "innovation", "start_date": "2024-01-01"},
            "costs": [{"type": "fee", "amount_cents": 100_000}]
        });
        match parse_case(&self.rules, &probe.to_string()).case {
            Ok(_) => Ok(()),
            Err(e) => Err(CommandError::InvalidEnterprise {
                field: e.field,
                message: e.message,
            }),
        }
    }

    /// Replaces an enterprise's name (when given) and profile — its figures per accounting
    /// period, legal form, establishment… — recorded in its audit stream with the actor. A size
    /// already locked for a year (D19, L9) stays locked: later submissions of that year keep it.
    pub async fn update_enterprise(
        &self,
        key: &str,
        name: Option<&str>,
        profile: &Value,
        actor: &str,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 200) {
            return Err(CommandError::Invalid {
                field: "name".into(),
                message: "must be 1 to 200 characters".into(),
            });
        }
        self.check_profile(profile)?;
        retrying!(self.update_enterprise_once(key, name, profile, actor).await)
    }

    async fn update_enterprise_once(
        &self,
        key: &str,
        name: Option<&str>,
        profile: &Value,
        actor: &str,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(key.to_owned()))?;
        let name = name.unwrap_or(&e.name);
        tx.update_enterprise(e.id, name, profile).await?;
        let date = tx.clock().await?.unwrap_or(Date::EPOCH);
        append_record(
            &mut tx,
            &format!("enterprise:{}", e.id),
            "profile_updated",
            actor,
            date,
            json!({"name": name, "profile": profile}),
        )
        .await?;
        tx.commit().await?;
        Ok(crate::store::EnterpriseRecord {
            id: e.id,
            key: e.key,
            name: name.to_owned(),
            profile: profile.clone(),
        })
    }

    /// The public statistics of a calendar year: accepted applications and their subsidy per
    /// month of submission, theme and size class (no enterprise is named).
    pub async fn statistics(&self, year: i32) -> Result<Statistics, CommandError> {
        let (Ok(from), Ok(to)) = (Date::from_ymd(year, 1, 1), Date::last_of_year(year)) else {
            return Err(CommandError::Invalid {
                field: "year".into(),
                message: format!("{year} is not a calendar year the platform knows"),
            });
        };
        let mut tx = self.store.begin().await?;
        let cells = tx.statistics(from, to).await?;
        drop(tx);
        Ok(Statistics::from_cells(year, cells))
    }

    /// Adds a provider by key and name (its registrations per service kind follow with
    /// `request_registration`, `record_audit` and `register`); an existing key is kept as is.
    pub async fn register_provider(&self, key: &str, name: &str) -> Result<i64, CommandError> {
        let mut tx = self.store.begin().await?;
        if let Some(p) = tx.provider_by_key(key).await? {
            return Ok(p.id);
        }
        let id = tx.insert_provider(key, name).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets a provider's enterprise number, IBAN and themes (rules.md §7). Each is parsed: a
    /// bad check digit or an unknown theme is `INVALID_COMMAND` naming the field.
    pub async fn set_provider_profile(
        &self,
        key: &str,
        enterprise_number: Option<&str>,
        iban: Option<&str>,
        themes: &[String],
    ) -> Result<ProviderProfile, CommandError> {
        let invalid = |field: String, message: String| CommandError::Invalid { field, message };
        let enterprise_number = enterprise_number
            .map(|n| {
                kmo_domain::EnterpriseNumber::parse(n)
                    .map(|n| n.to_string())
                    .map_err(|e| invalid("enterprise_number".into(), e.to_string()))
            })
            .transpose()?;
        let iban = iban
            .map(|i| {
                kmo_domain::Iban::parse(i)
                    .map(|i| i.to_string())
                    .map_err(|e| invalid("iban".into(), e.to_string()))
            })
            .transpose()?;
        let mut codes = Vec::with_capacity(themes.len());
        for (i, theme) in themes.iter().enumerate() {
            let t = kmo_domain::Theme::parse(theme).ok_or_else(|| {
                invalid(format!("themes[{i}]"), format!("unknown theme {theme:?}"))
            })?;
            codes.push(t.code().to_owned());
        }
        codes.sort();
        codes.dedup();
        let profile = ProviderProfile {
            enterprise_number,
            iban,
            themes: codes,
        };
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(key.to_owned()))?;
        tx.save_provider_profile(p.id, &profile).await?;
        tx.commit().await?;
        Ok(profile)
    }

    /// A provider's record and profile.
    pub async fn provider(
        &self,
        key: &str,
    ) -> Result<(ProviderRecord, ProviderProfile), CommandError> {
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(key.to_owned()))?;
        let profile = tx.provider_profile(p.id).await?;
        drop(tx);
        Ok((p, profile))
    }

    /// Adds a service to a provider's catalogue. The codes are those of rules-eval.md; the
    /// theme must be one the provider is active in; the price is > 0.
    pub async fn list_service(
        &self,
        provider: &str,
        service: &ListedService,
    ) -> Result<i64, CommandError> {
        let invalid = |field: &str, message: String| CommandError::Invalid {
            field: field.to_owned(),
            message,
        };
        let name = service.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "must be 1 to 200 characters".into()));
        }
        kmo_domain::ServiceKind::parse(&service.kind)
            .ok_or_else(|| invalid("kind", format!("unknown service kind {:?}", service.kind)))?;
        kmo_domain::Theme::parse(&service.theme)
            .ok_or_else(|| invalid("theme", format!("unknown theme {:?}", service.theme)))?;
        if let Some(sub) = &service.sub_theme {
            kmo_domain::SubTheme::parse(sub)
                .ok_or_else(|| invalid("sub_theme", format!("unknown sub-theme {sub:?}")))?;
        }
        for (i, topic) in service.topics.iter().enumerate() {
            kmo_domain::ExcludedTopic::parse(topic).ok_or_else(|| {
                invalid(&format!("topics[{i}]"), format!("unknown topic {topic:?}"))
            })?;
        }
        check_amount("price_cents", service.price)?;
        if service.on_occupation_list {
            return Err(invalid(
                "on_occupation_list",
                "a service is put on the occupation-specific list by an approved list request (rules.md §4.3), not when it is added".into(),
            ));
        }
        let mut listed = service.clone();
        listed.name = name.to_owned();
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
        let profile = tx.provider_profile(p.id).await?;
        if !profile.themes.contains(&service.theme) {
            return Err(invalid(
                "theme",
                format!("the provider is not active in the theme {}", service.theme),
            ));
        }
        let id = tx.insert_listed_service(p.id, &listed).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A provider's catalogue.
    pub async fn services(
        &self,
        provider: &str,
    ) -> Result<Vec<(i64, ListedService)>, CommandError> {
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
        let list = tx.listed_services(p.id).await?;
        drop(tx);
        Ok(list)
    }

    /// Records de-minimis aid granted to the enterprise by another body (lifecycle.md §7.3).
    async fn record_external_de_minimis_once(
        &self,
        enterprise: &str,
        granted_on: Date,
        amount: Cents,
    ) -> Result<(), CommandError> {
        check_amount("amount_cents", amount)?;
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(enterprise)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(enterprise.to_owned()))?;
        let stream = format!("enterprise:{}", e.id);
        let head = tx.audit_head(&stream).await?;
        let seq = head.as_ref().map_or(1, |(s, _)| s + 1);
        let id = TransferId::new(format!("e{}.{seq}.de_minimis_external", e.id))
            .ok_or_else(|| StoreError::Corrupt("transfer id".into()))?;
        let t = Transfer {
            id,
            debit: AccountKey::DeMinimisSource,
            credit: AccountKey::DeMinimisGranted { enterprise: e.id },
            amount,
            code: TransferCode::DeMinimisExternal,
            kind: TransferKind::Posted,
            application: None,
            date: granted_on,
        };
        tx.insert_transfers(std::slice::from_ref(&t)).await?;
        let payload = json!({"amount_cents": amount.get(), "granted_on": granted_on.to_string(), "transfers": [t.id.to_string()]});
        let record = next_record(
            &stream,
            head,
            "external_de_minimis",
            "agency",
            granted_on,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Submits an application (lifecycle.md §6.1): composes the case from the platform's state,
    /// imposes the year's size lock, decides with the rules engine, and on `eligible` creates the
    /// application and reserves its subsidy against the ceiling and de minimis — all in one
    /// transaction that holds the enterprise's year, so concurrent submissions never exceed it.
    async fn submit_once(
        &self,
        s: &Submission,
        draft: Option<&str>,
    ) -> Result<Submitted, CommandError> {
        let year = s.submitted_on.year();
        let window = self
            .rules
            .in_force(s.submitted_on)
            .map_or(DeMinimisWindow::RollingThreeYears, |rs| {
                rs.de_minimis_window
            });
        let cached_provider = self
            .providers
            .lock()
            .ok()
            .and_then(|m| m.get(&s.provider).copied());
        let kind = s
            .service
            .get("kind")
            .and_then(Value::as_str)
            .and_then(kmo_domain::ServiceKind::parse);
        let mut tx = self.store.begin().await?;
        // Everything the decision needs, in one read (one statement on PostgreSQL); the
        // enterprise's year is locked from here on.
        let context = tx
            .submission_context(&SubmissionQuery {
                enterprise_key: &s.enterprise,
                application_key: &s.application,
                year,
                de_minimis_after: de_minimis_window(window, s.submitted_on),
                de_minimis_until: s.submitted_on,
                provider: cached_provider,
                kind,
            })
            .await?;
        let (Some(enterprise), Some(mut ey)) = (context.enterprise, context.year) else {
            return Err(CommandError::UnknownEnterprise(s.enterprise.clone()));
        };
        if context.key_taken {
            return Err(CommandError::DuplicateApplication(s.application.clone()));
        }
        let de_minimis = context.de_minimis;

        let mut profile = match &enterprise.profile {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        if let Some(group) = &s.size_group {
            for k in SIZE_GROUP {
                profile.remove(k);
            }
            profile.extend(group.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut case = json!({
            "id": s.application,
            "submitted_on": s.submitted_on.to_string(),
            "enterprise": Value::Object(profile.clone()),
            "service": s.service,
            "costs": s.costs,
            "history": {"ceiling_reserved_cents": ey.ceiling_reserved.get(), "de_minimis_cents": de_minimis.get()}
        });
        // Input errors are judged on the case as given (L9).
        let parsed = parse_case(&self.rules, &case.to_string()).case;
        let mut parsed = parsed.map_err(|e| CommandError::InvalidSubmission {
            field: e.field,
            message: e.message,
        })?;
        if let Some(lock) = ey.size_lock {
            for k in SIZE_GROUP {
                profile.remove(k);
            }
            profile.insert("size".into(), Value::String(lock.code().into()));
            if let Some(slot) = case.get_mut("enterprise") {
                *slot = Value::Object(profile);
            }
            parsed = parse_case(&self.rules, &case.to_string())
                .case
                .map_err(|e| CommandError::InvalidSubmission {
                    field: e.field,
                    message: e.message,
                })?;
        }
        let decision = evaluate(&self.rules, &parsed);
        if !decision.is_eligible() {
            return Err(CommandError::SubmissionRejected {
                reasons: decision.reasons.iter().collect(),
            });
        }
        let (Some(rs), Some(size), Some(rate_bp)) = (
            decision.rule_set.and_then(|i| self.rules.get(i)),
            decision.size,
            decision.rate_bp,
        ) else {
            return Err(StoreError::Corrupt(
                "an eligible decision without rule set, size or rate".into(),
            )
            .into());
        };
        let annual_ceiling = rs.annual_ceiling(size).unwrap_or(Cents::ZERO);
        let provider = match cached_provider {
            Some(id) => id,
            None => {
                let p = tx.provider_by_key(&s.provider).await?.ok_or_else(|| {
                    CommandError::Invalid {
                        field: "provider".into(),
                        message: format!("unknown provider {}", s.provider),
                    }
                })?;
                if let Ok(mut m) = self.providers.lock() {
                    m.insert(s.provider.clone(), p.id);
                }
                p.id
            }
        };
        if let Some((index, (_, status))) = s
            .participants
            .iter()
            .enumerate()
            .find(|(_, (_, st))| !st.is_eligible())
        {
            return Err(CommandError::NotAWorker {
                index,
                status: status.code(),
            });
        }
        let kind = parsed.service.kind;
        let registration = if cached_provider.is_some() && context.registration.is_some() {
            context.registration
        } else {
            tx.registration(provider, kind).await?
        };
        let registered = registration.is_some_and(|r| r.active_on(s.submitted_on));
        if !registered {
            return Err(CommandError::ProviderNotRegistered {
                provider: s.provider.clone(),
                kind: kind.code(),
                date: s.submitted_on,
            });
        }
        let id = context.next_id;
        let reference = PaymentReference::from_base(u64::try_from(id).unwrap_or(0))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let deposit_deadline = s
            .submitted_on
            .add_days(rs.deposit_days_after_submission)
            .unwrap_or(s.submitted_on);
        let payment_deadline =
            Date::last_of_year(year + rs.payment_deadline_years_after_submission)
                .unwrap_or(s.submitted_on);
        let change = lifecycle::submit(&NewApplication {
            id,
            key: s.application.clone(),
            enterprise: enterprise.id,
            provider,
            submitted_on: s.submitted_on,
            size,
            rate_bp,
            rule_set: rs.id.clone(),
            eligible: decision.eligible,
            subsidy: decision.subsidy,
            deposit_deadline,
            payment_deadline,
            annual_ceiling,
            ceiling_granted: ey.ceiling_granted,
        });
        ey.size_lock.get_or_insert(size);
        ey.ceiling_granted = ey.ceiling_granted.max(annual_ceiling);
        ey.ceiling_reserved = ey
            .ceiling_reserved
            .checked_add(decision.subsidy)
            .unwrap_or(Cents::new(i64::MAX));
        if ey.ceiling_reserved > ey.ceiling_granted {
            // The engine capped the subsidy at what is left; reaching here means the stored
            // state is inconsistent. Refuse rather than overdraw the ceiling.
            return Err(StoreError::Corrupt(format!(
                "enterprise {} would exceed its {year} ceiling",
                enterprise.id
            ))
            .into());
        }
        let payload = json!({
            "key": s.application,
            "state": change.application.state.code(),
            "rule_set": rs.id,
            "size": size.code(),
            "rate_bp": rate_bp,
            "eligible_cents": decision.eligible.get(),
            "subsidy_cents": decision.subsidy.get(),
            "reference": reference.to_string(),
            "transfers": transfer_ids(&change.transfers),
        });
        let mut app = change.application;
        let record = next_record(
            &stream_of(&app),
            None,
            change.event.code(),
            change.actor.code(),
            change.date,
            payload.to_string(),
        );
        app.audit_hash.clone_from(&record.hash);
        let case = case.to_string();
        tx.write(&Writes {
            new_application: Some(NewApplicationWrite {
                application: &app,
                key: &s.application,
                service: &s.service,
                reference: reference.digits(),
                case: &case,
                participants: &s.participants,
            }),
            enterprise_year: Some(&ey),
            transfers: &change.transfers,
            audit: Some(&record),
            ..Writes::default()
        })
        .await?;
        if let Some(key) = draft
            && !tx.delete_draft(key).await?
        {
            // Submitted twice at once: the other submission took the draft.
            return Err(CommandError::UnknownDraft(key.to_owned()));
        }
        tx.commit().await?;
        Ok(Submitted {
            application: app,
            reference,
        })
    }

    /// An incoming bank transfer for an application's own share (lifecycle.md §6.2). Money that
    /// cannot be accepted is booked to suspense and returned in full at once, and the error says
    /// why. `bank_ref` identifies the statement line (it names the transfers).
    async fn deposit_once(
        &self,
        target: &DepositTarget,
        amount: Cents,
        date: Date,
        bank_ref: &str,
    ) -> Result<Application, CommandError> {
        check_amount("amount_cents", amount)?;
        let mut tx = self.store.begin().await?;
        // A bank statement line is booked once: its reference is the idempotency key.
        let line_key = format!("deposit:{bank_ref}");
        let hash = request_hash(&format!("{target:?}|{}|{date}", amount.get()));
        let reference = match target {
            DepositTarget::Reference(text) => PaymentReference::parse(text).ok(),
            DepositTarget::Application(_) => None,
        };
        let lookup = match (target, &reference) {
            (DepositTarget::Application(key), _) => AppLookup::Key(key),
            (DepositTarget::Reference(_), Some(r)) => AppLookup::Reference(r.digits()),
            (DepositTarget::Reference(_), None) => AppLookup::Nothing,
        };
        // The statement line's earlier answer and the application, in one read.
        let (seen, app) = tx.command_context(&line_key, lookup).await?;
        match seen {
            Some((stored, _)) if stored != hash => return Err(CommandError::IdempotencyKeyReused),
            Some((_, answer)) => {
                let code = stored_code(&answer);
                return match (code, app) {
                    ("accepted", Some(app)) if matches!(target, DepositTarget::Application(_)) => {
                        Ok(app)
                    }
                    _ => Err(CommandError::Repeated { code }),
                };
            }
            None => {}
        }
        let unmatched = match target {
            DepositTarget::Reference(_) => CommandError::UnknownReference,
            DepositTarget::Application(key) => CommandError::UnknownApplication(key.clone()),
        };
        let line = StatementLine {
            bank_ref,
            line_key: &line_key,
            hash: &hash,
            amount,
            date,
        };
        let Some(app) = app else {
            line.return_unmatched(&mut tx, None, unmatched.code())
                .await?;
            tx.commit().await?;
            return Err(unmatched);
        };
        if app.state == lifecycle::State::Recovered {
            // A transfer with the reference of a recovered application repays the claim.
            return match lifecycle::receive_recovery(&app, amount, date) {
                Ok(change) => {
                    let stored = write_change(
                        &mut tx,
                        &app,
                        &change,
                        json!({"amount_cents": amount.get(), "code": "accepted"}),
                        Some(CommandResultWrite {
                            key: &line_key,
                            request_hash: &hash,
                            answer: "accepted",
                        }),
                    )
                    .await?;
                    tx.commit().await?;
                    Ok(stored)
                }
                Err(error) => {
                    line.return_unmatched(&mut tx, Some(app.id), error.code())
                        .await?;
                    tx.commit().await?;
                    Err(error.into())
                }
            };
        }
        let (change, outcome) =
            match lifecycle::deposit(&app, amount, date, &format!("bank.{bank_ref}")) {
                Ok(change) => (change, Ok(())),
                Err((error, change)) => (change, Err(error)),
            };
        let code = outcome
            .as_ref()
            .map_or_else(TransitionError::code, |()| "accepted");
        let stored = write_change(
            &mut tx,
            &app,
            &change,
            json!({"amount_cents": amount.get(), "code": code}),
            Some(CommandResultWrite {
                key: &line_key,
                request_hash: &hash,
                answer: code,
            }),
        )
        .await?;
        tx.commit().await?;
        outcome.map(|()| stored).map_err(CommandError::from)
    }

    /// A page of applications of an enterprise or a provider (ids above `after`).
    pub async fn applications_page(
        &self,
        owner: crate::store::AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, CommandError> {
        let mut tx = self.store.begin().await?;
        let page = tx.applications_page(owner, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// A page of the payouts a provider received (by ledger sequence).
    pub async fn provider_payouts(
        &self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::store::MoneyOut>, CommandError> {
        let mut tx = self.store.begin().await?;
        let page = tx.provider_payouts(provider, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// A page of the refunds an enterprise received (by ledger sequence).
    pub async fn enterprise_refunds(
        &self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::store::MoneyOut>, CommandError> {
        let mut tx = self.store.begin().await?;
        let page = tx.enterprise_refunds(enterprise, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// A page of providers by name and theme.
    pub async fn search_providers(
        &self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, CommandError> {
        let mut tx = self.store.begin().await?;
        let page = tx.search_providers(name, theme, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// The application's audit trail (its hash-chained stream), oldest first.
    pub async fn audit_trail(
        &self,
        app: &Application,
    ) -> Result<Vec<crate::store::AuditRecord>, CommandError> {
        let mut tx = self.store.begin().await?;
        let records = tx.audit_stream(&format!("application:{}", app.id)).await?;
        drop(tx);
        Ok(records)
    }

    /// The stored answer to an earlier request with this idempotency key.
    pub async fn idempotent_answer(
        &self,
        scope: &str,
        key: &str,
    ) -> Result<Option<crate::store::IdempotentAnswer>, CommandError> {
        let mut tx = self.store.begin().await?;
        let a = tx.idempotent_answer(scope, key).await?;
        drop(tx);
        Ok(a)
    }

    pub async fn save_idempotent_answer(
        &self,
        scope: &str,
        key: &str,
        answer: &crate::store::IdempotentAnswer,
        on: Date,
    ) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        tx.save_idempotent_answer(scope, key, answer, on).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The key of a provider by its id.
    pub async fn provider_key(&self, id: i64) -> Result<String, CommandError> {
        self.key_of(crate::store::Keyed::Provider, id).await
    }

    /// The key of the application with this id.
    pub async fn application_key(&self, id: i64) -> Result<String, CommandError> {
        self.key_of(crate::store::Keyed::Application, id).await
    }

    async fn key_of(&self, kind: crate::store::Keyed, id: i64) -> Result<String, CommandError> {
        let mut tx = self.store.begin().await?;
        let key = tx.key_of(kind, id).await?;
        drop(tx);
        key.ok_or_else(|| {
            CommandError::Store(StoreError::Corrupt(format!(
                "no {} with id {id}",
                kind.table()
            )))
        })
    }

    /// An enterprise by its key (`UNKNOWN_ENTERPRISE` when there is none).
    pub async fn enterprise(
        &self,
        key: &str,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(key.to_owned()));
        drop(tx);
        e
    }

    /// True on a fresh platform: its clock was never set (every story starts by setting it).
    pub async fn is_empty(&self) -> Result<bool, CommandError> {
        let mut tx = self.store.begin().await?;
        let empty = tx.clock().await?.is_none();
        drop(tx);
        Ok(empty)
    }

    /// An application by its key (`UNKNOWN_APPLICATION` when there is none).
    pub async fn application(&self, key: &str) -> Result<Application, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await;
        drop(tx);
        app
    }

    async fn load<T: StoreTx>(tx: &mut T, key: &str) -> Result<Application, CommandError> {
        tx.application_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownApplication(key.to_owned()))
    }

    /// A payment order for an invoice (lifecycle.md §6.3).
    async fn pay_once(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
        order: Option<&str>,
    ) -> Result<Application, CommandError> {
        check_amount("amount_cents", amount)?;
        let mut tx = self.store.begin().await?;
        // A payment order carrying an id (the invoice's) is executed once.
        let order_key = order.map(|o| format!("pay:{key}:{o}"));
        let hash = request_hash(&format!("{key}|{}|{date}", amount.get()));
        if let Some(k) = &order_key
            && let Some(code) = seen_before(&mut tx, k, &hash).await?
        {
            let app = Self::load(&mut tx, key).await?;
            return if code == "accepted" {
                Ok(app)
            } else {
                Err(CommandError::Repeated { code })
            };
        }
        let app = Self::load(&mut tx, key).await?;
        let change = lifecycle::pay(&app, amount, date)?;
        let details = json!({
            "amount_cents": amount.get(),
            "order": order,
            "subsidy_part_cents": change.application.paid_subsidy.get() - app.paid_subsidy.get(),
            "own_part_cents": change.application.paid_own.get() - app.paid_own.get(),
        });
        let command = order_key.as_deref().map(|k| CommandResultWrite {
            key: k,
            request_hash: &hash,
            answer: "accepted",
        });
        let stored = write_change(&mut tx, &app, &change, details, command).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The enterprise stops, or the provider refuses (lifecycle.md §6.4).
    async fn close_once(
        &self,
        key: &str,
        closing: Closing,
        date: Date,
        reason: Option<&str>,
        by_provider: Option<&str>,
    ) -> Result<Application, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await?;
        if let Some(p) = by_provider {
            let provider = tx.provider_by_key(p).await?.map(|r| r.id);
            if provider != Some(app.provider) {
                return Err(CommandError::NotYourApplication(key.to_owned()));
            }
        }
        let change = lifecycle::close(&app, closing, date)?;
        let details = json!({
            "reason": reason,
            "refunded_cents": change.application.refunded.get() - app.refunded.get(),
            "returned_to_ceiling_cents": change.application.returned_to_ceiling.get() - app.returned_to_ceiling.get(),
            "returned_to_budget_cents": change.application.returned_to_budget.get() - app.returned_to_budget.get(),
        });
        let stored = write_change(&mut tx, &app, &change, details, None).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// A payout run (the financial manager's daily batch): every provider payable and every
    /// refund that became payable since the previous run is paid out to the bank, in one
    /// transaction. The run id is its idempotency key: the same run again answers the same
    /// payouts and moves nothing; another date under the same id is `IDEMPOTENCY_KEY_REUSED`.
    pub async fn payout_run(&self, run: &str, date: Date) -> Result<PayoutRun, CommandError> {
        let valid = !run.is_empty()
            && run.len() <= 40
            && run
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(CommandError::Invalid {
                field: "run".into(),
                message: "1–40 letters, digits, '-' or '_'".into(),
            });
        }
        retrying!(self.payout_run_once(run, date).await)
    }

    /// What the next payout run would pay (the agency's queues): each provider's payable and
    /// each refund of an own share to an enterprise, since the last run. Nothing is written.
    pub async fn payouts_due(&self) -> Result<PayoutsDue, CommandError> {
        let mut tx = self.store.begin().await?;
        let (_, credits, _) = tx.payables_since_watermark().await?;
        drop(tx);
        let mut due = PayoutsDue::default();
        let mut providers: std::collections::BTreeMap<i64, Cents> = Default::default();
        for c in &credits {
            match c.transfer.credit {
                AccountKey::ProviderPayable { provider } => {
                    let sum = providers.entry(provider).or_insert(Cents::ZERO);
                    *sum = sum.checked_add(c.transfer.amount).unwrap_or(*sum);
                }
                AccountKey::RefundsPayable => {
                    due.refunds
                        .push((c.transfer.application, c.transfer.amount));
                }
                _ => {}
            }
        }
        due.providers = providers.into_iter().collect();
        Ok(due)
    }

    async fn payout_run_once(&self, run: &str, date: Date) -> Result<PayoutRun, CommandError> {
        let mut tx = self.store.begin().await?;
        let key = format!("payout:{run}");
        let hash = request_hash(&date.to_string());
        if let Some((stored, answer)) = tx.command_result(&key).await? {
            if stored != hash {
                return Err(CommandError::IdempotencyKeyReused);
            }
            return serde_json::from_str::<Value>(&answer)
                .ok()
                .as_ref()
                .and_then(PayoutRun::from_json)
                .ok_or_else(|| {
                    CommandError::Store(StoreError::Corrupt(format!("stored payout run {run}")))
                });
        }
        let (from, credits, top) = tx.payables_since_watermark().await?;
        let mut providers: std::collections::BTreeMap<i64, Cents> = Default::default();
        // The subsidy part of what providers are paid is money of the agency, owed by it since
        // the subsidy went into the wallet (its budget account is that claim): it is settled
        // into the bank per budget year in the same run.
        let mut settled: std::collections::BTreeMap<i32, Cents> = Default::default();
        let mut years: std::collections::HashMap<i64, i32> = Default::default();
        let mut payouts = Vec::new();
        let mut transfers = Vec::new();
        let id = |text: String| {
            TransferId::new(text).ok_or_else(|| StoreError::Corrupt("payout transfer id".into()))
        };
        for c in &credits {
            match c.transfer.credit {
                AccountKey::ProviderPayable { provider } => {
                    let sum = providers.entry(provider).or_insert(Cents::ZERO);
                    *sum = sum.checked_add(c.transfer.amount).unwrap_or(*sum);
                    if let AccountKey::SubsidyWallet { application } = c.transfer.debit {
                        let year = match years.get(&application) {
                            Some(y) => *y,
                            None => {
                                let app =
                                    tx.application_by_id(application).await?.ok_or_else(|| {
                                        StoreError::Corrupt(format!("application {application}"))
                                    })?;
                                let y = app.submitted_on.year();
                                years.insert(application, y);
                                y
                            }
                        };
                        let sum = settled.entry(year).or_insert(Cents::ZERO);
                        *sum = sum.checked_add(c.transfer.amount).unwrap_or(*sum);
                    }
                }
                AccountKey::RefundsPayable => {
                    let t = Transfer {
                        id: id(format!("refund.{}.paid", c.seq))?,
                        debit: AccountKey::RefundsPayable,
                        credit: AccountKey::Bank,
                        amount: c.transfer.amount,
                        code: TransferCode::RefundPaid,
                        kind: TransferKind::Posted,
                        application: c.transfer.application,
                        date,
                    };
                    payouts.push(Payout {
                        kind: "refund".into(),
                        provider: None,
                        application: c.transfer.application,
                        source: Some(c.transfer.id.to_string()),
                        amount_cents: t.amount.get(),
                        transfer: t.id.to_string(),
                    });
                    transfers.push(t);
                }
                _ => {}
            }
        }
        // Settlements first: the bank never goes below zero at any step of the journal.
        for (i, (year, amount)) in settled.into_iter().enumerate() {
            transfers.insert(
                i,
                Transfer {
                    id: id(format!("payout.{run}.subsidy.{year}"))?,
                    debit: AccountKey::Bank,
                    credit: AccountKey::AgencyBudget { year },
                    amount,
                    code: TransferCode::SubsidySettled,
                    kind: TransferKind::Posted,
                    application: None,
                    date,
                },
            );
        }
        for (provider, amount) in providers {
            let t = Transfer {
                id: id(format!("payout.{run}.provider.{provider}"))?,
                debit: AccountKey::ProviderPayable { provider },
                credit: AccountKey::Bank,
                amount,
                code: TransferCode::ProviderPaid,
                kind: TransferKind::Posted,
                application: None,
                date,
            };
            payouts.push(Payout {
                kind: "provider".into(),
                provider: Some(provider),
                application: None,
                source: None,
                amount_cents: amount.get(),
                transfer: t.id.to_string(),
            });
            transfers.push(t);
        }
        let total_cents = payouts.iter().map(|p| p.amount_cents).sum();
        let result = PayoutRun {
            run: run.to_owned(),
            date,
            payouts,
            total_cents,
        };
        tx.insert_transfers(&transfers).await?;
        tx.set_payout_watermark(top).await?;
        let head = tx.audit_head("payouts").await?;
        let payload = json!({
            "run": run,
            "after_seq": from,
            "up_to_seq": top,
            "total_cents": total_cents,
            "transfers": transfer_ids(&transfers),
        });
        let record = next_record(
            "payouts",
            head,
            "payout_run",
            "agency",
            date,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.save_command_result(&key, &hash, &result.to_json().to_string())
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// An agency inspection acts on an application (T9): block it, unblock it, or recover its
    /// subsidy. A reason is required to block or recover.
    pub async fn inspect(
        &self,
        key: &str,
        action: Inspection,
        date: Date,
        reason: &str,
    ) -> Result<Application, CommandError> {
        if action != Inspection::Unblock && reason.trim().is_empty() {
            return Err(CommandError::Invalid {
                field: "reason".into(),
                message: "an inspection that blocks or recovers needs a reason".into(),
            });
        }
        retrying!(self.inspect_once(key, action, date, reason).await)
    }

    async fn inspect_once(
        &self,
        key: &str,
        action: Inspection,
        date: Date,
        reason: &str,
    ) -> Result<Application, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await?;
        let change = match action {
            Inspection::Block => lifecycle::block(&app, date)?,
            Inspection::Unblock => lifecycle::unblock(&app, date)?,
            Inspection::Recover => lifecycle::recover(&app, date)?,
        };
        let next = &change.application;
        let details = json!({
            "reason": reason,
            "recovered_cents": next.recovered.get() - app.recovered.get(),
            "refunded_cents": next.refunded.get() - app.refunded.get(),
            "returned_to_budget_cents": next.returned_to_budget.get() - app.returned_to_budget.get(),
        });
        let stored = write_change(&mut tx, &app, &change, details, None).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The provider refuses an application that names it (lifecycle.md T5): refused with
    /// `NOT_YOUR_APPLICATION` when the application names another provider.
    pub async fn refuse_as(
        &self,
        provider: &str,
        key: &str,
        date: Date,
        reason: Option<&str>,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.close_once(key, Closing::Refuse, date, reason, Some(provider))
                .await
        )
    }

    /// The provider confirms it checked an application that names it (rules.md §2): recorded
    /// once, in its audit stream; nothing moves. Refused with `NOT_YOUR_APPLICATION` for another
    /// provider's application, and for a closed one. Returns false when it was confirmed before.
    pub async fn confirm_as(
        &self,
        provider: &str,
        key: &str,
        date: Date,
    ) -> Result<bool, CommandError> {
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
        let app = tx
            .application_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownApplication(key.to_owned()))?;
        if app.provider != p.id {
            return Err(CommandError::NotYourApplication(key.to_owned()));
        }
        if !matches!(
            app.state,
            lifecycle::State::Submitted
                | lifecycle::State::Funded
                | lifecycle::State::PartiallyPaid
        ) {
            return Err(CommandError::Invalid {
                field: "application".into(),
                message: format!(
                    "application {key} is {}: there is nothing to confirm",
                    app.state
                ),
            });
        }
        if !tx.insert_confirmation(app.id, p.id, date).await? {
            return Ok(false);
        }
        append_record(
            &mut tx,
            &format!("provider:{}", p.id),
            "application_confirmed",
            "provider",
            date,
            json!({"application": key}),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The applications a provider confirmed (all, or `application`), with the date:
    /// application id → date.
    pub async fn confirmations(
        &self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<std::collections::HashMap<i64, Date>, CommandError> {
        let mut tx = self.store.begin().await?;
        let list = tx.confirmations(provider, application).await?;
        drop(tx);
        Ok(list.into_iter().collect())
    }

    async fn registration_step(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
        step: impl Fn(
            Option<crate::registry::Registration>,
        ) -> Result<crate::registry::Registration, CommandError>,
    ) -> Result<crate::registry::Registration, CommandError> {
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::Invalid {
                field: "provider".into(),
                message: format!("unknown provider {provider}"),
            })?;
        let current = tx.registration(p.id, kind).await?;
        let next = step(current)?;
        tx.save_registration(p.id, &next).await?;
        append_record(
            &mut tx,
            &format!("provider:{}", p.id),
            "registration",
            "agency",
            next.registered_on.unwrap_or(next.requested_on),
            json!({"number": next.number.to_string(), "state": next.state.code(),
                "valid_until": next.valid_until.map(|d| d.to_string())}),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// A provider's registrations: for training and for advice.
    pub async fn registrations(
        &self,
        provider: i64,
    ) -> Result<[Option<crate::registry::Registration>; 2], CommandError> {
        let mut tx = self.store.begin().await?;
        let training = tx
            .registration(provider, kmo_domain::ServiceKind::Training)
            .await?;
        let advice = tx
            .registration(provider, kmo_domain::ServiceKind::Advice)
            .await?;
        drop(tx);
        Ok([training, advice])
    }

    /// A provider asks for a registration number for a service kind (rules.md §7).
    pub async fn request_registration(
        &self,
        provider: &str,
        number: &str,
        kind: kmo_domain::ServiceKind,
        on: Date,
    ) -> Result<crate::registry::Registration, CommandError> {
        let parsed = kmo_domain::ProviderNumber::parse_lenient(number).map_err(|e| {
            CommandError::Invalid {
                field: "number".into(),
                message: e.to_string(),
            }
        })?;
        let number = parsed.number;
        self.registration_step(provider, kind, |_| {
            Ok(crate::registry::Registration::request(
                number.clone(),
                kind,
                on,
            )?)
        })
        .await
    }

    /// The audit report of a requested registration: positive or negative.
    pub async fn record_audit(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
        passed: bool,
    ) -> Result<crate::registry::Registration, CommandError> {
        self.registration_step(provider, kind, |r| Ok(existing(r)?.audited(passed)?))
            .await
    }

    /// The registration by the minister, for five years from `on`.
    pub async fn register(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
        on: Date,
    ) -> Result<crate::registry::Registration, CommandError> {
        self.registration_step(provider, kind, |r| Ok(existing(r)?.register(on)?))
            .await
    }

    /// A sanction on a provider's registration: suspension, or exclusion.
    pub async fn sanction(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
        exclude: bool,
    ) -> Result<crate::registry::Registration, CommandError> {
        self.registration_step(provider, kind, |r| Ok(existing(r)?.sanction(exclude)?))
            .await
    }

    /// Lifts a suspension.
    pub async fn reinstate(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
    ) -> Result<crate::registry::Registration, CommandError> {
        self.registration_step(provider, kind, |r| Ok(existing(r)?.reinstate()?))
            .await
    }

    /// Makes sure `provider` is registered for both service kinds on `on` (request, a positive
    /// audit and registration on `on` where needed): for adapters that assume a registered
    /// provider (the scenario runner, replays, simulations, benchmarks).
    pub async fn ensure_registered(
        &self,
        provider: &str,
        numbers: [&str; 2],
        on: Date,
    ) -> Result<(), CommandError> {
        let [training, advice] = numbers;
        for (kind, number) in [
            (kmo_domain::ServiceKind::Training, training),
            (kmo_domain::ServiceKind::Advice, advice),
        ] {
            let mut tx = self.store.begin().await?;
            let p = tx
                .provider_by_key(provider)
                .await?
                .ok_or_else(|| CommandError::Invalid {
                    field: "provider".into(),
                    message: format!("unknown provider {provider}"),
                })?;
            let active = tx
                .registration(p.id, kind)
                .await?
                .is_some_and(|r| r.active_on(on));
            drop(tx);
            if !active {
                self.request_registration(provider, number, kind, on)
                    .await?;
                self.record_audit(provider, kind, true).await?;
                self.register(provider, kind, on).await?;
            }
        }
        Ok(())
    }

    /// The de-minimis aid granted to an enterprise as seen on `date` (lifecycle.md §7.3).
    pub async fn de_minimis_seen_on(
        &self,
        enterprise: i64,
        date: Date,
    ) -> Result<Cents, CommandError> {
        let window = self
            .rules
            .in_force(date)
            .map_or(DeMinimisWindow::ThreeCalendarYears, |rs| {
                rs.de_minimis_window
            });
        let mut tx = self.store.begin().await?;
        let aid = tx
            .de_minimis_granted(enterprise, de_minimis_window(window, date), date)
            .await?;
        drop(tx);
        Ok(aid)
    }

    /// An enterprise's wallet in `today`'s calendar year: the ceiling granted at its first
    /// application of the year, or else the ceiling of the size in its profile under the rules
    /// in force today (unknown when the profile gives figures rather than a size).
    pub async fn wallet_year(
        &self,
        e: &crate::store::EnterpriseRecord,
        today: Date,
    ) -> Result<WalletYear, CommandError> {
        let year = self.enterprise_year(e.id, today.year()).await?;
        let ceiling = if year.ceiling_granted.is_positive() {
            Some(year.ceiling_granted)
        } else {
            e.profile
                .get("size")
                .and_then(Value::as_str)
                .and_then(EnterpriseSize::parse)
                .and_then(|size| self.rules.in_force(today)?.annual_ceiling(size))
        };
        Ok(WalletYear {
            year: today.year(),
            size_lock: year.size_lock,
            ceiling,
            reserved: year.ceiling_reserved,
            left: ceiling.map(|c| c.checked_sub(year.ceiling_reserved).unwrap_or(Cents::ZERO)),
        })
    }

    /// The enterprise year rows, for views.
    pub async fn enterprise_year(
        &self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, CommandError> {
        let mut tx = self.store.begin().await?;
        Ok(tx.enterprise_year(enterprise, year).await?)
    }
}

impl<S: Store> Platform<S>
where
    S::Tx: crate::store::StoreRead,
{
    /// `kmo ledger check` in-process: every balance recomputed from the journal and every
    /// invariant asserted, in one read transaction.
    pub async fn ledger_report(&self) -> Result<crate::check::LedgerReport, CommandError> {
        let mut tx = self.store.begin().await?;
        let report = crate::check::ledger_report(&mut tx).await?;
        drop(tx);
        Ok(report)
    }
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

/// An enterprise's ceiling in one calendar year (the wallet view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletYear {
    pub year: i32,
    /// The size locked for the year at its first accepted application (D19).
    pub size_lock: Option<EnterpriseSize>,
    pub ceiling: Option<Cents>,
    pub reserved: Cents,
    pub left: Option<Cents>,
}

/// What the next payout run would pay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayoutsDue {
    /// Provider id and the amount owed to it.
    pub providers: Vec<(i64, Cents)>,
    /// Application id (when known) and the own share to send back.
    pub refunds: Vec<(Option<i64>, Cents)>,
}
