//! The year planner ("jaarplanner") of an enterprise: up to [`ROWS`] planned trainings and
//! advice in; the order and the days to submit them that get the most out of the annual
//! ceilings, with every deadline, out (`kmo_app::planner`). The enterprise's size, the ceiling
//! already reserved this year and its de-minimis aid come from the real wallet. Nothing is
//! stored: it is a plan.

use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::response::Response;
use axum::routing::get;
use kmo_app::accounts::{Principal, Role};
use kmo_app::planner::{self, LineOutcome, PlanInput, PlannedItem, YearFacts};
use kmo_app::platform::CommandError;
use kmo_domain::codes::Lang;
use kmo_domain::{Cents, Date, EnterpriseSize, ServiceKind, SubTheme, Theme};
use kmo_http::AppState;
use kmo_rules::RuleSet;
use serde_json::Value;

use crate::format::date;
use crate::i18n::{Choice, Label, Planner, THEMES, args};
use crate::public::{Frame, parse_amount};
use crate::session::Visitor;
use crate::{html, see_other};

/// Rows on the form (the planner takes up to `kmo_app::planner::PLAN_ITEMS_MAX`).
pub const ROWS: usize = 5;
const _: () = assert!(ROWS <= planner::PLAN_ITEMS_MAX);

const PATH: &str = "/portefeuille/planner";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(form).post(submit))
}

/// One row of the form, as typed.
#[derive(Debug, Default)]
pub struct RowView {
    /// 1-based.
    pub n: usize,
    pub label: String,
    pub kind: String,
    pub theme: String,
    pub sub_theme: String,
    pub listed: bool,
    pub start: String,
    pub enrolled: String,
    pub amount: String,
    pub e: RowErrors,
}

/// An error next to its field.
#[derive(Debug, Default)]
pub struct RowErrors {
    pub label: Option<&'static str>,
    pub kind: Option<&'static str>,
    pub theme: Option<&'static str>,
    pub sub_theme: Option<&'static str>,
    pub start: Option<&'static str>,
    pub enrolled: Option<&'static str>,
    pub amount: Option<&'static str>,
}

impl RowErrors {
    fn any(&self) -> bool {
        self.label.is_some()
            || self.kind.is_some()
            || self.theme.is_some()
            || self.sub_theme.is_some()
            || self.start.is_some()
            || self.enrolled.is_some()
            || self.amount.is_some()
    }
}

impl RowView {
    /// A row left empty is not part of the plan (kind and theme are selects, always set).
    fn is_empty(&self) -> bool {
        [&self.label, &self.start, &self.enrolled, &self.amount]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// The sub-themes of one theme, for an `<optgroup>`.
#[derive(Debug)]
pub struct SubThemeGroup {
    pub theme: String,
    pub options: Vec<(&'static str, String)>,
}

/// One item of the plan, as shown.
#[derive(Debug)]
pub struct LineView {
    pub position: String,
    pub label: String,
    pub kind: String,
    pub start: String,
    pub submit_on: String,
    pub last_day: String,
    pub eligible: bool,
    pub subsidy: String,
    pub own_share: String,
    pub capped: bool,
    pub deposit_by: String,
    pub pay_by: String,
    pub reasons: Vec<&'static str>,
    pub explanation: Option<String>,
}

/// One year's ceiling, as shown.
#[derive(Debug)]
pub struct YearView {
    pub year: i32,
    pub ceiling: String,
    pub reserved: String,
    pub planned: String,
    pub left: String,
}

#[derive(Debug)]
pub struct PlanView {
    pub lines: Vec<LineView>,
    pub moves: Vec<String>,
    pub not_planned: Vec<String>,
    pub years: Vec<YearView>,
    pub total_subsidy: String,
    pub total_own_share: String,
}

#[derive(Template)]
#[template(path = "planner.html")]
struct Page {
    f: Frame,
    p: &'static Planner,
    enterprise: String,
    enterprise_error: Option<&'static str>,
    /// A problem with the plan as a whole (shown above the form).
    form_error: Option<&'static str>,
    enterprises: Vec<(String, String)>,
    rows: Vec<RowView>,
    themes: Vec<(&'static str, String)>,
    sub_themes: Vec<SubThemeGroup>,
    plan: Option<PlanView>,
}

impl Page {
    fn any_error(&self) -> bool {
        self.enterprise_error.is_some() || self.rows.iter().any(|r| r.e.any())
    }
}

fn enterprise_user(visitor: &Visitor) -> bool {
    visitor.principal.role() == Some(Role::Enterprise)
}

/// The enterprises the user holds a mandate for: key and name.
async fn enterprises(
    state: &AppState,
    p: &Principal,
) -> Result<Vec<(String, String)>, CommandError> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Principal::User { mandates, .. } = p {
        for m in mandates {
            if out.iter().all(|(k, _)| *k != m.enterprise_key) {
                let e = state.platform.enterprise(&m.enterprise_key).await?;
                out.push((e.key, e.name));
            }
        }
    }
    Ok(out)
}

/// The sub-themes each theme takes under the rules in force today.
fn sub_theme_groups(rules: Option<&RuleSet>, lang: &Choice) -> Vec<SubThemeGroup> {
    let t = lang.texts();
    let Some(rs) = rules else {
        return Vec::new();
    };
    Theme::ALL
        .iter()
        .filter_map(|theme| {
            let set = rs.theme_rule(*theme)?.sub_themes;
            let options: Vec<_> = RuleSet::sub_themes_in(set)
                .map(|s| (s.code(), s.capitalised_label(t)))
                .collect();
            (!options.is_empty()).then(|| SubThemeGroup {
                theme: theme.capitalised_label(t),
                options,
            })
        })
        .collect()
}

fn blank_rows() -> Vec<RowView> {
    (1..=ROWS)
        .map(|n| RowView {
            n,
            kind: "training".into(),
            ..RowView::default()
        })
        .collect()
}

#[allow(
    clippy::too_many_arguments,
    reason = "the parts of one page, each computed by the caller"
)]
async fn render(
    state: &AppState,
    lang: &Choice,
    visitor: &Visitor,
    enterprise: String,
    enterprise_error: Option<&'static str>,
    form_error: Option<&'static str>,
    rows: Vec<RowView>,
    plan: Option<PlanView>,
) -> Response {
    let t = lang.texts();
    let enterprises = match enterprises(state, &visitor.principal).await {
        Ok(list) => list,
        Err(e) => return crate::failed(e),
    };
    let page = Page {
        f: Frame::new(lang, visitor, PATH),
        p: &lang.texts().planner,
        enterprise,
        enterprise_error,
        form_error,
        enterprises,
        rows,
        themes: THEMES
            .iter()
            .map(|th| (th.code(), th.capitalised_label(t)))
            .collect(),
        sub_themes: sub_theme_groups(state.rules.in_force(state.clock.today()), lang),
        plan,
    };
    html(page.render(), lang)
}

async fn form(State(state): State<AppState>, lang: Choice, visitor: Visitor) -> Response {
    if !enterprise_user(&visitor) {
        return see_other("/aanmelden");
    }
    render(
        &state,
        &lang,
        &visitor,
        String::new(),
        None,
        None,
        blank_rows(),
        None,
    )
    .await
}

/// A date as typed: `2025-03-17` (the date picker) or `17/03/2025`.
fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    Date::parse(text).ok().or_else(|| {
        let mut parts = text.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
    })
}

/// The first value posted under `name`.
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A row read back from the form, and its item when every field is right.
fn read_row(pairs: &[(String, String)], n: usize, lang: &Choice) -> (RowView, Option<PlannedItem>) {
    let t = lang.texts();
    let p = &lang.texts().planner;
    let get = |name: &str| field(pairs, &format!("{name}_{n}")).to_owned();
    let mut row = RowView {
        n,
        label: get("label"),
        kind: get("kind"),
        theme: get("theme"),
        sub_theme: get("sub_theme"),
        listed: !get("listed").is_empty(),
        start: get("start"),
        enrolled: get("enrolled"),
        amount: get("amount"),
        e: RowErrors::default(),
    };
    if row.is_empty() {
        return (row, None);
    }
    let label = row.label.trim();
    if label.chars().count() > planner::LABEL_CHARS_MAX {
        row.e.label = Some(p.err_label);
    }
    let kind = ServiceKind::parse(&row.kind);
    if kind.is_none() {
        row.e.kind = Some(t.err_choice);
    }
    let theme = Theme::parse(&row.theme);
    if theme.is_none() {
        row.e.theme = Some(t.err_choice);
    }
    let sub_theme = match row.sub_theme.as_str() {
        "" => Ok(None),
        code => SubTheme::parse(code).map(Some).ok_or(()),
    };
    if sub_theme.is_err() {
        row.e.sub_theme = Some(t.err_choice);
    }
    let start = parse_date(&row.start);
    if start.is_none() {
        row.e.start = Some(t.err_date);
    }
    let enrolled = match row.enrolled.trim() {
        "" => Ok(None),
        text => parse_date(text).map(Some).ok_or(()),
    };
    if enrolled.is_err() {
        row.e.enrolled = Some(t.err_date);
    }
    let cost = parse_amount(&row.amount);
    if cost.is_none() {
        row.e.amount = Some(t.err_amount);
    }
    let item = match (kind, theme, sub_theme, start, enrolled, cost) {
        (Some(kind), Some(theme), Ok(sub_theme), Some(start), Ok(enrolled), Some(cost))
            if !row.e.any() =>
        {
            Some(PlannedItem {
                label: if label.is_empty() {
                    format!("{} {n}", p.row)
                } else {
                    label.to_owned()
                },
                kind,
                theme,
                sub_theme,
                on_occupation_list: row.listed,
                start_date: start,
                enrolled_on: enrolled,
                cost,
            })
        }
        _ => None,
    };
    (row, item)
}

async fn submit(
    State(state): State<AppState>,
    lang: Choice,
    visitor: Visitor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if !enterprise_user(&visitor) {
        return see_other("/aanmelden");
    }
    if !visitor.csrf_ok(field(&pairs, "csrf")) {
        return crate::csrf_failed(&lang, &visitor);
    }
    let t = lang.texts();
    let p = &lang.texts().planner;
    let enterprise = field(&pairs, "enterprise").to_owned();
    let allowed = match enterprises(&state, &visitor.principal).await {
        Ok(list) => list,
        Err(e) => return crate::failed(e),
    };
    let enterprise_error = (!allowed.iter().any(|(k, _)| *k == enterprise)).then_some(t.err_choice);
    let (mut rows, items): (Vec<RowView>, Vec<Option<PlannedItem>>) =
        (1..=ROWS).map(|n| read_row(&pairs, n, &lang)).unzip();
    if rows.iter().all(RowView::is_empty)
        && let Some(first) = rows.first_mut()
    {
        first.e.start = Some(p.err_no_rows);
    }
    let failed = enterprise_error.is_some() || rows.iter().any(|r| r.e.any());
    let (form_error, plan) = if failed {
        (None, None)
    } else {
        let items: Vec<PlannedItem> = items.into_iter().flatten().collect();
        let input = match plan_input(&state, &enterprise, items, lang.lang).await {
            Ok(input) => input,
            Err(e) => return crate::failed(e),
        };
        match planner::plan(&state.rules, &input) {
            Ok(plan) => (None, Some(view(&lang, &plan))),
            Err(_) => (Some(p.err_too_many), None),
        }
    };
    render(
        &state,
        &lang,
        &visitor,
        enterprise,
        enterprise_error,
        form_error,
        rows,
        plan,
    )
    .await
}

/// The planner's input from the real wallet: the profile, the size (locked for this year or
/// confirmed in the profile), this year's reserved ceiling and the de-minimis aid granted.
/// Later years have nothing reserved yet: a submission is always dated today.
async fn plan_input(
    state: &AppState,
    key: &str,
    items: Vec<PlannedItem>,
    lang: Lang,
) -> Result<PlanInput, CommandError> {
    let today = state.clock.today();
    let e = state.platform.enterprise(key).await?;
    let wallet = state.platform.wallet_year(&e, today).await?;
    let de_minimis = state.platform.de_minimis_seen_on(e.id, today).await?;
    let size = e
        .profile
        .get("size")
        .and_then(Value::as_str)
        .and_then(EnterpriseSize::parse);
    let mut years = std::collections::BTreeMap::new();
    years.insert(
        wallet.year,
        YearFacts {
            reserved: wallet.reserved,
            size_lock: wallet.size_lock,
        },
    );
    Ok(PlanInput {
        today,
        enterprise: e.profile,
        size,
        years,
        de_minimis,
        items,
        lang,
    })
}

fn or_dash(d: Option<Date>) -> String {
    d.map_or_else(|| "—".to_owned(), date)
}

/// The plan as the page shows it.
fn view(lang: &Choice, plan: &planner::Plan) -> PlanView {
    let t = lang.texts();
    let p = &lang.texts().planner;
    let mut lines = Vec::new();
    let mut moves = Vec::new();
    let mut not_planned = Vec::new();
    for l in &plan.lines {
        let kind = l.kind.capitalised_label(t);
        match &l.outcome {
            LineOutcome::Planned(x) => {
                if let Some(m) = x.moved {
                    moves.push((p.moved)(&args::PlannerMoved {
                        label: &l.label,
                        on: &date(x.submit_on),
                        from: &date(m.from),
                        year: &x.submit_on.year().to_string(),
                        gained: &m.gained.to_string(),
                    }));
                }
                lines.push(LineView {
                    position: x.position.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                    label: l.label.clone(),
                    kind,
                    start: date(l.start_date),
                    submit_on: date(x.submit_on),
                    last_day: date(x.last_day),
                    eligible: x.eligible,
                    subsidy: x.subsidy.to_string(),
                    own_share: x.own_share.to_string(),
                    capped: x.capped,
                    deposit_by: or_dash(x.deposit_by.filter(|_| x.eligible)),
                    pay_by: or_dash(x.pay_by.filter(|_| x.eligible)),
                    reasons: x.reasons.iter().map(|r| r.text(t)).collect(),
                    explanation: x.explanation.clone(),
                });
            }
            LineOutcome::TooLate { last_day } => {
                not_planned.push((p.too_late)(&args::PlannerTooLate {
                    label: &l.label,
                    last_day: &date(*last_day),
                }));
            }
            LineOutcome::Invalid { field, message } => {
                not_planned.push((p.invalid)(&args::PlannerInvalid {
                    label: &l.label,
                    field,
                    message,
                }));
            }
        }
    }
    let money = |c: Option<Cents>| c.map_or_else(|| p.unknown.to_owned(), |c| c.to_string());
    PlanView {
        lines,
        moves,
        not_planned,
        years: plan
            .years
            .iter()
            .map(|y| YearView {
                year: y.year,
                ceiling: money(y.ceiling),
                reserved: y.reserved_before.to_string(),
                planned: y.planned.to_string(),
                left: money(y.left_after),
            })
            .collect(),
        total_subsidy: plan.total_subsidy.to_string(),
        total_own_share: plan.total_own_share.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn dates_are_read_as_the_picker_or_people_write_them() {
        let d = |s| Date::parse(s).unwrap();
        assert_eq!(parse_date("2025-03-17"), Some(d("2025-03-17")));
        assert_eq!(parse_date(" 17/03/2025 "), Some(d("2025-03-17")));
        assert_eq!(parse_date("7/3/2025"), Some(d("2025-03-07")));
        for bad in [
            "",
            "31/02/2025",
            "17/03/25",
            "17/03/2025/1",
            "maart",
            "2025-13-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn both_languages_phrase_a_move() {
        let a = args::PlannerMoved {
            label: "A",
            on: "01/01/2026",
            from: "03/03/2025",
            year: "2026",
            gained: "€ 3.000,00",
        };
        let nl = (crate::i18n::T::of(Lang::Nl).planner.moved)(&a);
        assert_eq!(
            nl,
            "«A»: dien pas in op 01/01/2026 in plaats van 03/03/2025. Dan telt de subsidie in het plafond van 2026 en krijgt u in totaal € 3.000,00 meer."
        );
        let en = (crate::i18n::T::of(Lang::En).planner.moved)(&a);
        assert_eq!(
            en,
            "“A”: wait and submit on 01/01/2026 instead of 03/03/2025. The subsidy then counts in the 2026 ceiling, which gives € 3.000,00 more in total."
        );
        let (nl, en) = (
            &crate::i18n::T::of(Lang::Nl).planner,
            &crate::i18n::T::of(Lang::En).planner,
        );
        let late = args::PlannerTooLate {
            label: "A",
            last_day: "03/03/2025",
        };
        assert_eq!(
            (nl.too_late)(&late),
            "«A»: te laat om nog in te dienen; de laatste dag was 03/03/2025."
        );
        assert_eq!(
            (en.too_late)(&late),
            "“A”: too late to submit; the last day was 03/03/2025."
        );
        let invalid = args::PlannerInvalid {
            label: "A",
            field: "costs[0].amount",
            message: "m",
        };
        assert_eq!(
            (nl.invalid)(&invalid),
            "«A»: Deze gegevens kunnen niet beoordeeld worden (costs[0].amount: m)"
        );
        assert_eq!(
            (en.invalid)(&invalid),
            "«A»: These facts cannot be assessed (costs[0].amount: m)"
        );
    }
}
