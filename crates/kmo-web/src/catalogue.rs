//! Public pages about the offer and the rules: the registered providers by name and theme with
//! their services, and the rule set in force (every parameter, from the dated rule book).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kmo_http::AppState;
use kmo_rules::explain::describe_rule_set;
use serde::Deserialize;

use crate::html;
use crate::i18n::{Choice, Label, THEMES};
use crate::public::Frame;
use crate::session::Visitor;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanbieders", get(providers))
        .route("/regels", get(rules))
}

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    pub naam: String,
    #[serde(default)]
    pub thema: String,
}

/// A provider as listed: name and its services with theme and price.
#[derive(Debug)]
pub struct Listed {
    pub name: String,
    pub services: Vec<String>,
}

#[derive(Template)]
#[template(path = "providers.html")]
struct Providers {
    f: Frame,
    search: Search,
    themes: Vec<(&'static str, String)>,
    found: Vec<Listed>,
}

/// Providers shown per search (the API pages further).
const FOUND_MAX: u32 = 50;

async fn providers(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Query(search): Query<Search>,
) -> Response {
    let t = lang.texts();
    let name: String = search.naam.trim().chars().take(100).collect();
    let theme = THEMES
        .iter()
        .map(|th| th.code())
        .find(|c| *c == search.thema);
    let found = async {
        let mut out = Vec::new();
        for p in state
            .platform
            .search_providers(&name, theme, 0, FOUND_MAX)
            .await?
        {
            let services = state
                .platform
                .services(&p.key)
                .await?
                .into_iter()
                .filter(|(_, s)| theme.is_none_or(|th| s.theme == th))
                .map(|(_, s)| format!("{} — {}, {}", s.name, t.theme_name(&s.theme), s.price))
                .collect();
            out.push(Listed {
                name: p.name,
                services,
            });
        }
        Ok::<_, kmo_app::platform::CommandError>(out)
    }
    .await;
    match found {
        Ok(found) => html(
            Providers {
                f: Frame::new(&lang, &visitor, "/aanbieders"),
                search,
                themes: THEMES
                    .iter()
                    .map(|th| (th.code(), th.capitalised_label(t)))
                    .collect(),
                found,
            }
            .render(),
            &lang,
        ),
        Err(e) => crate::failed(e),
    }
}

/// One rule set in the list: id, first day, title, shown now, in force today.
#[derive(Debug)]
pub struct SetLink {
    pub id: String,
    pub from: String,
    pub title: String,
    pub shown: bool,
    pub in_force: bool,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct Rules {
    f: Frame,
    sets: Vec<SetLink>,
    text: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    /// A rule set's id (`R2024`…); the one in force today when absent or unknown.
    #[serde(default)]
    pub set: String,
}

/// Every dated rule set, newest first, and the parameters of one: the one asked for, else the
/// one in force today.
async fn rules(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Query(query): Query<RulesQuery>,
) -> Response {
    let asked = query.set;
    let book = &state.rules;
    let in_force = book.index_in_force(state.clock.today());
    let chosen = book
        .sets()
        .iter()
        .position(|s| s.id == asked)
        .and_then(|i| u8::try_from(i).ok())
        .or(in_force);
    let sets = book
        .sets()
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| {
            let i = u8::try_from(i).ok();
            SetLink {
                id: s.id.clone(),
                from: crate::format::date(s.valid_from),
                title: if lang.lang == kmo_domain::codes::Lang::En {
                    s.title_en.clone()
                } else {
                    s.title_nl.clone()
                },
                shown: i.is_some() && i == chosen,
                in_force: i.is_some() && i == in_force,
            }
        })
        .collect();
    let text = chosen
        .map(|i| describe_rule_set(book, i, lang.lang))
        .unwrap_or_default();
    html(
        Rules {
            f: Frame::new(&lang, &visitor, "/regels"),
            sets,
            text,
        }
        .render(),
        &lang,
    )
}
