//! Seeded, realistic sample cases for benchmarks and property tests.
//!
//! [`SampleCases`] writes cases in the JSON shape of rules-eval.md, drawn from a fixed mix:
//! dates across every rule set (a few before 2016), mostly small and medium enterprises with some
//! derived from figures with partners and linked enterprises, all eight themes (a few unknown),
//! catering, course material and exam-fee lines, partly used ceilings, some excluded topics and
//! late submissions. The same seed always gives the same cases.

use std::fmt::Write as _;

use kmo_domain::{Date, Theme};

/// SplitMix64: tiny, fast, good enough for sampling, and fully deterministic.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        lo + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(usize::try_from(self.below(u64::try_from(items.len()).unwrap_or(1))).unwrap_or(0))
    }
}

const LEGAL_FORMS: &[&str] = &[
    "NV",
    "BV",
    "BV",
    "BV",
    "EZ",
    "EZ",
    "VRIJ_BEROEP",
    "CV",
    "VOF",
    "COMMV",
    "bvba",
];
const NACE: &[&str] = &[
    "62.010", "70.220", "47.190", "85.592", "43.210", "56.101", "69.201", "86.905", "01.110",
    "03.120",
];
const SUB_THEMES: &[&[&str]] = &[
    &[],
    &[],
    &[
        "hardware",
        "software",
        "online_applications",
        "data",
        "cybersecurity",
        "cybersecurity",
    ],
    &[
        "waste_prevention",
        "greenhouse_gas_reduction",
        "material_efficiency",
        "energy_efficiency",
        "energy_efficiency",
        "recycling",
    ],
    &["bookkeeping", "invoicing", "taxation"],
    &[],
    &[],
    &[
        "work_organisation",
        "competence_policy",
        "diversity_policy",
        "evaluation_policy",
        "workforce_planning",
        "social_legislation",
    ],
];
const TOPICS: &[&str] = &[
    "mindfulness",
    "team_building",
    "nlp",
    "driving_licence",
    "life_coaching",
];

/// An endless, seeded stream of sample cases.
#[derive(Clone, Debug)]
pub struct SampleCases {
    rng: Rng,
    count: u64,
    first: Date,
    span_days: i64,
}

impl SampleCases {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        // Submissions from 2016-03-01 (a month before the first rule set) to 2026-11-30.
        let first = Date::from_ymd(2016, 3, 1).unwrap_or(Date::EPOCH);
        let last = Date::from_ymd(2026, 11, 30).unwrap_or(first);
        SampleCases {
            rng: Rng::new(seed),
            count: 0,
            first,
            span_days: i64::from(first.days_until(last)),
        }
    }

    /// Appends the next case as one line of JSON (no newline).
    #[allow(clippy::too_many_lines, reason = "one generator, read top to bottom")]
    pub fn write_next(&mut self, out: &mut String) {
        let r = &mut self.rng;
        self.count += 1;
        let submitted = self
            .first
            .add_days(i32::try_from(r.range(0, self.span_days)).unwrap_or(0))
            .unwrap_or(self.first);
        let start = submitted
            .add_days(-i32::try_from(r.range(0, 16)).unwrap_or(0))
            .unwrap_or(submitted);
        let _ = write!(
            out,
            "{{\"id\":\"S-{}\",\"submitted_on\":\"{submitted}\",\"enterprise\":{{",
            self.count
        );
        let form = if r.chance(3) {
            "VZW"
        } else {
            r.pick(LEGAL_FORMS).copied().unwrap_or("NV")
        };
        let flemish = !r.chance(2);
        let public = match r.below(100) {
            0 => "30",
            1..=4 => "10.5",
            _ => "0",
        };
        let _ = write!(
            out,
            "\"legal_form\":\"{form}\",\"flemish_establishment\":{flemish},\"public_bodies_pct\":{public}"
        );
        if r.chance(90) {
            let nace = if r.chance(97) {
                r.pick(NACE.get(..8).unwrap_or(NACE))
            } else {
                r.pick(NACE)
            };
            let _ = write!(out, ",\"nace\":\"{}\"", nace.copied().unwrap_or("62.010"));
        }
        if r.chance(85) {
            let size = match r.below(100) {
                0..=64 => "small",
                65..=97 => "medium",
                _ => "large",
            };
            let _ = write!(out, ",\"size\":\"{size}\"");
        } else {
            let year = submitted.year() - 2;
            out.push_str(",\"periods\":[");
            for (i, y) in [year, year + 1].into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let awu = r.range(100, 30_000);
                let _ = write!(
                    out,
                    "{{\"year\":{y},\"awu\":{}.{:02},\"turnover_cents\":{},\"balance_sheet_cents\":{}}}",
                    awu / 100,
                    awu % 100,
                    r.range(1_000_000, 6_000_000_000),
                    r.range(1_000_000, 5_000_000_000)
                );
            }
            out.push(']');
            if r.chance(30) {
                let _ = write!(
                    out,
                    ",\"partners\":[{{\"capital_pct\":{},\"voting_pct\":{},\"figures\":{{\"awu\":{},\"turnover_cents\":{},\"balance_sheet_cents\":{}}}}}]",
                    r.range(10, 50),
                    r.range(10, 50),
                    r.range(1, 120),
                    r.range(1_000_000, 2_000_000_000),
                    r.range(1_000_000, 2_000_000_000)
                );
            }
            if r.chance(20) {
                let _ = write!(
                    out,
                    ",\"linked\":[{{\"figures\":{{\"awu\":{},\"turnover_cents\":{},\"balance_sheet_cents\":{}}}}}]",
                    r.range(1, 200),
                    r.range(1_000_000, 4_000_000_000),
                    r.range(1_000_000, 4_000_000_000)
                );
            }
        }
        let kind = if r.chance(75) { "training" } else { "advice" };
        let theme_index = usize::try_from(r.below(8)).unwrap_or(0);
        let theme = if r.chance(3) {
            "astrophysics"
        } else {
            Theme::ALL
                .get(theme_index)
                .map_or("innovation", |t| t.code())
        };
        let subs = SUB_THEMES.get(theme_index).copied().unwrap_or(&[]);
        let sub = if !subs.is_empty() && r.chance(85) {
            r.pick(subs).copied()
        } else {
            None
        };
        let _ = write!(
            out,
            "}},\"service\":{{\"kind\":\"{kind}\",\"theme\":\"{theme}\",\"sub_theme\":"
        );
        match sub {
            Some(s) => {
                let _ = write!(out, "\"{s}\"");
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"start_date\":\"{start}\",\"topics\":[");
        if r.chance(3) {
            let _ = write!(out, "\"{}\"", r.pick(TOPICS).copied().unwrap_or("nlp"));
        }
        let _ = write!(
            out,
            "],\"on_occupation_list\":{},\"related_to_provider\":{}}},\"costs\":[",
            r.chance(70),
            r.chance(1)
        );
        let fee = match r.below(10) {
            0 => r.range(5_000, 50_000),
            1..=6 => r.range(50_000, 500_000),
            _ => r.range(500_000, 5_000_000),
        };
        let _ = write!(out, "{{\"type\":\"fee\",\"amount_cents\":{fee}}}");
        if r.chance(30) {
            let persons = r.range(1, 12);
            let days = r.range(1, 5);
            let _ = write!(
                out,
                ",{{\"type\":\"catering\",\"amount_cents\":{},\"persons\":{persons},\"days\":{days}{}}}",
                persons * days * r.range(1_500, 4_000),
                if r.chance(10) {
                    ",\"separate_invoice\":true"
                } else {
                    ""
                }
            );
        }
        if r.chance(10) {
            let _ = write!(
                out,
                ",{{\"type\":\"course_material\",\"amount_cents\":{}}}",
                r.range(1_000, 30_000)
            );
        }
        if r.chance(5) {
            let _ = write!(
                out,
                ",{{\"type\":\"exam_fee\",\"amount_cents\":{}}}",
                r.range(5_000, 30_000)
            );
        }
        let reserved = if r.chance(60) { 0 } else { r.range(0, 800_000) };
        let de_minimis = if r.chance(95) {
            0
        } else {
            r.range(0, 31_000_000)
        };
        let _ = write!(
            out,
            "],\"history\":{{\"ceiling_reserved_cents\":{reserved},\"de_minimis_cents\":{de_minimis}}}}}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RuleBook, evaluate, parse_case};

    #[test]
    fn samples_are_valid_cases_with_a_realistic_mix() {
        let book = RuleBook::embedded().unwrap();
        let mut cases = SampleCases::new(7);
        let (mut eligible, mut rejected) = (0, 0);
        let mut line = String::new();
        for _ in 0..2_000 {
            line.clear();
            cases.write_next(&mut line);
            let parsed = parse_case(&book, &line);
            let case = parsed.case.unwrap_or_else(|e| panic!("{e}: {line}"));
            if evaluate(&book, &case).is_eligible() {
                eligible += 1;
            } else {
                rejected += 1;
            }
        }
        assert!(
            eligible > 800 && rejected > 200,
            "eligible {eligible}, rejected {rejected}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let (mut a, mut b) = (String::new(), String::new());
        let (mut x, mut y) = (SampleCases::new(1), SampleCases::new(1));
        for _ in 0..10 {
            x.write_next(&mut a);
            y.write_next(&mut b);
        }
        assert_eq!(a, b);
    }
}
