//! The agency's provider registry (rules.md §7): every provider with its registration per
//! service kind, and the steps a registration goes through — the audit result, the registration
//! for five years, a suspension (lifted again) or an exclusion — plus a new provider's request.
//! Agency staff only; each step is one audited command of `kmo-app`.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::platform::CommandError;
use kmo_app::registry::{Registration, RegistrationState};
use kmo_domain::{EnterpriseNumber, ProviderNumber, ServiceKind};
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::date;
use crate::i18n::{Choice, Label, Registry, T};
use crate::public::Frame;
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agentschap/dienstverleners", get(show).post(add))
        .route("/agentschap/dienstverleners/stap", post(step))
}

/// Providers listed on the page.
const PROVIDERS_MAX: u32 = 200;

/// The page's names for kmo-app's registration states.
trait RegistryTexts {
    fn state(&self, s: RegistrationState) -> &'static str;
}

impl RegistryTexts for Registry {
    fn state(&self, s: RegistrationState) -> &'static str {
        match s {
            RegistrationState::Requested => self.state_requested,
            RegistrationState::Audited => self.state_audited,
            RegistrationState::Registered => self.state_registered,
            RegistrationState::Suspended => self.state_suspended,
            RegistrationState::Excluded => self.state_excluded,
            RegistrationState::Expired => self.state_expired,
            RegistrationState::Refused => self.state_refused,
        }
    }
}

/// One registration on the page, with the steps it allows.
#[derive(Debug)]
pub struct Reg {
    pub kind: &'static str,
    pub kind_label: String,
    pub number: String,
    pub state: &'static str,
    pub until: Option<String>,
    /// (action code, button label).
    pub actions: Vec<(&'static str, &'static str)>,
}

#[derive(Debug)]
pub struct Row {
    pub key: String,
    pub name: String,
    pub registrations: Vec<Reg>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub registration: String,
}

#[derive(Debug, Default)]
pub struct NewErrors {
    pub name: Option<String>,
    pub number: Option<String>,
    pub registration: Option<String>,
}

impl NewErrors {
    fn any(&self) -> bool {
        self.name.is_some() || self.number.is_some() || self.registration.is_some()
    }
}

#[derive(Template)]
#[template(path = "registry.html")]
struct Page {
    f: Frame,
    l: &'static Registry,
    rows: Vec<Row>,
    step_error: Option<String>,
    form: NewForm,
    errors: NewErrors,
}

fn actions(l: &'static Registry, state: RegistrationState) -> Vec<(&'static str, &'static str)> {
    match state {
        RegistrationState::Requested => {
            vec![("audit_pass", l.audit_pass), ("audit_fail", l.audit_fail)]
        }
        RegistrationState::Audited => vec![("register", l.register)],
        RegistrationState::Registered => vec![("suspend", l.suspend), ("exclude", l.exclude)],
        RegistrationState::Suspended => vec![("reinstate", l.reinstate), ("exclude", l.exclude)],
        RegistrationState::Excluded | RegistrationState::Expired | RegistrationState::Refused => {
            Vec::new()
        }
    }
}

fn reg(t: &'static T, r: &Registration, today: kmo_domain::Date) -> Reg {
    let l = &t.registry;
    let kind = r.kind();
    let state = r.on(today);
    Reg {
        kind: kind.code(),
        kind_label: kind.capitalised_label(t),
        number: r.number.to_string(),
        state: l.state(state),
        until: r.valid_until.map(date),
        actions: actions(l, state),
    }
}

async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    step_error: Option<String>,
    form: NewForm,
    errors: NewErrors,
) -> Response {
    let l = &lang.texts().registry;
    let today = state.clock.today();
    let loaded = async {
        let mut rows = Vec::new();
        for p in state
            .platform
            .search_providers("", None, 0, PROVIDERS_MAX)
            .await?
        {
            let registrations = state.platform.registrations(p.id).await?;
            rows.push(Row {
                key: p.key,
                name: p.name,
                registrations: registrations
                    .iter()
                    .flatten()
                    .map(|r| reg(lang.texts(), r, today))
                    .collect(),
            });
        }
        Ok::<_, CommandError>(rows)
    }
    .await;
    match loaded {
        Ok(rows) => html(
            Page {
                f: Frame::new(lang, visitor, "/agentschap/dienstverleners"),
                l,
                rows,
                step_error,
                form,
                errors,
            }
            .render(),
            lang,
        ),
        Err(e) => crate::failed(e),
    }
}

async fn show(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if let Some(r) = crate::agency::staff(&lang, &visitor) {
        return r;
    }
    render(
        &state,
        &lang,
        &visitor,
        None,
        NewForm::default(),
        NewErrors::default(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub action: String,
}

/// One step of a registration; an impossible one (a stale page) is shown above the list.
async fn step(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<StepForm>,
) -> Response {
    if let Some(r) = crate::agency::staff_form(&lang, &visitor, &form.csrf) {
        return r;
    }
    let l = &lang.texts().registry;
    let today = state.clock.today();
    let p = &state.platform;
    let result = match (ServiceKind::parse(&form.kind), form.action.as_str()) {
        (Some(kind), "audit_pass") => p.record_audit(&form.provider, kind, true).await,
        (Some(kind), "audit_fail") => p.record_audit(&form.provider, kind, false).await,
        (Some(kind), "register") => p.register(&form.provider, kind, today).await,
        (Some(kind), "suspend") => p.sanction(&form.provider, kind, false).await,
        (Some(kind), "exclude") => p.sanction(&form.provider, kind, true).await,
        (Some(kind), "reinstate") => p.reinstate(&form.provider, kind).await,
        _ => Err(CommandError::Invalid {
            field: "action".into(),
            message: format!("unknown step {:?} for kind {:?}", form.action, form.kind),
        }),
    };
    match result {
        Ok(_) => see_other("/agentschap/dienstverleners"),
        Err(e @ CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            render(
                &state,
                &lang,
                &visitor,
                Some(format!(
                    "{}: {}",
                    l.err_step,
                    e.error_code().text(lang.texts())
                )),
                NewForm::default(),
                NewErrors::default(),
            )
            .await
        }
    }
}

/// A new provider (or a new service kind for a known one) with its registration request.
async fn add(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<NewForm>,
) -> Response {
    if let Some(r) = crate::agency::staff_form(&lang, &visitor, &form.csrf) {
        return r;
    }
    let l = &lang.texts().registry;
    let mut errors = NewErrors::default();
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.name = Some(l.err_name.to_owned());
    }
    let number = match EnterpriseNumber::parse(form.number.trim()) {
        Ok(n) => Some(n.to_string()),
        Err(e) => {
            errors.number = Some(format!("{}: {e}", l.err_number));
            None
        }
    };
    let registration = match ProviderNumber::parse_lenient(form.registration.trim()) {
        Ok(r) => Some(r.number),
        Err(e) => {
            errors.registration = Some(format!("{}: {e}", l.err_registration));
            None
        }
    };
    let (Some(key), Some(registration), false) = (number, registration, errors.any()) else {
        return render(&state, &lang, &visitor, None, form, errors).await;
    };
    let kind = match registration.kind() {
        kmo_domain::provider_number::ProviderServiceKind::Training => ServiceKind::Training,
        kmo_domain::provider_number::ProviderServiceKind::Advice => ServiceKind::Advice,
    };
    let p = &state.platform;
    let done = async {
        let id = p.register_provider(&key, &name).await?;
        let [training, advice] = p.registrations(id).await?;
        let current = if kind == ServiceKind::Advice {
            advice
        } else {
            training
        };
        // A new request only where there is none, or the last one ended (refused, expired).
        if current.is_some_and(|r| {
            !matches!(
                r.on(state.clock.today()),
                RegistrationState::Refused | RegistrationState::Expired
            )
        }) {
            return Ok(false);
        }
        let (_, profile) = p.provider(&key).await?;
        p.set_provider_profile(&key, Some(&key), profile.iban.as_deref(), &profile.themes)
            .await?;
        p.request_registration(&key, registration.as_ref(), kind, state.clock.today())
            .await?;
        Ok::<_, CommandError>(true)
    }
    .await;
    match done {
        Ok(true) => see_other("/agentschap/dienstverleners"),
        Ok(false) => {
            errors.registration = Some(l.err_exists.to_owned());
            render(&state, &lang, &visitor, None, form, errors).await
        }
        Err(CommandError::Invalid { field, message }) => {
            let text = format!("{}: {message}", l.err_registration);
            if field == "enterprise_number" {
                errors.number = Some(text);
            } else {
                errors.registration = Some(text);
            }
            render(&state, &lang, &visitor, None, form, errors).await
        }
        Err(e) => crate::failed(e),
    }
}
