//! Mandates management for a legal representative: who may act for the enterprise, and
//! inviting an accountant (or a colleague) with a scope and an end date — view and release
//! invoices, or view and apply. Revoking takes effect at once (principals are read afresh on
//! every request).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use kmo_app::accounts::{Principal, Scope};
use kmo_app::platform::CommandError;
use kmo_domain::Date;
use kmo_http::AppState;
use serde::Deserialize;

use crate::format::date;
use crate::i18n::{Choice, T};
use crate::public::Frame;
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portefeuille/mandaten", get(show).post(grant))
        .route("/portefeuille/mandaten/{id}/intrekken", post(revoke))
}

/// One mandate as listed.
#[derive(Debug)]
pub struct Holder {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub scope: &'static str,
    pub until: String,
    pub active: bool,
    /// A legal representative's own mandate is the agency's to revoke.
    pub revocable: bool,
}

#[derive(Debug)]
pub struct EnterpriseMandates {
    pub key: String,
    pub name: String,
    pub holders: Vec<Holder>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub enterprise: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub until: String,
}

#[derive(Debug, Default)]
pub struct GrantErrors {
    pub email: Option<String>,
    pub scope: Option<&'static str>,
    pub until: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "mandates.html")]
struct Page {
    f: Frame,
    enterprises: Vec<EnterpriseMandates>,
    form: GrantForm,
    errors: GrantErrors,
}

/// The enterprises the visitor represents legally: key and name.
fn represented(p: &Principal) -> Vec<(kmo_domain::EnterpriseId, String)> {
    match p {
        Principal::User { mandates, .. } => mandates
            .iter()
            .filter(|m| p.is_legal_representative_of(m.enterprise))
            .map(|m| (m.enterprise, m.enterprise_key.clone()))
            .collect(),
        Principal::Anonymous => Vec::new(),
    }
}

async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    form: GrantForm,
    errors: GrantErrors,
) -> Response {
    let t = lang.texts();
    let listed = async {
        let mut out = Vec::new();
        for (_, key) in represented(&visitor.principal) {
            let e = state.platform.enterprise(&key).await?;
            let holders = state
                .platform
                .enterprise_mandates(&visitor.principal, &key)
                .await?
                .into_iter()
                .map(|(m, u)| Holder {
                    id: m.id,
                    name: u.name,
                    email: u.email,
                    scope: t.scope(&m.scope),
                    until: m.valid_until.map_or_else(|| t.md_open.to_owned(), date),
                    active: m.state == "active",
                    revocable: m.state == "active" && m.scope != Scope::LegalRepresentative.code(),
                })
                .collect();
            out.push(EnterpriseMandates {
                key: e.key,
                name: e.name,
                holders,
            });
        }
        Ok::<_, CommandError>(out)
    }
    .await;
    match listed {
        Ok(enterprises) => html(
            Page {
                f: Frame::new(lang, visitor, "/portefeuille/mandaten"),
                enterprises,
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
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    let form = GrantForm {
        scope: Scope::ViewAndRelease.code().to_owned(),
        ..GrantForm::default()
    };
    render(&state, &lang, &visitor, form, GrantErrors::default()).await
}

fn grant_error(t: &T, e: &CommandError) -> String {
    match e {
        CommandError::UnknownUser(_) => t.md_err_unknown_user.to_owned(),
        CommandError::Invalid { field, .. } if field == "email" => {
            t.md_err_not_enterprise.to_owned()
        }
        other => other.error_code().text(t).to_owned(),
    }
}

async fn grant(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(form): Form<GrantForm>,
) -> Response {
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let t = lang.texts();
    let mut errors = GrantErrors::default();
    let scope = Scope::parse(&form.scope).filter(|s| *s != Scope::LegalRepresentative);
    if scope.is_none() {
        errors.scope = Some(t.err_choice);
    }
    let until = if form.until.trim().is_empty() {
        Ok(None)
    } else {
        Date::parse(form.until.trim()).map(Some)
    };
    let today = state.clock.today();
    let until = match until {
        Ok(Some(d)) if d < today => {
            errors.until = Some(t.md_err_past);
            None
        }
        Ok(d) => d,
        Err(_) => {
            errors.until = Some(t.err_date);
            None
        }
    };
    if form.email.trim().is_empty() {
        errors.email = Some(t.md_err_email.to_owned());
    }
    let (Some(scope), None, None, None) = (scope, &errors.email, errors.scope, errors.until) else {
        return render(&state, &lang, &visitor, form, errors).await;
    };
    match state
        .platform
        .grant_mandate(
            &visitor.principal,
            &form.email,
            &form.enterprise,
            scope,
            until,
            today,
        )
        .await
    {
        Ok(_) => see_other("/portefeuille/mandaten"),
        Err(e @ CommandError::Store(_)) => crate::failed(e),
        Err(e) => {
            errors.email = Some(grant_error(t, &e));
            render(&state, &lang, &visitor, form, errors).await
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<crate::portfolio::CsrfForm>,
) -> Response {
    if visitor.name().is_none() {
        return see_other("/aanmelden");
    }
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    match state.platform.revoke_mandate(&visitor.principal, id).await {
        Ok(()) => see_other("/portefeuille/mandaten"),
        Err(e) => crate::failed(e),
    }
}
