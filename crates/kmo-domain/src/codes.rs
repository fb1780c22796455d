//! The closed code lists of the rule book: each a Rust enum with its stable wire code (the string
//! used in `rules-eval.md` JSON, in rule-set files and in the database). Their labels for people
//! are in the text catalogue (`kmo-text`, `kmo_text::Label`), with every other text.
//!
//! The lists themselves are *schema* (rules-eval.md names them); which values a rule accepts —
//! which legal forms, which topics are excluded, which sub-themes belong to a theme — is dated
//! rule-set data in `kmo-rules`, never decided here.

/// Defines a closed code enum: variants with their wire code, plus `ALL`, `code()`, `parse()`,
/// `index()` and `Display` (the code).
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, parse = $parse:ident {
            $( $variant:ident = $index:literal, $code:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( #[doc = concat!("`", $code, "`")] $variant, )+
        }

        impl $name {
            /// Every value, in the rule book's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire code.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// A dense index `0..ALL.len()`, for bit sets.
            #[must_use]
            pub const fn index(self) -> u32 {
                match self { $($name::$variant => $index,)+ }
            }

            /// The value with this wire code.
            #[must_use]
            pub fn parse(code: &str) -> Option<$name> {
                code_enum!(@parse $parse, code, $($name::$variant => $code),+)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
    (@parse exact, $code:ident, $($path:path => $lit:literal),+) => {
        match $code { $($lit => Some($path),)+ _ => None }
    };
    (@parse case_insensitive, $code:ident, $($path:path => $lit:literal),+) => {{
        $( if $code.eq_ignore_ascii_case($lit) { return Some($path); } )+
        None
    }};
}

/// The language of text shown to people. Dutch (nl-BE) first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    /// `nl` or `en` (also `nl-BE`, `en-GB`…); anything else is `None`.
    #[must_use]
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("nl") {
            Some(Lang::Nl)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

code_enum! {
    /// SME size under the EU definition (rules.md §3.2, D15). Ordered: small < medium < large.
    EnterpriseSize, parse = exact {
        Small = 0, "small";
        Medium = 1, "medium";
        Large = 2, "large";
    }
}

code_enum! {
    /// What the enterprise buys from the provider (rules.md §4.1).
    ServiceKind, parse = exact {
        Training = 0, "training";
        Advice = 1, "advice";
    }
}

code_enum! {
    /// KBO legal-form abbreviations known to the contract (rules-eval.md; rules.md §3.4, D18).
    /// Matched case-insensitively. Whether a form is accepted is rule-set data.
    LegalForm, parse = case_insensitive {
        Ez = 0, "EZ";
        VrijBeroep = 1, "VRIJ_BEROEP";
        Nv = 2, "NV";
        Bv = 3, "BV";
        Bvba = 4, "BVBA";
        Cv = 5, "CV";
        Cvba = 6, "CVBA";
        Vof = 7, "VOF";
        CommV = 8, "COMMV";
        CommVa = 9, "COMMVA";
        Esv = 10, "ESV";
        Eesv = 11, "EESV";
        Se = 12, "SE";
        Sce = 13, "SCE";
        Foreign = 14, "FOREIGN";
        Vzw = 15, "VZW";
        Ivzw = 16, "IVZW";
        Stichting = 17, "STICHTING";
        Maatschap = 18, "MAATSCHAP";
        FeitelijkeVereniging = 19, "FEITELIJKE_VERENIGING";
        TijdelijkeHandelsvennootschap = 20, "TIJDELIJKE_HANDELSVENNOOTSCHAP";
        StilleHandelsvennootschap = 21, "STILLE_HANDELSVENNOOTSCHAP";
        Publiekrechtelijk = 22, "PUBLIEKRECHTELIJK";
    }
}

code_enum! {
    /// The eight themes (rules.md §4.2, D7), in force from R2023.
    Theme, parse = exact {
        BusinessStrategy = 0, "business_strategy";
        OccupationSpecific = 1, "occupation_specific";
        Digitalisation = 2, "digitalisation";
        Sustainability = 3, "sustainability";
        FinancialLiteracy = 4, "financial_literacy";
        Innovation = 5, "innovation";
        Internationalisation = 6, "internationalisation";
        PeopleManagement = 7, "people_management";
    }
}

code_enum! {
    /// Why a provider refuses an application naming it (rules.md §4.9, T5, D20). The API takes
    /// these codes and the pages offer their labels: one list.
    RefusalReason, parse = exact {
        EnterpriseNotAllowed = 0, "enterprise_not_allowed";
        RelatedProvider = 1, "related_provider";
        ServiceNotSubsidisable = 2, "service_not_subsidisable";
        WrongProvider = 3, "wrong_provider";
        IncorrectApplication = 4, "incorrect_application";
    }
}

code_enum! {
    /// Sub-topics of the themes (rules.md §0.1). Which theme each belongs to is rule-set data.
    SubTheme, parse = exact {
        WastePrevention = 0, "waste_prevention";
        GreenhouseGasReduction = 1, "greenhouse_gas_reduction";
        MaterialEfficiency = 2, "material_efficiency";
        EnergyEfficiency = 3, "energy_efficiency";
        Recycling = 4, "recycling";
        WaterAirPurification = 5, "water_air_purification";
        Bookkeeping = 6, "bookkeeping";
        Invoicing = 7, "invoicing";
        Taxation = 8, "taxation";
        WorkOrganisation = 9, "work_organisation";
        CompetencePolicy = 10, "competence_policy";
        DiversityPolicy = 11, "diversity_policy";
        EvaluationPolicy = 12, "evaluation_policy";
        WorkforcePlanning = 13, "workforce_planning";
        SocialLegislation = 14, "social_legislation";
        Hardware = 15, "hardware";
        Software = 16, "software";
        OnlineApplications = 17, "online_applications";
        Data = 18, "data";
        Cybersecurity = 19, "cybersecurity";
    }
}

code_enum! {
    /// Topics of the exclusion list (rules.md §4.4 and §0.1, same order).
    ExcludedTopic, parse = exact {
        Shiatsu = 0, "shiatsu";
        Mindfulness = 1, "mindfulness";
        Reflexology = 2, "reflexology";
        Astrology = 3, "astrology";
        BachFlowerTherapy = 4, "bach_flower_therapy";
        Shamanism = 5, "shamanism";
        HealthImprovement = 6, "health_improvement";
        JungianPsychoanalysis = 7, "jungian_psychoanalysis";
        Nlp = 8, "nlp";
        LifeCoaching = 9, "life_coaching";
        MovementTherapy = 10, "movement_therapy";
        ExamCoaching = 11, "exam_coaching";
        MeridianTheory = 12, "meridian_theory";
        PendulumDowsing = 13, "pendulum_dowsing";
        CardReading = 14, "card_reading";
        Hypnosis = 15, "hypnosis";
        AnimalBehaviourTherapy = 16, "animal_behaviour_therapy";
        DrivingLicence = 17, "driving_licence";
        PilotLicence = 18, "pilot_licence";
        BoatingLicence = 19, "boating_licence";
        SubscriptionUnknownContent = 20, "subscription_unknown_content";
        TeamBuilding = 21, "team_building";
        NetworkingSessions = 22, "networking_sessions";
        WalkingCoaching = 23, "walking_coaching";
        StudyTripsRetreats = 24, "study_trips_retreats";
    }
}

code_enum! {
    /// Kinds of cost line on an enrolment or agreement (rules.md §4.8, rules-eval.md).
    CostType, parse = exact {
        Fee = 0, "fee";
        Catering = 1, "catering";
        CourseMaterial = 2, "course_material";
        TrainerTravel = 3, "trainer_travel";
        ExamFee = 4, "exam_fee";
        Equipment = 5, "equipment";
        OtherIneligible = 6, "other_ineligible";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_to_its_value_and_indexes_are_dense() {
        fn check<T: Copy + PartialEq + std::fmt::Debug>(
            all: &[T],
            code: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
            index: fn(T) -> u32,
        ) {
            for (i, v) in all.iter().enumerate() {
                assert_eq!(parse(code(*v)), Some(*v));
                assert_eq!(index(*v), u32::try_from(i).unwrap());
            }
        }
        check(
            EnterpriseSize::ALL,
            EnterpriseSize::code,
            EnterpriseSize::parse,
            EnterpriseSize::index,
        );
        check(
            ServiceKind::ALL,
            ServiceKind::code,
            ServiceKind::parse,
            ServiceKind::index,
        );
        check(
            LegalForm::ALL,
            LegalForm::code,
            LegalForm::parse,
            LegalForm::index,
        );
        check(Theme::ALL, Theme::code, Theme::parse, Theme::index);
        check(
            SubTheme::ALL,
            SubTheme::code,
            SubTheme::parse,
            SubTheme::index,
        );
        check(
            ExcludedTopic::ALL,
            ExcludedTopic::code,
            ExcludedTopic::parse,
            ExcludedTopic::index,
        );
        check(
            CostType::ALL,
            CostType::code,
            CostType::parse,
            CostType::index,
        );
    }

    #[test]
    fn legal_forms_match_case_insensitively_and_nothing_else() {
        assert_eq!(LegalForm::parse("nv"), Some(LegalForm::Nv));
        assert_eq!(LegalForm::parse("Vrij_Beroep"), Some(LegalForm::VrijBeroep));
        assert_eq!(LegalForm::parse("GMBH"), None);
        assert_eq!(Theme::parse("Digitalisation"), None);
    }

    #[test]
    fn the_exclusion_list_has_25_topics() {
        assert_eq!(ExcludedTopic::ALL.len(), 25);
        assert_eq!(SubTheme::ALL.len(), 20);
        assert_eq!(Theme::ALL.len(), 8);
    }

    #[test]
    fn sizes_are_ordered_small_to_large() {
        assert!(EnterpriseSize::Small < EnterpriseSize::Medium);
        assert!(EnterpriseSize::Medium < EnterpriseSize::Large);
    }

    #[test]
    fn the_language_is_dutch_by_default() {
        assert_eq!(Lang::default(), Lang::Nl);
        assert_eq!(Lang::parse("nl-BE"), Some(Lang::Nl));
        assert_eq!(Lang::parse("fr"), None);
    }
}
