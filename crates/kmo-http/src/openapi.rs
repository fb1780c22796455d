//! The OpenAPI 3.1 document, generated from the handlers' annotations, served at
//! `/api/v1/openapi.json` with a browsable page at `/api/v1/docs`, and committed as
//! `openapi.json` (a test fails when the committed file differs from what the code generates;
//! `kmo openapi > openapi.json` refreshes it).

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;
use crate::error::{ErrorBody, HTTP_CODES};
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kmo-portefeuille API",
        description = "The Flemish SME wallet: rules evaluation, registries, applications, deposits, payments and the ledger. Money is integer euro cents; dates are calendar dates in Europe/Brussels. Errors are {code, detail, field} with stable codes.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::health::metrics,
        routes::rules::evaluate,
    ),
    components(schemas(ErrorBody, routes::health::Health)),
    tags(
        (name = "rules", description = "The rules engine (rules-eval.md)"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The document as pretty JSON, with the error codes listed in the info description.
#[must_use]
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    let mut codes = String::from("\n\nHTTP-level error codes:\n");
    for (code, meaning) in HTTP_CODES {
        codes.push_str(&format!("- `{code}`: {meaning}\n"));
    }
    codes.push_str("\nThe lifecycle's error codes are those of lifecycle.md §3.1.");
    let description = doc.info.description.take().unwrap_or_default();
    doc.info.description = Some(description + &codes);
    doc.to_pretty_json().unwrap_or_else(|_| "{}".into())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/docs", get(docs_page))
}

async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
