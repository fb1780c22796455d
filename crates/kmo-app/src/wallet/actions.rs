//! The application's lifecycle actions after submission: payments, closings, inspections, the
//! provider's refusal and confirmation, and the clock's deadline events.

use kmo_domain::{Cents, Date, InvoiceNumber, RefusalReason};
use serde_json::json;

use crate::accounts::policy::{self, Access, Principal};
use crate::kernel::audit::{Actor, AuditStream};
use crate::kernel::{
    CommandError, append_record, check_amount, request_hash, retrying, seen_before, write_change,
};
use crate::platform::Platform;
use crate::store::{CommandResultWrite, KernelTx, RegistryTx, Store, StoreError, WalletTx};
use crate::wallet::Inspection;
use crate::wallet::lifecycle::{self, Application, Closing};

impl<S: Store> Platform<S> {
    /// The command, retried from the start while its transaction loses a race.
    pub async fn advance_clock(&self, date: Date) -> Result<usize, CommandError> {
        retrying!(self.advance_clock_once(date).await)
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn pay(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
    ) -> Result<Application, CommandError> {
        retrying!(self.pay_once(key, amount, date, None, By::Tooling).await)
    }

    /// The enterprise releases (part of) an invoice (T6): a payment order whose id is the
    /// application and the invoice number, so the same order posted twice pays once.
    pub async fn release(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
        invoice: &InvoiceNumber,
    ) -> Result<Application, CommandError> {
        let order = format!("{key}/{invoice}");
        retrying!(
            self.pay_once(key, amount, date, Some(&order), By::Tooling)
                .await
        )
    }

    /// [`Platform::release`] by `who`, refused inside the command's own transaction unless the
    /// access policy lets `who` release for the application's enterprise (the application read
    /// once, locked, and checked where it is changed).
    pub async fn release_as(
        &self,
        who: &Principal,
        key: &str,
        amount: Cents,
        date: Date,
        invoice: &InvoiceNumber,
    ) -> Result<Application, CommandError> {
        let order = format!("{key}/{invoice}");
        retrying!(
            self.pay_once(key, amount, date, Some(&order), By::Caller(who))
                .await
        )
    }

    /// A payment order with an id (an invoice number): executed at most once per id.
    pub async fn pay_order(
        &self,
        key: &str,
        amount: Cents,
        date: Date,
        order: &str,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.pay_once(key, amount, date, Some(order), By::Tooling)
                .await
        )
    }

    /// The command, retried from the start while its transaction loses a race.
    pub async fn close(
        &self,
        key: &str,
        closing: Closing,
        date: Date,
        reason: Option<&str>,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.close_once(key, closing, date, reason, By::Tooling)
                .await
        )
    }

    /// The enterprise stops the application (T7), as `who`: refused inside the command's own
    /// transaction unless the access policy lets `who` apply for its enterprise.
    pub async fn stop_as(
        &self,
        who: &Principal,
        key: &str,
        date: Date,
        reason: Option<&str>,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.close_once(key, Closing::Stop, date, reason, By::Caller(who))
                .await
        )
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

    /// The key of the application with this id.
    pub async fn application_key(
        &self,
        id: kmo_domain::ApplicationId,
    ) -> Result<String, CommandError> {
        self.key_of(crate::store::Keyed::Application, id.get())
            .await
    }

    /// An application by its key (`UNKNOWN_APPLICATION` when there is none).
    pub async fn application(&self, key: &str) -> Result<Application, CommandError> {
        let mut tx = self.store.read().await?;
        let app = Self::load(&mut tx, key).await;
        drop(tx);
        app
    }

    async fn load<T: WalletTx>(tx: &mut T, key: &str) -> Result<Application, CommandError> {
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
        by: By<'_>,
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
            by.check(&mut tx, &app, Access::Release, key).await?;
            return if code == "accepted" {
                Ok(app)
            } else {
                Err(CommandError::Repeated { code })
            };
        }
        let app = Self::load(&mut tx, key).await?;
        by.check(&mut tx, &app, Access::Release, key).await?;
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
        by: By<'_>,
    ) -> Result<Application, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await?;
        // Stopping is the enterprise's act; refusing the named provider's (T5).
        let access = if closing == Closing::Refuse {
            Access::Provide
        } else {
            Access::Apply
        };
        by.check(&mut tx, &app, access, key).await?;
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

    /// An agency inspection acts on an application (T9): block it, unblock it, or recover its
    /// subsidy. A reason is required to block or recover.
    pub async fn inspect(
        &self,
        key: &str,
        action: Inspection,
        date: Date,
        reason: &str,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.inspect_once(key, action, date, reason, By::Tooling)
                .await
        )
    }

    /// [`Platform::inspect`] by `who`, refused inside the command's own transaction unless the
    /// access policy lets `who` inspect (the agency).
    pub async fn inspect_as(
        &self,
        who: &Principal,
        key: &str,
        action: Inspection,
        date: Date,
        reason: &str,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.inspect_once(key, action, date, reason, By::Caller(who))
                .await
        )
    }

    fn inspection_reason(action: Inspection, reason: &str) -> Result<(), CommandError> {
        if action != Inspection::Unblock && reason.trim().is_empty() {
            return Err(CommandError::Invalid {
                field: "reason".into(),
                message: "an inspection that blocks or recovers needs a reason".into(),
            });
        }
        Ok(())
    }

    async fn inspect_once(
        &self,
        key: &str,
        action: Inspection,
        date: Date,
        reason: &str,
        by: By<'_>,
    ) -> Result<Application, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await?;
        by.check(&mut tx, &app, Access::Inspect, key).await?;
        // Checked after the access policy: whoever may not inspect learns nothing more.
        Self::inspection_reason(action, reason)?;
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

    /// The provider with this key refuses an application that names it (lifecycle.md T5) for a
    /// reason of the rule book's list (rules.md §4.9): refused with `NOT_YOUR_APPLICATION` when
    /// the application names another provider. Only the provider refuses; the agency acts
    /// through inspections. (Tooling acts by the provider's key; people through
    /// [`Platform::refuse_as`].)
    pub async fn refuse(
        &self,
        provider: &str,
        key: &str,
        date: Date,
        reason: RefusalReason,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.close_once(
                key,
                Closing::Refuse,
                date,
                Some(reason.code()),
                By::Provider(provider)
            )
            .await
        )
    }

    /// The provider `who` acts for refuses the application, refused inside the command's own
    /// transaction unless the access policy lets `who` act as the provider it names.
    pub async fn refuse_as(
        &self,
        who: &Principal,
        key: &str,
        date: Date,
        reason: RefusalReason,
    ) -> Result<Application, CommandError> {
        retrying!(
            self.close_once(
                key,
                Closing::Refuse,
                date,
                Some(reason.code()),
                By::Caller(who)
            )
            .await
        )
    }

    /// The provider with this key confirms it checked an application that names it (rules.md
    /// §2): recorded once, in its audit stream; nothing moves. Refused with
    /// `NOT_YOUR_APPLICATION` for another provider's application, and for a closed one. Returns
    /// false when it was confirmed before.
    pub async fn confirm(
        &self,
        provider: &str,
        key: &str,
        date: Date,
    ) -> Result<bool, CommandError> {
        retrying!(self.confirm_once(By::Provider(provider), key, date).await)
    }

    /// [`Platform::confirm`] by `who`, refused inside the command's own transaction unless the
    /// access policy lets `who` act as the provider the application names.
    pub async fn confirm_as(
        &self,
        who: &Principal,
        key: &str,
        date: Date,
    ) -> Result<bool, CommandError> {
        retrying!(self.confirm_once(By::Caller(who), key, date).await)
    }

    async fn confirm_once(&self, by: By<'_>, key: &str, date: Date) -> Result<bool, CommandError> {
        let mut tx = self.store.begin().await?;
        let app = Self::load(&mut tx, key).await?;
        by.check(&mut tx, &app, Access::Provide, key).await?;
        let provider = app.provider;
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
        if !tx
            .insert_confirmation(app.id.get(), provider.get(), date)
            .await?
        {
            return Ok(false);
        }
        append_record(
            &mut tx,
            AuditStream::Provider(provider),
            "application_confirmed",
            Actor::Provider,
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
        provider: kmo_domain::ProviderId,
        application: Option<kmo_domain::ApplicationId>,
    ) -> Result<std::collections::HashMap<i64, Date>, CommandError> {
        let mut tx = self.store.read().await?;
        let list = tx
            .confirmations(
                provider.get(),
                application.map(kmo_domain::ApplicationId::get),
            )
            .await?;
        drop(tx);
        Ok(list.into_iter().collect())
    }
}

/// Who runs a command on an application.
#[derive(Clone, Copy)]
enum By<'a> {
    /// A person: the access policy is asked on the application the command locked.
    Caller(&'a Principal),
    /// A provider named by its key (tooling): it must be the one the application names.
    Provider(&'a str),
    /// The platform's own tooling (scenarios, replay, the clock): not checked.
    Tooling,
}

impl By<'_> {
    /// Refuses the command unless `self` may do `access` on `app`, inside the command's
    /// transaction.
    async fn check<T: RegistryTx>(
        self,
        tx: &mut T,
        app: &Application,
        access: Access,
        key: &str,
    ) -> Result<(), CommandError> {
        match self {
            By::Caller(p) => policy::check(p, app, access, key),
            By::Provider(provider) => {
                let p = tx
                    .provider_by_key(provider)
                    .await?
                    .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
                if p.id == app.provider {
                    Ok(())
                } else {
                    Err(CommandError::NotYourApplication(key.to_owned()))
                }
            }
            By::Tooling => Ok(()),
        }
    }
}
