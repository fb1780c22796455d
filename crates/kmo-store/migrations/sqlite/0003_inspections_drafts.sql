-- Inspections (T9: an application blocked, then unblocked or its subsidy recovered), drafts
-- (T1) and payout runs. Kept in step with ../postgres/0003_inspections_drafts.sql.
--
-- SQLite cannot change a CHECK constraint in place, so the application table is rebuilt (the
-- procedure of https://sqlite.org/lang_altertable.html#otheralter: the migration runner turns
-- foreign keys off around this script and runs foreign_key_check before it commits).
create table application_new (
    id integer primary key,
    key text not null constraint application_key_unique unique,
    reference text not null constraint application_reference_unique unique,
    enterprise_id integer not null references enterprise (id),
    provider_id integer not null references provider (id),
    service_id integer not null references service (id),
    submitted_on text not null,
    state text not null constraint application_state_check check (state in ('submitted', 'funded', 'partially_paid', 'paid', 'lapsed', 'refused', 'stopped', 'expired', 'blocked', 'recovered')),
    closed_on text,
    size text not null,
    rate_bp integer not null,
    rule_set text not null,
    eligible_cents integer not null,
    subsidy_cents integer not null,
    own_share_cents integer not null,
    deposited_cents integer not null default 0,
    paid_own_cents integer not null default 0,
    paid_subsidy_cents integer not null default 0,
    refunded_cents integer not null default 0,
    returned_to_ceiling_cents integer not null default 0,
    returned_to_budget_cents integer not null default 0,
    returned_deposits_cents integer not null default 0,
    deposit_deadline text not null,
    payment_deadline text not null,
    lapse_on text not null,
    expire_on text not null,
    seq integer not null,
    case_json text not null,
    blocked_from text constraint application_blocked_from_check check (blocked_from in ('funded', 'partially_paid', 'paid')),
    recovered_cents integer not null default 0,
    recovery_received_cents integer not null default 0,
    audit_hash text not null default '',
    constraint application_money check (subsidy_cents > 0 and subsidy_cents + own_share_cents = eligible_cents),
    constraint application_own_share_floor check (deposited_cents - paid_own_cents - refunded_cents >= 0),
    constraint application_subsidy_floor check (subsidy_cents - paid_subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents >= 0),
    constraint application_paid_max check (paid_own_cents + paid_subsidy_cents <= eligible_cents),
    constraint application_recovery check (recovery_received_cents >= 0 and recovery_received_cents <= recovered_cents and recovered_cents <= paid_subsidy_cents),
    constraint application_blocked check ((state = 'blocked') = (blocked_from is not null))
);
insert into application_new (id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, closed_on, size, rate_bp, rule_set, eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json)
    select id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, closed_on, size, rate_bp, rule_set, eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json from application;
drop table application;
alter table application_new rename to application;
create index application_enterprise on application (enterprise_id, submitted_on);
create index application_lapse_due on application (lapse_on) where state = 'submitted';
create index application_expire_due on application (expire_on) where state in ('funded', 'partially_paid');
-- The hash of the application's latest audit record (the head of its stream, whose seq is the
-- application's seq), so a command does not have to look it up.
update application set audit_hash = coalesce((select a.hash from audit_log a where a.stream = 'application:' || application.id
    order by a.seq desc limit 1), '');

-- Drafts (T1): an application being filled in, not yet submitted; nothing is reserved.
create table application_draft (
    key text not null constraint application_draft_pkey primary key,
    enterprise_id integer not null references enterprise (id),
    body text not null,
    saved_on text not null
);
create index application_draft_enterprise on application_draft (enterprise_id);

-- Payout runs: every transfer to a payable with a seq at or below this one has been paid out.
alter table platform_state add column payout_seq integer not null default 0;
