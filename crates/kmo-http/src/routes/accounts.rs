//! Accounts: log in for a token, who am I, tokens, users (agency), mandates.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use kmo_app::accounts::{NewUser, Principal, Role, Scope};
use kmo_app::store::{MandateRecord, TokenRecord, UserRecord};
use kmo_domain::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Caller, unauthenticated};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use kmo_app::kernel::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/tokens", post(login))
        .route(
            "/api/v1/auth/sessions",
            post(login_session).delete(logout_session),
        )
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/tokens", get(my_tokens).post(new_token))
        .route("/api/v1/me/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", post(create_user))
        .route("/api/v1/mandates", post(grant_mandate))
        .route("/api/v1/mandates/{id}", delete(revoke_mandate))
        .route("/api/v1/activation-letters", post(request_letter))
        .route("/api/v1/activation-letters/{id}/print", post(print_letter))
        .route("/api/v1/activation-letters/activate", post(activate))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// A name for the token (e.g. the integration using it).
    pub token_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenView {
    pub id: i64,
    pub name: String,
    /// The secret: shown once, send it as `Authorization: Bearer <token>`.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_on: String,
    pub revoked: bool,
}

impl From<TokenRecord> for TokenView {
    fn from(t: TokenRecord) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            created_on: t.created_on.to_string(),
            revoked: t.revoked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MandateView {
    pub id: i64,
    pub enterprise: String,
    /// `legal_representative`, `view_and_release` or `view_and_apply`.
    pub scope: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    /// `active` or `revoked`.
    pub state: String,
}

impl From<MandateRecord> for MandateView {
    fn from(m: MandateRecord) -> Self {
        MandateView {
            id: m.id,
            enterprise: m.enterprise_key,
            scope: m.scope,
            valid_from: m.valid_from.to_string(),
            valid_until: m.valid_until.map(|d| d.to_string()),
            state: m.state,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `enterprise`, `provider`, `agency` or `quality_chamber`.
    pub role: String,
    /// Mandates in force today (enterprise users).
    pub mandates: Vec<MandateView>,
}

fn user_view(user: &UserRecord, principal: &Principal) -> UserView {
    let mandates = match principal {
        Principal::User { mandates, .. } => {
            mandates.iter().cloned().map(MandateView::from).collect()
        }
        Principal::Anonymous => Vec::new(),
    };
    UserView {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
        mandates,
    }
}

/// Log in with e-mail and password; answers a new API token.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 201, description = "Logged in", body = NewTokenView),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many failed logins", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<(StatusCode, Json<NewTokenView>), ApiError> {
    crate::auth::check_attempts(&state, &req.email).await?;
    let user = match state.platform.authenticate(&req.email, &req.password).await {
        Ok(u) => u,
        Err(e) => {
            crate::auth::attempt_failed(&state, &req.email).await?;
            return Err(e.into());
        }
    };
    crate::auth::attempt_succeeded(&state, &req.email).await?;
    let (token, secret) = state
        .platform
        .create_token(user.id, &req.token_name, state.clock.today())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewTokenView {
            id: token.id,
            name: token.name,
            token: secret,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Echo this in the `x-csrf-token` header of every change made with the session cookie.
    pub csrf_token: String,
    /// When the session ends (Unix seconds).
    pub expires_at: i64,
}

/// Log in for a browser session: sets the `kmo_session` cookie (HttpOnly, SameSite=Strict).
#[utoipa::path(post, path = "/api/v1/auth/sessions", tag = "accounts", request_body = SessionRequest,
    responses(
        (status = 201, description = "Logged in; the cookie is set", body = SessionView),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many failed logins", body = ErrorBody),
    ))]
pub async fn login_session(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SessionRequest>,
) -> Result<
    (
        StatusCode,
        [(axum::http::HeaderName, String); 1],
        Json<SessionView>,
    ),
    ApiError,
> {
    crate::auth::check_attempts(&state, &req.email).await?;
    let user = match state.platform.authenticate(&req.email, &req.password).await {
        Ok(u) => u,
        Err(e) => {
            crate::auth::attempt_failed(&state, &req.email).await?;
            return Err(e.into());
        }
    };
    crate::auth::attempt_succeeded(&state, &req.email).await?;
    let (cookie, csrf, expires_at) = crate::auth::start_session(&state, user.id).await?;
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::SET_COOKIE, cookie)],
        Json(SessionView {
            csrf_token: csrf,
            expires_at,
        }),
    ))
}

/// Log out: ends the session and clears its cookie.
#[utoipa::path(delete, path = "/api/v1/auth/sessions", tag = "accounts",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout_session(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> Result<(StatusCode, [(axum::http::HeaderName, String); 1]), ApiError> {
    caller.require_user()?;
    if let Some(secret) = crate::auth::session_cookie(&headers) {
        state.platform.end_session(&secret).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            axum::http::header::SET_COOKIE,
            crate::auth::ended_session_cookie(),
        )],
    ))
}

/// The caller, with its mandates in force today.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Result<Json<UserView>, ApiError> {
    let user = caller.require_user()?;
    Ok(Json(user_view(user, &caller.0)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    pub name: String,
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)))]
pub async fn my_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let user = caller.require_user()?;
    let list = state.platform.tokens(user.id).await?;
    Ok(Json(list.into_iter().map(TokenView::from).collect()))
}

/// A new API token for the caller (e.g. for an integration).
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    request_body = NewTokenRequest,
    responses((status = 201, body = NewTokenView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn new_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> Result<
    (
        StatusCode,
        axum::Extension<crate::idempotency::SecretAnswer>,
        Json<NewTokenView>,
    ),
    ApiError,
> {
    let user = caller.require_user()?;
    let (token, secret) = state
        .platform
        .create_token(user.id, &req.name, state.clock.today())
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Extension(crate::idempotency::SecretAnswer),
        Json(NewTokenView {
            id: token.id,
            name: token.name,
            token: secret,
        }),
    ))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let user = caller.require_user()?;
    state.platform.revoke_token(user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub name: String,
    /// At least 12 characters.
    pub password: String,
    /// `enterprise`, `provider`, `agency` or `quality_chamber`.
    pub role: String,
    /// For a provider user: the provider's key.
    pub provider: Option<String>,
}

/// Create a user (agency staff).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    caller.require_agency()?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidCommand,
            "role must be enterprise, provider, agency or quality_chamber",
        )
        .with_field("role")
    })?;
    let user = state
        .platform
        .create_user(
            &NewUser {
                email: &req.email,
                name: &req.name,
                password: &req.password,
                role,
                provider: req.provider.as_deref(),
            },
            state.clock.today(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(user_view(&user, &Principal::Anonymous)),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateRequest {
    /// The enterprise user who receives the mandate.
    pub email: String,
    /// The enterprise's key.
    pub enterprise: String,
    /// `legal_representative` (agency only), `view_and_release` or `view_and_apply`.
    pub scope: String,
    /// Last day of the mandate (`YYYY-MM-DD`); none: until revoked.
    pub valid_until: Option<String>,
}

/// Grant a mandate: the agency (any scope, after checking the proof of a legal
/// representative), or a legal representative of the enterprise (the delegated scopes).
#[utoipa::path(post, path = "/api/v1/mandates", tag = "accounts", security(("bearer" = [])),
    request_body = MandateRequest,
    responses((status = 201, body = MandateView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant_mandate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<MandateRequest>,
) -> Result<(StatusCode, Json<MandateView>), ApiError> {
    caller.require_user()?;
    let scope = Scope::parse(&req.scope).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidCommand,
            "scope must be legal_representative, view_and_release or view_and_apply",
        )
        .with_field("scope")
    })?;
    let valid_until = req
        .valid_until
        .as_deref()
        .map(|d| {
            Date::parse(d).map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::InvalidCommand,
                    e.to_string(),
                )
                .with_field("valid_until")
            })
        })
        .transpose()?;
    let m = state
        .platform
        .grant_mandate(
            &caller.0,
            &req.email,
            &req.enterprise,
            scope,
            valid_until,
            state.clock.today(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MandateView::from(m))))
}

/// Revoke a mandate (the agency, a legal representative of the enterprise, or its holder).
#[utoipa::path(delete, path = "/api/v1/mandates/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Mandate id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_mandate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    if caller.0 == Principal::Anonymous {
        return Err(unauthenticated("log in first"));
    }
    state.platform.revoke_mandate(&caller.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterRequest {
    /// The enterprise's key.
    pub enterprise: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterView {
    pub id: i64,
    pub enterprise: String,
    /// The code in the letter works until this day.
    pub valid_until: String,
}

/// Ask to be linked to an enterprise as its legal representative (an enterprise user): a letter
/// with a one-time code goes to the registered office.
#[utoipa::path(post, path = "/api/v1/activation-letters", tag = "accounts", security(("bearer" = [])),
    request_body = LetterRequest,
    responses((status = 201, body = LetterView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn request_letter(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<LetterRequest>,
) -> Result<(StatusCode, Json<LetterView>), ApiError> {
    caller.require_user()?;
    let letter = state
        .platform
        .request_activation_letter(&caller.0, &req.enterprise, state.clock.today())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(LetterView {
            id: letter.id,
            enterprise: req.enterprise,
            valid_until: letter.valid_until.to_string(),
        }),
    ))
}

/// The printed activation letter (a template: every value is escaped).
#[derive(askama::Template)]
#[template(path = "activation_letter.html")]
struct ActivationLetter<'a> {
    name: &'a str,
    key: &'a str,
    person: &'a str,
    issued: kmo_domain::Date,
    printed: String,
    until: kmo_domain::Date,
}

/// Print a letter (the agency), once: a printable page in Dutch with the one-time code.
#[utoipa::path(post, path = "/api/v1/activation-letters/{id}/print", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "The printable letter", content_type = "text/html"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn print_letter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<axum::response::Html<String>, ApiError> {
    caller.require_user()?;
    let (letter, enterprise, user) = state
        .platform
        .print_activation_letter(&caller.0, id, state.clock.today())
        .await?;
    let code = letter.code.unwrap_or_default();
    let printed: String = code
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    let page = ActivationLetter {
        name: &enterprise.name,
        key: &enterprise.key,
        person: &user.name,
        issued: letter.issued_on,
        printed,
        until: letter.valid_until,
    };
    let html = askama::Template::render(&page).map_err(|e| ApiError::internal(&e))?;
    Ok(axum::response::Html(html))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The code from the letter (dashes and case do not matter).
    pub code: String,
}

/// Enter the code from the letter: the caller becomes the enterprise's legal representative.
#[utoipa::path(post, path = "/api/v1/activation-letters/activate", tag = "accounts", security(("bearer" = [])),
    request_body = ActivateRequest,
    responses((status = 201, body = MandateView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ActivateRequest>,
) -> Result<(StatusCode, Json<MandateView>), ApiError> {
    let user = caller.require_user()?;
    // Guessing codes is limited like guessing passwords.
    let key = format!("activation:{}", user.id);
    crate::auth::check_attempts(&state, &key).await?;
    match state
        .platform
        .activate(&caller.0, &req.code, state.clock.today())
        .await
    {
        Ok(m) => Ok((StatusCode::CREATED, Json(MandateView::from(m)))),
        Err(e) => {
            crate::auth::attempt_failed(&state, &key).await?;
            Err(e.into())
        }
    }
}
