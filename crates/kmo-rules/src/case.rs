//! A case: the facts of one application, parsed and bounded.
//!
//! A [`Case`] can only be built from input that passed every schema check of rules-eval.md (see
//! [`crate::input`]), so evaluation never meets a malformed value. Codes the contract treats as
//! *rejections* rather than input errors (an unknown theme or sub-theme string) are kept as
//! [`Code::Unknown`].

use kmo_domain::{
    Cents, CostType, Date, EnterpriseSize, Hundredths, LegalForm, ServiceKind, SubTheme, Theme,
};

/// A code that may be absent, known, or a string the rule book does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Code<T> {
    #[default]
    Missing,
    Known(T),
    Unknown,
}

impl<T: Copy + PartialEq> Code<T> {
    /// The known value, if any.
    #[must_use]
    pub fn known(self) -> Option<T> {
        match self {
            Code::Known(v) => Some(v),
            Code::Missing | Code::Unknown => None,
        }
    }

    /// Whether the code is this known value.
    #[must_use]
    pub fn is(self, value: T) -> bool {
        self.known() == Some(value)
    }
}

/// Figures of one accounting period (or one partner/linked enterprise for one period).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Figures {
    pub awu: Hundredths,
    pub turnover: Cents,
    pub balance_sheet: Cents,
}

/// Own figures of one closed accounting period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub figures: Figures,
}

/// A partner or linked enterprise's figures: the same for every period, or per year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelatedFigures {
    Constant(Figures),
    /// Per year, covering at least every year of the enterprise's periods.
    PerYear(Vec<Period>),
}

impl RelatedFigures {
    /// The figures for one year (a `PerYear` list covers every year by construction).
    #[must_use]
    pub fn for_year(&self, year: i32) -> Figures {
        match self {
            RelatedFigures::Constant(f) => *f,
            RelatedFigures::PerYear(periods) => periods
                .iter()
                .find(|p| p.year == year)
                .map(|p| p.figures)
                .unwrap_or_default(),
        }
    }
}

/// A partner enterprise (rules.md §3.3): counted at the higher of its two percentages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub capital_pct: Hundredths,
    pub voting_pct: Hundredths,
    pub figures: RelatedFigures,
}

impl Partner {
    /// The share that counts: the higher of capital and voting rights.
    #[must_use]
    pub fn share(&self) -> Hundredths {
        self.capital_pct.max(self.voting_pct)
    }
}

/// Figures from which the size is derived (D15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeFigures {
    /// At least one period, years strictly increasing.
    pub periods: Vec<Period>,
    pub partners: Vec<Partner>,
    pub linked: Vec<RelatedFigures>,
}

/// The size as confirmed by the applicant, or the figures to derive it from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SizeInput {
    Confirmed(EnterpriseSize),
    Figures(Box<SizeFigures>),
}

/// The enterprise's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseFacts {
    pub legal_form: LegalForm,
    pub flemish_establishment: bool,
    pub public_bodies_pct: Hundredths,
    /// NACE-BEL subclass as a number (`62.010` → 62010); the division is `nace / 1000`.
    pub nace: Option<u32>,
    pub size: SizeInput,
}

/// The service's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFacts {
    pub kind: ServiceKind,
    pub theme: Code<Theme>,
    pub sub_theme: Code<SubTheme>,
    pub start_date: Date,
    /// Bit set of [`kmo_domain::ExcludedTopic::index`].
    pub topics: u32,
    pub on_occupation_list: bool,
    pub related_to_provider: bool,
}

/// One cost line, excluding VAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostLine {
    pub cost_type: CostType,
    pub amount: Cents,
    /// Catering only (> 0 there).
    pub persons: u32,
    /// Catering only (> 0 there).
    pub days: u32,
    pub separate_invoice: bool,
    pub used_only_in_training: bool,
}

/// What the platform already knows about the enterprise's aid (rules-eval.md `history`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct History {
    pub ceiling_reserved: Cents,
    pub de_minimis: Cents,
}

/// One case, ready to evaluate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub submitted_on: Date,
    pub enterprise: EnterpriseFacts,
    pub service: ServiceFacts,
    /// At least one line.
    pub costs: Vec<CostLine>,
    pub history: History,
}
