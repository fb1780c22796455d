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
