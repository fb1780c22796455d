-- Failed attempts (logins, activation codes) counted in the database, so that every server
-- process sharing it applies one limit. The key is a SHA-256 of what is guessed at (the
-- lower-cased e-mail address, or the user of an activation code): no address of a stranger is
-- kept in clear. A row lives for one window after its first failure.
create table attempt_failure (
    key text primary key,
    failures integer not null,
    first_at integer not null
);
