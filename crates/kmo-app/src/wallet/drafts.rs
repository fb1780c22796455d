//! Drafts (T1): a submission without its date.

use kmo_domain::Date;

use crate::kernel::{CommandError, retrying};
use crate::platform::Platform;
use crate::store::{DraftRecord, KernelTx, RegistryTx, Store, WalletTx};
use crate::wallet::{Draft, Submitted};

impl<S: Store> Platform<S> {
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
        let mut tx = self.store.read().await?;
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
        retrying!(self.discard_draft_once(key).await)
    }

    /// One attempt of [`Platform::discard_draft`].
    async fn discard_draft_once(&self, key: &str) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        if !tx.delete_draft(key).await? {
            return Err(CommandError::UnknownDraft(key.to_owned()));
        }
        tx.commit().await?;
        Ok(())
    }
}
