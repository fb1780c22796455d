//! The audit log: every state change and every transfer, append-only, hash-chained per stream.
//!
//! Each record's hash covers its stream, position, kind, actor, date, payload and the previous
//! record's hash, so changing, removing or reordering a record breaks the chain from there on.
//! Chains are per stream (an application, an enterprise, or the platform) rather than one global
//! chain, so that concurrent writers for different applications never wait on one chain head.
//! [`verify`] recomputes every chain and checks that every transfer is named by exactly one
//! audit record, so a transfer cannot be added or removed without the log showing it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use kmo_domain::{ApplicationId, EnterpriseId, ProviderId};
use sha2::{Digest, Sha256};

use kmo_ledger::Transfer;

use crate::store::AuditRecord;

/// Whose history a record belongs to: one hash chain per stream. Stored as text
/// (`application:12`, `enterprise:3`, `provider:5`, `payouts`, `platform`), built only here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditStream {
    Application(ApplicationId),
    Enterprise(EnterpriseId),
    Provider(ProviderId),
    /// The platform's payout runs.
    Payouts,
    /// The platform's own bank movements (a deposit returned to an unknown payer).
    Platform,
}

impl AuditStream {
    /// The stream a stored text names.
    #[must_use]
    pub fn parse(text: &str) -> Option<AuditStream> {
        match text {
            "payouts" => return Some(AuditStream::Payouts),
            "platform" => return Some(AuditStream::Platform),
            _ => {}
        }
        let (kind, id) = text.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "application" => Some(AuditStream::Application(ApplicationId::new(id))),
            "enterprise" => Some(AuditStream::Enterprise(EnterpriseId::new(id))),
            "provider" => Some(AuditStream::Provider(ProviderId::new(id))),
            _ => None,
        }
    }
}

impl fmt::Display for AuditStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditStream::Application(id) => write!(f, "application:{id}"),
            AuditStream::Enterprise(id) => write!(f, "enterprise:{id}"),
            AuditStream::Provider(id) => write!(f, "provider:{id}"),
            AuditStream::Payouts => f.write_str("payouts"),
            AuditStream::Platform => f.write_str("platform"),
        }
    }
}

/// Who did what a record records. Stored as text (`enterprise`, `bank`, `user:12`…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Enterprise,
    Provider,
    Agency,
    QualityChamber,
    /// The platform itself: deadlines.
    System,
    /// The bank statement (a deposit).
    Bank,
    /// A user acting by name (the user's id).
    User(i64),
}

impl Actor {
    /// The kind of actor, without a user's id (`user` for [`Actor::User`]).
    #[must_use]
    pub const fn kind(&self) -> &'static str {
        match self {
            Actor::Enterprise => "enterprise",
            Actor::Provider => "provider",
            Actor::Agency => "agency",
            Actor::QualityChamber => "quality_chamber",
            Actor::System => "system",
            Actor::Bank => "bank",
            Actor::User(_) => "user",
        }
    }

    /// The actor a stored text names.
    #[must_use]
    pub fn parse(text: &str) -> Option<Actor> {
        Some(match text {
            "enterprise" => Actor::Enterprise,
            "provider" => Actor::Provider,
            "agency" => Actor::Agency,
            "quality_chamber" => Actor::QualityChamber,
            "system" => Actor::System,
            "bank" => Actor::Bank,
            _ => Actor::User(text.strip_prefix("user:")?.parse().ok()?),
        })
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// The `prev_hash` of the first record of a stream.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 (hex) over the record's fields, each length-prefixed so that no two different records
/// serialise alike.
#[must_use]
pub fn record_hash(
    stream: &str,
    seq: i64,
    kind: &str,
    actor: &str,
    date: &str,
    payload: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [
        stream,
        &seq.to_string(),
        kind,
        actor,
        date,
        payload,
        prev_hash,
    ] {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// Builds the next record of a stream after `head` (its seq and hash), hashed.
#[must_use]
pub fn next_record(
    stream: AuditStream,
    head: Option<(i64, String)>,
    kind: &str,
    actor: Actor,
    date: kmo_domain::Date,
    payload: String,
) -> AuditRecord {
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let (stream, actor) = (stream.to_string(), actor.to_string());
    let hash = record_hash(
        &stream,
        seq,
        kind,
        &actor,
        &date.to_string(),
        &payload,
        &prev_hash,
    );
    AuditRecord {
        stream,
        seq,
        kind: kind.to_owned(),
        actor,
        date,
        payload,
        prev_hash,
        hash,
    }
}

/// The ids of the transfers a record names (its payload's `transfers` array).
fn named_transfers(record: &AuditRecord) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(&record.payload)
        .ok()
        .and_then(|v| v.get("transfers").and_then(|t| t.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

/// What [`verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub streams: usize,
    pub records: usize,
    pub transfers: usize,
    /// Every problem found, one sentence each. Empty means the log is intact.
    pub problems: Vec<String>,
}

/// Verifies every chain and the correspondence between audit records and transfers.
#[must_use]
pub fn verify(records: &[AuditRecord], transfers: &[Transfer]) -> AuditReport {
    let mut report = AuditReport {
        records: records.len(),
        transfers: transfers.len(),
        ..AuditReport::default()
    };
    let mut streams: BTreeMap<&str, Vec<&AuditRecord>> = BTreeMap::new();
    for r in records {
        streams.entry(r.stream.as_str()).or_default().push(r);
    }
    report.streams = streams.len();
    let mut named: HashMap<String, usize> = HashMap::new();
    for (stream, mut chain) in streams {
        chain.sort_by_key(|r| r.seq);
        let mut prev = GENESIS.to_owned();
        for (i, r) in chain.iter().enumerate() {
            let expected_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
            if r.seq != expected_seq {
                report.problems.push(format!("{stream}: record {} found where {expected_seq} was expected (a record is missing)", r.seq));
            }
            if r.prev_hash != prev {
                report.problems.push(format!(
                    "{stream} #{}: previous hash does not match the record before it",
                    r.seq
                ));
            }
            let recomputed = record_hash(
                &r.stream,
                r.seq,
                &r.kind,
                &r.actor,
                &r.date.to_string(),
                &r.payload,
                &r.prev_hash,
            );
            if recomputed != r.hash {
                report.problems.push(format!(
                    "{stream} #{}: the record was altered (its hash does not match its content)",
                    r.seq
                ));
            }
            prev = r.hash.clone();
            for t in named_transfers(r) {
                *named.entry(t).or_default() += 1;
            }
        }
    }
    for t in transfers {
        match named.remove(t.id.as_str()) {
            Some(1) => {}
            Some(n) => report
                .problems
                .push(format!("transfer {} is named by {n} audit records", t.id)),
            None => report
                .problems
                .push(format!("transfer {} is named by no audit record", t.id)),
        }
    }
    for id in named.keys() {
        report
            .problems
            .push(format!("audit names transfer {id}, which does not exist"));
    }
    report.problems.sort();
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use kmo_domain::Date;

    fn chain() -> Vec<AuditRecord> {
        let d = Date::parse("2024-03-01").unwrap();
        let a = next_record(
            AuditStream::Application(ApplicationId::new(1)),
            None,
            "submitted",
            Actor::Enterprise,
            d,
            r#"{"transfers":[]}"#.into(),
        );
        let b = next_record(
            AuditStream::Application(ApplicationId::new(1)),
            Some((a.seq, a.hash.clone())),
            "funded",
            Actor::Bank,
            d,
            r#"{"transfers":[]}"#.into(),
        );
        vec![a, b]
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify(&chain(), &[]).problems.is_empty());
    }

    #[test]
    fn altering_removing_or_reordering_a_record_is_detected() {
        let mut altered = chain();
        altered[0].payload = r#"{"transfers":[],"x":1}"#.into();
        assert!(
            verify(&altered, &[])
                .problems
                .iter()
                .any(|p| p.contains("altered"))
        );
        let removed = vec![chain().remove(1)];
        assert!(!verify(&removed, &[]).problems.is_empty());
    }

    #[test]
    fn streams_and_actors_read_back_as_they_are_stored() {
        for stream in [
            AuditStream::Application(ApplicationId::new(12)),
            AuditStream::Enterprise(EnterpriseId::new(3)),
            AuditStream::Provider(ProviderId::new(5)),
            AuditStream::Payouts,
            AuditStream::Platform,
        ] {
            assert_eq!(AuditStream::parse(&stream.to_string()), Some(stream));
        }
        assert_eq!(
            AuditStream::Application(ApplicationId::new(12)).to_string(),
            "application:12"
        );
        for actor in [
            Actor::Enterprise,
            Actor::Provider,
            Actor::Agency,
            Actor::QualityChamber,
            Actor::System,
            Actor::Bank,
            Actor::User(7),
        ] {
            assert_eq!(Actor::parse(&actor.to_string()), Some(actor));
        }
        assert_eq!(Actor::User(7).to_string(), "user:7");
        assert_eq!(Actor::parse("user:x"), None);
        assert_eq!(AuditStream::parse("application:"), None);
    }
}
