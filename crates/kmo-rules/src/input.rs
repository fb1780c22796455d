//! Reading a case from JSON (rules-eval.md, "Input"), with a clear error naming the field.
//!
//! Two paths:
//! - the **fast path** deserialises the text into borrowed wire structs (no copy of strings
//!   without escapes) and validates them into a [`Case`];
//! - only when serde itself fails (wrong JSON type, not JSON at all) the **slow path** parses the
//!   text again with `serde_path_to_error` to name the field, and reads the `id` to echo it.
//!
//! Every input is bounded: the number of cost lines, periods, partners, topics, the length of
//! every string and the size of every amount (see the `*_MAX` constants).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use kmo_domain::{
    Cents, CostType, Date, EnterpriseSize, ExcludedTopic, Hundredths, LegalForm, ServiceKind,
    SubTheme, Theme,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

use crate::case::{
    Case, Code, CostLine, EnterpriseFacts, Figures, History, Partner, Period, RelatedFigures,
    ServiceFacts, SizeFigures, SizeInput,
};
use crate::ruleset::RuleBook;

/// Longest `id` accepted, in bytes.
pub const ID_BYTES_MAX: usize = 200;
/// Longest code string (theme, sub-theme, legal form…) accepted, in bytes.
pub const CODE_BYTES_MAX: usize = 100;
/// Most cost lines in one case.
pub const COST_LINES_MAX: usize = 100;
/// Most accounting periods in one case.
pub const PERIODS_MAX: usize = 20;
/// Most partner enterprises, and most linked enterprises, in one case.
pub const RELATED_MAX: usize = 50;
/// Most topic codes on one service.
pub const TOPICS_MAX: usize = 50;
/// Largest amount on a cost line or in the history: €10 million. Anything above is absurd for
/// a scheme with a €7,500 ceiling and is an input error, not a number to compute with.
pub const AMOUNT_CENTS_MAX: i64 = 1_000_000_000;
/// Largest total of the cost lines: also €10 million.
pub const TOTAL_CENTS_MAX: i64 = 1_000_000_000;
/// Largest turnover or balance-sheet total: €1,000 billion.
pub const FIGURE_CENTS_MAX: i64 = 100_000_000_000_000;
/// Largest staff count: one million annual work units.
pub const AWU_MAX: Hundredths = Hundredths::from_whole(1_000_000);
/// Most persons on one catering line.
pub const PERSONS_MAX: i64 = 100_000;
/// Most days on one catering line.
pub const DAYS_MAX: i64 = 1_000;

/// A case that cannot be evaluated: the field (a path like `costs[1].persons`, empty for the
/// whole case) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl InputError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// A parsed case with its `id` (borrowed from the input when possible), or the error.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub id: Option<Cow<'a, str>>,
    pub case: Result<Case, InputError>,
    /// False when the text was not JSON at all (used for the exit status of `kmo rules eval`).
    pub was_json: bool,
}

/// Parses and validates one case from its JSON text.
#[must_use]
pub fn parse_case<'a>(book: &RuleBook, text: &'a str) -> Parsed<'a> {
    match serde_json::from_str::<WireCase<'a>>(text) {
        Ok(wire) => {
            let id = wire.id.as_ref().map(|s| s.0.clone());
            let case = match &id {
                Some(id) if id.len() > ID_BYTES_MAX => Err(InputError::new(
                    "id",
                    format!("is longer than {ID_BYTES_MAX} bytes"),
                )),
                _ => validate(book, wire),
            };
            Parsed {
                id,
                case,
                was_json: true,
            }
        }
        Err(_) => slow_path(text),
    }
}
fn slow_path(text: &str) -> Parsed<'_> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Parsed {
                id: None,
                case: Err(InputError::new("", format!("not valid JSON: {e}"))),
                was_json: false,
            };
        }
    };
    let Some(object) = value.as_object() else {
        return Parsed {
            id: None,
            case: Err(InputError::new("", "a case must be a JSON object")),
            was_json: true,
        };
    };
    let id = object
        .get("id")
        .and_then(serde_json::Value::as_str)
        .filter(|s| s.len() <= ID_BYTES_MAX)
        .map(|s| Cow::Owned(s.to_owned()));
    let mut de = serde_json::Deserializer::from_str(text);
    let error = match serde_path_to_error::deserialize::<_, WireCase<'_>>(&mut de) {
        Err(e) => {
            let field = e.path().to_string();
            let message = e.inner().to_string();
            // serde_json appends " at line L column C": the field path says more.
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |at| message.get(..at).unwrap_or(""))
                .to_owned();
            let message =
                if message.starts_with("invalid type") && message.ends_with("expected i64") {
                    format!(
                        "must be a whole number (JSON integer); {}",
                        message.trim_end_matches(", expected i64")
                    )
                } else {
                    message
                };
            InputError::new(if field == "." { String::new() } else { field }, message)
        }
        // The fast path failed but this one did not: cannot happen with the same input, but
        // say something useful rather than panic.
        Ok(_) => InputError::new("", "the case could not be read"),
    };
    Parsed {
        id,
        case: Err(error),
        was_json: true,
    }
}

// ----- wire structs: the JSON shape, every field optional so that validation names it -----

/// A string borrowed from the input when it has no escapes.
#[derive(Debug)]
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
struct WireCase<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    submitted_on: Option<Str<'a>>,
    #[serde(borrow, default)]
    enterprise: Option<WireEnterprise<'a>>,
    #[serde(borrow, default)]
    service: Option<WireService<'a>>,
    #[serde(borrow, default)]
    costs: Option<Vec<WireCost<'a>>>,
    #[serde(default)]
    history: Option<WireHistory>,
}

#[derive(Deserialize)]
struct WireEnterprise<'a> {
    #[serde(borrow, default)]
    legal_form: Option<Str<'a>>,
    #[serde(default)]
    flemish_establishment: Option<bool>,
    #[serde(borrow, default)]
    public_bodies_pct: Option<&'a RawValue>,
    #[serde(borrow, default)]
    nace: Option<Str<'a>>,
    #[serde(borrow, default)]
    size: Option<Str<'a>>,
    #[serde(borrow, default)]
    periods: Option<Vec<WirePeriod<'a>>>,
    #[serde(borrow, default)]
    partners: Option<Vec<WirePartner<'a>>>,
    #[serde(borrow, default)]
    linked: Option<Vec<WireLinked<'a>>>,
}

#[derive(Deserialize)]
struct WirePeriod<'a> {
    #[serde(default)]
    year: Option<i64>,
    #[serde(borrow, default)]
    awu: Option<&'a RawValue>,
    #[serde(default)]
    turnover_cents: Option<i64>,
    #[serde(default)]
    balance_sheet_cents: Option<i64>,
}

#[derive(Deserialize)]
struct WireFigures<'a> {
    #[serde(borrow, default)]
    awu: Option<&'a RawValue>,
    #[serde(default)]
    turnover_cents: Option<i64>,
    #[serde(default)]
    balance_sheet_cents: Option<i64>,
}

#[derive(Deserialize)]
struct WirePartner<'a> {
    #[serde(borrow, default)]
    capital_pct: Option<&'a RawValue>,
    #[serde(borrow, default)]
    voting_pct: Option<&'a RawValue>,
    #[serde(borrow, default)]
    figures: Option<WireFigures<'a>>,
    #[serde(borrow, default)]
    periods: Option<Vec<WirePeriod<'a>>>,
}

#[derive(Deserialize)]
struct WireLinked<'a> {
    #[serde(borrow, default)]
    figures: Option<WireFigures<'a>>,
    #[serde(borrow, default)]
    periods: Option<Vec<WirePeriod<'a>>>,
}

#[derive(Deserialize)]
struct WireService<'a> {
    #[serde(borrow, default)]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    theme: Option<Str<'a>>,
    #[serde(borrow, default)]
    sub_theme: Option<Str<'a>>,
    #[serde(borrow, default)]
    start_date: Option<Str<'a>>,
    #[serde(borrow, default)]
    topics: Option<Vec<Str<'a>>>,
    #[serde(default)]
    on_occupation_list: Option<bool>,
    #[serde(default)]
    related_to_provider: Option<bool>,
}

#[derive(Deserialize)]
struct WireCost<'a> {
    #[serde(borrow, default, rename = "type")]
    cost_type: Option<Str<'a>>,
    #[serde(default)]
    amount_cents: Option<i64>,
    #[serde(default)]
    persons: Option<i64>,
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    separate_invoice: Option<bool>,
    #[serde(default)]
    used_only_in_training: Option<bool>,
}

#[derive(Deserialize)]
struct WireHistory {
    #[serde(default)]
    ceiling_reserved_cents: Option<i64>,
    #[serde(default)]
    de_minimis_cents: Option<i64>,
}

// ----- validation -----

type Res<T> = Result<T, InputError>;

/// A field path like `costs[1].persons`, built on the stack and turned into text only when an
/// error names it (the success path allocates no field names).
#[derive(Clone, Copy)]
enum Field<'p> {
    Root(&'static str),
    Child(&'p Field<'p>, &'static str),
    Index(&'p Field<'p>, usize),
}

impl Field<'_> {
    fn child(&self, name: &'static str) -> Field<'_> {
        Field::Child(self, name)
    }

    fn index(&self, i: usize) -> Field<'_> {
        Field::Index(self, i)
    }
}

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Root(name) => f.write_str(name),
            Field::Child(parent, name) => write!(f, "{parent}.{name}"),
            Field::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl From<&Field<'_>> for String {
    fn from(field: &Field<'_>) -> String {
        field.to_string()
    }
}

fn required<T>(value: Option<T>, field: &Field<'_>) -> Res<T> {
    value.ok_or_else(|| InputError::new(field, "is required"))
}

fn date(value: Option<&Str<'_>>, field: &Field<'_>) -> Res<Date> {
    let s = required(value, field)?;
    Date::parse(&s.0).map_err(|e| InputError::new(field, e.to_string()))
}

fn code_str<'s>(value: &'s Str<'_>, field: &Field<'_>) -> Res<&'s str> {
    if value.0.len() > CODE_BYTES_MAX {
        return Err(InputError::new(
            field,
            format!("is longer than {CODE_BYTES_MAX} bytes"),
        ));
    }
    Ok(&value.0)
}

fn one_of<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> String {
    all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", ")
}

fn cents(value: Option<i64>, field: &Field<'_>, min: i64, max: i64) -> Res<Cents> {
    let v = required(value, field)?;
    if v < min {
        return Err(InputError::new(
            field,
            if min == 0 {
                format!("must be ≥ 0, got {v}")
            } else {
                format!("must be > 0, got {v}")
            },
        ));
    }
    if v > max {
        return Err(InputError::new(
            field,
            format!("{v} is absurdly large (more than {})", Cents::new(max)),
        ));
    }
    Ok(Cents::new(v))
}

fn decimal(value: Option<&RawValue>, field: &Field<'_>, max: Hundredths) -> Res<Hundredths> {
    let raw = required(value, field)?;
    let text = raw.get();
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(InputError::new(
            field,
            format!("must be a number, got {text}"),
        ));
    }
    let v = Hundredths::parse_json_number(text).map_err(|e| match e {
        kmo_domain::DecimalError::TooManyDecimals(_) => {
            InputError::new(field, format!("{text} has more than 2 decimals"))
        }
        other => InputError::new(field, other.to_string()),
    })?;
    if v.get() < 0 {
        return Err(InputError::new(field, format!("must be ≥ 0, got {text}")));
    }
    if v > max {
        return Err(InputError::new(
            field,
            format!("must be at most {max}, got {text}"),
        ));
    }
    Ok(v)
}

fn percentage(value: Option<&RawValue>, field: &Field<'_>) -> Res<Hundredths> {
    decimal(value, field, Hundredths::from_whole(100))
}

fn figures(
    awu: Option<&RawValue>,
    turnover: Option<i64>,
    balance: Option<i64>,
    field: &Field<'_>,
) -> Res<Figures> {
    Ok(Figures {
        awu: decimal(awu, &field.child("awu"), AWU_MAX)?,
        turnover: cents(
            turnover,
            &field.child("turnover_cents"),
            0,
            FIGURE_CENTS_MAX,
        )?,
        balance_sheet: cents(
            balance,
            &field.child("balance_sheet_cents"),
            0,
            FIGURE_CENTS_MAX,
        )?,
    })
}

fn periods(list: &[WirePeriod<'_>], field: &Field<'_>) -> Res<Vec<Period>> {
    if list.is_empty() {
        return Err(InputError::new(field, "needs at least one period"));
    }
    if list.len() > PERIODS_MAX {
        return Err(InputError::new(
            field,
            format!("has more than {PERIODS_MAX} periods"),
        ));
    }
    let mut out: Vec<Period> = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        let f = field.index(i);
        let fy = f.child("year");
        let year = required(p.year, &fy)?;
        let year = i32::try_from(year)
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .ok_or_else(|| InputError::new(&fy, format!("{year} is not a year")))?;
        if let Some(prev) = out.last()
            && year <= prev.year
        {
            {
                return Err(InputError::new(
                    &fy,
                    format!("years must increase strictly ({year} after {})", prev.year),
                ));
            }
        }
        out.push(Period {
            year,
            figures: figures(p.awu, p.turnover_cents, p.balance_sheet_cents, &f)?,
        });
    }
    Ok(out)
}

fn related_figures(
    fixed: Option<&WireFigures<'_>>,
    per_year: Option<&Vec<WirePeriod<'_>>>,
    own: &[Period],
    field: &Field<'_>,
) -> Res<RelatedFigures> {
    match (fixed, per_year) {
        (Some(f), None) => Ok(RelatedFigures::Constant(figures(
            f.awu,
            f.turnover_cents,
            f.balance_sheet_cents,
            &field.child("figures"),
        )?)),
        (None, Some(list)) => {
            let pf = field.child("periods");
            let list = periods(list, &pf)?;
            if let Some(missing) = own.iter().find(|o| !list.iter().any(|p| p.year == o.year)) {
                return Err(InputError::new(
                    &pf,
                    format!(
                        "has no figures for {}, a year of the enterprise's periods",
                        missing.year
                    ),
                ));
            }
            Ok(RelatedFigures::PerYear(list))
        }
        (Some(_), Some(_)) => Err(InputError::new(
            field,
            "give either figures or periods, not both",
        )),
        (None, None) => Err(InputError::new(field, "needs figures or periods")),
    }
}

fn size_input(book: &RuleBook, submitted_on: Date, e: &WireEnterprise<'_>) -> Res<SizeInput> {
    match (&e.size, &e.periods) {
        (Some(size), None) => {
            let code = code_str(size, &Field::Root("enterprise.size"))?;
            EnterpriseSize::parse(code)
                .map(SizeInput::Confirmed)
                .ok_or_else(|| {
                    InputError::new(
                        "enterprise.size",
                        format!("unknown size {code:?}; expected one of small, medium, large"),
                    )
                })
        }
        (None, Some(list)) => {
            let own = periods(list, &Field::Root("enterprise.periods"))?;
            // The partner bounds are rule-set data; before the first rule set, use the first's.
            let rs = book.in_force(submitted_on).or_else(|| book.sets().first());
            let partners_in = e.partners.as_deref().unwrap_or_default();
            if partners_in.len() > RELATED_MAX {
                return Err(InputError::new(
                    "enterprise.partners",
                    format!("has more than {RELATED_MAX} partners"),
                ));
            }
            let mut partners = Vec::with_capacity(partners_in.len());
            for (i, p) in partners_in.iter().enumerate() {
                let f = Field::Root("enterprise.partners");
                let f = f.index(i);
                let capital_pct = percentage(p.capital_pct, &f.child("capital_pct"))?;
                let voting_pct = percentage(p.voting_pct, &f.child("voting_pct"))?;
                let figures = related_figures(p.figures.as_ref(), p.periods.as_ref(), &own, &f)?;
                let partner = Partner {
                    capital_pct,
                    voting_pct,
                    figures,
                };
                if let Some(rs) = rs
                    && partner.share() > rs.partner_max
                {
                    {
                        return Err(InputError::new(
                            &f,
                            format!(
                                "holds {} % (the higher of capital {} % and votes {} %), more than {} %: give it as a linked enterprise",
                                partner.share(),
                                capital_pct,
                                voting_pct,
                                rs.partner_max
                            ),
                        ));
                    }
                }
                partners.push(partner);
            }
            let linked_in = e.linked.as_deref().unwrap_or_default();
            if linked_in.len() > RELATED_MAX {
                return Err(InputError::new(
                    "enterprise.linked",
                    format!("has more than {RELATED_MAX} linked enterprises"),
                ));
            }
            let mut linked = Vec::with_capacity(linked_in.len());
            for (i, l) in linked_in.iter().enumerate() {
                linked.push(related_figures(
                    l.figures.as_ref(),
                    l.periods.as_ref(),
                    &own,
                    &Field::Root("enterprise.linked").index(i),
                )?);
            }
            Ok(SizeInput::Figures(Box::new(SizeFigures {
                periods: own,
                partners,
                linked,
            })))
        }
        (Some(_), Some(_)) => Err(InputError::new(
            "enterprise",
            "give either size or periods, not both",
        )),
        (None, None) => Err(InputError::new("enterprise", "needs size or periods")),
    }
}

fn nace(value: Option<&Str<'_>>) -> Res<Option<u32>> {
    let Some(s) = value else { return Ok(None) };
    let b = s.0.as_bytes();
    let ok = b.len() == 6
        && b.get(2) == Some(&b'.')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit());
    if !ok {
        let shown: String = s.0.chars().take(CODE_BYTES_MAX).collect();
        return Err(InputError::new(
            "enterprise.nace",
            format!("{shown:?} is not a NACE-BEL subclass like 62.010"),
        ));
    }
    Ok(Some(
        b.iter()
            .filter(|c| c.is_ascii_digit())
            .fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0')),
    ))
}

fn validate(book: &RuleBook, w: WireCase<'_>) -> Res<Case> {
    let submitted_on = date(w.submitted_on.as_ref(), &Field::Root("submitted_on"))?;

    let e = required(w.enterprise.as_ref(), &Field::Root("enterprise"))?;
    let lf = code_str(
        required(e.legal_form.as_ref(), &Field::Root("enterprise.legal_form"))?,
        &Field::Root("enterprise.legal_form"),
    )?;
    let legal_form = LegalForm::parse(lf).ok_or_else(|| {
        InputError::new(
            "enterprise.legal_form",
            format!(
                "unknown legal form {lf:?}; expected one of {}",
                one_of(LegalForm::ALL, LegalForm::code)
            ),
        )
    })?;
    let flemish_establishment = required(
        e.flemish_establishment,
        &Field::Root("enterprise.flemish_establishment"),
    )?;
    let public_bodies_pct = percentage(
        e.public_bodies_pct,
        &Field::Root("enterprise.public_bodies_pct"),
    )?;
    let nace = nace(e.nace.as_ref())?;
    let size = size_input(book, submitted_on, e)?;

    let s = required(w.service.as_ref(), &Field::Root("service"))?;
    let kind_code = code_str(
        required(s.kind.as_ref(), &Field::Root("service.kind"))?,
        &Field::Root("service.kind"),
    )?;
    let kind = ServiceKind::parse(kind_code).ok_or_else(|| {
        InputError::new(
            "service.kind",
            format!("unknown service kind {kind_code:?}; expected training or advice"),
        )
    })?;
    let theme = match &s.theme {
        None => Code::Missing,
        Some(t) => Theme::parse(code_str(t, &Field::Root("service.theme"))?)
            .map_or(Code::Unknown, Code::Known),
    };
    let sub_theme = match &s.sub_theme {
        None => Code::Missing,
        Some(t) => SubTheme::parse(code_str(t, &Field::Root("service.sub_theme"))?)
            .map_or(Code::Unknown, Code::Known),
    };
    let start_date = date(s.start_date.as_ref(), &Field::Root("service.start_date"))?;
    let mut topics = 0u32;
    let topic_list = s.topics.as_deref().unwrap_or_default();
    if topic_list.len() > TOPICS_MAX {
        return Err(InputError::new(
            "service.topics",
            format!("has more than {TOPICS_MAX} topics"),
        ));
    }
    for (i, t) in topic_list.iter().enumerate() {
        let field = Field::Root("service.topics");
        let field = field.index(i);
        let code = code_str(t, &field)?;
        let topic = ExcludedTopic::parse(code).ok_or_else(|| {
            InputError::new(
                &field,
                format!(
                    "unknown topic {code:?}; expected one of {}",
                    one_of(ExcludedTopic::ALL, ExcludedTopic::code)
                ),
            )
        })?;
        topics |= 1 << topic.index();
    }

    let cost_list = required(w.costs.as_ref(), &Field::Root("costs"))?;
    if cost_list.is_empty() {
        return Err(InputError::new("costs", "needs at least one cost line"));
    }
    if cost_list.len() > COST_LINES_MAX {
        return Err(InputError::new(
            "costs",
            format!("has more than {COST_LINES_MAX} lines"),
        ));
    }
    let mut costs = Vec::with_capacity(cost_list.len());
    let mut total: i64 = 0;
    for (i, c) in cost_list.iter().enumerate() {
        let f = Field::Root("costs");
        let f = f.index(i);
        let ft = f.child("type");
        let type_code = code_str(required(c.cost_type.as_ref(), &ft)?, &ft)?;
        let cost_type = CostType::parse(type_code).ok_or_else(|| {
            InputError::new(
                &ft,
                format!(
                    "unknown cost type {type_code:?}; expected one of {}",
                    one_of(CostType::ALL, CostType::code)
                ),
            )
        })?;
        let amount = cents(
            c.amount_cents,
            &f.child("amount_cents"),
            1,
            AMOUNT_CENTS_MAX,
        )?;
        total += amount.get();
        let (persons, days) = if cost_type == CostType::Catering {
            let count = |v: Option<i64>, name: &'static str, max: i64| -> Res<u32> {
                let field = f.child(name);
                let v =
                    v.ok_or_else(|| InputError::new(&field, format!("catering needs {name} > 0")))?;
                if v <= 0 {
                    return Err(InputError::new(
                        &field,
                        format!("catering needs {name} > 0, got {v}"),
                    ));
                }
                u32::try_from(v)
                    .ok()
                    .filter(|_| v <= max)
                    .ok_or_else(|| InputError::new(&field, format!("{v} is more than {max}")))
            };
            (
                count(c.persons, "persons", PERSONS_MAX)?,
                count(c.days, "days", DAYS_MAX)?,
            )
        } else {
            (0, 0)
        };
        costs.push(CostLine {
            cost_type,
            amount,
            persons,
            days,
            separate_invoice: c.separate_invoice.unwrap_or(false),
            used_only_in_training: c.used_only_in_training.unwrap_or(true),
        });
    }
    if total > TOTAL_CENTS_MAX {
        return Err(InputError::new(
            "costs",
            format!(
                "total {} is absurdly large (more than {})",
                Cents::new(total),
                Cents::new(TOTAL_CENTS_MAX)
            ),
        ));
    }

    let history = match &w.history {
        None => History::default(),
        Some(h) => History {
            ceiling_reserved: match h.ceiling_reserved_cents {
                None => Cents::ZERO,
                v => cents(
                    v,
                    &Field::Root("history.ceiling_reserved_cents"),
                    0,
                    AMOUNT_CENTS_MAX,
                )?,
            },
            de_minimis: match h.de_minimis_cents {
                None => Cents::ZERO,
                v => cents(
                    v,
                    &Field::Root("history.de_minimis_cents"),
                    0,
                    AMOUNT_CENTS_MAX,
                )?,
            },
        },
    };

    Ok(Case {
        submitted_on,
        enterprise: EnterpriseFacts {
            legal_form,
            flemish_establishment,
            public_bodies_pct,
            nace,
            size,
        },
        service: ServiceFacts {
            kind,
            theme,
            sub_theme,
            start_date,
            topics,
            on_occupation_list: s.on_occupation_list.unwrap_or(false),
            related_to_provider: s.related_to_provider.unwrap_or(false),
        },
        costs,
        history,
    })
}
