//! The occupation-specific list (rules.md §4.3) on the web: a provider asks to put one of its
//! services in that theme on the list; the agency assesses the request against the criteria and
//! records the decision; the quality chamber gives its advice. The steps are `kmo-app`'s
//! (`Platform::request_listing`, `assess_listing`, `advise_listing`, `decide_listing`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::accounts::Role;
use kmo_app::kernel::ErrorCode;
use kmo_app::occupation::{Criterion, ListRequest, ListRequestState};
use kmo_app::platform::CommandError;
use kmo_domain::Theme;
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::date;
use crate::i18n::{Choice, Listing, T};
use crate::public::Frame;
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/dienstverlener/beroepslijst",
            get(provider_page).post(request),
        )
        .route("/agentschap/beroepslijst", get(queue))
        .route("/agentschap/beroepslijst/stap", post(step))
}

/// The page's names for kmo-app's request states and criteria.
trait ListingTexts {
    fn state(&self, s: ListRequestState) -> &'static str;
    fn criterion(&self, c: Criterion) -> &'static str;
    /// Every criterion, in the order of `Criterion::ALL`.
    fn criteria(&self) -> [&'static str; 4];
}

impl ListingTexts for Listing {
    fn state(&self, s: ListRequestState) -> &'static str {
        match s {
            ListRequestState::Submitted => self.state_submitted,
            ListRequestState::Assessed => self.state_assessed,
            ListRequestState::Approved => self.state_approved,
            ListRequestState::Rejected => self.state_rejected,
        }
    }

    fn criterion(&self, c: Criterion) -> &'static str {
        match c {
            Criterion::BottleneckOccupation => self.criterion_bottleneck_occupation,
            Criterion::Stem => self.criterion_stem,
            Criterion::FutureShortage => self.criterion_future_shortage,
            Criterion::LegalCertificate => self.criterion_legal_certificate,
        }
    }

    fn criteria(&self) -> [&'static str; 4] {
        Criterion::ALL.map(|c| self.criterion(c))
    }
}

/// A request as shown.
#[derive(Debug)]
pub struct Shown {
    pub key: String,
    pub provider: String,
    pub service: String,
    pub description: String,
    pub target_group: String,
    pub criterion: &'static str,
    pub submitted_on: String,
    pub state: &'static str,
    pub open: bool,
    /// Waiting for the assessment (else for the decision, when open).
    pub to_assess: bool,
    pub assessment: Option<String>,
    pub advice: Option<String>,
    pub decision: Option<String>,
}

fn shown(l: &Listing, key: String, provider: String, r: &ListRequest) -> Shown {
    Shown {
        key,
        provider,
        service: r.service_name.clone(),
        description: r.description.clone(),
        target_group: r.target_group.clone(),
        criterion: l.criterion(r.criterion),
        submitted_on: date(r.submitted_on),
        state: l.state(r.state),
        open: r.state.is_open(),
        to_assess: r.state == ListRequestState::Submitted,
        assessment: r.assessment.as_ref().map(|a| {
            let verdict = if a.meets_criterion {
                l.meets
            } else {
                l.not_meets
            };
            let note = if a.note.is_empty() {
                String::new()
            } else {
                format!(" — {}", a.note)
            };
            format!("{} ({}){note}", verdict, date(a.on))
        }),
        advice: r.advice.as_ref().map(|a| {
            let verdict = if a.favourable {
                l.favourable
            } else {
                l.unfavourable
            };
            format!("{verdict} ({}) — {}", date(a.on), a.text)
        }),
        decision: r.decision.as_ref().map(|d| {
            let verdict = if d.approved { l.approved } else { l.rejected };
            let reason = if d.reason.is_empty() {
                String::new()
            } else {
                format!(" — {}", d.reason)
            };
            format!("{verdict} ({}){reason}", date(d.on))
        }),
    }
}

// --- the provider's page ---

#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub target_group: String,
    #[serde(default)]
    pub criterion: String,
}

#[derive(Debug, Default)]
pub struct RequestErrors {
    pub service: Option<String>,
    pub description: Option<String>,
    pub target_group: Option<String>,
    pub criterion: Option<String>,
}

impl RequestErrors {
    fn any(&self) -> bool {
        self.service.is_some()
            || self.description.is_some()
            || self.target_group.is_some()
            || self.criterion.is_some()
    }
}

#[derive(Template)]
#[template(path = "listing.html")]
struct ProviderPage {
    f: Frame,
    l: &'static Listing,
    /// The services that may be put forward: (id, name).
    services: Vec<(String, String)>,
    criteria: Vec<(&'static str, &'static str)>,
    requests: Vec<Shown>,
    form: RequestForm,
    errors: RequestErrors,
}

async fn own_provider(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
) -> Result<(i64, String), Response> {
    if visitor.name().is_none() {
        return Err(see_other("/aanmelden"));
    }
    let Some(id) = visitor.principal.provider() else {
        return Err(crate::forbidden(lang, visitor));
    };
    let key = state
        .platform
        .provider_key(id)
        .await
        .map_err(crate::failed)?;
    Ok((id.get(), key))
}

async fn render_provider(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    (id, key): (i64, String),
    form: RequestForm,
    errors: RequestErrors,
) -> Response {
    let l = &lang.texts().listing;
    let loaded = async {
        let services = state.platform.services(&key).await?;
        let requests = state.platform.list_requests(Some(id)).await?;
        let (p, _) = state.platform.provider(&key).await?;
        Ok::<_, CommandError>((services, requests, p.name))
    }
    .await;
    let (services, requests, name) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::failed(e),
    };
    let waiting: Vec<i64> = requests
        .iter()
        .filter(|(_, r)| r.state.is_open())
        .map(|(rec, _)| rec.service)
        .collect();
    html(
        ProviderPage {
            f: Frame::new(lang, visitor, "/dienstverlener/beroepslijst"),
            l,
            services: services
                .into_iter()
                .filter(|(id, s)| {
                    s.theme == Theme::OccupationSpecific.code()
                        && !s.on_occupation_list
                        && !waiting.contains(id)
                })
                .map(|(id, s)| (id.to_string(), s.name))
                .collect(),
            criteria: Criterion::ALL
                .iter()
                .map(|c| (c.code(), l.criterion(*c)))
                .collect(),
            requests: requests
                .into_iter()
                .map(|(rec, r)| shown(l, rec.key, name.clone(), &r))
                .collect(),
            form,
            errors,
        }
        .render(),
        lang,
    )
}

async fn provider_page(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    match own_provider(&state, &lang, &visitor).await {
        Ok(p) => {
            render_provider(
                &state,
                &lang,
                &visitor,
                p,
                RequestForm::default(),
                RequestErrors::default(),
            )
            .await
        }
        Err(r) => r,
    }
}

/// The provider's request; posting the same form twice finds the first request waiting and
/// says so next to the service.
async fn request(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<RequestForm>,
) -> Response {
    let (id, key) = match own_provider(&state, &lang, &visitor).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let l = &lang.texts().listing;
    let mut errors = RequestErrors::default();
    let service = form.service.trim().parse::<i64>().ok();
    if service.is_none() {
        errors.service = Some(l.err_choice.to_owned());
    }
    if form.description.trim().is_empty() {
        errors.description = Some(l.err_required.to_owned());
    }
    if form.target_group.trim().is_empty() {
        errors.target_group = Some(l.err_required.to_owned());
    }
    if Criterion::parse(&form.criterion).is_none() {
        errors.criterion = Some(l.err_choice.to_owned());
    }
    let (Some(service), false) = (service, errors.any()) else {
        return render_provider(&state, &lang, &visitor, (id, key), form, errors).await;
    };
    match state
        .platform
        .request_listing(
            &key,
            service,
            &form.description,
            &form.target_group,
            &form.criterion,
            state.clock.today(),
        )
        .await
    {
        Ok(_) => see_other("/dienstverlener/beroepslijst"),
        Err(CommandError::Invalid { field, message }) => {
            let text = Some(message);
            match field.as_str() {
                "description" => errors.description = text,
                "target_group" => errors.target_group = text,
                "criterion" => errors.criterion = text,
                _ => errors.service = text,
            }
            render_provider(&state, &lang, &visitor, (id, key), form, errors).await
        }
        Err(e) => crate::failed(e),
    }
}

// --- the agency's and the quality chamber's queue ---

#[derive(Template)]
#[template(path = "listing_queue.html")]
struct QueuePage {
    f: Frame,
    l: &'static Listing,
    agency: bool,
    open: Vec<Shown>,
    closed: Vec<Shown>,
    /// A refused step: the request's key and the message.
    step_error: Option<(String, String)>,
}

/// Agency staff (true) or the quality chamber (false); anyone else is refused.
fn staff(lang: &Choice, visitor: &Visitor) -> Result<bool, Box<Response>> {
    match visitor.principal.role() {
        Some(Role::Agency) => Ok(true),
        Some(Role::QualityChamber) => Ok(false),
        Some(_) => Err(Box::new(crate::forbidden(lang, visitor))),
        None => Err(Box::new(see_other("/aanmelden"))),
    }
}

async fn render_queue(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    agency: bool,
    step_error: Option<(String, String)>,
) -> Response {
    let l = &lang.texts().listing;
    let loaded = async {
        let requests = state.platform.list_requests(None).await?;
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::with_capacity(requests.len());
        for (rec, r) in requests {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(rec.provider.get())
            {
                let key = state.platform.provider_key(rec.provider).await?;
                let (p, _) = state.platform.provider(&key).await?;
                slot.insert(p.name);
            }
            let name = names.get(&rec.provider.get()).cloned().unwrap_or_default();
            out.push(shown(l, rec.key, name, &r));
        }
        Ok::<_, CommandError>(out)
    }
    .await;
    let (open, closed) = match loaded {
        Ok(all) => all.into_iter().partition(|s| s.open),
        Err(e) => return crate::failed(e),
    };
    html(
        QueuePage {
            f: Frame::new(lang, visitor, "/agentschap/beroepslijst"),
            l,
            agency,
            open,
            closed,
            step_error,
        }
        .render(),
        lang,
    )
}

async fn queue(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    match staff(&lang, &visitor) {
        Ok(agency) => render_queue(&state, &lang, &visitor, agency, None).await,
        Err(r) => *r,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub request: String,
    /// `assess`, `advise` or `decide`.
    #[serde(default)]
    pub action: String,
    /// `yes` or `no`: criterion met, favourable advice, approval.
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub text: String,
}

/// A step on a request: the agency assesses and decides, the quality chamber advises.
async fn step(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<StepForm>,
) -> Response {
    let agency = match staff(&lang, &visitor) {
        Ok(agency) => agency,
        Err(r) => return *r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let l = &lang.texts().listing;
    let verdict = match form.verdict.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let today = state.clock.today();
    let p = &state.platform;
    let result = match (form.action.as_str(), verdict, agency) {
        (_, None, _) => Err(CommandError::Invalid {
            field: "verdict".into(),
            message: l.err_choice.to_owned(),
        }),
        ("assess", Some(v), true) => p.assess_listing(&form.request, v, &form.text, today).await,
        ("decide", Some(v), true) => p.decide_listing(&form.request, v, &form.text, today).await,
        ("advise", Some(v), false) => p.advise_listing(&form.request, v, &form.text, today).await,
        _ => return crate::forbidden(&lang, &visitor),
    };
    match result {
        Ok(_) => see_other("/agentschap/beroepslijst"),
        Err(e @ CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let text = message(lang.texts(), &e).to_owned();
            render_queue(&state, &lang, &visitor, agency, Some((form.request, text))).await
        }
    }
}

/// A refused step in the page's language: the field's own text, else the code's sentence (a
/// step the request's state does not allow is an illegal transition), never kmo-app's English.
fn message(t: &T, e: &CommandError) -> &'static str {
    let l = &t.listing;
    match e {
        CommandError::Invalid { field, .. } => match field.as_str() {
            "note" | "reason" | "advice" => l.err_required,
            "verdict" => l.err_choice,
            "state" => ErrorCode::IllegalTransition.text(t),
            _ => e.error_code().text(t),
        },
        other => other.error_code().text(t),
    }
}
