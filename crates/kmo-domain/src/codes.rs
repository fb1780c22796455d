//! The closed code lists of the rule book: each a Rust enum with its stable wire code (the string
//! used in `rules-eval.md` JSON, in rule-set files and in the database) and its Dutch and English
//! labels for people.
//!
//! The lists themselves are *schema* (rules-eval.md names them); which values a rule accepts —
//! which legal forms, which topics are excluded, which sub-themes belong to a theme — is dated
//! rule-set data in `kmo-rules`, never decided here.

/// Defines a closed code enum: variants with wire code, Dutch and English label, plus `ALL`,
/// `code()`, `parse()`, `index()`, `label(lang)` and `Display` (the code).
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, parse = $parse:ident {
            $( $variant:ident = $index:literal, $code:literal, $nl:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( #[doc = $en] $variant, )+
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

            /// The label for people, in Dutch (`nl`) or English (any other language).
            #[must_use]
            pub const fn label(self, lang: crate::codes::Lang) -> &'static str {
                match lang {
                    crate::codes::Lang::Nl => match self { $($name::$variant => $nl,)+ },
                    crate::codes::Lang::En => match self { $($name::$variant => $en,)+ },
                }
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
        Small = 0, "small", "klein", "small";
        Medium = 1, "medium", "middelgroot", "medium-sized";
        Large = 2, "large", "groot", "large";
    }
}

code_enum! {
    /// What the enterprise buys from the provider (rules.md §4.1).
    ServiceKind, parse = exact {
        Training = 0, "training", "opleiding", "training";
        Advice = 1, "advice", "advies", "advice";
    }
}

code_enum! {
    /// KBO legal-form abbreviations known to the contract (rules-eval.md; rules.md §3.4, D18).
    /// Matched case-insensitively. Whether a form is accepted is rule-set data.
    LegalForm, parse = case_insensitive {
        Ez = 0, "EZ", "eenmanszaak (natuurlijk persoon)", "sole trader (natural person)";
        VrijBeroep = 1, "VRIJ_BEROEP", "vrij beroep (natuurlijk persoon)", "liberal profession (natural person)";
        Nv = 2, "NV", "naamloze vennootschap", "public limited company (NV)";
        Bv = 3, "BV", "besloten vennootschap", "private limited company (BV)";
        Bvba = 4, "BVBA", "bvba", "private limited company (BVBA, pre-2019)";
        Cv = 5, "CV", "coöperatieve vennootschap", "cooperative company (CV)";
        Cvba = 6, "CVBA", "cvba", "cooperative company (CVBA, pre-2019)";
        Vof = 7, "VOF", "vennootschap onder firma", "general partnership (VOF)";
        CommV = 8, "COMMV", "commanditaire vennootschap", "limited partnership (CommV)";
        CommVa = 9, "COMMVA", "commanditaire vennootschap op aandelen", "partnership limited by shares (CommVA)";
        Esv = 10, "ESV", "economisch samenwerkingsverband", "economic interest grouping (ESV)";
        Eesv = 11, "EESV", "Europees economisch samenwerkingsverband", "European economic interest grouping (EESV)";
        Se = 12, "SE", "Europese vennootschap", "European company (SE)";
        Sce = 13, "SCE", "Europese coöperatieve vennootschap", "European cooperative society (SCE)";
        Foreign = 14, "FOREIGN", "buitenlandse onderneming", "foreign enterprise";
        Vzw = 15, "VZW", "vzw", "non-profit association (vzw)";
        Ivzw = 16, "IVZW", "ivzw", "international non-profit association (ivzw)";
        Stichting = 17, "STICHTING", "stichting", "foundation";
        Maatschap = 18, "MAATSCHAP", "maatschap", "partnership without legal personality (maatschap)";
        FeitelijkeVereniging = 19, "FEITELIJKE_VERENIGING", "feitelijke vereniging", "de facto association";
        TijdelijkeHandelsvennootschap = 20, "TIJDELIJKE_HANDELSVENNOOTSCHAP", "tijdelijke handelsvennootschap", "temporary trading partnership";
        StilleHandelsvennootschap = 21, "STILLE_HANDELSVENNOOTSCHAP", "stille handelsvennootschap", "silent partnership";
        Publiekrechtelijk = 22, "PUBLIEKRECHTELIJK", "publiekrechtelijke rechtspersoon", "public-law entity";
    }
}

code_enum! {
    /// The eight themes (rules.md §4.2, D7), in force from R2023.
    Theme, parse = exact {
        BusinessStrategy = 0, "business_strategy", "bedrijfsstrategie", "business strategy";
        OccupationSpecific = 1, "occupation_specific", "beroepsspecifieke competenties", "occupation-specific competences";
        Digitalisation = 2, "digitalisation", "digitalisering", "digitalisation";
        Sustainability = 3, "sustainability", "duurzaamheid", "sustainability";
        FinancialLiteracy = 4, "financial_literacy", "financiële geletterdheid", "financial literacy";
        Innovation = 5, "innovation", "innovatie", "innovation";
        Internationalisation = 6, "internationalisation", "internationalisering", "internationalisation";
        PeopleManagement = 7, "people_management", "personeelsmanagement", "people management";
    }
}

code_enum! {
    /// Why a provider refuses an application naming it (rules.md §4.9, T5, D20). The API takes
    /// these codes and the pages offer these labels: one list.
    RefusalReason, parse = exact {
        EnterpriseNotAllowed = 0, "enterprise_not_allowed", "De onderneming komt niet in aanmerking", "The enterprise is not allowed";
        RelatedProvider = 1, "related_provider", "Onderneming en dienstverlener zijn verbonden", "The enterprise and the provider are related";
        ServiceNotSubsidisable = 2, "service_not_subsidisable", "De dienst komt niet in aanmerking", "The service is not subsidisable";
        WrongProvider = 3, "wrong_provider", "De onderneming schreef niet in bij deze dienstverlener", "The enterprise did not enrol with this provider";
        IncorrectApplication = 4, "incorrect_application", "De aanvraag is onjuist (vorm of inhoud)", "The application is incorrect (form or content)";
    }
}

code_enum! {
    /// Sub-topics of the themes (rules.md §0.1). Which theme each belongs to is rule-set data.
    SubTheme, parse = exact {
        WastePrevention = 0, "waste_prevention", "afvalpreventie en efficiënte afvalverwerking", "waste prevention";
        GreenhouseGasReduction = 1, "greenhouse_gas_reduction", "reductie van broeikasgasemissies", "greenhouse-gas reduction";
        MaterialEfficiency = 2, "material_efficiency", "efficiënt materiaalgebruik", "material efficiency";
        EnergyEfficiency = 3, "energy_efficiency", "energie-efficiëntie en alternatieve energiebronnen", "energy efficiency";
        Recycling = 4, "recycling", "recyclage", "recycling";
        WaterAirPurification = 5, "water_air_purification", "water- en luchtzuivering", "water and air purification";
        Bookkeeping = 6, "bookkeeping", "boekhouding", "bookkeeping";
        Invoicing = 7, "invoicing", "facturatie", "invoicing";
        Taxation = 8, "taxation", "fiscaliteit", "taxation";
        WorkOrganisation = 9, "work_organisation", "arbeidsorganisatie en bedrijfsprocessen", "work organisation";
        CompetencePolicy = 10, "competence_policy", "competentiebeleid", "competence policy";
        DiversityPolicy = 11, "diversity_policy", "diversiteits- en non-discriminatiebeleid", "diversity policy";
        EvaluationPolicy = 12, "evaluation_policy", "evaluatie- en functioneringsbeleid", "evaluation and performance policy";
        WorkforcePlanning = 13, "workforce_planning", "personeelsplanning", "workforce planning";
        SocialLegislation = 14, "social_legislation", "sociale wetgeving", "social legislation";
        Hardware = 15, "hardware", "hardware", "hardware";
        Software = 16, "software", "software", "software";
        OnlineApplications = 17, "online_applications", "online toepassingen", "online applications";
        Data = 18, "data", "data", "data";
        Cybersecurity = 19, "cybersecurity", "cybersecurity", "cybersecurity";
    }
}

code_enum! {
    /// Topics of the exclusion list (rules.md §4.4 and §0.1, same order).
    ExcludedTopic, parse = exact {
        Shiatsu = 0, "shiatsu", "shiatsu", "shiatsu";
        Mindfulness = 1, "mindfulness", "mindfulness", "mindfulness";
        Reflexology = 2, "reflexology", "reflexologie", "reflexology";
        Astrology = 3, "astrology", "astrologie", "astrology";
        BachFlowerTherapy = 4, "bach_flower_therapy", "bachbloesemtherapie", "Bach flower therapy";
        Shamanism = 5, "shamanism", "sjamanisme", "shamanism";
        HealthImprovement = 6, "health_improvement", "verbeteren van de fysieke en mentale gezondheid", "improving physical and mental health";
        JungianPsychoanalysis = 7, "jungian_psychoanalysis", "jungiaanse psychoanalyse", "Jungian psychoanalysis";
        Nlp = 8, "nlp", "neurolinguïstisch programmeren", "neuro-linguistic programming";
        LifeCoaching = 9, "life_coaching", "life coaching", "life coaching";
        MovementTherapy = 10, "movement_therapy", "bewegingstherapie", "movement therapy";
        ExamCoaching = 11, "exam_coaching", "examens afleggen en/of examencoaching", "exams and exam coaching";
        MeridianTheory = 12, "meridian_theory", "meridiaan- en elementenleer", "meridian and element theory";
        PendulumDowsing = 13, "pendulum_dowsing", "pendelen", "pendulum dowsing";
        CardReading = 14, "card_reading", "kaartlezen", "card reading";
        Hypnosis = 15, "hypnosis", "hypnose", "hypnosis";
        AnimalBehaviourTherapy = 16, "animal_behaviour_therapy", "dierengedragstherapie", "animal-behaviour therapy";
        DrivingLicence = 17, "driving_licence", "rijbewijs AM, A of B", "driving licence AM, A or B";
        PilotLicence = 18, "pilot_licence", "brevet piloot vliegtuig of helikopter", "aeroplane or helicopter pilot licence";
        BoatingLicence = 19, "boating_licence", "vaarbewijs of -brevet", "boating licence";
        SubscriptionUnknownContent = 20, "subscription_unknown_content", "abonnement of lidmaatschap met vooraf onbekende inhoud", "subscription with content not known in advance";
        TeamBuilding = 21, "team_building", "teambuilding", "team building";
        NetworkingSessions = 22, "networking_sessions", "netwerksessies", "networking sessions";
        WalkingCoaching = 23, "walking_coaching", "wandelcoaching of -therapie", "walking coaching or therapy";
        StudyTripsRetreats = 24, "study_trips_retreats", "studiereizen of retraites", "study trips or retreats";
    }
}

code_enum! {
    /// Kinds of cost line on an enrolment or agreement (rules.md §4.8, rules-eval.md).
    CostType, parse = exact {
        Fee = 0, "fee", "opleidings- of adviesprijs", "training or advice fee";
        Catering = 1, "catering", "catering", "catering";
        CourseMaterial = 2, "course_material", "cursusmateriaal", "course material";
        TrainerTravel = 3, "trainer_travel", "verplaatsingskosten lesgever", "trainer travel";
        ExamFee = 4, "exam_fee", "examenkosten", "exam fee";
        Equipment = 5, "equipment", "uitrusting en investeringen", "equipment and investments";
        OtherIneligible = 6, "other_ineligible", "andere niet-subsidieerbare kosten", "other ineligible costs";
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
    fn labels_are_dutch_by_default() {
        assert_eq!(
            Theme::Digitalisation.label(Lang::default()),
            "digitalisering"
        );
        assert_eq!(Theme::Digitalisation.label(Lang::En), "digitalisation");
        assert_eq!(Lang::parse("nl-BE"), Some(Lang::Nl));
        assert_eq!(Lang::parse("fr"), None);
    }
}
