//! Providers: registration steps, profile, catalogue and search.

use crate::kernel::audit::{Actor, AuditStream};
use kmo_domain::Date;
use serde_json::json;

use crate::kernel::{CommandError, append_record, check_amount, retrying};
use crate::platform::Platform;
use crate::store::{KernelTx, ListedService, ProviderProfile, ProviderRecord, RegistryTx, Store};

/// The registration a step needs, or why there is none.
fn existing(
    r: Option<crate::registry::Registration>,
) -> Result<crate::registry::Registration, CommandError> {
    r.ok_or_else(|| CommandError::Invalid {
        field: "kind".into(),
        message: "the provider has no registration for this service kind".into(),
    })
}

impl<S: Store> Platform<S> {
    /// Adds a provider by key and name (its registrations per service kind follow with
    /// `request_registration`, `record_audit` and `register`); an existing key is kept as is.
    pub async fn register_provider(
        &self,
        key: &str,
        name: &str,
    ) -> Result<kmo_domain::ProviderId, CommandError> {
        retrying!(self.register_provider_once(key, name).await)
    }

    /// One attempt of [`Platform::register_provider`].
    async fn register_provider_once(
        &self,
        key: &str,
        name: &str,
    ) -> Result<kmo_domain::ProviderId, CommandError> {
        let mut tx = self.store.begin().await?;
        if let Some(p) = tx.provider_by_key(key).await? {
            return Ok(p.id);
        }
        let id = tx.insert_provider(key, name).await?;
        tx.commit().await?;
        Ok(kmo_domain::ProviderId::new(id))
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
        retrying!(
            self.set_provider_profile_once(key, enterprise_number, iban, themes)
                .await
        )
    }

    /// One attempt of [`Platform::set_provider_profile`].
    async fn set_provider_profile_once(
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
        tx.save_provider_profile(p.id.get(), &profile).await?;
        tx.commit().await?;
        Ok(profile)
    }

    /// A provider's record and profile.
    pub async fn provider(
        &self,
        key: &str,
    ) -> Result<(ProviderRecord, ProviderProfile), CommandError> {
        let mut tx = self.store.read().await?;
        let p = tx
            .provider_by_key(key)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(key.to_owned()))?;
        let profile = tx.provider_profile(p.id.get()).await?;
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
        retrying!(self.list_service_once(provider, service).await)
    }

    /// One attempt of [`Platform::list_service`].
    async fn list_service_once(
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
        let profile = tx.provider_profile(p.id.get()).await?;
        if !profile.themes.contains(&service.theme) {
            return Err(invalid(
                "theme",
                format!("the provider is not active in the theme {}", service.theme),
            ));
        }
        let id = tx.insert_listed_service(p.id.get(), &listed).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A provider's catalogue.
    pub async fn services(
        &self,
        provider: &str,
    ) -> Result<Vec<(i64, ListedService)>, CommandError> {
        let mut tx = self.store.read().await?;
        let p = tx
            .provider_by_key(provider)
            .await?
            .ok_or_else(|| CommandError::UnknownProvider(provider.to_owned()))?;
        let list = tx.listed_services(p.id.get()).await?;
        drop(tx);
        Ok(list)
    }

    /// A page of providers by name and theme.
    pub async fn search_providers(
        &self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, CommandError> {
        let mut tx = self.store.read().await?;
        let page = tx.search_providers(name, theme, after, limit).await?;
        drop(tx);
        Ok(page)
    }

    /// The key of a provider by its id.
    pub async fn provider_key(&self, id: kmo_domain::ProviderId) -> Result<String, CommandError> {
        self.key_of(crate::store::Keyed::Provider, id.get()).await
    }

    async fn registration_step(
        &self,
        provider: &str,
        kind: kmo_domain::ServiceKind,
        step: impl Fn(
            Option<crate::registry::Registration>,
        ) -> Result<crate::registry::Registration, CommandError>,
    ) -> Result<crate::registry::Registration, CommandError> {
        retrying!(self.registration_step_once(provider, kind, &step).await)
    }

    async fn registration_step_once(
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
        let current = tx.registration(p.id.get(), kind).await?;
        let next = step(current)?;
        tx.save_registration(p.id.get(), &next).await?;
        append_record(
            &mut tx,
            AuditStream::Provider(p.id),
            "registration",
            Actor::Agency,
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
        provider: kmo_domain::ProviderId,
    ) -> Result<[Option<crate::registry::Registration>; 2], CommandError> {
        let mut tx = self.store.read().await?;
        let training = tx
            .registration(provider.get(), kmo_domain::ServiceKind::Training)
            .await?;
        let advice = tx
            .registration(provider.get(), kmo_domain::ServiceKind::Advice)
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
            let mut tx = self.store.read().await?;
            let p = tx
                .provider_by_key(provider)
                .await?
                .ok_or_else(|| CommandError::Invalid {
                    field: "provider".into(),
                    message: format!("unknown provider {provider}"),
                })?;
            let active = tx
                .registration(p.id.get(), kind)
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
}
