-- Inspections (T9: an application blocked, then unblocked or its subsidy recovered), drafts
-- (T1) and payout runs. Kept in step with ../sqlite/0003_inspections_drafts.sql (which rebuilds the table).
alter table application drop constraint application_state_check;
alter table application add constraint application_state_check check (state in ('submitted', 'funded', 'partially_paid', 'paid', 'lapsed', 'refused', 'stopped', 'expired', 'blocked', 'recovered'));
alter table application add column blocked_from text constraint application_blocked_from_check check (blocked_from in ('funded', 'partially_paid', 'paid'));
alter table application add column recovered_cents bigint not null default 0;
alter table application add column recovery_received_cents bigint not null default 0;
alter table application add column audit_hash text not null default '';
-- The hash of the application's latest audit record (the head of its stream, whose seq is the
-- application's seq), so a command does not have to look it up.
update application set audit_hash = coalesce((select a.hash from audit_log a where a.stream = 'application:' || application.id
    order by a.seq desc limit 1), '');
alter table application add constraint application_recovery check (recovery_received_cents >= 0 and recovery_received_cents <= recovered_cents and recovered_cents <= paid_subsidy_cents);
alter table application add constraint application_blocked check ((state = 'blocked') = (blocked_from is not null));

-- Drafts (T1): an application being filled in, not yet submitted; nothing is reserved.
create table application_draft (
    key text not null constraint application_draft_pkey primary key,
    enterprise_id bigint not null references enterprise (id),
    body text not null,
    saved_on text not null
);
create index application_draft_enterprise on application_draft (enterprise_id);

-- Payout runs: every transfer to a payable with a seq at or below this one has been paid out.
alter table platform_state add column payout_seq bigint not null default 0;
