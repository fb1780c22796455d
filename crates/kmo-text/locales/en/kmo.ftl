### Every text of the pages in English. Same keys as nl-BE/kmo.ftl; see there.

## Every page: menu and footer

skip = Skip to content
nav-label = Main menu
nav-home = Home
nav-simulator = Simulator
nav-login = Log in
nav-portfolio = My wallet
nav-logout = Log out
other-name = Nederlands
footer = kmo-portefeuille — an open implementation of the Flemish SME wallet. Amounts exclude VAT.

## Home

home-title = Subsidy for your SME's training and advice
home-intro = Through the SME wallet the Flemish government pays 20 to 45 % of training and advice from a registered provider, up to € 7.500 a year per enterprise.
home-steps-1 = Apply within 14 days of the start of the training or advice.
home-steps-2 = Deposit your own share within 14 days, with the structured reference.
home-steps-3 = The subsidy is added to your wallet.
home-steps-4 = Release the invoice: the provider is paid from your wallet.
home-simulate = Calculate your subsidy
home-login = Log in to your wallet

## Simulator, and the fields and errors other forms share

sim-title = Subsidy simulator
sim-intro = Calculate what the SME wallet pays, under the rules in force today. No login needed; nothing is stored.
f-size = Size of your enterprise
f-kind = Kind of service
f-theme = Theme
f-start = First lesson or start of the advice
f-start-hint = Format YYYY-MM-DD, for example 2025-03-17.
f-amount = Cost excluding VAT
f-amount-hint = In euro, for example 1.234,56.
sim-submit = Calculate
sim-result = Result
eligible = Eligible
not-eligible = Not eligible
subsidy = Subsidy
own-share = Own share
why = How it was calculated
err-form = Please correct the marked fields.
err-amount = Give an amount in euro, for example 1.234,56 (at most two decimals).
err-date = Give a date as YYYY-MM-DD.
err-choice = Choose a value from the list.
err-case = These facts cannot be assessed

## Log in

login-title = Log in
f-email = E-mail address
f-password = Password
login-submit = Log in
err-login = That e-mail address or password is not right.
err-rate = Too many failed attempts. Try again in 15 minutes.
login-demo = This is a demo. Every account has the password kmo-demo-wachtwoord:
login-demo-title = Demo accounts
login-demo-owner = manager of two enterprises: apply, deposit, release, stop
login-demo-accountant = accountant with a mandate: view and release
login-demo-provider = training provider: confirm or refuse applications, catalogue and themes
login-demo-agency = agency: book deposits, pay out, providers, inspections
login-demo-chamber = quality chamber: advice on the occupation-specific list
login-demo-journey = From application to payment: apply as the owner; book the own-share deposit as the agency (bank statement: the application's reference and amount); release the invoice as the owner; run the payout as the agency.

## My wallet

pf-title = My wallet
pf-left = Still available in
pf-of = of
pf-reserved = reserved for applications
pf-to-check = To check: confirm or refuse the application
pf-confirmed-on = You confirmed it on
pf-de-minimis = De-minimis aid from all governments in the period that counts:
pf-de-minimis-left = room left up to the ceiling of
pf-ceiling-unknown = Your ceiling follows from your enterprise's figures at the first application of the year.
pf-none = No applications yet.
pf-no-mandate = Your account is not linked to an enterprise yet. Ask for an activation letter or have the agency confirm the link.
pf-provider = Applications naming your organisation
pf-staff = You are logged in as staff of the agency or the quality chamber.
col-application = Application
col-state = Status
col-subsidy = Subsidy
col-balance = Left to pay
col-next = Next step
step-deposit = Deposit the own share
step-release = Release the invoice
step-await = The agency is examining this application; nothing to do.
step-repay = Repay the recovered subsidy
step-none = Done
by = at the latest on
days-left = days
today = today
overdue = passed
scope-legal = legal representative
scope-release = may view and release invoices
scope-apply = may view and apply

## One application

a-eligible = Eligible amount
a-deposited = Own share deposited
a-paid = Paid to the provider
a-transfer = Transfer:
a-iban = To account
a-beneficiary = Beneficiary
a-reference = With the structured reference
a-deposit-hint = Use exactly this amount and this reference. Another amount or reference is sent back.
a-invoice = Invoice number
a-release-amount = Amount to release
a-release-hint = In euro; part of the balance is fine.
err-invoice = Give the invoice number (at most 100 characters).
a-stop = Stop the application
a-stop-preview = If you stop now, you get back:
a-stop-ceiling = back to your ceiling
a-timeline = Timeline
a-refuse = Refuse the application
a-qr = QR code for the transfer with amount, account and reference
a-qr-hint = Scan it with your banking app: amount, account and reference are filled in.
a-refuse-reason = Reason for refusing
a-confirm = Confirm the application
a-confirm-hint = Confirm that you checked this application on form and content, so the enterprise knows it is in order. If it is not correct, refuse it below.
a-confirmed = Confirmed by the provider on

## Agency: desk, queues, payouts, books

ag-title = Agency
ag-queues = Queues
ag-q-deposits = Deposits expected (own share not received yet)
ag-q-refunds = Refunds to enterprises in the next payout
ag-q-providers = Due to providers in the next payout
ag-q-total = Total of the next payout:
ag-q-empty = Nothing in this queue.
ag-q-application = Application
ag-q-deadline = By
ag-q-provider = Provider
ag-statement = Book a bank statement line
ag-bank-ref = Bank's reference
ag-bank-ref-hint = Unique per line: a line booked twice counts once.
ag-amount = Amount
ag-book = Book
ag-booked = Booked: own share received for application
ag-returned = Sent back:
ag-repeated = Nothing done: this line was booked before.
ag-err-bank-ref = Give the bank's reference (at most 100 characters).
ag-payout = Payout run
ag-payout-hint = Pays every released invoice and every refund since the last run.
ag-payout-run = Pay out
ag-payouts-done = payments sent, in all
nav-agency = Agency
nav-registry = Providers
nav-list = Occupation-specific list
nav-themes = Themes
ag-books = Check the books
bk-clean = The books are right: every balance follows from the transfers and no rule is broken.
bk-broken = The books are not right:
bk-transfers = Transfers replayed
bk-accounts = Accounts
bk-applications = Applications
bk-open = Open reservations
bk-bank = In the bank account
bk-wallets = In the wallets

## Inspection

in-title = Inspection
in-action = Decision
in-block = Block
in-unblock = Unblock
in-recover = Recover the subsidy
in-reason = Reason
in-submit = Record the decision
in-reason-needed = Blocking or recovering needs a reason.

## My wallet: links

pf-payouts = Payments received
pf-calendar = All deadlines in your calendar (.ics)
pf-planner = Year planner
pf-feed = Subscribe in your calendar
pf-mandates = Who may help

## A provider's services and themes

sv-title = Your services
sv-add = Add a service
sv-name = Name of the training or advice
sv-theme-hint = A theme your organisation is active in.
sv-themes = Your themes
sv-themes-hint = Enterprises find you only under the themes you are active in, and you can offer services in those themes only.
sv-themes-save = Save the themes
sv-themes-err = Choose at least one theme.
sv-sub-theme = Sub-theme (required for some themes)
sv-price = Price excluding VAT
sv-invalid = Not accepted
sv-err-name = Give the service's name.

## Mandates

md-title = Mandates
md-none = Only an enterprise's legal representative manages its mandates.
md-holder = Who
md-scope = May
md-until = Up to and including
md-until-hint = Leave empty: until you revoke it.
md-open = until revoked
md-action = Action
md-revoke = Revoke
md-revoked = revoked
md-invite = Invite your accountant or a colleague
md-grant = Grant the mandate
md-err-past = That date has passed.
md-err-email = Give the account's e-mail address.

## Public pages: providers, rule sets, figures

nav-statistics = Figures
nav-providers = Providers
nav-rules = Rules
pr-title = Registered providers
pr-name = Name (or part of it)
pr-all = All themes
pr-search = Search
pr-found = providers found
ru-title = The rules in force today
ru-intro = Every parameter of a rule set: aid rates, ceilings, deadlines and exclusions. An application follows the rule set in force on the day it is submitted.
ru-sets = All rule sets
ru-from = from
ru-in-force = in force today
st-title = Figures of the SME wallet
st-year = Year
st-show = Show
st-accepted = Accepted applications
st-subsidy = Subsidy granted
st-paid = of which paid out
st-months = Subsidy per month of application
st-themes = Subsidy per theme
st-sizes = Subsidy per size of the enterprise
st-group = Group

## Apply (the wizard)

w-title = Apply for support
w-intro = Choose the training or advice and the start date. Calculate shows the subsidy and why at once; Submit applies and reserves it.
w-enterprise = Enterprise
w-offer = Training or advice
w-offer-hint = From the catalogues of the registered providers.
w-start-hint = You can apply up to 14 days after the start. Format YYYY-MM-DD.
w-amount-hint = Leave empty for the listed price; else in euro, for example 1.234,56.
w-participant = Participant (for a training)
w-participant-hint = Name of an employee taking the training.
w-costs = Other costs (optional)
w-costs-hint = Catering, course material and other costs on the invoice, excluding VAT. The rules decide what is eligible; the calculation shows it.
w-catering = Catering, total
w-persons = Number of persons
w-days = Number of days
w-material = Course material
w-other = Other costs (not eligible)
w-by-theme = Grouped by theme.
err-count = Give a whole number above 0.
w-submit = Submit
w-refused = The application was not accepted; see below why
pf-apply = New application

## Section planner: the year planner (i18n::Planner)

planner-title = Year planner
planner-intro = List your planned trainings and advice. With the rules of the SME wallet, the planner works out in which order and on which day to submit them to use as much of your annual ceiling as possible, with every deadline. Nothing is stored or submitted.
planner-f-enterprise = Enterprise
planner-row = Training or advice
planner-f-label = Description
planner-f-label-hint = Your own name for it (at most 100 characters). Leave the whole row empty if you do not need it.
planner-choose = — choose —
planner-f-sub-theme = Sub-theme
planner-no-sub-theme = — none —
planner-f-listed = Is on the list of occupation-specific trainings
planner-f-start-hint = Format YYYY-MM-DD. You can submit up to 14 days after the start.
planner-f-enrolled = Date of enrolment or agreement
planner-f-enrolled-hint = Empty means today. You can submit only from that day on.
planner-submit = Make the plan
planner-plan-title = Your plan
planner-plan-caption = Submit in this order
planner-starts-on = starts on
planner-col-order = Order
planner-col-item = Training or advice
planner-col-submit = Submit on
planner-col-last = Submit at the latest on
planner-col-deposit = Deposit own share by
planner-col-pay = Release invoices until
planner-capped = limited by the annual ceiling
planner-moved-title = Why submit later
planner-years-title = Annual ceiling per year
planner-col-year = Year
planner-col-ceiling = Ceiling
planner-col-reserved = Already reserved
planner-col-planned = In this plan
planner-col-left = Left
planner-unknown = unknown
planner-totals = Total of the plan
planner-not-planned-title = Not in the plan
planner-err-label = Give a description of at most 100 characters.
planner-err-no-rows = Fill in at least one training or advice, with a start date and a cost.
planner-err-too-many = This plan cannot be made.
planner-moved = “{ $label }”: wait and submit on { $on } instead of { $from }. The subsidy then counts in the { $year } ceiling, which gives { $gained } more in total.
planner-too-late = “{ $label }”: too late to submit; the last day was { $last-day }.
planner-invalid = «{ $label }»: These facts cannot be assessed ({ $field }: { $message })

## Section listing: the occupation-specific list (i18n::Listing)

listing-title = Occupation-specific competences list
listing-intro = Under the theme occupation-specific competences only services on the approved list are eligible. Ask for a service in that theme to be added; the agency assesses it against the criteria, the quality chamber may advise, and the minister decides. A service qualifies if it meets at least one criterion:
listing-criterion-bottleneck-occupation = competences of an occupation on the VDAB bottleneck-occupations list
listing-criterion-stem = technological, technical, exact-scientific or mathematical knowledge (STEM, care-STEM)
listing-criterion-future-shortage = a future skills shortage in the sector, shown by a scientifically sound method
listing-criterion-legal-certificate = a certificate legally required to practise an occupation in Belgium
listing-new-title = Ask for a listing
listing-service = Service
listing-no-service = You have no service in the theme occupation-specific competences that is not on the list yet or waiting for a decision. Add such a service to your catalogue first.
listing-description = Short description
listing-description-hint = What do participants learn, and for which occupation?
listing-target-group = Target group
listing-criterion = Criterion the service meets
listing-submit = Ask for the listing
listing-yours = Your requests
listing-none = No requests yet.
listing-submitted-on = Submitted on
listing-state = Status
listing-state-submitted = submitted, waiting for the assessment
listing-state-assessed = assessed, waiting for the decision
listing-state-approved = approved: the service is on the list
listing-state-rejected = rejected
listing-assessment = Assessment by the agency
listing-meets = meets the criterion
listing-not-meets = does not meet the criterion
listing-advice = Advice of the quality chamber
listing-favourable = favourable
listing-unfavourable = unfavourable
listing-decision = Decision
listing-approved = approved
listing-rejected = rejected
listing-queue-title = Requests for the occupation-specific list
listing-queue-intro = The agency assesses each request against the criteria and records the minister's decision. The quality chamber may advise while the request is open.
listing-open = Open requests
listing-closed = Handled
listing-provider = Provider
listing-assess = Assess
listing-note = Explanation (required when the criterion is not met)
listing-advise = Give advice
listing-advice-text = Advice
listing-decide = Record the decision
listing-approve = Approve: on the list
listing-reject = Reject
listing-reason = Reason (required for a rejection)
listing-yes = Yes
listing-no = No
listing-err-required = Fill this in
listing-err-choice = Make a choice

## Section registry: the agency's provider registry (i18n::Registry)

registry-title = Providers
registry-intro = A provider is registered per service kind after a positive kmop audit, for five years from the registration. As a sanction it is suspended or excluded; a suspended or excluded provider cannot receive new applications.
registry-provider = Provider
registry-none = no registration
registry-until = valid until
registry-audit-pass = Audit passed
registry-audit-fail = Audit failed
registry-register = Register from today
registry-suspend = Suspend
registry-exclude = Exclude
registry-reinstate = Lift the suspension
registry-new-title = New provider
registry-name = Name
registry-number = Enterprise number
registry-number-hint = For example 0811.111.129.
registry-registration = Registration number
registry-registration-hint = DV.O… for training, DV.A… for advice. The request then waits for the audit report.
registry-submit = Request the registration
registry-err-name = Enter the name.
registry-err-number = This is not a valid enterprise number
registry-err-registration = This is not a valid registration number
registry-err-exists = This provider already has a registration for this service kind.
registry-err-step = This step is not possible
registry-state-requested = requested, waiting for the audit
registry-state-audited = audit passed, waiting for registration
registry-state-registered = registered
registry-state-suspended = suspended
registry-state-excluded = excluded
registry-state-expired = expired
registry-state-refused = refused after the audit

## Section feed: the calendar subscription page (i18n::Feed)

feed-title = Deadlines in your calendar
feed-intro = Subscribe your calendar (Outlook, Google Calendar, Apple Calendar) to your deadlines: every deposit and every release with its last day and a reminder three days before. Your calendar fetches new deadlines by itself.
feed-make = Make my calendar address
feed-remake = Make a new address (the previous one stops working)
feed-made = Your personal calendar address. It is shown only once: copy it now. Whoever knows it sees your deadlines; do not share it.
feed-address = Calendar address
feed-how = In your calendar choose 'Add calendar' → 'From URL' (or 'Subscribe') and paste the address.
feed-open = Open in my calendar app

## The labels of the closed code lists: one message per code, keyed <list>-<wire code>, read through
## kmo_text::Label by an exhaustive match. Written as they read mid-sentence (lower case, names
## excepted), as the rules engine's explanations use them; a page capitalises the first letter.

## Section size: the enterprise sizes (kmo_domain::EnterpriseSize)

size-small = small
size-medium = medium-sized
size-large = large

## Section kind: the service kinds (kmo_domain::ServiceKind)

kind-training = training
kind-advice = advice

## Section legal-form: the legal forms (kmo_domain::LegalForm)

legal-form-ez = sole trader (natural person)
legal-form-vrij-beroep = liberal profession (natural person)
legal-form-nv = public limited company (NV)
legal-form-bv = private limited company (BV)
legal-form-bvba = private limited company (BVBA, pre-2019)
legal-form-cv = cooperative company (CV)
legal-form-cvba = cooperative company (CVBA, pre-2019)
legal-form-vof = general partnership (VOF)
legal-form-commv = limited partnership (CommV)
legal-form-commva = partnership limited by shares (CommVA)
legal-form-esv = economic interest grouping (ESV)
legal-form-eesv = European economic interest grouping (EESV)
legal-form-se = European company (SE)
legal-form-sce = European cooperative society (SCE)
legal-form-foreign = foreign enterprise
legal-form-vzw = non-profit association (vzw)
legal-form-ivzw = international non-profit association (ivzw)
legal-form-stichting = foundation
legal-form-maatschap = partnership without legal personality (maatschap)
legal-form-feitelijke-vereniging = de facto association
legal-form-tijdelijke-handelsvennootschap = temporary trading partnership
legal-form-stille-handelsvennootschap = silent partnership
legal-form-publiekrechtelijk = public-law entity

## Section theme: the themes (kmo_domain::Theme)

theme-business-strategy = business strategy
theme-occupation-specific = occupation-specific competences
theme-digitalisation = digitalisation
theme-sustainability = sustainability
theme-financial-literacy = financial literacy
theme-innovation = innovation
theme-internationalisation = internationalisation
theme-people-management = people management

## Section sub-theme: the sub-themes (kmo_domain::SubTheme)

sub-theme-waste-prevention = waste prevention
sub-theme-greenhouse-gas-reduction = greenhouse-gas reduction
sub-theme-material-efficiency = material efficiency
sub-theme-energy-efficiency = energy efficiency
sub-theme-recycling = recycling
sub-theme-water-air-purification = water and air purification
sub-theme-bookkeeping = bookkeeping
sub-theme-invoicing = invoicing
sub-theme-taxation = taxation
sub-theme-work-organisation = work organisation
sub-theme-competence-policy = competence policy
sub-theme-diversity-policy = diversity policy
sub-theme-evaluation-policy = evaluation and performance policy
sub-theme-workforce-planning = workforce planning
sub-theme-social-legislation = social legislation
sub-theme-hardware = hardware
sub-theme-software = software
sub-theme-online-applications = online applications
sub-theme-data = data
sub-theme-cybersecurity = cybersecurity

## Section topic: the topics of the exclusion list (kmo_domain::ExcludedTopic)

topic-shiatsu = shiatsu
topic-mindfulness = mindfulness
topic-reflexology = reflexology
topic-astrology = astrology
topic-bach-flower-therapy = Bach flower therapy
topic-shamanism = shamanism
topic-health-improvement = improving physical and mental health
topic-jungian-psychoanalysis = Jungian psychoanalysis
topic-nlp = neuro-linguistic programming
topic-life-coaching = life coaching
topic-movement-therapy = movement therapy
topic-exam-coaching = exams and exam coaching
topic-meridian-theory = meridian and element theory
topic-pendulum-dowsing = pendulum dowsing
topic-card-reading = card reading
topic-hypnosis = hypnosis
topic-animal-behaviour-therapy = animal-behaviour therapy
topic-driving-licence = driving licence AM, A or B
topic-pilot-licence = aeroplane or helicopter pilot licence
topic-boating-licence = boating licence
topic-subscription-unknown-content = subscription with content not known in advance
topic-team-building = team building
topic-networking-sessions = networking sessions
topic-walking-coaching = walking coaching or therapy
topic-study-trips-retreats = study trips or retreats

## Section cost: the cost types (kmo_domain::CostType)

cost-fee = training or advice fee
cost-catering = catering
cost-course-material = course material
cost-trainer-travel = trainer travel
cost-exam-fee = exam fee
cost-equipment = equipment and investments
cost-other-ineligible = other ineligible costs

## Section refusal: the reasons a provider refuses an application for (kmo_domain::RefusalReason)

refusal-enterprise-not-allowed = the enterprise is not allowed
refusal-related-provider = the enterprise and the provider are related
refusal-service-not-subsidisable = the service is not subsidisable
refusal-wrong-provider = the enterprise did not enrol with this provider
refusal-incorrect-application = the application is incorrect (form or content)

## Section reason: a sentence per reason code of the rules engine (kmo_rules::Reason), key reason-<code in lowercase, _ as ->

reason-no-rules-in-force = No rule set of the SME wallet was in force on the submission date (before 1 April 2016).
reason-legal-form-not-accepted = The enterprise's legal form is not accepted.
reason-not-in-flanders = The enterprise has no establishment in the Flemish Region.
reason-public-participation-25 = Public bodies hold 25 % or more of the capital or voting rights.
reason-main-activity-not-accepted = The main activity (NACE code) is excluded.
reason-not-sme = The enterprise is large, not an SME.
reason-related-provider = The enterprise and the provider are related.
reason-excluded-service = The service is on the list of excluded services.
reason-unknown-theme = The theme is missing or not one of the eight themes.
reason-sub-theme-required = This theme needs a sub-theme.
reason-sub-theme-not-in-theme = The sub-theme does not belong to the theme.
reason-not-on-occupation-specific-list = The service is not on the occupation-specific list.
reason-advice-only-cybersecurity = Since 1 February 2026 advice is supported only for cybersecurity.
reason-submission-too-late = The application was submitted more than 14 calendar days after the start.
reason-below-minimum-training = The eligible amount of the training is below the minimum.
reason-below-minimum-advice = The eligible amount of the advice is below the minimum.
reason-annual-ceiling-exhausted = The enterprise's annual ceiling is used up for this year.
reason-de-minimis-ceiling = The aid would exceed the de minimis ceiling.

## An application's state

state-submitted = submitted, awaiting own share
state-funded = own share received
state-partially-paid = partly paid
state-paid = paid in full
state-lapsed = lapsed (no deposit)
state-refused = refused by the provider
state-stopped = stopped
state-expired = expired
state-blocked = blocked after an inspection
state-recovered = recovered

## Who made a change, on the timeline

actor-enterprise = enterprise
actor-provider = provider
actor-agency = agency
actor-system = platform (deadline)
actor-bank = bank

## Timeline events

event-submitted = Applied, subsidy reserved
event-funded = Own share received, subsidy added
event-deposit-returned = Deposit returned
event-paid = Invoice released and paid
event-lapsed = Lapsed: no own share in time
event-stopped = Stopped
event-refused = Refused by the provider
event-application-confirmed = Confirmed by the provider
event-expired = Expired
event-blocked = Blocked after an inspection
event-unblocked = Unblocked
event-recovered = Subsidy recovered
event-recovery-received = Repayment received

## A refused action on an application

action-err-payment-exceeds-balance = That is more than is left to pay.
action-err-payment-after-end = The deadline for releasing invoices has passed.
action-err-not-funded = The own share has not been received yet.
action-err-illegal-transition = That is no longer possible in this state.
action-err-amount = Give an amount in euro, for example 1.234,56.

## Why a bank statement line was sent back (after ag-returned)

ag-returned-unknown-reference = no application with that reference
ag-returned-deposit-wrong-amount = not the right amount
ag-returned-deposit-after-deadline = after the deadline
ag-returned-deposit-already-funded = the own share had already arrived

## Mandates: a refused grant

md-err-unknown-user = There is no account with that e-mail address. Ask your accountant to create one first.
md-err-not-enterprise = That account is not an enterprise or accountant account.

## Months, in the figures

month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

## Error codes: one sentence per code of kmo_app::kernel::ErrorCode (pages, API detail), key error-<code in lowercase, _ as ->

error-invalid-command = Some of the data is not right. Check what you entered and try again.
error-date-before-clock = That date is before the platform's date; a day that has passed can no longer be used.
error-duplicate-enterprise = This enterprise is registered already.
error-invalid-enterprise = The enterprise's details are not right. Check them and try again.
error-unknown-enterprise = That enterprise does not exist, or you have no access to it.
error-duplicate-application = This application was submitted already.
error-invalid-submission = The application is incomplete or not filled in correctly. Check the fields and try again.
error-submission-rejected = The application does not meet the rules of the SME wallet and was not accepted.
error-unknown-reference = No application has this structured reference; the money is sent back.
error-unknown-application = That application does not exist, or you have no access to it.
error-unknown-provider = That service provider does not exist.
error-duplicate-user = An account with this e-mail address exists already.
error-unknown-user = That account does not exist.
error-authentication-failed = The e-mail address or the password is wrong.
error-forbidden = Your account may not do this.
error-unknown-token = That access token does not exist (any more).
error-unknown-mandate = That mandate does not exist, or you have no access to it.
error-provider-not-registered = The service provider is not registered for this kind of service on that date.
error-not-a-worker = One of the participants does not qualify: only people who work for the enterprise may be trained with support.
error-not-your-application = This application does not name your organisation as its service provider.
error-unknown-draft = That draft does not exist (any more).
error-illegal-transition = That is not possible in the state this is in now.
error-idempotency-key-reused = This Idempotency-Key was used for another request; use a new one.
error-repeated = This was handled before; nothing was done again.
error-conflict = Someone else changed this at the same moment. Please try again.
error-store-error = Something went wrong while saving. Please try again later.
error-deposit-after-deadline = The own share arrived after the deadline; it is sent back.
error-deposit-already-funded = The own share of this application was paid already; this deposit is sent back.
error-deposit-wrong-amount = The amount deposited is not the application's own share; it is sent back.
error-payment-after-end = The deadline to release invoices has passed.
error-not-funded = The own share has not been received yet; only then can anything be paid.
error-payment-exceeds-balance = That is more than is left on the application.
error-application-blocked = The application is blocked after an inspection; nothing can be done with it until it is unblocked.
error-repayment-exceeds-claim = That is more than is still to be repaid.
error-malformed-json = The body is not valid JSON.
error-invalid-body = The request does not have the expected shape.
error-unsupported-media-type = Send the body as application/json.
error-body-too-large = The body is larger than the limit.
error-batch-too-large = There are more cases in the request than the limit.
error-empty-batch = A batch needs at least one case.
error-not-found = That does not exist: check the address.
error-unauthenticated = You are not logged in: log in, or send a valid bearer token.
error-csrf-failed = This change came without your session's CSRF token. Reload the page and try again.
error-rate-limited = Too many failed attempts. Wait 15 minutes, then try again.
error-method-not-allowed = The route exists, but not with this method.
error-timeout = The request took too long; it may or may not have been applied. Retry with the same Idempotency-Key.
error-unavailable = The platform cannot reach its database. Try again shortly.
error-internal = Something went wrong on our side; it has been logged.
