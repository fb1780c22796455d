//! Public statistics (anonymous): accepted applications and their subsidy per month, theme and
//! size class of a calendar year. No enterprise or provider is named.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kmo_app::platform::StatisticsTotals;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use kmo_app::kernel::ErrorCode;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/statistics", get(statistics))
}

/// Years the statistics can be asked for.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The calendar year (this year when absent).
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// Accepted applications of a group and their subsidy.
#[derive(Debug, Serialize, ToSchema)]
pub struct Totals {
    pub applications: i64,
    /// Subsidy reserved when the applications were accepted.
    pub subsidy_cents: i64,
    /// Subsidy given back to the budget since (stops, lapses, refusals, expiry).
    pub returned_cents: i64,
    /// Subsidy paid out to providers.
    pub paid_subsidy_cents: i64,
}

impl From<&StatisticsTotals> for Totals {
    fn from(t: &StatisticsTotals) -> Totals {
        Totals {
            applications: t.applications,
            subsidy_cents: t.subsidy_cents,
            returned_cents: t.returned_cents,
            paid_subsidy_cents: t.paid_subsidy_cents,
        }
    }
}

/// One group: a month (`YYYY-MM`), a theme or a size class.
#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub key: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthTheme {
    pub month: String,
    pub theme: String,
    #[serde(flatten)]
    pub totals: Totals,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsView {
    pub year: i32,
    pub totals: Totals,
    /// All twelve months, empty ones included.
    pub by_month: Vec<Group>,
    pub by_theme: Vec<Group>,
    pub by_size: Vec<Group>,
    /// Non-empty (month, theme) pairs.
    pub by_month_and_theme: Vec<MonthTheme>,
}

fn groups(list: &[(String, StatisticsTotals)]) -> Vec<Group> {
    list.iter()
        .map(|(key, t)| Group {
            key: key.clone(),
            totals: t.into(),
        })
        .collect()
}

/// Public statistics of a calendar year (anyone).
#[utoipa::path(get, path = "/api/v1/statistics", tag = "registries", params(StatisticsQuery),
    responses((status = 200, body = StatisticsView), (status = 400, body = ErrorBody)))]
pub async fn statistics(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> Result<Json<StatisticsView>, ApiError> {
    let year = q.year.unwrap_or_else(|| state.clock.today().year());
    if !YEARS.contains(&year) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidBody,
            format!("year must be {} to {}", YEARS.start(), YEARS.end()),
        )
        .with_field("year"));
    }
    let s = state.platform.statistics(year).await?;
    Ok(Json(StatisticsView {
        year: s.year,
        totals: (&s.totals).into(),
        by_month: groups(&s.by_month),
        by_theme: groups(&s.by_theme),
        by_size: groups(&s.by_size),
        by_month_and_theme: s
            .by_month_and_theme
            .iter()
            .map(|(month, theme, t)| MonthTheme {
                month: month.clone(),
                theme: theme.clone(),
                totals: t.into(),
            })
            .collect(),
    }))
}
