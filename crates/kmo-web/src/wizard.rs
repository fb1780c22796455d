//! Applying from the page: the enterprise (of the user's mandates that allow applying), a
//! service from the providers' catalogues, the start date and the cost. "Bereken" shows the
//! rules engine's decision with its reasons without saving anything; "Indienen" submits. The
//! application's key is handed out with the form, so a second post of the same form (a double
//! click, the back button) finds the application made by the first instead of making another.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::get;
use kmo_app::accounts::{Principal, random_key};
use kmo_app::platform::{CommandError, CostRequest, ServiceRequest, Submission};
use kmo_app::registry::WorkerStatus;
use kmo_domain::{Date, SubTheme};
use kmo_http::AppState;
use serde::Deserialize;

use crate::i18n::{Choice, Label, T};
use crate::public::{Frame, Outcome, parse_amount};
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new().route("/aanvragen/nieuw", get(form).post(submit))
}

/// A service on offer: `provider key|service id`, and how it is shown.
#[derive(Debug)]
pub struct Offer {
    pub value: String,
    pub label: String,
}

/// The offers of one theme (the wizard picks a service by theme).
#[derive(Debug)]
pub struct ThemeOffers {
    pub code: &'static str,
    /// The theme's name.
    pub theme: String,
    pub offers: Vec<Offer>,
}

#[derive(Debug, Default, Deserialize)]
pub struct WizardForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub offer: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub participant: String,
    #[serde(default)]
    pub catering_amount: String,
    #[serde(default)]
    pub catering_persons: String,
    #[serde(default)]
    pub catering_days: String,
    #[serde(default)]
    pub material_amount: String,
    #[serde(default)]
    pub other_amount: String,
    /// `preview` or `submit`.
    #[serde(default)]
    pub action: String,
}

#[derive(Debug, Default)]
pub struct WizardErrors {
    pub enterprise: Option<&'static str>,
    pub offer: Option<&'static str>,
    pub start_date: Option<&'static str>,
    pub amount: Option<&'static str>,
    pub catering_amount: Option<&'static str>,
    pub catering_persons: Option<&'static str>,
    pub catering_days: Option<&'static str>,
    pub material_amount: Option<&'static str>,
    pub other_amount: Option<&'static str>,
    pub submit: Option<String>,
}

impl WizardErrors {
    fn any(&self) -> bool {
        self.enterprise.is_some()
            || self.offer.is_some()
            || self.start_date.is_some()
            || self.amount.is_some()
            || self.catering_amount.is_some()
            || self.catering_persons.is_some()
            || self.catering_days.is_some()
            || self.material_amount.is_some()
            || self.other_amount.is_some()
    }
}

/// One input of the other cost lines, as the template shows it.
#[derive(Debug)]
pub struct CostField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: Option<&'static str>,
    /// An amount (else a count).
    pub decimal: bool,
}

fn cost_fields(t: &T, form: &WizardForm, errors: &WizardErrors) -> Vec<CostField> {
    let field = |name, label, value: &String, error, decimal| CostField {
        name,
        label,
        value: value.clone(),
        error,
        decimal,
    };
    vec![
        field(
            "catering_amount",
            t.w_catering,
            &form.catering_amount,
            errors.catering_amount,
            true,
        ),
        field(
            "catering_persons",
            t.w_persons,
            &form.catering_persons,
            errors.catering_persons,
            false,
        ),
        field(
            "catering_days",
            t.w_days,
            &form.catering_days,
            errors.catering_days,
            false,
        ),
        field(
            "material_amount",
            t.w_material,
            &form.material_amount,
            errors.material_amount,
            true,
        ),
        field(
            "other_amount",
            t.w_other,
            &form.other_amount,
            errors.other_amount,
            true,
        ),
    ]
}

/// An optional amount: empty is none; else it must be one.
fn optional_amount(
    text: &str,
    error: &mut Option<&'static str>,
    t: &T,
) -> Option<kmo_domain::Cents> {
    if text.trim().is_empty() {
        return None;
    }
    let amount = parse_amount(text);
    if amount.is_none() {
        *error = Some(t.err_amount);
    }
    amount
}

/// A count of persons or days: a whole number above 0.
fn count(text: &str, error: &mut Option<&'static str>, t: &T) -> Option<u32> {
    let n = text
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=10_000).contains(n));
    if n.is_none() {
        *error = Some(t.err_count);
    }
    n
}

/// The cost lines of rules-eval.md beside the fee: catering (with persons and days), course
/// material and ineligible other costs, each when filled in.
fn extra_costs(form: &WizardForm, errors: &mut WizardErrors, t: &T) -> Vec<CostRequest> {
    let mut lines = Vec::new();
    if let Some(amount) = optional_amount(&form.catering_amount, &mut errors.catering_amount, t) {
        let persons = count(&form.catering_persons, &mut errors.catering_persons, t);
        let days = count(&form.catering_days, &mut errors.catering_days, t);
        if let (Some(persons), Some(days)) = (persons, days) {
            lines.push(CostRequest {
                persons: Some(i64::from(persons)),
                days: Some(i64::from(days)),
                ..CostRequest::new("catering", amount.get())
            });
        }
    }
    if let Some(amount) = optional_amount(&form.material_amount, &mut errors.material_amount, t) {
        lines.push(CostRequest::new("course_material", amount.get()));
    }
    if let Some(amount) = optional_amount(&form.other_amount, &mut errors.other_amount, t) {
        lines.push(CostRequest::new("other_ineligible", amount.get()));
    }
    lines
}

#[derive(Template)]
#[template(path = "wizard.html")]
struct Page {
    f: Frame,
    form: WizardForm,
    enterprises: Vec<(String, String)>,
    offers: Vec<ThemeOffers>,
    cost_fields: Vec<CostField>,
    errors: WizardErrors,
    outcome: Option<Outcome>,
}

/// The enterprises the visitor may apply for: key and name.
async fn enterprises(
    state: &AppState,
    p: &Principal,
) -> Result<Vec<(String, String)>, CommandError> {
    let mut out = Vec::new();
    if let Principal::User { mandates, .. } = p {
        for m in mandates {
            if p.may_apply_for(m.enterprise) {
                let e = state.platform.enterprise(&m.enterprise_key).await?;
                out.push((e.key, e.name));
            }
        }
    }
    Ok(out)
}

/// Providers shown (the catalogue of the first ones by id; a search comes with more providers).
const PROVIDERS_MAX: u32 = 100;

async fn offers(state: &AppState, t: &T) -> Result<Vec<ThemeOffers>, CommandError> {
    let mut out: Vec<ThemeOffers> = crate::i18n::THEMES
        .iter()
        .map(|th| ThemeOffers {
            code: th.code(),
            theme: th.capitalised_label(t),
            offers: Vec::new(),
        })
        .collect();
    for p in state
        .platform
        .search_providers("", None, 0, PROVIDERS_MAX)
        .await?
    {
        for (id, s) in state.platform.services(&p.key).await? {
            let Some(group) = out.iter_mut().find(|g| g.code == s.theme) else {
                continue;
            };
            let sub = s.sub_theme.as_deref().map_or(String::new(), |st| {
                format!(", {}", SubTheme::parse(st).map_or(st, |x| x.label(t)))
            });
            group.offers.push(Offer {
                value: format!("{}|{id}", p.key),
                label: format!("{} — {} ({}{sub})", p.name, s.name, s.price),
            });
        }
    }
    out.retain(|g| !g.offers.is_empty());
    Ok(out)
}

async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    form: WizardForm,
    errors: WizardErrors,
    outcome: Option<Outcome>,
) -> Response {
    let t = lang.texts();
    let lists = async {
        Ok::<_, CommandError>((
            enterprises(state, &visitor.principal).await?,
            offers(state, t).await?,
        ))
    }
    .await;
    match lists {
        Ok((enterprises, offers)) => html(
            Page {
                f: Frame::new(lang, visitor, "/aanvragen/nieuw"),
                cost_fields: cost_fields(t, &form, &errors),
                form,
                enterprises,
                offers,
                errors,
                outcome,
            }
            .render(),
            lang,
        ),
        Err(e) => crate::failed(e),
    }
}

async fn form(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    let key = match random_key("W-") {
        Ok(k) => k,
        Err(e) => return crate::failed(e),
    };
    let form = WizardForm {
        key,
        start_date: state.clock.today().to_string(),
        ..WizardForm::default()
    };
    render(&state, &lang, &visitor, form, WizardErrors::default(), None).await
}

async fn submit(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<WizardForm>,
) -> Response {
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let t = lang.texts();
    let mut errors = WizardErrors::default();
    let allowed = match enterprises(&state, &visitor.principal).await {
        Ok(list) => list,
        Err(e) => return crate::failed(e),
    };
    if !allowed.iter().any(|(k, _)| *k == form.enterprise) {
        errors.enterprise = Some(t.err_choice);
    }
    let listed = match form.offer.split_once('|') {
        Some((provider, id)) => {
            match (state.platform.services(provider).await, id.parse::<i64>()) {
                (Ok(list), Ok(id)) => list
                    .into_iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, s)| (provider.to_owned(), s)),
                _ => None,
            }
        }
        None => None,
    };
    if listed.is_none() {
        errors.offer = Some(t.err_choice);
    }
    let start = Date::parse(form.start_date.trim()).ok();
    if start.is_none() {
        errors.start_date = Some(t.err_date);
    }
    // The cost defaults to the listed price.
    let amount = if form.amount.trim().is_empty() {
        listed.as_ref().map(|(_, s)| s.price)
    } else {
        parse_amount(&form.amount)
    };
    if amount.is_none() {
        errors.amount = Some(t.err_amount);
    }
    let extra = extra_costs(&form, &mut errors, t);
    let (Some((provider, service)), Some(start), Some(amount), false) =
        (listed, start, amount, errors.any())
    else {
        return render(&state, &lang, &visitor, form, errors, None).await;
    };
    let participants = if form.participant.trim().is_empty() || service.kind != "training" {
        Vec::new()
    } else {
        vec![(form.participant.trim().to_owned(), WorkerStatus::Employee)]
    };
    let submission = Submission {
        enterprise: form.enterprise.clone(),
        application: form.key.clone(),
        provider,
        submitted_on: state.clock.today(),
        service: ServiceRequest::of_listed(&service, start),
        costs: std::iter::once(CostRequest::new("fee", amount.get()))
            .chain(extra)
            .collect(),
        size_group: None,
        participants,
    };
    if form.action != "submit" {
        // The preview: the same case the submission will be, decided by the rules engine.
        let (outcome, refusal) = preview(&state, &lang, &submission).await;
        if let Some(code) = refusal {
            errors.submit = Some(refused(t, code));
        }
        return render(&state, &lang, &visitor, form, errors, outcome).await;
    }
    match state.platform.submit(&submission).await {
        Ok(done) => see_other(&format!("/aanvragen/{}", done.application.key)),
        // Posted twice: the first post made it; show it.
        Err(CommandError::DuplicateApplication(_)) => {
            match state.platform.application(&form.key).await {
                Ok(app)
                    if allowed.iter().any(|(k, _)| *k == form.enterprise)
                        && app.key == form.key =>
                {
                    see_other(&format!("/aanvragen/{}", app.key))
                }
                _ => render(&state, &lang, &visitor, form, errors, None).await,
            }
        }
        Err(e @ CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            let (outcome, _) = preview(&state, &lang, &submission).await;
            errors.submit = Some(refused(t, e.code()));
            render(&state, &lang, &visitor, form, errors, outcome).await
        }
    }
}

/// Why the application is not accepted: the rules' reasons are shown below the form; any other
/// refusal is its code's sentence.
fn refused(t: &T, code: &str) -> String {
    match kmo_app::kernel::ErrorCode::parse(code) {
        Some(kmo_app::kernel::ErrorCode::SubmissionRejected) | None => t.w_refused.to_owned(),
        Some(other) => other.text(t).to_owned(),
    }
}

/// The decision the submission would get today, from the platform's one decision path (the
/// enterprise's ceiling reserved this year, its de-minimis aid and the year's size lock
/// included), so "Indienen" records what "Bereken" showed.
/// Also the code of what would still refuse it although the rules allow it.
async fn preview(
    state: &AppState,
    lang: &Choice,
    s: &Submission,
) -> (Option<Outcome>, Option<&'static str>) {
    let Ok(p) = state.platform.preview(s, lang.lang).await else {
        return (None, None);
    };
    let refusal = p.refusal.as_ref().map(CommandError::code);
    let outcome = Outcome {
        eligible: p.decision.is_eligible() && refusal.is_none(),
        subsidy: p.decision.subsidy.to_string(),
        own_share: p.decision.own_share.to_string(),
        explanation: p.explanation,
    };
    (Some(outcome), refusal)
}

#[cfg(test)]
mod tests {
    use kmo_domain::codes::Lang;

    use super::*;

    #[test]
    fn a_refusal_is_shown_as_a_sentence_never_as_a_bare_code() {
        let t = T::of(Lang::Nl);
        assert_eq!(refused(t, "SUBMISSION_REJECTED"), t.w_refused);
        assert_eq!(
            refused(t, "PROVIDER_NOT_REGISTERED"),
            "De dienstverlener is op die datum niet geregistreerd voor deze soort dienst."
        );
        assert_eq!(
            refused(T::of(Lang::En), "UNKNOWN_ENTERPRISE"),
            "That enterprise does not exist, or you have no access to it."
        );
    }
}
