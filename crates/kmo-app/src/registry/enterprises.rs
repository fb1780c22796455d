//! Enterprises: registration, profile, declared de-minimis aid and the wallet's year.

use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};
use kmo_rules::parse_case;
use kmo_rules::ruleset::DeMinimisWindow;
use serde_json::{Value, json};

use crate::accounts::policy::{self, EnterpriseAccess, Principal};
use crate::kernel::audit::{Actor, AuditStream, next_record};
use crate::kernel::{CommandError, append_record, check_amount, retrying};
use crate::platform::Platform;
use crate::store::{EnterpriseYear, InsightTx, KernelTx, RegistryTx, Store, StoreError};
use kmo_domain::EnterpriseId;

impl<S: Store> Platform<S> {
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
        let record = next_record(
            AuditStream::Enterprise(EnterpriseId::new(id)),
            None,
            "registered",
            Actor::Agency,
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
        actor: Actor,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        retrying!(
            self.update_enterprise_once(key, name, profile, Err(actor))
                .await
        )
    }

    /// [`Platform::update_enterprise`] by `who`, refused inside the command's own transaction
    /// unless the access policy lets `who` manage the enterprise (the agency, its legal
    /// representative); recorded with the user as the actor.
    pub async fn update_enterprise_as(
        &self,
        who: &Principal,
        key: &str,
        name: Option<&str>,
        profile: &Value,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        retrying!(
            self.update_enterprise_once(key, name, profile, Ok(who))
                .await
        )
    }

    async fn update_enterprise_once(
        &self,
        key: &str,
        name: Option<&str>,
        profile: &Value,
        by: Result<&Principal, Actor>,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(key.to_owned()))?;
        let actor = match by {
            Ok(who) => {
                policy::check_enterprise(who, e.id, EnterpriseAccess::Manage, || {
                    CommandError::UnknownEnterprise(key.to_owned())
                })?;
                let user = who.user().ok_or_else(|| {
                    CommandError::Forbidden("your account may not do this".into())
                })?;
                Actor::User(user.id)
            }
            Err(actor) => actor,
        };
        // Checked after the access policy: whoever may not manage it learns nothing more.
        if name.is_some_and(|n| n.trim().is_empty() || n.chars().count() > 200) {
            return Err(CommandError::Invalid {
                field: "name".into(),
                message: "must be 1 to 200 characters".into(),
            });
        }
        self.check_profile(profile)?;
        let name = name.unwrap_or(&e.name);
        tx.update_enterprise(e.id.get(), name, profile).await?;
        let date = tx.clock().await?.unwrap_or(Date::EPOCH);
        append_record(
            &mut tx,
            AuditStream::Enterprise(e.id),
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
        let stream = AuditStream::Enterprise(e.id);
        let head = tx.audit_head(&stream.to_string()).await?;
        let seq = head.as_ref().map_or(1, |(s, _)| s + 1);
        let id = TransferId::new(format!("e{}.{seq}.de_minimis_external", e.id))
            .ok_or_else(|| StoreError::Corrupt("transfer id".into()))?;
        let t = Transfer {
            id,
            debit: AccountKey::DeMinimisSource,
            credit: AccountKey::DeMinimisGranted {
                enterprise: e.id.get(),
            },
            amount,
            code: TransferCode::DeMinimisExternal,
            kind: TransferKind::Posted,
            application: None,
            date: granted_on,
        };
        crate::kernel::runner::insert_transfers_checked(&mut tx, std::slice::from_ref(&t)).await?;
        let payload = json!({"amount_cents": amount.get(), "granted_on": granted_on.to_string(), "transfers": [t.id.to_string()]});
        let record = next_record(
            stream,
            head,
            "external_de_minimis",
            Actor::Agency,
            granted_on,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An enterprise by its key (`UNKNOWN_ENTERPRISE` when there is none).
    pub async fn enterprise(
        &self,
        key: &str,
    ) -> Result<crate::store::EnterpriseRecord, CommandError> {
        let mut tx = self.store.read().await?;
        let e = tx
            .enterprise_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(key.to_owned()));
        drop(tx);
        e
    }

    /// De-minimis aid counts from after this day when seen on `date`: the window of the rule
    /// set in force (lifecycle.md §7.3).
    fn de_minimis_after(&self, date: Date) -> Date {
        let window = self
            .rules
            .in_force(date)
            .map_or(DeMinimisWindow::ThreeCalendarYears, |rs| {
                rs.de_minimis_window
            });
        crate::wallet::submit::de_minimis_window(window, date)
    }

    /// The de-minimis aid granted to an enterprise as seen on `date` (lifecycle.md §7.3).
    pub async fn de_minimis_seen_on(
        &self,
        enterprise: EnterpriseId,
        date: Date,
    ) -> Result<Cents, CommandError> {
        let mut tx = self.store.read().await?;
        let aid = tx
            .de_minimis_granted(enterprise.get(), self.de_minimis_after(date), date)
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
        Ok(self.wallet_year_of(e, &year, today))
    }

    /// The wallet's year from the stored year of the enterprise: the ceiling granted by its
    /// first application, else the one its declared size would get today.
    fn wallet_year_of(
        &self,
        e: &crate::store::EnterpriseRecord,
        year: &EnterpriseYear,
        today: Date,
    ) -> WalletYear {
        let ceiling = if year.ceiling_granted.is_positive() {
            Some(year.ceiling_granted)
        } else {
            e.profile
                .get("size")
                .and_then(Value::as_str)
                .and_then(EnterpriseSize::parse)
                .and_then(|size| self.rules.in_force(today)?.annual_ceiling(size))
        };
        WalletYear {
            year: today.year(),
            size_lock: year.size_lock,
            ceiling,
            reserved: year.ceiling_reserved,
            left: ceiling.map(|c| c.checked_sub(year.ceiling_reserved).unwrap_or(Cents::ZERO)),
        }
    }

    /// The wallets of the enterprises the principal holds a mandate for, as the wallet page
    /// shows them — each enterprise's year, the de-minimis aid counted today and its latest
    /// `rows` applications — read in one read transaction.
    pub async fn enterprise_wallets(
        &self,
        p: &Principal,
        today: Date,
        rows: u32,
    ) -> Result<Vec<EnterpriseWallet>, CommandError> {
        let Principal::User { mandates, .. } = p else {
            return Ok(Vec::new());
        };
        let de_minimis_after = self.de_minimis_after(today);
        let mut tx = self.store.read().await?;
        let mut out = Vec::with_capacity(mandates.len());
        for m in mandates {
            let Some(e) = tx.enterprise_by_key(&m.enterprise_key).await? else {
                continue;
            };
            let year = tx
                .find_enterprise_year(e.id.get(), today.year())
                .await?
                .unwrap_or_else(|| empty_year(e.id, today.year()));
            let de_minimis = tx
                .de_minimis_granted(e.id.get(), de_minimis_after, today)
                .await?;
            let applications = tx
                .applications_page(crate::store::AppOwner::Enterprise(e.id), 0, rows)
                .await?;
            out.push(EnterpriseWallet {
                scope: m.scope.clone(),
                year: self.wallet_year_of(&e, &year, today),
                enterprise: e,
                de_minimis,
                applications,
            });
        }
        drop(tx);
        Ok(out)
    }

    /// The enterprise's year as a view shows it: the stored row, or an empty one (no size
    /// lock, nothing granted or reserved) before its first submission. A read: nothing is
    /// created, so a page never takes the write lock.
    pub async fn enterprise_year(
        &self,
        enterprise: kmo_domain::EnterpriseId,
        year: i32,
    ) -> Result<EnterpriseYear, CommandError> {
        let mut tx = self.store.read().await?;
        let found = tx.find_enterprise_year(enterprise.get(), year).await?;
        drop(tx);
        Ok(found.unwrap_or_else(|| empty_year(enterprise, year)))
    }
}

/// An enterprise's year before its first submission: no size lock, nothing granted or reserved.
fn empty_year(enterprise: EnterpriseId, year: i32) -> EnterpriseYear {
    EnterpriseYear {
        enterprise,
        year,
        size_lock: None,
        ceiling_granted: Cents::ZERO,
        ceiling_reserved: Cents::ZERO,
    }
}

/// An enterprise's wallet as its page shows it ([`Platform::enterprise_wallets`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseWallet {
    pub enterprise: crate::store::EnterpriseRecord,
    /// The scope of the visitor's mandate for it.
    pub scope: String,
    pub year: WalletYear,
    /// De-minimis aid counted in the window ending today.
    pub de_minimis: Cents,
    /// Its latest applications: key and application.
    pub applications: Vec<(String, crate::wallet::lifecycle::Application)>,
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
