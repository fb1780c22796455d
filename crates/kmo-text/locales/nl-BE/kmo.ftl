### Every text of the pages in Dutch (nl-BE), the first language.
###
### build.rs turns this file into the struct `T` (src/i18n.rs): `home-title` is `t.home_title`,
### a section key `planner-title` is `t.planner.title`, and `{ $name }` is an argument of a
### generated function. Every key must be in en/kmo.ftl too, or the build fails.

## Every page: menu and footer

skip = Naar de inhoud
nav-label = Hoofdmenu
nav-home = Start
nav-simulator = Simulator
nav-login = Aanmelden
nav-portfolio = Mijn portefeuille
nav-logout = Afmelden
# The other language, named in itself (the language switch).
other-name = English
footer = kmo-portefeuille — open implementatie van de Vlaamse kmo-portefeuille. Bedragen zonder btw.

## Home

home-title = Subsidie voor opleiding en advies van uw kmo
home-intro = Met de kmo-portefeuille betaalt de Vlaamse overheid 20 tot 45 % van opleiding en advies bij een geregistreerde dienstverlener, tot € 7.500 per jaar per onderneming.
home-steps-1 = Vraag de steun aan binnen 14 dagen na de start van de opleiding of het advies.
home-steps-2 = Stort uw eigen aandeel binnen 14 dagen, met de gestructureerde mededeling.
home-steps-3 = De subsidie komt erbij in uw portefeuille.
home-steps-4 = Geef de factuur vrij: de dienstverlener wordt betaald uit uw portefeuille.
home-simulate = Bereken uw subsidie
home-login = Aanmelden op uw portefeuille

## Simulator, and the fields and errors other forms share

sim-title = Subsidiesimulator
sim-intro = Bereken wat de kmo-portefeuille terugbetaalt, met de regels die vandaag gelden. U hoeft niet aan te melden; er wordt niets bewaard.
f-size = Grootte van uw onderneming
f-kind = Soort dienst
f-theme = Thema
f-start = Eerste lesdag of start van het advies
f-start-hint = Formaat JJJJ-MM-DD, bijvoorbeeld 2025-03-17.
f-amount = Kostprijs zonder btw
f-amount-hint = In euro, bijvoorbeeld 1.234,56.
sim-submit = Bereken
sim-result = Resultaat
eligible = Komt in aanmerking
not-eligible = Komt niet in aanmerking
subsidy = Subsidie
own-share = Eigen aandeel
why = Zo werd het berekend
err-form = Verbeter de gemarkeerde velden.
err-amount = Geef een bedrag in euro, bijvoorbeeld 1.234,56 (hoogstens twee cijfers na de komma).
err-date = Geef een datum in de vorm JJJJ-MM-DD.
err-choice = Kies een waarde uit de lijst.
err-case = Deze gegevens kunnen niet beoordeeld worden

## Log in

login-title = Aanmelden
f-email = E-mailadres
f-password = Wachtwoord
login-submit = Aanmelden
err-login = Dat e-mailadres of wachtwoord klopt niet.
err-rate = Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.
login-demo = Dit is een demo. Elk account heeft het wachtwoord kmo-demo-wachtwoord:
login-demo-title = Demo-accounts
login-demo-owner = zaakvoerder van twee ondernemingen: aanvragen, storten, vrijgeven, stopzetten
login-demo-accountant = boekhouder met een mandaat: bekijken en vrijgeven
login-demo-provider = opleider: aanvragen bevestigen of weigeren, aanbod en thema's
login-demo-agency = agentschap: stortingen boeken, uitbetalen, dienstverleners, inspecties
login-demo-chamber = kwaliteitskamer: advies over de beroepsspecifieke lijst
login-demo-journey = Van aanvraag tot betaling: dien een aanvraag in als ondernemer; boek de storting van het eigen aandeel als agentschap (bankafschrift: de mededeling en het bedrag van de aanvraag); geef de factuur vrij als ondernemer; start de uitbetaling als agentschap.

## My wallet

pf-title = Mijn portefeuille
pf-left = Nog beschikbaar in
pf-of = van
pf-reserved = gereserveerd voor aanvragen
pf-to-check = Te controleren: bevestig of weiger de aanvraag
pf-confirmed-on = U bevestigde ze op
pf-de-minimis = De-minimissteun van alle overheden in de periode die telt:
pf-de-minimis-left = nog ruimte tot het plafond van
pf-ceiling-unknown = Uw plafond volgt uit de cijfers van uw onderneming bij de eerste aanvraag van het jaar.
pf-none = Nog geen aanvragen.
pf-no-mandate = Uw account is nog aan geen onderneming gekoppeld. Vraag een activeringsbrief aan of laat het agentschap de koppeling bevestigen.
pf-provider = Aanvragen die uw organisatie vermelden
pf-staff = U bent aangemeld als medewerker van het agentschap of de kwaliteitskamer.
col-application = Aanvraag
col-state = Stand
col-subsidy = Subsidie
col-balance = Nog te betalen
col-next = Volgende stap
step-deposit = Stort het eigen aandeel
step-release = Geef de factuur vrij
step-await = Het agentschap onderzoekt deze aanvraag; u hoeft niets te doen.
step-repay = Betaal de teruggevorderde subsidie terug
step-none = Afgerond
by = uiterlijk op
days-left = dagen
today = vandaag
overdue = verstreken
scope-legal = wettelijk vertegenwoordiger
scope-release = mag inkijken en facturen vrijgeven
scope-apply = mag inkijken en aanvragen

## One application

a-eligible = Subsidiabel bedrag
a-deposited = Eigen aandeel gestort
a-paid = Betaald aan de dienstverlener
a-transfer = Schrijf over:
a-iban = Op rekening
a-beneficiary = Begunstigde
a-reference = Met gestructureerde mededeling
a-deposit-hint = Gebruik precies dit bedrag en deze mededeling. Een ander bedrag of een andere mededeling wordt teruggestort.
a-invoice = Factuurnummer
a-release-amount = Bedrag om vrij te geven
a-release-hint = In euro; een deel van het saldo mag.
err-invoice = Geef het nummer van de factuur (hoogstens 100 tekens).
a-stop = Aanvraag stopzetten
a-stop-preview = Als u nu stopzet, krijgt u terug:
a-stop-ceiling = terug naar uw plafond
a-timeline = Tijdlijn
a-refuse = Aanvraag weigeren
a-qr = QR-code voor de overschrijving met bedrag, rekening en mededeling
a-qr-hint = Scan met uw bankapp: bedrag, rekening en mededeling worden ingevuld.
a-refuse-reason = Reden van de weigering
a-confirm = Aanvraag bevestigen
a-confirm-hint = Bevestig dat u deze aanvraag controleerde op vorm en inhoud. Zo weet de onderneming dat alles in orde is. Is ze niet correct, weiger ze dan hieronder.
a-confirmed = Bevestigd door de dienstverlener op

## Agency: desk, queues, payouts, books

ag-title = Agentschap
ag-queues = Wachtrijen
ag-q-deposits = Verwachte stortingen (eigen aandeel nog niet ontvangen)
ag-q-refunds = Terug te storten aan ondernemingen bij de volgende uitbetaling
ag-q-providers = Uit te betalen aan dienstverleners bij de volgende uitbetaling
ag-q-total = Totaal van de volgende uitbetaling:
ag-q-empty = Niets in deze wachtrij.
ag-q-application = Aanvraag
ag-q-deadline = Uiterlijk
ag-q-provider = Dienstverlener
ag-statement = Lijn van een bankafschrift boeken
ag-bank-ref = Referentie van de bank
ag-bank-ref-hint = Uniek per lijn: een lijn die twee keer geboekt wordt, telt één keer.
ag-amount = Bedrag
ag-book = Boeken
ag-booked = Geboekt: eigen aandeel ontvangen voor aanvraag
ag-returned = Teruggestort:
ag-repeated = Niets gedaan: deze lijn werd al verwerkt.
ag-err-bank-ref = Geef de referentie van de bank (hoogstens 100 tekens).
ag-payout = Uitbetalingsronde
ag-payout-hint = Betaalt elke vrijgegeven factuur en elke terugbetaling sinds de vorige ronde.
ag-payout-run = Uitbetalen
ag-payouts-done = betalingen verstuurd, samen
nav-agency = Agentschap
nav-registry = Dienstverleners
nav-list = Beroepsspecifieke lijst
nav-themes = Thema's
ag-books = De boeken controleren
bk-clean = De boeken kloppen: elk saldo volgt uit de boekingen en geen enkele regel is geschonden.
bk-broken = De boeken kloppen niet:
bk-transfers = Boekingen nagerekend
bk-accounts = Rekeningen
bk-applications = Aanvragen
bk-open = Open reserveringen
bk-bank = Op de bankrekening
bk-wallets = In de portefeuilles

## Inspection

in-title = Inspectie
in-action = Beslissing
in-block = Blokkeren
in-unblock = Blokkering opheffen
in-recover = Subsidie terugvorderen
in-reason = Reden
in-submit = Beslissing vastleggen
in-reason-needed = Blokkeren of terugvorderen vraagt een reden.

## My wallet: links

pf-payouts = Ontvangen betalingen
pf-calendar = Alle termijnen in uw agenda (.ics)
pf-planner = Jaarplanner
pf-feed = Abonneren in uw agenda
pf-mandates = Wie mag meewerken

## A provider's services and themes

sv-title = Uw aanbod
sv-add = Dienst toevoegen
sv-name = Naam van de opleiding of het advies
sv-theme-hint = Een thema waarin uw organisatie actief is.
sv-themes = Uw thema's
sv-themes-hint = Ondernemingen vinden u enkel onder de thema's waarin u actief bent, en u kan enkel diensten in die thema's aanbieden.
sv-themes-save = Thema's bewaren
sv-themes-err = Kies minstens één thema.
sv-sub-theme = Subthema (bij sommige thema's verplicht)
sv-price = Prijs zonder btw
sv-invalid = Niet aanvaard
sv-err-name = Geef de naam van de dienst.

## Mandates

md-title = Mandaten
md-none = Alleen de wettelijk vertegenwoordiger van een onderneming beheert haar mandaten.
md-holder = Wie
md-scope = Mag
md-until = Tot en met
md-until-hint = Leeg laten: tot u het intrekt.
md-open = tot intrekking
md-action = Actie
md-revoke = Intrekken
md-revoked = ingetrokken
md-invite = Uw boekhouder of een medewerker uitnodigen
md-grant = Mandaat geven
md-err-past = Die datum is al voorbij.
md-err-email = Geef het e-mailadres van het account.

## Public pages: providers, rule sets, figures

nav-statistics = Cijfers
nav-providers = Aanbieders
nav-rules = Regels
pr-title = Geregistreerde dienstverleners
pr-name = Naam (of een deel ervan)
pr-all = Alle thema's
pr-search = Zoek
pr-found = dienstverleners gevonden
ru-title = De regels die vandaag gelden
ru-intro = Elke parameter van een regelset: steunpercentages, plafonds, termijnen en uitsluitingen. Een aanvraag volgt de regelset die van kracht is op de dag van indienen.
ru-sets = Alle regelsets
ru-from = vanaf
ru-in-force = vandaag van kracht
st-title = Cijfers van de kmo-portefeuille
st-year = Jaar
st-show = Toon
st-accepted = Aanvaarde aanvragen
st-subsidy = Subsidie toegekend
st-paid = waarvan uitbetaald
st-months = Subsidie per maand van aanvraag
st-themes = Subsidie per thema
st-sizes = Subsidie per grootte van de onderneming
st-group = Groep

## Apply (the wizard)

w-title = Steun aanvragen
w-intro = Kies de opleiding of het advies en de startdatum. Met Bereken ziet u meteen de subsidie en waarom; met Indienen vraagt u ze aan en wordt ze gereserveerd.
w-enterprise = Onderneming
w-offer = Opleiding of advies
w-offer-hint = Uit het aanbod van de geregistreerde dienstverleners.
w-start-hint = Aanvragen kan tot 14 dagen na de start. Formaat JJJJ-MM-DD.
w-amount-hint = Leeg laten voor de prijs uit het aanbod; anders in euro, bijvoorbeeld 1.234,56.
w-participant = Deelnemer (bij een opleiding)
w-participant-hint = Naam van een werknemer die de opleiding volgt.
w-costs = Bijkomende kosten (niet verplicht)
w-costs-hint = Catering, cursusmateriaal en andere kosten op de factuur, zonder btw. De regels bepalen wat in aanmerking komt; de berekening toont het.
w-catering = Catering, totaal
w-persons = Aantal personen
w-days = Aantal dagen
w-material = Cursusmateriaal
w-other = Andere kosten (komen niet in aanmerking)
w-by-theme = Gegroepeerd per thema.
err-count = Geef een geheel getal groter dan 0.
w-submit = Indienen
w-refused = De aanvraag werd niet aanvaard; zie hieronder waarom
pf-apply = Nieuwe aanvraag

## Section planner: the year planner (i18n::Planner)

planner-title = Jaarplanner
planner-intro = Zet uw geplande opleidingen en adviezen op een rij. De planner berekent met de regels van de kmo-portefeuille in welke volgorde en op welke dag u ze best indient om zoveel mogelijk van uw jaarplafond te gebruiken, met alle termijnen. Er wordt niets bewaard of ingediend.
planner-f-enterprise = Onderneming
planner-row = Opleiding of advies
planner-f-label = Omschrijving
planner-f-label-hint = Uw eigen naam ervoor (hoogstens 100 tekens). Laat de hele rij leeg als u ze niet nodig hebt.
planner-choose = — kies —
planner-f-sub-theme = Subthema
planner-no-sub-theme = — geen —
planner-f-listed = Staat op de lijst van beroepsspecifieke opleidingen
planner-f-start-hint = Formaat JJJJ-MM-DD. U kunt indienen tot 14 dagen na de start.
planner-f-enrolled = Datum van inschrijving of overeenkomst
planner-f-enrolled-hint = Leeg is vandaag. U kunt pas vanaf die dag indienen.
planner-submit = Plan opstellen
planner-plan-title = Uw plan
planner-plan-caption = Dien in deze volgorde in
planner-starts-on = start op
planner-col-order = Volgorde
planner-col-item = Opleiding of advies
planner-col-submit = Indienen op
planner-col-last = Uiterlijk indienen op
planner-col-deposit = Eigen aandeel storten tegen
planner-col-pay = Facturen vrijgeven tot
planner-capped = begrensd door het jaarplafond
planner-moved-title = Waarom later indienen
planner-years-title = Jaarplafond per jaar
planner-col-year = Jaar
planner-col-ceiling = Plafond
planner-col-reserved = Al gereserveerd
planner-col-planned = In dit plan
planner-col-left = Nog over
planner-unknown = onbekend
planner-totals = Totaal van het plan
planner-not-planned-title = Niet in het plan
planner-err-label = Geef een omschrijving van hoogstens 100 tekens.
planner-err-no-rows = Vul minstens één opleiding of advies in, met een startdatum en een kostprijs.
planner-err-too-many = Dit plan kan niet opgesteld worden.
# A row the planner moved to a later day.
planner-moved = «{ $label }»: dien pas in op { $on } in plaats van { $from }. Dan telt de subsidie in het plafond van { $year } en krijgt u in totaal { $gained } meer.
# A row that can no longer be submitted.
planner-too-late = «{ $label }»: te laat om nog in te dienen; de laatste dag was { $last-day }.
# A row whose facts the rules cannot assess (the same quotes in both languages).
planner-invalid = «{ $label }»: Deze gegevens kunnen niet beoordeeld worden ({ $field }: { $message })

## Section listing: the occupation-specific list (i18n::Listing)

listing-title = Lijst beroepsspecifieke competenties
listing-intro = Onder het thema beroepsspecifieke competenties komen enkel diensten op de goedgekeurde lijst in aanmerking. Vraag de opname aan voor een dienst in dat thema; het agentschap toetst ze aan de criteria, de kwaliteitskamer kan advies geven, en de minister beslist. Een dienst komt in aanmerking als hij aan minstens één criterium voldoet:
listing-criterion-bottleneck-occupation = competenties van een beroep op de VDAB-lijst van knelpuntberoepen
listing-criterion-stem = technologische, technische, exact-wetenschappelijke of wiskundige kennis (STEM, zorg-STEM)
listing-criterion-future-shortage = een toekomstig tekort aan vaardigheden in de sector, aangetoond met een wetenschappelijk onderbouwde methode
listing-criterion-legal-certificate = een attest of getuigschrift dat wettelijk vereist is om een beroep uit te oefenen in België
listing-new-title = Opname aanvragen
listing-service = Dienst
listing-no-service = U heeft geen dienst in het thema beroepsspecifieke competenties die nog niet op de lijst staat of al wacht op een beslissing. Voeg eerst zo'n dienst toe aan uw aanbod.
listing-description = Korte beschrijving
listing-description-hint = Wat leren de deelnemers, en voor welk beroep?
listing-target-group = Doelgroep
listing-criterion = Criterium waaraan de dienst voldoet
listing-submit = Opname aanvragen
listing-yours = Uw aanvragen
listing-none = Nog geen aanvragen.
listing-submitted-on = Ingediend op
listing-state = Stand
listing-state-submitted = ingediend, wacht op toetsing
listing-state-assessed = getoetst, wacht op beslissing
listing-state-approved = goedgekeurd: de dienst staat op de lijst
listing-state-rejected = afgewezen
listing-assessment = Toetsing door het agentschap
listing-meets = voldoet aan het criterium
listing-not-meets = voldoet niet aan het criterium
listing-advice = Advies van de kwaliteitskamer
listing-favourable = gunstig
listing-unfavourable = ongunstig
listing-decision = Beslissing
listing-approved = goedgekeurd
listing-rejected = afgewezen
listing-queue-title = Aanvragen voor de beroepsspecifieke lijst
listing-queue-intro = Het agentschap toetst elke aanvraag aan de criteria en legt de beslissing van de minister vast. De kwaliteitskamer kan advies geven zolang de aanvraag openstaat.
listing-open = Open aanvragen
listing-closed = Afgehandeld
listing-provider = Dienstverlener
listing-assess = Toetsen
listing-note = Toelichting (verplicht als het criterium niet gehaald is)
listing-advise = Advies geven
listing-advice-text = Advies
listing-decide = Beslissing vastleggen
listing-approve = Goedkeuren: op de lijst
listing-reject = Afwijzen
listing-reason = Motivering (verplicht bij afwijzing)
listing-yes = Ja
listing-no = Nee
listing-err-required = Vul dit in
listing-err-choice = Maak een keuze

## Section registry: the agency's provider registry (i18n::Registry)

registry-title = Dienstverleners
registry-intro = Een dienstverlener wordt per soort dienst geregistreerd na een positieve kmop-audit, voor vijf jaar vanaf de registratie. Bij een sanctie wordt hij geschorst of uitgesloten; een geschorste of uitgesloten dienstverlener kan geen nieuwe aanvragen krijgen.
registry-provider = Dienstverlener
registry-none = geen registratie
registry-until = geldig tot
registry-audit-pass = Audit positief
registry-audit-fail = Audit negatief
registry-register = Registreren vanaf vandaag
registry-suspend = Schorsen
registry-exclude = Uitsluiten
registry-reinstate = Schorsing opheffen
registry-new-title = Nieuwe dienstverlener
registry-name = Naam
registry-number = Ondernemingsnummer
registry-number-hint = Bijvoorbeeld 0811.111.129.
registry-registration = Registratienummer
registry-registration-hint = DV.O… voor opleiding, DV.A… voor advies. De aanvraag wacht daarna op het auditverslag.
registry-submit = Registratie aanvragen
registry-err-name = Vul de naam in.
registry-err-number = Dit is geen geldig ondernemingsnummer
registry-err-registration = Dit is geen geldig registratienummer
registry-err-exists = Deze dienstverlener heeft al een registratie voor deze soort dienst.
registry-err-step = Deze stap kan niet
registry-state-requested = aangevraagd, wacht op audit
registry-state-audited = audit positief, wacht op registratie
registry-state-registered = geregistreerd
registry-state-suspended = geschorst
registry-state-excluded = uitgesloten
registry-state-expired = verlopen
registry-state-refused = geweigerd na audit

## Section feed: the calendar subscription page (i18n::Feed)

feed-title = Termijnen in uw agenda
feed-intro = Abonneer uw agenda (Outlook, Google Agenda, Apple Agenda) op uw termijnen: elke storting en elke vrijgave met haar uiterste datum en een herinnering drie dagen vooraf. Uw agenda haalt nieuwe termijnen zelf op.
feed-make = Maak mijn agenda-adres
feed-remake = Maak een nieuw adres (het vorige werkt dan niet meer)
feed-made = Uw persoonlijke agenda-adres. Het wordt maar één keer getoond: kopieer het nu. Wie het adres kent, ziet uw termijnen; deel het niet.
feed-address = Agenda-adres
feed-how = Kies in uw agenda 'Agenda toevoegen' → 'Via URL' (of 'Abonneren') en plak het adres.
feed-open = Openen in mijn agenda-app

## The labels of the closed code lists: one message per code, keyed <list>-<wire code>, read through
## kmo_text::Label by an exhaustive match. Written as they read mid-sentence (lower case, names
## excepted), as the rules engine's explanations use them; a page capitalises the first letter.

## Section size: the enterprise sizes (kmo_domain::EnterpriseSize)

size-small = klein
size-medium = middelgroot
size-large = groot

## Section kind: the service kinds (kmo_domain::ServiceKind)

kind-training = opleiding
kind-advice = advies

## Section legal-form: the legal forms (kmo_domain::LegalForm)

legal-form-ez = eenmanszaak (natuurlijk persoon)
legal-form-vrij-beroep = vrij beroep (natuurlijk persoon)
legal-form-nv = naamloze vennootschap
legal-form-bv = besloten vennootschap
legal-form-bvba = bvba
legal-form-cv = coöperatieve vennootschap
legal-form-cvba = cvba
legal-form-vof = vennootschap onder firma
legal-form-commv = commanditaire vennootschap
legal-form-commva = commanditaire vennootschap op aandelen
legal-form-esv = economisch samenwerkingsverband
legal-form-eesv = Europees economisch samenwerkingsverband
legal-form-se = Europese vennootschap
legal-form-sce = Europese coöperatieve vennootschap
legal-form-foreign = buitenlandse onderneming
legal-form-vzw = vzw
legal-form-ivzw = ivzw
legal-form-stichting = stichting
legal-form-maatschap = maatschap
legal-form-feitelijke-vereniging = feitelijke vereniging
legal-form-tijdelijke-handelsvennootschap = tijdelijke handelsvennootschap
legal-form-stille-handelsvennootschap = stille handelsvennootschap
legal-form-publiekrechtelijk = publiekrechtelijke rechtspersoon

## Section theme: the themes (kmo_domain::Theme)

theme-business-strategy = bedrijfsstrategie
theme-occupation-specific = beroepsspecifieke competenties
theme-digitalisation = digitalisering
theme-sustainability = duurzaamheid
theme-financial-literacy = financiële geletterdheid
theme-innovation = innovatie
theme-internationalisation = internationalisering
theme-people-management = personeelsmanagement

## Section sub-theme: the sub-themes (kmo_domain::SubTheme)

sub-theme-waste-prevention = afvalpreventie en efficiënte afvalverwerking
sub-theme-greenhouse-gas-reduction = reductie van broeikasgasemissies
sub-theme-material-efficiency = efficiënt materiaalgebruik
sub-theme-energy-efficiency = energie-efficiëntie en alternatieve energiebronnen
sub-theme-recycling = recyclage
sub-theme-water-air-purification = water- en luchtzuivering
sub-theme-bookkeeping = boekhouding
sub-theme-invoicing = facturatie
sub-theme-taxation = fiscaliteit
sub-theme-work-organisation = arbeidsorganisatie en bedrijfsprocessen
sub-theme-competence-policy = competentiebeleid
sub-theme-diversity-policy = diversiteits- en non-discriminatiebeleid
sub-theme-evaluation-policy = evaluatie- en functioneringsbeleid
sub-theme-workforce-planning = personeelsplanning
sub-theme-social-legislation = sociale wetgeving
sub-theme-hardware = hardware
sub-theme-software = software
sub-theme-online-applications = online toepassingen
sub-theme-data = data
sub-theme-cybersecurity = cybersecurity

## Section topic: the topics of the exclusion list (kmo_domain::ExcludedTopic)

topic-shiatsu = shiatsu
topic-mindfulness = mindfulness
topic-reflexology = reflexologie
topic-astrology = astrologie
topic-bach-flower-therapy = bachbloesemtherapie
topic-shamanism = sjamanisme
topic-health-improvement = verbeteren van de fysieke en mentale gezondheid
topic-jungian-psychoanalysis = jungiaanse psychoanalyse
topic-nlp = neurolinguïstisch programmeren
topic-life-coaching = life coaching
topic-movement-therapy = bewegingstherapie
topic-exam-coaching = examens afleggen en/of examencoaching
topic-meridian-theory = meridiaan- en elementenleer
topic-pendulum-dowsing = pendelen
topic-card-reading = kaartlezen
topic-hypnosis = hypnose
topic-animal-behaviour-therapy = dierengedragstherapie
topic-driving-licence = rijbewijs AM, A of B
topic-pilot-licence = brevet piloot vliegtuig of helikopter
topic-boating-licence = vaarbewijs of -brevet
topic-subscription-unknown-content = abonnement of lidmaatschap met vooraf onbekende inhoud
topic-team-building = teambuilding
topic-networking-sessions = netwerksessies
topic-walking-coaching = wandelcoaching of -therapie
topic-study-trips-retreats = studiereizen of retraites

## Section cost: the cost types (kmo_domain::CostType)

cost-fee = opleidings- of adviesprijs
cost-catering = catering
cost-course-material = cursusmateriaal
cost-trainer-travel = verplaatsingskosten lesgever
cost-exam-fee = examenkosten
cost-equipment = uitrusting en investeringen
cost-other-ineligible = andere niet-subsidieerbare kosten

## Section refusal: the reasons a provider refuses an application for (kmo_domain::RefusalReason)

refusal-enterprise-not-allowed = de onderneming komt niet in aanmerking
refusal-related-provider = onderneming en dienstverlener zijn verbonden
refusal-service-not-subsidisable = de dienst komt niet in aanmerking
refusal-wrong-provider = de onderneming schreef niet in bij deze dienstverlener
refusal-incorrect-application = de aanvraag is onjuist (vorm of inhoud)

## Section reason: a sentence per reason code of the rules engine (kmo_rules::Reason), key reason-<code in lowercase, _ as ->

reason-no-rules-in-force = Op de indieningsdatum was er nog geen kmo-portefeuille met deze regels (vóór 1 april 2016).
reason-legal-form-not-accepted = De rechtsvorm van de onderneming komt niet in aanmerking.
reason-not-in-flanders = De onderneming heeft geen vestiging in het Vlaams Gewest.
reason-public-participation-25 = Overheden bezitten 25 % of meer van het kapitaal of de stemrechten.
reason-main-activity-not-accepted = De hoofdactiviteit (NACE-code) is uitgesloten.
reason-not-sme = De onderneming is een grote onderneming, geen kmo.
reason-related-provider = De onderneming en de dienstverlener zijn verbonden.
reason-excluded-service = De dienst staat op de lijst van uitgesloten diensten.
reason-unknown-theme = Het thema ontbreekt of is geen van de acht thema's.
reason-sub-theme-required = Dit thema vraagt een subthema.
reason-sub-theme-not-in-theme = Het subthema hoort niet bij het gekozen thema.
reason-not-on-occupation-specific-list = De dienst staat niet op de lijst van beroepsspecifieke opleidingen.
reason-advice-only-cybersecurity = Sinds 1 februari 2026 wordt advies enkel nog gesteund voor cybersecurity.
reason-submission-too-late = De aanvraag is later dan 14 kalenderdagen na de start ingediend.
reason-below-minimum-training = Het subsidiabele bedrag van de opleiding ligt onder het minimum.
reason-below-minimum-advice = Het subsidiabele bedrag van het advies ligt onder het minimum.
reason-annual-ceiling-exhausted = Het jaarplafond van de onderneming is voor dit jaar opgebruikt.
reason-de-minimis-ceiling = De steun zou het de-minimisplafond overschrijden.

## An application's state

state-submitted = ingediend, wacht op eigen aandeel
state-funded = eigen aandeel ontvangen
state-partially-paid = deels uitbetaald
state-paid = volledig uitbetaald
state-lapsed = vervallen (geen storting)
state-refused = geweigerd door de dienstverlener
state-stopped = stopgezet
state-expired = verlopen
state-blocked = geblokkeerd na inspectie
state-recovered = teruggevorderd

## Who made a change, on the timeline

actor-enterprise = onderneming
actor-provider = dienstverlener
actor-agency = agentschap
actor-system = platform (termijn)
actor-bank = bank

## Timeline events

event-submitted = Aanvraag ingediend, subsidie gereserveerd
event-funded = Eigen aandeel ontvangen, subsidie toegevoegd
event-deposit-returned = Storting teruggestort
event-paid = Factuur vrijgegeven en betaald
event-lapsed = Vervallen: geen eigen aandeel binnen de termijn
event-stopped = Stopgezet
event-refused = Geweigerd door de dienstverlener
event-application-confirmed = Bevestigd door de dienstverlener
event-expired = Verlopen
event-blocked = Geblokkeerd na inspectie
event-unblocked = Blokkering opgeheven
event-recovered = Subsidie teruggevorderd
event-recovery-received = Terugbetaling ontvangen

## A refused action on an application

action-err-payment-exceeds-balance = Dat is meer dan er nog te betalen is.
action-err-payment-after-end = De termijn om facturen vrij te geven is verstreken.
action-err-not-funded = Het eigen aandeel is nog niet ontvangen.
action-err-illegal-transition = Dat kan niet meer in deze stand van de aanvraag.
action-err-amount = Geef een bedrag in euro, bijvoorbeeld 1.234,56.

## Why a bank statement line was sent back (after ag-returned)

ag-returned-unknown-reference = geen aanvraag met die mededeling
ag-returned-deposit-wrong-amount = niet het juiste bedrag
ag-returned-deposit-after-deadline = na de termijn
ag-returned-deposit-already-funded = het eigen aandeel was al ontvangen

## Mandates: a refused grant

md-err-unknown-user = Er is geen account met dat e-mailadres. Vraag uw boekhouder eerst een account aan te maken.
md-err-not-enterprise = Dat account is geen account van een onderneming of boekhouder.

## Months, in the figures

month-1 = jan
month-2 = feb
month-3 = mrt
month-4 = apr
month-5 = mei
month-6 = jun
month-7 = jul
month-8 = aug
month-9 = sep
month-10 = okt
month-11 = nov
month-12 = dec

## Error codes: one sentence per code of kmo_app::kernel::ErrorCode (pages, API detail), key error-<code in lowercase, _ as ->

error-invalid-command = Een gegeven klopt niet. Controleer wat u invulde en probeer opnieuw.
error-date-before-clock = Die datum ligt vóór de datum van het platform; een dag die voorbij is, kan niet meer.
error-duplicate-enterprise = Deze onderneming is al ingeschreven.
error-invalid-enterprise = De gegevens van de onderneming kloppen niet. Controleer ze en probeer opnieuw.
error-unknown-enterprise = Die onderneming bestaat niet, of u hebt er geen toegang toe.
error-duplicate-application = Deze aanvraag werd al ingediend.
error-invalid-submission = De aanvraag is niet volledig of niet juist ingevuld. Controleer de velden en probeer opnieuw.
error-submission-rejected = De aanvraag voldoet niet aan de regels van de kmo-portefeuille en werd niet aanvaard.
error-unknown-reference = Geen enkele aanvraag heeft deze gestructureerde mededeling; het geld wordt teruggestort.
error-unknown-application = Die aanvraag bestaat niet, of u hebt er geen toegang toe.
error-unknown-provider = Die dienstverlener bestaat niet.
error-duplicate-user = Er bestaat al een account met dit e-mailadres.
error-unknown-user = Dat account bestaat niet.
error-authentication-failed = Het e-mailadres of het wachtwoord is niet juist.
error-forbidden = Met uw account mag u dit niet doen.
error-unknown-token = Die toegangssleutel bestaat niet (meer).
error-unknown-mandate = Dat mandaat bestaat niet, of u hebt er geen toegang toe.
error-provider-not-registered = De dienstverlener is op die datum niet geregistreerd voor deze soort dienst.
error-not-a-worker = Een van de deelnemers komt niet in aanmerking: alleen wie voor de onderneming werkt, mag met steun opleiding volgen.
error-not-your-application = Deze aanvraag noemt uw organisatie niet als dienstverlener.
error-unknown-draft = Dat ontwerp bestaat niet (meer).
error-illegal-transition = Dat kan niet in de toestand waarin dit nu is.
error-idempotency-key-reused = Deze Idempotency-Key werd al voor een ander verzoek gebruikt; gebruik een nieuwe.
error-repeated = Dit werd al eerder verwerkt; er is niets opnieuw gedaan.
error-conflict = Iemand anders wijzigde dit op hetzelfde moment. Probeer opnieuw.
error-store-error = Er liep iets mis bij het bewaren. Probeer later opnieuw.
error-deposit-after-deadline = Het eigen aandeel kwam na de termijn binnen; het wordt teruggestort.
error-deposit-already-funded = Het eigen aandeel van deze aanvraag was al betaald; deze storting wordt teruggestort.
error-deposit-wrong-amount = Het gestorte bedrag is niet het eigen aandeel van de aanvraag; het wordt teruggestort.
error-payment-after-end = De termijn om facturen vrij te geven is verstreken.
error-not-funded = Het eigen aandeel is nog niet ontvangen; pas daarna kan er betaald worden.
error-payment-exceeds-balance = Dat is meer dan er nog op de aanvraag staat.
error-application-blocked = De aanvraag is geblokkeerd na een inspectie; er kan niets mee gebeuren tot de blokkering is opgeheven.
error-repayment-exceeds-claim = Dat is meer dan er nog terugbetaald moet worden.
error-malformed-json = De inhoud van het verzoek is geen geldige JSON.
error-invalid-body = Het verzoek heeft niet de verwachte vorm.
error-unsupported-media-type = Stuur de inhoud van het verzoek als application/json.
error-body-too-large = De inhoud van het verzoek is groter dan toegelaten.
error-batch-too-large = Er staan meer gevallen in het verzoek dan toegelaten.
error-empty-batch = Een reeks moet minstens één geval bevatten.
error-not-found = Dat bestaat niet: controleer het adres.
error-unauthenticated = U bent niet aangemeld: meld u aan, of stuur een geldige toegangssleutel.
error-csrf-failed = Deze wijziging kwam zonder het CSRF-token van uw sessie. Laad de pagina opnieuw en probeer nog eens.
error-rate-limited = Te veel mislukte pogingen. Wacht een kwartier en probeer dan opnieuw.
error-method-not-allowed = Dit adres bestaat, maar niet met deze methode.
error-timeout = Het verzoek duurde te lang; het kan toch uitgevoerd zijn. Probeer opnieuw met dezelfde Idempotency-Key.
error-unavailable = Het platform kan zijn databank niet bereiken. Probeer zo dadelijk opnieuw.
error-internal = Er liep iets mis aan onze kant; het werd gelogd.
