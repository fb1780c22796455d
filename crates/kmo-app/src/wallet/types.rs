//! What the wallet's commands take and give.

use kmo_domain::{Date, PaymentReference};
use serde_json::{Map, Value, json};

use crate::kernel::CommandError;
use crate::store::StoreError;
use crate::wallet::lifecycle::Application;

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
    pub(crate) fn to_json(&self) -> Value {
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

    pub(crate) fn from_json(text: &str) -> Result<Draft, CommandError> {
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

    pub(crate) fn from_json(v: &Value) -> Option<PayoutRun> {
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
