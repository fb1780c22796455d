//! Registries: enterprises (with the wallet view of the year) and providers (public profile and
//! catalogue; the provider's own users and the agency change them).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use kmo_app::accounts::policy::{EnterpriseAccess, ProviderAccess};
use kmo_app::store::ListedService;
use kmo_domain::Cents;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/enterprises", post(register_enterprise))
        .route("/api/v1/enterprises/{key}", get(enterprise))
        .route("/api/v1/enterprises/{key}/profile", put(update_enterprise))
        .route("/api/v1/providers/{key}", get(provider))
        .route("/api/v1/providers/{key}/profile", put(set_profile))
        .route(
            "/api/v1/providers/{key}/services",
            get(services).post(add_service),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnterprise {
    /// The enterprise's key (its enterprise number).
    pub key: String,
    pub name: String,
    /// The rules-eval.md `enterprise` object: legal form, Flemish establishment, public
    /// participation, NACE, size or figures per period with partners and linked enterprises.
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseUpdate {
    /// A new name (the current one when absent).
    pub name: Option<String>,
    /// The whole rules-eval.md `enterprise` object, replacing the stored one: typically new
    /// figures for an accounting period just closed.
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseView {
    pub key: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub profile: serde_json::Value,
    pub wallet: WalletYear,
}

/// The enterprise's ceiling this calendar year.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletYear {
    pub year: i32,
    /// The size locked for the year at its first accepted application (D19), if any.
    pub size_lock: Option<String>,
    /// The year's ceiling: as granted at the first application, or else the ceiling of the
    /// size in the profile under the rules in force today (null when unknown).
    pub ceiling_cents: Option<i64>,
    pub reserved_cents: i64,
    pub left_cents: Option<i64>,
}

/// Register an enterprise (agency staff).
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "registries", security(("bearer" = [])),
    request_body = NewEnterprise,
    responses((status = 201, body = EnterpriseView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NewEnterprise>,
) -> Result<(StatusCode, Json<EnterpriseView>), ApiError> {
    caller.require_agency()?;
    state
        .platform
        .register_enterprise(&req.key, &req.name, &req.profile)
        .await?;
    let view = enterprise_view(&state, &req.key).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn enterprise_view(state: &AppState, key: &str) -> Result<EnterpriseView, ApiError> {
    let e = state.platform.enterprise(key).await?;
    let w = state.platform.wallet_year(&e, state.clock.today()).await?;
    Ok(EnterpriseView {
        key: e.key,
        name: e.name,
        profile: e.profile,
        wallet: WalletYear {
            year: w.year,
            size_lock: w.size_lock.map(|s| s.code().to_owned()),
            ceiling_cents: w.ceiling.map(Cents::get),
            reserved_cents: w.reserved.get(),
            left_cents: w.left.map(Cents::get),
        },
    })
}

/// Replace an enterprise's profile and figures (agency staff, or the enterprise's legal
/// representative). A size already locked for this year stays locked (D19).
#[utoipa::path(put, path = "/api/v1/enterprises/{key}/profile", tag = "registries", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = EnterpriseUpdate,
    responses((status = 200, body = EnterpriseView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<EnterpriseUpdate>,
) -> Result<Json<EnterpriseView>, ApiError> {
    caller.require_user()?;
    state
        .platform
        .update_enterprise_as(&caller.0, &key, req.name.as_deref(), &req.profile)
        .await?;
    Ok(Json(enterprise_view(&state, &key).await?))
}

/// An enterprise with its wallet this year (its mandate holders, the agency, the quality
/// chamber).
#[utoipa::path(get, path = "/api/v1/enterprises/{key}", tag = "registries", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 200, body = EnterpriseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enterprise(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<EnterpriseView>, ApiError> {
    caller.require_user()?;
    // Someone else's enterprise: the same answer as one that does not exist.
    state
        .platform
        .enterprise_for(&caller.0, &key, EnterpriseAccess::View)
        .await?;
    Ok(Json(enterprise_view(&state, &key).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub key: String,
    pub name: String,
    pub enterprise_number: Option<String>,
    /// Themes the provider is active in.
    pub themes: Vec<String>,
}

/// A provider's public profile (anyone).
#[utoipa::path(get, path = "/api/v1/providers/{key}", tag = "registries",
    params(("key" = String, Path)),
    responses((status = 200, body = ProviderView), (status = 404, body = ErrorBody)))]
pub async fn provider(
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ProviderView>, ApiError> {
    let (p, profile) = state.platform.provider(&key).await?;
    Ok(Json(ProviderView {
        key: p.key,
        name: p.name,
        enterprise_number: profile.enterprise_number,
        themes: profile.themes,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub enterprise_number: Option<String>,
    /// The account the provider is paid on (Belgian IBAN).
    pub iban: Option<String>,
    pub themes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub enterprise_number: Option<String>,
    pub iban: Option<String>,
    pub themes: Vec<String>,
}

/// The provider (its own users) or the agency checks a caller may manage this provider.
async fn may_manage(state: &AppState, caller: &Caller, key: &str) -> Result<(), ApiError> {
    caller.require_user()?;
    state
        .platform
        .provider_for(&caller.0, key, ProviderAccess::Manage)
        .await?;
    Ok(())
}

/// Set the provider's enterprise number, IBAN and themes (its own users, the agency).
#[utoipa::path(put, path = "/api/v1/providers/{key}/profile", tag = "registries", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = ProfileRequest,
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> Result<Json<ProfileView>, ApiError> {
    may_manage(&state, &caller, &key).await?;
    let profile = state
        .platform
        .set_provider_profile(
            &key,
            req.enterprise_number.as_deref(),
            req.iban.as_deref(),
            &req.themes,
        )
        .await?;
    Ok(Json(ProfileView {
        enterprise_number: profile.enterprise_number,
        iban: profile.iban,
        themes: profile.themes,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    pub name: String,
    /// `training` or `advice`.
    pub kind: String,
    pub theme: String,
    pub sub_theme: Option<String>,
    /// Price excluding VAT, in cents.
    pub price_cents: i64,
    /// Codes of the excluded-topic list the service is about (normally none).
    #[serde(default)]
    pub topics: Vec<String>,
    /// Set by an approved list request (rules.md §4.3); `true` is refused when adding.
    #[serde(default)]
    pub on_occupation_list: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: i64,
    #[serde(flatten)]
    pub service: ServiceBody,
}

fn service_view(id: i64, s: ListedService) -> ServiceView {
    ServiceView {
        id,
        service: ServiceBody {
            name: s.name,
            kind: s.kind,
            theme: s.theme,
            sub_theme: s.sub_theme,
            price_cents: s.price.get(),
            topics: s.topics,
            on_occupation_list: s.on_occupation_list,
        },
    }
}

/// The provider's catalogue (anyone).
#[utoipa::path(get, path = "/api/v1/providers/{key}/services", tag = "registries",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<ServiceView>), (status = 404, body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Vec<ServiceView>>, ApiError> {
    let list = state.platform.services(&key).await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, s)| service_view(id, s))
            .collect(),
    ))
}

/// Add a service to the catalogue (the provider's own users, the agency).
#[utoipa::path(post, path = "/api/v1/providers/{key}/services", tag = "registries", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = ServiceBody,
    responses((status = 201, body = ServiceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_service(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<ServiceBody>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    may_manage(&state, &caller, &key).await?;
    let service = ListedService {
        name: req.name,
        kind: req.kind,
        theme: req.theme,
        sub_theme: req.sub_theme,
        price: Cents::new(req.price_cents),
        topics: req.topics,
        on_occupation_list: req.on_occupation_list,
    };
    let id = state.platform.list_service(&key, &service).await?;
    let mut listed = service;
    listed.name = listed.name.trim().to_owned();
    Ok((StatusCode::CREATED, Json(service_view(id, listed))))
}
