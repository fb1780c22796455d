//! The trace: which rule was applied, with which parameter values, and what it found.
//!
//! A [`Step`] is a small `Copy` value of codes and numbers; recording one costs a few stores.
//! Text is produced only when a step is written ([`Step::rule`], [`Step::outcome`],
//! [`Step::write_detail`]), in Dutch or English, by the same code for `kmo rules eval`'s JSON
//! trace, `kmo rules explain`, the API and the web pages. The codes' labels (a legal form, a
//! theme…) are the catalogue's (`kmo_text::Label`), the words the pages use.

use kmo_domain::codes::Lang;
use kmo_domain::{
    Cents, CostType, Date, EnterpriseSize, ExcludedTopic, Hundredths, LegalForm, ServiceKind,
    SubTheme, Theme,
};

use kmo_text::{Label, T};

use crate::case::Code;
use crate::ruleset::RuleBook;

/// Receives trace steps. `()` ignores them (and the compiler removes them).
pub trait Tracer {
    fn record(&mut self, step: Step);
}

impl Tracer for () {
    #[inline(always)]
    fn record(&mut self, _step: Step) {}
}

/// A reusable trace buffer: clear it between cases and it never allocates again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    steps: Vec<Step>,
}

impl Trace {
    #[must_use]
    pub fn new() -> Self {
        Trace {
            steps: Vec::with_capacity(32),
        }
    }

    pub fn clear(&mut self) {
        self.steps.clear();
    }

    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

impl Tracer for Trace {
    #[inline]
    fn record(&mut self, step: Step) {
        self.steps.push(step);
    }
}

/// How a cost line was treated (D6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostRuling {
    Eligible,
    CateringWithinCap { persons: u32, days: u32, cap: Cents },
    CateringCapped { persons: u32, days: u32, cap: Cents },
    SeparateInvoice,
    NotOnlyInTraining,
    NeverEligible,
}

/// What the theme check found (D7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeVerdict {
    Fits,
    UnknownTheme,
    SubThemeRequired,
    SubThemeNotInTheme,
}

/// Whether a step passed, failed, or only informs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Info,
}

impl Outcome {
    /// The code as exactly four bytes (all codes have four letters).
    #[must_use]
    pub const fn code4(self) -> &'static [u8; 4] {
        match self {
            Outcome::Pass => b"pass",
            Outcome::Fail => b"fail",
            Outcome::Info => b"info",
        }
    }

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        }
    }
}

/// One rule applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    NoRulesInForce {
        submitted_on: Date,
        first_valid_from: Option<Date>,
    },
    RuleSet {
        index: u8,
        submitted_on: Date,
    },
    LegalForm {
        form: LegalForm,
        accepted: bool,
    },
    FlemishEstablishment {
        present: bool,
    },
    PublicParticipation {
        pct: Hundredths,
        limit: Hundredths,
    },
    MainActivity {
        nace: u32,
        excluded: bool,
    },
    SizeConfirmed {
        size: EnterpriseSize,
    },
    PartnerIgnored {
        partner: u16,
        share: Hundredths,
        minimum: Hundredths,
    },
    SizePeriod {
        year: i32,
        awu: Hundredths,
        turnover: Cents,
        balance_sheet: Cents,
        class: EnterpriseSize,
        status: EnterpriseSize,
    },
    SizeDerived {
        size: EnterpriseSize,
        periods: u16,
    },
    RelatedProvider {
        related: bool,
    },
    ExcludedTopic {
        topic: ExcludedTopic,
    },
    NoExcludedTopic {
        list_len: u32,
    },
    ThemesNotChecked,
    Theme {
        theme: Code<Theme>,
        sub_theme: Code<SubTheme>,
        verdict: ThemeVerdict,
    },
    OccupationList {
        on_list: bool,
    },
    AdviceScope {
        allowed_sub_themes: u32,
        ok: bool,
    },
    SubmissionWindow {
        start: Date,
        last_day: Date,
        submitted_on: Date,
    },
    CostLine {
        line: u16,
        cost_type: CostType,
        amount: Cents,
        eligible: Cents,
        ruling: CostRuling,
    },
    Eligible {
        eligible: Cents,
        ineligible: Cents,
    },
    Minimum {
        kind: ServiceKind,
        minimum: Cents,
        eligible: Cents,
    },
    NoRate,
    Rate {
        size: EnterpriseSize,
        rate_bp: u32,
        enhanced_by: Option<SubTheme>,
    },
    Ceiling {
        year: i32,
        ceiling: Cents,
        reserved: Cents,
        remaining: Cents,
        raw: Cents,
        subsidy: Cents,
    },
    DeMinimis {
        prior: Cents,
        subsidy: Cents,
        ceiling: Cents,
    },
}

impl Step {
    /// The stable rule code of this step.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        let prefix = self.json_prefix();
        // `{"rule":"` … `","result":"`
        prefix
            .get(9..prefix.len() - 12)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// `{"rule":"<code>","result":"` as one static string, for the JSON trace.
    #[must_use]
    pub const fn json_prefix(&self) -> &'static [u8] {
        macro_rules! p {
            ($code:literal) => {
                concat!("{\"rule\":\"", $code, "\",\"result\":\"").as_bytes()
            };
        }
        match self {
            Step::NoRulesInForce { .. } => p!("no_rules_in_force"),
            Step::RuleSet { .. } => p!("rule_set"),
            Step::LegalForm { .. } => p!("legal_form"),
            Step::FlemishEstablishment { .. } => p!("flemish_establishment"),
            Step::PublicParticipation { .. } => p!("public_participation"),
            Step::MainActivity { .. } => p!("main_activity"),
            Step::SizeConfirmed { .. } => p!("size_confirmed"),
            Step::PartnerIgnored { .. } => p!("partner_below_threshold"),
            Step::SizePeriod { .. } => p!("size_period"),
            Step::SizeDerived { .. } => p!("size_derived"),
            Step::RelatedProvider { .. } => p!("related_provider"),
            Step::ExcludedTopic { .. } | Step::NoExcludedTopic { .. } => p!("exclusion_list"),
            Step::ThemesNotChecked | Step::Theme { .. } => p!("theme"),
            Step::OccupationList { .. } => p!("occupation_specific_list"),
            Step::AdviceScope { .. } => p!("advice_scope"),
            Step::SubmissionWindow { .. } => p!("submission_window"),
            Step::CostLine {
                ruling: CostRuling::CateringCapped { .. } | CostRuling::CateringWithinCap { .. },
                ..
            } => p!("catering_cap"),
            Step::CostLine { .. } => p!("cost_line"),
            Step::Eligible { .. } => p!("eligible_amount"),
            Step::Minimum { .. } => p!("minimum_amount"),
            Step::NoRate | Step::Rate { .. } => p!("rate"),
            Step::Ceiling { .. } => p!("annual_ceiling"),
            Step::DeMinimis { .. } => p!("de_minimis"),
        }
    }

    /// Whether the step passed, failed or only informs.
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        let pass = |ok: bool| if ok { Outcome::Pass } else { Outcome::Fail };
        match *self {
            Step::NoRulesInForce { .. } => Outcome::Fail,
            Step::LegalForm { accepted, .. } => pass(accepted),
            Step::FlemishEstablishment { present } => pass(present),
            Step::PublicParticipation { pct, limit } => pass(pct < limit),
            Step::MainActivity { excluded, .. } => pass(!excluded),
            Step::SizeDerived { size, .. } | Step::SizeConfirmed { size } => {
                pass(size != EnterpriseSize::Large)
            }
            Step::RelatedProvider { related } => pass(!related),
            Step::ExcludedTopic { .. } => Outcome::Fail,
            Step::NoExcludedTopic { .. } => Outcome::Pass,
            Step::Theme { verdict, .. } => pass(verdict == ThemeVerdict::Fits),
            Step::OccupationList { on_list } => pass(on_list),
            Step::AdviceScope { ok, .. } => pass(ok),
            Step::SubmissionWindow {
                last_day,
                submitted_on,
                ..
            } => pass(submitted_on <= last_day),
            Step::Minimum {
                minimum, eligible, ..
            } => pass(eligible >= minimum),
            Step::Ceiling { remaining, .. } => pass(remaining > Cents::ZERO),
            Step::DeMinimis {
                prior,
                subsidy,
                ceiling,
            } => pass(prior.checked_add(subsidy).is_some_and(|t| t <= ceiling)),
            Step::RuleSet { .. }
            | Step::PartnerIgnored { .. }
            | Step::SizePeriod { .. }
            | Step::ThemesNotChecked
            | Step::CostLine { .. }
            | Step::Eligible { .. }
            | Step::NoRate
            | Step::Rate { .. } => Outcome::Info,
        }
    }

    /// Appends a sentence for people explaining this step, with the parameter values used.
    /// Never contains `"` or `\`, so it can be written into JSON as it is.
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per rule, each a sentence in two languages"
    )]
    pub fn write_detail(&self, book: &RuleBook, lang: Lang, out: &mut Vec<u8>) {
        // One copy of the text per language, so every literal has a compile-time length and
        // its copy is inlined (this runs ~16 times per answer of `kmo rules eval`).
        match lang {
            Lang::Nl => self.write_detail_in::<true>(book, out),
            Lang::En => self.write_detail_in::<false>(book, out),
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one arm per rule, each a sentence in two languages"
    )]
    fn write_detail_in<const NL: bool>(&self, book: &RuleBook, out: &mut Vec<u8>) {
        let nl = NL;
        let lang = if NL { Lang::Nl } else { Lang::En };
        // The catalogue of the language: a constant here, its labels `&'static str`.
        let t = T::of(lang);
        let mut w = Writer { out, lang };
        match *self {
            Step::NoRulesInForce { submitted_on, first_valid_from } => {
                w.s(if nl { "ingediend op " } else { "submitted on " });
                w.date(submitted_on);
                w.s(if nl { ", vóór de eerste regelset (" } else { ", before the first rule set (" });
                if let Some(d) = first_valid_from {
                    w.date(d);
                }
                w.s(")");
            }
            Step::RuleSet { index, submitted_on } => {
                if let Some(rs) = book.get(index) {
                    w.s(&rs.id);
                    w.s(if nl { " (geldig vanaf " } else { " (valid from " });
                    w.date(rs.valid_from);
                    w.s(if nl { ") is van kracht op de indieningsdatum " } else { ") is in force on the submission date " });
                    w.date(submitted_on);
                    w.s(": ");
                    w.s(if nl { &rs.title_nl } else { &rs.title_en });
                }
            }
            Step::LegalForm { form, accepted } => {
                w.s(if nl { "rechtsvorm " } else { "legal form " });
                w.s(form.code());
                w.s(" (");
                w.s(form.label(t));
                w.s(match (nl, accepted) {
                    (true, true) => ") komt in aanmerking",
                    (true, false) => ") is uitgesloten",
                    (false, true) => ") is accepted",
                    (false, false) => ") is excluded",
                });
            }
            Step::FlemishEstablishment { present } => w.s(match (nl, present) {
                (true, true) => "vestiging in het Vlaams Gewest",
                (true, false) => "geen vestiging in het Vlaams Gewest",
                (false, true) => "establishment in the Flemish Region",
                (false, false) => "no establishment in the Flemish Region",
            }),
            Step::PublicParticipation { pct, limit } => {
                w.s(if nl { "overheidsparticipatie " } else { "public participation " });
                w.pct(pct);
                w.s(if pct < limit { " < " } else { " ≥ " });
                w.pct(limit);
            }
            Step::MainActivity { nace, excluded } => {
                w.s(if nl { "hoofdactiviteit NACE-BEL " } else { "main activity NACE-BEL " });
                w.nace(nace);
                w.s(if nl { ": afdeling " } else { ": division " });
                w.two_digits(nace / 1000);
                w.s(match (nl, excluded) {
                    (true, true) => " is uitgesloten",
                    (true, false) => " is niet uitgesloten",
                    (false, true) => " is excluded",
                    (false, false) => " is not excluded",
                });
            }
            Step::SizeConfirmed { size } => {
                w.s(if nl { "grootte bevestigd door de aanvrager: " } else { "size confirmed by the applicant: " });
                w.s(size.label(t));
            }
            Step::PartnerIgnored { partner, share, minimum } => {
                w.s("partner ");
                w.int(i64::from(partner) + 1);
                w.s(if nl { " telt niet mee: aandeel " } else { " is not counted: share " });
                w.pct(share);
                w.s(" < ");
                w.pct(minimum);
            }
            Step::SizePeriod { year, awu, turnover, balance_sheet, class, status } => {
                w.s(if nl { "boekjaar " } else { "period " });
                w.int(i64::from(year));
                w.s(if nl { " (met partner- en verbonden ondernemingen): " } else { " (with partner and linked enterprises): " });
                w.hundredths(awu);
                w.s(if nl { " VTE, omzet " } else { " AWU, turnover " });
                w.cents(turnover);
                w.s(if nl { ", balanstotaal " } else { ", balance sheet " });
                w.cents(balance_sheet);
                w.s(if nl { " → drempels van " } else { " → thresholds of " });
                w.s(class.label(t));
                w.s("; status ");
                w.s(status.label(t));
            }
            Step::SizeDerived { size, periods } => {
                w.s(if nl { "grootte afgeleid uit " } else { "size derived from " });
                w.int(i64::from(periods));
                w.s(if nl { " boekjaar/boekjaren (een grens telt pas na twee opeenvolgende boekjaren): " } else { " period(s) (a threshold counts once crossed in two consecutive periods): " });
                w.s(size.label(t));
            }
            Step::RelatedProvider { related } => w.s(match (nl, related) {
                (true, true) => "onderneming en dienstverlener zijn verbonden",
                (true, false) => "onderneming en dienstverlener zijn niet verbonden",
                (false, true) => "enterprise and provider are related",
                (false, false) => "enterprise and provider are not related",
            }),
            Step::ExcludedTopic { topic } => {
                w.s(if nl { "onderwerp op de lijst van uitgesloten diensten: " } else { "topic on the exclusion list: " });
                w.s(topic.label(t));
            }
            Step::NoExcludedTopic { list_len } => {
                if list_len == 0 {
                    w.s(if nl { "geen lijst van uitgesloten diensten in deze regelset" } else { "no exclusion list in this rule set" });
                } else {
                    w.s(if nl { "geen onderwerp van de dienst staat op de lijst van " } else { "no topic of the service is on the list of " });
                    w.int(i64::from(list_len));
                    w.s(if nl { " uitgesloten diensten" } else { " excluded services" });
                }
            }
            Step::ThemesNotChecked => w.s(if nl {
                "thema's worden pas vanaf 2023 gecontroleerd"
            } else {
                "themes are checked only from 2023"
            }),
            Step::Theme { theme, sub_theme, verdict } => {
                w.s(if nl { "thema " } else { "theme " });
                w.code(theme.known().map(|th| th.label(t)));
                if sub_theme != Code::Missing {
                    w.s(if nl { ", subthema " } else { ", sub-theme " });
                    w.code(sub_theme.known().map(|st| st.label(t)));
                }
                w.s(match (nl, verdict) {
                    (true, ThemeVerdict::Fits) => ": in orde",
                    (true, ThemeVerdict::UnknownTheme) => ": geen van de acht thema's",
                    (true, ThemeVerdict::SubThemeRequired) => ": dit thema vraagt een subthema",
                    (true, ThemeVerdict::SubThemeNotInTheme) => ": het subthema hoort niet bij dit thema",
                    (false, ThemeVerdict::Fits) => ": fits",
                    (false, ThemeVerdict::UnknownTheme) => ": not one of the eight themes",
                    (false, ThemeVerdict::SubThemeRequired) => ": this theme needs a sub-theme",
                    (false, ThemeVerdict::SubThemeNotInTheme) => ": the sub-theme does not belong to this theme",
                });
            }
            Step::OccupationList { on_list } => w.s(match (nl, on_list) {
                (true, true) => "de dienst staat op de lijst van beroepsspecifieke opleidingen",
                (true, false) => "de dienst staat niet op de lijst van beroepsspecifieke opleidingen",
                (false, true) => "the service is on the occupation-specific list",
                (false, false) => "the service is not on the occupation-specific list",
            }),
            Step::AdviceScope { allowed_sub_themes, ok } => {
                w.s(if nl { "advies enkel voor subthema " } else { "advice only for sub-theme " });
                for (i, st) in crate::ruleset::RuleSet::sub_themes_in(allowed_sub_themes).enumerate() {
                    if i > 0 {
                        w.s(", ");
                    }
                    w.s(st.label(t));
                }
                w.s(match (nl, ok) {
                    (true, true) => ": in orde",
                    (true, false) => ": dit advies valt erbuiten",
                    (false, true) => ": fits",
                    (false, false) => ": this advice is outside it",
                });
            }
            Step::SubmissionWindow { start, last_day, submitted_on } => {
                w.s("start ");
                w.date(start);
                w.s(if nl { ", laatste indiendag " } else { ", last day to submit " });
                w.date(last_day);
                w.s(if nl { ", ingediend op " } else { ", submitted on " });
                w.date(submitted_on);
                w.s(match (nl, submitted_on <= last_day) {
                    (true, true) => ": op tijd",
                    (true, false) => ": te laat",
                    (false, true) => ": in time",
                    (false, false) => ": too late",
                });
            }
            Step::CostLine { line, cost_type, amount, eligible, ruling } => {
                w.s(if nl { "kostenlijn " } else { "cost line " });
                w.int(i64::from(line) + 1);
                w.s(" (");
                w.s(cost_type.label(t));
                w.s(") ");
                w.cents(amount);
                match ruling {
                    CostRuling::Eligible => w.s(if nl { ": subsidiabel" } else { ": eligible" }),
                    CostRuling::CateringWithinCap { persons, days, cap } | CostRuling::CateringCapped { persons, days, cap } => {
                        w.s(if nl { ": plafond " } else { ": cap " });
                        w.cents(cap);
                        w.s(" (");
                        w.cents(Cents::new(cap.get() / (i64::from(persons) * i64::from(days)).max(1)));
                        w.s(" × ");
                        w.int(i64::from(persons));
                        w.s(if nl { " personen × " } else { " persons × " });
                        w.int(i64::from(days));
                        w.s(if nl { " dagen), subsidiabel " } else { " days), eligible " });
                        w.cents(eligible);
                    }
                    CostRuling::SeparateInvoice => w.s(if nl {
                        ": apart gefactureerd, niet subsidiabel"
                    } else {
                        ": invoiced separately, not eligible"
                    }),
                    CostRuling::NotOnlyInTraining => w.s(if nl {
                        ": niet uitsluitend in de opleiding gebruikt, niet subsidiabel"
                    } else {
                        ": not used solely in the training, not eligible"
                    }),
                    CostRuling::NeverEligible => w.s(if nl { ": niet subsidiabel" } else { ": not eligible" }),
                }
            }
            Step::Eligible { eligible, ineligible } => {
                w.s(if nl { "subsidiabel bedrag " } else { "eligible amount " });
                w.cents(eligible);
                w.s(if nl { ", niet subsidiabel " } else { ", ineligible " });
                w.cents(ineligible);
                w.s(if nl { " (excl. btw)" } else { " (excl. VAT)" });
            }
            Step::Minimum { kind, minimum, eligible } => {
                w.s(if nl { "minimum voor " } else { "minimum for " });
                w.s(kind.label(t));
                w.s(" ");
                w.cents(minimum);
                w.s(if nl { ", subsidiabel bedrag " } else { ", eligible amount " });
                w.cents(eligible);
                w.s(match (nl, eligible >= minimum) {
                    (true, true) => ": bereikt",
                    (true, false) => ": niet bereikt",
                    (false, true) => ": reached",
                    (false, false) => ": not reached",
                });
            }
            Step::NoRate => w.s(if nl {
                "een grote onderneming heeft geen steunpercentage; plafond en de minimis niet beoordeeld"
            } else {
                "a large enterprise has no rate; ceiling and de minimis not evaluated"
            }),
            Step::Rate { size, rate_bp, enhanced_by } => {
                w.s(if nl { "steunpercentage " } else { "aid rate " });
                w.rate(rate_bp);
                w.s(if nl { " (grootte: " } else { " (size: " });
                w.s(size.label(t));
                w.s(")");
                if let Some(st) = enhanced_by {
                    w.s(if nl { ", verhoogd voor subthema " } else { ", enhanced for sub-theme " });
                    w.s(st.label(t));
                }
            }
            Step::Ceiling { year, ceiling, reserved, remaining, raw, subsidy } => {
                w.s(if nl { "jaarplafond " } else { "annual ceiling " });
                w.int(i64::from(year));
                w.s(" ");
                w.cents(ceiling);
                w.s(if nl { ", al gereserveerd " } else { ", already reserved " });
                w.cents(reserved);
                w.s(if nl { ", beschikbaar " } else { ", left " });
                w.cents(remaining);
                w.s(if nl { "; berekende steun " } else { "; computed subsidy " });
                w.cents(raw);
                w.s(if nl { " → steun " } else { " → subsidy " });
                w.cents(subsidy);
            }
            Step::DeMinimis { prior, subsidy, ceiling } => {
                w.s(if nl { "de minimis: eerdere steun " } else { "de minimis: prior aid " });
                w.cents(prior);
                w.s(" + ");
                w.cents(subsidy);
                let total = prior.checked_add(subsidy).unwrap_or(Cents::new(i64::MAX));
                w.s(if total <= ceiling { " ≤ " } else { " > " });
                w.cents(ceiling);
            }
        }
    }
}

/// Appends text pieces without formatting machinery.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    lang: Lang,
}

impl Writer<'_> {
    #[inline(always)]
    fn s(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    #[inline(always)]
    fn int(&mut self, n: i64) {
        let mut buf = itoa::Buffer::new();
        self.out.extend_from_slice(buf.format(n).as_bytes());
    }

    #[inline(always)]
    fn cents(&mut self, c: Cents) {
        c.write_belgian_bytes(self.out);
    }

    #[inline(always)]
    fn date(&mut self, d: Date) {
        self.out.extend_from_slice(&d.iso_bytes());
    }

    #[inline(always)]
    fn two_digits(&mut self, n: u32) {
        self.out.push(b'0' + u8::try_from(n / 10 % 10).unwrap_or(0));
        self.out.push(b'0' + u8::try_from(n % 10).unwrap_or(0));
    }

    fn nace(&mut self, n: u32) {
        self.two_digits(n / 1000);
        self.out.push(b'.');
        self.two_digits(n / 10 % 100);
        self.out.push(b'0' + u8::try_from(n % 10).unwrap_or(0));
    }

    /// A two-decimal value with the language's decimal separator.
    fn hundredths(&mut self, h: Hundredths) {
        let v = h.get();
        if v < 0 {
            self.out.push(b'-');
        }
        let abs = v.unsigned_abs();
        let mut buf = itoa::Buffer::new();
        self.out.extend_from_slice(buf.format(abs / 100).as_bytes());
        self.out
            .push(if self.lang == Lang::Nl { b',' } else { b'.' });
        let frac = u32::try_from(abs % 100).unwrap_or(0);
        self.two_digits(frac);
    }

    fn pct(&mut self, h: Hundredths) {
        self.hundredths(h);
        self.out.extend_from_slice(b" %");
    }

    fn rate(&mut self, bp: u32) {
        self.pct(Hundredths::new(i64::from(bp)));
    }

    fn code(&mut self, label: Option<&str>) {
        let text = label.unwrap_or(if self.lang == Lang::Nl {
            "(onbekend)"
        } else {
            "(unknown)"
        });
        self.out.extend_from_slice(text.as_bytes());
    }
}
