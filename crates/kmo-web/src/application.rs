//! One application: its amounts, the next step with its deadline (deposit instructions with the
//! structured reference), releasing an invoice (partial allowed), stopping with a preview of
//! the refund, and the timeline (the application's hash-chained audit trail).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::accounts::policy::{Access, allowed};
use kmo_app::lifecycle::{self, Application, Closing, NextStep};
use kmo_domain::{Cents, Date, InvoiceNumber, RefusalReason};
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::{countdown, date};
use crate::i18n::{Choice, Label, PageTexts, T};
use crate::public::{Frame, parse_amount};
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanvragen/{key}", get(show))
        .route("/aanvragen/{key}/vrijgeven", post(release))
        .route("/aanvragen/{key}/stopzetten", post(stop))
        .route("/aanvragen/{key}/weigeren", post(refuse))
        .route("/aanvragen/{key}/bevestigen", post(confirm))
        .route("/aanvragen/{key}/inspectie", post(inspect))
}

/// One line of the timeline.
#[derive(Debug)]
pub struct Event {
    pub date: String,
    pub what: String,
    pub actor: String,
}

/// The deposit instructions of a submitted application.
#[derive(Debug)]
pub struct Deposit {
    /// The EPC payment QR code as a `data:` URL.
    pub qr: Option<String>,
    pub amount: String,
    pub reference: String,
    /// The platform's account (`[wallet]` of the settings), in groups of four.
    pub iban: String,
    /// Its beneficiary name.
    pub beneficiary: String,
    pub deadline: String,
    pub countdown: String,
    pub urgent: bool,
}

/// What a stop would give back now.
#[derive(Debug)]
pub struct StopPreview {
    pub refund: String,
    pub to_ceiling: String,
}

#[derive(Template)]
#[template(path = "application.html")]
struct Page {
    f: Frame,
    key: String,
    state: &'static str,
    eligible: String,
    subsidy: String,
    own_share: String,
    deposited: String,
    paid: String,
    balance: String,
    deposit: Option<Deposit>,
    release_by: Option<(String, String, bool)>,
    can_release: bool,
    release_amount: String,
    release_invoice: String,
    release_error: Option<String>,
    stop: Option<StopPreview>,
    stop_error: Option<String>,
    /// When the provider confirmed it checked the application.
    confirmed: Option<String>,
    /// The provider named on it may confirm it (while it is open and not confirmed yet).
    can_confirm: bool,
    /// The provider may refuse (before any payment): the reasons of rules.md §4.9.
    can_refuse: bool,
    refuse_reasons: Vec<(&'static str, String)>,
    refuse_error: Option<String>,
    /// Agency staff: block, unblock or recover after an inspection.
    can_inspect: bool,
    inspect_error: Option<String>,
    timeline: Vec<Event>,
}

fn event_label(t: &T, kind: &str) -> String {
    match kind {
        "submitted" => t.event_submitted,
        "funded" => t.event_funded,
        "deposit_returned" => t.event_deposit_returned,
        "paid" => t.event_paid,
        "lapsed" => t.event_lapsed,
        "stopped" => t.event_stopped,
        "refused" => t.event_refused,
        "application_confirmed" => t.event_application_confirmed,
        "expired" => t.event_expired,
        "blocked" => t.event_blocked,
        "unblocked" => t.event_unblocked,
        "recovered" => t.event_recovered,
        "recovery_received" => t.event_recovery_received,
        other => other,
    }
    .to_owned()
}

/// A refused action in the user's words: the page's own sentence, else the code's.
fn action_error(t: &T, code: &str) -> String {
    match code {
        "PAYMENT_EXCEEDS_BALANCE" => t.action_err_payment_exceeds_balance,
        "PAYMENT_AFTER_END" => t.action_err_payment_after_end,
        "NOT_FUNDED" => t.action_err_not_funded,
        "ILLEGAL_TRANSITION" => t.action_err_illegal_transition,
        "AMOUNT_OUT_OF_RANGE" | "INVALID_COMMAND" => t.action_err_amount,
        // A repeated command answers the code it had; `accepted` is no refusal of its own.
        other => kmo_app::kernel::ErrorCode::parse(other)
            .unwrap_or(kmo_app::kernel::ErrorCode::Repeated)
            .text(t),
    }
    .to_owned()
}

pub(crate) fn reference(a: &Application) -> String {
    a.reference_text()
}

#[derive(Debug, Default)]
struct Draft {
    release_amount: Option<String>,
    release_invoice: Option<String>,
    release_error: Option<String>,
    stop_error: Option<String>,
    refuse_error: Option<String>,
    inspect_error: Option<String>,
}

async fn page(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    app: Application,
    typed: Draft,
) -> Response {
    let t = lang.texts();
    let today = state.clock.today();
    let p = &visitor.principal;
    let deposit = match app.next_step() {
        Some(NextStep::Deposit { amount, by }) => {
            let (countdown, urgent) = countdown(t, today, by);
            // The platform's account, from the settings (`[wallet]`).
            let wallet = &state.wallet;
            let payload = crate::qr::epc_payload(
                wallet.name(),
                wallet.iban().electronic(),
                amount,
                &reference(&app),
            );
            Some(Deposit {
                qr: crate::qr::svg_data_url(&payload),
                amount: amount.to_string(),
                reference: reference(&app),
                iban: wallet.iban().to_string(),
                beneficiary: wallet.name().to_owned(),
                deadline: date(by),
                countdown,
                urgent,
            })
        }
        _ => None,
    };
    let release_by = match app.next_step() {
        Some(NextStep::Release { by, .. }) => {
            let (c, urgent) = countdown(t, today, by);
            Some((date(by), c, urgent))
        }
        _ => None,
    };
    let can_release = release_by.is_some() && allowed(p, &app, Access::Release);
    // A stop's refund, computed by the same pure transition the stop will run.
    let stop = if allowed(p, &app, Access::Apply) {
        lifecycle::close(&app, Closing::Stop, today)
            .ok()
            .map(|change| StopPreview {
                refund: change
                    .application
                    .refunded
                    .checked_sub(app.refunded)
                    .unwrap_or(Cents::ZERO)
                    .to_string(),
                to_ceiling: change
                    .application
                    .returned_to_ceiling
                    .checked_sub(app.returned_to_ceiling)
                    .unwrap_or(Cents::ZERO)
                    .to_string(),
            })
    } else {
        None
    };
    let loaded = async {
        let records = state.platform.audit_trail(&app).await?;
        let confirmed = state
            .platform
            .confirmations(app.provider, Some(app.id))
            .await?;
        Ok::<_, kmo_app::platform::CommandError>((records, confirmed.get(&app.id.get()).copied()))
    }
    .await;
    let (records, confirmed) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::failed(e),
    };
    let mut timeline: Vec<(Date, Event)> = records
        .into_iter()
        .map(|r| {
            (
                r.date,
                Event {
                    date: date(r.date),
                    what: event_label(t, &r.kind),
                    actor: t.actor(&r.actor).to_owned(),
                },
            )
        })
        .collect();
    if let Some(on) = confirmed {
        timeline.push((
            on,
            Event {
                date: date(on),
                what: event_label(t, "application_confirmed"),
                actor: t.actor("provider").to_owned(),
            },
        ));
        // Stable: the confirmation comes after the events of its day.
        timeline.sort_by_key(|(d, _)| *d);
    }
    let timeline = timeline.into_iter().map(|(_, e)| e).collect();
    let is_named_provider = p.provider() == Some(app.provider);
    let balance = app.balance();
    html(
        Page {
            f: Frame::new(lang, visitor, "/portefeuille"),
            key: app.key.clone(),
            state: t.state(app.state),
            eligible: app.eligible.to_string(),
            subsidy: app.subsidy.to_string(),
            own_share: app.own_share.to_string(),
            deposited: app.deposited.to_string(),
            paid: app.paid().to_string(),
            balance: balance.to_string(),
            deposit,
            release_by,
            can_release,
            release_amount: typed.release_amount.unwrap_or_else(|| {
                let text = balance.to_string();
                text.trim_start_matches("€ ").to_owned()
            }),
            release_invoice: typed.release_invoice.unwrap_or_default(),
            release_error: typed.release_error,
            stop,
            stop_error: typed.stop_error,
            confirmed: confirmed.map(date),
            can_confirm: is_named_provider
                && confirmed.is_none()
                && matches!(
                    app.state,
                    lifecycle::State::Submitted
                        | lifecycle::State::Funded
                        | lifecycle::State::PartiallyPaid
                ),
            can_refuse: allowed(p, &app, Access::Provide)
                && p.provider().is_some()
                && matches!(
                    app.state,
                    lifecycle::State::Submitted | lifecycle::State::Funded
                )
                && app.paid().get() == 0,
            refuse_reasons: RefusalReason::ALL
                .iter()
                .map(|r| (r.code(), r.capitalised_label(lang.texts())))
                .collect(),
            refuse_error: typed.refuse_error,
            can_inspect: allowed(p, &app, Access::Inspect),
            inspect_error: typed.inspect_error,
            timeline,
        }
        .render(),
        lang,
    )
}

/// The application when the visitor may do `access` on it, or the answer to give instead: the
/// login page for an anonymous visitor, else the API's refusal (404 when it may not even see it).
async fn visible(
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    access: Access,
) -> Result<Application, Response> {
    if visitor.name().is_none() {
        return Err(see_other("/aanmelden"));
    }
    state
        .platform
        .application_for(&visitor.principal, key, access)
        .await
        .map_err(crate::failed)
}

/// The application for a form that changes it: the visitor may do `access` on it and the form
/// carries the session's CSRF token.
async fn acting(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    key: &str,
    access: Access,
    csrf: &str,
) -> Result<Application, Response> {
    let app = visible(state, visitor, key, access).await?;
    if !visitor.csrf_ok(csrf) {
        return Err(crate::csrf_failed(lang, visitor));
    }
    Ok(app)
}

/// Back to the application's page after a change (303: a reload never posts again).
fn back_to(key: &str) -> Response {
    see_other(&format!("/aanvragen/{}", path_segment(key)))
}

async fn show(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
) -> Response {
    match visible(&state, &visitor, &key, Access::View).await {
        Ok(app) => page(&state, &lang, &visitor, app, Draft::default()).await,
        Err(r) => r,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub invoice: String,
}

/// Releases (part of) an invoice. The order id is the invoice number: the same form posted
/// twice (a double click, the back button) pays once.
async fn release(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
    Form(form): Form<ReleaseForm>,
) -> Response {
    let t = lang.texts();
    let app = match acting(&state, &lang, &visitor, &key, Access::Release, &form.csrf).await {
        Ok(app) => app,
        Err(r) => return r,
    };
    let again = |error: String| Draft {
        release_amount: Some(form.amount.clone()),
        release_invoice: Some(form.invoice.clone()),
        release_error: Some(error),
        ..Draft::default()
    };
    let Some(amount) = parse_amount(&form.amount) else {
        return page(&state, &lang, &visitor, app, again(t.err_amount.to_owned())).await;
    };
    let Ok(invoice) = InvoiceNumber::parse(&form.invoice) else {
        return page(
            &state,
            &lang,
            &visitor,
            app,
            again(t.err_invoice.to_owned()),
        )
        .await;
    };
    match state
        .platform
        .release_as(
            &visitor.principal,
            &key,
            amount,
            state.clock.today(),
            &invoice,
        )
        .await
    {
        Ok(_) => back_to(&key),
        Err(e @ kmo_app::platform::CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            page(
                &state,
                &lang,
                &visitor,
                app,
                again(action_error(t, e.code())),
            )
            .await
        }
    }
}

/// Stops the application: the refund shown on the page is what the stop gives back.
async fn stop(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
    Form(form): Form<crate::portfolio::CsrfForm>,
) -> Response {
    let t = lang.texts();
    let app = match acting(&state, &lang, &visitor, &key, Access::Apply, &form.csrf).await {
        Ok(app) => app,
        Err(r) => return r,
    };
    match state
        .platform
        .stop_as(&visitor.principal, &key, state.clock.today(), None)
        .await
    {
        Ok(_) => back_to(&key),
        // Stopped already (a second click): the page shows the stopped application.
        Err(kmo_app::platform::CommandError::Transition(_))
            if app.state == lifecycle::State::Stopped =>
        {
            back_to(&key)
        }
        Err(e @ kmo_app::platform::CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let draft = Draft {
                stop_error: Some(action_error(t, e.code())),
                ..Draft::default()
            };
            page(&state, &lang, &visitor, app, draft).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
}

/// The provider named on the application refuses it, with a reason of the rule book's list.
async fn refuse(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
    Form(form): Form<RefuseForm>,
) -> Response {
    let t = lang.texts();
    let app = match acting(&state, &lang, &visitor, &key, Access::Provide, &form.csrf).await {
        Ok(app) => app,
        Err(r) => return r,
    };
    let Some(reason) = RefusalReason::parse(&form.reason) else {
        let draft = Draft {
            refuse_error: Some(t.err_choice.to_owned()),
            ..Draft::default()
        };
        return page(&state, &lang, &visitor, app, draft).await;
    };
    let result = state
        .platform
        .refuse_as(&visitor.principal, &key, state.clock.today(), reason)
        .await
        .map(|_| ());
    after_provider_command(&state, &lang, &visitor, app, result).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub csrf: String,
}

/// The provider named on the application confirms it checked it; a second confirmation (a
/// double click, the back button) changes nothing.
async fn confirm(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let app = match acting(&state, &lang, &visitor, &key, Access::Provide, &form.csrf).await {
        Ok(app) => app,
        Err(r) => return r,
    };
    let result = state
        .platform
        .confirm_as(&visitor.principal, &key, state.clock.today())
        .await
        .map(|_| ());
    after_provider_command(&state, &lang, &visitor, app, result).await
}

/// After a command of the provider named on `app` (the command checked the visitor acts for
/// it): back to the application, or the page with the refusal shown at the provider's forms.
async fn after_provider_command(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    app: Application,
    result: Result<(), kmo_app::platform::CommandError>,
) -> Response {
    match result {
        Ok(()) => back_to(&app.key),
        Err(e @ kmo_app::platform::CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let draft = Draft {
                refuse_error: Some(action_error(lang.texts(), e.code())),
                ..Draft::default()
            };
            page(state, lang, visitor, app, draft).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InspectForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

/// The agency's decision after an inspection (rules.md T9): block, unblock, or recover.
async fn inspect(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(key): Path<String>,
    Form(form): Form<InspectForm>,
) -> Response {
    let t = lang.texts();
    let app = match acting(&state, &lang, &visitor, &key, Access::Inspect, &form.csrf).await {
        Ok(app) => app,
        Err(r) => return r,
    };
    let action = match form.action.as_str() {
        "block" => Some(kmo_app::platform::Inspection::Block),
        "unblock" => Some(kmo_app::platform::Inspection::Unblock),
        "recover" => Some(kmo_app::platform::Inspection::Recover),
        _ => None,
    };
    let Some(action) = action else {
        let draft = Draft {
            inspect_error: Some(t.err_choice.to_owned()),
            ..Draft::default()
        };
        return page(&state, &lang, &visitor, app, draft).await;
    };
    match state
        .platform
        .inspect_as(
            &visitor.principal,
            &key,
            action,
            state.clock.today(),
            form.reason.trim(),
        )
        .await
    {
        Ok(_) => back_to(&key),
        Err(e @ kmo_app::platform::CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let text = match &e {
                kmo_app::platform::CommandError::Invalid { field, .. } if field == "reason" => {
                    t.in_reason_needed.to_owned()
                }
                other => action_error(t, other.code()),
            };
            let draft = Draft {
                inspect_error: Some(text),
                ..Draft::default()
            };
            page(&state, &lang, &visitor, app, draft).await
        }
    }
}

/// A key as one URL path segment (unreserved characters kept, the rest percent-encoded).
fn path_segment(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn keys_become_path_segments() {
        assert_eq!(path_segment("DEMO-1"), "DEMO-1");
        assert_eq!(path_segment("a b/é"), "a%20b%2F%C3%A9");
    }
}
