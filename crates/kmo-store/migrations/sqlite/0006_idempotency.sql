-- Answers to mutating HTTP requests sent with an Idempotency-Key, per credential: the same key
-- with the same request is answered again from here; with another request it is refused.
create table idempotency_key (
    scope text not null,
    key text not null,
    request_hash text not null,
    status integer not null,
    body text not null,
    created_on text not null,
    constraint idempotency_key_pkey primary key (scope, key)
);
