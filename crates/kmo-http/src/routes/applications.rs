//! Applications and every lifecycle action, deposits (a bank statement's lines) and payout runs.
//! Each handler checks that the caller may touch *this* application: its enterprise's mandate
//! holders (by scope), the provider it names, the agency; someone else gets the answer an
//! unknown application gets.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use kmo_app::lifecycle::Application;
use kmo_app::platform::{
    CommandError, CostRequest, DepositTarget, Inspection, ServiceRequest, Submission,
    costs_from_json,
};
use kmo_app::registry::WorkerStatus;
use kmo_domain::{Cents, Date, InvoiceNumber, RefusalReason};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use kmo_app::kernel::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/applications", post(submit))
        .route("/api/v1/applications/preview", post(preview))
        .route("/api/v1/applications/{key}", get(application))
        .route("/api/v1/applications/{key}/stop", post(stop))
        .route("/api/v1/applications/{key}/refuse", post(refuse))
        .route("/api/v1/applications/{key}/payments", post(pay))
        .route("/api/v1/applications/{key}/inspections", post(inspect))
        .route("/api/v1/deposits", post(deposits))
        .route("/api/v1/payout-runs", post(payout_run))
}

/// Lines of one bank statement at most.
pub const STATEMENT_LINES_MAX: usize = 1_000;

/// An application as its parties see it. Amounts in cents.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub key: String,
    /// `submitted`, `funded`, `partially_paid`, `paid`, `lapsed`, `refused`, `stopped`,
    /// `expired`, `blocked`, `recovered`.
    pub state: String,
    /// The structured reference to put on the own-share transfer (`+++…+++`).
    pub reference: String,
    pub submitted_on: String,
    pub rule_set: String,
    pub size: String,
    pub rate_bp: u32,
    pub eligible_cents: i64,
    pub subsidy_cents: i64,
    pub own_share_cents: i64,
    pub deposited_cents: i64,
    pub paid_cents: i64,
    pub refunded_cents: i64,
    /// What is left to pay out to the provider.
    pub balance_cents: i64,
    /// The own share must arrive by this day (14 days after submission).
    pub deposit_deadline: String,
    /// Invoices must be released by this day.
    pub payment_deadline: String,
    pub closed_on: Option<String>,
}

pub(crate) fn view(key: &str, a: &Application) -> ApplicationView {
    let paid = a.paid_own.get().saturating_add(a.paid_subsidy.get());
    let reference = a.reference_text();
    ApplicationView {
        key: key.to_owned(),
        state: a.state.code().to_owned(),
        reference,
        submitted_on: a.submitted_on.to_string(),
        rule_set: a.rule_set.clone(),
        size: a.size.code().to_owned(),
        rate_bp: a.rate_bp,
        eligible_cents: a.eligible.get(),
        subsidy_cents: a.subsidy.get(),
        own_share_cents: a.own_share.get(),
        deposited_cents: a.deposited.get(),
        paid_cents: paid,
        refunded_cents: a.refunded.get(),
        balance_cents: if a.state.is_terminal() {
            0
        } else {
            a.eligible.get().saturating_sub(paid)
        },
        deposit_deadline: a.deposit_deadline.to_string(),
        payment_deadline: a.payment_deadline.to_string(),
        closed_on: a.closed_on.map(|d| d.to_string()),
    }
}

pub use kmo_app::accounts::policy::{Access, allowed};

/// The application, when the caller may do `access` on it (the access policy of
/// `kmo_app::accounts::policy`): someone who may not even see it gets `UNKNOWN_APPLICATION`,
/// someone who may see it but not do this `FORBIDDEN`.
pub async fn load(
    state: &AppState,
    caller: &Caller,
    key: &str,
    access: Access,
) -> Result<Application, ApiError> {
    caller.require_user()?;
    Ok(state
        .platform
        .application_for(&caller.0, key, access)
        .await?)
}

pub(crate) fn counted<T>(
    state: &AppState,
    command: &str,
    r: Result<T, CommandError>,
) -> Result<T, ApiError> {
    let outcome = r.as_ref().map_or_else(CommandError::code, |_| "OK");
    state.metrics.observe_command(command, outcome);
    r.map_err(ApiError::from)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub name: String,
    /// `employee`, `job_student`, `manager_or_active_partner`, `self_employed`,
    /// `assisting_spouse`… (a job student is not eligible).
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The enterprise's key.
    pub enterprise: String,
    /// The application's key, chosen by the caller (a retry with the same key and content is
    /// answered with the same application).
    pub application: String,
    /// The provider's key.
    pub provider: String,
    /// A service of the provider's catalogue…
    pub service_id: Option<i64>,
    /// …or the rules-eval.md `service` object.
    #[schema(value_type = Option<Object>)]
    pub service: Option<Value>,
    /// First lesson or start of the advice (with `service_id`).
    pub start_date: Option<String>,
    /// The rules-eval.md `costs` array; with `service_id` it defaults to the listed price.
    #[schema(value_type = Option<Vec<Object>>)]
    pub costs: Option<Value>,
    #[serde(default)]
    pub participants: Vec<Participant>,
}

fn unprocessable(field: &str, detail: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidCommand,
        detail,
    )
    .with_field(field)
}

/// Apply: the rules decide today; the subsidy is reserved against this year's ceiling.
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", security(("bearer" = [])),
    request_body = SubmitRequest,
    responses((status = 201, body = ApplicationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, description = "Invalid or rejected (SUBMISSION_REJECTED lists the reasons)", body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    let submission = submission_of(&state, &caller, req).await?;
    let done = counted(&state, "submit", state.platform.submit(&submission).await)?;
    Ok((
        StatusCode::CREATED,
        Json(view(&done.application.key, &done.application)),
    ))
}

/// What a submission would get now: the platform's one decision path, which the submission
/// then follows to the cent.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// Whether the submission would be accepted now.
    pub accepted: bool,
    /// The rules engine's decision: `eligible` or `ineligible`.
    pub decision: String,
    /// Every failing rule (codes of rules-eval.md).
    pub reasons: Vec<String>,
    /// What would refuse the submission although the rules allow it (`PROVIDER_NOT_REGISTERED`,
    /// `NOT_A_WORKER`, `INVALID_COMMAND` for an unknown provider).
    pub refusal: Option<String>,
    pub rule_set: Option<String>,
    pub size: Option<String>,
    pub rate_bp: Option<u32>,
    pub eligible_cents: i64,
    pub subsidy_cents: i64,
    pub own_share_cents: i64,
    /// The ceiling the enterprise's applications of this year already reserve.
    pub ceiling_reserved_cents: i64,
    /// De-minimis aid counted in the window ending today.
    pub de_minimis_cents: i64,
    /// The size this year is locked to by an earlier submission, if any.
    pub size_lock: Option<String>,
    /// The explanation, in Dutch (`?lang=en` for English).
    pub explanation: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewQuery {
    /// `nl` (default) or `en`.
    pub lang: Option<String>,
}

/// Preview a submission: the decision, the amounts and what else would refuse it, exactly as
/// `POST /api/v1/applications` would decide now (the enterprise's ceiling reserved this year, its
/// de-minimis aid and the year's size lock included). Changes nothing.
#[utoipa::path(post, path = "/api/v1/applications/preview", tag = "applications", security(("bearer" = [])),
    params(PreviewQuery), request_body = SubmitRequest,
    responses((status = 200, body = PreviewView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "Not a valid case", body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(query): axum::extract::Query<PreviewQuery>,
    ApiJson(req): ApiJson<SubmitRequest>,
) -> Result<Json<PreviewView>, ApiError> {
    let lang = match query.lang.as_deref() {
        None | Some("nl") => kmo_domain::codes::Lang::Nl,
        Some("en") => kmo_domain::codes::Lang::En,
        Some(_) => return Err(unprocessable("lang", "must be nl or en")),
    };
    let submission = submission_of(&state, &caller, req).await?;
    let p = state.platform.preview(&submission, lang).await?;
    let d = &p.decision;
    let rule_set = d
        .rule_set
        .and_then(|i| state.rules.get(i))
        .map(|rs| rs.id.clone());
    Ok(Json(PreviewView {
        accepted: d.is_eligible() && p.refusal.is_none(),
        decision: if d.is_eligible() {
            "eligible"
        } else {
            "ineligible"
        }
        .to_owned(),
        reasons: d.reasons.iter().map(|r| r.code().to_owned()).collect(),
        refusal: p.refusal.as_ref().map(|e| e.code().to_owned()),
        rule_set,
        size: d.size.map(|s| s.code().to_owned()),
        rate_bp: d.rate_bp,
        eligible_cents: d.eligible.get(),
        subsidy_cents: d.subsidy.get(),
        own_share_cents: d.own_share.get(),
        ceiling_reserved_cents: p.ceiling_reserved.get(),
        de_minimis_cents: p.de_minimis.get(),
        size_lock: p.size_lock.map(|s| s.code().to_owned()),
        explanation: p.explanation,
    }))
}

/// The caller must be allowed to apply for the enterprise with this key (the access policy).
pub(crate) async fn authorize_apply(
    state: &AppState,
    caller: &Caller,
    enterprise: &str,
) -> Result<(), ApiError> {
    caller.require_user()?;
    Ok(state
        .platform
        .authorize_apply(&caller.0, enterprise)
        .await?)
}

/// The submission a request describes, dated today, once the caller is allowed to apply: a
/// listed service becomes its rules-eval.md object with the listed price as default cost.
pub(crate) async fn submission_of(
    state: &AppState,
    caller: &Caller,
    req: SubmitRequest,
) -> Result<Submission, ApiError> {
    authorize_apply(state, caller, &req.enterprise).await?;
    let (service, costs) = match (req.service_id, req.service) {
        (Some(id), None) => {
            let start = req.start_date.as_deref().ok_or_else(|| {
                unprocessable("start_date", "a listed service needs its start date")
            })?;
            let start =
                Date::parse(start).map_err(|e| unprocessable("start_date", e.to_string()))?;
            let listed = state
                .platform
                .services(&req.provider)
                .await?
                .into_iter()
                .find(|(i, _)| *i == id)
                .map(|(_, s)| s)
                .ok_or_else(|| unprocessable("service_id", "not a service of this provider"))?;
            let costs = match req.costs {
                Some(c) => costs_from_json(&c)?,
                None => vec![CostRequest::new("fee", listed.price.get())],
            };
            (ServiceRequest::of_listed(&listed, start), costs)
        }
        (None, Some(service)) => (
            ServiceRequest::from_json(&service)?,
            costs_from_json(
                &req.costs
                    .ok_or_else(|| unprocessable("costs", "the cost lines are missing"))?,
            )?,
        ),
        _ => {
            return Err(unprocessable(
                "service",
                "give either service_id or service",
            ));
        }
    };
    let mut participants = Vec::with_capacity(req.participants.len());
    for (i, p) in req.participants.iter().enumerate() {
        let status = WorkerStatus::parse(&p.status).ok_or_else(|| {
            unprocessable(
                &format!("participants[{i}].status"),
                format!("unknown worker status {:?}", p.status),
            )
        })?;
        participants.push((p.name.clone(), status));
    }
    Ok(Submission {
        enterprise: req.enterprise,
        application: req.application,
        provider: req.provider,
        submitted_on: state.clock.today(),
        service,
        costs,
        size_group: None,
        participants,
    })
}

/// An application (its enterprise's mandate holders, the provider it names, the agency, the
/// quality chamber).
#[utoipa::path(get, path = "/api/v1/applications/{key}", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)),
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn application(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    let app = load(&state, &caller, &key, Access::View).await?;
    Ok(Json(view(&key, &app)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: Option<String>,
}

/// Stop the application: the own share still in the wallet is refunded, the subsidy returns
/// (to this year's ceiling when stopped in the submission year).
#[utoipa::path(post, path = "/api/v1/applications/{key}/stop", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = ReasonRequest,
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> Result<Json<ApplicationView>, ApiError> {
    caller.require_user()?;
    let app = counted(
        &state,
        "stop",
        state
            .platform
            .stop_as(&caller.0, &key, state.clock.today(), req.reason.as_deref())
            .await,
    )?;
    Ok(Json(view(&key, &app)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalRequest {
    /// Why (rules.md §4.9): `enterprise_not_allowed`, `related_provider`,
    /// `service_not_subsidisable`, `wrong_provider` or `incorrect_application`. (Before, any text
    /// was taken; the pages always offered this list.)
    pub reason: String,
}

/// The provider named on the application refuses it (before any payment), for a reason of the
/// rule book's list. Only that provider refuses (T5); the agency acts through inspections.
#[utoipa::path(post, path = "/api/v1/applications/{key}/refuse", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = RefusalRequest,
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refuse(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<RefusalRequest>,
) -> Result<Json<ApplicationView>, ApiError> {
    caller.require_user()?;
    let Some(reason) = RefusalReason::parse(&req.reason) else {
        // Whoever may not refuse it learns that first, and nothing about the body.
        load(&state, &caller, &key, Access::Provide).await?;
        let codes: Vec<&str> = RefusalReason::ALL.iter().map(|r| r.code()).collect();
        return Err(unprocessable(
            "reason",
            format!("must be one of {}", codes.join(", ")),
        ));
    };
    let result = state
        .platform
        .refuse_as(&caller.0, &key, state.clock.today(), reason)
        .await;
    let app = counted(&state, "refuse", result)?;
    Ok(Json(view(&key, &app)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// The part of the invoice (excluding VAT) released for payment from the wallet.
    pub amount_cents: i64,
    /// The invoice's number: one payment order per invoice (a retry is answered, not repeated).
    pub invoice: String,
}

/// Release (part of) an invoice: paid from the wallet at the effective rate.
#[utoipa::path(post, path = "/api/v1/applications/{key}/payments", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = PaymentRequest,
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<PaymentRequest>,
) -> Result<Json<ApplicationView>, ApiError> {
    caller.require_user()?;
    let invoice =
        InvoiceNumber::parse(&req.invoice).map_err(|e| unprocessable("invoice", e.to_string()))?;
    let app = counted(
        &state,
        "pay",
        state
            .platform
            .release_as(
                &caller.0,
                &key,
                Cents::new(req.amount_cents),
                state.clock.today(),
                &invoice,
            )
            .await,
    )?;
    Ok(Json(view(&key, &app)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionRequest {
    /// `block`, `unblock` or `recover`.
    pub action: String,
    /// Required to block or recover.
    pub reason: String,
}

/// An inspection acts on the application (agency staff).
#[utoipa::path(post, path = "/api/v1/applications/{key}/inspections", tag = "applications", security(("bearer" = [])),
    params(("key" = String, Path)), request_body = InspectionRequest,
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inspect(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(key): ApiPath<String>,
    ApiJson(req): ApiJson<InspectionRequest>,
) -> Result<Json<ApplicationView>, ApiError> {
    caller.require_user()?;
    let action = match req.action.as_str() {
        "block" => Inspection::Block,
        "unblock" => Inspection::Unblock,
        "recover" => Inspection::Recover,
        _ => {
            // Whoever may not inspect it learns that first, and nothing about the body.
            load(&state, &caller, &key, Access::Inspect).await?;
            return Err(unprocessable("action", "must be block, unblock or recover"));
        }
    };
    let app = counted(
        &state,
        "inspect",
        state
            .platform
            .inspect_as(&caller.0, &key, action, state.clock.today(), &req.reason)
            .await,
    )?;
    Ok(Json(view(&key, &app)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementLine {
    /// The structured reference on the transfer, as written by the payer.
    pub reference: String,
    pub amount_cents: i64,
    /// The bank's unique id of the line (a line sent twice is booked once).
    pub bank_ref: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub lines: Vec<StatementLine>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineOutcome {
    pub bank_ref: String,
    /// `OK` (the own share arrived), or why not: the line is then returned to the payer
    /// (`UNKNOWN_REFERENCE`, `DEPOSIT_WRONG_AMOUNT`, `DEPOSIT_AFTER_DEADLINE`…).
    pub outcome: String,
    pub application: Option<ApplicationView>,
}

/// Match a bank statement's incoming transfers to applications (agency staff).
#[utoipa::path(post, path = "/api/v1/deposits", tag = "money", security(("bearer" = [])),
    request_body = Statement,
    responses((status = 200, body = Vec<LineOutcome>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn deposits(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<Statement>,
) -> Result<Json<Vec<LineOutcome>>, ApiError> {
    caller.require_agency()?;
    if req.lines.len() > STATEMENT_LINES_MAX {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BatchTooLarge,
            format!("at most {STATEMENT_LINES_MAX} lines per statement"),
        ));
    }
    let today = state.clock.today();
    let mut out = Vec::with_capacity(req.lines.len());
    for line in req.lines {
        let result = state
            .platform
            .deposit(
                &DepositTarget::Reference(line.reference.clone()),
                Cents::new(line.amount_cents),
                today,
                &line.bank_ref,
            )
            .await;
        let outcome = result.as_ref().map_or_else(CommandError::code, |_| "OK");
        state.metrics.observe_command("deposit", outcome);
        match result {
            Ok(app) => {
                out.push(LineOutcome {
                    bank_ref: line.bank_ref,
                    outcome: outcome.to_owned(),
                    application: Some(view(&app.key, &app)),
                });
            }
            Err(CommandError::Store(e)) => return Err(CommandError::Store(e).into()),
            Err(_) => out.push(LineOutcome {
                bank_ref: line.bank_ref,
                outcome: outcome.to_owned(),
                application: None,
            }),
        }
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRunRequest {
    /// The run's id, 1 to 40 letters, digits, '-' or '_': the same id again answers the same
    /// run.
    pub run: String,
}

/// Pay out every provider payable and refund that became payable since the last run (agency).
#[utoipa::path(post, path = "/api/v1/payout-runs", tag = "money", security(("bearer" = [])),
    request_body = PayoutRunRequest,
    responses((status = 200, description = "The run's payouts", body = Object), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn payout_run(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PayoutRunRequest>,
) -> Result<Json<Value>, ApiError> {
    caller.require_agency()?;
    let run = counted(
        &state,
        "payout_run",
        state
            .platform
            .payout_run(&req.run, state.clock.today())
            .await,
    )?;
    Ok(Json(run.to_json()))
}
