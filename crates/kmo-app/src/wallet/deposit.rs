//! Own-share deposits from bank statement lines (lifecycle.md §6.2).

use kmo_domain::{Cents, Date, PaymentReference};
use serde_json::json;

use crate::kernel::audit::{Actor, AuditStream, next_record};
use crate::kernel::{
    CommandError, check_amount, request_hash, retrying, stored_code, transfer_ids, write_change,
};
use crate::platform::Platform;
use crate::store::{AppLookup, CommandResultWrite, KernelTx, Store, StoreError, WalletTx};
use crate::wallet::DepositTarget;
use crate::wallet::lifecycle::{self, Application, TransitionError};

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
    async fn return_unmatched<T: KernelTx + WalletTx>(
        &self,
        tx: &mut T,
        application: Option<i64>,
        code: &str,
    ) -> Result<(), StoreError> {
        let transfers = lifecycle::returned_deposit_transfers(
            &lifecycle::bank_line_prefix(self.bank_ref),
            self.amount,
            None,
            self.date,
        );
        crate::kernel::runner::insert_transfers_checked(tx, &transfers).await?;
        let head = tx.audit_head(&AuditStream::Platform.to_string()).await?;
        let mut payload = json!({"amount_cents": self.amount.get(), "code": code, "transfers": transfer_ids(&transfers)});
        if let (Some(id), Some(p)) = (application, payload.as_object_mut()) {
            p.insert("application".into(), json!(id));
        }
        let record = next_record(
            AuditStream::Platform,
            head,
            "deposit_returned",
            Actor::Bank,
            self.date,
            payload.to_string(),
        );
        tx.append_audit(&record).await?;
        tx.save_command_result(self.line_key, self.hash, code).await
    }
}

impl<S: Store> Platform<S> {
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
        let bank_ref = lifecycle::bank_ref(bank_ref).map_err(|message| CommandError::Invalid {
            field: "bank_ref".into(),
            message: message.into(),
        })?;
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
                    line.return_unmatched(&mut tx, Some(app.id.get()), error.code())
                        .await?;
                    tx.commit().await?;
                    Err(error.into())
                }
            };
        }
        let (change, outcome) =
            match lifecycle::deposit(&app, amount, date, &lifecycle::bank_line_prefix(bank_ref)) {
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
}
