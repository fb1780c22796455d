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
use crate::i18n::{Choice, THEMES};
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
    themes: Vec<(&'static str, &'static str)>,
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
        .find(|(c, _, _)| *c == search.thema)
        .map(|(c, _, _)| *c);
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
                .map(|(_, s)| format!("{} — {}, {}", s.name, t.theme(&s.theme), s.price))
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
                themes: THEMES.iter().map(|(c, _, _)| (*c, t.theme(c))).collect(),
                found,
            }
            .render(),
            &lang,
        ),
        Err(e) => crate::failed(e),
    }
}

#[derive(Template)]
#[template(path = "rules.html")]
struct Rules {
    f: Frame,
    text: String,
}

async fn rules(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    let text = state
        .rules
        .index_in_force(state.clock.today())
        .map(|i| describe_rule_set(&state.rules, i, lang.lang))
        .unwrap_or_default();
    html(
        Rules {
            f: Frame::new(&lang, &visitor, "/regels"),
            text,
        }
        .render(),
        &lang,
    )
}
