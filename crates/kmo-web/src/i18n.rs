//! The language of a request — `?lang=en|nl` (remembered in the `kmo_lang` cookie), else the
//! cookie, else Dutch — and every text of the pages in both languages. Texts are plain strings:
//! the templates escape them.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use kmo_app::lifecycle::State;
use kmo_domain::codes::Lang;

/// The name of the language cookie.
pub const LANG_COOKIE: &str = "kmo_lang";

/// The language of this request, and whether the visitor just chose it (then the answer sets
/// the cookie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub lang: Lang,
    chosen: bool,
}

impl Choice {
    #[must_use]
    pub fn texts(&self) -> &'static T {
        T::of(self.lang)
    }

    /// `Set-Cookie` value when the visitor chose the language in this request.
    #[must_use]
    pub fn cookie(&self) -> Option<String> {
        self.chosen.then(|| {
            format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            )
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Choice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let asked = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        if let Some(lang) = asked {
            return Ok(Choice { lang, chosen: true });
        }
        let remembered = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, v)| Lang::parse(v));
        Ok(Choice {
            lang: remembered.unwrap_or(Lang::Nl),
            chosen: false,
        })
    }
}

/// Every text of the pages in one language.
#[derive(Debug)]
pub struct T {
    pub code: &'static str,
    pub skip: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_simulator: &'static str,
    pub nav_login: &'static str,
    pub nav_portfolio: &'static str,
    pub nav_logout: &'static str,
    /// The other language: its code and its name in itself.
    pub other_code: &'static str,
    pub other_name: &'static str,
    pub footer: &'static str,

    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_steps: [&'static str; 4],
    pub home_simulate: &'static str,
    pub home_login: &'static str,

    pub sim_title: &'static str,
    pub sim_intro: &'static str,
    pub f_size: &'static str,
    pub size_small: &'static str,
    pub size_medium: &'static str,
    pub f_kind: &'static str,
    pub kind_training: &'static str,
    pub kind_advice: &'static str,
    pub f_theme: &'static str,
    pub f_start: &'static str,
    pub f_start_hint: &'static str,
    pub f_amount: &'static str,
    pub f_amount_hint: &'static str,
    pub sim_submit: &'static str,
    pub sim_result: &'static str,
    pub eligible: &'static str,
    pub not_eligible: &'static str,
    pub subsidy: &'static str,
    pub own_share: &'static str,
    pub why: &'static str,
    pub err_form: &'static str,
    pub err_amount: &'static str,
    pub err_date: &'static str,
    pub err_choice: &'static str,
    pub err_case: &'static str,

    pub login_title: &'static str,
    pub f_email: &'static str,
    pub f_password: &'static str,
    pub login_submit: &'static str,
    pub err_login: &'static str,
    pub err_rate: &'static str,
    pub login_demo: &'static str,

    pub pf_title: &'static str,
    pub pf_left: &'static str,
    pub pf_of: &'static str,
    pub pf_reserved: &'static str,
    pub pf_ceiling_unknown: &'static str,
    pub pf_none: &'static str,
    pub pf_no_mandate: &'static str,
    pub pf_provider: &'static str,
    pub pf_staff: &'static str,
    pub col_application: &'static str,
    pub col_state: &'static str,
    pub col_subsidy: &'static str,
    pub col_balance: &'static str,
    pub col_next: &'static str,
    pub step_deposit: &'static str,
    pub step_release: &'static str,
    pub step_await: &'static str,
    pub step_repay: &'static str,
    pub step_none: &'static str,
    pub by: &'static str,
    pub days_left: &'static str,
    pub today: &'static str,
    pub overdue: &'static str,
    pub scope_legal: &'static str,
    pub scope_release: &'static str,
    pub scope_apply: &'static str,

    pub a_eligible: &'static str,
    pub a_deposited: &'static str,
    pub a_paid: &'static str,
    pub a_transfer: &'static str,
    pub a_iban: &'static str,
    pub a_reference: &'static str,
    pub a_deposit_hint: &'static str,
    pub a_invoice: &'static str,
    pub a_release_amount: &'static str,
    pub a_release_hint: &'static str,
    pub err_invoice: &'static str,
    pub a_stop: &'static str,
    pub a_stop_preview: &'static str,
    pub a_stop_ceiling: &'static str,
    pub a_timeline: &'static str,
    pub a_refuse: &'static str,
    pub a_qr: &'static str,
    pub a_qr_hint: &'static str,
    pub a_refuse_reason: &'static str,

    pub ag_title: &'static str,
    pub ag_statement: &'static str,
    pub ag_bank_ref: &'static str,
    pub ag_bank_ref_hint: &'static str,
    pub ag_amount: &'static str,
    pub ag_book: &'static str,
    pub ag_booked: &'static str,
    pub ag_returned: &'static str,
    pub ag_repeated: &'static str,
    pub ag_err_bank_ref: &'static str,
    pub ag_payout: &'static str,
    pub ag_payout_hint: &'static str,
    pub ag_payout_run: &'static str,
    pub ag_payouts_done: &'static str,
    pub nav_agency: &'static str,
    pub pf_payouts: &'static str,
    pub pf_calendar: &'static str,
    pub pf_mandates: &'static str,
    pub sv_title: &'static str,
    pub sv_add: &'static str,
    pub sv_name: &'static str,
    pub sv_theme_hint: &'static str,
    pub sv_sub_theme: &'static str,
    pub sv_price: &'static str,
    pub sv_invalid: &'static str,
    pub sv_err_name: &'static str,
    pub md_title: &'static str,
    pub md_none: &'static str,
    pub md_holder: &'static str,
    pub md_scope: &'static str,
    pub md_until: &'static str,
    pub md_until_hint: &'static str,
    pub md_open: &'static str,
    pub md_action: &'static str,
    pub md_revoke: &'static str,
    pub md_revoked: &'static str,
    pub md_invite: &'static str,
    pub md_grant: &'static str,
    pub md_err_past: &'static str,
    pub md_err_email: &'static str,

    pub nav_statistics: &'static str,
    pub nav_providers: &'static str,
    pub nav_rules: &'static str,
    pub pr_title: &'static str,
    pub pr_name: &'static str,
    pub pr_all: &'static str,
    pub pr_search: &'static str,
    pub pr_found: &'static str,
    pub ru_title: &'static str,
    pub ru_intro: &'static str,
    pub st_title: &'static str,
    pub st_year: &'static str,
    pub st_show: &'static str,
    pub st_accepted: &'static str,
    pub st_subsidy: &'static str,
    pub st_paid: &'static str,
    pub st_months: &'static str,
    pub st_themes: &'static str,
    pub st_sizes: &'static str,
    pub st_group: &'static str,

    pub w_title: &'static str,
    pub w_intro: &'static str,
    pub w_enterprise: &'static str,
    pub w_offer: &'static str,
    pub w_offer_hint: &'static str,
    pub w_start_hint: &'static str,
    pub w_amount_hint: &'static str,
    pub w_participant: &'static str,
    pub w_participant_hint: &'static str,
    pub w_submit: &'static str,
    pub w_refused: &'static str,
    pub pf_apply: &'static str,
}

/// Theme codes of rules-eval.md with their names.
pub const THEMES: [(&str, &str, &str); 8] = [
    (
        "business_strategy",
        "Bedrijfsstrategie",
        "Business strategy",
    ),
    ("digitalisation", "Digitalisering", "Digitalisation"),
    ("sustainability", "Duurzaamheid", "Sustainability"),
    (
        "financial_literacy",
        "Financiële geletterdheid",
        "Financial literacy",
    ),
    ("innovation", "Innovatie", "Innovation"),
    (
        "internationalisation",
        "Internationalisering",
        "Internationalisation",
    ),
    ("people_management", "Personeelsbeleid", "People management"),
    (
        "occupation_specific",
        "Beroepsspecifiek",
        "Occupation-specific",
    ),
];

impl T {
    #[must_use]
    pub fn of(lang: Lang) -> &'static T {
        match lang {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }

    fn nl(&self) -> bool {
        self.code == "nl"
    }

    /// A theme's name (the code itself when unknown).
    #[must_use]
    pub fn theme<'a>(&self, code: &'a str) -> &'a str {
        THEMES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map_or(code, |(_, nl, en)| if self.nl() { nl } else { en })
    }

    /// The name of an application's state.
    #[must_use]
    pub fn state(&self, s: State) -> &'static str {
        let (nl, en) = match s {
            State::Submitted => (
                "ingediend, wacht op eigen aandeel",
                "submitted, awaiting own share",
            ),
            State::Funded => ("eigen aandeel ontvangen", "own share received"),
            State::PartiallyPaid => ("deels uitbetaald", "partly paid"),
            State::Paid => ("volledig uitbetaald", "paid in full"),
            State::Lapsed => ("vervallen (geen storting)", "lapsed (no deposit)"),
            State::Refused => (
                "geweigerd door de dienstverlener",
                "refused by the provider",
            ),
            State::Stopped => ("stopgezet", "stopped"),
            State::Expired => ("verlopen", "expired"),
            State::Blocked => ("geblokkeerd na inspectie", "blocked after an inspection"),
            State::Recovered => ("teruggevorderd", "recovered"),
        };
        if self.nl() { nl } else { en }
    }

    /// Who made a change, as the timeline names it.
    #[must_use]
    pub fn actor<'a>(&self, actor: &'a str) -> &'a str {
        let (nl, en) = match actor.split(':').next().unwrap_or(actor) {
            "enterprise" | "user" => ("onderneming", "enterprise"),
            "provider" => ("dienstverlener", "provider"),
            "agency" => ("agentschap", "agency"),
            "system" => ("platform (termijn)", "platform (deadline)"),
            "bank" => ("bank", "bank"),
            _ => return actor,
        };
        if self.nl() { nl } else { en }
    }

    /// The name of a mandate's scope.
    #[must_use]
    pub fn scope(&self, code: &str) -> &'static str {
        match code {
            "legal_representative" => self.scope_legal,
            "view_and_release" => self.scope_release,
            _ => self.scope_apply,
        }
    }
}

static NL: T = T {
    code: "nl",
    skip: "Naar de inhoud",
    nav_label: "Hoofdmenu",
    nav_home: "Start",
    nav_simulator: "Simulator",
    nav_login: "Aanmelden",
    nav_portfolio: "Mijn portefeuille",
    nav_logout: "Afmelden",
    other_code: "en",
    other_name: "English",
    footer: "kmo-portefeuille — open implementatie van de Vlaamse kmo-portefeuille. Bedragen zonder btw.",
    home_title: "Subsidie voor opleiding en advies van uw kmo",
    home_intro: "Met de kmo-portefeuille betaalt de Vlaamse overheid 20 tot 45 % van opleiding en advies bij een geregistreerde dienstverlener, tot € 7.500 per jaar per onderneming.",
    home_steps: [
        "Vraag de steun aan binnen 14 dagen na de start van de opleiding of het advies.",
        "Stort uw eigen aandeel binnen 14 dagen, met de gestructureerde mededeling.",
        "De subsidie komt erbij in uw portefeuille.",
        "Geef de factuur vrij: de dienstverlener wordt betaald uit uw portefeuille.",
    ],
    home_simulate: "Bereken uw subsidie",
    home_login: "Aanmelden op uw portefeuille",
    sim_title: "Subsidiesimulator",
    sim_intro: "Bereken wat de kmo-portefeuille terugbetaalt, met de regels die vandaag gelden. U hoeft niet aan te melden; er wordt niets bewaard.",
    f_size: "Grootte van uw onderneming",
    size_small: "Kleine onderneming",
    size_medium: "Middelgrote onderneming",
    f_kind: "Soort dienst",
    kind_training: "Opleiding",
    kind_advice: "Advies",
    f_theme: "Thema",
    f_start: "Eerste lesdag of start van het advies",
    f_start_hint: "Formaat JJJJ-MM-DD, bijvoorbeeld 2025-03-17.",
    f_amount: "Kostprijs zonder btw",
    f_amount_hint: "In euro, bijvoorbeeld 1.234,56.",
    sim_submit: "Bereken",
    sim_result: "Resultaat",
    eligible: "Komt in aanmerking",
    not_eligible: "Komt niet in aanmerking",
    subsidy: "Subsidie",
    own_share: "Eigen aandeel",
    why: "Zo werd het berekend",
    err_form: "Verbeter de gemarkeerde velden.",
    err_amount: "Geef een bedrag in euro, bijvoorbeeld 1.234,56 (hoogstens twee cijfers na de komma).",
    err_date: "Geef een datum in de vorm JJJJ-MM-DD.",
    err_choice: "Kies een waarde uit de lijst.",
    err_case: "Deze gegevens kunnen niet beoordeeld worden",
    login_title: "Aanmelden",
    f_email: "E-mailadres",
    f_password: "Wachtwoord",
    login_submit: "Aanmelden",
    err_login: "Dat e-mailadres of wachtwoord klopt niet.",
    err_rate: "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.",
    login_demo: "Demo: ondernemer@demo.kmo met wachtwoord kmo-demo-wachtwoord.",
    pf_title: "Mijn portefeuille",
    pf_left: "Nog beschikbaar in",
    pf_of: "van",
    pf_reserved: "gereserveerd voor aanvragen",
    pf_ceiling_unknown: "Uw plafond volgt uit de cijfers van uw onderneming bij de eerste aanvraag van het jaar.",
    pf_none: "Nog geen aanvragen.",
    pf_no_mandate: "Uw account is nog aan geen onderneming gekoppeld. Vraag een activeringsbrief aan of laat het agentschap de koppeling bevestigen.",
    pf_provider: "Aanvragen die uw organisatie vermelden",
    pf_staff: "U bent aangemeld als medewerker van het agentschap of de kwaliteitskamer.",
    col_application: "Aanvraag",
    col_state: "Stand",
    col_subsidy: "Subsidie",
    col_balance: "Nog te betalen",
    col_next: "Volgende stap",
    step_deposit: "Stort het eigen aandeel",
    step_release: "Geef de factuur vrij",
    step_await: "Het agentschap onderzoekt deze aanvraag; u hoeft niets te doen.",
    step_repay: "Betaal de teruggevorderde subsidie terug",
    step_none: "Afgerond",
    by: "uiterlijk op",
    days_left: "dagen",
    today: "vandaag",
    overdue: "verstreken",
    scope_legal: "wettelijk vertegenwoordiger",
    scope_release: "mag inkijken en facturen vrijgeven",
    scope_apply: "mag inkijken en aanvragen",
    a_eligible: "Subsidiabel bedrag",
    a_deposited: "Eigen aandeel gestort",
    a_paid: "Betaald aan de dienstverlener",
    a_transfer: "Schrijf over:",
    a_iban: "Op rekening",
    a_reference: "Met gestructureerde mededeling",
    a_deposit_hint: "Gebruik precies dit bedrag en deze mededeling. Een ander bedrag of een andere mededeling wordt teruggestort.",
    a_invoice: "Factuurnummer",
    a_release_amount: "Bedrag om vrij te geven",
    a_release_hint: "In euro; een deel van het saldo mag.",
    err_invoice: "Geef het nummer van de factuur (hoogstens 100 tekens).",
    a_stop: "Aanvraag stopzetten",
    a_stop_preview: "Als u nu stopzet, krijgt u terug:",
    a_stop_ceiling: "terug naar uw plafond",
    a_timeline: "Tijdlijn",
    a_refuse: "Aanvraag weigeren",
    a_qr: "QR-code voor de overschrijving met bedrag, rekening en mededeling",
    a_qr_hint: "Scan met uw bankapp: bedrag, rekening en mededeling worden ingevuld.",
    a_refuse_reason: "Reden van de weigering",
    ag_title: "Agentschap",
    ag_statement: "Lijn van een bankafschrift boeken",
    ag_bank_ref: "Referentie van de bank",
    ag_bank_ref_hint: "Uniek per lijn: een lijn die twee keer geboekt wordt, telt één keer.",
    ag_amount: "Bedrag",
    ag_book: "Boeken",
    ag_booked: "Geboekt: eigen aandeel ontvangen voor aanvraag",
    ag_returned: "Teruggestort:",
    ag_repeated: "Niets gedaan: deze lijn werd al verwerkt.",
    ag_err_bank_ref: "Geef de referentie van de bank (hoogstens 100 tekens).",
    ag_payout: "Uitbetalingsronde",
    ag_payout_hint: "Betaalt elke vrijgegeven factuur en elke terugbetaling sinds de vorige ronde.",
    ag_payout_run: "Uitbetalen",
    ag_payouts_done: "betalingen verstuurd, samen",
    nav_agency: "Agentschap",
    pf_payouts: "Ontvangen betalingen",
    pf_calendar: "Alle termijnen in uw agenda (.ics)",
    pf_mandates: "Wie mag meewerken",
    sv_title: "Uw aanbod",
    sv_add: "Dienst toevoegen",
    sv_name: "Naam van de opleiding of het advies",
    sv_theme_hint: "Een thema waarin uw organisatie actief is.",
    sv_sub_theme: "Subthema (bij sommige thema's verplicht)",
    sv_price: "Prijs zonder btw",
    sv_invalid: "Niet aanvaard",
    sv_err_name: "Geef de naam van de dienst.",
    md_title: "Mandaten",
    md_none: "Alleen de wettelijk vertegenwoordiger van een onderneming beheert haar mandaten.",
    md_holder: "Wie",
    md_scope: "Mag",
    md_until: "Tot en met",
    md_until_hint: "Leeg laten: tot u het intrekt.",
    md_open: "tot intrekking",
    md_action: "Actie",
    md_revoke: "Intrekken",
    md_revoked: "ingetrokken",
    md_invite: "Uw boekhouder of een medewerker uitnodigen",
    md_grant: "Mandaat geven",
    md_err_past: "Die datum is al voorbij.",
    md_err_email: "Geef het e-mailadres van het account.",
    nav_statistics: "Cijfers",
    nav_providers: "Aanbieders",
    nav_rules: "Regels",
    pr_title: "Geregistreerde dienstverleners",
    pr_name: "Naam (of een deel ervan)",
    pr_all: "Alle thema's",
    pr_search: "Zoek",
    pr_found: "dienstverleners gevonden",
    ru_title: "De regels die vandaag gelden",
    ru_intro: "Elke parameter van de regelset die vandaag van kracht is: steunpercentages, plafonds, termijnen en uitsluitingen.",
    st_title: "Cijfers van de kmo-portefeuille",
    st_year: "Jaar",
    st_show: "Toon",
    st_accepted: "Aanvaarde aanvragen",
    st_subsidy: "Subsidie toegekend",
    st_paid: "waarvan uitbetaald",
    st_months: "Subsidie per maand van aanvraag",
    st_themes: "Subsidie per thema",
    st_sizes: "Subsidie per grootte van de onderneming",
    st_group: "Groep",
    w_title: "Steun aanvragen",
    w_intro: "Kies de opleiding of het advies en de startdatum. Met Bereken ziet u meteen de subsidie en waarom; met Indienen vraagt u ze aan en wordt ze gereserveerd.",
    w_enterprise: "Onderneming",
    w_offer: "Opleiding of advies",
    w_offer_hint: "Uit het aanbod van de geregistreerde dienstverleners.",
    w_start_hint: "Aanvragen kan tot 14 dagen na de start. Formaat JJJJ-MM-DD.",
    w_amount_hint: "Leeg laten voor de prijs uit het aanbod; anders in euro, bijvoorbeeld 1.234,56.",
    w_participant: "Deelnemer (bij een opleiding)",
    w_participant_hint: "Naam van een werknemer die de opleiding volgt.",
    w_submit: "Indienen",
    w_refused: "De aanvraag werd niet aanvaard; zie hieronder waarom",
    pf_apply: "Nieuwe aanvraag",
};

static EN: T = T {
    code: "en",
    skip: "Skip to content",
    nav_label: "Main menu",
    nav_home: "Home",
    nav_simulator: "Simulator",
    nav_login: "Log in",
    nav_portfolio: "My wallet",
    nav_logout: "Log out",
    other_code: "nl",
    other_name: "Nederlands",
    footer: "kmo-portefeuille — an open implementation of the Flemish SME wallet. Amounts exclude VAT.",
    home_title: "Subsidy for your SME's training and advice",
    home_intro: "Through the SME wallet the Flemish government pays 20 to 45 % of training and advice from a registered provider, up to € 7.500 a year per enterprise.",
    home_steps: [
        "Apply within 14 days of the start of the training or advice.",
        "Deposit your own share within 14 days, with the structured reference.",
        "The subsidy is added to your wallet.",
        "Release the invoice: the provider is paid from your wallet.",
    ],
    home_simulate: "Calculate your subsidy",
    home_login: "Log in to your wallet",
    sim_title: "Subsidy simulator",
    sim_intro: "Calculate what the SME wallet pays, under the rules in force today. No login needed; nothing is stored.",
    f_size: "Size of your enterprise",
    size_small: "Small enterprise",
    size_medium: "Medium-sized enterprise",
    f_kind: "Kind of service",
    kind_training: "Training",
    kind_advice: "Advice",
    f_theme: "Theme",
    f_start: "First lesson or start of the advice",
    f_start_hint: "Format YYYY-MM-DD, for example 2025-03-17.",
    f_amount: "Cost excluding VAT",
    f_amount_hint: "In euro, for example 1.234,56.",
    sim_submit: "Calculate",
    sim_result: "Result",
    eligible: "Eligible",
    not_eligible: "Not eligible",
    subsidy: "Subsidy",
    own_share: "Own share",
    why: "How it was calculated",
    err_form: "Please correct the marked fields.",
    err_amount: "Give an amount in euro, for example 1.234,56 (at most two decimals).",
    err_date: "Give a date as YYYY-MM-DD.",
    err_choice: "Choose a value from the list.",
    err_case: "These facts cannot be assessed",
    login_title: "Log in",
    f_email: "E-mail address",
    f_password: "Password",
    login_submit: "Log in",
    err_login: "That e-mail address or password is not right.",
    err_rate: "Too many failed attempts. Try again in 15 minutes.",
    login_demo: "Demo: ondernemer@demo.kmo with password kmo-demo-wachtwoord.",
    pf_title: "My wallet",
    pf_left: "Still available in",
    pf_of: "of",
    pf_reserved: "reserved for applications",
    pf_ceiling_unknown: "Your ceiling follows from your enterprise's figures at the first application of the year.",
    pf_none: "No applications yet.",
    pf_no_mandate: "Your account is not linked to an enterprise yet. Ask for an activation letter or have the agency confirm the link.",
    pf_provider: "Applications naming your organisation",
    pf_staff: "You are logged in as staff of the agency or the quality chamber.",
    col_application: "Application",
    col_state: "Status",
    col_subsidy: "Subsidy",
    col_balance: "Left to pay",
    col_next: "Next step",
    step_deposit: "Deposit the own share",
    step_release: "Release the invoice",
    step_await: "The agency is examining this application; nothing to do.",
    step_repay: "Repay the recovered subsidy",
    step_none: "Done",
    by: "at the latest on",
    days_left: "days",
    today: "today",
    overdue: "passed",
    scope_legal: "legal representative",
    scope_release: "may view and release invoices",
    scope_apply: "may view and apply",
    a_eligible: "Eligible amount",
    a_deposited: "Own share deposited",
    a_paid: "Paid to the provider",
    a_transfer: "Transfer:",
    a_iban: "To account",
    a_reference: "With the structured reference",
    a_deposit_hint: "Use exactly this amount and this reference. Another amount or reference is sent back.",
    a_invoice: "Invoice number",
    a_release_amount: "Amount to release",
    a_release_hint: "In euro; part of the balance is fine.",
    err_invoice: "Give the invoice number (at most 100 characters).",
    a_stop: "Stop the application",
    a_stop_preview: "If you stop now, you get back:",
    a_stop_ceiling: "back to your ceiling",
    a_timeline: "Timeline",
    a_refuse: "Refuse the application",
    a_qr: "QR code for the transfer with amount, account and reference",
    a_qr_hint: "Scan it with your banking app: amount, account and reference are filled in.",
    a_refuse_reason: "Reason for refusing",
    ag_title: "Agency",
    ag_statement: "Book a bank statement line",
    ag_bank_ref: "Bank's reference",
    ag_bank_ref_hint: "Unique per line: a line booked twice counts once.",
    ag_amount: "Amount",
    ag_book: "Book",
    ag_booked: "Booked: own share received for application",
    ag_returned: "Sent back:",
    ag_repeated: "Nothing done: this line was booked before.",
    ag_err_bank_ref: "Give the bank's reference (at most 100 characters).",
    ag_payout: "Payout run",
    ag_payout_hint: "Pays every released invoice and every refund since the last run.",
    ag_payout_run: "Pay out",
    ag_payouts_done: "payments sent, in all",
    nav_agency: "Agency",
    pf_payouts: "Payments received",
    pf_calendar: "All deadlines in your calendar (.ics)",
    pf_mandates: "Who may help",
    sv_title: "Your services",
    sv_add: "Add a service",
    sv_name: "Name of the training or advice",
    sv_theme_hint: "A theme your organisation is active in.",
    sv_sub_theme: "Sub-theme (required for some themes)",
    sv_price: "Price excluding VAT",
    sv_invalid: "Not accepted",
    sv_err_name: "Give the service's name.",
    md_title: "Mandates",
    md_none: "Only an enterprise's legal representative manages its mandates.",
    md_holder: "Who",
    md_scope: "May",
    md_until: "Up to and including",
    md_until_hint: "Leave empty: until you revoke it.",
    md_open: "until revoked",
    md_action: "Action",
    md_revoke: "Revoke",
    md_revoked: "revoked",
    md_invite: "Invite your accountant or a colleague",
    md_grant: "Grant the mandate",
    md_err_past: "That date has passed.",
    md_err_email: "Give the account's e-mail address.",
    nav_statistics: "Figures",
    nav_providers: "Providers",
    nav_rules: "Rules",
    pr_title: "Registered providers",
    pr_name: "Name (or part of it)",
    pr_all: "All themes",
    pr_search: "Search",
    pr_found: "providers found",
    ru_title: "The rules in force today",
    ru_intro: "Every parameter of the rule set in force today: aid rates, ceilings, deadlines and exclusions.",
    st_title: "Figures of the SME wallet",
    st_year: "Year",
    st_show: "Show",
    st_accepted: "Accepted applications",
    st_subsidy: "Subsidy granted",
    st_paid: "of which paid out",
    st_months: "Subsidy per month of application",
    st_themes: "Subsidy per theme",
    st_sizes: "Subsidy per size of the enterprise",
    st_group: "Group",
    w_title: "Apply for support",
    w_intro: "Choose the training or advice and the start date. Calculate shows the subsidy and why at once; Submit applies and reserves it.",
    w_enterprise: "Enterprise",
    w_offer: "Training or advice",
    w_offer_hint: "From the catalogues of the registered providers.",
    w_start_hint: "You can apply up to 14 days after the start. Format YYYY-MM-DD.",
    w_amount_hint: "Leave empty for the listed price; else in euro, for example 1.234,56.",
    w_participant: "Participant (for a training)",
    w_participant_hint: "Name of an employee taking the training.",
    w_submit: "Submit",
    w_refused: "The application was not accepted; see below why",
    pf_apply: "New application",
};
