//! The deadlines of a user's applications as an iCalendar file (RFC 5545): one all-day event
//! per next step — the deposit by its deadline, the release of the invoices by theirs — with a
//! reminder three days before. Downloaded from the wallet page and imported into any calendar,
//! or subscribed to: a secret feed address (`/agenda/<secret>.ics`, only the secret's hash is
//! stored) that a calendar app polls without logging in; a new address replaces the old one.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kmo_app::accounts::{Principal, Role};
use kmo_app::lifecycle::{Application, NextStep};
use kmo_app::store::AppOwner;
use kmo_domain::Date;
use kmo_http::AppState;

use serde::Deserialize;

use crate::i18n::{Choice, Feed, T};
use crate::public::Frame;
use crate::session::Visitor;
use crate::{html, see_other};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portefeuille/termijnen.ics", get(download))
        .route("/portefeuille/agenda", get(feed_page).post(new_feed))
        .route("/agenda/{file}", get(feed))
}

/// One deadline: the application, what to do, the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub key: String,
    pub summary: String,
    pub description: String,
    pub day: Date,
}

/// The deadline of an application's next step, if it has one.
#[must_use]
pub fn deadline(t: &T, enterprise: &str, a: &Application) -> Option<Deadline> {
    let reference = a.reference_text();
    match a.next_step()? {
        NextStep::Deposit { amount, by } => Some(Deadline {
            key: format!("{}-deposit", a.key),
            summary: format!("{}: {} ({amount})", a.key, t.step_deposit),
            description: format!("{enterprise} — {} {reference}", t.a_reference),
            day: by,
        }),
        NextStep::Release { left, by } => Some(Deadline {
            key: format!("{}-release", a.key),
            summary: format!("{}: {} ({left})", a.key, t.step_release),
            description: enterprise.to_owned(),
            day: by,
        }),
        NextStep::AwaitAgency | NextStep::Repay { .. } => None,
    }
}

/// Text as an iCalendar value: backslash, semicolon, comma and newline escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (never inside a character), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn ymd(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}{m:02}{day:02}")
}

/// The calendar: an all-day event per deadline, with a reminder three days before. `stamp` is
/// the day it was made (DTSTAMP).
#[must_use]
pub fn calendar(deadlines: &[Deadline], stamp: Date) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kmo-portefeuille//termijnen//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    for d in deadlines {
        let next = d.day.add_days(1).unwrap_or(d.day);
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@kmo-portefeuille", text(&d.key)));
        line(&mut out, &format!("DTSTAMP:{}T000000Z", ymd(stamp)));
        line(&mut out, &format!("DTSTART;VALUE=DATE:{}", ymd(d.day)));
        line(&mut out, &format!("DTEND;VALUE=DATE:{}", ymd(next)));
        line(&mut out, &format!("SUMMARY:{}", text(&d.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&d.description)));
        line(&mut out, "BEGIN:VALARM");
        line(&mut out, "ACTION:DISPLAY");
        line(&mut out, "TRIGGER:-P3D");
        line(&mut out, &format!("DESCRIPTION:{}", text(&d.summary)));
        line(&mut out, "END:VALARM");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// Applications read per enterprise for the calendar.
const APPS_MAX: u32 = 100;

/// The deadlines of every enterprise an enterprise user holds a mandate for, soonest first.
async fn deadlines_of(
    state: &AppState,
    t: &T,
    mandates: &[kmo_app::store::MandateRecord],
) -> Result<Vec<Deadline>, kmo_app::platform::CommandError> {
    let mut deadlines = Vec::new();
    for m in mandates {
        let e = state.platform.enterprise(&m.enterprise_key).await?;
        let apps = state
            .platform
            .applications_page(AppOwner::Enterprise(e.id), 0, APPS_MAX)
            .await?;
        deadlines.extend(apps.iter().filter_map(|(_, a)| deadline(t, &e.name, a)));
    }
    deadlines.sort_by_key(|d| d.day);
    Ok(deadlines)
}

fn ics(state: &AppState, deadlines: &[Deadline], disposition: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        calendar(deadlines, state.clock.today()),
    )
        .into_response()
}

async fn download(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    let Principal::User {
        role: Role::Enterprise,
        mandates,
        ..
    } = &visitor.principal
    else {
        return see_other("/aanmelden");
    };
    match deadlines_of(&state, lang.texts(), mandates).await {
        Ok(d) => ics(&state, &d, "attachment; filename=\"kmo-termijnen.ics\""),
        Err(e) => crate::failed(e),
    }
}

/// The subscribed feed: the secret in the address is the only credential. An unknown or
/// replaced address is 404, like any address that does not exist.
async fn feed(State(state): State<AppState>, lang: Choice, Path(file): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "NOT_FOUND").into_response();
    let Some(secret) = file
        .strip_suffix(".ics")
        .filter(|s| (16..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return not_found();
    };
    let principal = match state
        .platform
        .calendar_feed_principal(secret, state.clock.today())
        .await
    {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(),
        Err(e) => return crate::failed(e),
    };
    let Principal::User {
        role: Role::Enterprise,
        mandates,
        ..
    } = &principal
    else {
        return not_found();
    };
    match deadlines_of(&state, lang.texts(), mandates).await {
        Ok(d) => ics(&state, &d, "inline; filename=\"kmo-termijnen.ics\""),
        Err(e) => crate::failed(e),
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct FeedPage {
    f: Frame,
    l: &'static Feed,
    /// The new address, right after it was made: (https address, webcal address).
    made: Option<(String, String)>,
}

fn enterprise_user(lang: &Choice, visitor: &Visitor) -> Result<i64, Box<Response>> {
    match &visitor.principal {
        Principal::User {
            role: Role::Enterprise,
            user,
            ..
        } => Ok(user.id),
        Principal::User { .. } => Err(Box::new(crate::forbidden(lang, visitor))),
        Principal::Anonymous => Err(Box::new(see_other("/aanmelden"))),
    }
}

async fn feed_page(lang: Choice, visitor: Visitor) -> Response {
    if let Err(r) = enterprise_user(&lang, &visitor) {
        return *r;
    }
    html(
        FeedPage {
            f: Frame::new(&lang, &visitor, "/portefeuille/agenda"),
            l: &lang.texts().feed,
            made: None,
        }
        .render(),
        &lang,
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    pub csrf: String,
}

/// A new feed address, shown once on the page that answers the form.
async fn new_feed(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Response {
    let user = match enterprise_user(&lang, &visitor) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !visitor.csrf_ok(&form.csrf) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let secret = match state
        .platform
        .new_calendar_feed(user, state.clock.today())
        .await
    {
        Ok(s) => s,
        Err(e) => return crate::failed(e),
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p == "https");
    let path = format!("{host}/agenda/{secret}.ics");
    let scheme = if https { "https" } else { "http" };
    let mut page = html(
        FeedPage {
            f: Frame::new(&lang, &visitor, "/portefeuille/agenda"),
            l: &lang.texts().feed,
            made: Some((format!("{scheme}://{path}"), format!("webcal://{path}"))),
        }
        .render(),
        &lang,
    );
    // The secret is on this page only: keep it out of caches.
    page.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    page
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn a_deadline_becomes_an_all_day_event_with_a_reminder_and_escaped_text() {
        let d = Deadline {
            key: "W-1-deposit".into(),
            summary: "W-1: Stort het eigen aandeel (€ 840,00)".into(),
            description: "Bakkerij; Janssens, BV".into(),
            day: Date::parse("2025-03-17").unwrap(),
        };
        let ics = calendar(&[d], Date::parse("2025-03-03").unwrap());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20250317\r\nDTEND;VALUE=DATE:20250318\r\n"));
        assert!(ics.contains("SUMMARY:W-1: Stort het eigen aandeel (€ 840\\,00)\r\n"));
        assert!(ics.contains("DESCRIPTION:Bakkerij\\; Janssens\\, BV\r\n"));
        assert!(ics.contains("TRIGGER:-P3D"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        line(&mut out, &"é".repeat(60));
        let parts: Vec<&str> = out.trim_end().split("\r\n ").collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.len() <= 75));
        assert_eq!(parts.concat(), "é".repeat(60));
    }
}
