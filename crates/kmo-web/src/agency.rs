//! The agency's desk: book the lines of a bank statement (the own-share deposits: matched by
//! their structured reference and exact amount, else sent back), and run the payouts (every
//! released invoice and refund since the last run). Agency staff only.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::accounts::{Role, random_key};
use kmo_app::platform::{CommandError, DepositTarget};
use kmo_app::store::AppOwner;
use kmo_http::AppState;
use serde::Deserialize;

use crate::i18n::{Choice, T};
use crate::public::{Frame, parse_amount};
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agentschap", get(desk))
        .route("/agentschap/storting", post(deposit))
        .route("/agentschap/uitbetaling", post(payout))
        .route("/agentschap/boeken", get(books))
}

#[derive(Debug, Default, Deserialize)]
pub struct DepositForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub bank_ref: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PayoutForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub run: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
struct Desk {
    f: Frame,
    line: DepositForm,
    line_error: Option<&'static str>,
    /// What became of the last booked line: good news or the reason it was sent back.
    line_outcome: Option<(bool, String)>,
    run: String,
    payouts: Option<(usize, String)>,
    queues: Queues,
}

/// The agency's queues: deposits to expect, and what the next payout run will send.
#[derive(Debug, Default)]
pub struct Queues {
    /// Application key, structured reference, own share, deadline.
    pub deposits: Vec<(String, String, String, String)>,
    /// Application key (empty when unknown) and the own share to send back.
    pub refunds: Vec<(String, String)>,
    /// Provider name and the amount owed.
    pub providers: Vec<(String, String)>,
    /// The total of the next run.
    pub total: String,
}

/// Deposits listed in the queue (the oldest applications first).
const QUEUE_MAX: u32 = 50;

async fn queues(state: &AppState) -> Result<Queues, CommandError> {
    let p = &state.platform;
    let waiting = p
        .applications_page(AppOwner::AwaitingDeposit, 0, QUEUE_MAX)
        .await?;
    let due = p.payouts_due().await?;
    let mut q = Queues {
        deposits: waiting
            .iter()
            .map(|(key, a)| {
                (
                    key.clone(),
                    crate::application::reference(a),
                    a.own_share.to_string(),
                    crate::format::date(a.deposit_deadline),
                )
            })
            .collect(),
        ..Queues::default()
    };
    let mut total = kmo_domain::Cents::ZERO;
    for (application, amount) in &due.refunds {
        let key = match application {
            Some(id) => {
                p.application_key(kmo_domain::ApplicationId::new(*id))
                    .await?
            }
            None => String::new(),
        };
        q.refunds.push((key, amount.to_string()));
        total = total.checked_add(*amount).unwrap_or(total);
    }
    for (provider, amount) in &due.providers {
        let (record, _) = p
            .provider(
                &p.provider_key(kmo_domain::ProviderId::new(*provider))
                    .await?,
            )
            .await?;
        q.providers.push((record.name, amount.to_string()));
        total = total.checked_add(*amount).unwrap_or(total);
    }
    q.total = total.to_string();
    Ok(q)
}

/// `None` for agency staff; else the answer: the login page, or 403.
pub(crate) fn staff(lang: &Choice, visitor: &Visitor) -> Option<Response> {
    match visitor.principal.role() {
        Some(Role::Agency) => None,
        Some(_) => Some(crate::forbidden(lang, visitor)),
        None => Some(see_other("/aanmelden")),
    }
}

/// For a form that changes something: `None` for agency staff whose form carries the session's
/// CSRF token; else the answer to give.
pub(crate) fn staff_form(lang: &Choice, visitor: &Visitor, csrf: &str) -> Option<Response> {
    staff(lang, visitor)
        .or_else(|| (!visitor.csrf_ok(csrf)).then(|| crate::csrf_failed(lang, visitor)))
}

async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    line: DepositForm,
    line_error: Option<&'static str>,
    line_outcome: Option<(bool, String)>,
    payouts: Option<(usize, String)>,
) -> Response {
    let run = match random_key("WEB-") {
        Ok(r) => r,
        Err(e) => return crate::failed(e),
    };
    let queues = match queues(state).await {
        Ok(q) => q,
        Err(e) => return crate::failed(e),
    };
    html(
        Desk {
            f: Frame::new(lang, visitor, "/agentschap"),
            line,
            line_error,
            line_outcome,
            run,
            payouts,
            queues,
        }
        .render(),
        lang,
    )
}

async fn desk(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if let Some(r) = staff(&lang, &visitor) {
        return r;
    }
    render(
        &state,
        &lang,
        &visitor,
        DepositForm::default(),
        None,
        None,
        None,
    )
    .await
}

/// Why a line was sent back, in the user's words.
fn returned(t: &T, code: &str) -> String {
    let why = match code {
        "UNKNOWN_REFERENCE" => t.ag_returned_unknown_reference,
        "DEPOSIT_WRONG_AMOUNT" => t.ag_returned_deposit_wrong_amount,
        "DEPOSIT_AFTER_DEADLINE" => t.ag_returned_deposit_after_deadline,
        "DEPOSIT_ALREADY_FUNDED" => t.ag_returned_deposit_already_funded,
        other => {
            return kmo_app::kernel::ErrorCode::parse(other)
                .unwrap_or(kmo_app::kernel::ErrorCode::Repeated)
                .text(t)
                .to_owned();
        }
    };
    format!("{} {why}", t.ag_returned)
}

async fn deposit(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(line): Form<DepositForm>,
) -> Response {
    if let Some(r) = staff_form(&lang, &visitor, &line.csrf) {
        return r;
    }
    let t = lang.texts();
    let bank_ref = line.bank_ref.trim().to_owned();
    let amount = parse_amount(&line.amount);
    let (Some(amount), false) = (amount, bank_ref.is_empty() || bank_ref.len() > 100) else {
        let error = if amount.is_none() {
            t.err_amount
        } else {
            t.ag_err_bank_ref
        };
        return render(&state, &lang, &visitor, line, Some(error), None, None).await;
    };
    let result = state
        .platform
        .deposit(
            &DepositTarget::Reference(line.reference.trim().to_owned()),
            amount,
            state.clock.today(),
            &bank_ref,
        )
        .await;
    let outcome = match result {
        Ok(app) => (true, format!("{} {}", t.ag_booked, app.key)),
        Err(e @ CommandError::Store(_)) => return crate::failed(e),
        // The same statement line again: booked once, whatever its first outcome was.
        Err(CommandError::Repeated { .. }) => (false, t.ag_repeated.to_owned()),
        Err(e) => (false, returned(t, e.code())),
    };
    render(
        &state,
        &lang,
        &visitor,
        DepositForm::default(),
        None,
        Some(outcome),
        None,
    )
    .await
}

async fn payout(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<PayoutForm>,
) -> Response {
    if let Some(r) = staff_form(&lang, &visitor, &form.csrf) {
        return r;
    }
    // The run id came with the form: posting it twice answers the same run, paying nothing twice.
    match state
        .platform
        .payout_run(&form.run, state.clock.today())
        .await
    {
        Ok(run) => {
            let total = kmo_domain::Cents::new(run.total_cents).to_string();
            render(
                &state,
                &lang,
                &visitor,
                DepositForm::default(),
                None,
                None,
                Some((run.payouts.len(), total)),
            )
            .await
        }
        Err(e) => crate::failed(e),
    }
}

/// The ledger check's answer, as shown.
#[derive(Template)]
#[template(path = "books.html")]
struct Books {
    f: Frame,
    clean: bool,
    transfers: u64,
    accounts: usize,
    applications: usize,
    open_reservations: usize,
    bank: String,
    wallets: String,
    problems: Vec<String>,
}

/// `kmo ledger check` on a page: every balance recomputed from the journal (agency staff).
async fn books(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if let Some(r) = staff(&lang, &visitor) {
        return r;
    }
    match state.platform.ledger_report().await {
        Ok(r) => html(
            Books {
                f: Frame::new(&lang, &visitor, "/agentschap/boeken"),
                clean: r.is_clean(),
                transfers: r.transfers,
                accounts: r.accounts,
                applications: r.applications,
                open_reservations: r.open_reservations,
                bank: kmo_domain::Cents::new(r.bank_cents).to_string(),
                wallets: kmo_domain::Cents::new(r.wallets_cents).to_string(),
                problems: r.problems,
            }
            .render(),
            &lang,
        ),
        Err(e) => crate::failed(e),
    }
}
