-- The wallet: registries, applications, the ledger and the audit log (SQLite).
-- Kept in step with ../postgres/0001_wallet.sql: same tables, columns and constraint names
-- (a test compares them). Dates are TEXT 'YYYY-MM-DD' (they sort as dates); money is integer cents.

create table platform_state (
    id integer primary key check (id = 1),
    clock text
);
insert into platform_state (id, clock) values (1, null);

create table enterprise (
    id integer primary key,
    key text not null constraint enterprise_key_unique unique,
    name text not null,
    profile text not null
);

-- One row per enterprise and calendar year: the size lock (D19) and the cached balances of the
-- ceiling accounts. The check is the ceiling's floor, enforced by the database as well.
create table enterprise_year (
    enterprise_id integer not null references enterprise (id),
    year integer not null,
    size_lock text check (size_lock in ('small', 'medium', 'large')),
    ceiling_granted_cents integer not null default 0,
    ceiling_reserved_cents integer not null default 0,
    constraint enterprise_year_pkey primary key (enterprise_id, year),
    constraint enterprise_year_ceiling_floor check (ceiling_reserved_cents >= 0 and ceiling_reserved_cents <= ceiling_granted_cents)
);

create table provider (
    id integer primary key,
    key text not null constraint provider_key_unique unique,
    name text not null
);

create table service (
    id integer primary key,
    provider_id integer not null references provider (id),
    kind text,
    theme text,
    sub_theme text,
    body text not null
);

create table application (
    id integer primary key,
    key text not null constraint application_key_unique unique,
    reference text not null constraint application_reference_unique unique,
    enterprise_id integer not null references enterprise (id),
    provider_id integer not null references provider (id),
    service_id integer not null references service (id),
    submitted_on text not null,
    state text not null check (state in ('submitted', 'funded', 'partially_paid', 'paid', 'lapsed', 'refused', 'stopped', 'expired')),
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
    constraint application_money check (subsidy_cents > 0 and subsidy_cents + own_share_cents = eligible_cents),
    constraint application_own_share_floor check (deposited_cents - paid_own_cents - refunded_cents >= 0),
    constraint application_subsidy_floor check (subsidy_cents - paid_subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents >= 0),
    constraint application_paid_max check (paid_own_cents + paid_subsidy_cents <= eligible_cents)
);
create index application_enterprise on application (enterprise_id, submitted_on);
create index application_lapse_due on application (lapse_on) where state = 'submitted';
create index application_expire_due on application (expire_on) where state in ('funded', 'partially_paid');

-- Immutable transfers: no code path updates or deletes them, and triggers refuse it.
create table ledger_transfer (
    seq integer primary key,
    id text not null constraint ledger_transfer_id_unique unique,
    debit_account text not null,
    credit_account text not null,
    amount_cents integer not null check (amount_cents > 0),
    code text not null,
    kind text not null check (kind in ('posted', 'pending', 'post_pending', 'void_pending')),
    pending_id text references ledger_transfer (id),
    application_id integer references application (id),
    date text not null,
    constraint ledger_transfer_accounts check (debit_account <> credit_account),
    constraint ledger_transfer_pending check ((kind in ('post_pending', 'void_pending')) = (pending_id is not null))
);
-- A pending transfer is posted or voided at most once.
create unique index ledger_transfer_resolved_once on ledger_transfer (pending_id) where pending_id is not null;
-- De-minimis aid declared from other bodies, by enterprise account and aid date (the window
-- sum reads it; aid of our own applications is read from the application rows).
create index ledger_transfer_external_aid on ledger_transfer (credit_account, date) where code = 'de_minimis_external';
create trigger ledger_transfer_immutable_update before update on ledger_transfer
begin select raise(abort, 'ledger transfers are immutable'); end;
create trigger ledger_transfer_immutable_delete before delete on ledger_transfer
begin select raise(abort, 'ledger transfers are immutable'); end;

-- The audit log: append-only, hash-chained per stream.
create table audit_log (
    stream text not null,
    seq integer not null,
    kind text not null,
    actor text not null,
    date text not null,
    payload text not null,
    prev_hash text not null,
    hash text not null,
    constraint audit_log_pkey primary key (stream, seq)
) without rowid;
create trigger audit_log_immutable_update before update on audit_log
begin select raise(abort, 'the audit log is append-only'); end;
create trigger audit_log_immutable_delete before delete on audit_log
begin select raise(abort, 'the audit log is append-only'); end;

-- Answers of commands sent with an idempotency key.
create table command_log (
    key text not null constraint command_log_pkey primary key,
    request_hash text not null,
    answer text not null
) without rowid;
