//! Database rows and their conversion into domain values (every conversion checks what it reads:
//! a stored value that does not parse is `StoreError::Corrupt`, never a panic).

use kmo_app::lifecycle::{Application, State};
use kmo_app::store::{
    AuditRecord, EnterpriseRecord, EnterpriseYear, LetterRecord, ListedService, MandateRecord,
    ProviderRecord, StoreError, TokenRecord, UserRecord,
};
use kmo_domain::{ApplicationId, EnterpriseId, ProviderId};
use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};

pub(crate) fn date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text).map_err(|e| StoreError::Corrupt(format!("stored date: {e}")))
}

fn int32(v: i64, what: &str) -> Result<i32, StoreError> {
    i32::try_from(v).map_err(|_| StoreError::Corrupt(format!("stored {what} {v} is out of range")))
}

fn size(code: &str) -> Result<EnterpriseSize, StoreError> {
    EnterpriseSize::parse(code).ok_or_else(|| StoreError::Corrupt(format!("stored size {code:?}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct EnterpriseRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub profile: String,
}

impl EnterpriseRow {
    pub fn into_record(self) -> Result<EnterpriseRecord, StoreError> {
        let profile = serde_json::from_str(&self.profile)
            .map_err(|e| StoreError::Corrupt(format!("enterprise {} profile: {e}", self.id)))?;
        Ok(EnterpriseRecord {
            id: EnterpriseId::new(self.id),
            key: self.key,
            name: self.name,
            profile,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProviderRow {
    pub id: i64,
    pub key: String,
    pub name: String,
}

impl ProviderRow {
    pub fn into_record(self) -> ProviderRecord {
        ProviderRecord {
            id: ProviderId::new(self.id),
            key: self.key,
            name: self.name,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct YearRow {
    pub enterprise_id: i64,
    pub year: i64,
    pub size_lock: Option<String>,
    pub ceiling_granted_cents: i64,
    pub ceiling_reserved_cents: i64,
}

impl YearRow {
    pub fn into_year(self) -> Result<EnterpriseYear, StoreError> {
        Ok(EnterpriseYear {
            enterprise: EnterpriseId::new(self.enterprise_id),
            year: int32(self.year, "year")?,
            size_lock: self.size_lock.as_deref().map(size).transpose()?,
            ceiling_granted: Cents::new(self.ceiling_granted_cents),
            ceiling_reserved: Cents::new(self.ceiling_reserved_cents),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppRow {
    pub id: i64,
    pub key: String,
    pub enterprise_id: i64,
    pub provider_id: i64,
    pub submitted_on: String,
    pub state: String,
    pub closed_on: Option<String>,
    pub size: String,
    pub rate_bp: i64,
    pub rule_set: String,
    pub eligible_cents: i64,
    pub subsidy_cents: i64,
    pub own_share_cents: i64,
    pub deposited_cents: i64,
    pub paid_own_cents: i64,
    pub paid_subsidy_cents: i64,
    pub refunded_cents: i64,
    pub returned_to_ceiling_cents: i64,
    pub returned_to_budget_cents: i64,
    pub returned_deposits_cents: i64,
    pub deposit_deadline: String,
    pub payment_deadline: String,
    pub seq: i64,
    pub blocked_from: Option<String>,
    pub recovered_cents: i64,
    pub recovery_received_cents: i64,
    pub audit_hash: String,
}

impl AppRow {
    /// The application with its caller's key (a page or a whole-table read).
    pub fn into_keyed(self) -> Result<(String, Application), StoreError> {
        let key = self.key.clone();
        self.into_application().map(|a| (key, a))
    }

    pub fn into_application(self) -> Result<Application, StoreError> {
        Ok(Application {
            id: ApplicationId::new(self.id),
            key: self.key,
            enterprise: EnterpriseId::new(self.enterprise_id),
            provider: ProviderId::new(self.provider_id),
            submitted_on: date(&self.submitted_on)?,
            state: State::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("stored state {:?}", self.state)))?,
            closed_on: self.closed_on.as_deref().map(date).transpose()?,
            size: size(&self.size)?,
            rate_bp: u32::try_from(self.rate_bp)
                .map_err(|_| StoreError::Corrupt("stored rate".into()))?,
            rule_set: self.rule_set,
            eligible: Cents::new(self.eligible_cents),
            subsidy: Cents::new(self.subsidy_cents),
            own_share: Cents::new(self.own_share_cents),
            deposited: Cents::new(self.deposited_cents),
            paid_own: Cents::new(self.paid_own_cents),
            paid_subsidy: Cents::new(self.paid_subsidy_cents),
            refunded: Cents::new(self.refunded_cents),
            returned_to_ceiling: Cents::new(self.returned_to_ceiling_cents),
            returned_to_budget: Cents::new(self.returned_to_budget_cents),
            returned_deposits: Cents::new(self.returned_deposits_cents),
            deposit_deadline: date(&self.deposit_deadline)?,
            payment_deadline: date(&self.payment_deadline)?,
            seq: int32(self.seq, "seq")?,
            blocked_from: self
                .blocked_from
                .as_deref()
                .map(|s| {
                    State::parse(s)
                        .ok_or_else(|| StoreError::Corrupt(format!("stored blocked_from {s:?}")))
                })
                .transpose()?,
            recovered: Cents::new(self.recovered_cents),
            recovery_received: Cents::new(self.recovery_received_cents),
            audit_hash: self.audit_hash,
        })
    }
}

/// Text forms of an application's dates, for binding.
pub(crate) struct AppValues {
    pub submitted_on: String,
    pub closed_on: Option<String>,
    pub deposit_deadline: String,
    pub payment_deadline: String,
    pub lapse_on: String,
    pub expire_on: String,
}

impl AppValues {
    pub fn of(app: &Application) -> Self {
        AppValues {
            submitted_on: app.submitted_on.to_string(),
            closed_on: app.closed_on.map(|d| d.to_string()),
            deposit_deadline: app.deposit_deadline.to_string(),
            payment_deadline: app.payment_deadline.to_string(),
            lapse_on: app.lapse_on().to_string(),
            expire_on: app.expire_on().to_string(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TransferRow {
    pub id: String,
    pub debit_account: String,
    pub credit_account: String,
    pub amount_cents: i64,
    pub code: String,
    pub kind: String,
    pub pending_id: Option<String>,
    pub application_id: Option<i64>,
    pub date: String,
}

/// The one row of PostgreSQL's submission context (every column null when the enterprise is
/// unknown).
#[derive(sqlx::FromRow)]
pub(crate) struct ContextRow {
    pub id: Option<i64>,
    pub key: Option<String>,
    pub name: Option<String>,
    pub profile: Option<String>,
    pub taken: bool,
    pub year: Option<i64>,
    pub size_lock: Option<String>,
    pub ceiling_granted_cents: Option<i64>,
    pub ceiling_reserved_cents: Option<i64>,
    pub de_minimis: i64,
    pub number: Option<String>,
    pub state: Option<String>,
    pub requested_on: Option<String>,
    pub registered_on: Option<String>,
    pub valid_until: Option<String>,
    pub next_id: i64,
}

impl ContextRow {
    pub fn into_context(self) -> Result<kmo_app::store::SubmissionContext, StoreError> {
        let enterprise = match (self.id, self.key, self.name, self.profile) {
            (Some(id), Some(key), Some(name), Some(profile)) => Some(
                EnterpriseRow {
                    id,
                    key,
                    name,
                    profile,
                }
                .into_record()?,
            ),
            _ => None,
        };
        let year = match (
            enterprise.as_ref(),
            self.year,
            self.ceiling_granted_cents,
            self.ceiling_reserved_cents,
        ) {
            (Some(e), Some(year), Some(granted), Some(reserved)) => Some(
                YearRow {
                    enterprise_id: e.id.get(),
                    year,
                    size_lock: self.size_lock,
                    ceiling_granted_cents: granted,
                    ceiling_reserved_cents: reserved,
                }
                .into_year()?,
            ),
            _ => None,
        };
        let registration = match (self.number, self.state, self.requested_on) {
            (Some(number), Some(state), Some(requested_on)) => Some(
                RegistrationRow {
                    number,
                    state,
                    requested_on,
                    registered_on: self.registered_on,
                    valid_until: self.valid_until,
                }
                .into_registration()?,
            ),
            _ => None,
        };
        Ok(kmo_app::store::SubmissionContext {
            enterprise,
            key_taken: self.taken,
            year,
            de_minimis: Cents::new(self.de_minimis),
            registration,
            next_id: self.next_id,
        })
    }
}

/// An application with the stored answer of a command (PostgreSQL's command context).
#[derive(sqlx::FromRow)]
pub(crate) struct AppWithCommandRow {
    pub request_hash: Option<String>,
    pub answer: Option<String>,
    #[sqlx(flatten)]
    pub app: AppRow,
}

/// A transfer with its place in the journal.
#[derive(sqlx::FromRow)]
pub(crate) struct SeqTransferRow {
    pub seq: i64,
    #[sqlx(flatten)]
    pub transfer: TransferRow,
}

impl TransferRow {
    pub fn into_transfer(self) -> Result<Transfer, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("transfer {}: {what}", self.id));
        let id = TransferId::new(self.id.clone()).ok_or_else(|| corrupt("id"))?;
        let pending = || {
            self.pending_id
                .clone()
                .and_then(TransferId::new)
                .ok_or_else(|| corrupt("pending id"))
        };
        let kind = match self.kind.as_str() {
            "posted" => TransferKind::Posted,
            "pending" => TransferKind::Pending,
            "post_pending" => TransferKind::PostPending {
                pending: pending()?,
            },
            "void_pending" => TransferKind::VoidPending {
                pending: pending()?,
            },
            _ => return Err(corrupt("kind")),
        };
        Ok(Transfer {
            debit: self
                .debit_account
                .parse::<AccountKey>()
                .map_err(|_| corrupt("debit account"))?,
            credit: self
                .credit_account
                .parse::<AccountKey>()
                .map_err(|_| corrupt("credit account"))?,
            amount: Cents::new(self.amount_cents),
            code: TransferCode::parse(&self.code).ok_or_else(|| corrupt("code"))?,
            kind,
            application: self.application_id,
            date: date(&self.date)?,
            id,
        })
    }
}

/// Bindable values of a transfer.
pub(crate) struct TransferValues {
    pub id: String,
    pub debit: String,
    pub credit: String,
    pub amount: i64,
    pub code: &'static str,
    pub kind: &'static str,
    pub pending: Option<String>,
    pub application: Option<i64>,
    pub date: String,
}

impl TransferValues {
    pub fn of(t: &Transfer) -> Self {
        TransferValues {
            id: t.id.to_string(),
            debit: t.debit.to_string(),
            credit: t.credit.to_string(),
            amount: t.amount.get(),
            code: t.code.code(),
            kind: t.kind.code(),
            pending: t.kind.pending().map(ToString::to_string),
            application: t.application,
            date: t.date.to_string(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub stream: String,
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub date: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    pub fn into_record(self) -> Result<AuditRecord, StoreError> {
        Ok(AuditRecord {
            date: date(&self.date)?,
            stream: self.stream,
            seq: self.seq,
            kind: self.kind,
            actor: self.actor,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RegistrationRow {
    pub number: String,
    pub state: String,
    pub requested_on: String,
    pub registered_on: Option<String>,
    pub valid_until: Option<String>,
}

impl RegistrationRow {
    pub fn into_registration(self) -> Result<kmo_app::registry::Registration, StoreError> {
        Ok(kmo_app::registry::Registration {
            number: kmo_domain::ProviderNumber::parse(&self.number)
                .map_err(|e| StoreError::Corrupt(format!("stored registration number: {e}")))?,
            state: kmo_app::registry::RegistrationState::parse(&self.state).ok_or_else(|| {
                StoreError::Corrupt(format!("stored registration state {:?}", self.state))
            })?,
            requested_on: date(&self.requested_on)?,
            registered_on: self.registered_on.as_deref().map(date).transpose()?,
            valid_until: self.valid_until.as_deref().map(date).transpose()?,
        })
    }
}

/// A listed service as stored: its columns, and the topics in its body.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ListedRow {
    pub id: i64,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub sub_theme: Option<String>,
    pub price_cents: Option<i64>,
    pub on_occupation_list: i64,
    pub body: String,
}

impl ListedRow {
    pub(crate) fn into_listed(self) -> Result<(i64, ListedService), StoreError> {
        let missing =
            |what: &str| StoreError::Corrupt(format!("listed service {} has no {what}", self.id));
        let body: serde_json::Value = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Corrupt(format!("listed service {}: {e}", self.id)))?;
        let topics = body
            .get("topics")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok((
            self.id,
            ListedService {
                name: self.name.clone().ok_or_else(|| missing("name"))?,
                kind: self.kind.clone().ok_or_else(|| missing("kind"))?,
                theme: self.theme.clone().ok_or_else(|| missing("theme"))?,
                sub_theme: self.sub_theme.clone(),
                price: Cents::new(self.price_cents.ok_or_else(|| missing("price"))?),
                topics,
                on_occupation_list: self.on_occupation_list != 0,
            },
        ))
    }
}

/// The stored body of a listed service: its rules-eval.md service object without a date.
pub(crate) fn listed_body(s: &ListedService) -> String {
    serde_json::json!({"kind": s.kind, "theme": s.theme, "sub_theme": s.sub_theme,
        "topics": s.topics, "on_occupation_list": s.on_occupation_list})
    .to_string()
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub provider_id: Option<i64>,
    pub created_on: String,
}

impl UserRow {
    pub(crate) fn into_record(self) -> Result<UserRecord, StoreError> {
        Ok(UserRecord {
            id: self.id,
            email: self.email,
            name: self.name,
            password_hash: self.password_hash,
            role: self.role,
            provider: self.provider_id.map(ProviderId::new),
            created_on: date(&self.created_on)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_on: String,
    pub revoked: i64,
}

impl TokenRow {
    pub(crate) fn into_record(self) -> Result<TokenRecord, StoreError> {
        Ok(TokenRecord {
            id: self.id,
            user: self.user_id,
            name: self.name,
            created_on: date(&self.created_on)?,
            revoked: self.revoked != 0,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MandateRow {
    pub id: i64,
    pub user_id: i64,
    pub enterprise_id: i64,
    pub enterprise_key: String,
    pub scope: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub state: String,
    pub granted_by: Option<i64>,
}

impl MandateRow {
    pub(crate) fn into_record(self) -> Result<MandateRecord, StoreError> {
        Ok(MandateRecord {
            id: self.id,
            user: self.user_id,
            enterprise: EnterpriseId::new(self.enterprise_id),
            enterprise_key: self.enterprise_key,
            scope: self.scope,
            valid_from: date(&self.valid_from)?,
            valid_until: self.valid_until.as_deref().map(date).transpose()?,
            state: self.state,
            granted_by: self.granted_by,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub user_id: i64,
    pub enterprise_id: i64,
    pub code: Option<String>,
    pub issued_on: String,
    pub valid_until: String,
    pub printed_on: Option<String>,
    pub used_on: Option<String>,
}

impl LetterRow {
    pub(crate) fn into_record(self) -> Result<LetterRecord, StoreError> {
        Ok(LetterRecord {
            id: self.id,
            user: self.user_id,
            enterprise: EnterpriseId::new(self.enterprise_id),
            code: self.code,
            issued_on: date(&self.issued_on)?,
            valid_until: date(&self.valid_until)?,
            printed_on: self.printed_on.as_deref().map(date).transpose()?,
            used_on: self.used_on.as_deref().map(date).transpose()?,
        })
    }
}
