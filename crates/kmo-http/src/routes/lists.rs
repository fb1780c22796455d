//! Lists, page by page (`after` = the `next_after` of the previous page; `limit` at most
//! `limits.page_size_max`): public provider search, an enterprise's and a provider's
//! applications, and an application's audit trail.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kmo_app::accounts::policy::{EnterpriseAccess, ProviderAccess};
use kmo_app::store::AppOwner;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::routes::applications::{ApplicationView, view};
use kmo_app::kernel::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/providers", get(search_providers))
        .route(
            "/api/v1/enterprises/{key}/applications",
            get(enterprise_applications),
        )
        .route(
            "/api/v1/providers/{key}/applications",
            get(provider_applications),
        )
        .route("/api/v1/applications/{key}/audit", get(audit_trail))
        .route("/api/v1/providers/{key}/payouts", get(provider_payouts))
        .route("/api/v1/enterprises/{key}/refunds", get(enterprise_refunds))
}

/// Page size when none is asked for.
const PAGE_SIZE_DEFAULT: u32 = 50;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next_after` of the previous page.
    pub after: Option<i64>,
    /// Items per page (default 50, at most `limits.page_size_max`, 100 by default).
    pub limit: Option<u32>,
}

fn page_limits(
    state: &AppState,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<(i64, u32), ApiError> {
    let max = state.settings.limits.page_size_max;
    let limit = limit.unwrap_or(PAGE_SIZE_DEFAULT.min(max));
    if limit == 0 || limit > max {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            format!("limit must be 1 to {max}"),
        )
        .with_field("limit"));
    }
    let after = after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            "after must be ≥ 0",
        )
        .with_field("after"));
    }
    Ok((after, limit))
}

fn next_after(ids: &[i64], limit: u32) -> Option<i64> {
    if ids.len() == usize::try_from(limit).unwrap_or(usize::MAX) {
        ids.last().copied()
    } else {
        None
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProviderSearch {
    /// Part of the provider's name (case-insensitive).
    pub name: Option<String>,
    /// A theme the provider is active in.
    pub theme: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderItem {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderPage {
    pub items: Vec<ProviderItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// Search providers by name and theme (anyone).
#[utoipa::path(get, path = "/api/v1/providers", tag = "registries", params(ProviderSearch),
    responses((status = 200, body = ProviderPage), (status = 400, body = ErrorBody)))]
pub async fn search_providers(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ProviderSearch>,
) -> Result<Json<ProviderPage>, ApiError> {
    let (after, limit) = page_limits(&state, q.after, q.limit)?;
    let name = q.name.unwrap_or_default();
    if name.chars().count() > 100 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            "name: at most 100 characters",
        )
        .with_field("name"));
    }
    if let Some(theme) = &q.theme
        && kmo_domain::Theme::parse(theme).is_none()
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            format!("unknown theme {theme:?}"),
        )
        .with_field("theme"));
    }
    let page = state
        .platform
        .search_providers(&name, q.theme.as_deref(), after, limit)
        .await?;
    let ids: Vec<i64> = page.iter().map(|p| p.id.get()).collect();
    Ok(Json(ProviderPage {
        next_after: next_after(&ids, limit),
        items: page
            .into_iter()
            .map(|p| ProviderItem {
                key: p.key,
                name: p.name,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

async fn page(
    state: &AppState,
    owner: AppOwner,
    q: PageQuery,
) -> Result<Json<ApplicationPage>, ApiError> {
    let (after, limit) = page_limits(state, q.after, q.limit)?;
    let page = state
        .platform
        .applications_page(owner, after, limit)
        .await?;
    let ids: Vec<i64> = page.iter().map(|(_, a)| a.id.get()).collect();
    Ok(Json(ApplicationPage {
        next_after: next_after(&ids, limit),
        items: page.iter().map(|(k, a)| view(k, a)).collect(),
    }))
}

/// An enterprise's applications (its mandate holders, the agency, the quality chamber).
#[utoipa::path(get, path = "/api/v1/enterprises/{key}/applications", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path), PageQuery),
    responses((status = 200, body = ApplicationPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn enterprise_applications(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<ApplicationPage>, ApiError> {
    caller.require_user()?;
    let e = state
        .platform
        .enterprise_for(&caller.0, &key, EnterpriseAccess::View)
        .await?;
    page(&state, AppOwner::Enterprise(e.id), q).await
}

/// The applications naming a provider (its own users, the agency, the quality chamber).
#[utoipa::path(get, path = "/api/v1/providers/{key}/applications", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path), PageQuery),
    responses((status = 200, body = ApplicationPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn provider_applications(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<ApplicationPage>, ApiError> {
    let p = provider_for(&state, &caller, &key).await?;
    page(&state, AppOwner::Provider(p.id), q).await
}

/// The provider with this key, when the caller may follow its applications (its own users,
/// agency staff, the quality chamber; `FORBIDDEN` for anyone else).
async fn provider_for(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<kmo_app::store::ProviderRecord, ApiError> {
    caller.require_user()?;
    let (p, _) = state
        .platform
        .provider_for(&caller.0, key, ProviderAccess::Follow)
        .await?;
    Ok(p)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// What happened (`submitted`, `deposit`, `payment`, `stopped`…).
    pub kind: String,
    /// Who did it.
    pub actor: String,
    pub date: String,
    /// The change's details and the ids of its transfers.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// This record's link in the hash chain.
    pub hash: String,
}

/// The application's timeline: every change, hash-chained (same access as the application).
#[utoipa::path(get, path = "/api/v1/applications/{key}/audit", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn audit_trail(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require_user()?;
    let (_, records) = state.platform.audit_trail_for(&caller.0, &key).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                kind: r.kind,
                actor: r.actor,
                date: r.date.to_string(),
                details: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
                hash: r.hash,
            })
            .collect(),
    ))
}

/// Money sent out of the platform's bank account: one payout or refund.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyOutItem {
    /// The ledger transfer that sent it (`payout.<run>.provider.<id>` or `refund.<n>.paid`).
    pub transfer: String,
    /// The payout run, for a provider payout.
    pub run: Option<String>,
    /// The application a refund belongs to (a payout sums many applications).
    pub application: Option<String>,
    pub amount_cents: i64,
    pub date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyOutPage {
    pub items: Vec<MoneyOutItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

fn money_page(page: Vec<kmo_app::store::MoneyOut>, limit: u32) -> MoneyOutPage {
    let seqs: Vec<i64> = page.iter().map(|m| m.seq).collect();
    MoneyOutPage {
        next_after: next_after(&seqs, limit),
        items: page
            .into_iter()
            .map(|m| MoneyOutItem {
                run: m
                    .transfer
                    .strip_prefix("payout.")
                    .and_then(|rest| rest.split_once(".provider."))
                    .map(|(run, _)| run.to_owned()),
                transfer: m.transfer,
                application: m.application,
                amount_cents: m.amount_cents,
                date: m.date.to_string(),
            })
            .collect(),
    }
}

/// The payouts a provider received, run by run (its own users, the agency, the quality
/// chamber).
#[utoipa::path(get, path = "/api/v1/providers/{key}/payouts", tag = "money", security(("bearer" = [])),
    params(("key" = String, Path), PageQuery),
    responses((status = 200, body = MoneyOutPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn provider_payouts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<MoneyOutPage>, ApiError> {
    let p = provider_for(&state, &caller, &key).await?;
    let (after, limit) = page_limits(&state, q.after, q.limit)?;
    let page = state.platform.provider_payouts(p.id, after, limit).await?;
    Ok(Json(money_page(page, limit)))
}

/// The refunds an enterprise received (its mandate holders, the agency, the quality chamber).
#[utoipa::path(get, path = "/api/v1/enterprises/{key}/refunds", tag = "money", security(("bearer" = [])),
    params(("key" = String, Path), PageQuery),
    responses((status = 200, body = MoneyOutPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn enterprise_refunds(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<MoneyOutPage>, ApiError> {
    caller.require_user()?;
    let e = state
        .platform
        .enterprise_for(&caller.0, &key, EnterpriseAccess::View)
        .await?;
    let (after, limit) = page_limits(&state, q.after, q.limit)?;
    let page = state
        .platform
        .enterprise_refunds(e.id, after, limit)
        .await?;
    Ok(Json(money_page(page, limit)))
}
