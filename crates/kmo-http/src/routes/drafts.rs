//! Drafts (rules.md §6, T1): an application saved without being submitted — nothing is checked
//! against the rules or reserved until it is. Same body as a submission; same people.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use kmo_app::accounts::policy::EnterpriseAccess;
use kmo_app::platform::{CostRequest, Draft, ServiceRequest};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::applications::{ApplicationView, SubmitRequest, counted, submission_of, view};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/drafts", post(save_draft))
        .route("/api/v1/drafts/{key}", get(draft).delete(discard_draft))
        .route("/api/v1/drafts/{key}/submit", post(submit_draft))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftParticipant {
    pub name: String,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    /// The key the application will have.
    pub application: String,
    pub enterprise: String,
    pub provider: String,
    /// The rules-eval.md `service` object.
    #[schema(value_type = Object)]
    pub service: ServiceRequest,
    /// The rules-eval.md `costs` array.
    #[schema(value_type = Vec<Object>)]
    pub costs: Vec<CostRequest>,
    pub participants: Vec<DraftParticipant>,
}

fn draft_view(d: &Draft) -> DraftView {
    DraftView {
        application: d.application.clone(),
        enterprise: d.enterprise.clone(),
        provider: d.provider.clone(),
        service: d.service.clone(),
        costs: d.costs.clone(),
        participants: d
            .participants
            .iter()
            .map(|(name, status)| DraftParticipant {
                name: name.clone(),
                status: status.code().to_owned(),
            })
            .collect(),
    }
}

/// The draft, when the caller may see it (`apply`: may also submit or discard it). A draft of
/// an enterprise the caller may not see is answered as an unknown draft.
async fn draft_for(
    state: &AppState,
    caller: &Caller,
    key: &str,
    apply: bool,
) -> Result<Draft, ApiError> {
    caller.require_user()?;
    let access = if apply {
        EnterpriseAccess::Apply
    } else {
        EnterpriseAccess::View
    };
    Ok(state.platform.draft_for(&caller.0, key, access).await?)
}

/// Save a draft (create or replace): the body of a submission, kept without deciding anything.
#[utoipa::path(post, path = "/api/v1/drafts", tag = "applications", security(("bearer" = [])),
    request_body = SubmitRequest,
    responses((status = 200, body = DraftView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<Json<DraftView>, ApiError> {
    let s = submission_of(&state, &caller, req).await?;
    let d = Draft {
        enterprise: s.enterprise,
        application: s.application,
        provider: s.provider,
        service: s.service,
        costs: s.costs,
        size_group: s.size_group,
        participants: s.participants,
    };
    state.platform.save_draft(&d, state.clock.today()).await?;
    Ok(Json(draft_view(&d)))
}

/// A draft (its enterprise's mandate holders, the agency, the quality chamber).
#[utoipa::path(get, path = "/api/v1/drafts/{key}", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 200, body = DraftView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<DraftView>, ApiError> {
    let d = draft_for(&state, &caller, &key, false).await?;
    Ok(Json(draft_view(&d)))
}

/// Submit a draft today: decided by the rules like any submission; an accepted one replaces the
/// draft, a rejected one keeps it.
#[utoipa::path(post, path = "/api/v1/drafts/{key}/submit", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 201, body = ApplicationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    draft_for(&state, &caller, &key, true).await?;
    let done = counted(
        &state,
        "submit",
        state.platform.submit_draft(&key, state.clock.today()).await,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(view(&done.application.key, &done.application)),
    ))
}

/// Discard a draft.
#[utoipa::path(delete, path = "/api/v1/drafts/{key}", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 204, description = "Discarded"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn discard_draft(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    draft_for(&state, &caller, &key, true).await?;
    state.platform.discard_draft(&key).await?;
    Ok(StatusCode::NO_CONTENT)
}
