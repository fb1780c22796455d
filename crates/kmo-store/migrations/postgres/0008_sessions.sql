-- Browser sessions: the cookie's secret only as a SHA-256 hash, the CSRF token that mutating
-- requests must echo, and the moment (Unix seconds) the session ends.
create table web_session (
    token_hash text not null constraint web_session_pkey primary key,
    user_id bigint not null references app_user (id),
    csrf_token text not null,
    expires_at bigint not null
);
create index web_session_user on web_session (user_id);
