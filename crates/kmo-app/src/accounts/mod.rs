//! Accounts, roles and mandates: who may do what (issue 4; rules.md §8).
//!
//! A user has one role: `enterprise` (acts for enterprises through mandates), `provider` (acts
//! for one provider), `agency` (staff) or `quality_chamber` (reads and advises). A mandate links
//! an enterprise user to an enterprise with a scope — `legal_representative` (everything),
//! `view_and_release` (an accountant who releases invoices) or `view_and_apply` (one who
//! applies) — from a date and optionally until one. A legal-representative mandate needs proof:
//! the agency grants it (it confirms the link); a legal representative may then delegate the
//! other two scopes. Passwords are stored as argon2id hashes, API tokens as SHA-256 hashes of a
//! 256-bit random secret shown once.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, SaltString};
use kmo_domain::Date;
use sha2::{Digest, Sha256};

use crate::kernel::retrying;
use crate::platform::{CommandError, Platform};
use crate::store::{AccountsTx, KernelTx, RegistryTx, Store, TokenRecord, UserRecord};

pub mod mandates;
pub mod policy;
pub mod store;

pub use mandates::ACTIVATION_CODE_CHARS;

use policy::principal_from;
pub use policy::{Access, Principal, Role, Scope, allowed};

/// Shortest password accepted.
pub const PASSWORD_CHARS_MIN: usize = 12;
/// Longest password accepted (hashing cost is bounded by it).
pub const PASSWORD_BYTES_MAX: usize = 1_024;
/// Longest e-mail address (RFC 5321).
pub const EMAIL_BYTES_MAX: usize = 254;

pub(crate) fn invalid(field: &str, message: &str) -> CommandError {
    CommandError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// A fresh random key with a prefix (`W-3f9a…`): 64 random bits, for keys a form hands out
/// before the thing exists (an application from the web wizard).
pub fn random_key(prefix: &str) -> Result<String, CommandError> {
    Ok(format!("{prefix}{}", hex(&random_bytes::<8>()?)))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], CommandError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        CommandError::Store(crate::store::StoreError::Database(format!(
            "no randomness from the operating system: {e}"
        )))
    })?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// The stored form of an API token: SHA-256 of the secret, hex.
#[must_use]
pub fn token_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The argon2 working memory (19 MiB with the default parameters), allocated once and reused:
/// hashing on whichever thread allocated a fresh block each time, and the allocator kept one
/// per thread (measured: a server's memory grew from 10 to 125 MiB after a few logins). The
/// lock also lets only one hash run at a time, which bounds the CPU a login flood can take.
static ARGON2_MEMORY: std::sync::Mutex<Vec<argon2::Block>> = std::sync::Mutex::new(Vec::new());

fn argon2_into(
    params: &argon2::Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), String> {
    let mut memory = ARGON2_MEMORY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let need = params.block_count();
    if memory.len() < need {
        memory.resize(need, argon2::Block::default());
    }
    let blocks = memory.get_mut(..need).ok_or("argon2 memory")?;
    Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    )
    .hash_password_into_with_memory(password, salt, out, blocks)
    .map_err(|e| e.to_string())
}

/// An argon2id hash of a password, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, CommandError> {
    let salt = random_bytes::<16>()?;
    let params = argon2::Params::default();
    let mut out = [0u8; 32];
    argon2_into(&params, password.as_bytes(), &salt, &mut out)
        .map_err(|e| invalid("password", &e))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| invalid("password", &e.to_string()))?;
    let output = argon2::password_hash::Output::new(&out)
        .map_err(|e| invalid("password", &e.to_string()))?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        salt.as_str(),
        output
    ))
}

fn password_matches(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected), Ok(params)) =
        (parsed.salt, parsed.hash, argon2::Params::try_from(&parsed))
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if argon2_into(&params, password.as_bytes(), salt, &mut out).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    argon2::password_hash::Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: Role,
    /// For a provider user: the provider's key.
    pub provider: Option<&'a str>,
}

impl<S: Store> Platform<S> {
    /// Creates a user (e-mail addresses are compared in lower case).
    pub async fn create_user(
        &self,
        new: &NewUser<'_>,
        today: Date,
    ) -> Result<UserRecord, CommandError> {
        retrying!(self.create_user_once(new, today).await)
    }

    /// One attempt of [`Platform::create_user`].
    async fn create_user_once(
        &self,
        new: &NewUser<'_>,
        today: Date,
    ) -> Result<UserRecord, CommandError> {
        let email = new.email.trim().to_lowercase();
        if email.len() > EMAIL_BYTES_MAX
            || email.chars().any(char::is_whitespace)
            || !email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        {
            return Err(invalid("email", "is not an e-mail address"));
        }
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "must be 1 to 200 characters"));
        }
        if new.password.chars().count() < PASSWORD_CHARS_MIN
            || new.password.len() > PASSWORD_BYTES_MAX
        {
            return Err(invalid(
                "password",
                "must be at least 12 characters (and at most 1024 bytes)",
            ));
        }
        if (new.role == Role::Provider) != new.provider.is_some() {
            return Err(invalid(
                "provider",
                "a provider user names its provider; no other user does",
            ));
        }
        let password_hash = hash_password(new.password)?;
        let mut tx = self.store.begin().await?;
        let provider = match new.provider {
            Some(key) => Some(
                tx.provider_by_key(key)
                    .await?
                    .ok_or_else(|| CommandError::UnknownProvider(key.to_owned()))?
                    .id,
            ),
            None => None,
        };
        if tx.user_by_email(&email).await?.is_some() {
            return Err(CommandError::DuplicateUser(email));
        }
        let mut user = UserRecord {
            id: 0,
            email,
            name: name.to_owned(),
            password_hash,
            role: new.role.code().to_owned(),
            provider,
            created_on: today,
        };
        user.id = tx.insert_user(&user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Whether attempts at `what` (an e-mail address, `activation:<user>`) are blocked at
    /// `now` (unix seconds): `max` failures within `window` seconds of the first. Counted in
    /// the database, so every server sharing it applies the same limit.
    pub async fn attempts_blocked(
        &self,
        what: &str,
        now: i64,
        window: i64,
        max: u32,
    ) -> Result<bool, CommandError> {
        let mut tx = self.store.read().await?;
        let seen = tx.attempt_failures(&attempt_key(what)).await?;
        drop(tx);
        Ok(seen.is_some_and(|(failures, first_at)| {
            first_at > now.saturating_sub(window) && failures >= i64::from(max)
        }))
    }

    /// Counts a failed attempt at `what`.
    pub async fn attempt_failed(
        &self,
        what: &str,
        now: i64,
        window: i64,
    ) -> Result<(), CommandError> {
        retrying!(self.attempt_failed_once(what, now, window).await)
    }

    /// One attempt of [`Platform::attempt_failed`].
    async fn attempt_failed_once(
        &self,
        what: &str,
        now: i64,
        window: i64,
    ) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        tx.record_attempt_failure(&attempt_key(what), now, window)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A successful attempt forgets the failures.
    pub async fn attempt_succeeded(&self, what: &str) -> Result<(), CommandError> {
        retrying!(self.attempt_succeeded_once(what).await)
    }

    /// One attempt of [`Platform::attempt_succeeded`].
    async fn attempt_succeeded_once(&self, what: &str) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        tx.clear_attempt_failures(&attempt_key(what)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user with this e-mail address and password (`AUTHENTICATION_FAILED` otherwise,
    /// after the same work either way).
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
    ) -> Result<UserRecord, CommandError> {
        if password.len() > PASSWORD_BYTES_MAX || email.len() > EMAIL_BYTES_MAX {
            return Err(CommandError::AuthenticationFailed);
        }
        let mut tx = self.store.read().await?;
        let user = tx.user_by_email(&email.trim().to_lowercase()).await?;
        drop(tx);
        match user {
            Some(u) if password_matches(password, &u.password_hash) => Ok(u),
            Some(_) => Err(CommandError::AuthenticationFailed),
            None => {
                // Spend the time a real check takes, so timing does not tell who exists.
                let _ = hash_password(password);
                Err(CommandError::AuthenticationFailed)
            }
        }
    }

    /// A new API token for the user; the secret is returned once and only its hash is kept.
    pub async fn create_token(
        &self,
        user: i64,
        name: &str,
        today: Date,
    ) -> Result<(TokenRecord, String), CommandError> {
        retrying!(self.create_token_once(user, name, today).await)
    }

    /// One attempt of [`Platform::create_token`].
    async fn create_token_once(
        &self,
        user: i64,
        name: &str,
        today: Date,
    ) -> Result<(TokenRecord, String), CommandError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid("name", "must be 1 to 100 characters"));
        }
        let secret = format!("kmo_{}", hex(&random_bytes::<32>()?));
        let mut token = TokenRecord {
            id: 0,
            user,
            name: name.to_owned(),
            created_on: today,
            revoked: false,
        };
        let mut tx = self.store.begin().await?;
        token.id = tx.insert_token(&token, &token_hash(&secret)).await?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// Whether a user with this e-mail address exists (the pages show the demo's accounts only
    /// where the demo was filled in).
    pub async fn user_exists(&self, email: &str) -> Result<bool, CommandError> {
        let mut tx = self.store.read().await?;
        let found = tx.user_by_email(email).await?.is_some();
        drop(tx);
        Ok(found)
    }

    /// A new calendar-feed address secret for the user, replacing the earlier one (which stops
    /// working); returned once, only its hash is kept.
    pub async fn new_calendar_feed(&self, user: i64, today: Date) -> Result<String, CommandError> {
        retrying!(self.new_calendar_feed_once(user, today).await)
    }

    /// One attempt of [`Platform::new_calendar_feed`].
    async fn new_calendar_feed_once(&self, user: i64, today: Date) -> Result<String, CommandError> {
        let secret = hex(&random_bytes::<24>()?);
        let mut tx = self.store.begin().await?;
        tx.save_calendar_feed(user, &token_hash(&secret), today)
            .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The principal whose calendar feed has this secret; `None` for an unknown or replaced
    /// address.
    pub async fn calendar_feed_principal(
        &self,
        secret: &str,
        today: Date,
    ) -> Result<Option<Principal>, CommandError> {
        let mut tx = self.store.read().await?;
        let Some(user) = tx.calendar_feed_user(&token_hash(secret)).await? else {
            return Ok(None);
        };
        let Some(user) = tx.user_by_id(user).await? else {
            return Ok(None);
        };
        let p = Self::principal_in(&mut tx, user, today).await?;
        drop(tx);
        Ok(Some(p))
    }

    pub async fn tokens(&self, user: i64) -> Result<Vec<TokenRecord>, CommandError> {
        let mut tx = self.store.read().await?;
        let list = tx.tokens_of(user).await?;
        drop(tx);
        Ok(list)
    }

    pub async fn revoke_token(&self, user: i64, token: i64) -> Result<(), CommandError> {
        retrying!(self.revoke_token_once(user, token).await)
    }

    /// One attempt of [`Platform::revoke_token`].
    async fn revoke_token_once(&self, user: i64, token: i64) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        if !tx.revoke_token(user, token).await? {
            return Err(CommandError::UnknownToken(token));
        }
        tx.commit().await?;
        Ok(())
    }

    /// A browser session for the user until `expires_at` (Unix seconds): the cookie's secret and
    /// the CSRF token its mutating requests must echo. Only the secret's hash is kept.
    pub async fn create_session(
        &self,
        user: i64,
        expires_at: i64,
    ) -> Result<(String, String), CommandError> {
        retrying!(self.create_session_once(user, expires_at).await)
    }

    /// One attempt of [`Platform::create_session`].
    async fn create_session_once(
        &self,
        user: i64,
        expires_at: i64,
    ) -> Result<(String, String), CommandError> {
        let secret = format!("kmos_{}", hex(&random_bytes::<32>()?));
        let csrf = hex(&random_bytes::<16>()?);
        let mut tx = self.store.begin().await?;
        tx.insert_session(&token_hash(&secret), user, &csrf, expires_at)
            .await?;
        tx.commit().await?;
        Ok((secret, csrf))
    }

    /// The caller behind a session cookie that has not ended by `now`, with its CSRF token.
    pub async fn principal_by_session(
        &self,
        secret: &str,
        now: i64,
        today: Date,
    ) -> Result<Option<(Principal, String)>, CommandError> {
        if secret.len() > 200 {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        let Some((user, csrf)) = tx.session_user(&token_hash(secret), now).await? else {
            return Ok(None);
        };
        let principal = Self::principal_in(&mut tx, user, today).await?;
        drop(tx);
        Ok(Some((principal, csrf)))
    }

    /// Ends a session (logging out).
    pub async fn end_session(&self, secret: &str) -> Result<(), CommandError> {
        retrying!(self.end_session_once(secret).await)
    }

    /// One attempt of [`Platform::end_session`].
    async fn end_session_once(&self, secret: &str) -> Result<(), CommandError> {
        let mut tx = self.store.begin().await?;
        tx.delete_session(&token_hash(secret)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller behind a bearer token, with its mandates in force on `today`; `None` for an
    /// unknown or revoked token.
    pub async fn principal_by_token(
        &self,
        secret: &str,
        today: Date,
    ) -> Result<Option<Principal>, CommandError> {
        if secret.len() > 200 {
            return Ok(None);
        }
        let Some((user, mandates)) = self.store.token_principal(&token_hash(secret)).await? else {
            return Ok(None);
        };
        Ok(Some(principal_from(user, mandates, today)?))
    }

    /// The user as a principal, with its mandates in force on `today`.
    pub async fn principal_of(
        &self,
        user: UserRecord,
        today: Date,
    ) -> Result<Principal, CommandError> {
        let mut tx = self.store.read().await?;
        let p = Self::principal_in(&mut tx, user, today).await?;
        drop(tx);
        Ok(p)
    }

    async fn principal_in<T: AccountsTx>(
        tx: &mut T,
        user: UserRecord,
        today: Date,
    ) -> Result<Principal, CommandError> {
        let mandates = tx.mandates_of(user.id).await?;
        principal_from(user, mandates, today)
    }
}

/// The stored key of what an attempt guesses at: a hash, so no stranger's address is kept.
fn attempt_key(what: &str) -> String {
    hex(&Sha256::digest(what.trim().to_lowercase().as_bytes()))
}

#[cfg(test)]
mod tests;
