//! The language of an error's `detail`: English by default, the code's Dutch sentence when the
//! request asks for Dutch, a field's own reason kept.

use kmo_app::kernel::ErrorCode;
use kmo_domain::codes::Lang;
use kmo_text::T;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_demo};

async fn get(app: &crate::helpers::TestApp, path: &str, accept: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url(path));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn an_error_without_a_detail_of_its_own_speaks_the_language_asked_for() {
    let app = spawn_app(None).await;
    let en = ErrorCode::NotFound.text(T::of(Lang::En));
    let nl = ErrorCode::NotFound.text(T::of(Lang::Nl));
    for (path, accept, expected) in [
        ("/api/v1/nothing-here", None, en),
        ("/api/v1/nothing-here", Some("nl-BE"), nl),
        ("/api/v1/nothing-here", Some("nl"), nl),
        ("/api/v1/nothing-here", Some("fr, en;q=0.5, nl;q=0.9"), nl),
        ("/api/v1/nothing-here", Some("nl;q=0.4, en-GB"), en),
        ("/api/v1/nothing-here", Some("nl;q=0, *"), en),
        ("/api/v1/nothing-here", Some("de"), en),
        ("/api/v1/nothing-here?lang=nl", None, nl),
        ("/api/v1/nothing-here?lang=en", Some("nl"), en),
    ] {
        let (status, body) = get(&app, path, accept).await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"code": "NOT_FOUND", "detail": expected}),
            "{path} {accept:?}"
        );
    }
    let r = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .header("accept-language", "nl")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-language"], "nl");
    assert_eq!(r.headers()["content-type"], "application/json");

    // A field's reason is specific: kept, whatever the language.
    let r = app
        .client
        .post(app.url("/api/v1/auth/tokens"))
        .header("accept-language", "nl")
        .json(&json!({"email": 5, "password": "x", "token_name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (&body["code"], &body["field"]),
        (&json!("INVALID_BODY"), &json!("email"))
    );
    assert_ne!(body["detail"], ErrorCode::InvalidBody.text(T::of(Lang::Nl)));
    app.stop().await;
}

#[tokio::test]
async fn a_refused_command_answers_dutch_with_its_codes_sentence() {
    let app = spawn_demo(None).await;
    let owner = app.login("ondernemer@demo.kmo").await;
    let ask = |accept: &'static str| {
        app.client
            .request(Method::GET, app.url("/api/v1/applications/NO-SUCH-ONE"))
            .bearer_auth(&owner)
            .header("accept-language", accept)
            .send()
    };
    let english: Value = ask("en").await.unwrap().json().await.unwrap();
    assert_eq!(english["code"], "UNKNOWN_APPLICATION");
    assert!(
        english["detail"].as_str().unwrap().contains("NO-SUCH-ONE"),
        "{english}"
    );
    let dutch: Value = ask("nl-BE,nl;q=0.9,en;q=0.8")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        dutch,
        json!({
            "code": "UNKNOWN_APPLICATION",
            "detail": "Die aanvraag bestaat niet, of u hebt er geen toegang toe."
        })
    );
    app.stop().await;
}
