//! A provider's catalogue, managed by the provider's own users: the services it offers, each
//! with its kind, theme (one the provider is active in), sub-theme and price — the services
//! enterprises pick in the application wizard.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::platform::CommandError;
use kmo_app::store::ListedService;
use kmo_http::AppState;
use serde::Deserialize;

use kmo_domain::{ServiceKind, SubTheme, Theme};

use crate::i18n::{Choice, Label, T, THEMES};
use crate::public::{Frame, parse_amount};
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dienstverlener/diensten", get(show).post(add))
        .route("/dienstverlener/themas", post(save_themes))
}

#[derive(Debug, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub sub_theme: String,
    #[serde(default)]
    pub price: String,
}

#[derive(Debug, Default)]
pub struct ServiceErrors {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub theme: Option<String>,
    pub sub_theme: Option<String>,
    pub price: Option<String>,
}

impl ServiceErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.kind.is_some()
            || self.theme.is_some()
            || self.sub_theme.is_some()
            || self.price.is_some()
    }
}

#[derive(Template)]
#[template(path = "services.html")]
struct Page {
    f: Frame,
    provider: String,
    themes: Vec<(String, String)>,
    services: Vec<String>,
    form: ServiceForm,
    errors: ServiceErrors,
    /// Every theme: code, name, whether the provider is active in it.
    all_themes: Vec<(&'static str, String, bool)>,
    themes_error: Option<&'static str>,
}

/// The visitor's provider key, or the answer to give instead.
async fn own_provider(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
) -> Result<String, Response> {
    if visitor.name().is_none() {
        return Err(see_other("/aanmelden"));
    }
    let Some(id) = visitor.principal.provider() else {
        return Err(crate::forbidden(lang, visitor));
    };
    state.platform.provider_key(id).await.map_err(crate::failed)
}

async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    key: &str,
    form: ServiceForm,
    errors: ServiceErrors,
) -> Response {
    render_with(state, lang, visitor, key, form, errors, None).await
}

async fn render_with(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    key: &str,
    form: ServiceForm,
    errors: ServiceErrors,
    themes_error: Option<&'static str>,
) -> Response {
    let t = lang.texts();
    let loaded = async {
        let (p, profile) = state.platform.provider(key).await?;
        let services = state.platform.services(key).await?;
        Ok::<_, CommandError>((p, profile, services))
    }
    .await;
    let (p, profile, services) = match loaded {
        Ok(x) => x,
        Err(e) => return crate::failed(e),
    };
    html(
        Page {
            f: Frame::new(lang, visitor, "/dienstverlener/diensten"),
            provider: p.name,
            themes: profile
                .themes
                .iter()
                .map(|c| (c.clone(), t.theme_name(c)))
                .collect(),
            services: services
                .iter()
                .map(|(_, s)| {
                    let kind = ServiceKind::parse(&s.kind)
                        .map_or_else(|| s.kind.clone(), |k| k.capitalised_label(t));
                    let sub = s.sub_theme.as_deref().map_or(String::new(), |st| {
                        format!(" / {}", SubTheme::parse(st).map_or(st, |x| x.label(t)))
                    });
                    format!(
                        "{} — {kind}, {}{sub}, {}",
                        s.name,
                        t.theme_name(&s.theme),
                        s.price
                    )
                })
                .collect(),
            form,
            errors,
            all_themes: THEMES
                .iter()
                .map(|th| {
                    (
                        th.code(),
                        th.capitalised_label(t),
                        profile.themes.iter().any(|c| c == th.code()),
                    )
                })
                .collect(),
            themes_error,
        }
        .render(),
        lang,
    )
}

async fn show(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    match own_provider(&state, &lang, &visitor).await {
        Ok(key) => {
            let form = ServiceForm {
                kind: "training".into(),
                ..ServiceForm::default()
            };
            render(
                &state,
                &lang,
                &visitor,
                &key,
                form,
                ServiceErrors::default(),
            )
            .await
        }
        Err(r) => r,
    }
}

fn field_error(t: &T, errors: &mut ServiceErrors, field: &str, message: &str) {
    let text = format!("{}: {message}", t.sv_invalid);
    match field {
        "kind" => errors.kind = Some(text),
        "theme" => errors.theme = Some(text),
        "sub_theme" => errors.sub_theme = Some(text),
        "price_cents" | "price" => errors.price = Some(text),
        _ => errors.name = Some(text),
    }
}

async fn add(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<ServiceForm>,
) -> Response {
    let key = match own_provider(&state, &lang, &visitor).await {
        Ok(key) => key,
        Err(r) => return r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let t = lang.texts();
    let mut errors = ServiceErrors::default();
    let price = parse_amount(&form.price);
    if price.is_none() {
        errors.price = Some(t.err_amount.to_owned());
    }
    if form.name.trim().is_empty() {
        errors.name = Some(t.sv_err_name.to_owned());
    }
    let (Some(price), false) = (price, errors.any()) else {
        return render(&state, &lang, &visitor, &key, form, errors).await;
    };
    let service = ListedService {
        name: form.name.trim().to_owned(),
        kind: form.kind.clone(),
        theme: form.theme.clone(),
        sub_theme: Some(form.sub_theme.trim().to_owned()).filter(|s| !s.is_empty()),
        price,
        topics: Vec::new(),
        on_occupation_list: false,
    };
    match state.platform.list_service(&key, &service).await {
        Ok(_) => see_other("/dienstverlener/diensten"),
        Err(CommandError::Invalid { field, message }) => {
            field_error(t, &mut errors, &field, &message);
            render(&state, &lang, &visitor, &key, form, errors).await
        }
        Err(e) => crate::failed(e),
    }
}

/// The themes form: a repeated `theme` field, one per ticked box.
#[derive(Debug, Default)]
pub struct ThemesForm {
    pub csrf: String,
    pub themes: Vec<String>,
}

impl ThemesForm {
    fn parse(body: &str) -> ThemesForm {
        let mut form = ThemesForm::default();
        for (k, v) in form_urlencoded::parse(body.as_bytes()) {
            match k.as_ref() {
                "csrf" => form.csrf = v.into_owned(),
                "theme" => form.themes.push(v.into_owned()),
                _ => {}
            }
        }
        form
    }
}

/// The provider sets the themes it is active in (at least one); its other details are kept.
async fn save_themes(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    body: String,
) -> Response {
    let key = match own_provider(&state, &lang, &visitor).await {
        Ok(key) => key,
        Err(r) => return r,
    };
    let form = ThemesForm::parse(&body);
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let t = lang.texts();
    let known: Vec<String> = form
        .themes
        .into_iter()
        .filter(|c| Theme::parse(c).is_some_and(|th| THEMES.contains(&th)))
        .collect();
    if known.is_empty() {
        return render_with(
            &state,
            &lang,
            &visitor,
            &key,
            ServiceForm::default(),
            ServiceErrors::default(),
            Some(t.sv_themes_err),
        )
        .await;
    }
    let saved = async {
        let (_, profile) = state.platform.provider(&key).await?;
        state
            .platform
            .set_provider_profile(
                &key,
                profile.enterprise_number.as_deref(),
                profile.iban.as_deref(),
                &known,
            )
            .await
    }
    .await;
    match saved {
        Ok(_) => see_other("/dienstverlener/diensten"),
        Err(e) => crate::failed(e),
    }
}
