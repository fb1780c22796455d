//! Log in and out, and "my wallet": for every enterprise the user holds a mandate for, the
//! ceiling left this year and each application's state, balance and next step with its
//! deadline — the step whose deadline loses the subsidy when missed. A provider's user sees
//! the applications naming its organisation.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kmo_app::accounts::Role;
use kmo_app::lifecycle::{Application, NextStep};
use kmo_app::platform::CommandError;
use kmo_app::store::AppOwner;
use kmo_domain::Date;
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::{countdown, date};
use crate::i18n::{Choice, PageTexts, T};
use crate::public::Frame;
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanmelden", get(login_form).post(login))
        .route("/afmelden", post(logout))
        .route("/portefeuille", get(portfolio))
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    f: Frame,
    email: String,
    error: Option<&'static str>,
    /// The demo's accounts, when the demo was filled in: address and what it is for.
    demo: Vec<(&'static str, &'static str)>,
}

/// The demo's accounts with what each does, when the demo is there.
async fn demo_accounts(state: &AppState, t: &T) -> Vec<(&'static str, &'static str)> {
    match state.platform.user_exists("agentschap@demo.kmo").await {
        Ok(true) => vec![
            ("ondernemer@demo.kmo", t.login_demo_owner),
            ("boekhouder@demo.kmo", t.login_demo_accountant),
            ("opleider@demo.kmo", t.login_demo_provider),
            ("agentschap@demo.kmo", t.login_demo_agency),
            ("kwaliteitskamer@demo.kmo", t.login_demo_chamber),
        ],
        _ => Vec::new(),
    }
}

async fn login_form(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if visitor.name().is_some() {
        return see_other("/portefeuille");
    }
    html(
        Login {
            f: Frame::new(&lang, &visitor, "/aanmelden"),
            email: String::new(),
            error: None,
            demo: demo_accounts(&state, lang.texts()).await,
        }
        .render(),
        &lang,
    )
}

async fn login(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = lang.texts();
    let demo = demo_accounts(&state, t).await;
    let again = |error: &'static str| {
        html(
            Login {
                f: Frame::new(&lang, &visitor, "/aanmelden"),
                email: form.email.clone(),
                error: Some(error),
                demo: demo.clone(),
            }
            .render(),
            &lang,
        )
    };
    // The same limit on failed attempts as the API's login (shared by every server).
    if kmo_http::auth::check_attempts(&state, &form.email)
        .await
        .is_err()
    {
        return again(t.err_rate);
    }
    match state
        .platform
        .authenticate(&form.email, &form.password)
        .await
    {
        Ok(user) => {
            let started = async {
                kmo_http::auth::attempt_succeeded(&state, &form.email).await?;
                kmo_http::auth::start_session(&state, user.id).await
            }
            .await;
            match started {
                Ok((cookie, _, _)) => {
                    let mut response = see_other("/portefeuille");
                    if let Ok(value) = cookie.parse() {
                        response.headers_mut().insert(header::SET_COOKIE, value);
                    }
                    response
                }
                Err(e) => e.into_response(),
            }
        }
        Err(CommandError::AuthenticationFailed) => {
            if let Err(e) = kmo_http::auth::attempt_failed(&state, &form.email).await {
                return e.into_response();
            }
            again(t.err_login)
        }
        Err(e) => crate::failed(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Ends the session. Only with the session's CSRF token: another site cannot log the user out.
async fn logout(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<CsrfForm>,
) -> Response {
    let Some((secret, _)) = &visitor.session else {
        return see_other("/");
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    if let Err(e) = state.platform.end_session(secret).await {
        return crate::failed(e);
    }
    let mut response = see_other("/");
    if let Ok(value) = kmo_http::auth::ended_session_cookie().parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// One application as the wallet page shows it.
#[derive(Debug)]
pub struct Row {
    pub key: String,
    pub state: &'static str,
    pub subsidy: String,
    pub balance: String,
    /// The next step's instruction, its deadline and countdown, and whether it is close.
    pub step: String,
    pub detail: Option<String>,
    pub deadline: Option<String>,
    pub countdown: Option<String>,
    pub urgent: bool,
}

/// A row of the provider's list: its own next step is to check the application (confirm or
/// refuse) while it is open and unconfirmed.
fn provider_row(t: &T, a: &Application, today: Date, confirmed: Option<Date>) -> Row {
    let mut r = row(t, a, today);
    let open = matches!(
        a.state,
        kmo_app::lifecycle::State::Submitted
            | kmo_app::lifecycle::State::Funded
            | kmo_app::lifecycle::State::PartiallyPaid
    );
    match confirmed {
        Some(on) => r.detail = Some(format!("{} {}", t.pf_confirmed_on, date(on))),
        None if open => {
            r.step = t.pf_to_check.to_owned();
            r.detail = None;
            r.deadline = None;
            r.countdown = None;
            r.urgent = false;
        }
        None => {}
    }
    r
}

fn row(t: &T, a: &Application, today: Date) -> Row {
    let reference = a.reference_text();
    let (step, detail, by) = match a.next_step() {
        Some(NextStep::Deposit { amount, by }) => (
            t.step_deposit.to_owned(),
            Some(format!("{amount} — {reference}")),
            Some(by),
        ),
        Some(NextStep::Release { left, by }) => {
            (t.step_release.to_owned(), Some(left.to_string()), Some(by))
        }
        Some(NextStep::AwaitAgency) => (t.step_await.to_owned(), None, None),
        Some(NextStep::Repay { amount }) => (
            t.step_repay.to_owned(),
            Some(format!("{amount} — {reference}")),
            None,
        ),
        None => (t.step_none.to_owned(), None, None),
    };
    let (countdown_text, urgent) = by.map_or((None, false), |by| {
        let (text, urgent) = countdown(t, today, by);
        (Some(text), urgent)
    });
    Row {
        key: a.key.clone(),
        state: t.state(a.state),
        subsidy: a.subsidy.to_string(),
        balance: a.balance().to_string(),
        step,
        detail,
        deadline: by.map(date),
        countdown: countdown_text,
        urgent,
    }
}

/// One enterprise's part of the page.
#[derive(Debug)]
pub struct EnterpriseBlock {
    pub name: String,
    pub number: String,
    pub scope: &'static str,
    pub year: i32,
    pub left: Option<String>,
    pub ceiling: Option<String>,
    pub reserved: String,
    /// Share of the ceiling still available, in whole percent (for the bar).
    pub left_pct: i64,
    /// De-minimis aid in the window that counts today, and the room left under its ceiling.
    pub de_minimis: Option<(String, String, String)>,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct Portfolio {
    f: Frame,
    enterprises: Vec<EnterpriseBlock>,
    provider_rows: Option<Vec<Row>>,
    /// A provider's payouts received: date and amount.
    payouts: Option<Vec<(String, String)>>,
    staff: bool,
    /// Agency staff (the quality chamber is staff too, with fewer pages).
    agency: bool,
}

/// Applications listed per enterprise or provider on the page (the API pages further).
const ROWS_MAX: u32 = 100;

async fn portfolio(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    match portfolio_page(&state, &lang, &visitor).await {
        Ok(page) => html(page.render(), &lang),
        Err(e) => crate::failed(e),
    }
}

async fn portfolio_page(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
) -> Result<Portfolio, CommandError> {
    let t = lang.texts();
    let today = state.clock.today();
    let mut enterprises = Vec::new();
    let mut provider_rows = None;
    let mut payouts = None;
    let mut staff = false;
    match &visitor.principal {
        kmo_app::accounts::Principal::User {
            role: Role::Enterprise,
            ..
        } => {
            let wallets = state
                .platform
                .enterprise_wallets(&visitor.principal, today, ROWS_MAX)
                .await?;
            for wallet in wallets {
                let (e, w, aid) = (&wallet.enterprise, &wallet.year, wallet.de_minimis);
                let left_pct = match (w.left, w.ceiling) {
                    (Some(l), Some(c)) if c.is_positive() => {
                        (l.get().saturating_mul(100) / c.get()).clamp(0, 100)
                    }
                    _ => 0,
                };
                let de_minimis = state.rules.in_force(today).map(|rs| {
                    (
                        aid.to_string(),
                        rs.de_minimis_ceiling
                            .checked_sub(aid)
                            .filter(|c| !c.is_negative())
                            .unwrap_or(kmo_domain::Cents::ZERO)
                            .to_string(),
                        rs.de_minimis_ceiling.to_string(),
                    )
                });
                enterprises.push(EnterpriseBlock {
                    name: e.name.clone(),
                    number: e.key.clone(),
                    scope: t.scope(&wallet.scope),
                    year: w.year,
                    left: w.left.map(|c| c.to_string()),
                    ceiling: w.ceiling.map(|c| c.to_string()),
                    reserved: w.reserved.to_string(),
                    left_pct,
                    de_minimis,
                    rows: wallet
                        .applications
                        .iter()
                        .map(|(_, a)| row(t, a, today))
                        .collect(),
                });
            }
        }
        kmo_app::accounts::Principal::User {
            role: Role::Provider,
            user,
            ..
        } => {
            if let Some(provider) = user.provider {
                let apps = state
                    .platform
                    .applications_page(AppOwner::Provider(provider), 0, ROWS_MAX)
                    .await?;
                let confirmed = state.platform.confirmations(provider, None).await?;
                provider_rows = Some(
                    apps.iter()
                        .map(|(_, a)| {
                            provider_row(t, a, today, confirmed.get(&a.id.get()).copied())
                        })
                        .collect(),
                );
                let paid = state
                    .platform
                    .provider_payouts(provider, 0, ROWS_MAX)
                    .await?;
                payouts = Some(
                    paid.iter()
                        .map(|m| {
                            (
                                date(m.date),
                                kmo_domain::Cents::new(m.amount_cents).to_string(),
                            )
                        })
                        .collect(),
                );
            }
        }
        _ => staff = true,
    }
    Ok(Portfolio {
        f: Frame::new(lang, visitor, "/portefeuille"),
        enterprises,
        provider_rows,
        payouts,
        staff,
        agency: visitor.principal.is_agency(),
    })
}
