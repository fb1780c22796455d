//! The store's SQL, written once. Every statement both backends run is a [`Statement`] here,
//! written in PostgreSQL's form (`$1`, `$2`…); SQLite runs the same text with each `$N` written
//! `?N`, rewritten at compile time (no lookup or allocation when a statement runs; rusqlite's
//! statement cache is keyed by that text). The backends keep only binding and row mapping.
//!
//! Where the dialects agree the text is shared. Casts are written `cast(x as t)`, which both
//! read: PostgreSQL needs a type where a parameter is only compared with null, or to read a sum
//! as a `bigint`; to SQLite they change nothing. A statement of one backend only is in
//! [`postgres`] or [`sqlite`], each with the reason. A row lock (`for update`, PostgreSQL's only:
//! SQLite's write transaction holds the whole database) is the shared text with the lock
//! appended: `NAME_FOR_UPDATE` beside `NAME`.
//!
//! Ledger account keys are never written here: they are bound, built from
//! `kmo_ledger::AccountKey` (a key's prefix where a statement must find or build many).

use std::borrow::Cow;
use std::sync::OnceLock;

use kmo_app::store::Keyed;

/// One statement in both dialects (see the module documentation).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Statement {
    /// With `$1`, `$2`… placeholders.
    pub postgres: &'static str,
    /// The same text with `?1`, `?2`….
    pub sqlite: &'static str,
}

/// PostgreSQL's `$N` placeholders as SQLite's `?N`, byte for byte (the text keeps its length and
/// stays UTF-8: only an ASCII `$` before a digit changes). Runs at compile time.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where an index out of range is a build error"
)]
const fn sqlite_text<const N: usize>(postgres: &str) -> [u8; N] {
    let bytes = postgres.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        let placeholder = bytes[i] == b'$' && i + 1 < N && bytes[i + 1].is_ascii_digit();
        out[i] = if placeholder { b'?' } else { bytes[i] };
        i += 1;
    }
    out
}

/// Declares shared statements: `NAME = text;`, or `NAME, NAME_FOR_UPDATE = text;` for a read
/// that PostgreSQL also runs with a row lock. Also lists them all in `ALL` (the tests prepare
/// each on both databases).
macro_rules! statements {
    ($( $(#[$doc:meta])* $name:ident $(, $locked:ident)? = $text:expr; )*) => {
        $(
            $(#[$doc])*
            pub(crate) const $name: Statement = {
                const BYTES: [u8; $text.len()] = sqlite_text($text);
                #[allow(clippy::panic, reason = "evaluated at compile time: a build error")]
                let sqlite = match std::str::from_utf8(&BYTES) {
                    Ok(text) => text,
                    Err(_) => panic!("a statement's SQLite text is not UTF-8"),
                };
                Statement { postgres: $text, sqlite }
            };
            $(
                /// PostgreSQL's locking form of the statement above.
                pub(crate) const $locked: &str = concat!($text, " for update");
            )?
        )*
        /// Every shared statement, by name.
        #[cfg(test)]
        pub(crate) const ALL: &[(&str, Statement)] = &[$((stringify!($name), $name)),*];
        /// Every locking form, by name.
        #[cfg(test)]
        pub(crate) const ALL_FOR_UPDATE: &[(&str, &str)] =
            &[$($((stringify!($locked), $locked),)?)*];
    };
}

/// The columns of an application row, in the order both backends map them.
macro_rules! application_columns {
    () => {
        "id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, \
         rule_set, eligible_cents, subsidy_cents, own_share_cents, deposited_cents, \
         paid_own_cents, paid_subsidy_cents, refunded_cents, returned_to_ceiling_cents, \
         returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, \
         seq, blocked_from, recovered_cents, recovery_received_cents, audit_hash"
    };
}

macro_rules! user_columns {
    () => {
        "id, email, name, password_hash, role, provider_id, created_on"
    };
}

macro_rules! transfer_columns {
    () => {
        "id, debit_account, credit_account, amount_cents, code, kind, pending_id, \
         application_id, date"
    };
}

macro_rules! mandate_select {
    () => {
        "select m.id, m.user_id, m.enterprise_id, e.key as enterprise_key, m.scope, \
         m.valid_from, m.valid_until, m.state, m.granted_by \
         from mandate m join enterprise e on e.id = m.enterprise_id"
    };
}

statements! {
    // --- the kernel ---
    CLOCK = "select clock from platform_state where id = 1";
    SET_CLOCK = "update platform_state set clock = $1 where id = 1";
    KEY_OF_APPLICATION = "select key from application where id = $1";
    KEY_OF_PROVIDER = "select key from provider where id = $1";
    KEY_OF_ENTERPRISE = "select key from enterprise where id = $1";
    IDEMPOTENT_ANSWER = "select request_hash, cast(status as bigint), body from idempotency_key \
        where scope = $1 and key = $2 and created_on >= $3";
    PURGE_IDEMPOTENT_ANSWERS = "delete from idempotency_key where created_on < $1";
    SAVE_IDEMPOTENT_ANSWER = "insert into idempotency_key \
        (scope, key, request_hash, status, body, created_on) values ($1, $2, $3, $4, $5, $6) \
        on conflict do nothing";
    COMMAND_RESULT = "select request_hash, answer from command_log where key = $1";
    SAVE_COMMAND_RESULT = "insert into command_log (key, request_hash, answer) values ($1, $2, $3)";
    AUDIT_HEAD = "select seq, hash from audit_log where stream = $1 order by seq desc limit 1";
    APPEND_AUDIT = "insert into audit_log (stream, seq, kind, actor, date, payload, prev_hash, hash) \
        values ($1, $2, $3, $4, $5, $6, $7, $8)";
    AUDIT_STREAM = "select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log \
        where stream = $1 order by seq";
    APPLIED_MIGRATIONS = "select version, checksum from kmo_migration order by version";
    RECORD_MIGRATION = "insert into kmo_migration (version, name, checksum) values ($1, $2, $3)";

    // --- the wallet ---
    APPLICATION_BY_KEY, APPLICATION_BY_KEY_FOR_UPDATE =
        concat!("select ", application_columns!(), " from application where key = $1");
    APPLICATION_BY_REFERENCE, APPLICATION_BY_REFERENCE_FOR_UPDATE =
        concat!("select ", application_columns!(), " from application where reference = $1");
    APPLICATION_BY_ID, APPLICATION_BY_ID_FOR_UPDATE =
        concat!("select ", application_columns!(), " from application where id = $1");
    /// Two index range scans (a union with `order by` would sort a scan of the table): the
    /// caller sorts the ids.
    DUE_APPLICATIONS = "select id from application where state = 'submitted' and lapse_on <= $1 \
        union all select id from application where state in ('funded', 'partially_paid') \
        and expire_on <= $1";
    /// The service is the last value: PostgreSQL's one-statement write takes it from the part
    /// that inserted the service.
    INSERT_APPLICATION = "insert into application (id, key, reference, enterprise_id, \
        provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, eligible_cents, \
        subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, \
        refunded_cents, returned_to_ceiling_cents, returned_to_budget_cents, \
        returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, \
        case_json, audit_hash, service_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
        $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)";
    /// One row; [`insert_rows`] makes several.
    INSERT_PARTICIPANT = "insert into application_participant \
        (application_id, position, name, worker_status) values ($1, $2, $3, $4)";
    /// Only if the stored record is still at the seq it was read at (`$16`).
    UPDATE_APPLICATION = "update application set state = $1, closed_on = $2, deposited_cents = $3, \
        paid_own_cents = $4, paid_subsidy_cents = $5, refunded_cents = $6, \
        returned_to_ceiling_cents = $7, returned_to_budget_cents = $8, \
        returned_deposits_cents = $9, seq = $10, blocked_from = $11, recovered_cents = $12, \
        recovery_received_cents = $13, audit_hash = $14 where id = $15 and seq = $16";
    /// One row; [`insert_rows`] makes several.
    INSERT_TRANSFER = concat!("insert into ledger_transfer (", transfer_columns!(), ") \
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    INSERT_CONFIRMATION = "insert into application_confirmation \
        (application_id, provider_id, confirmed_on) values ($1, $2, $3) \
        on conflict (application_id) do nothing";
    CONFIRMATIONS = "select application_id, confirmed_on from application_confirmation \
        where provider_id = $1 and (cast($2 as bigint) is null or application_id = $2)";
    DRAFT, DRAFT_FOR_UPDATE =
        "select key, enterprise_id, body, saved_on from application_draft where key = $1";
    SAVE_DRAFT = "insert into application_draft (key, enterprise_id, body, saved_on) \
        values ($1, $2, $3, $4) on conflict (key) do update set \
        enterprise_id = excluded.enterprise_id, body = excluded.body, saved_on = excluded.saved_on";
    DELETE_DRAFT = "delete from application_draft where key = $1";
    /// The watermark and the highest seq of the journal.
    PAYOUT_WATERMARK, PAYOUT_WATERMARK_FOR_UPDATE = "select payout_seq, \
        (select coalesce(max(seq), 0) from ledger_transfer) from platform_state where id = 1";
    /// Transfers to refunds (`$2`, that account's key) or to a provider's payable (`$3`, the
    /// prefix of those keys), above the watermark.
    PAYABLES_SINCE = concat!("select seq, ", transfer_columns!(), " from ledger_transfer \
        where seq > $1 and (credit_account = $2 or credit_account like ($3 || '%')) order by seq");
    SET_PAYOUT_WATERMARK = "update platform_state set payout_seq = $1 where id = 1";

    // --- the accounts ---
    INSERT_USER = "insert into app_user (email, name, password_hash, role, provider_id, created_on) \
        values ($1, $2, $3, $4, $5, $6) returning id";
    USER_BY_EMAIL = concat!("select ", user_columns!(), " from app_user where email = $1");
    USER_BY_ID = concat!("select ", user_columns!(), " from app_user where id = $1");
    USER_BY_TOKEN_HASH = concat!("select ", user_columns!(), " from app_user where id = \
        (select user_id from api_token where token_hash = $1 and revoked = 0)");
    INSERT_TOKEN = "insert into api_token (user_id, name, token_hash, created_on, revoked) \
        values ($1, $2, $3, $4, 0) returning id";
    TOKENS_OF = "select id, user_id, name, created_on, revoked from api_token where user_id = $1 \
        order by id";
    REVOKE_TOKEN = "update api_token set revoked = 1 where id = $1 and user_id = $2";
    INSERT_SESSION = "insert into web_session (token_hash, user_id, csrf_token, expires_at) \
        values ($1, $2, $3, $4)";
    SESSION = "select user_id, csrf_token from web_session where token_hash = $1 \
        and expires_at > $2";
    DELETE_SESSION = "delete from web_session where token_hash = $1";
    INSERT_LETTER = "insert into activation_letter \
        (user_id, enterprise_id, code, code_hash, issued_on, valid_until) \
        values ($1, $2, $3, $4, $5, $6) returning id";
    LETTER = "select id, user_id, enterprise_id, code, issued_on, valid_until, printed_on, used_on \
        from activation_letter where (cast($1 as bigint) is null or id = $1) \
        and (cast($2 as text) is null or code_hash = $2)";
    /// Printing drops the code in clear.
    UPDATE_LETTER = "update activation_letter set printed_on = coalesce($2, printed_on), \
        code = case when cast($2 as text) is null then code else null end, \
        used_on = coalesce($3, used_on) where id = $1";
    INSERT_MANDATE = "insert into mandate \
        (user_id, enterprise_id, scope, valid_from, valid_until, state, granted_by) \
        values ($1, $2, $3, $4, $5, $6, $7) returning id";
    MANDATES_OF_USER = concat!(mandate_select!(), " where m.user_id = $1 order by m.id");
    MANDATES_OF_ENTERPRISE = concat!(mandate_select!(), " where m.enterprise_id = $1 order by m.id");
    MANDATE_BY_ID = concat!(mandate_select!(), " where m.id = $1 order by m.id");
    SET_MANDATE_STATE = "update mandate set state = $2 where id = $1";
    SAVE_CALENDAR_FEED = "insert into calendar_feed (user_id, token_hash, created_on) \
        values ($1, $2, $3) on conflict (user_id) do update set \
        token_hash = excluded.token_hash, created_on = excluded.created_on";
    CALENDAR_FEED_USER = "select user_id from calendar_feed where token_hash = $1";
    ATTEMPT_FAILURES = "select failures, first_at from attempt_failure where key = $1";
    /// Two statements, not one: in one, the delete and the upsert could touch the same row.
    FORGET_PASSED_ATTEMPT_FAILURES = "delete from attempt_failure where first_at <= $1";
    COUNT_ATTEMPT_FAILURE = "insert into attempt_failure (key, failures, first_at) \
        values ($1, 1, $2) on conflict (key) do update set failures = attempt_failure.failures + 1";
    CLEAR_ATTEMPT_FAILURES = "delete from attempt_failure where key = $1";

    // --- the registry ---
    ENTERPRISE_BY_KEY = "select id, key, name, profile from enterprise where key = $1";
    INSERT_ENTERPRISE = "insert into enterprise (key, name, profile) values ($1, $2, $3) \
        returning id";
    UPDATE_ENTERPRISE = "update enterprise set name = $2, profile = $3 where id = $1";
    FIND_ENTERPRISE_YEAR = "select enterprise_id, year, size_lock, ceiling_granted_cents, \
        ceiling_reserved_cents from enterprise_year where enterprise_id = $1 and year = $2";
    /// One statement: creates the row if needed and returns it. On PostgreSQL the upsert's
    /// `do update` takes the row lock, which serialises submissions for the enterprise-year.
    ENTERPRISE_YEAR = "insert into enterprise_year (enterprise_id, year) values ($1, $2) \
        on conflict (enterprise_id, year) do update set year = excluded.year \
        returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents";
    SAVE_ENTERPRISE_YEAR = "update enterprise_year set size_lock = $1, ceiling_granted_cents = $2, \
        ceiling_reserved_cents = $3 where enterprise_id = $4 and year = $5";
    /// Aid of the enterprise's applications (S − returned, dated at submission) plus declared
    /// external aid (dated when granted) to its de-minimis account (`$4`). `kmo ledger check`
    /// proves these equal the de-minimis account of the ledger.
    DE_MINIMIS_GRANTED = "select cast(coalesce((select sum(subsidy_cents - returned_to_ceiling_cents \
        - returned_to_budget_cents - recovered_cents) from application \
        where enterprise_id = $1 and submitted_on > $2 and submitted_on <= $3), 0) \
        + coalesce((select sum(amount_cents) from ledger_transfer \
        where code = 'de_minimis_external' and credit_account = $4 and date > $2 and date <= $3), 0) \
        as bigint)";
    PROVIDER_BY_KEY = "select id, key, name from provider where key = $1";
    INSERT_PROVIDER = "insert into provider (key, name) values ($1, $2) returning id";
    INSERT_SERVICE = "insert into service (provider_id, kind, theme, sub_theme, body) \
        values ($1, $2, $3, $4, $5) returning id";
    PROVIDER_IDENTITY = "select enterprise_number, iban from provider where id = $1";
    PROVIDER_THEMES = "select theme from provider_theme where provider_id = $1 order by theme";
    INSERT_LISTED_SERVICE = "insert into service (provider_id, kind, theme, sub_theme, body, \
        price_cents, on_occupation_list, listed, name) values ($1, $2, $3, $4, $5, $6, $7, 1, $8) \
        returning id";
    LISTED_SERVICES = "select id, name, kind, theme, sub_theme, price_cents, on_occupation_list, \
        body from service where provider_id = $1 and listed = 1 order by id";
    /// `$1` is a LIKE pattern (see [`like_escape`]).
    SEARCH_PROVIDERS = "select id, key, name from provider p where lower(name) like $1 escape '\\' \
        and (cast($2 as text) is null or exists (select 1 from provider_theme t \
        where t.provider_id = p.id and t.theme = $2)) and id > $3 order by id limit $4";
    REGISTRATION = "select number, state, requested_on, registered_on, valid_until \
        from provider_registration where provider_id = $1 and kind = $2";
    SAVE_REGISTRATION = "insert into provider_registration \
        (number, provider_id, kind, state, requested_on, registered_on, valid_until) \
        values ($1, $2, $3, $4, $5, $6, $7) on conflict (number) do update set \
        state = excluded.state, requested_on = excluded.requested_on, \
        registered_on = excluded.registered_on, valid_until = excluded.valid_until";
    INSERT_LIST_REQUEST = "insert into list_request (key, provider_id, service_id, state, body) \
        values ($1, $2, $3, $4, $5) returning id";
    LIST_REQUEST, LIST_REQUEST_FOR_UPDATE =
        "select id, key, provider_id, service_id, state, body from list_request where key = $1";
    UPDATE_LIST_REQUEST = "update list_request set state = $2, body = $3 where id = $1";
    LIST_REQUESTS = "select id, key, provider_id, service_id, state, body from list_request \
        where cast($1 as bigint) is null or provider_id = $1 order by id desc limit $2";
    LIST_ON_OCCUPATION_LIST = "update service set on_occupation_list = 1 \
        where id = $1 and provider_id = $2 and listed = 1";

    // --- insight ---
    APPLICATIONS_OF_ENTERPRISE = concat!("select ", application_columns!(), " from application \
        where enterprise_id = $1 and id > $2 order by id limit $3");
    APPLICATIONS_OF_PROVIDER = concat!("select ", application_columns!(), " from application \
        where provider_id = $1 and id > $2 order by id limit $3");
    /// `$1` is unused (always 0): every page takes the same three values.
    APPLICATIONS_AWAITING_DEPOSIT = concat!("select ", application_columns!(), " from application \
        where state = 'submitted' and $1 = 0 and id > $2 order by id limit $3");
    STATISTICS = "select substr(a.submitted_on, 1, 7) as month, coalesce(s.theme, '') as theme, \
        a.size, count(*) as applications, cast(sum(a.subsidy_cents) as bigint) as subsidy_cents, \
        cast(sum(a.returned_to_budget_cents) as bigint) as returned_cents, \
        cast(sum(a.paid_subsidy_cents) as bigint) as paid_subsidy_cents \
        from application a join service s on s.id = a.service_id \
        where a.submitted_on between $1 and $2 group by 1, 2, 3 order by 1, 2, 3";
    /// `$1` is the provider's payable.
    PROVIDER_PAYOUTS = "select seq, id as transfer, cast(null as text) as application, \
        amount_cents, date from ledger_transfer \
        where code = 'provider_paid' and debit_account = $1 and seq > $2 order by seq limit $3";
    ENTERPRISE_REFUNDS = "select t.seq, t.id as transfer, a.key as application, t.amount_cents, \
        t.date from ledger_transfer t join application a on a.id = t.application_id \
        where t.code = 'refund_paid' and a.enterprise_id = $1 and t.seq > $2 \
        order by t.seq limit $3";
    ALL_TRANSFERS = concat!("select ", transfer_columns!(), " from ledger_transfer order by seq");
    ALL_APPLICATIONS = concat!("select ", application_columns!(), " from application order by id");
    ALL_ENTERPRISES = "select id, key, name, profile from enterprise order by id";
    ALL_ENTERPRISE_YEARS = "select enterprise_id, year, size_lock, ceiling_granted_cents, \
        ceiling_reserved_cents from enterprise_year order by enterprise_id, year";
    ALL_AUDIT_RECORDS = "select stream, seq, kind, actor, date, payload, prev_hash, hash \
        from audit_log order by stream, seq";
}

/// The key of a record with a caller's key, by id.
pub(crate) const fn key_of(kind: Keyed) -> Statement {
    match kind {
        Keyed::Application => KEY_OF_APPLICATION,
        Keyed::Provider => KEY_OF_PROVIDER,
        Keyed::Enterprise => KEY_OF_ENTERPRISE,
    }
}

/// Statements only PostgreSQL runs.
pub(crate) mod postgres {
    /// A fresh application id from its sequence (SQLite has none; see [`super::sqlite`]).
    pub(crate) const NEXT_APPLICATION_ID: &str = "select nextval('application_id_seq')";

    /// The command's stored answer and its application, locked, in one statement (SQLite reads
    /// them one after the other, in its write transaction). The answer comes from a subquery so
    /// that the application's columns need no table name (`command_log` has a `key` too).
    pub(crate) const COMMAND_CONTEXT_BY_KEY: &str = concat!(
        "select c.request_hash, c.answer, ",
        application_columns!(),
        " from application a left join (select request_hash, answer from command_log \
         where key = $2) c on true where a.key = $1 for update of a"
    );
    pub(crate) const COMMAND_CONTEXT_BY_REFERENCE: &str = concat!(
        "select c.request_hash, c.answer, ",
        application_columns!(),
        " from application a left join (select request_hash, answer from command_log \
         where key = $2) c on true where a.reference = $1 for update of a"
    );

    /// What a submission reads, as one statement (SQLite runs the shared statements one by one):
    /// the enterprise, whether the key is taken, its year (created if needed and locked by the
    /// upsert, a data-modifying CTE SQLite lacks), the de-minimis aid in the window (`$8`: the
    /// prefix of the enterprise's de-minimis account, whose id is known only here), the
    /// provider's registration for the kind, and a fresh application id from the sequence.
    pub(crate) const SUBMISSION_CONTEXT: &str = "with e as (select id, key, name, profile \
         from enterprise where key = $1), \
         y as (insert into enterprise_year (enterprise_id, year) select id, $3 from e \
         on conflict (enterprise_id, year) do update set year = excluded.year \
         returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents) \
         select e.id, e.key, e.name, e.profile, \
         exists(select 1 from application where key = $2) as taken, \
         y.year, y.size_lock, y.ceiling_granted_cents, y.ceiling_reserved_cents, \
         cast(coalesce((select sum(subsidy_cents - returned_to_ceiling_cents \
         - returned_to_budget_cents - recovered_cents) from application a \
         where a.enterprise_id = e.id and a.submitted_on > $4 and a.submitted_on <= $5), 0) \
         + coalesce((select sum(amount_cents) from ledger_transfer \
         where code = 'de_minimis_external' and credit_account = $8 || e.id \
         and date > $4 and date <= $5), 0) as bigint) as de_minimis, \
         r.number, r.state, r.requested_on, r.registered_on, r.valid_until, \
         case when e.id is null then 0 else nextval('application_id_seq') end as next_id \
         from (select 1) one left join e on true left join y on true \
         left join provider_registration r on r.provider_id = $6 and r.kind = $7";

    /// The user behind a token and its mandates in one statement, outside a transaction (SQLite
    /// reads them in a read transaction with the shared statements): one row per mandate, or
    /// one row without a mandate.
    pub(crate) const TOKEN_PRINCIPAL: &str = "select u.id, u.email, u.name, u.password_hash, \
         u.role, u.provider_id, u.created_on, \
         m.id as m_id, m.enterprise_id as m_enterprise_id, e.key as m_enterprise_key, \
         m.scope as m_scope, m.valid_from as m_valid_from, m.valid_until as m_valid_until, \
         m.state as m_state, m.granted_by as m_granted_by \
         from api_token t join app_user u on u.id = t.user_id \
         left join mandate m on m.user_id = u.id left join enterprise e on e.id = m.enterprise_id \
         where t.token_hash = $1 and t.revoked = 0 order by m.id";

    /// A provider's identity, and its old themes out (SQLite: [`super::sqlite`], three
    /// statements). The old themes go first, the new ones in a second statement: in one
    /// data-modifying statement the insert could run before the delete and trip the primary
    /// key.
    pub(crate) const SAVE_PROVIDER_IDENTITY_DROP_THEMES: &str = "with p as (update provider \
         set enterprise_number = $2, iban = $3 where id = $1 returning id) \
         delete from provider_theme where provider_id = $1";
    /// Every theme in one statement, from an array (SQLite has none).
    pub(crate) const INSERT_PROVIDER_THEMES: &str =
        "insert into provider_theme (provider_id, theme) select $1, t from unnest($2::text[]) as t";

    /// Waits for every transaction inserting transfers to end and keeps new ones (and other
    /// payout runs) out until this one commits: no transfer with a seq below the new watermark
    /// can commit after it. SQLite's write transaction holds the whole database already.
    pub(crate) const LOCK_TRANSFERS: &str =
        "lock table ledger_transfer in share row exclusive mode";

    /// Every table's columns, from the catalogue.
    pub(crate) const SCHEMA_COLUMNS: &str = "select table_name::text, column_name::text \
         from information_schema.columns where table_schema = current_schema()";
}

/// Statements only SQLite runs.
pub(crate) mod sqlite {
    /// A fresh application id: SQLite has no sequences; its write transaction holds the whole
    /// database, so the next id is taken by nobody else before this one commits.
    pub(crate) const NEXT_APPLICATION_ID: &str = "select coalesce(max(id), 0) + 1 from application";

    /// A provider's identity and themes, one statement at a time (PostgreSQL: a data-modifying
    /// CTE and an array, [`super::postgres`]).
    pub(crate) const SAVE_PROVIDER_IDENTITY: &str =
        "update provider set enterprise_number = ?2, iban = ?3 where id = ?1";
    pub(crate) const DROP_PROVIDER_THEMES: &str =
        "delete from provider_theme where provider_id = ?1";
    pub(crate) const INSERT_PROVIDER_THEME: &str =
        "insert into provider_theme (provider_id, theme) values (?1, ?2)";

    /// Every table's columns, from the catalogue.
    pub(crate) const SCHEMA_COLUMNS: &str = "select m.name, p.name from sqlite_master m \
         join pragma_table_info(m.name) p where m.type = 'table' and m.name not like 'sqlite_%'";
}

/// Copies `text` into `out` with each `$k` replaced by what `placeholder` writes for `k`.
pub(crate) fn renumber(
    text: &str,
    out: &mut String,
    mut placeholder: impl FnMut(&mut String, usize),
) {
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let digits = from
            .get(1..)
            .map_or(0, |d| d.bytes().take_while(u8::is_ascii_digit).count());
        match from.get(1..=digits).and_then(|d| d.parse::<usize>().ok()) {
            Some(k) => placeholder(out, k),
            None => out.push('$'),
        }
        rest = from.get(1 + digits..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// How many values a statement takes: its highest `$k`.
pub(crate) fn parameters(text: &str) -> usize {
    let mut highest = 0;
    renumber(text, &mut String::new(), |_, k| highest = highest.max(k));
    highest
}

/// Which form of a statement: PostgreSQL's placeholders (`$1`) or SQLite's (`?1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    const fn mark(self) -> char {
        match self {
            Dialect::Postgres => '$',
            Dialect::Sqlite => '?',
        }
    }
}

/// A multi-row insert from a one-row insert statement (`… values ($1, …, $K)`): `rows` rows,
/// their placeholders numbered on after `bound` values already bound.
pub(crate) fn insert_rows(one_row: &Statement, rows: usize, bound: usize, to: Dialect) -> String {
    let text = one_row.postgres;
    let (head, row) = text
        .rfind("values (")
        .map_or((text, ""), |at| text.split_at(at + "values ".len()));
    let width = parameters(row);
    let mut out = String::with_capacity(head.len() + rows * (row.len() + 16));
    out.push_str(head);
    for i in 0..rows {
        if i > 0 {
            out.push_str(", ");
        }
        let base = bound + i * width;
        renumber(row, &mut out, |out, k| placeholder(out, to, base + k));
    }
    out
}

/// Writes the placeholder of the `n`th value.
pub(crate) fn placeholder(out: &mut String, to: Dialect, n: usize) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(out, "{}{n}", to.mark());
}

/// Transfers one insert statement takes at most.
pub(crate) const TRANSFERS_PER_INSERT_MAX: usize = 50;

/// The insert of `rows` transfers (1 to [`TRANSFERS_PER_INSERT_MAX`], starting at `$1`), made
/// once per row count and dialect and kept: every command inserts a few.
pub(crate) fn insert_transfers(rows: usize, to: Dialect) -> Cow<'static, str> {
    type Kept = [OnceLock<String>; TRANSFERS_PER_INSERT_MAX];
    static POSTGRES: Kept = [const { OnceLock::new() }; TRANSFERS_PER_INSERT_MAX];
    static SQLITE: Kept = [const { OnceLock::new() }; TRANSFERS_PER_INSERT_MAX];
    let kept = match to {
        Dialect::Postgres => &POSTGRES,
        Dialect::Sqlite => &SQLITE,
    };
    let make = || insert_rows(&INSERT_TRANSFER, rows, 0, to);
    match rows.checked_sub(1).and_then(|i| kept.get(i)) {
        Some(cell) => Cow::Borrowed(cell.get_or_init(make).as_str()),
        None => Cow::Owned(make()),
    }
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (escape character `\`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]
    use super::*;

    #[test]
    fn sqlite_gets_the_same_text_with_question_marks() {
        assert_eq!(
            UPDATE_ENTERPRISE.postgres,
            "update enterprise set name = $2, profile = $3 where id = $1"
        );
        assert_eq!(
            UPDATE_ENTERPRISE.sqlite,
            "update enterprise set name = ?2, profile = ?3 where id = ?1"
        );
        assert_eq!(
            APPLICATION_BY_KEY_FOR_UPDATE,
            format!("{} for update", APPLICATION_BY_KEY.postgres)
        );
        for (name, s) in ALL {
            assert_eq!(s.sqlite.replace('?', "$"), s.postgres, "{name}");
            assert!(!s.postgres.contains("::"), "{name}: a PostgreSQL-only cast");
            assert!(
                !s.postgres.contains("  "),
                "{name}: a line break lost its space"
            );
        }
    }

    #[test]
    fn multi_row_inserts_number_their_rows_on() {
        assert_eq!(
            insert_rows(&INSERT_PARTICIPANT, 2, 3, Dialect::Postgres),
            "insert into application_participant (application_id, position, name, worker_status) \
             values ($4, $5, $6, $7), ($8, $9, $10, $11)"
        );
        assert!(
            insert_transfers(1, Dialect::Sqlite)
                .ends_with("values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        );
        assert_eq!(parameters(INSERT_APPLICATION.postgres), 29);
        assert_eq!(parameters(UPDATE_APPLICATION.postgres), 16);
    }

    /// Every statement, as each backend runs it, compiles against the migrated schema.
    #[tokio::test]
    async fn every_statement_prepares_on_both_databases() {
        use crate::scratch::{Scratch, backends_under_test};
        use kmo_app::store::Store;
        use sqlx::Executor;

        let sqlite_only = [
            sqlite::NEXT_APPLICATION_ID,
            sqlite::SAVE_PROVIDER_IDENTITY,
            sqlite::DROP_PROVIDER_THEMES,
            sqlite::INSERT_PROVIDER_THEME,
            sqlite::SCHEMA_COLUMNS,
        ];
        let postgres_only = [
            postgres::NEXT_APPLICATION_ID,
            postgres::COMMAND_CONTEXT_BY_KEY,
            postgres::COMMAND_CONTEXT_BY_REFERENCE,
            postgres::SUBMISSION_CONTEXT,
            postgres::TOKEN_PRINCIPAL,
            postgres::SAVE_PROVIDER_IDENTITY_DROP_THEMES,
            postgres::INSERT_PROVIDER_THEMES,
            postgres::SCHEMA_COLUMNS,
        ];
        for base in backends_under_test() {
            let scratch = Scratch::create(base.as_deref(), 1).await.unwrap();
            match scratch.db.begin().await.unwrap() {
                crate::Tx::Sqlite(tx) => {
                    let rows = [
                        insert_transfers(2, Dialect::Sqlite).into_owned(),
                        insert_rows(&INSERT_PARTICIPANT, 2, 0, Dialect::Sqlite),
                    ];
                    let texts = ALL.iter().map(|(name, s)| (*name, s.sqlite));
                    let texts = texts
                        .chain(sqlite_only.iter().map(|s| ("sqlite only", *s)))
                        .chain(rows.iter().map(|s| ("rows", s.as_str())));
                    for (name, text) in texts {
                        tx.prepare(text).unwrap_or_else(|e| panic!("{name}: {e}"));
                    }
                }
                crate::Tx::Postgres(mut tx) => {
                    let rows = [
                        insert_transfers(2, Dialect::Postgres).into_owned(),
                        insert_rows(&INSERT_PARTICIPANT, 2, 0, Dialect::Postgres),
                    ];
                    let texts = ALL.iter().map(|(name, s)| (*name, s.postgres));
                    let texts = texts
                        .chain(ALL_FOR_UPDATE.iter().copied())
                        .chain(postgres_only.iter().map(|s| ("postgres only", *s)))
                        .chain(rows.iter().map(|s| ("rows", s.as_str())));
                    for (name, text) in texts {
                        (&mut *tx.0)
                            .prepare(text)
                            .await
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                    }
                }
            }
            scratch.drop_it().await;
        }
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_escape("10%_a\\b"), "10\\%\\_a\\\\b");
    }
}
