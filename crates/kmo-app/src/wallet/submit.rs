//! Submission (lifecycle.md §6.1): the case composed from the platform's state, decided by the
//! rules engine, and the subsidy reserved against the ceiling and de minimis.

use kmo_domain::codes::Lang;
use kmo_domain::{ApplicationId, EnterpriseId, ProviderId};
use kmo_domain::{Cents, Date, EnterpriseSize, PaymentReference};
use kmo_rules::ruleset::DeMinimisWindow;
use kmo_rules::{Case, Decision, evaluate, parse_case};
use serde_json::{Map, Value, json};

use crate::kernel::audit::next_record;
use crate::kernel::runner::write_checked;
use crate::kernel::{CommandError, retrying, stream_of, transfer_ids};
use crate::platform::Platform;
use crate::store::{
    EnterpriseYear, KernelTx, NewApplicationWrite, RegistryTx, Store, StoreError, StoreTx,
    SubmissionQuery, WalletTx, Writes,
};
use crate::wallet::lifecycle::{self, NewApplication};
use crate::wallet::{Submission, Submitted};

const SIZE_GROUP: [&str; 4] = ["size", "periods", "partners", "linked"];

/// The de-minimis window ending on `date` (lifecycle.md §7.3, L11): aid dated after the first
/// date and on or before `date`.
pub(crate) fn de_minimis_window(window: DeMinimisWindow, date: Date) -> Date {
    match window {
        // Calendar years date.year − 2 … date.year: everything after 31 December of year − 3.
        DeMinimisWindow::ThreeCalendarYears => {
            Date::from_ymd(date.year() - 3, 12, 31).unwrap_or(date)
        }
        DeMinimisWindow::RollingThreeYears => date.minus_years(3).unwrap_or(date),
    }
}

/// The case of a submission as [`Platform::decide_in`] composed it from the platform's state,
/// with what the submission then writes.
struct Composed {
    /// The case to decide: the submission with the enterprise's profile, history and size lock.
    case: Case,
    /// The same case as JSON, kept with the application.
    case_json: String,
    /// De-minimis aid counted in the window ending on the submission date.
    de_minimis: Cents,
    enterprise: EnterpriseId,
    year: EnterpriseYear,
    next_id: ApplicationId,
    key_taken: bool,
    cached_provider: Option<ProviderId>,
    registration: Option<crate::registry::Registration>,
}

/// The preview of a submission ([`Platform::preview`]).
#[derive(Debug)]
pub struct Preview {
    /// The decision the submission would get now.
    pub decision: Decision,
    /// Its explanation, in the language asked for.
    pub explanation: String,
    /// The size the year is locked to, when an earlier submission fixed it.
    pub size_lock: Option<EnterpriseSize>,
    /// The ceiling the enterprise's applications of the year already reserve.
    pub ceiling_reserved: Cents,
    /// De-minimis aid counted in the window.
    pub de_minimis: Cents,
    /// Why the submission would still be refused although the rules allow it.
    pub refusal: Option<CommandError>,
}

impl<S: Store> Platform<S> {
    /// The command, retried from the start while its transaction loses a race.
    pub async fn submit(&self, s: &Submission) -> Result<Submitted, CommandError> {
        retrying!(self.submit_once(s, None).await)
    }

    /// The decision a submission would get now, without submitting: the one decision path
    /// of [`Platform::submit`] (the enterprise's profile, its ceiling reserved this year, its
    /// de-minimis aid in the window and the year's size lock), with the explanation in `lang`
    /// and, when the rules allow it, whatever else would refuse it (an unknown provider, a
    /// participant who is not a worker, a provider not registered for the kind). Changes
    /// nothing; an application key already taken is not checked here.
    pub async fn preview(&self, s: &Submission, lang: Lang) -> Result<Preview, CommandError> {
        retrying!(self.preview_once(s, lang).await)
    }

    async fn preview_once(&self, s: &Submission, lang: Lang) -> Result<Preview, CommandError> {
        let mut tx = self.store.begin().await?;
        let composed = self.decide_in(&mut tx, s).await?;
        // The same case the submission decides, evaluated once, with its trace.
        let (decision, explanation) =
            kmo_rules::explain::explain(&self.rules, &composed.case, lang);
        let refusal = if decision.is_eligible() {
            self.admissible(&mut tx, s, &composed).await.err()
        } else {
            None
        };
        drop(tx);
        Ok(Preview {
            decision,
            explanation,
            size_lock: composed.year.size_lock,
            ceiling_reserved: composed.year.ceiling_reserved,
            de_minimis: composed.de_minimis,
            refusal,
        })
    }

    /// Composes the case of a submission from the platform's state (the single decision path
    /// of the preview and the submission: both decide exactly this case). Input errors are
    /// judged on the case as given (L9); the year's size lock then replaces the size (D19).
    async fn decide_in<T: StoreTx>(
        &self,
        tx: &mut T,
        s: &Submission,
    ) -> Result<Composed, CommandError> {
        let year = s.submitted_on.year();
        let window = self
            .rules
            .in_force(s.submitted_on)
            .map_or(DeMinimisWindow::RollingThreeYears, |rs| {
                rs.de_minimis_window
            });
        let cached_provider = self
            .providers
            .lock()
            .ok()
            .and_then(|m| m.get(&s.provider).copied());
        let kind = s
            .service
            .kind
            .as_deref()
            .and_then(kmo_domain::ServiceKind::parse);
        // Everything the decision needs, in one read (one statement on PostgreSQL); the
        // enterprise's year is locked from here on.
        let context = tx
            .submission_context(&SubmissionQuery {
                enterprise_key: &s.enterprise,
                application_key: &s.application,
                year,
                de_minimis_after: de_minimis_window(window, s.submitted_on),
                de_minimis_until: s.submitted_on,
                provider: cached_provider,
                kind,
            })
            .await?;
        let (Some(enterprise), Some(ey)) = (context.enterprise, context.year) else {
            return Err(CommandError::UnknownEnterprise(s.enterprise.clone()));
        };
        let de_minimis = context.de_minimis;
        let mut profile = match &enterprise.profile {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        if let Some(group) = &s.size_group {
            for k in SIZE_GROUP {
                profile.remove(k);
            }
            profile.extend(group.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        let mut case = json!({
            "id": s.application,
            "submitted_on": s.submitted_on.to_string(),
            "enterprise": Value::Object(profile.clone()),
            "service": s.service,
            "costs": s.costs,
            "history": {"ceiling_reserved_cents": ey.ceiling_reserved.get(), "de_minimis_cents": de_minimis.get()}
        });
        // Input errors are judged on the case as given (L9).
        let mut case_json = case.to_string();
        let parsed = parse_case(&self.rules, &case_json).case;
        let mut parsed = parsed.map_err(|e| CommandError::InvalidSubmission {
            field: e.field,
            message: e.message,
        })?;
        if let Some(lock) = ey.size_lock {
            for k in SIZE_GROUP {
                profile.remove(k);
            }
            profile.insert("size".into(), Value::String(lock.code().into()));
            if let Some(slot) = case.get_mut("enterprise") {
                *slot = Value::Object(profile);
            }
            case_json = case.to_string();
            parsed = parse_case(&self.rules, &case_json).case.map_err(|e| {
                CommandError::InvalidSubmission {
                    field: e.field,
                    message: e.message,
                }
            })?;
        }
        Ok(Composed {
            case: parsed,
            case_json,
            de_minimis,
            enterprise: enterprise.id,
            year: ey,
            next_id: ApplicationId::new(context.next_id),
            key_taken: context.key_taken,
            cached_provider,
            registration: context.registration,
        })
    }

    /// What refuses a submission the rules allow: an unknown provider, a participant who is
    /// not a worker (rules.md §3.6), a provider without an active registration for the kind
    /// (rules.md §7). Returns the provider's id.
    async fn admissible<T: RegistryTx>(
        &self,
        tx: &mut T,
        s: &Submission,
        composed: &Composed,
    ) -> Result<ProviderId, CommandError> {
        let provider = match composed.cached_provider {
            Some(id) => id,
            None => {
                let p = tx.provider_by_key(&s.provider).await?.ok_or_else(|| {
                    CommandError::Invalid {
                        field: "provider".into(),
                        message: format!("unknown provider {}", s.provider),
                    }
                })?;
                if let Ok(mut m) = self.providers.lock() {
                    m.insert(s.provider.clone(), p.id);
                }
                p.id
            }
        };
        if let Some((index, (_, status))) = s
            .participants
            .iter()
            .enumerate()
            .find(|(_, (_, st))| !st.is_eligible())
        {
            return Err(CommandError::NotAWorker {
                index,
                status: status.code(),
            });
        }
        let kind = composed.case.service.kind;
        let registration = if composed.cached_provider.is_some() && composed.registration.is_some()
        {
            composed.registration.clone()
        } else {
            tx.registration(provider.get(), kind).await?
        };
        let registered = registration.is_some_and(|r| r.active_on(s.submitted_on));
        if !registered {
            return Err(CommandError::ProviderNotRegistered {
                provider: s.provider.clone(),
                kind: kind.code(),
                date: s.submitted_on,
            });
        }
        Ok(provider)
    }

    /// Submits an application (lifecycle.md §6.1): decides it on the one decision path
    /// ([`Platform::preview`] shows the same decision), and on `eligible` creates the
    /// application and reserves its subsidy against the ceiling and de minimis — all in one
    /// transaction that holds the enterprise's year, so concurrent submissions never exceed it.
    pub(crate) async fn submit_once(
        &self,
        s: &Submission,
        draft: Option<&str>,
    ) -> Result<Submitted, CommandError> {
        let year = s.submitted_on.year();
        let mut tx = self.store.begin().await?;
        let composed = self.decide_in(&mut tx, s).await?;
        if composed.key_taken {
            return Err(CommandError::DuplicateApplication(s.application.clone()));
        }
        let decision = evaluate(&self.rules, &composed.case);
        if !decision.is_eligible() {
            return Err(CommandError::SubmissionRejected {
                reasons: decision.reasons.iter().collect(),
            });
        }
        let (Some(rs), Some(size), Some(rate_bp)) = (
            decision.rule_set.and_then(|i| self.rules.get(i)),
            decision.size,
            decision.rate_bp,
        ) else {
            return Err(StoreError::Corrupt(
                "an eligible decision without rule set, size or rate".into(),
            )
            .into());
        };
        let annual_ceiling = rs.annual_ceiling(size).unwrap_or(Cents::ZERO);
        let provider = self.admissible(&mut tx, s, &composed).await?;
        let enterprise = composed.enterprise;
        let mut ey = composed.year;
        let id = composed.next_id;
        let reference = PaymentReference::from_base(u64::try_from(id.get()).unwrap_or(0))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let deposit_deadline = s
            .submitted_on
            .add_days(rs.deposit_days_after_submission)
            .unwrap_or(s.submitted_on);
        let payment_deadline =
            Date::last_of_year(year + rs.payment_deadline_years_after_submission)
                .unwrap_or(s.submitted_on);
        let change = lifecycle::submit(&NewApplication {
            id,
            key: s.application.clone(),
            enterprise,
            provider,
            submitted_on: s.submitted_on,
            size,
            rate_bp,
            rule_set: rs.id.clone(),
            eligible: decision.eligible,
            subsidy: decision.subsidy,
            deposit_deadline,
            payment_deadline,
            annual_ceiling,
            ceiling_granted: ey.ceiling_granted,
        });
        ey.size_lock.get_or_insert(size);
        ey.ceiling_granted = ey.ceiling_granted.max(annual_ceiling);
        ey.ceiling_reserved = ey
            .ceiling_reserved
            .checked_add(decision.subsidy)
            .unwrap_or(Cents::new(i64::MAX));
        // The engine capped the subsidy at what is left; a reservation above the ceiling would
        // mean the stored state is inconsistent, and `write_checked` refuses it as corrupt.
        let payload = json!({
            "key": s.application,
            "state": change.application.state.code(),
            "rule_set": rs.id,
            "size": size.code(),
            "rate_bp": rate_bp,
            "eligible_cents": decision.eligible.get(),
            "subsidy_cents": decision.subsidy.get(),
            "reference": reference.to_string(),
            "transfers": transfer_ids(&change.transfers),
        });
        let mut app = change.application;
        let record = next_record(
            stream_of(&app),
            None,
            change.event.code(),
            change.actor,
            change.date,
            payload.to_string(),
        );
        app.audit_hash.clone_from(&record.hash);
        let case = composed.case_json;
        let service = serde_json::to_value(&s.service)
            .map_err(|e| StoreError::Corrupt(format!("the service: {e}")))?;
        write_checked(
            &mut tx,
            &Writes {
                new_application: Some(NewApplicationWrite {
                    application: &app,
                    key: &s.application,
                    service: &service,
                    reference: reference.digits(),
                    case: &case,
                    participants: &s.participants,
                }),
                enterprise_year: Some(&ey),
                transfers: &change.transfers,
                audit: Some(&record),
                ..Writes::default()
            },
        )
        .await?;
        if let Some(key) = draft
            && !tx.delete_draft(key).await?
        {
            // Submitted twice at once: the other submission took the draft.
            return Err(CommandError::UnknownDraft(key.to_owned()));
        }
        tx.commit().await?;
        Ok(Submitted {
            application: app,
            reference,
        })
    }
}
