//! Payout runs: every refund and provider payable since the previous run, in one transaction.

use kmo_domain::{Cents, Date, PayoutRunId};
use kmo_ledger::{AccountKey, Transfer, TransferCode, TransferId, TransferKind};
use serde_json::{Value, json};

use crate::kernel::audit::{Actor, AuditStream, next_record};
use crate::kernel::{CommandError, request_hash, retrying, transfer_ids};
use crate::platform::Platform;
use crate::store::{InsightTx, KernelTx, Store, StoreError, WalletTx};
use crate::wallet::{Payout, PayoutRun};

impl<S: Store> Platform<S> {
    /// A page of the payouts a provider received (by ledger sequence).
    pub async fn provider_payouts(
        &self,
        provider: kmo_domain::ProviderId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::store::MoneyOut>, CommandError> {
        let mut tx = self.store.read().await?;
        let page = tx.provider_payouts(provider.get(), after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// A page of the refunds an enterprise received (by ledger sequence).
    pub async fn enterprise_refunds(
        &self,
        enterprise: kmo_domain::EnterpriseId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::store::MoneyOut>, CommandError> {
        let mut tx = self.store.read().await?;
        let page = tx
            .enterprise_refunds(enterprise.get(), after, limit)
            .await?;
        drop(tx);
        Ok(page)
    }

    /// A payout run (the financial manager's daily batch): every provider payable and every
    /// refund that became payable since the previous run is paid out to the bank, in one
    /// transaction. The run id is its idempotency key: the same run again answers the same
    /// payouts and moves nothing; another date under the same id is `IDEMPOTENCY_KEY_REUSED`.
    pub async fn payout_run(&self, run: &str, date: Date) -> Result<PayoutRun, CommandError> {
        if let Err(e) = PayoutRunId::parse(run) {
            return Err(CommandError::Invalid {
                field: "run".into(),
                message: e.to_string(),
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
        crate::kernel::runner::insert_transfers_checked(&mut tx, &transfers).await?;
        tx.set_payout_watermark(top).await?;
        let head = tx.audit_head(&AuditStream::Payouts.to_string()).await?;
        let payload = json!({
            "run": run,
            "after_seq": from,
            "up_to_seq": top,
            "total_cents": total_cents,
            "transfers": transfer_ids(&transfers),
        });
        let record = next_record(
            AuditStream::Payouts,
            head,
            "payout_run",
            Actor::Agency,
            date,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.save_command_result(&key, &hash, &result.to_json().to_string())
            .await?;
        tx.commit().await?;
        Ok(result)
    }
}

/// What the next payout run would pay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayoutsDue {
    /// Provider id and the amount owed to it.
    pub providers: Vec<(i64, Cents)>,
    /// Application id (when known) and the own share to send back.
    pub refunds: Vec<(Option<i64>, Cents)>,
}
