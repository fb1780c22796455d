//! Mandates — who acts for an enterprise, in which scope (rules.md §8) — and the activation
//! letters that prove a legal representative by post.

use kmo_domain::Date;

use super::policy::{Principal, Role, Scope};
use super::{invalid, random_bytes, token_hash};
use crate::kernel::audit::{Actor, AuditStream};
use crate::kernel::{append_record, retrying};
use crate::platform::{CommandError, Platform};
use crate::store::{
    AccountsTx, KernelTx, LetterRecord, MandateRecord, RegistryTx, Store, UserRecord,
};

/// Characters of an activation code (without the dashes it is printed with).
pub const ACTIVATION_CODE_CHARS: usize = 12;

/// A one-time code from an alphabet without look-alikes (no 0/O, 1/I): 60 bits.
fn activation_code() -> Result<String, CommandError> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    Ok(random_bytes::<ACTIVATION_CODE_CHARS>()?
        .iter()
        .map(|b| char::from(ALPHABET.get(usize::from(b % 32)).copied().unwrap_or(b'A')))
        .collect())
}

/// The same day a month later (the last day of that month when it has no such day).
fn one_month_after(d: Date) -> Result<Date, CommandError> {
    let (y, m, day) = d.ymd();
    let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Date::from_ymd(y, m, day.min(kmo_domain::date::days_in_month(y, m)))
        .map_err(|e| invalid("today", &e.to_string()))
}

impl<S: Store> Platform<S> {
    /// Grants a mandate. The agency grants any scope (it has checked the proof of a legal
    /// representative); a legal representative of the enterprise delegates the other scopes.
    pub async fn grant_mandate(
        &self,
        by: &Principal,
        email: &str,
        enterprise: &str,
        scope: Scope,
        valid_until: Option<Date>,
        today: Date,
    ) -> Result<MandateRecord, CommandError> {
        retrying!(
            self.grant_mandate_once(by, email, enterprise, scope, valid_until, today)
                .await
        )
    }

    /// One attempt of [`Platform::grant_mandate`].
    async fn grant_mandate_once(
        &self,
        by: &Principal,
        email: &str,
        enterprise: &str,
        scope: Scope,
        valid_until: Option<Date>,
        today: Date,
    ) -> Result<MandateRecord, CommandError> {
        if valid_until.is_some_and(|until| until < today) {
            return Err(invalid("valid_until", "lies in the past"));
        }
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(enterprise)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(enterprise.to_owned()))?;
        let allowed = by.is_agency()
            || (scope != Scope::LegalRepresentative && by.is_legal_representative_of(e.id));
        if !allowed {
            return Err(CommandError::Forbidden(
                "only the agency grants a legal representative; a legal representative delegates the other scopes".into(),
            ));
        }
        let user = tx
            .user_by_email(&email.trim().to_lowercase())
            .await?
            .ok_or_else(|| CommandError::UnknownUser(email.to_owned()))?;
        if user.role != Role::Enterprise.code() {
            return Err(invalid("email", "a mandate is for an enterprise user"));
        }
        let mut m = MandateRecord {
            id: 0,
            user: user.id,
            enterprise: e.id,
            enterprise_key: e.key,
            scope: scope.code().to_owned(),
            valid_from: today,
            valid_until,
            state: "active".into(),
            granted_by: by.user().map(|u| u.id),
        };
        m.id = tx.insert_mandate(&m).await?;
        let actor = by
            .actor()
            .ok_or_else(|| CommandError::Forbidden("log in first".into()))?;
        audit_mandate(&mut tx, &m, "mandate_granted", actor, today).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// An enterprise user asks to be linked to an enterprise as its legal representative
    /// (rules.md §8): a letter with a one-time code is made for the registered office, valid
    /// one month. The code is not shown to the requester.
    pub async fn request_activation_letter(
        &self,
        by: &Principal,
        enterprise: &str,
        today: Date,
    ) -> Result<LetterRecord, CommandError> {
        retrying!(
            self.request_activation_letter_once(by, enterprise, today)
                .await
        )
    }

    /// One attempt of [`Platform::request_activation_letter`].
    async fn request_activation_letter_once(
        &self,
        by: &Principal,
        enterprise: &str,
        today: Date,
    ) -> Result<LetterRecord, CommandError> {
        let user = match by {
            Principal::User {
                user,
                role: Role::Enterprise,
                ..
            } => user,
            _ => {
                return Err(CommandError::Forbidden(
                    "only an enterprise user asks for an activation letter".into(),
                ));
            }
        };
        let code = activation_code()?;
        let mut tx = self.store.begin().await?;
        let e = tx
            .enterprise_by_key(enterprise)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(enterprise.to_owned()))?;
        let mut letter = LetterRecord {
            id: 0,
            user: user.id,
            enterprise: e.id,
            code: Some(code.clone()),
            issued_on: today,
            valid_until: one_month_after(today)?,
            printed_on: None,
            used_on: None,
        };
        letter.id = tx.insert_letter(&letter, &token_hash(&code)).await?;
        tx.commit().await?;
        Ok(letter)
    }

    /// The agency prints a letter once: the code is returned and then kept only as a hash.
    pub async fn print_activation_letter(
        &self,
        by: &Principal,
        id: i64,
        today: Date,
    ) -> Result<(LetterRecord, crate::store::EnterpriseRecord, UserRecord), CommandError> {
        retrying!(self.print_activation_letter_once(by, id, today).await)
    }

    /// One attempt of [`Platform::print_activation_letter`].
    async fn print_activation_letter_once(
        &self,
        by: &Principal,
        id: i64,
        today: Date,
    ) -> Result<(LetterRecord, crate::store::EnterpriseRecord, UserRecord), CommandError> {
        if !by.is_agency() {
            return Err(CommandError::Forbidden(
                "the agency prints the letters".into(),
            ));
        }
        let mut tx = self.store.begin().await?;
        let letter = tx
            .letter(Some(id), None)
            .await?
            .ok_or_else(|| invalid("id", "no such letter"))?;
        if letter.code.is_none() {
            return Err(invalid(
                "id",
                "the letter was printed already; ask for a new one",
            ));
        }
        let key = tx
            .key_of(crate::store::Keyed::Enterprise, letter.enterprise.get())
            .await?
            .unwrap_or_default();
        let enterprise = tx
            .enterprise_by_key(&key)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(key.clone()))?;
        let user = tx
            .user_by_id(letter.user)
            .await?
            .ok_or_else(|| CommandError::UnknownUser(letter.user.to_string()))?;
        tx.update_letter(id, Some(today), None).await?;
        tx.commit().await?;
        Ok((letter, enterprise, user))
    }

    /// The user enters the code from the letter: the legal-representative mandate is active.
    /// An unknown, someone else's, used or expired code gets the same answer.
    pub async fn activate(
        &self,
        by: &Principal,
        code: &str,
        today: Date,
    ) -> Result<MandateRecord, CommandError> {
        retrying!(self.activate_once(by, code, today).await)
    }

    /// One attempt of [`Platform::activate`].
    async fn activate_once(
        &self,
        by: &Principal,
        code: &str,
        today: Date,
    ) -> Result<MandateRecord, CommandError> {
        let user = by
            .user()
            .ok_or_else(|| CommandError::Forbidden("log in first".into()))?;
        let refused = || invalid("code", "unknown, used or expired activation code");
        let code = code.trim().to_uppercase().replace(['-', ' '], "");
        if code.len() != ACTIVATION_CODE_CHARS {
            return Err(refused());
        }
        let mut tx = self.store.begin().await?;
        let letter = tx
            .letter(None, Some(&token_hash(&code)))
            .await?
            .ok_or_else(refused)?;
        if letter.user != user.id || letter.used_on.is_some() || today > letter.valid_until {
            return Err(refused());
        }
        let key = tx
            .key_of(crate::store::Keyed::Enterprise, letter.enterprise.get())
            .await?
            .unwrap_or_default();
        let mut m = MandateRecord {
            id: 0,
            user: user.id,
            enterprise: letter.enterprise,
            enterprise_key: key,
            scope: Scope::LegalRepresentative.code().to_owned(),
            valid_from: today,
            valid_until: None,
            state: "active".into(),
            granted_by: None,
        };
        m.id = tx.insert_mandate(&m).await?;
        tx.update_letter(letter.id, None, Some(today)).await?;
        audit_mandate(
            &mut tx,
            &m,
            "mandate_activated",
            Actor::User(user.id),
            today,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn mandates(&self, user: i64) -> Result<Vec<MandateRecord>, CommandError> {
        let mut tx = self.store.read().await?;
        let list = tx.mandates_of(user).await?;
        drop(tx);
        Ok(list)
    }

    /// The mandates for an enterprise with their holders, for its legal representative or the
    /// agency (`FORBIDDEN` for anyone else).
    pub async fn enterprise_mandates(
        &self,
        by: &Principal,
        enterprise: &str,
    ) -> Result<Vec<(MandateRecord, UserRecord)>, CommandError> {
        let mut tx = self.store.read().await?;
        let e = tx
            .enterprise_by_key(enterprise)
            .await?
            .ok_or_else(|| CommandError::UnknownEnterprise(enterprise.to_owned()))?;
        if !(by.is_agency() || by.is_legal_representative_of(e.id)) {
            return Err(CommandError::Forbidden(
                "only the legal representative or the agency sees who holds a mandate".into(),
            ));
        }
        let mut out = Vec::new();
        for m in tx.enterprise_mandates(e.id.get()).await? {
            if let Some(u) = tx.user_by_id(m.user).await? {
                out.push((m, u));
            }
        }
        drop(tx);
        Ok(out)
    }

    /// Revokes a mandate: the agency, a legal representative of its enterprise, or its holder.
    pub async fn revoke_mandate(&self, by: &Principal, id: i64) -> Result<(), CommandError> {
        retrying!(self.revoke_mandate_once(by, id).await)
    }

    /// One attempt of [`Platform::revoke_mandate`].
    async fn revoke_mandate_once(&self, by: &Principal, id: i64) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        let m = tx
            .mandate_by_id(id)
            .await?
            .ok_or(CommandError::UnknownMandate(id))?;
        let allowed = by.is_agency()
            || by.is_legal_representative_of(m.enterprise)
            || by.user().is_some_and(|u| u.id == m.user);
        if !allowed {
            return Err(CommandError::UnknownMandate(id));
        }
        let actor = by.actor().ok_or(CommandError::UnknownMandate(id))?;
        tx.set_mandate_state(id, "revoked").await?;
        let today = tx.clock().await?.unwrap_or(Date::EPOCH);
        audit_mandate(&mut tx, &m, "mandate_revoked", actor, today).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A change of who may act for an enterprise, in the enterprise's audit stream: a grant, an
/// activation by letter, a revocation — with the mandate, its holder and scope.
async fn audit_mandate<T: KernelTx>(
    tx: &mut T,
    m: &MandateRecord,
    kind: &str,
    actor: Actor,
    on: Date,
) -> Result<(), CommandError> {
    append_record(
        tx,
        AuditStream::Enterprise(m.enterprise),
        kind,
        actor,
        on,
        serde_json::json!({
            "mandate": m.id,
            "user": m.user,
            "scope": m.scope,
            "valid_until": m.valid_until.map(|d| d.to_string()),
        }),
    )
    .await?;
    Ok(())
}
