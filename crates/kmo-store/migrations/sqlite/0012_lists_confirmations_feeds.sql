-- Requests to put a provider's listed service on the occupation-specific list (rules.md §4.3):
-- submitted by the provider, assessed by the agency, advised on by the quality chamber, then
-- approved or rejected. The body is the request's JSON (occupation::ListRequest); the state
-- is kept beside it for the queues. One open request per service.
create table list_request (
    id integer primary key,
    key text not null constraint list_request_key_unique unique,
    provider_id integer not null references provider (id),
    service_id integer not null references service (id),
    state text not null constraint list_request_state_check check (state in ('submitted', 'assessed', 'approved', 'rejected')),
    body text not null
);
create unique index list_request_open_per_service on list_request (service_id) where state in ('submitted', 'assessed');
create index list_request_by_provider on list_request (provider_id);

-- A provider's confirmation that it checked an application naming it (rules.md §2: it checks
-- every application on form and content). Once per application.
create table application_confirmation (
    application_id integer not null constraint application_confirmation_pkey primary key references application (id),
    provider_id integer not null references provider (id),
    confirmed_on text not null
);
create index application_confirmation_by_provider on application_confirmation (provider_id);

-- A user's calendar feed: a secret address a calendar app polls without logging in. Only the
-- SHA-256 of the secret is kept; a new address replaces the old one.
create table calendar_feed (
    user_id integer not null constraint calendar_feed_pkey primary key references app_user (id),
    token_hash text not null constraint calendar_feed_hash_unique unique,
    created_on text not null
);

-- The agency's queue of deposits to match: the applications still waiting for their own share.
create index application_awaiting_deposit on application (id) where state = 'submitted';
