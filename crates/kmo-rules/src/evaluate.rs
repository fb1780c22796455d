//! The evaluation: one case and the rule book in, a [`Decision`] out.
//!
//! Pure and allocation-free: no I/O, no clock (the date that matters is the case's own
//! `submitted_on`), no heap. Every rule is evaluated and every failing one is recorded
//! (rules-eval.md, order of evaluation 3); the amounts are computed even when other rules fail.
//!
//! The trace is a generic [`Tracer`]: with `()` the compiler removes every trace step, with
//! [`crate::trace::Trace`] each step is a small `Copy` value (codes and numbers) that is turned
//! into text only when written.

use kmo_domain::{Cents, CostType, Date, EnterpriseSize, Hundredths, ServiceKind};

use crate::case::{Case, Code, CostLine, SizeFigures, SizeInput};
use crate::reason::{Reason, Reasons};
use crate::ruleset::{RuleBook, RuleSet, SizeThresholds};
use crate::trace::{CostRuling, Step, ThemeVerdict, Tracer};

/// The answer for one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index of the rule set applied in the [`RuleBook`]; `None` before the first one.
    pub rule_set: Option<u8>,
    /// Every failing rule. Empty means eligible.
    pub reasons: Reasons,
    /// The size used (confirmed or derived); `None` only without a rule set.
    pub size: Option<EnterpriseSize>,
    /// The rate applied; `None` for a large enterprise or without a rule set.
    pub rate_bp: Option<u32>,
    pub eligible: Cents,
    pub ineligible: Cents,
    /// `round_half_up(eligible × rate)` before the annual-ceiling cap.
    pub raw_subsidy: Cents,
    /// After the annual-ceiling cap; zero when there is no rate.
    pub subsidy: Cents,
    /// `eligible − subsidy`.
    pub own_share: Cents,
    /// The submission date; its calendar year is the ceiling the subsidy counts against (D3).
    pub submitted_on: Date,
}

impl Decision {
    /// Eligible: a rule set applied and no rule failed.
    #[must_use]
    pub fn is_eligible(&self) -> bool {
        self.rule_set.is_some() && self.reasons.is_empty()
    }

    /// Calendar year of submission: the annual ceiling the subsidy counts against (D3).
    /// (Computed on demand: the evaluation itself never needs it.)
    #[must_use]
    pub fn ceiling_year(&self) -> i32 {
        self.submitted_on.year()
    }
}

/// Evaluates a case without a trace.
#[must_use]
pub fn evaluate(book: &RuleBook, case: &Case) -> Decision {
    evaluate_traced(book, case, &mut ())
}

/// Evaluates a case, recording every rule applied in `tracer`.
pub fn evaluate_traced<T: Tracer>(book: &RuleBook, case: &Case, tracer: &mut T) -> Decision {
    let mut d = Decision {
        rule_set: None,
        reasons: Reasons::empty(),
        size: None,
        rate_bp: None,
        eligible: Cents::ZERO,
        ineligible: Cents::ZERO,
        raw_subsidy: Cents::ZERO,
        subsidy: Cents::ZERO,
        own_share: Cents::ZERO,
        submitted_on: case.submitted_on,
    };
    let Some((index, rs)) = book
        .index_in_force(case.submitted_on)
        .and_then(|i| Some((i, book.get(i)?)))
    else {
        d.reasons.insert(Reason::NoRulesInForce);
        // rules-eval.md, order of evaluation 2: this is the only reason, and nothing is computed.
        tracer.record(Step::NoRulesInForce {
            submitted_on: case.submitted_on,
            first_valid_from: book.first_valid_from(),
        });
        return d;
    };
    d.rule_set = Some(index);
    tracer.record(Step::RuleSet {
        index,
        submitted_on: case.submitted_on,
    });

    // --- the enterprise (rules.md §3) ---
    let e = &case.enterprise;
    let accepted = rs.legal_form_accepted(e.legal_form);
    tracer.record(Step::LegalForm {
        form: e.legal_form,
        accepted,
    });
    if !accepted {
        d.reasons.insert(Reason::LegalFormNotAccepted);
    }
    tracer.record(Step::FlemishEstablishment {
        present: e.flemish_establishment,
    });
    if !e.flemish_establishment {
        d.reasons.insert(Reason::NotInFlanders);
    }
    tracer.record(Step::PublicParticipation {
        pct: e.public_bodies_pct,
        limit: rs.public_participation_limit,
    });
    if e.public_bodies_pct >= rs.public_participation_limit {
        d.reasons.insert(Reason::PublicParticipation25);
    }
    if let Some(nace) = e.nace {
        let excluded = rs.nace_division_excluded(nace / 1000);
        tracer.record(Step::MainActivity { nace, excluded });
        if excluded {
            d.reasons.insert(Reason::MainActivityNotAccepted);
        }
    }
    let size = match &e.size {
        SizeInput::Confirmed(size) => {
            tracer.record(Step::SizeConfirmed { size: *size });
            *size
        }
        SizeInput::Figures(figures) => derive_size(rs, figures, tracer),
    };
    d.size = Some(size);
    if size == EnterpriseSize::Large {
        d.reasons.insert(Reason::NotSme);
    }

    // --- the service (rules.md §4) ---
    let s = &case.service;
    tracer.record(Step::RelatedProvider {
        related: s.related_to_provider,
    });
    if s.related_to_provider {
        d.reasons.insert(Reason::RelatedProvider);
    }
    let excluded_topics = s.topics & rs.excluded_topics;
    if excluded_topics != 0 {
        d.reasons.insert(Reason::ExcludedService);
        for topic in kmo_domain::ExcludedTopic::ALL {
            if excluded_topics & (1 << topic.index()) != 0 {
                tracer.record(Step::ExcludedTopic { topic: *topic });
            }
        }
    } else {
        tracer.record(Step::NoExcludedTopic {
            list_len: rs.excluded_topics.count_ones(),
        });
    }
    check_theme(rs, case, &mut d.reasons, tracer);
    if s.kind == ServiceKind::Advice
        && let Some(allowed) = rs.advice_only_sub_themes
    {
        {
            let ok = s
                .sub_theme
                .known()
                .is_some_and(|st| allowed & (1 << st.index()) != 0);
            tracer.record(Step::AdviceScope {
                allowed_sub_themes: allowed,
                ok,
            });
            if !ok {
                d.reasons.insert(Reason::AdviceOnlyCybersecurity);
            }
        }
    }
    match rs.last_submission_day(s.start_date) {
        Some(last_day) => {
            tracer.record(Step::SubmissionWindow {
                start: s.start_date,
                last_day,
                submitted_on: case.submitted_on,
            });
            if case.submitted_on > last_day {
                d.reasons.insert(Reason::SubmissionTooLate);
            }
        }
        // A start date in year 9999 has no representable deadline: never too late.
        None => tracer.record(Step::SubmissionWindow {
            start: s.start_date,
            last_day: s.start_date,
            submitted_on: s.start_date,
        }),
    }

    // --- the money (rules.md §4.7, §4.8, §5) ---
    let (eligible, ineligible) = eligible_amounts(rs, &case.costs, tracer);
    d.eligible = eligible;
    d.ineligible = ineligible;
    d.own_share = eligible;
    let minimum = rs.minimum(s.kind);
    tracer.record(Step::Minimum {
        kind: s.kind,
        minimum,
        eligible,
    });
    if eligible < minimum {
        d.reasons.insert(match s.kind {
            ServiceKind::Training => Reason::BelowMinimumTraining,
            ServiceKind::Advice => Reason::BelowMinimumAdvice,
        });
    }
    let (Some(_), Some(ceiling)) = (rs.base_rate_bp(size), rs.annual_ceiling(size)) else {
        // A large enterprise has no rate: no ceiling and no de-minimis check (edge semantics 4).
        tracer.record(Step::NoRate);
        return d;
    };
    // The enhanced rate depends on the sub-theme alone (edge semantics 9): one table lookup.
    let rate_bp = rs.rate_bp(s.kind, s.sub_theme.known(), size);
    tracer.record(Step::Rate {
        size,
        rate_bp,
        enhanced_by: rs
            .enhanced_for(s.kind, s.sub_theme.known())
            .map(|e| e.sub_theme),
    });
    d.rate_bp = Some(rate_bp);
    // Bounded input (≤ €10 million per line, ≤ 100 lines) keeps this far from overflow.
    let raw = eligible.apply_rate_half_up(rate_bp).unwrap_or(Cents::ZERO);
    d.raw_subsidy = raw;
    let reserved = case.history.ceiling_reserved;
    let remaining = ceiling
        .checked_sub(reserved)
        .unwrap_or(Cents::ZERO)
        .max(Cents::ZERO);
    let subsidy = raw.min(remaining);
    tracer.record(Step::Ceiling {
        year: case.submitted_on.year(),
        ceiling,
        reserved,
        remaining,
        raw,
        subsidy,
    });
    if remaining == Cents::ZERO {
        d.reasons.insert(Reason::AnnualCeilingExhausted);
    }
    d.subsidy = subsidy;
    d.own_share = eligible.checked_sub(subsidy).unwrap_or(Cents::ZERO);
    let prior = case.history.de_minimis;
    let total = prior.checked_add(subsidy).unwrap_or(Cents::new(i64::MAX));
    tracer.record(Step::DeMinimis {
        prior,
        subsidy,
        ceiling: rs.de_minimis_ceiling,
    });
    if total > rs.de_minimis_ceiling {
        d.reasons.insert(Reason::DeMinimisCeiling);
    }
    d
}

/// Themes and sub-themes (D7, edge semantics 7–9), from the rule set that checks them.
fn check_theme<T: Tracer>(rs: &RuleSet, case: &Case, reasons: &mut Reasons, tracer: &mut T) {
    let s = &case.service;
    if !rs.themes_checked {
        tracer.record(Step::ThemesNotChecked);
        return;
    }
    let rule = s.theme.known().and_then(|t| Some((t, rs.theme_rule(t)?)));
    let Some((theme, rule)) = rule else {
        reasons.insert(Reason::UnknownTheme);
        tracer.record(Step::Theme {
            theme: s.theme,
            sub_theme: s.sub_theme,
            verdict: ThemeVerdict::UnknownTheme,
        });
        return;
    };
    let verdict = match s.sub_theme {
        Code::Missing if rule.sub_theme_required => ThemeVerdict::SubThemeRequired,
        Code::Missing => ThemeVerdict::Fits,
        Code::Known(st) if rule.sub_themes & (1 << st.index()) != 0 => ThemeVerdict::Fits,
        Code::Known(_) | Code::Unknown => ThemeVerdict::SubThemeNotInTheme,
    };
    match verdict {
        ThemeVerdict::SubThemeRequired => reasons.insert(Reason::SubThemeRequired),
        ThemeVerdict::SubThemeNotInTheme => reasons.insert(Reason::SubThemeNotInTheme),
        ThemeVerdict::Fits | ThemeVerdict::UnknownTheme => {}
    }
    tracer.record(Step::Theme {
        theme: Code::Known(theme),
        sub_theme: s.sub_theme,
        verdict,
    });
    if rule.occupation_list_required {
        tracer.record(Step::OccupationList {
            on_list: s.on_occupation_list,
        });
        if !s.on_occupation_list {
            reasons.insert(Reason::NotOnOccupationSpecificList);
        }
    }
}

/// Splits the cost lines into eligible and ineligible amounts (D6).
fn eligible_amounts<T: Tracer>(rs: &RuleSet, costs: &[CostLine], tracer: &mut T) -> (Cents, Cents) {
    let mut eligible = Cents::ZERO;
    let mut ineligible = Cents::ZERO;
    for (line, cost) in costs.iter().enumerate() {
        let (ok, ruling) = cost_ruling(rs, cost);
        let not_ok = cost.amount.checked_sub(ok).unwrap_or(Cents::ZERO);
        // Bounded input: at most 100 lines of at most €10 million each.
        eligible = eligible.checked_add(ok).unwrap_or(eligible);
        ineligible = ineligible.checked_add(not_ok).unwrap_or(ineligible);
        tracer.record(Step::CostLine {
            line: u16::try_from(line).unwrap_or(u16::MAX),
            cost_type: cost.cost_type,
            amount: cost.amount,
            eligible: ok,
            ruling,
        });
    }
    tracer.record(Step::Eligible {
        eligible,
        ineligible,
    });
    (eligible, ineligible)
}

fn cost_ruling(rs: &RuleSet, cost: &CostLine) -> (Cents, CostRuling) {
    match cost.cost_type {
        CostType::Fee => (cost.amount, CostRuling::Eligible),
        CostType::Catering if cost.separate_invoice => (Cents::ZERO, CostRuling::SeparateInvoice),
        CostType::Catering => {
            let person_days = i64::from(cost.persons) * i64::from(cost.days);
            let cap = rs
                .catering_cap_per_person_day
                .checked_mul(person_days)
                .unwrap_or(Cents::new(i64::MAX));
            if cost.amount > cap {
                (
                    cap,
                    CostRuling::CateringCapped {
                        persons: cost.persons,
                        days: cost.days,
                        cap,
                    },
                )
            } else {
                (
                    cost.amount,
                    CostRuling::CateringWithinCap {
                        persons: cost.persons,
                        days: cost.days,
                        cap,
                    },
                )
            }
        }
        CostType::TrainerTravel if cost.separate_invoice => {
            (Cents::ZERO, CostRuling::SeparateInvoice)
        }
        CostType::TrainerTravel => (cost.amount, CostRuling::Eligible),
        CostType::CourseMaterial if cost.used_only_in_training => {
            (cost.amount, CostRuling::Eligible)
        }
        CostType::CourseMaterial => (Cents::ZERO, CostRuling::NotOnlyInTraining),
        CostType::ExamFee | CostType::Equipment | CostType::OtherIneligible => {
            (Cents::ZERO, CostRuling::NeverEligible)
        }
    }
}

/// Aggregated figures of one period, scaled by 10 000 so that partner shares (hundredths of a
/// per cent) are added exactly (edge semantics 13).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Scaled {
    awu: i128,
    turnover: i128,
    balance_sheet: i128,
}

const SCALE: i128 = 10_000;

impl Scaled {
    fn add(&mut self, f: kmo_domain::Hundredths, turnover: Cents, balance: Cents, weight: i128) {
        self.awu += i128::from(f.get()) * weight;
        self.turnover += i128::from(turnover.get()) * weight;
        self.balance_sheet += i128::from(balance.get()) * weight;
    }

    fn within(&self, t: &SizeThresholds) -> bool {
        self.awu < i128::from(t.awu_below.get()) * SCALE
            && (self.turnover <= i128::from(t.turnover_max.get()) * SCALE
                || self.balance_sheet <= i128::from(t.balance_sheet_max.get()) * SCALE)
    }

    fn classify(&self, rs: &RuleSet) -> EnterpriseSize {
        if self.within(&rs.small) {
            EnterpriseSize::Small
        } else if self.within(&rs.medium) {
            EnterpriseSize::Medium
        } else {
            EnterpriseSize::Large
        }
    }

    /// Rounded down to whole units, for the trace only.
    fn shown(&self) -> (Hundredths, Cents, Cents) {
        let down = |v: i128| i64::try_from(v / SCALE).unwrap_or(i64::MAX);
        (
            Hundredths::new(down(self.awu)),
            Cents::new(down(self.turnover)),
            Cents::new(down(self.balance_sheet)),
        )
    }
}

/// Derives the size from the periods with partners and linked enterprises, applying the
/// two-consecutive-periods rule (D15).
fn derive_size<T: Tracer>(rs: &RuleSet, figures: &SizeFigures, tracer: &mut T) -> EnterpriseSize {
    for (i, p) in figures.partners.iter().enumerate() {
        if p.share() < rs.partner_min {
            tracer.record(Step::PartnerIgnored {
                partner: u16::try_from(i).unwrap_or(u16::MAX),
                share: p.share(),
                minimum: rs.partner_min,
            });
        }
    }
    let mut status = EnterpriseSize::Small;
    let mut previous: Option<EnterpriseSize> = None;
    for period in &figures.periods {
        let mut agg = Scaled::default();
        let f = period.figures;
        agg.add(f.awu, f.turnover, f.balance_sheet, SCALE);
        for linked in &figures.linked {
            let l = linked.for_year(period.year);
            agg.add(l.awu, l.turnover, l.balance_sheet, SCALE);
        }
        for partner in &figures.partners {
            let share = partner.share();
            if share >= rs.partner_min {
                let pf = partner.figures.for_year(period.year);
                agg.add(
                    pf.awu,
                    pf.turnover,
                    pf.balance_sheet,
                    i128::from(share.get()),
                );
            }
        }
        let class = agg.classify(rs);
        status = match previous {
            None => class,
            Some(prev) if prev > status && class > status => prev.min(class),
            Some(prev) if prev < status && class < status => prev.max(class),
            Some(_) => status,
        };
        previous = Some(class);
        let (awu, turnover, balance_sheet) = agg.shown();
        tracer.record(Step::SizePeriod {
            year: period.year,
            awu,
            turnover,
            balance_sheet,
            class,
            status,
        });
    }
    tracer.record(Step::SizeDerived {
        size: status,
        periods: u16::try_from(figures.periods.len()).unwrap_or(u16::MAX),
    });
    status
}
