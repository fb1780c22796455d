//! The occupation-specific list (rules.md §4.3) on the web: a provider asks to put one of its
//! services in that theme on the list; the agency assesses the request against the criteria and
//! records the decision; the quality chamber gives its advice. The steps are `kmo-app`'s
//! (`Platform::request_listing`, `assess_listing`, `advise_listing`, `decide_listing`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kmo_app::accounts::Role;
use kmo_app::occupation::{Criterion, ListRequest, ListRequestState};
use kmo_app::platform::CommandError;
use kmo_domain::Theme;
use kmo_domain::codes::Lang;
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::date;
use crate::i18n::Choice;
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

/// This feature's texts.
#[derive(Debug)]
pub struct Texts {
    pub title: &'static str,
    pub intro: &'static str,
    pub criteria: [&'static str; 4],
    pub new_title: &'static str,
    pub service: &'static str,
    pub no_service: &'static str,
    pub description: &'static str,
    pub description_hint: &'static str,
    pub target_group: &'static str,
    pub criterion: &'static str,
    pub submit: &'static str,
    pub yours: &'static str,
    pub none: &'static str,
    pub submitted_on: &'static str,
    pub state: &'static str,
    pub states: [&'static str; 4],
    pub assessment: &'static str,
    pub meets: &'static str,
    pub not_meets: &'static str,
    pub advice: &'static str,
    pub favourable: &'static str,
    pub unfavourable: &'static str,
    pub decision: &'static str,
    pub approved: &'static str,
    pub rejected: &'static str,
    pub queue_title: &'static str,
    pub queue_intro: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub provider: &'static str,
    pub assess: &'static str,
    pub note: &'static str,
    pub advise: &'static str,
    pub advice_text: &'static str,
    pub decide: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub reason: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub err_required: &'static str,
    pub err_choice: &'static str,
}

static NL: Texts = Texts {
    title: "Lijst beroepsspecifieke competenties",
    intro: "Onder het thema beroepsspecifieke competenties komen enkel diensten op de goedgekeurde lijst in aanmerking. Vraag de opname aan voor een dienst in dat thema; het agentschap toetst ze aan de criteria, de kwaliteitskamer kan advies geven, en de minister beslist. Een dienst komt in aanmerking als hij aan minstens één criterium voldoet:",
    criteria: [
        "competenties van een beroep op de VDAB-lijst van knelpuntberoepen",
        "technologische, technische, exact-wetenschappelijke of wiskundige kennis (STEM, zorg-STEM)",
        "een toekomstig tekort aan vaardigheden in de sector, aangetoond met een wetenschappelijk onderbouwde methode",
        "een attest of getuigschrift dat wettelijk vereist is om een beroep uit te oefenen in België",
    ],
    new_title: "Opname aanvragen",
    service: "Dienst",
    no_service: "U heeft geen dienst in het thema beroepsspecifieke competenties die nog niet op de lijst staat of al wacht op een beslissing. Voeg eerst zo'n dienst toe aan uw aanbod.",
    description: "Korte beschrijving",
    description_hint: "Wat leren de deelnemers, en voor welk beroep?",
    target_group: "Doelgroep",
    criterion: "Criterium waaraan de dienst voldoet",
    submit: "Opname aanvragen",
    yours: "Uw aanvragen",
    none: "Nog geen aanvragen.",
    submitted_on: "Ingediend op",
    state: "Stand",
    states: [
        "ingediend, wacht op toetsing",
        "getoetst, wacht op beslissing",
        "goedgekeurd: de dienst staat op de lijst",
        "afgewezen",
    ],
    assessment: "Toetsing door het agentschap",
    meets: "voldoet aan het criterium",
    not_meets: "voldoet niet aan het criterium",
    advice: "Advies van de kwaliteitskamer",
    favourable: "gunstig",
    unfavourable: "ongunstig",
    decision: "Beslissing",
    approved: "goedgekeurd",
    rejected: "afgewezen",
    queue_title: "Aanvragen voor de beroepsspecifieke lijst",
    queue_intro: "Het agentschap toetst elke aanvraag aan de criteria en legt de beslissing van de minister vast. De kwaliteitskamer kan advies geven zolang de aanvraag openstaat.",
    open: "Open aanvragen",
    closed: "Afgehandeld",
    provider: "Dienstverlener",
    assess: "Toetsen",
    note: "Toelichting (verplicht als het criterium niet gehaald is)",
    advise: "Advies geven",
    advice_text: "Advies",
    decide: "Beslissing vastleggen",
    approve: "Goedkeuren: op de lijst",
    reject: "Afwijzen",
    reason: "Motivering (verplicht bij afwijzing)",
    yes: "Ja",
    no: "Nee",
    err_required: "Vul dit in",
    err_choice: "Maak een keuze",
};

static EN: Texts = Texts {
    title: "Occupation-specific competences list",
    intro: "Under the theme occupation-specific competences only services on the approved list are eligible. Ask for a service in that theme to be added; the agency assesses it against the criteria, the quality chamber may advise, and the minister decides. A service qualifies if it meets at least one criterion:",
    criteria: [
        "competences of an occupation on the VDAB bottleneck-occupations list",
        "technological, technical, exact-scientific or mathematical knowledge (STEM, care-STEM)",
        "a future skills shortage in the sector, shown by a scientifically sound method",
        "a certificate legally required to practise an occupation in Belgium",
    ],
    new_title: "Ask for a listing",
    service: "Service",
    no_service: "You have no service in the theme occupation-specific competences that is not on the list yet or waiting for a decision. Add such a service to your catalogue first.",
    description: "Short description",
    description_hint: "What do participants learn, and for which occupation?",
    target_group: "Target group",
    criterion: "Criterion the service meets",
    submit: "Ask for the listing",
    yours: "Your requests",
    none: "No requests yet.",
    submitted_on: "Submitted on",
    state: "Status",
    states: [
        "submitted, waiting for the assessment",
        "assessed, waiting for the decision",
        "approved: the service is on the list",
        "rejected",
    ],
    assessment: "Assessment by the agency",
    meets: "meets the criterion",
    not_meets: "does not meet the criterion",
    advice: "Advice of the quality chamber",
    favourable: "favourable",
    unfavourable: "unfavourable",
    decision: "Decision",
    approved: "approved",
    rejected: "rejected",
    queue_title: "Requests for the occupation-specific list",
    queue_intro: "The agency assesses each request against the criteria and records the minister's decision. The quality chamber may advise while the request is open.",
    open: "Open requests",
    closed: "Handled",
    provider: "Provider",
    assess: "Assess",
    note: "Explanation (required when the criterion is not met)",
    advise: "Give advice",
    advice_text: "Advice",
    decide: "Record the decision",
    approve: "Approve: on the list",
    reject: "Reject",
    reason: "Reason (required for a rejection)",
    yes: "Yes",
    no: "No",
    err_required: "Fill this in",
    err_choice: "Make a choice",
};

impl Texts {
    #[must_use]
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Nl => &NL,
        }
    }

    fn state(&self, s: ListRequestState) -> &'static str {
        match s {
            ListRequestState::Submitted => self.states[0],
            ListRequestState::Assessed => self.states[1],
            ListRequestState::Approved => self.states[2],
            ListRequestState::Rejected => self.states[3],
        }
    }

    fn criterion(&self, c: Criterion) -> &'static str {
        let i = Criterion::ALL.iter().position(|x| *x == c).unwrap_or(0);
        self.criteria.get(i).copied().unwrap_or("")
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

fn shown(l: &Texts, key: String, provider: String, r: &ListRequest) -> Shown {
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
    l: &'static Texts,
    /// The services that may be put forward: (id, name).
    services: Vec<(String, String)>,
    criteria: Vec<(&'static str, &'static str)>,
    requests: Vec<Shown>,
    form: RequestForm,
    errors: RequestErrors,
}

async fn own_provider(state: &AppState, visitor: &Visitor) -> Result<(i64, String), Response> {
    if visitor.name().is_none() {
        return Err(see_other("/aanmelden"));
    }
    let Some(id) = visitor.principal.provider() else {
        return Err((axum::http::StatusCode::FORBIDDEN, "FORBIDDEN").into_response());
    };
    let key = state
        .platform
        .provider_key(id)
        .await
        .map_err(crate::failed)?;
    Ok((id, key))
}

async fn render_provider(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    (id, key): (i64, String),
    form: RequestForm,
    errors: RequestErrors,
) -> Response {
    let l = Texts::of(lang.lang);
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
    match own_provider(&state, &visitor).await {
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
    let (id, key) = match own_provider(&state, &visitor).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed();
    }
    let l = Texts::of(lang.lang);
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
    l: &'static Texts,
    agency: bool,
    open: Vec<Shown>,
    closed: Vec<Shown>,
    /// A refused step: the request's key and the message.
    step_error: Option<(String, String)>,
}

/// Agency staff (true) or the quality chamber (false); anyone else is refused.
fn staff(visitor: &Visitor) -> Result<bool, Box<Response>> {
    match visitor.principal.role() {
        Some(Role::Agency) => Ok(true),
        Some(Role::QualityChamber) => Ok(false),
        Some(_) => Err(Box::new(
            (axum::http::StatusCode::FORBIDDEN, "FORBIDDEN").into_response(),
        )),
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
    let l = Texts::of(lang.lang);
    let loaded = async {
        let requests = state.platform.list_requests(None).await?;
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::with_capacity(requests.len());
        for (rec, r) in requests {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(rec.provider) {
                let key = state.platform.provider_key(rec.provider).await?;
                let (p, _) = state.platform.provider(&key).await?;
                slot.insert(p.name);
            }
            let name = names.get(&rec.provider).cloned().unwrap_or_default();
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
    match staff(&visitor) {
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
    let agency = match staff(&visitor) {
        Ok(agency) => agency,
        Err(r) => return *r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed();
    }
    let l = Texts::of(lang.lang);
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
        _ => return (axum::http::StatusCode::FORBIDDEN, "FORBIDDEN").into_response(),
    };
    match result {
        Ok(_) => see_other("/agentschap/beroepslijst"),
        Err(e @ CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let text = message(l, e);
            render_queue(&state, &lang, &visitor, agency, Some((form.request, text))).await
        }
    }
}

fn message(l: &Texts, e: CommandError) -> String {
    match e {
        CommandError::Invalid { field, message } => match field.as_str() {
            "note" | "reason" | "advice" => l.err_required.to_owned(),
            "verdict" => l.err_choice.to_owned(),
            _ => message,
        },
        other => other.to_string(),
    }
}
