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
        routes::accounts::login,
        routes::accounts::login_session,
        routes::accounts::logout_session,
        routes::accounts::me,
        routes::accounts::my_tokens,
        routes::accounts::new_token,
        routes::accounts::revoke_token,
        routes::accounts::create_user,
        routes::accounts::grant_mandate,
        routes::accounts::revoke_mandate,
        routes::accounts::request_letter,
        routes::accounts::print_letter,
        routes::accounts::activate,
        routes::registry::register_enterprise,
        routes::registry::enterprise,
        routes::registry::update_enterprise,
        routes::registry::provider,
        routes::registry::set_profile,
        routes::registry::services,
        routes::registry::add_service,
        routes::applications::submit,
        routes::applications::preview,
        routes::applications::application,
        routes::applications::stop,
        routes::applications::refuse,
        routes::applications::pay,
        routes::applications::inspect,
        routes::applications::deposits,
        routes::applications::payout_run,
        routes::drafts::save_draft,
        routes::drafts::draft,
        routes::drafts::submit_draft,
        routes::drafts::discard_draft,
        routes::lists::search_providers,
        routes::lists::enterprise_applications,
        routes::lists::provider_applications,
        routes::lists::audit_trail,
        routes::lists::provider_payouts,
        routes::lists::enterprise_refunds,
        routes::statistics::statistics,
    ),
    components(schemas(ErrorBody, routes::health::Health)),
    modifiers(&BearerAuth),
    tags(
        (name = "rules", description = "The rules engine (rules-eval.md)"),
        (name = "accounts", description = "Log in, tokens, users and mandates"),
        (name = "registries", description = "Enterprises and providers with their catalogues"),
        (name = "applications", description = "Applications and every lifecycle action"),
        (name = "money", description = "Deposits from bank statements and payout runs"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the operations refer to.
#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as pretty JSON, with the error codes listed in the info description.
#[must_use]
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    let mut codes = String::from("\n\nHTTP-level error codes:\n");
    for (code, meaning) in HTTP_CODES {
        codes.push_str(&format!("- `{code}`: {meaning}\n"));
    }
    codes.push_str("\nThe lifecycle's error codes are those of lifecycle.md §3.1.");
    codes.push_str(
        "\n\nLanguage: `detail` is English by default. With `Accept-Language: nl` (or `nl-BE`; \
         q-values respected) or `?lang=nl`, an error whose detail is its code's sentence is \
         answered with that sentence in Dutch (`Content-Language: nl`); a specific detail (a \
         field's reason, a bound) stays as it is.",
    );
    codes.push_str(
        "\n\nAuthentication: `Authorization: Bearer <token>` (POST /api/v1/auth/tokens). \
         Mutating requests accept an `Idempotency-Key` header (1–100 visible ASCII characters): \
         the same key with the same request is answered again with `idempotent-replayed: true`, \
         with another request it is refused `IDEMPOTENCY_KEY_REUSED` (409).",
    );
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
