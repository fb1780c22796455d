//! Readable text for people: the explanation of one decision (`kmo rules explain`, the
//! simulator) and the parameters of a rule set (`kmo rules show`). Dutch by default.

use std::fmt::Write as _;

use kmo_domain::codes::Lang;
use kmo_domain::{Cents, Hundredths};
use kmo_text::{Label, T};

use crate::case::Case;
use crate::evaluate::{Decision, evaluate_traced};
use crate::ruleset::{DeMinimisWindow, RuleBook, RuleSet};
use crate::trace::{Outcome, Trace};

/// Evaluates `case` and explains the decision in `lang`.
#[must_use]
pub fn explain(book: &RuleBook, case: &Case, lang: Lang) -> (Decision, String) {
    let mut trace = Trace::new();
    let d = evaluate_traced(book, case, &mut trace);
    (d, explain_decision(book, &d, &trace, lang))
}

/// Explains a decision already made, from its trace.
#[must_use]
pub fn explain_decision(book: &RuleBook, d: &Decision, trace: &Trace, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let mut s = String::with_capacity(2048);
    if d.is_eligible() {
        s.push_str(if nl {
            "Beslissing: KOMT IN AANMERKING\n"
        } else {
            "Decision: ELIGIBLE\n"
        });
        let _ = writeln!(
            s,
            "  {} {}",
            if nl {
                "Subsidie:           "
            } else {
                "Subsidy:            "
            },
            d.subsidy
        );
        let _ = writeln!(
            s,
            "  {} {}",
            if nl {
                "Eigen aandeel:      "
            } else {
                "Own share:          "
            },
            d.own_share
        );
        let _ = writeln!(
            s,
            "  {} {}",
            if nl {
                "Subsidiabel bedrag: "
            } else {
                "Eligible amount:    "
            },
            d.eligible
        );
        if d.ineligible > Cents::ZERO {
            let _ = writeln!(
                s,
                "  {} {}{}",
                if nl {
                    "Niet subsidiabel:   "
                } else {
                    "Not eligible:       "
                },
                d.ineligible,
                if nl {
                    " (rechtstreeks aan de dienstverlener te betalen, samen met de btw)"
                } else {
                    " (paid directly to the provider, with the VAT)"
                }
            );
        }
        if let Some(bp) = d.rate_bp {
            let _ = writeln!(
                s,
                "  {} {} %",
                if nl {
                    "Steunpercentage:    "
                } else {
                    "Aid rate:           "
                },
                pct(Hundredths::new(i64::from(bp)), lang)
            );
        }
        let _ = writeln!(
            s,
            "  {} {}",
            if nl {
                "Telt voor het plafond van"
            } else {
                "Counts against the ceiling of"
            },
            d.ceiling_year()
        );
    } else {
        s.push_str(if nl {
            "Beslissing: KOMT NIET IN AANMERKING\n"
        } else {
            "Decision: NOT ELIGIBLE\n"
        });
        s.push_str(if nl { "Redenen:\n" } else { "Reasons:\n" });
        for r in d.reasons.iter() {
            let _ = writeln!(s, "  - {} ({})", r.text(T::of(lang)), r.code());
        }
    }
    if let Some(rs) = d.rule_set.and_then(|i| book.get(i)) {
        let _ = writeln!(
            s,
            "{} {} — {}",
            if nl { "Regelset:" } else { "Rule set:" },
            rs.id,
            if nl { &rs.title_nl } else { &rs.title_en }
        );
    }
    s.push_str(if nl {
        "\nZo kwamen we tot deze beslissing:\n"
    } else {
        "\nHow we reached this decision:\n"
    });
    let mut bytes = Vec::with_capacity(200);
    for step in trace.steps() {
        bytes.clear();
        step.write_detail(book, lang, &mut bytes);
        let line = String::from_utf8_lossy(&bytes);
        let mark = match step.outcome() {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Info => "·",
        };
        let _ = writeln!(s, "  {mark} {line}");
    }
    s
}

fn pct(h: Hundredths, lang: Lang) -> String {
    let text = h.to_string();
    if lang == Lang::Nl {
        text.replace('.', ",")
    } else {
        text
    }
}

/// The parameters of rule set `rs` of `book`, for people.
#[must_use]
pub fn describe_rule_set(book: &RuleBook, index: u8, lang: Lang) -> String {
    let nl = lang == Lang::Nl;
    let t = T::of(lang);
    let Some(rs) = book.get(index) else {
        return String::new();
    };
    let mut s = String::with_capacity(4096);
    let until = book
        .valid_until_exclusive(index)
        .and_then(|d| d.add_days(-1).ok());
    let _ = writeln!(
        s,
        "{} — {}",
        rs.id,
        if nl { &rs.title_nl } else { &rs.title_en }
    );
    let _ = match until {
        Some(u) => writeln!(
            s,
            "{} {} {} {}",
            if nl {
                "Van kracht voor aanvragen ingediend van"
            } else {
                "In force for applications submitted from"
            },
            rs.valid_from,
            if nl { "tot en met" } else { "to" },
            u
        ),
        None => writeln!(
            s,
            "{} {}",
            if nl {
                "Van kracht voor aanvragen ingediend vanaf"
            } else {
                "In force for applications submitted from"
            },
            rs.valid_from
        ),
    };
    let _ = writeln!(
        s,
        "{} {}",
        if nl { "Bronnen:" } else { "Sources:" },
        rs.sources.join("; ")
    );
    s.push('\n');
    let _ = writeln!(s, "{}", if nl { "Steunpercentages" } else { "Aid rates" });
    let _ = writeln!(
        s,
        "  {}: {} %   {}: {} %",
        lang_size(nl, true),
        pct(Hundredths::new(i64::from(rs.rate_small_bp)), lang),
        lang_size(nl, false),
        pct(Hundredths::new(i64::from(rs.rate_medium_bp)), lang)
    );
    for e in &rs.enhanced {
        let kinds = match (e.training, e.advice, nl) {
            (true, true, true) => "opleiding en advies",
            (true, true, false) => "training and advice",
            (true, false, true) => "enkel opleiding",
            (true, false, false) => "training only",
            (false, _, true) => "enkel advies",
            (false, _, false) => "advice only",
        };
        let _ = writeln!(
            s,
            "  {} {} ({kinds}): {} % / {} %",
            if nl { "verhoogd voor" } else { "enhanced for" },
            e.sub_theme.label(t),
            pct(Hundredths::new(i64::from(e.small_bp)), lang),
            pct(Hundredths::new(i64::from(e.medium_bp)), lang)
        );
    }
    let _ = writeln!(
        s,
        "{}",
        if nl {
            "Jaarplafond per onderneming (kalenderjaar van indiening)"
        } else {
            "Annual ceiling per enterprise (calendar year of submission)"
        }
    );
    let _ = writeln!(
        s,
        "  {}: {}   {}: {}",
        lang_size(nl, true),
        rs.ceiling_small,
        lang_size(nl, false),
        rs.ceiling_medium
    );
    let _ = writeln!(
        s,
        "{}",
        if nl {
            "Minimum subsidiabel bedrag (excl. btw)"
        } else {
            "Minimum eligible amount (excl. VAT)"
        }
    );
    let _ = writeln!(
        s,
        "  {}: {}   {}: {}",
        kmo_domain::ServiceKind::Training.label(t),
        rs.minimum_training,
        kmo_domain::ServiceKind::Advice.label(t),
        rs.minimum_advice
    );
    let _ = writeln!(
        s,
        "{} {}",
        if nl {
            "Catering: maximaal per persoon per dag"
        } else {
            "Catering: at most per person per day"
        },
        rs.catering_cap_per_person_day
    );
    let _ = writeln!(
        s,
        "{}",
        if nl {
            "Termijnen (kalenderdagen, grenzen inbegrepen)"
        } else {
            "Deadlines (calendar days, inclusive)"
        }
    );
    let _ = writeln!(
        s,
        "  {} {} {}",
        if nl { "indienen: tot" } else { "submit: up to" },
        rs.submission_days_after_start,
        if nl {
            "dagen na de start"
        } else {
            "days after the start"
        }
    );
    let _ = writeln!(
        s,
        "  {} {} {}",
        if nl {
            "eigen aandeel storten: tot"
        } else {
            "deposit own share: up to"
        },
        rs.deposit_days_after_submission,
        if nl {
            "dagen na de indiening"
        } else {
            "days after submission"
        }
    );
    let _ = writeln!(
        s,
        "  {} {}",
        if nl {
            "betalen: tot 31 december van het indieningsjaar +"
        } else {
            "pay: until 31 December of the submission year +"
        },
        rs.payment_deadline_years_after_submission
    );
    let _ = writeln!(s, "{}", if nl { "Onderneming" } else { "Enterprise" });
    let forms = |accepted: bool| {
        rs.legal_forms(accepted)
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        s,
        "  {} {}",
        if nl {
            "aanvaarde rechtsvormen:"
        } else {
            "accepted legal forms:"
        },
        forms(true)
    );
    let _ = writeln!(
        s,
        "  {} {}",
        if nl {
            "uitgesloten rechtsvormen:"
        } else {
            "excluded legal forms:"
        },
        forms(false)
    );
    let _ = writeln!(
        s,
        "  {} {} %",
        if nl {
            "uitgesloten bij overheidsparticipatie vanaf"
        } else {
            "excluded with public participation from"
        },
        pct(rs.public_participation_limit, lang)
    );
    let divisions = rs
        .excluded_nace_division_list()
        .map(|d| format!("{d:02}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        s,
        "  {} {}",
        if nl {
            "uitgesloten NACE-afdelingen:"
        } else {
            "excluded NACE divisions:"
        },
        divisions
    );
    let _ = writeln!(
        s,
        "{}",
        if nl {
            "Kmo-grootte (EU-definitie, twee opeenvolgende boekjaren)"
        } else {
            "SME size (EU definition, two consecutive periods)"
        }
    );
    for (small, limits) in [(true, &rs.small), (false, &rs.medium)] {
        let _ = writeln!(
            s,
            "  {}: {} {} {}, {} ≤ {} {} ≤ {}",
            lang_size(nl, small),
            if nl { "minder dan" } else { "fewer than" },
            pct(limits.awu_below, lang),
            if nl { "VTE" } else { "AWU" },
            if nl { "omzet" } else { "turnover" },
            limits.turnover_max,
            if nl {
                "of balanstotaal"
            } else {
                "or balance sheet"
            },
            limits.balance_sheet_max
        );
    }
    let _ = writeln!(
        s,
        "  {} {} % – {} %",
        if nl {
            "partnerondernemingen tellen mee van"
        } else {
            "partner enterprises count from"
        },
        pct(rs.partner_min, lang),
        pct(rs.partner_max, lang)
    );
    let _ = writeln!(s, "{}", if nl { "Thema's" } else { "Themes" });
    if rs.themes_checked {
        for theme in kmo_domain::Theme::ALL {
            let Some(rule) = rs.theme_rule(*theme) else {
                continue;
            };
            let subs = RuleSet::sub_themes_in(rule.sub_themes)
                .map(|st| st.label(t))
                .collect::<Vec<_>>()
                .join(", ");
            let mut extra = String::new();
            if rule.sub_theme_required {
                extra.push_str(if nl {
                    " — subthema verplicht"
                } else {
                    " — sub-theme required"
                });
            }
            if rule.occupation_list_required {
                extra.push_str(if nl {
                    " — enkel diensten op de goedgekeurde lijst"
                } else {
                    " — only services on the approved list"
                });
            }
            let _ = writeln!(
                s,
                "  {}{}{}",
                theme.label(t),
                if subs.is_empty() {
                    String::new()
                } else {
                    format!(": {subs}")
                },
                extra
            );
        }
    } else {
        let _ = writeln!(
            s,
            "  {}",
            if nl {
                "niet gecontroleerd"
            } else {
                "not checked"
            }
        );
    }
    if let Some(allowed) = rs.advice_only_sub_themes {
        let subs = RuleSet::sub_themes_in(allowed)
            .map(|st| st.label(t))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "{} {}",
            if nl {
                "Advies enkel voor:"
            } else {
                "Advice only for:"
            },
            subs
        );
    }
    let topics = rs
        .excluded_topic_list()
        .map(|topic| topic.label(t))
        .collect::<Vec<_>>();
    let _ = writeln!(
        s,
        "{} ({})",
        if nl {
            "Uitgesloten diensten"
        } else {
            "Excluded services"
        },
        topics.len()
    );
    if !topics.is_empty() {
        let _ = writeln!(s, "  {}", topics.join(", "));
    }
    let window = match (rs.de_minimis_window, nl) {
        (DeMinimisWindow::ThreeCalendarYears, true) => "lopend en twee vorige boekjaren",
        (DeMinimisWindow::ThreeCalendarYears, false) => "current and two previous fiscal years",
        (DeMinimisWindow::RollingThreeYears, true) => "voortschrijdende periode van drie jaar",
        (DeMinimisWindow::RollingThreeYears, false) => "rolling three years",
    };
    let _ = writeln!(
        s,
        "{} {} ({window})",
        if nl {
            "De-minimisplafond:"
        } else {
            "De minimis ceiling:"
        },
        rs.de_minimis_ceiling
    );
    s
}

fn lang_size(nl: bool, small: bool) -> &'static str {
    match (nl, small) {
        (true, true) => "klein",
        (true, false) => "middelgroot",
        (false, true) => "small",
        (false, false) => "medium",
    }
}
