//! Dated rule sets, as data.
//!
//! The eight rule sets of rules.md D1 live in `rulesets/*.toml`, embedded in the binary. Each file
//! after the first `extends` its predecessor and repeats only the sections that changed (a section
//! given replaces the inherited one as a whole), so a file reads like a row of rules.md §9.
//! Loading resolves the inheritance, deserialises with `deny_unknown_fields` (a misspelt key is an
//! error, not a silently missing rule), and validates every value into a [`RuleSet`] whose fields
//! are typed and fast to evaluate. A wrong file fails loudly with the file and the reason.
//!
//! **Architecture Invariant:** no rule parameter is a bare constant in code; each one is a field
//! of [`RuleSet`], read from these files.

use std::collections::BTreeMap;
use std::fmt;

use kmo_domain::{
    Cents, Date, EnterpriseSize, ExcludedTopic, Hundredths, LegalForm, ServiceKind, SubTheme, Theme,
};
use serde::Deserialize;

/// The embedded rule-set files, oldest first: `(file name, contents)`.
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    ("R2016.toml", include_str!("../rulesets/R2016.toml")),
    ("R2019D.toml", include_str!("../rulesets/R2019D.toml")),
    ("R2020.toml", include_str!("../rulesets/R2020.toml")),
    ("R2020X.toml", include_str!("../rulesets/R2020X.toml")),
    ("R2021C.toml", include_str!("../rulesets/R2021C.toml")),
    ("R2023.toml", include_str!("../rulesets/R2023.toml")),
    ("R2024.toml", include_str!("../rulesets/R2024.toml")),
    ("R2026.toml", include_str!("../rulesets/R2026.toml")),
];

/// A rule-set file that cannot be loaded: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule set file {file}: {reason}")]
pub struct RuleSetError {
    pub file: String,
    pub reason: String,
}

/// How the de-minimis window is counted (D14, lifecycle.md L11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeMinimisWindow {
    /// Current and two previous calendar years (fiscal years taken as calendar years), up to D.
    ThreeCalendarYears,
    /// Dates after D minus three years, up to D.
    RollingThreeYears,
}

/// An enhanced rate for one sub-theme (D2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnhancedRate {
    pub sub_theme: SubTheme,
    pub training: bool,
    pub advice: bool,
    pub small_bp: u32,
    pub medium_bp: u32,
}

impl EnhancedRate {
    /// Whether this enhanced rate covers the service kind.
    #[must_use]
    pub fn covers(&self, kind: ServiceKind) -> bool {
        match kind {
            ServiceKind::Training => self.training,
            ServiceKind::Advice => self.advice,
        }
    }
}

/// Thresholds of one size class: staff strictly below, turnover or balance at most (D15).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeThresholds {
    pub awu_below: Hundredths,
    pub turnover_max: Cents,
    pub balance_sheet_max: Cents,
}

/// What a theme requires (D7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ThemeRule {
    /// Bit set of [`SubTheme::index`] allowed under this theme.
    pub sub_themes: u32,
    pub sub_theme_required: bool,
    pub occupation_list_required: bool,
}

/// One dated rule set: every parameter the engine uses, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    pub id: String,
    pub valid_from: Date,
    pub title_nl: String,
    pub title_en: String,
    pub sources: Vec<String>,
    pub rate_small_bp: u32,
    pub rate_medium_bp: u32,
    pub enhanced: Vec<EnhancedRate>,
    /// The rate in basis points by service kind, sub-theme (index + 1; 0 = none or unknown) and
    /// size, derived from the rates above at load so that evaluation is one lookup.
    rate_table: [[[u32; 3]; 21]; 2],
    pub ceiling_small: Cents,
    pub ceiling_medium: Cents,
    pub minimum_training: Cents,
    pub minimum_advice: Cents,
    pub catering_cap_per_person_day: Cents,
    pub submission_days_after_start: i32,
    pub deposit_days_after_submission: i32,
    pub payment_deadline_years_after_submission: i32,
    /// Bit set of [`LegalForm::index`] that are accepted.
    pub accepted_legal_forms: u32,
    pub public_participation_limit: Hundredths,
    /// Bit set of excluded NACE divisions (0..=99).
    pub excluded_nace_divisions: u128,
    pub small: SizeThresholds,
    pub medium: SizeThresholds,
    pub partner_min: Hundredths,
    pub partner_max: Hundredths,
    pub themes_checked: bool,
    /// Indexed by [`Theme::index`]; `None` when the theme is not in this rule set.
    pub themes: [Option<ThemeRule>; 8],
    /// Bit set of [`SubTheme::index`] advice is restricted to; `None` when unrestricted.
    pub advice_only_sub_themes: Option<u32>,
    /// Bit set of [`ExcludedTopic::index`] on the exclusion list.
    pub excluded_topics: u32,
    pub de_minimis_ceiling: Cents,
    pub de_minimis_window: DeMinimisWindow,
}

impl RuleSet {
    /// The standard rate of a size; `None` for a large enterprise (it has no rate).
    #[must_use]
    pub fn base_rate_bp(&self, size: EnterpriseSize) -> Option<u32> {
        match size {
            EnterpriseSize::Small => Some(self.rate_small_bp),
            EnterpriseSize::Medium => Some(self.rate_medium_bp),
            EnterpriseSize::Large => None,
        }
    }

    /// The rate for this kind, sub-theme and size: enhanced where an enhanced rate covers the
    /// sub-theme and kind (D2), else the standard one; 0 for a large enterprise.
    #[must_use]
    pub fn rate_bp(
        &self,
        kind: ServiceKind,
        sub_theme: Option<SubTheme>,
        size: EnterpriseSize,
    ) -> u32 {
        let k = usize::try_from(kind.index()).unwrap_or(0);
        let st = sub_theme.map_or(0, |s| usize::try_from(s.index()).unwrap_or(0) + 1);
        let z = usize::try_from(size.index()).unwrap_or(0);
        self.rate_table
            .get(k)
            .and_then(|t| t.get(st))
            .and_then(|t| t.get(z))
            .copied()
            .unwrap_or(0)
    }

    /// The enhanced rate that applies to this kind and sub-theme, if any.
    #[must_use]
    pub fn enhanced_for(
        &self,
        kind: ServiceKind,
        sub_theme: Option<SubTheme>,
    ) -> Option<&EnhancedRate> {
        let st = sub_theme?;
        self.enhanced
            .iter()
            .find(|e| e.sub_theme == st && e.covers(kind))
    }

    fn build_rate_table(&mut self) {
        for kind in ServiceKind::ALL {
            for st in std::iter::once(None).chain(SubTheme::ALL.iter().copied().map(Some)) {
                for size in EnterpriseSize::ALL {
                    let rate = match (self.enhanced_for(*kind, st), size) {
                        (_, EnterpriseSize::Large) => 0,
                        (Some(e), EnterpriseSize::Small) => e.small_bp,
                        (Some(e), _) => e.medium_bp,
                        (None, EnterpriseSize::Small) => self.rate_small_bp,
                        (None, _) => self.rate_medium_bp,
                    };
                    let k = usize::try_from(kind.index()).unwrap_or(0);
                    let s = st.map_or(0, |s| usize::try_from(s.index()).unwrap_or(0) + 1);
                    let z = usize::try_from(size.index()).unwrap_or(0);
                    if let Some(slot) = self
                        .rate_table
                        .get_mut(k)
                        .and_then(|t| t.get_mut(s))
                        .and_then(|t| t.get_mut(z))
                    {
                        *slot = rate;
                    }
                }
            }
        }
    }

    /// The annual ceiling of a size; `None` for a large enterprise.
    #[must_use]
    pub fn annual_ceiling(&self, size: EnterpriseSize) -> Option<Cents> {
        match size {
            EnterpriseSize::Small => Some(self.ceiling_small),
            EnterpriseSize::Medium => Some(self.ceiling_medium),
            EnterpriseSize::Large => None,
        }
    }

    /// The minimum eligible amount of a service kind.
    #[must_use]
    pub fn minimum(&self, kind: ServiceKind) -> Cents {
        match kind {
            ServiceKind::Training => self.minimum_training,
            ServiceKind::Advice => self.minimum_advice,
        }
    }

    #[must_use]
    pub fn legal_form_accepted(&self, form: LegalForm) -> bool {
        self.accepted_legal_forms & (1 << form.index()) != 0
    }

    #[must_use]
    pub fn nace_division_excluded(&self, division: u32) -> bool {
        division < 100 && self.excluded_nace_divisions & (1u128 << division) != 0
    }

    #[must_use]
    pub fn topic_excluded(&self, topic: ExcludedTopic) -> bool {
        self.excluded_topics & (1 << topic.index()) != 0
    }

    /// The rule for a theme, if the theme exists in this rule set.
    #[must_use]
    pub fn theme_rule(&self, theme: Theme) -> Option<&ThemeRule> {
        self.themes
            .get(usize::try_from(theme.index()).ok()?)?
            .as_ref()
    }

    /// The excluded topics, in list order.
    pub fn excluded_topic_list(&self) -> impl Iterator<Item = ExcludedTopic> + '_ {
        ExcludedTopic::ALL
            .iter()
            .copied()
            .filter(|t| self.topic_excluded(*t))
    }

    /// The accepted (true) or excluded (false) legal forms.
    pub fn legal_forms(&self, accepted: bool) -> impl Iterator<Item = LegalForm> + '_ {
        LegalForm::ALL
            .iter()
            .copied()
            .filter(move |f| self.legal_form_accepted(*f) == accepted)
    }

    /// The excluded NACE divisions, ascending.
    pub fn excluded_nace_division_list(&self) -> impl Iterator<Item = u32> + '_ {
        (0..100u32).filter(|d| self.nace_division_excluded(*d))
    }

    /// The sub-themes in a bit set, in code-list order.
    pub fn sub_themes_in(set: u32) -> impl Iterator<Item = SubTheme> {
        SubTheme::ALL
            .iter()
            .copied()
            .filter(move |s| set & (1 << s.index()) != 0)
    }

    /// Last day of the submission window for a service starting on `start` (D10).
    pub fn last_submission_day(&self, start: Date) -> Option<Date> {
        start.add_days(self.submission_days_after_start).ok()
    }
}

/// All rule sets, ordered by `valid_from`. The engine selects the one in force on a date (D1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleBook {
    sets: Vec<RuleSet>,
}

impl RuleBook {
    /// The rule book built from the embedded files. Fails with the file and reason if any file is
    /// wrong; a test makes sure the shipped files load.
    pub fn embedded() -> Result<RuleBook, RuleSetError> {
        RuleBook::from_files(EMBEDDED_FILES)
    }

    /// Builds a rule book from `(file name, TOML)` pairs, oldest first.
    pub fn from_files(files: &[(&str, &str)]) -> Result<RuleBook, RuleSetError> {
        let mut resolved: BTreeMap<String, toml::Table> = BTreeMap::new();
        let mut sets: Vec<RuleSet> = Vec::with_capacity(files.len());
        for (file, text) in files {
            let err = |reason: String| RuleSetError {
                file: (*file).to_owned(),
                reason,
            };
            let mut table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| err(e.to_string()))?;
            if let Some(parent) = table.remove("extends") {
                let parent = parent
                    .as_str()
                    .ok_or_else(|| err("extends must be a rule-set id".into()))?;
                let base = resolved.get(parent).ok_or_else(|| {
                    err(format!(
                        "extends {parent:?}, which is not an earlier rule set"
                    ))
                })?;
                let mut merged = base.clone();
                for (key, value) in table {
                    merged.insert(key, value);
                }
                table = merged;
            }
            let raw: RawRuleSet = toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| err(e.to_string().trim_end().to_owned()))?;
            let set = raw.validate().map_err(err)?;
            if let Some(previous) = sets.last()
                && set.valid_from <= previous.valid_from
            {
                {
                    return Err(err(format!(
                        "valid_from {} is not after {} of {}",
                        set.valid_from, previous.valid_from, previous.id
                    )));
                }
            }
            if resolved.contains_key(&set.id) {
                return Err(err(format!("duplicate rule set id {}", set.id)));
            }
            resolved.insert(set.id.clone(), table);
            sets.push(set);
        }
        if sets.is_empty() {
            return Err(RuleSetError {
                file: String::new(),
                reason: "no rule sets".into(),
            });
        }
        if sets.len() > usize::from(u8::MAX) {
            return Err(RuleSetError {
                file: String::new(),
                reason: "too many rule sets".into(),
            });
        }
        Ok(RuleBook { sets })
    }

    /// Every rule set, oldest first.
    #[must_use]
    pub fn sets(&self) -> &[RuleSet] {
        &self.sets
    }

    /// The index of the rule set in force on `date`, if any (D1).
    #[must_use]
    pub fn index_in_force(&self, date: Date) -> Option<u8> {
        // Sets are ordered by valid_from: the count of those already valid is one past the index.
        // Counting (not searching) keeps this branch-free for the evaluation hot path.
        let valid = self.sets.iter().filter(|s| s.valid_from <= date).count();
        u8::try_from(valid.checked_sub(1)?).ok()
    }

    /// The rule set in force on `date`, if any (D1).
    #[must_use]
    pub fn in_force(&self, date: Date) -> Option<&RuleSet> {
        self.get(self.index_in_force(date)?)
    }

    /// The rule set at an index returned by [`RuleBook::index_in_force`].
    #[must_use]
    pub fn get(&self, index: u8) -> Option<&RuleSet> {
        self.sets.get(usize::from(index))
    }

    /// The rule set with this id.
    #[must_use]
    pub fn by_id(&self, id: &str) -> Option<&RuleSet> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// The first day any rule set is in force.
    #[must_use]
    pub fn first_valid_from(&self) -> Option<Date> {
        self.sets.first().map(|s| s.valid_from)
    }

    /// The day after the last day `index` is in force, if a later set exists.
    #[must_use]
    pub fn valid_until_exclusive(&self, index: u8) -> Option<Date> {
        self.sets.get(usize::from(index) + 1).map(|s| s.valid_from)
    }
}

impl fmt::Display for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (valid from {})", self.id, self.valid_from)
    }
}

// ----- the file format -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    id: String,
    valid_from: String,
    title_nl: String,
    title_en: String,
    sources: Vec<String>,
    rates: RawRates,
    ceiling: RawCeiling,
    minimum: RawMinimum,
    costs: RawCosts,
    deadlines: RawDeadlines,
    enterprise: RawEnterprise,
    size: RawSize,
    themes: RawThemes,
    advice: RawAdvice,
    exclusion: RawExclusion,
    de_minimis: RawDeMinimis,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRates {
    small_bp: u32,
    medium_bp: u32,
    enhanced: Vec<RawEnhanced>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnhanced {
    sub_theme: String,
    kinds: Vec<String>,
    small_bp: u32,
    medium_bp: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCeiling {
    small_cents: i64,
    medium_cents: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMinimum {
    training_cents: i64,
    advice_cents: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCosts {
    catering_cap_per_person_day_cents: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadlines {
    submission_days_after_start: i32,
    deposit_days_after_submission: i32,
    payment_deadline_years_after_submission: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnterprise {
    accepted_legal_forms: Vec<String>,
    excluded_legal_forms: Vec<String>,
    public_participation_limit_pct: String,
    excluded_nace_divisions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSize {
    small: RawThresholds,
    medium: RawThresholds,
    partner_min_pct: String,
    partner_max_pct: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    awu_below: String,
    turnover_max_cents: i64,
    balance_sheet_max_cents: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThemes {
    checked: bool,
    list: Vec<RawTheme>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    theme: String,
    #[serde(default)]
    sub_themes: Vec<String>,
    #[serde(default)]
    sub_theme_required: bool,
    #[serde(default)]
    occupation_list_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdvice {
    only_sub_themes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    topics: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeMinimis {
    ceiling_cents: i64,
    window: DeMinimisWindow,
}

fn positive_cents(name: &str, value: i64) -> Result<Cents, String> {
    if value > 0 {
        Ok(Cents::new(value))
    } else {
        Err(format!("{name} must be > 0, got {value}"))
    }
}

fn rate(name: &str, bp: u32) -> Result<u32, String> {
    if bp > 0 && bp <= 10_000 {
        Ok(bp)
    } else {
        Err(format!("{name} must be 1..=10000 basis points, got {bp}"))
    }
}

fn pct(name: &str, text: &str) -> Result<Hundredths, String> {
    let value = Hundredths::parse_json_number(text).map_err(|e| format!("{name}: {e}"))?;
    if (0..=10_000).contains(&value.get()) {
        Ok(value)
    } else {
        Err(format!("{name} must be 0..100, got {text}"))
    }
}

fn sub_theme(name: &str, code: &str) -> Result<SubTheme, String> {
    SubTheme::parse(code).ok_or_else(|| format!("{name}: unknown sub-theme {code:?}"))
}

fn thresholds(name: &str, raw: &RawThresholds) -> Result<SizeThresholds, String> {
    let awu_below = Hundredths::parse_json_number(&raw.awu_below)
        .map_err(|e| format!("{name}.awu_below: {e}"))?;
    if awu_below.get() <= 0 {
        return Err(format!("{name}.awu_below must be > 0"));
    }
    Ok(SizeThresholds {
        awu_below,
        turnover_max: positive_cents(
            &format!("{name}.turnover_max_cents"),
            raw.turnover_max_cents,
        )?,
        balance_sheet_max: positive_cents(
            &format!("{name}.balance_sheet_max_cents"),
            raw.balance_sheet_max_cents,
        )?,
    })
}

impl RawRuleSet {
    fn validate(self) -> Result<RuleSet, String> {
        if self.id.is_empty()
            || self.id.len() > 16
            || !self.id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(format!(
                "id {:?} must be 1-16 ASCII letters and digits",
                self.id
            ));
        }
        let valid_from = Date::parse(&self.valid_from).map_err(|e| format!("valid_from: {e}"))?;
        let rate_small_bp = rate("rates.small_bp", self.rates.small_bp)?;
        let rate_medium_bp = rate("rates.medium_bp", self.rates.medium_bp)?;
        let mut enhanced = Vec::with_capacity(self.rates.enhanced.len());
        for (i, e) in self.rates.enhanced.iter().enumerate() {
            let name = format!("rates.enhanced[{i}]");
            let st = sub_theme(&format!("{name}.sub_theme"), &e.sub_theme)?;
            if enhanced.iter().any(|x: &EnhancedRate| x.sub_theme == st) {
                return Err(format!("{name}: sub-theme {st} listed twice"));
            }
            let mut training = false;
            let mut advice = false;
            for k in &e.kinds {
                match ServiceKind::parse(k) {
                    Some(ServiceKind::Training) => training = true,
                    Some(ServiceKind::Advice) => advice = true,
                    None => return Err(format!("{name}.kinds: unknown service kind {k:?}")),
                }
            }
            if !training && !advice {
                return Err(format!("{name}.kinds must name training and/or advice"));
            }
            let small_bp = rate(&format!("{name}.small_bp"), e.small_bp)?;
            let medium_bp = rate(&format!("{name}.medium_bp"), e.medium_bp)?;
            if small_bp < rate_small_bp || medium_bp < rate_medium_bp {
                return Err(format!(
                    "{name}: an enhanced rate is below the standard rate"
                ));
            }
            enhanced.push(EnhancedRate {
                sub_theme: st,
                training,
                advice,
                small_bp,
                medium_bp,
            });
        }

        let mut accepted_legal_forms = 0u32;
        let mut listed = 0u32;
        for (accepted, list, name) in [
            (
                true,
                &self.enterprise.accepted_legal_forms,
                "accepted_legal_forms",
            ),
            (
                false,
                &self.enterprise.excluded_legal_forms,
                "excluded_legal_forms",
            ),
        ] {
            for code in list {
                let form = LegalForm::parse(code)
                    .ok_or_else(|| format!("enterprise.{name}: unknown legal form {code:?}"))?;
                let bit = 1u32 << form.index();
                if listed & bit != 0 {
                    return Err(format!("enterprise.{name}: legal form {form} listed twice"));
                }
                listed |= bit;
                if accepted {
                    accepted_legal_forms |= bit;
                }
            }
        }
        if let Some(missing) = LegalForm::ALL
            .iter()
            .find(|f| listed & (1 << f.index()) == 0)
        {
            return Err(format!(
                "enterprise: legal form {missing} is neither accepted nor excluded"
            ));
        }

        let mut excluded_nace_divisions = 0u128;
        for d in &self.enterprise.excluded_nace_divisions {
            let n: u32 = match d.as_bytes() {
                [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
                    u32::from(a - b'0') * 10 + u32::from(b - b'0')
                }
                _ => {
                    return Err(format!(
                        "enterprise.excluded_nace_divisions: {d:?} is not a two-digit division"
                    ));
                }
            };
            excluded_nace_divisions |= 1u128 << n;
        }

        let small = thresholds("size.small", &self.size.small)?;
        let medium = thresholds("size.medium", &self.size.medium)?;
        if small.awu_below > medium.awu_below
            || small.turnover_max > medium.turnover_max
            || small.balance_sheet_max > medium.balance_sheet_max
        {
            return Err("size: a small threshold is above the medium one".into());
        }
        let partner_min = pct("size.partner_min_pct", &self.size.partner_min_pct)?;
        let partner_max = pct("size.partner_max_pct", &self.size.partner_max_pct)?;
        if partner_min > partner_max {
            return Err("size: partner_min_pct is above partner_max_pct".into());
        }

        let mut themes: [Option<ThemeRule>; 8] = [None; 8];
        let mut claimed_sub_themes = 0u32;
        for (i, t) in self.themes.list.iter().enumerate() {
            let name = format!("themes.list[{i}]");
            let theme = Theme::parse(&t.theme)
                .ok_or_else(|| format!("{name}: unknown theme {:?}", t.theme))?;
            let mut rule = ThemeRule {
                sub_themes: 0,
                sub_theme_required: t.sub_theme_required,
                occupation_list_required: t.occupation_list_required,
            };
            for code in &t.sub_themes {
                let st = sub_theme(&format!("{name}.sub_themes"), code)?;
                let bit = 1u32 << st.index();
                if claimed_sub_themes & bit != 0 {
                    return Err(format!("{name}: sub-theme {st} belongs to two themes"));
                }
                claimed_sub_themes |= bit;
                rule.sub_themes |= bit;
            }
            if rule.sub_theme_required && rule.sub_themes == 0 {
                return Err(format!("{name}: requires a sub-theme but lists none"));
            }
            let slot = themes
                .get_mut(usize::try_from(theme.index()).map_err(|e| e.to_string())?)
                .ok_or_else(|| format!("{name}: theme index out of range"))?;
            if slot.is_some() {
                return Err(format!("{name}: theme {theme} listed twice"));
            }
            *slot = Some(rule);
        }
        if self.themes.checked && themes.iter().all(Option::is_none) {
            return Err("themes: checked but no theme listed".into());
        }

        let advice_only_sub_themes = if self.advice.only_sub_themes.is_empty() {
            None
        } else {
            let mut set = 0u32;
            for code in &self.advice.only_sub_themes {
                set |= 1 << sub_theme("advice.only_sub_themes", code)?.index();
            }
            Some(set)
        };

        let mut excluded_topics = 0u32;
        for code in &self.exclusion.topics {
            let topic = ExcludedTopic::parse(code)
                .ok_or_else(|| format!("exclusion.topics: unknown topic {code:?}"))?;
            excluded_topics |= 1 << topic.index();
        }

        let days = |name: &str, v: i32, max: i32| -> Result<i32, String> {
            if (0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(format!("deadlines.{name} must be 0..={max}, got {v}"))
            }
        };

        let mut set = RuleSet {
            rate_table: [[[0; 3]; 21]; 2],
            valid_from,
            title_nl: self.title_nl,
            title_en: self.title_en,
            sources: self.sources,
            rate_small_bp,
            rate_medium_bp,
            enhanced,
            ceiling_small: positive_cents("ceiling.small_cents", self.ceiling.small_cents)?,
            ceiling_medium: positive_cents("ceiling.medium_cents", self.ceiling.medium_cents)?,
            minimum_training: positive_cents(
                "minimum.training_cents",
                self.minimum.training_cents,
            )?,
            minimum_advice: positive_cents("minimum.advice_cents", self.minimum.advice_cents)?,
            catering_cap_per_person_day: positive_cents(
                "costs.catering_cap_per_person_day_cents",
                self.costs.catering_cap_per_person_day_cents,
            )?,
            submission_days_after_start: days(
                "submission_days_after_start",
                self.deadlines.submission_days_after_start,
                366,
            )?,
            deposit_days_after_submission: days(
                "deposit_days_after_submission",
                self.deadlines.deposit_days_after_submission,
                366,
            )?,
            payment_deadline_years_after_submission: days(
                "payment_deadline_years_after_submission",
                self.deadlines.payment_deadline_years_after_submission,
                10,
            )?,
            accepted_legal_forms,
            public_participation_limit: pct(
                "enterprise.public_participation_limit_pct",
                &self.enterprise.public_participation_limit_pct,
            )?,
            excluded_nace_divisions,
            small,
            medium,
            partner_min,
            partner_max,
            themes_checked: self.themes.checked,
            themes,
            advice_only_sub_themes,
            excluded_topics,
            de_minimis_ceiling: positive_cents(
                "de_minimis.ceiling_cents",
                self.de_minimis.ceiling_cents,
            )?,
            de_minimis_window: self.de_minimis.window,
            id: self.id,
        };
        set.build_rate_table();
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> RuleBook {
        RuleBook::embedded().unwrap()
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_shipped_rule_sets_load_in_date_order() {
        let b = book();
        let ids: Vec<&str> = b.sets().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "R2016", "R2019D", "R2020", "R2020X", "R2021C", "R2023", "R2024", "R2026"
            ]
        );
    }

    #[test]
    fn the_rule_set_in_force_is_chosen_by_date_as_d1_says() {
        let b = book();
        let id = |s: &str| b.in_force(d(s)).map(|r| r.id.clone());
        assert_eq!(id("2016-03-31"), None);
        assert_eq!(id("2016-04-01").as_deref(), Some("R2016"));
        assert_eq!(id("2019-11-30").as_deref(), Some("R2016"));
        assert_eq!(id("2019-12-01").as_deref(), Some("R2019D"));
        assert_eq!(id("2020-06-30").as_deref(), Some("R2020"));
        assert_eq!(id("2020-07-01").as_deref(), Some("R2020X"));
        assert_eq!(id("2021-09-12").as_deref(), Some("R2020X"));
        assert_eq!(id("2021-09-13").as_deref(), Some("R2021C"));
        assert_eq!(id("2023-01-01").as_deref(), Some("R2023"));
        assert_eq!(id("2024-01-01").as_deref(), Some("R2024"));
        assert_eq!(id("2026-01-31").as_deref(), Some("R2024"));
        assert_eq!(id("2026-02-01").as_deref(), Some("R2026"));
        assert_eq!(id("2099-01-01").as_deref(), Some("R2026"));
    }

    #[test]
    fn inherited_sections_carry_over_and_overrides_replace() {
        let b = book();
        let r2016 = b.by_id("R2016").unwrap();
        let r2020 = b.by_id("R2020").unwrap();
        let r2026 = b.by_id("R2026").unwrap();
        assert_eq!(
            (
                r2016.rate_small_bp,
                r2016.ceiling_small,
                r2016.ceiling_medium
            ),
            (4000, Cents::new(1_000_000), Cents::new(1_500_000))
        );
        assert_eq!(
            (r2020.rate_small_bp, r2020.ceiling_medium),
            (3000, Cents::new(750_000))
        );
        assert_eq!(r2016.excluded_topics, 0);
        assert_eq!(r2026.excluded_topic_list().count(), 25);
        assert!(
            !r2026
                .enhanced
                .iter()
                .find(|e| e.sub_theme == SubTheme::EnergyEfficiency)
                .unwrap()
                .advice
        );
        assert_eq!(
            r2026.advice_only_sub_themes,
            Some(1 << SubTheme::Cybersecurity.index())
        );
        assert_eq!(
            b.by_id("R2023").unwrap().de_minimis_ceiling,
            Cents::new(20_000_000)
        );
        assert_eq!(
            b.by_id("R2024").unwrap().de_minimis_ceiling,
            Cents::new(30_000_000)
        );
        assert!(!r2026.legal_form_accepted(LegalForm::Maatschap));
        assert!(
            r2026.nace_division_excluded(1)
                && r2026.nace_division_excluded(3)
                && !r2026.nace_division_excluded(62)
        );
    }

    fn with_edit(file: &str, from: &str, to: &str) -> Result<RuleBook, RuleSetError> {
        let files: Vec<(&str, String)> = EMBEDDED_FILES
            .iter()
            .map(|(name, text)| {
                (
                    *name,
                    if *name == file {
                        text.replacen(from, to, 1)
                    } else {
                        (*text).to_owned()
                    },
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        RuleBook::from_files(&refs)
    }

    #[test]
    fn a_misspelt_key_fails_loudly_with_the_file_name() {
        let e = with_edit(
            "R2024.toml",
            "ceiling_cents = 30000000",
            "ceiling_cent = 30000000",
        )
        .unwrap_err();
        assert_eq!(e.file, "R2024.toml");
        assert!(e.reason.contains("ceiling_cent"), "{e}");
    }

    #[test]
    fn an_unknown_code_fails_loudly() {
        let e = with_edit("R2020X.toml", "\"shiatsu\"", "\"shiatsoe\"").unwrap_err();
        assert!(e.reason.contains("shiatsoe"), "{e}");
        let e = with_edit("R2016.toml", "\"MAATSCHAP\", ", "").unwrap_err();
        assert!(
            e.reason
                .contains("MAATSCHAP is neither accepted nor excluded"),
            "{e}"
        );
    }

    #[test]
    fn dates_out_of_order_fail_loudly() {
        let e = with_edit("R2026.toml", "2026-02-01", "2023-06-01").unwrap_err();
        assert!(e.reason.contains("is not after"), "{e}");
        let e = with_edit("R2024.toml", "extends = \"R2023\"", "extends = \"R2099\"").unwrap_err();
        assert!(e.reason.contains("R2099"), "{e}");
    }

    #[test]
    fn impossible_values_fail_loudly() {
        assert!(with_edit("R2016.toml", "small_bp = 4000", "small_bp = 40000").is_err());
        assert!(
            with_edit(
                "R2016.toml",
                "training_cents = 10000",
                "training_cents = -1"
            )
            .is_err()
        );
        assert!(
            with_edit(
                "R2016.toml",
                "public_participation_limit_pct = \"25.00\"",
                "public_participation_limit_pct = \"125\""
            )
            .is_err()
        );
        assert!(
            with_edit(
                "R2016.toml",
                "valid_from = \"2016-04-01\"",
                "valid_from = \"2016-02-30\""
            )
            .is_err()
        );
        assert!(
            with_edit(
                "R2023.toml",
                "{ theme = \"innovation\" }",
                "{ theme = \"innovation\", sub_themes = [\"data\"] }"
            )
            .is_err()
        );
    }
}
