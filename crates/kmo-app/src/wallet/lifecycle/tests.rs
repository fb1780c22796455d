use super::*;
use kmo_ledger::Book;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn the_next_step_is_the_deposit_then_the_release_then_nothing() {
    let (change, _) = tc55();
    let app = change.application;
    assert_eq!(
        app.next_step(),
        Some(NextStep::Deposit {
            amount: Cents::new(140_000),
            by: d("2024-03-15")
        })
    );
    let funded = Application {
        state: State::Funded,
        deposited: app.own_share,
        paid_own: Cents::new(50_000),
        ..app.clone()
    };
    assert_eq!(
        funded.next_step(),
        Some(NextStep::Release {
            left: Cents::new(150_000),
            by: d("2025-12-31")
        })
    );
    let paid = Application {
        state: State::Paid,
        ..funded.clone()
    };
    assert_eq!((paid.next_step(), paid.balance()), (None, Cents::ZERO));
    let recovered = Application {
        state: State::Recovered,
        recovered: Cents::new(100),
        recovery_received: Cents::new(40),
        ..paid.clone()
    };
    assert_eq!(
        recovered.next_step(),
        Some(NextStep::Repay {
            amount: Cents::new(60)
        })
    );
    let blocked = Application {
        state: State::Blocked,
        ..funded
    };
    assert_eq!(blocked.next_step(), Some(NextStep::AwaitAgency));
}

/// TC-55's application: small, €2,000 training, S 60000, O 140000, submitted 2024-03-01.
fn tc55() -> (Change, Book) {
    let change = submit(&NewApplication {
        id: kmo_domain::ApplicationId::new(1),
        key: "A-1".into(),
        enterprise: kmo_domain::EnterpriseId::new(1),
        provider: kmo_domain::ProviderId::new(1),
        submitted_on: d("2024-03-01"),
        size: EnterpriseSize::Small,
        rate_bp: 3000,
        rule_set: "R2024".into(),
        eligible: Cents::new(200_000),
        subsidy: Cents::new(60_000),
        deposit_deadline: d("2024-03-15"),
        payment_deadline: d("2025-12-31"),
        annual_ceiling: Cents::new(750_000),
        ceiling_granted: Cents::ZERO,
    });
    let mut book = Book::new();
    for t in &change.transfers {
        book.apply(t).unwrap();
    }
    (change, book)
}

fn apply(book: &mut Book, change: &Change) -> Application {
    for t in &change.transfers {
        book.apply(t).unwrap();
    }
    assert_eq!(change.application.broken_invariant(), None);
    change.application.clone()
}

#[test]
fn tc57_stop_after_partial_payment_refunds_pro_rata() {
    let (c, mut book) = tc55();
    let app = apply(&mut book, &c);
    let app = apply(
        &mut book,
        &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
    );
    let app = apply(
        &mut book,
        &pay(&app, Cents::new(150_000), d("2024-06-01")).unwrap(),
    );
    assert_eq!(
        (app.paid_subsidy, app.paid_own),
        (Cents::new(45_000), Cents::new(105_000))
    );
    let app = apply(
        &mut book,
        &close(&app, Closing::Stop, d("2024-11-01")).unwrap(),
    );
    assert_eq!(
        (app.refunded, app.returned_to_ceiling),
        (Cents::new(35_000), Cents::new(15_000))
    );
    assert_eq!(
        book.posted(AccountKey::CeilingReserved {
            enterprise: 1,
            year: 2024
        }),
        Cents::new(45_000)
    );
    assert_eq!(
        book.posted(AccountKey::OwnShareWallet { application: 1 }),
        Cents::ZERO
    );
    assert_eq!(
        book.posted(AccountKey::SubsidyWallet { application: 1 }),
        Cents::ZERO
    );
    assert!(book.ledgers_balance());
}

#[test]
fn a_wrong_deposit_is_returned_and_the_application_waits() {
    let (c, mut book) = tc55();
    let app = apply(&mut book, &c);
    let (error, change) = deposit(&app, Cents::new(139_999), d("2024-03-05"), "b1").unwrap_err();
    assert_eq!(error.code(), "DEPOSIT_WRONG_AMOUNT");
    let app = apply(&mut book, &change);
    assert_eq!(
        (app.state, app.returned_deposits),
        (State::Submitted, Cents::new(139_999))
    );
    assert_eq!(book.posted(AccountKey::Suspense), Cents::ZERO);
    assert_eq!(book.posted(AccountKey::RefundsPayable), Cents::new(139_999));
    assert!(deposit(&app, Cents::new(140_000), d("2024-03-15"), "b2").is_ok());
}

#[test]
fn a_lapse_in_the_next_year_returns_the_subsidy_to_the_budget_and_voids_the_reservation() {
    let (c, mut book) = tc55();
    let mut app = apply(&mut book, &c);
    app.submitted_on = d("2024-12-20");
    let app = apply(
        &mut book,
        &close(&app, Closing::Lapse, d("2025-01-04")).unwrap(),
    );
    assert_eq!(
        (app.returned_to_budget, app.returned_to_ceiling),
        (Cents::new(60_000), Cents::ZERO)
    );
    assert_eq!(book.open_pending().count(), 0);
}

#[test]
fn recovery_after_partial_payment_claims_the_paid_subsidy_back() {
    let (c, mut book) = tc55();
    let app = apply(&mut book, &c);
    let app = apply(
        &mut book,
        &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
    );
    let app = apply(
        &mut book,
        &pay(&app, Cents::new(150_000), d("2024-06-01")).unwrap(),
    );
    let blocked = apply(&mut book, &block(&app, d("2024-07-01")).unwrap());
    assert_eq!(blocked.state, State::Blocked);
    assert_eq!(
        pay(&blocked, Cents::new(1), d("2024-07-02"))
            .unwrap_err()
            .code(),
        "APPLICATION_BLOCKED"
    );
    assert_eq!(
        close(&blocked, Closing::Stop, d("2024-07-02"))
            .unwrap_err()
            .code(),
        "APPLICATION_BLOCKED"
    );
    // Unblocking restores the state; blocking again and recovering claims 45,000 back.
    let app = apply(&mut book, &unblock(&blocked, d("2024-07-03")).unwrap());
    assert_eq!(app.state, State::PartiallyPaid);
    let blocked = apply(&mut book, &block(&app, d("2024-07-04")).unwrap());
    let app = apply(&mut book, &recover(&blocked, d("2024-08-01")).unwrap());
    assert_eq!(app.state, State::Recovered);
    assert_eq!(
        (
            app.recovered,
            app.refunded,
            app.returned_to_budget,
            app.returned_to_ceiling
        ),
        (
            Cents::new(45_000),
            Cents::new(35_000),
            Cents::new(15_000),
            Cents::ZERO
        )
    );
    assert_eq!(
        book.posted(AccountKey::RecoveryReceivable { application: 1 }),
        Cents::new(45_000)
    );
    assert_eq!(
        book.posted(AccountKey::DeMinimisGranted { enterprise: 1 }),
        Cents::ZERO
    );
    assert_eq!(
        receive_recovery(&app, Cents::new(45_001), d("2024-09-01"))
            .unwrap_err()
            .code(),
        "REPAYMENT_EXCEEDS_CLAIM"
    );
    let app = apply(
        &mut book,
        &receive_recovery(&app, Cents::new(45_000), d("2024-09-01")).unwrap(),
    );
    assert_eq!(app.recovery_received, Cents::new(45_000));
    assert_eq!(
        book.posted(AccountKey::RecoveryReceivable { application: 1 }),
        Cents::ZERO
    );
    assert!(book.ledgers_balance());
}

#[test]
fn only_funded_or_paid_applications_can_be_blocked() {
    let (c, mut book) = tc55();
    let app = apply(&mut book, &c);
    assert_eq!(
        block(&app, d("2024-03-02")).unwrap_err().code(),
        "ILLEGAL_TRANSITION"
    );
    assert_eq!(
        recover(&app, d("2024-03-02")).unwrap_err().code(),
        "ILLEGAL_TRANSITION"
    );
}

#[test]
fn illegal_moves_have_their_own_codes() {
    let (c, mut book) = tc55();
    let app = apply(&mut book, &c);
    assert_eq!(
        pay(&app, Cents::new(1), d("2024-03-05"))
            .unwrap_err()
            .code(),
        "NOT_FUNDED"
    );
    assert_eq!(
        close(&app, Closing::Expire, d("2024-03-05"))
            .unwrap_err()
            .code(),
        "ILLEGAL_TRANSITION"
    );
    let app = apply(
        &mut book,
        &deposit(&app, Cents::new(140_000), d("2024-03-10"), "b1").unwrap(),
    );
    assert_eq!(
        pay(&app, Cents::new(200_001), d("2024-04-01"))
            .unwrap_err()
            .code(),
        "PAYMENT_EXCEEDS_BALANCE"
    );
    let app = apply(
        &mut book,
        &pay(&app, Cents::new(1), d("2024-04-01")).unwrap(),
    );
    assert_eq!(
        close(&app, Closing::Refuse, d("2024-04-02"))
            .unwrap_err()
            .code(),
        "ILLEGAL_TRANSITION"
    );
    assert_eq!(
        deposit(&app, Cents::new(140_000), d("2024-04-02"), "b2")
            .unwrap_err()
            .0
            .code(),
        "DEPOSIT_ALREADY_FUNDED"
    );
}

mod bank_lines {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever the bank puts in its reference, a returned line's two transfers get valid
        /// ids of their own (before, a reference with a space, an accent or over ~108 bytes made
        /// both fall back to one id, and the line answered 503).
        #[test]
        fn a_returned_line_has_two_valid_ids_of_its_own(a in "\\PC{1,140}", b in "\\PC{1,140}") {
            let day = d("2024-03-01");
            let ids = |r: &str| -> Vec<String> {
                returned_deposit_transfers(&bank_line_prefix(r), Cents::new(100), None, day)
                    .iter()
                    .map(|t| t.id.to_string())
                    .collect()
            };
            let (ia, ib) = (ids(&a), ids(&b));
            prop_assert_eq!(ia.len(), 2);
            prop_assert_ne!(&ia[0], &ia[1]);
            prop_assert!(ia.iter().all(|id| !id.contains(".invalid")), "{:?}", ia);
            if a != b {
                prop_assert!(ia.iter().all(|id| !ib.contains(id)), "{:?} {:?}", ia, ib);
            }
        }
    }

    #[test]
    fn a_plain_reference_keeps_the_ids_it_always_had() {
        assert_eq!(bank_line_prefix("L42"), "bank.L42");
        assert!(bank_line_prefix("ref met spatie").starts_with("bankh."));
        assert!(bank_line_prefix("référence").starts_with("bankh."));
        assert!(bank_line_prefix(&"x".repeat(110)).starts_with("bankh."));
    }

    #[test]
    fn a_bank_reference_is_trimmed_and_bounded() {
        assert_eq!(bank_ref("  L42 \n"), Ok("L42"));
        assert!(bank_ref("   ").is_err());
        assert!(bank_ref("a\u{0}b").is_err());
        assert!(bank_ref(&"é".repeat(141)).is_err());
        assert_eq!(bank_ref(&"é".repeat(140)).map(str::len), Ok(280));
    }
}
