//! The occupation-specific list's requests as services (rules.md §4.3), over the pure rules of
//! [`crate::occupation`]: the provider submits for one of its listed services whose theme is
//! occupation-specific; the agency assesses; the quality chamber advises; the agency records the
//! decision (the minister's); an approval puts the service on the list. Each step is one
//! transaction and one record in the provider's audit stream.

use crate::kernel::audit::{Actor, AuditStream};
use crate::kernel::retrying;
use kmo_domain::{Date, Theme};
use serde_json::json;

use crate::occupation::{ListRequest, ListRequestError};
use crate::platform::{CommandError, Platform};
use crate::store::{KernelTx, ListRequestRecord, RegistryTx, Store};

/// Requests shown per list.
pub const REQUESTS_MAX: u32 = 200;

impl From<ListRequestError> for CommandError {
    fn from(e: ListRequestError) -> CommandError {
        CommandError::Invalid {
            field: e.field.to_owned(),
            message: e.message,
        }
    }
}

fn unknown(key: &str) -> CommandError {
    CommandError::Invalid {
        field: "request".into(),
        message: format!("there is no list request {key}"),
    }
}

fn parsed(record: &ListRequestRecord) -> Result<ListRequest, CommandError> {
    serde_json::from_str(&record.body)
        .ok()
        .and_then(|v| ListRequest::from_json(&v))
        .ok_or_else(|| {
            CommandError::Store(crate::store::StoreError::Corrupt(format!(
                "list request {} is not readable",
                record.key
            )))
        })
}

async fn audit<T: KernelTx>(
    tx: &mut T,
    record: &ListRequestRecord,
    actor: Actor,
    on: Date,
) -> Result<(), CommandError> {
    crate::kernel::append_record(
        tx,
        AuditStream::Provider(record.provider),
        "list_request",
        actor,
        on,
        json!({"request": record.key, "service": record.service, "state": record.state}),
    )
    .await?;
    Ok(())
}

impl<S: Store> Platform<S> {
    /// A provider asks that its listed service `service` be put on the occupation-specific list.
    pub async fn request_listing(
        &self,
        provider: &str,
        service: i64,
        description: &str,
        target_group: &str,
        criterion: &str,
        on: Date,
    ) -> Result<(String, ListRequest), CommandError> {
        retrying!(
            self.request_listing_once(provider, service, description, target_group, criterion, on)
                .await
        )
    }

    /// One attempt of [`Platform::request_listing`].
    async fn request_listing_once(
        &self,
        provider: &str,
        service: i64,
        description: &str,
        target_group: &str,
        criterion: &str,
        on: Date,
    ) -> Result<(String, ListRequest), CommandError> {
        let invalid = |message: String| CommandError::Invalid {
            field: "service".into(),
            message,
        };
        let mut tx = self.store.begin().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
        let services = tx.listed_services(p.id.get()).await?;
        let (_, listed) = services
            .iter()
            .find(|(id, _)| *id == service)
            .ok_or_else(|| invalid(format!("the provider lists no service {service}")))?;
        if listed.theme != Theme::OccupationSpecific.code() {
            return Err(invalid(
                "only a service in the theme occupation-specific competences can be put on the list"
                    .into(),
            ));
        }
        if listed.on_occupation_list {
            return Err(invalid("the service is on the list already".into()));
        }
        let request = ListRequest::submit(&listed.name, description, target_group, criterion, on)?;
        let open = tx
            .list_requests(Some(p.id.get()), REQUESTS_MAX)
            .await?
            .into_iter()
            .any(|r| r.service == service && (r.state == "submitted" || r.state == "assessed"));
        if open {
            return Err(invalid(
                "a request for this service is waiting for a decision already".into(),
            ));
        }
        let mut record = ListRequestRecord {
            id: 0,
            key: crate::accounts::random_key("BL-")?,
            provider: p.id,
            service,
            state: request.state.code().to_owned(),
            body: request.to_json().to_string(),
        };
        record.id = tx.insert_list_request(&record).await?;
        audit(&mut tx, &record, Actor::Provider, on).await?;
        tx.commit().await?;
        Ok((record.key, request))
    }

    async fn list_request_step(
        &self,
        key: &str,
        actor: Actor,
        on: Date,
        step: impl Fn(&ListRequest) -> Result<ListRequest, ListRequestError>,
    ) -> Result<ListRequest, CommandError> {
        retrying!(self.list_request_step_once(key, actor, on, &step).await)
    }

    async fn list_request_step_once(
        &self,
        key: &str,
        actor: Actor,
        on: Date,
        step: impl Fn(&ListRequest) -> Result<ListRequest, ListRequestError>,
    ) -> Result<ListRequest, CommandError> {
        let mut tx = self.store.begin().await?;
        let mut record = tx.list_request(key).await?.ok_or_else(|| unknown(key))?;
        let next = step(&parsed(&record)?)?;
        record.state = next.state.code().to_owned();
        record.body = next.to_json().to_string();
        tx.update_list_request(&record).await?;
        if next.state == crate::occupation::ListRequestState::Approved
            && !tx
                .list_on_occupation_list(record.provider.get(), record.service)
                .await?
        {
            return Err(CommandError::Invalid {
                field: "service".into(),
                message: "the service is no longer in the provider's catalogue".into(),
            });
        }
        audit(&mut tx, &record, actor, on).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The agency's assessment against the criteria.
    pub async fn assess_listing(
        &self,
        key: &str,
        meets_criterion: bool,
        note: &str,
        on: Date,
    ) -> Result<ListRequest, CommandError> {
        self.list_request_step(key, Actor::Agency, on, |r| {
            r.assess(meets_criterion, note, on)
        })
        .await
    }

    /// The quality chamber's advice.
    pub async fn advise_listing(
        &self,
        key: &str,
        favourable: bool,
        advice: &str,
        on: Date,
    ) -> Result<ListRequest, CommandError> {
        self.list_request_step(key, Actor::QualityChamber, on, |r| {
            r.advise(favourable, advice, on)
        })
        .await
    }

    /// The decision (the minister's, recorded by the agency); an approval lists the service.
    pub async fn decide_listing(
        &self,
        key: &str,
        approve: bool,
        reason: &str,
        on: Date,
    ) -> Result<ListRequest, CommandError> {
        self.list_request_step(key, Actor::Agency, on, |r| r.decide(approve, reason, on))
            .await
    }

    /// Requests, newest first, with the provider's key: one provider's (by id) or all.
    pub async fn list_requests(
        &self,
        provider: Option<i64>,
    ) -> Result<Vec<(ListRequestRecord, ListRequest)>, CommandError> {
        let mut tx = self.store.read().await?;
        let records = tx.list_requests(provider, REQUESTS_MAX).await?;
        drop(tx);
        records
            .into_iter()
            .map(|r| {
                let parsed = parsed(&r)?;
                Ok((r, parsed))
            })
            .collect()
    }
}
