//! The access policy: who a caller is ([`Principal`]: a user's role and mandates in force) and
//! what it may do — on an enterprise (view, apply, release) and on an application ([`Access`]).
//! The API, the pages and the CLI ask here; none of them decides access itself.
//!
//! An application is shown to its enterprise's mandate holders (by scope), to the provider it
//! names, and to the agency and the quality chamber. Applying, stopping and releasing are the
//! enterprise's own acts; refusing and confirming are the named provider's (rules.md T5);
//! inspections are the agency's. Someone who may not even see an application or an enterprise
//! gets the answer an unknown one gets, so that existence does not leak.

use kmo_domain::{Date, EnterpriseId, ProviderId};

use crate::kernel::CommandError;
use crate::platform::Platform;
use crate::store::{
    AuditRecord, EnterpriseRecord, MandateRecord, ProviderProfile, ProviderRecord, Store,
    UserRecord,
};
use crate::wallet::Draft;
use crate::wallet::lifecycle::Application;

/// What a user is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Enterprise,
    Provider,
    Agency,
    QualityChamber,
}

impl Role {
    #[must_use]
    pub fn parse(code: &str) -> Option<Role> {
        match code {
            "enterprise" => Some(Role::Enterprise),
            "provider" => Some(Role::Provider),
            "agency" => Some(Role::Agency),
            "quality_chamber" => Some(Role::QualityChamber),
            _ => None,
        }
    }

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Role::Enterprise => "enterprise",
            Role::Provider => "provider",
            Role::Agency => "agency",
            Role::QualityChamber => "quality_chamber",
        }
    }
}

/// What a mandate allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    LegalRepresentative,
    ViewAndRelease,
    ViewAndApply,
}

impl Scope {
    #[must_use]
    pub fn parse(code: &str) -> Option<Scope> {
        match code {
            "legal_representative" => Some(Scope::LegalRepresentative),
            "view_and_release" => Some(Scope::ViewAndRelease),
            "view_and_apply" => Some(Scope::ViewAndApply),
            _ => None,
        }
    }

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Scope::LegalRepresentative => "legal_representative",
            Scope::ViewAndRelease => "view_and_release",
            Scope::ViewAndApply => "view_and_apply",
        }
    }
}

/// The caller of a request, with what it may touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    User {
        user: UserRecord,
        role: Role,
        /// Active mandates in force today (enterprise users).
        mandates: Vec<MandateRecord>,
    },
}

impl Principal {
    #[must_use]
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::Anonymous => None,
            Principal::User { role, .. } => Some(*role),
        }
    }

    #[must_use]
    pub fn user(&self) -> Option<&UserRecord> {
        match self {
            Principal::Anonymous => None,
            Principal::User { user, .. } => Some(user),
        }
    }

    fn scope_for(&self, enterprise: EnterpriseId) -> impl Iterator<Item = Scope> + '_ {
        let mandates: &[MandateRecord] = match self {
            Principal::User { mandates, .. } => mandates,
            Principal::Anonymous => &[],
        };
        mandates
            .iter()
            .filter(move |m| m.enterprise == enterprise)
            .filter_map(|m| Scope::parse(&m.scope))
    }

    /// Staff and the quality chamber see everything; an enterprise user sees the enterprises
    /// it holds a mandate for.
    #[must_use]
    pub fn may_view_enterprise(&self, enterprise: EnterpriseId) -> bool {
        matches!(self.role(), Some(Role::Agency | Role::QualityChamber))
            || self.scope_for(enterprise).next().is_some()
    }

    /// The enterprise (its id) that a mandate in force names by its key: lets a handler
    /// authorize a mandate holder without reading the enterprise first.
    #[must_use]
    pub fn mandated_enterprise(&self, key: &str) -> Option<EnterpriseId> {
        match self {
            Principal::User { mandates, .. } => mandates
                .iter()
                .find(|m| m.enterprise_key == key)
                .map(|m| m.enterprise),
            Principal::Anonymous => None,
        }
    }

    /// Submitting, stopping and withdrawing for the enterprise.
    #[must_use]
    pub fn may_apply_for(&self, enterprise: EnterpriseId) -> bool {
        self.scope_for(enterprise)
            .any(|s| matches!(s, Scope::LegalRepresentative | Scope::ViewAndApply))
    }

    /// Releasing an invoice for payment.
    #[must_use]
    pub fn may_release_for(&self, enterprise: EnterpriseId) -> bool {
        self.scope_for(enterprise)
            .any(|s| matches!(s, Scope::LegalRepresentative | Scope::ViewAndRelease))
    }

    #[must_use]
    pub fn is_legal_representative_of(&self, enterprise: EnterpriseId) -> bool {
        self.scope_for(enterprise)
            .any(|s| s == Scope::LegalRepresentative)
    }

    /// The provider a provider user acts for.
    #[must_use]
    pub fn provider(&self) -> Option<ProviderId> {
        match self {
            Principal::User {
                user,
                role: Role::Provider,
                ..
            } => user.provider,
            _ => None,
        }
    }

    /// Who this principal is in the audit log (none for an anonymous caller).
    #[must_use]
    pub fn actor(&self) -> Option<crate::kernel::audit::Actor> {
        self.user().map(|u| crate::kernel::audit::Actor::User(u.id))
    }

    #[must_use]
    pub fn is_agency(&self) -> bool {
        self.role() == Some(Role::Agency)
    }
}

/// The principal of a user: its role, and (for an enterprise user) the active mandates in
/// force on `today`.
pub(crate) fn principal_from(
    user: UserRecord,
    mandates: Vec<MandateRecord>,
    today: Date,
) -> Result<Principal, CommandError> {
    let role = Role::parse(&user.role)
        .ok_or_else(|| crate::store::StoreError::Corrupt(format!("stored role {:?}", user.role)))?;
    let mandates = if role == Role::Enterprise {
        mandates
            .into_iter()
            .filter(|m| {
                m.state == "active"
                    && m.valid_from <= today
                    && m.valid_until.is_none_or(|until| today <= until)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Principal::User {
        user,
        role,
        mandates,
    })
}

/// What a caller wants to do with an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read it and its timeline.
    View,
    /// Stop it (and apply for its enterprise).
    Apply,
    /// Release an invoice for payment.
    Release,
    /// Refuse or confirm it: the provider it names.
    Provide,
    /// Block, unblock or recover it: the agency.
    Inspect,
}

/// Whether the principal may do `access` on the application.
#[must_use]
pub fn allowed(p: &Principal, a: &Application, access: Access) -> bool {
    match access {
        Access::View => p.may_view_enterprise(a.enterprise) || p.provider() == Some(a.provider),
        Access::Apply => p.may_apply_for(a.enterprise),
        Access::Release => p.may_release_for(a.enterprise),
        Access::Provide => p.provider() == Some(a.provider),
        Access::Inspect => p.is_agency(),
    }
}

/// What a caller wants to do with an enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnterpriseAccess {
    /// Read it, its wallet, its applications, refunds and drafts.
    View,
    /// Apply for it: submit, stop, keep drafts.
    Apply,
    /// Release its invoices for payment.
    Release,
    /// Change its profile and figures: the agency, or its legal representative.
    Manage,
}

/// Whether the principal may do `access` on the enterprise with this id.
#[must_use]
pub fn enterprise_allowed(
    p: &Principal,
    enterprise: EnterpriseId,
    access: EnterpriseAccess,
) -> bool {
    match access {
        EnterpriseAccess::View => p.may_view_enterprise(enterprise),
        EnterpriseAccess::Apply => p.may_apply_for(enterprise),
        EnterpriseAccess::Release => p.may_release_for(enterprise),
        EnterpriseAccess::Manage => p.is_agency() || p.is_legal_representative_of(enterprise),
    }
}

/// Refuses `access` to the enterprise unless the principal may do it: whoever may not even
/// see it gets the answer of `unknown` (an unknown enterprise, or an unknown draft — its
/// existence does not leak), whoever may see but not do this `FORBIDDEN`.
pub fn check_enterprise(
    p: &Principal,
    enterprise: EnterpriseId,
    access: EnterpriseAccess,
    unknown: impl FnOnce() -> CommandError,
) -> Result<(), CommandError> {
    if enterprise_allowed(p, enterprise, access) {
        Ok(())
    } else if p.may_view_enterprise(enterprise) {
        Err(forbidden())
    } else {
        Err(unknown())
    }
}

/// What a caller wants to do with a provider (its public profile is anyone's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderAccess {
    /// Follow its applications: its own users, the agency, the quality chamber.
    Follow,
    /// Change its profile and catalogue: its own users, the agency.
    Manage,
}

/// Whether the principal may do `access` on the provider with this id.
#[must_use]
pub fn provider_allowed(p: &Principal, provider: ProviderId, access: ProviderAccess) -> bool {
    let own = p.provider() == Some(provider);
    match access {
        ProviderAccess::Follow => {
            own || matches!(p.role(), Some(Role::Agency | Role::QualityChamber))
        }
        ProviderAccess::Manage => own || p.is_agency(),
    }
}

/// Refuses `access` to the provider unless the principal may do it (`FORBIDDEN`: a provider's
/// existence is public).
pub fn check_provider(
    p: &Principal,
    provider: ProviderId,
    access: ProviderAccess,
) -> Result<(), CommandError> {
    if provider_allowed(p, provider, access) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// Refuses whoever is not agency staff (the agency's desk: deposits, payout runs, users,
/// the registry of providers).
pub fn check_agency(p: &Principal) -> Result<(), CommandError> {
    if p.is_agency() {
        Ok(())
    } else {
        Err(forbidden())
    }
}

/// The refusal of someone who may see a thing but not do this to it.
fn forbidden() -> CommandError {
    CommandError::Forbidden("your account may not do this".into())
}

/// Refuses `access` to the application unless the principal may do it: someone who may not
/// even see it gets `UNKNOWN_APPLICATION` (its existence does not leak), someone who may see
/// it but not do this `FORBIDDEN`. Commands call this on the application they loaded in their
/// own transaction.
pub fn check(
    p: &Principal,
    a: &Application,
    access: Access,
    key: &str,
) -> Result<(), CommandError> {
    if allowed(p, a, access) {
        Ok(())
    } else if allowed(p, a, Access::View) {
        Err(forbidden())
    } else {
        Err(CommandError::UnknownApplication(key.to_owned()))
    }
}

impl<S: Store> Platform<S> {
    /// The application, when the principal may do `access` on it: someone who may not even
    /// see it gets `UNKNOWN_APPLICATION`, someone who may see it but not do this `FORBIDDEN`.
    pub async fn application_for(
        &self,
        p: &Principal,
        key: &str,
        access: Access,
    ) -> Result<Application, CommandError> {
        let app = self.application(key).await?;
        check(p, &app, access, key)?;
        Ok(app)
    }

    /// The enterprise with this key, when the principal may do `access` on it (refused as if it
    /// did not exist when the principal may not even see it).
    pub async fn enterprise_for(
        &self,
        p: &Principal,
        key: &str,
        access: EnterpriseAccess,
    ) -> Result<EnterpriseRecord, CommandError> {
        let e = self.enterprise(key).await?;
        check_enterprise(p, e.id, access, || {
            CommandError::UnknownEnterprise(key.to_owned())
        })?;
        Ok(e)
    }

    /// The provider with this key and its profile, when the principal may do `access` on it.
    pub async fn provider_for(
        &self,
        p: &Principal,
        key: &str,
        access: ProviderAccess,
    ) -> Result<(ProviderRecord, ProviderProfile), CommandError> {
        let (record, profile) = self.provider(key).await?;
        check_provider(p, record.id, access)?;
        Ok((record, profile))
    }

    /// The draft with this key, when the principal may do `access` (view or apply) on its
    /// enterprise; a draft of an enterprise the principal may not see is an unknown draft.
    pub async fn draft_for(
        &self,
        p: &Principal,
        key: &str,
        access: EnterpriseAccess,
    ) -> Result<Draft, CommandError> {
        let d = self.draft(key).await?;
        let enterprise = match p.mandated_enterprise(&d.enterprise) {
            Some(id) => id,
            None => self.enterprise(&d.enterprise).await?.id,
        };
        check_enterprise(p, enterprise, access, || {
            CommandError::UnknownDraft(key.to_owned())
        })?;
        Ok(d)
    }

    /// The application's timeline (its audit stream), when the principal may see it.
    pub async fn audit_trail_for(
        &self,
        p: &Principal,
        key: &str,
    ) -> Result<(Application, Vec<AuditRecord>), CommandError> {
        let app = self.application_for(p, key, Access::View).await?;
        let records = self.audit_trail(&app).await?;
        Ok((app, records))
    }

    /// Whether the principal may apply for the enterprise with this key: a mandate holder is
    /// authorized from its mandates; anyone else is checked against the stored enterprise
    /// (refused as if it did not exist when the principal may not even see it).
    pub async fn authorize_apply(
        &self,
        p: &Principal,
        enterprise: &str,
    ) -> Result<(), CommandError> {
        if p.mandated_enterprise(enterprise)
            .is_some_and(|id| p.may_apply_for(id))
        {
            return Ok(());
        }
        let e = self.enterprise(enterprise).await?;
        if p.may_apply_for(e.id) {
            Ok(())
        } else if p.may_view_enterprise(e.id) {
            Err(forbidden())
        } else {
            Err(CommandError::UnknownEnterprise(enterprise.to_owned()))
        }
    }
}
