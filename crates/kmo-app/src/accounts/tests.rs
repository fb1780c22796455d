use super::*;

#[test]
fn a_password_matches_its_hash_and_nothing_else() {
    let h = hash_password("correct horse battery").unwrap();
    assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    // The crate's own PHC hashing verifies ours, and ours verifies the crate's.
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};
    let parsed = PasswordHash::new(&h).unwrap();
    assert!(
        Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok()
    );
    let theirs = Argon2::default()
        .hash_password(
            b"correct horse battery",
            &SaltString::encode_b64(&[7u8; 16]).unwrap(),
        )
        .unwrap()
        .to_string();
    assert!(password_matches("correct horse battery", &theirs));
    assert!(password_matches("correct horse battery", &h));
    assert!(!password_matches("correct horse batterY", &h));
    assert!(!password_matches("x", "not a hash"));
}

#[test]
fn token_hashes_are_hex_sha256() {
    assert_eq!(token_hash("abc").len(), 64);
    assert_ne!(token_hash("abc"), token_hash("abd"));
}

mod access {
    use kmo_domain::{Date, EnterpriseId, ProviderId};

    const E7: EnterpriseId = EnterpriseId::new(7);
    const P3: ProviderId = ProviderId::new(3);

    use crate::accounts::policy::{
        EnterpriseAccess, Principal, ProviderAccess, Role, check_agency, check_enterprise,
        check_provider, enterprise_allowed, provider_allowed,
    };
    use crate::kernel::{CommandError, ErrorCode};
    use crate::store::{MandateRecord, UserRecord};

    fn day() -> Date {
        Date::parse("2026-01-05").unwrap()
    }

    fn user(role: Role, provider: Option<i64>, scopes: &[(i64, &str)]) -> Principal {
        Principal::User {
            user: UserRecord {
                id: 1,
                email: "x@example.be".into(),
                name: "X".into(),
                password_hash: String::new(),
                role: role.code().into(),
                provider: provider.map(ProviderId::new),
                created_on: day(),
            },
            role,
            mandates: scopes
                .iter()
                .enumerate()
                .map(|(i, (enterprise, scope))| MandateRecord {
                    id: i64::try_from(i).unwrap(),
                    user: 1,
                    enterprise: EnterpriseId::new(*enterprise),
                    enterprise_key: format!("E{enterprise}"),
                    scope: (*scope).into(),
                    valid_from: day(),
                    valid_until: None,
                    state: "active".into(),
                    granted_by: None,
                })
                .collect(),
        }
    }

    fn code(r: Result<(), CommandError>) -> Option<ErrorCode> {
        r.err().map(|e| e.error_code())
    }

    #[test]
    fn an_enterprise_is_managed_by_the_agency_and_its_legal_representative_only() {
        let rep = user(Role::Enterprise, None, &[(7, "legal_representative")]);
        let payer = user(Role::Enterprise, None, &[(7, "view_and_release")]);
        let clerk = user(Role::Agency, None, &[]);
        let chamber = user(Role::QualityChamber, None, &[]);
        let stranger = user(Role::Enterprise, None, &[(8, "legal_representative")]);
        for (p, view, apply, release, manage) in [
            (&rep, true, true, true, true),
            (&payer, true, false, true, false),
            (&clerk, true, false, false, true),
            (&chamber, true, false, false, false),
            (&stranger, false, false, false, false),
            (&Principal::Anonymous, false, false, false, false),
        ] {
            assert_eq!(enterprise_allowed(p, E7, EnterpriseAccess::View), view);
            assert_eq!(enterprise_allowed(p, E7, EnterpriseAccess::Apply), apply);
            assert_eq!(
                enterprise_allowed(p, E7, EnterpriseAccess::Release),
                release
            );
            assert_eq!(enterprise_allowed(p, E7, EnterpriseAccess::Manage), manage);
        }
        let unknown = || CommandError::UnknownEnterprise("E7".into());
        // Whoever may not even see it is told it does not exist; whoever sees it, forbidden.
        assert_eq!(
            code(check_enterprise(
                &stranger,
                E7,
                EnterpriseAccess::Manage,
                unknown
            )),
            Some(ErrorCode::UnknownEnterprise)
        );
        assert_eq!(
            code(check_enterprise(
                &payer,
                E7,
                EnterpriseAccess::Manage,
                unknown
            )),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            code(check_enterprise(
                &rep,
                E7,
                EnterpriseAccess::Manage,
                unknown
            )),
            None
        );
    }

    #[test]
    fn a_provider_is_followed_by_its_users_and_staff_and_managed_by_its_users_and_the_agency() {
        let own = user(Role::Provider, Some(3), &[]);
        let other = user(Role::Provider, Some(4), &[]);
        let clerk = user(Role::Agency, None, &[]);
        let chamber = user(Role::QualityChamber, None, &[]);
        let owner = user(Role::Enterprise, None, &[(7, "legal_representative")]);
        for (p, follow, manage) in [
            (&own, true, true),
            (&other, false, false),
            (&clerk, true, true),
            (&chamber, true, false),
            (&owner, false, false),
        ] {
            assert_eq!(provider_allowed(p, P3, ProviderAccess::Follow), follow);
            assert_eq!(provider_allowed(p, P3, ProviderAccess::Manage), manage);
        }
        assert_eq!(
            code(check_provider(&other, P3, ProviderAccess::Follow)),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(code(check_agency(&chamber)), Some(ErrorCode::Forbidden));
        assert_eq!(code(check_agency(&clerk)), None);
    }
}
