//! Registries, as pure rules: a provider's registration per service kind (rules.md §7) and the
//! status of a worker taking part in a training (rules.md §3.6).
//!
//! The registry context: enterprises ([`enterprises`]), providers, their registrations and
//! catalogue ([`providers`]), and the occupation-specific list ([`occupation`], [`listing`]).

pub mod enterprises;
pub mod listing;
pub mod occupation;
pub mod providers;
pub mod store;

use kmo_domain::provider_number::ProviderServiceKind;
use kmo_domain::{Date, ProviderNumber, ServiceKind};

/// Where a provider's registration for one service kind stands (rules.md §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegistrationState {
    /// Asked for, waiting for the kmop audit.
    Requested,
    /// The audit report is in and positive; waiting for the registration.
    Audited,
    /// Registered for five years from the registration date.
    Registered,
    /// Temporarily not allowed to take new applications (a sanction).
    Suspended,
    /// Permanently excluded (a sanction).
    Excluded,
    /// The five years passed.
    Expired,
    /// The audit was negative.
    Refused,
}

impl RegistrationState {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            RegistrationState::Requested => "requested",
            RegistrationState::Audited => "audited",
            RegistrationState::Registered => "registered",
            RegistrationState::Suspended => "suspended",
            RegistrationState::Excluded => "excluded",
            RegistrationState::Expired => "expired",
            RegistrationState::Refused => "refused",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<RegistrationState> {
        [
            RegistrationState::Requested,
            RegistrationState::Audited,
            RegistrationState::Registered,
            RegistrationState::Suspended,
            RegistrationState::Excluded,
            RegistrationState::Expired,
            RegistrationState::Refused,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// One registration: a number for one service kind and its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub number: ProviderNumber,
    pub state: RegistrationState,
    pub requested_on: Date,
    pub registered_on: Option<Date>,
    /// Last day of validity (registration date + 5 years − 1 day).
    pub valid_until: Option<Date>,
}

/// A registration step that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("{action} is not possible for a registration that is {from}")]
    IllegalTransition {
        from: &'static str,
        action: &'static str,
    },
    #[error("the registration number {number} is for {number_kind}, not for {kind}")]
    WrongKind {
        number: String,
        number_kind: &'static str,
        kind: &'static str,
    },
}

/// How long a registration runs (rules.md §7: five years).
pub const REGISTRATION_YEARS: i32 = 5;

fn kind_of(number: &ProviderNumber) -> ServiceKind {
    match number.kind() {
        ProviderServiceKind::Training => ServiceKind::Training,
        ProviderServiceKind::Advice => ServiceKind::Advice,
    }
}

impl Registration {
    /// A request for a registration number of `kind` (the number's letter must match: `DV.O`
    /// for training, `DV.A` for advice).
    pub fn request(
        number: ProviderNumber,
        kind: ServiceKind,
        on: Date,
    ) -> Result<Registration, RegistrationError> {
        let number_kind = kind_of(&number);
        if number_kind != kind {
            return Err(RegistrationError::WrongKind {
                number: number.to_string(),
                number_kind: number_kind.code(),
                kind: kind.code(),
            });
        }
        Ok(Registration {
            number,
            state: RegistrationState::Requested,
            requested_on: on,
            registered_on: None,
            valid_until: None,
        })
    }

    /// The service kind this registration is for.
    #[must_use]
    pub fn kind(&self) -> ServiceKind {
        kind_of(&self.number)
    }

    fn illegal(&self, action: &'static str) -> RegistrationError {
        RegistrationError::IllegalTransition {
            from: self.state.code(),
            action,
        }
    }

    /// The audit report came in: positive → audited, negative → refused.
    pub fn audited(&self, passed: bool) -> Result<Registration, RegistrationError> {
        if self.state != RegistrationState::Requested {
            return Err(self.illegal("an audit result"));
        }
        let state = if passed {
            RegistrationState::Audited
        } else {
            RegistrationState::Refused
        };
        Ok(Registration {
            state,
            ..self.clone()
        })
    }

    /// Registered on `on`, for five years; also a renewal of a registered or expired one after a
    /// new audit.
    pub fn register(&self, on: Date) -> Result<Registration, RegistrationError> {
        if !matches!(self.state, RegistrationState::Audited) {
            return Err(self.illegal("registration"));
        }
        let until = on
            .add_days(-1)
            .ok()
            .and_then(|d| d.minus_years(-REGISTRATION_YEARS).ok());
        Ok(Registration {
            state: RegistrationState::Registered,
            registered_on: Some(on),
            valid_until: until,
            ..self.clone()
        })
    }

    /// A sanction: suspended (reversible) or excluded (final).
    pub fn sanction(&self, exclude: bool) -> Result<Registration, RegistrationError> {
        match (self.state, exclude) {
            (RegistrationState::Registered | RegistrationState::Suspended, true) => {
                Ok(Registration {
                    state: RegistrationState::Excluded,
                    ..self.clone()
                })
            }
            (RegistrationState::Registered, false) => Ok(Registration {
                state: RegistrationState::Suspended,
                ..self.clone()
            }),
            _ => Err(self.illegal(if exclude { "exclusion" } else { "suspension" })),
        }
    }

    /// The suspension is lifted.
    pub fn reinstate(&self) -> Result<Registration, RegistrationError> {
        if self.state != RegistrationState::Suspended {
            return Err(self.illegal("reinstatement"));
        }
        Ok(Registration {
            state: RegistrationState::Registered,
            ..self.clone()
        })
    }

    /// The state on `date`: a registration past its validity is expired (an event, like the
    /// application deadlines; the store applies it).
    #[must_use]
    pub fn on(&self, date: Date) -> RegistrationState {
        match (self.state, self.valid_until) {
            (RegistrationState::Registered | RegistrationState::Suspended, Some(until))
                if date > until =>
            {
                RegistrationState::Expired
            }
            (state, _) => state,
        }
    }

    /// Whether the provider may take applications of this kind on `date`.
    #[must_use]
    pub fn active_on(&self, date: Date) -> bool {
        self.on(date) == RegistrationState::Registered
            && self.registered_on.is_some_and(|r| r <= date)
    }
}

/// What a participant in a training is in the enterprise (rules.md §3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WorkerStatus {
    /// Employee under an employment contract, registered with RSZ.
    Employee,
    /// Job student: not a worker for the kmo-portefeuille.
    JobStudent,
    /// Manager or active partner under the self-employed social status.
    ManagerOrActivePartner,
    /// Trader or self-employed liberal professional.
    SelfEmployed,
    /// Helper of a self-employed person.
    Helper,
    /// Assisting spouse or legal cohabitant.
    AssistingSpouse,
}

impl WorkerStatus {
    pub const ALL: [WorkerStatus; 6] = [
        WorkerStatus::Employee,
        WorkerStatus::JobStudent,
        WorkerStatus::ManagerOrActivePartner,
        WorkerStatus::SelfEmployed,
        WorkerStatus::Helper,
        WorkerStatus::AssistingSpouse,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            WorkerStatus::Employee => "employee",
            WorkerStatus::JobStudent => "job_student",
            WorkerStatus::ManagerOrActivePartner => "manager_or_active_partner",
            WorkerStatus::SelfEmployed => "self_employed",
            WorkerStatus::Helper => "helper",
            WorkerStatus::AssistingSpouse => "assisting_spouse",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<WorkerStatus> {
        WorkerStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether a participant with this status may be trained with support (TC-54).
    #[must_use]
    pub const fn is_eligible(self) -> bool {
        !matches!(self, WorkerStatus::JobStudent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn number(s: &str) -> ProviderNumber {
        ProviderNumber::parse(s).unwrap()
    }

    #[test]
    fn a_registration_runs_five_years_from_the_registration_date() {
        let r = Registration::request(number("DV.O223914"), ServiceKind::Training, d("2024-01-10"))
            .unwrap();
        assert!(!r.active_on(d("2024-02-01")));
        let r = r.audited(true).unwrap().register(d("2024-03-01")).unwrap();
        assert_eq!(r.valid_until, Some(d("2029-02-28")));
        assert!(r.active_on(d("2029-02-28")));
        assert!(!r.active_on(d("2029-03-01")));
        assert_eq!(r.on(d("2029-03-01")), RegistrationState::Expired);
    }

    #[test]
    fn sanctions_suspend_and_exclude_and_illegal_steps_are_refused() {
        let r = Registration::request(number("DV.A236460"), ServiceKind::Advice, d("2024-01-10"))
            .unwrap()
            .audited(true)
            .unwrap()
            .register(d("2024-02-01"))
            .unwrap();
        let s = r.sanction(false).unwrap();
        assert!(!s.active_on(d("2024-06-01")));
        assert!(s.reinstate().unwrap().active_on(d("2024-06-01")));
        let x = s.sanction(true).unwrap();
        assert!(matches!(
            x.reinstate(),
            Err(RegistrationError::IllegalTransition { .. })
        ));
        assert!(matches!(
            x.register(d("2025-01-01")),
            Err(RegistrationError::IllegalTransition { .. })
        ));
        let refused =
            Registration::request(number("DV.O100275"), ServiceKind::Training, d("2024-01-10"))
                .unwrap()
                .audited(false)
                .unwrap();
        assert_eq!(refused.state, RegistrationState::Refused);
    }

    #[test]
    fn a_training_number_cannot_register_advice() {
        assert!(matches!(
            Registration::request(number("DV.O223914"), ServiceKind::Advice, d("2024-01-10")),
            Err(RegistrationError::WrongKind { .. })
        ));
    }

    #[test]
    fn a_job_student_is_not_a_worker() {
        assert!(!WorkerStatus::JobStudent.is_eligible());
        assert!(WorkerStatus::ALL.iter().filter(|s| s.is_eligible()).count() == 5);
        assert_eq!(
            WorkerStatus::parse("job_student"),
            Some(WorkerStatus::JobStudent)
        );
    }
}
