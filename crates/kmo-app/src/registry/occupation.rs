//! Requests to put a provider's service on the occupation-specific list, as pure rules
//! (rules.md §4.3): the provider submits (name, short description, target group, the criterion
//! met); the agency assesses it against the criteria; the quality chamber may give advice; the
//! request is then approved (for the minister) or rejected, and an approved service is listed.
//! The web form is the draft: a request exists from its submission on.

use kmo_domain::Date;
use serde_json::{Value, json};

/// The criteria of rules.md §4.3; a service must meet at least one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Criterion {
    /// Competences of an occupation on the VDAB bottleneck-occupations list.
    BottleneckOccupation,
    /// Technological, technical, exact-scientific or mathematical knowledge (STEM, care-STEM).
    Stem,
    /// A future sectoral skills shortage shown by a sound forecast (VLAMT or similar).
    FutureShortage,
    /// A certificate or attestation legally required in Belgium to practise an occupation.
    LegalCertificate,
}

impl Criterion {
    pub const ALL: [Criterion; 4] = [
        Criterion::BottleneckOccupation,
        Criterion::Stem,
        Criterion::FutureShortage,
        Criterion::LegalCertificate,
    ];

    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Criterion::BottleneckOccupation => "bottleneck_occupation",
            Criterion::Stem => "stem",
            Criterion::FutureShortage => "future_shortage",
            Criterion::LegalCertificate => "legal_certificate",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListRequestState {
    /// Submitted by the provider, waiting for the agency's assessment.
    Submitted,
    /// Assessed by the agency against the criteria; waiting for the decision.
    Assessed,
    /// Approved: the service is on the list.
    Approved,
    /// Rejected, with a reason.
    Rejected,
}

impl ListRequestState {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            ListRequestState::Submitted => "submitted",
            ListRequestState::Assessed => "assessed",
            ListRequestState::Approved => "approved",
            ListRequestState::Rejected => "rejected",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<ListRequestState> {
        [
            ListRequestState::Submitted,
            ListRequestState::Assessed,
            ListRequestState::Approved,
            ListRequestState::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Whether the request still waits for a step.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            ListRequestState::Submitted | ListRequestState::Assessed
        )
    }
}

/// The agency's assessment against the criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub meets_criterion: bool,
    pub note: String,
    pub on: Date,
}

/// The quality chamber's advice (optional, advisory only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// Whether the chamber advises to approve.
    pub favourable: bool,
    pub text: String,
    pub on: Date,
}

/// The decision on the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub approved: bool,
    pub reason: String,
    pub on: Date,
}

/// One request and its history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRequest {
    pub service_name: String,
    pub description: String,
    pub target_group: String,
    pub criterion: Criterion,
    pub state: ListRequestState,
    pub submitted_on: Date,
    pub assessment: Option<Assessment>,
    pub advice: Option<Advice>,
    pub decision: Option<Decision>,
}

/// A request or step that is not allowed: the field it concerns and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ListRequestError {
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> ListRequestError {
    ListRequestError {
        field,
        message: message.into(),
    }
}

/// The longest free text a request keeps.
pub const TEXT_MAX: usize = 2000;

fn text(field: &'static str, value: &str, required: bool) -> Result<String, ListRequestError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(error(field, "is required"));
    }
    if value.chars().count() > TEXT_MAX {
        return Err(error(
            field,
            format!("is longer than {TEXT_MAX} characters"),
        ));
    }
    Ok(value.to_owned())
}

impl ListRequest {
    /// A provider's request for its service named `service_name`.
    pub fn submit(
        service_name: &str,
        description: &str,
        target_group: &str,
        criterion: &str,
        on: Date,
    ) -> Result<ListRequest, ListRequestError> {
        let description = text("description", description, true)?;
        let target_group = text("target_group", target_group, true)?;
        let criterion = Criterion::parse(criterion).ok_or_else(|| {
            error(
                "criterion",
                "must be bottleneck_occupation, stem, future_shortage or legal_certificate",
            )
        })?;
        Ok(ListRequest {
            service_name: service_name.to_owned(),
            description,
            target_group,
            criterion,
            state: ListRequestState::Submitted,
            submitted_on: on,
            assessment: None,
            advice: None,
            decision: None,
        })
    }

    fn illegal(&self, step: &str) -> ListRequestError {
        error(
            "state",
            format!(
                "{step} is not possible for a request that is {}",
                self.state.code()
            ),
        )
    }

    /// The agency's assessment against the criteria.
    pub fn assess(
        &self,
        meets_criterion: bool,
        note: &str,
        on: Date,
    ) -> Result<ListRequest, ListRequestError> {
        if self.state != ListRequestState::Submitted {
            return Err(self.illegal("an assessment"));
        }
        let note = text("note", note, !meets_criterion)?;
        Ok(ListRequest {
            state: ListRequestState::Assessed,
            assessment: Some(Assessment {
                meets_criterion,
                note,
                on,
            }),
            ..self.clone()
        })
    }

    /// The quality chamber's advice, while the request is open (a later advice replaces an
    /// earlier one).
    pub fn advise(
        &self,
        favourable: bool,
        advice: &str,
        on: Date,
    ) -> Result<ListRequest, ListRequestError> {
        if !self.state.is_open() {
            return Err(self.illegal("an advice"));
        }
        let text = text("advice", advice, true)?;
        Ok(ListRequest {
            advice: Some(Advice {
                favourable,
                text,
                on,
            }),
            ..self.clone()
        })
    }

    /// The decision, after the assessment: an approval needs an assessment that found the
    /// criterion met; a rejection needs a reason.
    pub fn decide(
        &self,
        approve: bool,
        reason: &str,
        on: Date,
    ) -> Result<ListRequest, ListRequestError> {
        if self.state != ListRequestState::Assessed {
            return Err(self.illegal("a decision"));
        }
        if approve && !self.assessment.as_ref().is_some_and(|a| a.meets_criterion) {
            return Err(error(
                "approve",
                "the assessment found no criterion met; the request can only be rejected",
            ));
        }
        let reason = text("reason", reason, !approve)?;
        Ok(ListRequest {
            state: if approve {
                ListRequestState::Approved
            } else {
                ListRequestState::Rejected
            },
            decision: Some(Decision {
                approved: approve,
                reason,
                on,
            }),
            ..self.clone()
        })
    }

    /// The request as stored (JSON).
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "service_name": self.service_name,
            "description": self.description,
            "target_group": self.target_group,
            "criterion": self.criterion.code(),
            "state": self.state.code(),
            "submitted_on": self.submitted_on.to_string(),
            "assessment": self.assessment.as_ref().map(|a| json!({
                "meets_criterion": a.meets_criterion, "note": a.note, "on": a.on.to_string()})),
            "advice": self.advice.as_ref().map(|a| json!({
                "favourable": a.favourable, "text": a.text, "on": a.on.to_string()})),
            "decision": self.decision.as_ref().map(|d| json!({
                "approved": d.approved, "reason": d.reason, "on": d.on.to_string()})),
        })
    }

    /// Reads a stored request back; `None` when the JSON is not one.
    #[must_use]
    pub fn from_json(v: &Value) -> Option<ListRequest> {
        let s = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        let date = |o: &Value, k: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .and_then(|d| Date::parse(d).ok())
        };
        let flag = |o: &Value, k: &str| o.get(k).and_then(Value::as_bool);
        let part = |k: &str| v.get(k).filter(|p| !p.is_null());
        Some(ListRequest {
            service_name: s(v, "service_name")?,
            description: s(v, "description")?,
            target_group: s(v, "target_group")?,
            criterion: Criterion::parse(&s(v, "criterion")?)?,
            state: ListRequestState::parse(&s(v, "state")?)?,
            submitted_on: date(v, "submitted_on")?,
            assessment: match part("assessment") {
                Some(a) => Some(Assessment {
                    meets_criterion: flag(a, "meets_criterion")?,
                    note: s(a, "note")?,
                    on: date(a, "on")?,
                }),
                None => None,
            },
            advice: match part("advice") {
                Some(a) => Some(Advice {
                    favourable: flag(a, "favourable")?,
                    text: s(a, "text")?,
                    on: date(a, "on")?,
                }),
                None => None,
            },
            decision: match part("decision") {
                Some(d) => Some(Decision {
                    approved: flag(d, "approved")?,
                    reason: s(d, "reason")?,
                    on: date(d, "on")?,
                }),
                None => None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn request() -> ListRequest {
        ListRequest::submit(
            "Lassen TIG",
            "Lastechnieken voor roestvrij staal",
            "Lassers in de metaalsector",
            "bottleneck_occupation",
            d("2025-03-03"),
        )
        .unwrap()
    }

    #[test]
    fn a_request_is_assessed_advised_and_approved() {
        let r = request();
        assert_eq!(r.state, ListRequestState::Submitted);
        let r = r
            .advise(true, "Past bij een knelpuntberoep.", d("2025-03-04"))
            .unwrap();
        let r = r.assess(true, "", d("2025-03-05")).unwrap();
        let r = r.decide(true, "", d("2025-03-06")).unwrap();
        assert_eq!(r.state, ListRequestState::Approved);
        assert!(r.advise(true, "te laat", d("2025-03-07")).is_err());
        assert_eq!(ListRequest::from_json(&r.to_json()), Some(r));
    }

    #[test]
    fn steps_out_of_order_and_empty_reasons_are_refused_with_the_field() {
        let r = request();
        assert_eq!(
            r.decide(true, "", d("2025-03-04")).unwrap_err().field,
            "state"
        );
        assert_eq!(
            r.assess(false, " ", d("2025-03-04")).unwrap_err().field,
            "note"
        );
        let not_met = r
            .assess(false, "Geen knelpuntberoep.", d("2025-03-04"))
            .unwrap();
        assert_eq!(
            not_met.decide(true, "", d("2025-03-05")).unwrap_err().field,
            "approve"
        );
        assert_eq!(
            not_met
                .decide(false, "", d("2025-03-05"))
                .unwrap_err()
                .field,
            "reason"
        );
        let rejected = not_met
            .decide(false, "Criterium niet gehaald.", d("2025-03-05"))
            .unwrap();
        assert_eq!(rejected.state, ListRequestState::Rejected);
        assert_eq!(ListRequest::from_json(&rejected.to_json()), Some(rejected));
    }

    #[test]
    fn a_request_needs_its_texts_and_a_known_criterion() {
        let on = d("2025-03-03");
        assert_eq!(
            ListRequest::submit("x", "", "g", "stem", on)
                .unwrap_err()
                .field,
            "description"
        );
        assert_eq!(
            ListRequest::submit("x", "d", " ", "stem", on)
                .unwrap_err()
                .field,
            "target_group"
        );
        assert_eq!(
            ListRequest::submit("x", "d", "g", "nope", on)
                .unwrap_err()
                .field,
            "criterion"
        );
        let long = "a".repeat(TEXT_MAX + 1);
        assert_eq!(
            ListRequest::submit("x", &long, "g", "stem", on)
                .unwrap_err()
                .field,
            "description"
        );
        assert_eq!(ListRequest::from_json(&json!({"state": "submitted"})), None);
    }
}
