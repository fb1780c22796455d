//! The labels of the closed code lists of `kmo-domain` — sizes, service kinds, legal forms,
//! themes, sub-themes, the topics of the exclusion list, cost types, a provider's refusal
//! reasons — read from the catalogue by an exhaustive `match` per list: a new code without its
//! message, in either language, does not compile.
//!
//! A label is written as it reads mid-sentence (`digitalisering`, `Bach flower therapy`), the
//! form the rules engine's explanations write into their byte buffers as they are; a page that
//! shows one alone or first on a line capitalises it ([`Label::capitalised_label`]).

use kmo_domain::{
    CostType, EnterpriseSize, ExcludedTopic, LegalForm, RefusalReason, ServiceKind, SubTheme, Theme,
};

use crate::T;

/// A code of a closed list with its label in the catalogue.
pub trait Label: Copy {
    /// The label as it reads mid-sentence: lower case, names excepted (`rechtsvorm NV
    /// (naamloze vennootschap)`). Never contains `"` or `\`, so JSON takes it as it is.
    fn label(self, t: &T) -> &'static str;

    /// The label as it stands alone or starts a line on a page: its first letter capitalised
    /// (`Digitalisering`).
    #[must_use]
    fn capitalised_label(self, t: &T) -> String {
        t.capitalised(self.label(t))
    }
}

impl Label for EnterpriseSize {
    fn label(self, t: &T) -> &'static str {
        let l = &t.size;
        match self {
            EnterpriseSize::Small => l.small,
            EnterpriseSize::Medium => l.medium,
            EnterpriseSize::Large => l.large,
        }
    }
}

impl Label for ServiceKind {
    fn label(self, t: &T) -> &'static str {
        let l = &t.kind;
        match self {
            ServiceKind::Training => l.training,
            ServiceKind::Advice => l.advice,
        }
    }
}

impl Label for LegalForm {
    fn label(self, t: &T) -> &'static str {
        let l = &t.legal_form;
        match self {
            LegalForm::Ez => l.ez,
            LegalForm::VrijBeroep => l.vrij_beroep,
            LegalForm::Nv => l.nv,
            LegalForm::Bv => l.bv,
            LegalForm::Bvba => l.bvba,
            LegalForm::Cv => l.cv,
            LegalForm::Cvba => l.cvba,
            LegalForm::Vof => l.vof,
            LegalForm::CommV => l.commv,
            LegalForm::CommVa => l.commva,
            LegalForm::Esv => l.esv,
            LegalForm::Eesv => l.eesv,
            LegalForm::Se => l.se,
            LegalForm::Sce => l.sce,
            LegalForm::Foreign => l.foreign,
            LegalForm::Vzw => l.vzw,
            LegalForm::Ivzw => l.ivzw,
            LegalForm::Stichting => l.stichting,
            LegalForm::Maatschap => l.maatschap,
            LegalForm::FeitelijkeVereniging => l.feitelijke_vereniging,
            LegalForm::TijdelijkeHandelsvennootschap => l.tijdelijke_handelsvennootschap,
            LegalForm::StilleHandelsvennootschap => l.stille_handelsvennootschap,
            LegalForm::Publiekrechtelijk => l.publiekrechtelijk,
        }
    }
}

impl Label for Theme {
    fn label(self, t: &T) -> &'static str {
        let l = &t.theme;
        match self {
            Theme::BusinessStrategy => l.business_strategy,
            Theme::OccupationSpecific => l.occupation_specific,
            Theme::Digitalisation => l.digitalisation,
            Theme::Sustainability => l.sustainability,
            Theme::FinancialLiteracy => l.financial_literacy,
            Theme::Innovation => l.innovation,
            Theme::Internationalisation => l.internationalisation,
            Theme::PeopleManagement => l.people_management,
        }
    }
}

impl Label for SubTheme {
    fn label(self, t: &T) -> &'static str {
        let l = &t.sub_theme;
        match self {
            SubTheme::WastePrevention => l.waste_prevention,
            SubTheme::GreenhouseGasReduction => l.greenhouse_gas_reduction,
            SubTheme::MaterialEfficiency => l.material_efficiency,
            SubTheme::EnergyEfficiency => l.energy_efficiency,
            SubTheme::Recycling => l.recycling,
            SubTheme::WaterAirPurification => l.water_air_purification,
            SubTheme::Bookkeeping => l.bookkeeping,
            SubTheme::Invoicing => l.invoicing,
            SubTheme::Taxation => l.taxation,
            SubTheme::WorkOrganisation => l.work_organisation,
            SubTheme::CompetencePolicy => l.competence_policy,
            SubTheme::DiversityPolicy => l.diversity_policy,
            SubTheme::EvaluationPolicy => l.evaluation_policy,
            SubTheme::WorkforcePlanning => l.workforce_planning,
            SubTheme::SocialLegislation => l.social_legislation,
            SubTheme::Hardware => l.hardware,
            SubTheme::Software => l.software,
            SubTheme::OnlineApplications => l.online_applications,
            SubTheme::Data => l.data,
            SubTheme::Cybersecurity => l.cybersecurity,
        }
    }
}

impl Label for ExcludedTopic {
    fn label(self, t: &T) -> &'static str {
        let l = &t.topic;
        match self {
            ExcludedTopic::Shiatsu => l.shiatsu,
            ExcludedTopic::Mindfulness => l.mindfulness,
            ExcludedTopic::Reflexology => l.reflexology,
            ExcludedTopic::Astrology => l.astrology,
            ExcludedTopic::BachFlowerTherapy => l.bach_flower_therapy,
            ExcludedTopic::Shamanism => l.shamanism,
            ExcludedTopic::HealthImprovement => l.health_improvement,
            ExcludedTopic::JungianPsychoanalysis => l.jungian_psychoanalysis,
            ExcludedTopic::Nlp => l.nlp,
            ExcludedTopic::LifeCoaching => l.life_coaching,
            ExcludedTopic::MovementTherapy => l.movement_therapy,
            ExcludedTopic::ExamCoaching => l.exam_coaching,
            ExcludedTopic::MeridianTheory => l.meridian_theory,
            ExcludedTopic::PendulumDowsing => l.pendulum_dowsing,
            ExcludedTopic::CardReading => l.card_reading,
            ExcludedTopic::Hypnosis => l.hypnosis,
            ExcludedTopic::AnimalBehaviourTherapy => l.animal_behaviour_therapy,
            ExcludedTopic::DrivingLicence => l.driving_licence,
            ExcludedTopic::PilotLicence => l.pilot_licence,
            ExcludedTopic::BoatingLicence => l.boating_licence,
            ExcludedTopic::SubscriptionUnknownContent => l.subscription_unknown_content,
            ExcludedTopic::TeamBuilding => l.team_building,
            ExcludedTopic::NetworkingSessions => l.networking_sessions,
            ExcludedTopic::WalkingCoaching => l.walking_coaching,
            ExcludedTopic::StudyTripsRetreats => l.study_trips_retreats,
        }
    }
}

impl Label for CostType {
    fn label(self, t: &T) -> &'static str {
        let l = &t.cost;
        match self {
            CostType::Fee => l.fee,
            CostType::Catering => l.catering,
            CostType::CourseMaterial => l.course_material,
            CostType::TrainerTravel => l.trainer_travel,
            CostType::ExamFee => l.exam_fee,
            CostType::Equipment => l.equipment,
            CostType::OtherIneligible => l.other_ineligible,
        }
    }
}

impl Label for RefusalReason {
    fn label(self, t: &T) -> &'static str {
        let l = &t.refusal;
        match self {
            RefusalReason::EnterpriseNotAllowed => l.enterprise_not_allowed,
            RefusalReason::RelatedProvider => l.related_provider,
            RefusalReason::ServiceNotSubsidisable => l.service_not_subsidisable,
            RefusalReason::WrongProvider => l.wrong_provider,
            RefusalReason::IncorrectApplication => l.incorrect_application,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use std::fmt::Debug;

    use kmo_domain::codes::Lang;

    use super::*;

    /// Every code of `all` reads its own message `<prefix>-<wire code>` (in lower case, `_` as
    /// `-`) in the section `keyed`, and the section holds no message of a code that does not
    /// exist. Labels read mid-sentence: lower case but for the names in `capitalised`.
    fn check<C: Label + Debug>(
        t: &T,
        prefix: &str,
        keyed: &[(&'static str, &'static str)],
        all: &[C],
        code: fn(C) -> &'static str,
    ) {
        const NAMES: [&str; 6] = ["Bach", "Jungian", "Europees", "Europese", "European", "AM"];
        for c in all {
            let key = format!("{prefix}-{}", code(*c).to_lowercase().replace('_', "-"));
            let found = keyed.iter().find(|(k, _)| *k == key).map(|(_, text)| *text);
            let label = c.label(t);
            assert_eq!(found, Some(label), "{:?}: {c:?} reads {key}", t.lang);
            assert!(
                !label.contains(['"', '\\']) && !label.contains(char::is_control),
                "{key}: {label:?} goes into JSON as it is"
            );
            let first = label.split([' ', '-']).next().unwrap_or("");
            assert!(
                !label.starts_with(char::is_uppercase) || NAMES.contains(&first),
                "{:?}: {key} = {label:?} is written as it reads mid-sentence",
                t.lang
            );
            assert!(!label.ends_with('.'), "{key}: a label, not a sentence");
        }
        assert_eq!(
            keyed.len(),
            all.len(),
            "{:?}: a `{prefix}-…` message of no code",
            t.lang
        );
    }

    #[test]
    fn every_code_of_every_list_has_its_own_label_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            let t = T::of(lang);
            let sizes = EnterpriseSize::ALL;
            check(t, "size", &t.size.keyed(), sizes, EnterpriseSize::code);
            check(
                t,
                "kind",
                &t.kind.keyed(),
                ServiceKind::ALL,
                ServiceKind::code,
            );
            check(
                t,
                "legal-form",
                &t.legal_form.keyed(),
                LegalForm::ALL,
                LegalForm::code,
            );
            check(t, "theme", &t.theme.keyed(), Theme::ALL, Theme::code);
            check(
                t,
                "sub-theme",
                &t.sub_theme.keyed(),
                SubTheme::ALL,
                SubTheme::code,
            );
            let topics = ExcludedTopic::ALL;
            check(t, "topic", &t.topic.keyed(), topics, ExcludedTopic::code);
            check(t, "cost", &t.cost.keyed(), CostType::ALL, CostType::code);
            let refusals = RefusalReason::ALL;
            check(
                t,
                "refusal",
                &t.refusal.keyed(),
                refusals,
                RefusalReason::code,
            );
        }
        let (nl, en) = (T::of(Lang::Nl), T::of(Lang::En));
        assert_eq!(Theme::Digitalisation.label(nl), "digitalisering");
        assert_eq!(Theme::Digitalisation.label(en), "digitalisation");
        assert_eq!(
            LegalForm::Eesv.label(nl),
            "Europees economisch samenwerkingsverband"
        );
    }

    #[test]
    fn a_page_capitalises_the_first_letter() {
        let (nl, en) = (T::of(Lang::Nl), T::of(Lang::En));
        assert_eq!(
            Theme::Digitalisation.capitalised_label(nl),
            "Digitalisering"
        );
        assert_eq!(ServiceKind::Advice.capitalised_label(en), "Advice");
        assert_eq!(
            RefusalReason::WrongProvider.capitalised_label(nl),
            "De onderneming schreef niet in bij deze dienstverlener"
        );
        assert_eq!(
            ExcludedTopic::BachFlowerTherapy.capitalised_label(en),
            "Bach flower therapy"
        );
        // Unicode, not ASCII; and Dutch capitalises the digraph ij as one letter.
        assert_eq!(nl.capitalised("één"), "Één");
        assert_eq!(nl.capitalised("ijzer"), "IJzer");
        assert_eq!(en.capitalised("ijzer"), "Ijzer");
        assert_eq!(nl.capitalised("ß"), "SS");
        assert_eq!(nl.capitalised(""), "");
    }
}
