//! Public statistics (no login): accepted applications and their subsidy per month, theme and
//! size class of a year, as bar charts drawn server-side in SVG — each with the same figures in
//! a table beside it, for screen readers and for copying.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kmo_app::platform::StatisticsTotals;
use kmo_domain::Cents;
use kmo_http::AppState;
use serde::Deserialize;

use crate::html;
use crate::i18n::{Choice, Label, T};
use crate::public::Frame;
use crate::session::Visitor;

pub fn router() -> Router<AppState> {
    Router::new().route("/statistieken", get(statistics))
}

/// One bar: its label, its figures as shown, and its geometry in the SVG (user units).
#[derive(Debug)]
pub struct Bar {
    pub label: String,
    pub applications: i64,
    pub subsidy: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

/// A chart of bars side by side (months) or stacked (themes, sizes), with its table.
#[derive(Debug)]
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub horizontal: bool,
    pub bars: Vec<Bar>,
    pub view_height: i64,
}

const WIDTH: i64 = 640;
const PLOT: i64 = 200;

fn chart(
    id: &'static str,
    title: &'static str,
    horizontal: bool,
    rows: Vec<(String, &StatisticsTotals)>,
) -> Chart {
    let max = rows
        .iter()
        .map(|(_, t)| t.subsidy_cents)
        .max()
        .unwrap_or(0)
        .max(1);
    let n = i64::try_from(rows.len()).unwrap_or(1).max(1);
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, t))| {
            let i = i64::try_from(i).unwrap_or(0);
            let (x, y, width, height) = if horizontal {
                // Label column of 220 units, then the bar.
                let w = t.subsidy_cents.saturating_mul(WIDTH - 230) / max;
                (220, 10 + i * 32, w.max(1), 22)
            } else {
                let slot = (WIDTH - 40) / n;
                let h = t.subsidy_cents.saturating_mul(PLOT) / max;
                (
                    30 + i * slot + 4,
                    10 + PLOT - h,
                    (slot - 8).max(2),
                    h.max(1),
                )
            };
            Bar {
                label,
                applications: t.applications,
                subsidy: Cents::new(t.subsidy_cents).to_string(),
                x,
                y,
                width,
                height,
            }
        })
        .collect::<Vec<_>>();
    let view_height = if horizontal { 20 + n * 32 } else { PLOT + 40 };
    Chart {
        id,
        title,
        horizontal,
        bars,
        view_height,
    }
}

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    /// Anything that is not a year the platform has known is this year.
    pub year: Option<String>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct Page {
    f: Frame,
    year: i32,
    years: Vec<i32>,
    applications: i64,
    subsidy: String,
    paid: String,
    charts: Vec<Chart>,
}

fn month_label(t: &T, key: &str) -> String {
    key.get(5..7)
        .and_then(|m| m.parse::<u8>().ok())
        .and_then(|m| t.month(m))
        .map_or_else(|| key.to_owned(), str::to_owned)
}

async fn statistics(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Query(q): Query<YearQuery>,
) -> Response {
    let t = lang.texts();
    let this_year = state.clock.today().year();
    let year = q
        .year
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2016..=this_year).contains(y))
        .unwrap_or(this_year);
    let s = match state.platform.statistics(year).await {
        Ok(s) => s,
        Err(e) => return crate::failed(e),
    };
    let months = chart(
        "months",
        t.st_months,
        false,
        s.by_month
            .iter()
            .map(|(k, v)| (month_label(t, k), v))
            .collect(),
    );
    let themes = chart(
        "themes",
        t.st_themes,
        true,
        s.by_theme
            .iter()
            .map(|(k, v)| (t.theme_name(k), v))
            .collect(),
    );
    let sizes = chart(
        "sizes",
        t.st_sizes,
        true,
        s.by_size
            .iter()
            .map(|(k, v)| {
                let label = kmo_domain::EnterpriseSize::parse(k)
                    .map_or_else(|| k.clone(), |size| size.capitalised_label(t));
                (label, v)
            })
            .collect(),
    );
    html(
        Page {
            f: Frame::new(&lang, &visitor, "/statistieken"),
            year,
            years: (2016..=this_year).rev().collect(),
            applications: s.totals.applications,
            subsidy: Cents::new(s.totals.subsidy_cents).to_string(),
            paid: Cents::new(s.totals.paid_subsidy_cents).to_string(),
            charts: vec![months, themes, sizes],
        }
        .render(),
        &lang,
    )
}
