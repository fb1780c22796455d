-- Registries: enterprise identity, provider registrations per service kind (rules.md §7),
-- service details, and the participants of a training (rules.md §3.6). SQLite.
alter table enterprise add column enterprise_number text;
create unique index enterprise_number_unique on enterprise (enterprise_number) where enterprise_number is not null;

alter table provider add column enterprise_number text;
alter table provider add column iban text;

create table provider_registration (
    number text not null constraint provider_registration_pkey primary key,
    provider_id integer not null references provider (id),
    kind text not null check (kind in ('training', 'advice')),
    state text not null check (state in ('requested', 'audited', 'registered', 'suspended', 'excluded', 'expired', 'refused')),
    requested_on text not null,
    registered_on text,
    valid_until text,
    constraint provider_registration_one_per_kind unique (provider_id, kind)
);

create table provider_theme (
    provider_id integer not null references provider (id),
    theme text not null,
    constraint provider_theme_pkey primary key (provider_id, theme)
);

alter table service add column price_cents integer;
alter table service add column on_occupation_list integer not null default 0;

create table application_participant (
    application_id integer not null references application (id),
    position integer not null,
    name text not null,
    worker_status text not null,
    constraint application_participant_pkey primary key (application_id, position)
);
