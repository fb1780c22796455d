//! What the wallet's commands take and give.

use kmo_domain::{Date, PaymentReference};
use serde::{Deserialize, Serialize};
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

/// The service of a submission: the fields of rules-eval.md's `service` object. Codes stay
/// text — a theme the rule set does not know is the rules engine's to judge (a rejection with
/// its reason, rules-eval.md), not a malformed request — and so do dates, which the engine
/// reads on the one decision path with the field named in its error. Fields the contract does
/// not know are ignored, as the engine ignores them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_theme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_occupation_list: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_to_provider: Option<bool>,
}

/// One cost line of a submission, excluding VAT: the fields of rules-eval.md's `costs` items.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRequest {
    /// `fee`, `catering`, `course_material`, … (text, as [`ServiceRequest`]'s codes).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub cost_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persons: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separate_invoice: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_only_in_training: Option<bool>,
}

impl CostRequest {
    /// A line of `cost_type` for `amount_cents`.
    #[must_use]
    pub fn new(cost_type: &str, amount_cents: i64) -> CostRequest {
        CostRequest {
            cost_type: Some(cost_type.to_owned()),
            amount_cents: Some(amount_cents),
            ..CostRequest::default()
        }
    }
}

/// Reads a submission's `service` object or `costs` array from JSON: a value of the wrong type
/// is refused with the field named (`costs[1].persons`), as the rules engine names it.
fn from_json<T: serde::de::DeserializeOwned>(field: &str, v: &Value) -> Result<T, CommandError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            field.to_owned()
        } else if path.starts_with('[') {
            format!("{field}{path}")
        } else {
            format!("{field}.{path}")
        };
        CommandError::InvalidSubmission {
            field,
            message: e.into_inner().to_string(),
        }
    })
}

impl ServiceRequest {
    /// A service of `kind` (`training`, `advice`) in `theme` (and `sub_theme`), starting on
    /// `start_date`.
    #[must_use]
    pub fn new(kind: &str, theme: &str, sub_theme: Option<&str>, start_date: Date) -> Self {
        ServiceRequest {
            kind: Some(kind.to_owned()),
            theme: Some(theme.to_owned()),
            sub_theme: sub_theme.map(str::to_owned),
            start_date: Some(start_date.to_string()),
            ..ServiceRequest::default()
        }
    }

    /// The service of an application for a service of a provider's catalogue, starting on
    /// `start_date`.
    #[must_use]
    pub fn of_listed(listed: &crate::store::ListedService, start_date: Date) -> ServiceRequest {
        ServiceRequest {
            kind: Some(listed.kind.clone()),
            theme: Some(listed.theme.clone()),
            sub_theme: listed.sub_theme.clone(),
            start_date: Some(start_date.to_string()),
            topics: Some(listed.topics.clone()),
            on_occupation_list: Some(listed.on_occupation_list),
            related_to_provider: Some(false),
        }
    }

    /// The rules-eval.md `service` object, read (field `service` in errors).
    pub fn from_json(v: &Value) -> Result<ServiceRequest, CommandError> {
        from_json("service", v)
    }
}

/// The rules-eval.md `costs` array, read (field `costs` in errors).
pub fn costs_from_json(v: &Value) -> Result<Vec<CostRequest>, CommandError> {
    from_json("costs", v)
}

/// A submission (lifecycle.md §3 `submit`).
#[derive(Clone, Debug)]
pub struct Submission {
    pub enterprise: String,
    pub application: String,
    pub provider: String,
    pub submitted_on: Date,
    pub service: ServiceRequest,
    pub costs: Vec<CostRequest>,
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
    pub service: ServiceRequest,
    pub costs: Vec<CostRequest>,
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
            service: match v.get("service") {
                Some(s) if !s.is_null() => {
                    serde_json::from_value(s.clone()).map_err(|e| corrupt(&e.to_string()))?
                }
                _ => ServiceRequest::default(),
            },
            costs: match v.get("costs") {
                Some(c) if !c.is_null() => {
                    serde_json::from_value(c.clone()).map_err(|e| corrupt(&e.to_string()))?
                }
                _ => Vec::new(),
            },
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
