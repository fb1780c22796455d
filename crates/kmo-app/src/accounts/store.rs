//! What the accounts keep in the store: users, API tokens, web sessions, activation letters,
//! mandates, calendar feeds, and the counted failures of logins and activation codes.

use kmo_domain::{EnterpriseId, ProviderId};
use std::future::Future;

use kmo_domain::Date;

use crate::store::StoreError;

/// A user account (the password only as its argon2 hash).
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// `enterprise`, `provider`, `agency` or `quality_chamber`.
    pub role: String,
    /// The provider a provider user acts for.
    pub provider: Option<ProviderId>,
    pub created_on: Date,
}

/// The hash never appears in logs.
impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// An API token (its secret only as a SHA-256 hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub user: i64,
    pub name: String,
    pub created_on: Date,
    pub revoked: bool,
}

/// A user's mandate for an enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateRecord {
    pub id: i64,
    pub user: i64,
    pub enterprise: EnterpriseId,
    pub enterprise_key: String,
    /// `legal_representative`, `view_and_release` or `view_and_apply`.
    pub scope: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    /// `pending`, `active` or `revoked`.
    pub state: String,
    pub granted_by: Option<i64>,
}

/// An activation letter (rules.md §8).
#[derive(Clone, PartialEq, Eq)]
pub struct LetterRecord {
    pub id: i64,
    pub user: i64,
    pub enterprise: EnterpriseId,
    /// The code in clear, until the letter is printed.
    pub code: Option<String>,
    pub issued_on: Date,
    pub valid_until: Date,
    pub printed_on: Option<Date>,
    pub used_on: Option<Date>,
}

impl std::fmt::Debug for LetterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterRecord")
            .field("id", &self.id)
            .field("user", &self.user)
            .field("enterprise", &self.enterprise)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// The accounts' part of one database transaction.
pub trait AccountsTx: Send {
    // --- users and API tokens ---
    fn insert_user(
        &mut self,
        user: &UserRecord,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn user_by_email(
        &mut self,
        email: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn user_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn insert_token(
        &mut self,
        token: &TokenRecord,
        hash: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The user of an unrevoked token with this hash.
    fn user_by_token_hash(
        &mut self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<UserRecord>, StoreError>> + Send;
    fn tokens_of(
        &mut self,
        user: i64,
    ) -> impl Future<Output = Result<Vec<TokenRecord>, StoreError>> + Send;
    /// Revokes the user's token; false when the user has no such token.
    fn revoke_token(
        &mut self,
        user: i64,
        token: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    // --- web sessions ---
    fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user and CSRF token of a session that has not ended by `now` (Unix seconds).
    fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<(UserRecord, String)>, StoreError>> + Send;
    fn delete_session(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- activation letters ---
    fn insert_letter(
        &mut self,
        letter: &LetterRecord,
        code_hash: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// A letter by id (`by_code_hash: false`) or by the hash of its code.
    fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> impl Future<Output = Result<Option<LetterRecord>, StoreError>> + Send;
    /// Marks the letter printed (its clear code is dropped) or used.
    fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- mandates ---
    fn insert_mandate(
        &mut self,
        mandate: &MandateRecord,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn mandates_of(
        &mut self,
        user: i64,
    ) -> impl Future<Output = Result<Vec<MandateRecord>, StoreError>> + Send;
    /// Every mandate for an enterprise (any state), by id.
    fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> impl Future<Output = Result<Vec<MandateRecord>, StoreError>> + Send;
    fn mandate_by_id(
        &mut self,
        id: i64,
    ) -> impl Future<Output = Result<Option<MandateRecord>, StoreError>> + Send;
    fn set_mandate_state(
        &mut self,
        id: i64,
        state: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // --- calendar feeds ---
    /// Gives `user` a feed address with this secret's hash, replacing an earlier one.
    fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user whose feed has this secret's hash.
    fn calendar_feed_user(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    // --- failed attempts (logins, activation codes) ---
    /// Failures counted for `key` in the window that began at the returned first failure.
    fn attempt_failures(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(i64, i64)>, StoreError>> + Send;
    /// Counts a failure at `now` (unix seconds): a window older than `window` seconds starts
    /// afresh; rows of windows that have passed are removed.
    fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn clear_attempt_failures(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
