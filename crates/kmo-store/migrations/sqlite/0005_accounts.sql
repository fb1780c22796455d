-- Accounts: users with argon2 password hashes and a role, API tokens stored as SHA-256 hashes,
-- and mandates (a user acting for an enterprise, with a scope and dates). SQLite.
create table app_user (
    id integer primary key,
    email text not null constraint app_user_email_unique unique,
    name text not null,
    password_hash text not null,
    role text not null constraint app_user_role_check check (role in ('enterprise', 'provider', 'agency', 'quality_chamber')),
    provider_id integer references provider (id),
    created_on text not null,
    constraint app_user_provider_check check ((role = 'provider') = (provider_id is not null))
);

create table api_token (
    id integer primary key,
    user_id integer not null references app_user (id),
    name text not null,
    token_hash text not null constraint api_token_hash_unique unique,
    created_on text not null,
    revoked integer not null default 0
);
create index api_token_user on api_token (user_id);

create table mandate (
    id integer primary key,
    user_id integer not null references app_user (id),
    enterprise_id integer not null references enterprise (id),
    scope text not null constraint mandate_scope_check check (scope in ('legal_representative', 'view_and_release', 'view_and_apply')),
    valid_from text not null,
    valid_until text,
    state text not null constraint mandate_state_check check (state in ('pending', 'active', 'revoked')),
    granted_by integer references app_user (id)
);
create index mandate_user on mandate (user_id);
create index mandate_enterprise on mandate (enterprise_id);
