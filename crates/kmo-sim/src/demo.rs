//! `kmo demo`: a believable platform on a fresh database — four enterprises, three providers
//! with registrations, and applications in every state of the lifecycle (submitted, funded,
//! partially paid, paid, lapsed, refused, stopped, expired, blocked, recovered) plus a draft —
//! built through the same services as every other caller, in date order, ending on `today`.
//! Dates are relative to `today`, so the deadlines shown are always live.

use std::collections::BTreeMap;

use kmo_domain::{Cents, Date};
use serde_json::{Value, json};

use kmo_app::accounts::{NewUser, Principal, Role, Scope};
use kmo_app::lifecycle::{Closing, State};
use kmo_app::platform::{
    CommandError, CostRequest, DepositTarget, Draft, Inspection, Platform, ServiceRequest,
    Submission,
};
use kmo_app::registry::WorkerStatus;
use kmo_app::store::{ListedService, Store};

/// The demo's enterprises: key (enterprise number), name, rules-eval.md profile.
pub const ENTERPRISES: [(&str, &str, &str, &str); 4] = [
    ("0403.199.702", "Bakkerij Janssens BV", "BV", "small"),
    ("0417.497.106", "Van Damme Logistiek NV", "NV", "medium"),
    ("0555.912.344", "Studio Peeters", "EZ", "small"),
    ("0731.654.865", "Groen Advies CV", "CV", "small"),
];

/// The demo's providers: key, name, registration numbers (training, advice).
pub const PROVIDERS: [(&str, &str, &str, &str); 3] = [
    (
        "0811.111.129",
        "Syntra Vlaanderen Opleidingen",
        "DV.O100001",
        "DV.A100001",
    ),
    (
        "0822.222.280",
        "Digitaal Advies BV",
        "DV.O100002",
        "DV.A100002",
    ),
    (
        "0833.333.334",
        "Duurzaam Ondernemen CV",
        "DV.O100003",
        "DV.A100003",
    ),
];

/// The providers' catalogues: provider, name, kind, theme, sub-theme, price in cents.
#[allow(clippy::type_complexity, reason = "a table of literals")]
pub const CATALOGUE: [(&str, &str, &str, &str, Option<&str>, i64); 7] = [
    (
        "0811.111.129",
        "Excel voor de boekhouding",
        "training",
        "financial_literacy",
        Some("bookkeeping"),
        120_000,
    ),
    (
        "0811.111.129",
        "Leidinggeven in een kmo",
        "training",
        "people_management",
        Some("competence_policy"),
        240_000,
    ),
    (
        "0811.111.129",
        "Aan de slag met software op maat",
        "training",
        "digitalisation",
        Some("software"),
        180_000,
    ),
    (
        "0822.222.280",
        "Cyberweerbaar ondernemen",
        "training",
        "digitalisation",
        Some("cybersecurity"),
        320_000,
    ),
    (
        "0822.222.280",
        "Cybersecurity-audit",
        "advice",
        "digitalisation",
        Some("cybersecurity"),
        600_000,
    ),
    (
        "0822.222.280",
        "Strategisch groeiplan",
        "advice",
        "business_strategy",
        None,
        250_000,
    ),
    (
        "0833.333.334",
        "Energiezuinig produceren",
        "training",
        "sustainability",
        Some("energy_efficiency"),
        150_000,
    ),
];

/// The password of every demo user (printed by `kmo demo`; a demo is not production).
pub const DEMO_PASSWORD: &str = "kmo-demo-wachtwoord";

/// The demo's users: e-mail, name, role, provider.
pub const USERS: [(&str, &str, Role, Option<&str>); 6] = [
    (
        "agentschap@demo.kmo",
        "Sofie Agentschap",
        Role::Agency,
        None,
    ),
    (
        "kwaliteitskamer@demo.kmo",
        "Karel Kwaliteitskamer",
        Role::QualityChamber,
        None,
    ),
    (
        "ondernemer@demo.kmo",
        "Els Janssens",
        Role::Enterprise,
        None,
    ),
    (
        "boekhouder@demo.kmo",
        "Bart Boekhouder",
        Role::Enterprise,
        None,
    ),
    (
        "opleider@demo.kmo",
        "Olivia Opleider",
        Role::Provider,
        Some("0811.111.129"),
    ),
    (
        "adviseur@demo.kmo",
        "Arne Adviseur",
        Role::Provider,
        Some("0822.222.280"),
    ),
];

/// What the demo made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Application key → its state at the end.
    pub applications: BTreeMap<String, State>,
    pub drafts: usize,
}

enum Step {
    Submit {
        key: &'static str,
        enterprise: usize,
        provider: usize,
        kind: &'static str,
        theme: &'static str,
        sub_theme: Option<&'static str>,
        fee_cents: i64,
    },
    Deposit(&'static str),
    /// Pay this share of the eligible amount, in percent.
    Pay(&'static str, i64),
    Stop(&'static str),
    Refuse(&'static str),
    Block(&'static str),
    Recover(&'static str),
}

fn err(field: &str, message: impl Into<String>) -> CommandError {
    CommandError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The service of a demo application (rules-eval.md `service`).
fn service(kind: &str, theme: &str, sub_theme: Option<&str>, start: Date) -> ServiceRequest {
    ServiceRequest {
        topics: Some(Vec::new()),
        on_occupation_list: Some(false),
        related_to_provider: Some(false),
        ..ServiceRequest::new(kind, theme, sub_theme, start)
    }
}

fn day(today: Date, offset: i32) -> Result<Date, CommandError> {
    today
        .add_days(offset)
        .map_err(|e| err("today", e.to_string()))
}

/// Fills an empty platform; refused (`INVALID_COMMAND`, field `database`) on a platform in use.
pub async fn fill<S: Store>(
    platform: &Platform<S>,
    today: Date,
) -> Result<DemoSummary, CommandError> {
    // Two years back, so that one application has passed its payment deadline (31 December of
    // the year after its submission) and expired.
    if !platform.is_empty().await? {
        return Err(err(
            "database",
            "the database is in use already; the demo needs an empty one",
        ));
    }
    let start = Date::from_ymd(today.year() - 2, 3, 1).map_err(|e| err("today", e.to_string()))?;
    platform.advance_clock(start).await?;
    for (key, name, form, size) in ENTERPRISES {
        let profile = json!({"legal_form": form, "flemish_establishment": true,
            "public_bodies_pct": 0, "nace": "10.711", "size": size});
        platform.register_enterprise(key, name, &profile).await?;
    }
    let ibans = [
        "BE68 5390 0754 7034",
        "BE71 0961 2345 6769",
        "BE62 5100 0754 7061",
    ];
    for ((key, name, training, advice), iban) in PROVIDERS.into_iter().zip(ibans) {
        platform.register_provider(key, name).await?;
        platform
            .ensure_registered(key, [training, advice], start)
            .await?;
        let themes: Vec<String> = CATALOGUE
            .iter()
            .filter(|c| c.0 == key)
            .map(|c| c.3.to_owned())
            .collect();
        platform
            .set_provider_profile(key, Some(key), Some(iban), &themes)
            .await?;
    }
    for (provider, name, kind, theme, sub_theme, price_cents) in CATALOGUE {
        let service = ListedService {
            name: name.to_owned(),
            kind: kind.to_owned(),
            theme: theme.to_owned(),
            sub_theme: sub_theme.map(str::to_owned),
            price: Cents::new(price_cents),
            topics: Vec::new(),
            on_occupation_list: false,
        };
        platform.list_service(provider, &service).await?;
    }
    let two_years_ago =
        Date::from_ymd(today.year() - 2, 4, 14).map_err(|e| err("today", e.to_string()))?;
    let last_year =
        |m, d| Date::from_ymd(today.year() - 1, m, d).map_err(|e| err("today", e.to_string()));
    use Step::{Block, Deposit, Pay, Recover, Refuse, Stop, Submit};
    let submit = |key, enterprise, provider, kind, (theme, sub_theme), fee_cents| Submit {
        key,
        enterprise,
        provider,
        kind,
        theme,
        sub_theme,
        fee_cents,
    };
    let mut steps: Vec<(Date, Step)> = vec![
        (
            two_years_ago,
            submit(
                "DEMO-VERVALLEN",
                3,
                2,
                "advice",
                ("digitalisation", Some("cybersecurity")),
                400_000,
            ),
        ),
        (two_years_ago, Deposit("DEMO-VERVALLEN")),
        (
            last_year(5, 6)?,
            submit(
                "DEMO-BETAALD",
                0,
                0,
                "training",
                ("digitalisation", Some("software")),
                180_000,
            ),
        ),
        (last_year(5, 8)?, Deposit("DEMO-BETAALD")),
        (last_year(6, 20)?, Pay("DEMO-BETAALD", 100)),
        (
            last_year(9, 1)?,
            submit(
                "DEMO-NIET-GESTORT",
                2,
                1,
                "training",
                ("digitalisation", None),
                95_000,
            ),
        ),
        (
            last_year(3, 2)?,
            submit(
                "DEMO-TERUGGEVORDERD",
                1,
                1,
                "advice",
                ("digitalisation", Some("cybersecurity")),
                600_000,
            ),
        ),
        (last_year(3, 4)?, Deposit("DEMO-TERUGGEVORDERD")),
        (last_year(4, 20)?, Pay("DEMO-TERUGGEVORDERD", 50)),
        (last_year(6, 1)?, Block("DEMO-TERUGGEVORDERD")),
        (last_year(7, 1)?, Recover("DEMO-TERUGGEVORDERD")),
        (
            day(today, -45)?,
            submit(
                "DEMO-GEBLOKKEERD",
                3,
                0,
                "training",
                ("people_management", Some("competence_policy")),
                240_000,
            ),
        ),
        (day(today, -44)?, Deposit("DEMO-GEBLOKKEERD")),
        (day(today, -15)?, Block("DEMO-GEBLOKKEERD")),
        (
            day(today, -40)?,
            submit(
                "DEMO-DEELS-BETAALD",
                0,
                1,
                "training",
                ("digitalisation", Some("cybersecurity")),
                320_000,
            ),
        ),
        (day(today, -38)?, Deposit("DEMO-DEELS-BETAALD")),
        (day(today, -10)?, Pay("DEMO-DEELS-BETAALD", 40)),
        (
            day(today, -35)?,
            submit(
                "DEMO-GESTOPT",
                1,
                2,
                "training",
                ("sustainability", Some("energy_efficiency")),
                150_000,
            ),
        ),
        (day(today, -33)?, Deposit("DEMO-GESTOPT")),
        (day(today, -30)?, Stop("DEMO-GESTOPT")),
        (
            day(today, -25)?,
            submit(
                "DEMO-GEWEIGERD",
                3,
                1,
                "advice",
                ("digitalisation", Some("cybersecurity")),
                250_000,
            ),
        ),
        (day(today, -24)?, Refuse("DEMO-GEWEIGERD")),
        (
            day(today, -20)?,
            submit(
                "DEMO-GESTORT",
                1,
                0,
                "training",
                ("people_management", Some("work_organisation")),
                210_000,
            ),
        ),
        (day(today, -18)?, Deposit("DEMO-GESTORT")),
        (
            day(today, -3)?,
            submit(
                "DEMO-INGEDIEND",
                2,
                0,
                "training",
                ("financial_literacy", Some("bookkeeping")),
                120_000,
            ),
        ),
    ];
    steps.sort_by_key(|(d, _)| *d);
    let mut submitted: BTreeMap<&str, (String, Cents, Cents)> = BTreeMap::new();
    for (date, step) in steps {
        platform.advance_clock(date).await?;
        match step {
            Submit {
                key,
                enterprise,
                provider,
                kind,
                theme,
                sub_theme,
                fee_cents,
            } => {
                let (ent, _, _, _) = ENTERPRISES
                    .get(enterprise)
                    .ok_or_else(|| err("enterprise", "no such demo enterprise"))?;
                let (prov, _, _, _) = PROVIDERS
                    .get(provider)
                    .ok_or_else(|| err("provider", "no such demo provider"))?;
                let participants = if kind == "training" {
                    vec![
                        ("An Janssens".to_owned(), WorkerStatus::Employee),
                        ("Bram De Smet".to_owned(), WorkerStatus::Employee),
                    ]
                } else {
                    Vec::new()
                };
                let s = Submission {
                    enterprise: (*ent).to_owned(),
                    application: key.to_owned(),
                    provider: (*prov).to_owned(),
                    submitted_on: date,
                    service: service(kind, theme, sub_theme, day(date, -2)?),
                    costs: vec![CostRequest::new("fee", fee_cents)],
                    size_group: None,
                    participants,
                };
                let done = platform.submit(&s).await?;
                submitted.insert(
                    key,
                    (
                        done.reference.to_string(),
                        done.application.own_share,
                        done.application.eligible,
                    ),
                );
            }
            Deposit(key) => {
                let (reference, own, _) = submitted
                    .get(key)
                    .ok_or_else(|| err("application", "not submitted"))?;
                platform
                    .deposit(
                        &DepositTarget::Reference(reference.clone()),
                        *own,
                        date,
                        &format!("DEMO-BANK-{key}"),
                    )
                    .await?;
            }
            Pay(key, percent) => {
                let (_, _, eligible) = submitted
                    .get(key)
                    .ok_or_else(|| err("application", "not submitted"))?;
                let amount = Cents::new(eligible.get() * percent / 100);
                platform
                    .pay_order(key, amount, date, &format!("{key}-factuur-1"))
                    .await?;
            }
            Stop(key) => {
                platform
                    .close(
                        key,
                        Closing::Stop,
                        date,
                        Some("de opleiding gaat niet door"),
                    )
                    .await?;
            }
            Refuse(key) => {
                let provider = PROVIDERS.get(1).map_or("", |p| p.0);
                platform
                    .refuse(
                        provider,
                        key,
                        date,
                        kmo_domain::RefusalReason::IncorrectApplication,
                    )
                    .await?;
            }
            Block(key) => {
                platform
                    .inspect(
                        key,
                        Inspection::Block,
                        date,
                        "controle: aanwezigheidslijsten ontbreken",
                    )
                    .await?;
            }
            Recover(key) => {
                platform
                    .inspect(
                        key,
                        Inspection::Recover,
                        date,
                        "controle: opleiding niet gevolgd",
                    )
                    .await?;
            }
        }
    }
    platform.advance_clock(today).await?;
    let draft = Draft {
        enterprise: ENTERPRISES.first().map_or("", |e| e.0).to_owned(),
        application: "DEMO-CONCEPT".into(),
        provider: PROVIDERS.get(2).map_or("", |p| p.0).to_owned(),
        service: service(
            "advice",
            "digitalisation",
            Some("cybersecurity"),
            day(today, 10)?,
        ),
        costs: vec![CostRequest::new("fee", 500_000)],
        size_group: None,
        participants: Vec::new(),
    };
    platform.save_draft(&draft, today).await?;
    // Studio Peeters prepares a training too (nobody of the demo holds its mandate).
    let studio = Draft {
        enterprise: ENTERPRISES.get(2).map_or("", |e| e.0).to_owned(),
        application: "DEMO-CONCEPT-STUDIO".into(),
        provider: PROVIDERS.first().map_or("", |p| p.0).to_owned(),
        service: service(
            "training",
            "digitalisation",
            Some("software"),
            day(today, 20)?,
        ),
        costs: vec![CostRequest::new("fee", 80_000)],
        size_group: None,
        participants: vec![("Sofie Peeters".into(), WorkerStatus::SelfEmployed)],
    };
    platform.save_draft(&studio, today).await?;
    let mut agency = None;
    for (email, name, role, provider) in USERS {
        let user = platform
            .create_user(
                &NewUser {
                    email,
                    name,
                    password: DEMO_PASSWORD,
                    role,
                    provider,
                },
                today,
            )
            .await?;
        if role == Role::Agency {
            agency = Some(Principal::User {
                user,
                role,
                mandates: Vec::new(),
            });
        }
    }
    let agency = agency.ok_or_else(|| err("users", "the demo has an agency user"))?;
    let (bakkerij, van_damme) = (ENTERPRISES[0].0, ENTERPRISES[1].0);
    for (email, enterprise, scope, until) in [
        (
            "ondernemer@demo.kmo",
            bakkerij,
            Scope::LegalRepresentative,
            None,
        ),
        (
            "ondernemer@demo.kmo",
            van_damme,
            Scope::LegalRepresentative,
            None,
        ),
        (
            "boekhouder@demo.kmo",
            bakkerij,
            Scope::ViewAndRelease,
            Some(day(today, 365)?),
        ),
    ] {
        platform
            .grant_mandate(&agency, email, enterprise, scope, until, today)
            .await?;
    }
    let mut summary = DemoSummary {
        drafts: 1,
        ..DemoSummary::default()
    };
    for key in submitted.keys() {
        summary
            .applications
            .insert((*key).to_owned(), platform.application(key).await?.state);
    }
    Ok(summary)
}

/// The demo as JSON (printed by `kmo demo`).
#[must_use]
pub fn summary_json(summary: &DemoSummary) -> Value {
    json!({
        "enterprises": ENTERPRISES.iter().map(|(k, n, _, _)| json!({"key": k, "name": n})).collect::<Vec<_>>(),
        "providers": PROVIDERS.iter().map(|(k, n, _, _)| json!({"key": k, "name": n})).collect::<Vec<_>>(),
        "applications": summary.applications.iter().map(|(k, s)| (k.clone(), json!(s.code()))).collect::<serde_json::Map<_, _>>(),
        "drafts": summary.drafts,
        "logins": USERS.iter().map(|(email, name, role, _)| json!({"email": email, "name": name, "role": role.code(), "password": DEMO_PASSWORD})).collect::<Vec<_>>(),
    })
}
