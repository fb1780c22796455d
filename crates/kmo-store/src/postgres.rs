//! PostgreSQL through sqlx: row locks (`SELECT … FOR UPDATE`, upserts) serialise the commands
//! that touch one enterprise-year or one application; see the crate documentation.

use std::collections::BTreeSet;

use kmo_app::lifecycle::Application;
use kmo_app::store::MoneyOut;
use kmo_app::store::{
    AppLookup, AppOwner, AuditRecord, CommandContext, DraftRecord, EnterpriseRecord,
    EnterpriseYear, IdempotentAnswer, Keyed, LetterRecord, ListRequestRecord, ListedService,
    MandateRecord, PayableCredit, ProviderProfile, ProviderRecord, StatisticsCell, StoreError,
    SubmissionContext, SubmissionQuery, TokenRecord, UserRecord, Writes,
};
use kmo_domain::{Cents, Date, EnterpriseSize};
use kmo_ledger::Transfer;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, Encode, Postgres, Transaction, Type};

use crate::Migration;
use crate::rows::{self, AppRow, AuditRow, EnterpriseRow, ProviderRow, TransferRow, YearRow};

fn list_request_record(
    (id, key, provider, service, state, body): (i64, String, i64, i64, String, String),
) -> ListRequestRecord {
    ListRequestRecord {
        id,
        key,
        provider,
        service,
        state,
        body,
    }
}

/// Maps a database error to the store's error: lost races are `Conflict`.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        // Serialization failure, deadlock, unique violation (a concurrent insert).
        if matches!(code.as_str(), "40001" | "40P01" | "23505") {
            return StoreError::Conflict;
        }
        return StoreError::Database(format!("{} ({code})", db.message()));
    }
    if matches!(e, sqlx::Error::PoolTimedOut) {
        return StoreError::Conflict;
    }
    StoreError::Database(e.to_string())
}

/// One statement built from parts: data-modifying CTEs, each `wN as (… returning 1)`, with
/// their parameters numbered in order. PostgreSQL runs every part exactly once, and checks the
/// foreign keys at the end of the statement.
struct Batch {
    parts: Vec<String>,
    args: PgArguments,
    n: usize,
    error: Option<String>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            parts: Vec::new(),
            args: PgArguments::default(),
            n: 0,
            error: None,
        }
    }

    /// Binds a value; its placeholder.
    fn p<'q, T: Encode<'q, Postgres> + Type<Postgres> + 'q>(&mut self, v: T) -> String {
        if let Err(e) = self.args.add(v) {
            self.error.get_or_insert(e.to_string());
        }
        self.n += 1;
        format!("${}", self.n)
    }

    /// Adds a part; returns its name.
    fn part(&mut self, sql: String) -> String {
        self.part_returning(sql, "1")
    }

    /// Adds a part returning `what`; returns its name.
    fn part_returning(&mut self, sql: String, what: &str) -> String {
        let name = format!("w{}", self.parts.len());
        self.parts
            .push(format!("{name} as ({sql} returning {what})"));
        name
    }
}

/// One PostgreSQL transaction; rolled back when dropped without commit.
#[derive(Debug)]
pub struct PgTx(
    pub(crate) Transaction<'static, Postgres>,
    /// A read-only transaction (`Store::read`): rows are read without `for update`, which
    /// PostgreSQL refuses there.
    pub(crate) bool,
);

/// Runs `$body` with `$c` the transaction's connection.
macro_rules! dispatch {
    ($tx:expr, $c:ident => $body:expr) => {{
        let $c = &mut *$tx.0;
        $body
    }};
}

const APP_COLUMNS: &str = "id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, \
     eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, \
     returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, seq, \
     blocked_from, recovered_cents, recovery_received_cents, audit_hash";

macro_rules! app_query {
    ($where:literal) => {
        concat!(
            "select id, key, enterprise_id, provider_id, submitted_on, state, closed_on, size, rate_bp, rule_set, ",
            "eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, ",
            "returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, seq, ",
            "blocked_from, recovered_cents, recovery_received_cents, audit_hash ",
            "from application where ",
            $where
        )
    };
}

impl PgTx {
    /// Creates the migrations table if needed and returns the applied versions and checksums.
    pub(crate) async fn applied_migrations(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        let c = &mut *self.0;
        sqlx::raw_sql(crate::migrate::CREATE_MIGRATION_TABLE)
            .execute(&mut *c)
            .await
            .map_err(map_err)?;
        sqlx::query_as("select version, checksum from kmo_migration order by version")
            .fetch_all(c)
            .await
            .map_err(map_err)
    }

    /// Every table's columns (for the test that keeps both backends' schemas in step).
    pub(crate) async fn schema_columns(
        &mut self,
    ) -> Result<BTreeSet<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select table_name::text, column_name::text from information_schema.columns where table_schema = current_schema()",
        )
        .fetch_all(&mut *self.0)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().collect())
    }

    /// Runs one migration script and records it, in this transaction.
    pub(crate) async fn apply_migration(
        &mut self,
        sql: &str,
        m: &Migration,
        checksum: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => {
            sqlx::raw_sql(sql).execute(&mut *c).await.map_err(map_err)?;
            sqlx::query("insert into kmo_migration (version, name, checksum) values ($1, $2, $3)")
                .bind(m.version).bind(m.name).bind(checksum).execute(c).await.map_err(map_err)?.rows_affected()
        });
        Ok(())
    }
}

impl PgTx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(map_err)
    }

    pub(crate) async fn clock(&mut self) -> Result<Option<Date>, StoreError> {
        let clock: Option<String> = dispatch!(self, c => sqlx::query_scalar("select clock from platform_state where id = 1").fetch_one(c).await.map_err(map_err)?);
        clock.map(|c| rows::date(&c)).transpose()
    }

    pub(crate) async fn set_clock(&mut self, date: Date) -> Result<(), StoreError> {
        let d = date.to_string();
        dispatch!(self, c => sqlx::query("update platform_state set clock = $1 where id = 1").bind(&d).execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    pub(crate) async fn enterprise_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<EnterpriseRecord>, StoreError> {
        let row: Option<EnterpriseRow> = dispatch!(self, c => sqlx::query_as("select id, key, name, profile from enterprise where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        row.map(EnterpriseRow::into_record).transpose()
    }

    pub(crate) async fn insert_enterprise(
        &mut self,
        key: &str,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let p = profile.to_string();
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into enterprise (key, name, profile) values ($1, $2, $3) returning id").bind(key).bind(name).bind(&p).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn provider_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<ProviderRecord>, StoreError> {
        let row: Option<ProviderRow> = dispatch!(self, c => sqlx::query_as("select id, key, name from provider where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row.map(|r| ProviderRecord {
            id: r.id,
            key: r.key,
            name: r.name,
        }))
    }

    pub(crate) async fn insert_provider(
        &mut self,
        key: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into provider (key, name) values ($1, $2) returning id").bind(key).bind(name).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn applications_page(
        &mut self,
        owner: AppOwner,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let (filter, id) = match owner {
            AppOwner::Enterprise(id) => ("enterprise_id = $1", id),
            AppOwner::Provider(id) => ("provider_id = $1", id),
            AppOwner::AwaitingDeposit => ("state = 'submitted' and $1 = 0", 0),
        };
        let sql = format!(
            "select {APP_COLUMNS} from application where {filter} and id > $2 order by id limit $3"
        );
        let rows: Vec<AppRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(id).bind(after).bind(i64::from(limit))
            .fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(|r| {
                let key = r.key.clone();
                r.into_application().map(|a| (key, a))
            })
            .collect()
    }

    pub(crate) async fn update_enterprise(
        &mut self,
        id: i64,
        name: &str,
        profile: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let p = profile.to_string();
        dispatch!(self, c => sqlx::query("update enterprise set name = $2, profile = $3 where id = $1").bind(id).bind(name).bind(&p).execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn statistics(
        &mut self,
        from: Date,
        to: Date,
    ) -> Result<Vec<StatisticsCell>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            month: String,
            theme: String,
            size: String,
            applications: i64,
            subsidy_cents: i64,
            returned_cents: i64,
            paid_subsidy_cents: i64,
        }
        let rows: Vec<Row> = dispatch!(self, c => sqlx::query_as(
            "select substr(a.submitted_on, 1, 7) as month, coalesce(s.theme, '') as theme, a.size, \
             count(*) as applications, sum(a.subsidy_cents)::bigint as subsidy_cents, \
             sum(a.returned_to_budget_cents)::bigint as returned_cents, sum(a.paid_subsidy_cents)::bigint as paid_subsidy_cents \
             from application a join service s on s.id = a.service_id \
             where a.submitted_on between $1 and $2 group by 1, 2, 3 order by 1, 2, 3")
            .bind(from.to_string()).bind(to.to_string())
            .fetch_all(c).await.map_err(map_err)?);
        Ok(rows
            .into_iter()
            .map(|r| StatisticsCell {
                month: r.month,
                theme: r.theme,
                size: r.size,
                applications: r.applications,
                subsidy_cents: r.subsidy_cents,
                returned_cents: r.returned_cents,
                paid_subsidy_cents: r.paid_subsidy_cents,
            })
            .collect())
    }

    pub(crate) async fn provider_payouts(
        &mut self,
        provider: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        let rows: Vec<MoneyOutRow> = dispatch!(self, c => sqlx::query_as(
            "select seq, id as transfer, null::text as application, amount_cents, date from ledger_transfer \
             where code = 'provider_paid' and debit_account = $1 and seq > $2 order by seq limit $3")
            .bind(format!("provider_payable:{provider}")).bind(after).bind(i64::from(limit))
            .fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(MoneyOutRow::into_record).collect()
    }

    pub(crate) async fn enterprise_refunds(
        &mut self,
        enterprise: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<MoneyOut>, StoreError> {
        let rows: Vec<MoneyOutRow> = dispatch!(self, c => sqlx::query_as(
            "select t.seq, t.id as transfer, a.key as application, t.amount_cents, t.date from ledger_transfer t \
             join application a on a.id = t.application_id \
             where t.code = 'refund_paid' and a.enterprise_id = $1 and t.seq > $2 order by t.seq limit $3")
            .bind(enterprise).bind(after).bind(i64::from(limit))
            .fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(MoneyOutRow::into_record).collect()
    }

    pub(crate) async fn attempt_failures(
        &mut self,
        key: &str,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let row: Option<(i64, i64)> = dispatch!(self, c => sqlx::query_as(
            "select failures, first_at from attempt_failure where key = $1")
            .bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row)
    }

    pub(crate) async fn record_attempt_failure(
        &mut self,
        key: &str,
        now: i64,
        window: i64,
    ) -> Result<(), StoreError> {
        // Two statements: in one, the delete and the upsert could touch the same row.
        dispatch!(self, c => sqlx::query("delete from attempt_failure where first_at <= $1")
            .bind(now.saturating_sub(window)).execute(c).await.map_err(map_err)?);
        dispatch!(self, c => sqlx::query(
            "insert into attempt_failure (key, failures, first_at) values ($1, 1, $2) \
             on conflict (key) do update set failures = attempt_failure.failures + 1")
            .bind(key).bind(now)
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn clear_attempt_failures(&mut self, key: &str) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("delete from attempt_failure where key = $1")
            .bind(key).execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn search_providers(
        &mut self,
        name: &str,
        theme: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ProviderRecord>, StoreError> {
        let pattern = format!("%{}%", crate::sqlite::like_escape(&name.to_lowercase()));
        let rows: Vec<ProviderRow> = dispatch!(self, c => sqlx::query_as(
            "select id, key, name from provider p where lower(name) like $1 escape '\\' \
             and ($2::text is null or exists (select 1 from provider_theme t where t.provider_id = p.id and t.theme = $2)) \
             and id > $3 order by id limit $4")
            .bind(pattern).bind(theme).bind(after).bind(i64::from(limit))
            .fetch_all(c).await.map_err(map_err)?);
        Ok(rows
            .into_iter()
            .map(|r| ProviderRecord {
                id: r.id,
                key: r.key,
                name: r.name,
            })
            .collect())
    }

    pub(crate) async fn audit_stream(
        &mut self,
        stream: &str,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = dispatch!(self, c => sqlx::query_as(
            "select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log where stream = $1 order by seq")
            .bind(stream).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(AuditRow::into_record).collect()
    }

    pub(crate) async fn idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>, StoreError> {
        let row: Option<(String, i64, String)> = dispatch!(self, c => sqlx::query_as(
            "select request_hash, status::bigint, body from idempotency_key where scope = $1 and key = $2")
            .bind(scope).bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row.map(|(request_hash, status, body)| IdempotentAnswer {
            request_hash,
            status,
            body,
        }))
    }

    pub(crate) async fn save_idempotent_answer(
        &mut self,
        scope: &str,
        key: &str,
        a: &IdempotentAnswer,
        on: Date,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query(
            "insert into idempotency_key (scope, key, request_hash, status, body, created_on) values ($1, $2, $3, $4, $5, $6) on conflict do nothing")
            .bind(scope).bind(key).bind(&a.request_hash).bind(a.status).bind(&a.body).bind(on.to_string())
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn key_of(
        &mut self,
        kind: Keyed,
        id: i64,
    ) -> Result<Option<String>, StoreError> {
        let sql = format!("select key from {} where id = $1", kind.table());
        let key: Option<String> = dispatch!(self, c => sqlx::query_scalar(&sql).bind(id).fetch_optional(c).await.map_err(map_err)?);
        Ok(key)
    }

    pub(crate) async fn insert_user(&mut self, u: &UserRecord) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into app_user (email, name, password_hash, role, provider_id, created_on) values ($1, $2, $3, $4, $5, $6) returning id")
            .bind(&u.email).bind(&u.name).bind(&u.password_hash).bind(&u.role).bind(u.provider).bind(u.created_on.to_string())
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn user_by_email(
        &mut self,
        email: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "select {} from app_user where email = $1",
            crate::rows::USER_COLUMNS
        );
        let row: Option<crate::rows::UserRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(email).fetch_optional(c).await.map_err(map_err)?);
        row.map(crate::rows::UserRow::into_record).transpose()
    }

    pub(crate) async fn user_by_id(&mut self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "select {} from app_user where id = $1",
            crate::rows::USER_COLUMNS
        );
        let row: Option<crate::rows::UserRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await.map_err(map_err)?);
        row.map(crate::rows::UserRow::into_record).transpose()
    }

    pub(crate) async fn insert_token(
        &mut self,
        t: &TokenRecord,
        hash: &str,
    ) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into api_token (user_id, name, token_hash, created_on, revoked) values ($1, $2, $3, $4, 0) returning id")
            .bind(t.user).bind(&t.name).bind(hash).bind(t.created_on.to_string())
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn user_by_token_hash(
        &mut self,
        hash: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "select {} from app_user where id = (select user_id from api_token where token_hash = $1 and revoked = 0)",
            crate::rows::USER_COLUMNS
        );
        let row: Option<crate::rows::UserRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(hash).fetch_optional(c).await.map_err(map_err)?);
        row.map(crate::rows::UserRow::into_record).transpose()
    }

    pub(crate) async fn tokens_of(&mut self, user: i64) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!(
            "select {} from api_token where user_id = $1 order by id",
            crate::rows::TOKEN_COLUMNS
        );
        let rows: Vec<crate::rows::TokenRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(user).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(crate::rows::TokenRow::into_record)
            .collect()
    }

    pub(crate) async fn revoke_token(&mut self, user: i64, token: i64) -> Result<bool, StoreError> {
        let done = dispatch!(self, c => sqlx::query("update api_token set revoked = 1 where id = $1 and user_id = $2")
            .bind(token).bind(user).execute(c).await.map_err(map_err)?);
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn insert_session(
        &mut self,
        token_hash: &str,
        user: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query(
            "insert into web_session (token_hash, user_id, csrf_token, expires_at) values ($1, $2, $3, $4)")
            .bind(token_hash).bind(user).bind(csrf_token).bind(expires_at)
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn session_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let found: Option<(i64, String)> = dispatch!(self, c => sqlx::query_as(
            "select user_id, csrf_token from web_session where token_hash = $1 and expires_at > $2")
            .bind(token_hash).bind(now).fetch_optional(c).await.map_err(map_err)?);
        match found {
            Some((user, csrf)) => Ok(self.user_by_id(user).await?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    pub(crate) async fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("delete from web_session where token_hash = $1")
            .bind(token_hash).execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn insert_letter(
        &mut self,
        l: &LetterRecord,
        code_hash: &str,
    ) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into activation_letter (user_id, enterprise_id, code, code_hash, issued_on, valid_until) values ($1, $2, $3, $4, $5, $6) returning id")
            .bind(l.user).bind(l.enterprise).bind(&l.code).bind(code_hash)
            .bind(l.issued_on.to_string()).bind(l.valid_until.to_string())
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn letter(
        &mut self,
        id: Option<i64>,
        code_hash: Option<&str>,
    ) -> Result<Option<LetterRecord>, StoreError> {
        let sql = format!(
            "{} where ($1::bigint is null or id = $1) and ($2::text is null or code_hash = $2)",
            crate::rows::LETTER_SELECT
        );
        let row: Option<crate::rows::LetterRow> = dispatch!(self, c => sqlx::query_as(&sql)
            .bind(id).bind(code_hash).fetch_optional(c).await.map_err(map_err)?);
        row.map(crate::rows::LetterRow::into_record).transpose()
    }

    pub(crate) async fn update_letter(
        &mut self,
        id: i64,
        printed_on: Option<Date>,
        used_on: Option<Date>,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query(
            "update activation_letter set printed_on = coalesce($2, printed_on), \
             code = case when $2::text is null then code else null end, used_on = coalesce($3, used_on) where id = $1")
            .bind(id).bind(printed_on.map(|d| d.to_string())).bind(used_on.map(|d| d.to_string()))
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn insert_mandate(&mut self, m: &MandateRecord) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into mandate (user_id, enterprise_id, scope, valid_from, valid_until, state, granted_by) values ($1, $2, $3, $4, $5, $6, $7) returning id")
            .bind(m.user).bind(m.enterprise).bind(&m.scope).bind(m.valid_from.to_string())
            .bind(m.valid_until.map(|d| d.to_string())).bind(&m.state).bind(m.granted_by)
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    async fn mandates_where(
        &mut self,
        filter: &str,
        value: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        let sql = format!(
            "{} where {filter} = $1 order by m.id",
            crate::rows::MANDATE_SELECT
        );
        let rows: Vec<crate::rows::MandateRow> = dispatch!(self, c => sqlx::query_as(&sql).bind(value).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(crate::rows::MandateRow::into_record)
            .collect()
    }

    pub(crate) async fn mandates_of(
        &mut self,
        user: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        self.mandates_where("m.user_id", user).await
    }

    pub(crate) async fn enterprise_mandates(
        &mut self,
        enterprise: i64,
    ) -> Result<Vec<MandateRecord>, StoreError> {
        self.mandates_where("m.enterprise_id", enterprise).await
    }

    pub(crate) async fn mandate_by_id(
        &mut self,
        id: i64,
    ) -> Result<Option<MandateRecord>, StoreError> {
        Ok(self.mandates_where("m.id", id).await?.into_iter().next())
    }

    pub(crate) async fn set_mandate_state(
        &mut self,
        id: i64,
        state: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("update mandate set state = $2 where id = $1")
            .bind(id).bind(state).execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn provider_profile(
        &mut self,
        provider: i64,
    ) -> Result<ProviderProfile, StoreError> {
        let (enterprise_number, iban): (Option<String>, Option<String>) = dispatch!(self, c => sqlx::query_as("select enterprise_number, iban from provider where id = $1")
            .bind(provider).fetch_one(c).await.map_err(map_err)?);
        let themes: Vec<String> = dispatch!(self, c => sqlx::query_scalar("select theme from provider_theme where provider_id = $1 order by theme")
            .bind(provider).fetch_all(c).await.map_err(map_err)?);
        Ok(ProviderProfile {
            enterprise_number,
            iban,
            themes,
        })
    }

    pub(crate) async fn save_provider_profile(
        &mut self,
        provider: i64,
        profile: &ProviderProfile,
    ) -> Result<(), StoreError> {
        // The old themes out first, then the new ones in: one data-modifying statement could
        // run its insert before its delete and trip the primary key.
        dispatch!(self, c => sqlx::query(
            "with p as (update provider set enterprise_number = $2, iban = $3 where id = $1 returning id) \
             delete from provider_theme where provider_id = $1")
            .bind(provider).bind(&profile.enterprise_number).bind(&profile.iban)
            .execute(c).await.map_err(map_err)?);
        dispatch!(self, c => sqlx::query("insert into provider_theme (provider_id, theme) select $1, t from unnest($2::text[]) as t")
            .bind(provider).bind(&profile.themes)
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn insert_listed_service(
        &mut self,
        provider: i64,
        service: &ListedService,
    ) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into service (provider_id, kind, theme, sub_theme, body, price_cents, on_occupation_list, listed, name) \
             values ($1, $2, $3, $4, $5, $6, $7, 1, $8) returning id")
            .bind(provider).bind(&service.kind).bind(&service.theme).bind(&service.sub_theme)
            .bind(crate::rows::listed_body(service)).bind(service.price.get())
            .bind(i64::from(service.on_occupation_list)).bind(&service.name)
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn listed_services(
        &mut self,
        provider: i64,
    ) -> Result<Vec<(i64, ListedService)>, StoreError> {
        let sql = format!(
            "select {} from service where provider_id = $1 and listed = 1 order by id",
            crate::rows::LISTED_COLUMNS
        );
        let rows: Vec<crate::rows::ListedRow> = dispatch!(self, c => sqlx::query_as(&sql)
            .bind(provider).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(crate::rows::ListedRow::into_listed)
            .collect()
    }

    pub(crate) async fn insert_service(
        &mut self,
        provider: i64,
        service: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let text = |k: &str| {
            service
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let (kind, theme, sub_theme, body) = (
            text("kind"),
            text("theme"),
            text("sub_theme"),
            service.to_string(),
        );
        let id: i64 = dispatch!(self, c => sqlx::query_scalar("insert into service (provider_id, kind, theme, sub_theme, body) values ($1, $2, $3, $4, $5) returning id")
            .bind(provider).bind(&kind).bind(&theme).bind(&sub_theme).bind(&body).fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn find_enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<Option<EnterpriseYear>, StoreError> {
        let sql = "select enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents \
                   from enterprise_year where enterprise_id = $1 and year = $2";
        let row: Option<YearRow> = dispatch!(self, c => sqlx::query_as(sql).bind(enterprise).bind(i64::from(year)).fetch_optional(c).await.map_err(map_err)?);
        row.map(YearRow::into_year).transpose()
    }

    pub(crate) async fn enterprise_year(
        &mut self,
        enterprise: i64,
        year: i32,
    ) -> Result<EnterpriseYear, StoreError> {
        // One statement: create the row if needed and return it. On PostgreSQL the upsert's
        // `do update` takes the row lock, which serialises submissions for the enterprise-year.
        let sql = "insert into enterprise_year (enterprise_id, year) values ($1, $2) \
                   on conflict (enterprise_id, year) do update set year = excluded.year \
                   returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents";
        let row: YearRow = dispatch!(self, c => sqlx::query_as(sql).bind(enterprise).bind(i64::from(year)).fetch_one(c).await.map_err(map_err)?);
        row.into_year()
    }

    pub(crate) async fn de_minimis_granted(
        &mut self,
        enterprise: i64,
        after: Date,
        until: Date,
    ) -> Result<Cents, StoreError> {
        // Aid of the enterprise's applications (S − returned, dated at submission) plus declared
        // external aid (dated when granted). `kmo ledger check` proves these equal the
        // de-minimis account of the ledger.
        let account = kmo_ledger::AccountKey::DeMinimisGranted { enterprise }.to_string();
        let (a, u) = (after.to_string(), until.to_string());
        let sql = "select cast(coalesce((select sum(subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents - recovered_cents) from application \
                   where enterprise_id = $1 and submitted_on > $2 and submitted_on <= $3), 0) \
                   + coalesce((select sum(amount_cents) from ledger_transfer where code = 'de_minimis_external' \
                   and credit_account = $4 and date > $5 and date <= $6), 0) as bigint)";
        let sum: i64 = dispatch!(self, c => sqlx::query_scalar::<_, i64>(sql).bind(enterprise).bind(&a).bind(&u).bind(&account).bind(&a).bind(&u).fetch_one(c).await.map_err(map_err)?);
        Ok(Cents::new(sum))
    }

    pub(crate) async fn next_application_id(&mut self) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar("select nextval('application_id_seq')")
            .fetch_one(&mut *self.0)
            .await
            .map_err(map_err)?;
        Ok(id)
    }

    pub(crate) async fn application_by_key(
        &mut self,
        key: &str,
    ) -> Result<Option<Application>, StoreError> {
        let sql = if self.1 {
            app_query!("key = $1")
        } else {
            app_query!("key = $1 for update")
        };
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(key).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    pub(crate) async fn application_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<Application>, StoreError> {
        let sql = if self.1 {
            app_query!("reference = $1")
        } else {
            app_query!("reference = $1 for update")
        };
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(reference).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    pub(crate) async fn application_by_id(
        &mut self,
        id: i64,
    ) -> Result<Option<Application>, StoreError> {
        let sql = if self.1 {
            app_query!("id = $1")
        } else {
            app_query!("id = $1 for update")
        };
        let row: Option<AppRow> = dispatch!(self, c => sqlx::query_as(sql).bind(id).fetch_optional(c).await.map_err(map_err)?);
        row.map(AppRow::into_application).transpose()
    }

    pub(crate) async fn due_applications(&mut self, date: Date) -> Result<Vec<i64>, StoreError> {
        let d = date.to_string();
        let sql = "select id from application where state = 'submitted' and lapse_on <= $1 \
                   union all select id from application where state in ('funded', 'partially_paid') and expire_on <= $2";
        let mut ids: Vec<i64> = dispatch!(self, c => sqlx::query_scalar(sql).bind(&d).bind(&d).fetch_all(c).await.map_err(map_err)?);
        // Two index range scans (a union with `order by` would sort a scan of the table).
        ids.sort_unstable();
        Ok(ids)
    }

    /// The command's stored answer and its application (locked), as one statement when the
    /// application exists (a second one only when it does not).
    pub(crate) async fn command_context(
        &mut self,
        command_key: &str,
        application: AppLookup<'_>,
    ) -> Result<CommandContext, StoreError> {
        let (column, value) = match application {
            AppLookup::Key(k) => ("key", k),
            AppLookup::Reference(r) => ("reference", r),
            AppLookup::Nothing => return Ok((self.command_result(command_key).await?, None)),
        };
        let columns: Vec<String> = APP_COLUMNS
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect();
        let sql = format!(
            "select c.request_hash, c.answer, {} from application a left join command_log c on c.key = $2 \
             where a.{column} = $1 for update of a",
            columns.join(", ")
        );
        let row: Option<rows::AppWithCommandRow> = sqlx::query_as(&sql)
            .bind(value)
            .bind(command_key)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(map_err)?;
        match row {
            Some(r) => {
                let seen = r.request_hash.zip(r.answer);
                Ok((seen, Some(r.app.into_application()?)))
            }
            None => Ok((self.command_result(command_key).await?, None)),
        }
    }

    /// What a submission reads, as one statement: the enterprise, whether the key is taken, its
    /// year (created if needed and locked by the upsert), the de-minimis aid in the window, the
    /// provider's registration for the kind, and a fresh application id.
    pub(crate) async fn submission_context(
        &mut self,
        q: &SubmissionQuery<'_>,
    ) -> Result<SubmissionContext, StoreError> {
        let sql = "with e as (select id, key, name, profile from enterprise where key = $1), \
             y as (insert into enterprise_year (enterprise_id, year) select id, $3 from e \
                   on conflict (enterprise_id, year) do update set year = excluded.year \
                   returning enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents) \
             select e.id, e.key, e.name, e.profile, \
                exists(select 1 from application where key = $2) as taken, \
                y.year, y.size_lock, y.ceiling_granted_cents, y.ceiling_reserved_cents, \
                cast(coalesce((select sum(subsidy_cents - returned_to_ceiling_cents - returned_to_budget_cents - recovered_cents) from application a \
                   where a.enterprise_id = e.id and a.submitted_on > $4 and a.submitted_on <= $5), 0) \
                 + coalesce((select sum(amount_cents) from ledger_transfer where code = 'de_minimis_external' \
                   and credit_account = 'de_minimis:' || e.id and date > $4 and date <= $5), 0) as bigint) as de_minimis, \
                r.number, r.state, r.requested_on, r.registered_on, r.valid_until, \
                case when e.id is null then 0 else nextval('application_id_seq') end as next_id \
             from (select 1) one left join e on true left join y on true \
             left join provider_registration r on r.provider_id = $6 and r.kind = $7";
        let row: rows::ContextRow = sqlx::query_as(sql)
            .bind(q.enterprise_key)
            .bind(q.application_key)
            .bind(i64::from(q.year))
            .bind(q.de_minimis_after.to_string())
            .bind(q.de_minimis_until.to_string())
            .bind(q.provider.filter(|_| q.kind.is_some()))
            .bind(q.kind.map(kmo_domain::ServiceKind::code))
            .fetch_one(&mut *self.0)
            .await
            .map_err(map_err)?;
        row.into_context()
    }

    /// Everything a command writes, as one statement (one round trip).
    pub(crate) async fn write(&mut self, w: &Writes<'_>) -> Result<(), StoreError> {
        let mut b = Batch::new();
        if let Some(n) = &w.new_application {
            let app = n.application;
            let text = |k: &str| {
                n.service
                    .get(k)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            let sql = format!(
                "insert into service (provider_id, kind, theme, sub_theme, body) values ({}, {}, {}, {}, {})",
                b.p(app.provider),
                b.p(text("kind")),
                b.p(text("theme")),
                b.p(text("sub_theme")),
                b.p(n.service.to_string())
            );
            let service = b.part_returning(sql, "id");
            let r = rows::AppValues::of(app);
            let values = [
                b.p(app.id),
                b.p(n.key),
                b.p(n.reference),
                b.p(app.enterprise),
                b.p(app.provider),
                format!("(select id from {service})"),
                b.p(r.submitted_on.clone()),
                b.p(app.state.code()),
                b.p(r.closed_on.clone()),
                b.p(app.size.code()),
                b.p(i64::from(app.rate_bp)),
                b.p(app.rule_set.clone()),
                b.p(app.eligible.get()),
                b.p(app.subsidy.get()),
                b.p(app.own_share.get()),
                b.p(app.deposited.get()),
                b.p(app.paid_own.get()),
                b.p(app.paid_subsidy.get()),
                b.p(app.refunded.get()),
                b.p(app.returned_to_ceiling.get()),
                b.p(app.returned_to_budget.get()),
                b.p(app.returned_deposits.get()),
                b.p(r.deposit_deadline.clone()),
                b.p(r.payment_deadline.clone()),
                b.p(r.lapse_on.clone()),
                b.p(r.expire_on.clone()),
                b.p(i64::from(app.seq)),
                b.p(n.case),
                b.p(app.audit_hash.clone()),
            ]
            .join(", ");
            b.part(format!(
                "insert into application (id, key, reference, enterprise_id, provider_id, service_id, submitted_on, state, closed_on, size, rate_bp, rule_set, \
                 eligible_cents, subsidy_cents, own_share_cents, deposited_cents, paid_own_cents, paid_subsidy_cents, refunded_cents, \
                 returned_to_ceiling_cents, returned_to_budget_cents, returned_deposits_cents, deposit_deadline, payment_deadline, lapse_on, expire_on, seq, case_json, audit_hash) \
                 values ({values})"
            ));
            if !n.participants.is_empty() {
                let mut rows = Vec::with_capacity(n.participants.len());
                for (position, (name, status)) in n.participants.iter().enumerate() {
                    let position = i64::try_from(position).unwrap_or(i64::MAX);
                    rows.push(format!(
                        "({}, {}, {}, {})",
                        b.p(app.id),
                        b.p(position),
                        b.p(name.as_str()),
                        b.p(status.code())
                    ));
                }
                b.part(format!(
                    "insert into application_participant (application_id, position, name, worker_status) values {}",
                    rows.join(", ")
                ));
            }
        }
        let updated = if let Some(app) = w.application {
            let sql = format!(
                "update application set state = {}, closed_on = {}, deposited_cents = {}, paid_own_cents = {}, paid_subsidy_cents = {}, \
                 refunded_cents = {}, returned_to_ceiling_cents = {}, returned_to_budget_cents = {}, returned_deposits_cents = {}, seq = {}, \
                 blocked_from = {}, recovered_cents = {}, recovery_received_cents = {}, audit_hash = {} where id = {} and seq = {}",
                b.p(app.state.code()),
                b.p(app.closed_on.map(|d| d.to_string())),
                b.p(app.deposited.get()),
                b.p(app.paid_own.get()),
                b.p(app.paid_subsidy.get()),
                b.p(app.refunded.get()),
                b.p(app.returned_to_ceiling.get()),
                b.p(app.returned_to_budget.get()),
                b.p(app.returned_deposits.get()),
                b.p(i64::from(app.seq)),
                b.p(app.blocked_from.map(kmo_app::lifecycle::State::code)),
                b.p(app.recovered.get()),
                b.p(app.recovery_received.get()),
                b.p(app.audit_hash.clone()),
                b.p(app.id),
                b.p(i64::from(app.seq - 1)),
            );
            Some(b.part(sql))
        } else {
            None
        };
        if let Some(y) = w.enterprise_year {
            let sql = format!(
                "update enterprise_year set size_lock = {}, ceiling_granted_cents = {}, ceiling_reserved_cents = {} where enterprise_id = {} and year = {}",
                b.p(y.size_lock.map(EnterpriseSize::code)),
                b.p(y.ceiling_granted.get()),
                b.p(y.ceiling_reserved.get()),
                b.p(y.enterprise),
                b.p(i64::from(y.year)),
            );
            b.part(sql);
        }
        if !w.transfers.is_empty() {
            let mut rows = Vec::with_capacity(w.transfers.len());
            for t in w.transfers {
                let v = rows::TransferValues::of(t);
                rows.push(format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {})",
                    b.p(v.id),
                    b.p(v.debit),
                    b.p(v.credit),
                    b.p(v.amount),
                    b.p(v.code),
                    b.p(v.kind),
                    b.p(v.pending),
                    b.p(v.application),
                    b.p(v.date)
                ));
            }
            b.part(format!(
                "insert into ledger_transfer (id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date) values {}",
                rows.join(", ")
            ));
        }
        if let Some(r) = w.audit {
            let sql = format!(
                "insert into audit_log (stream, seq, kind, actor, date, payload, prev_hash, hash) values ({}, {}, {}, {}, {}, {}, {}, {})",
                b.p(r.stream.as_str()),
                b.p(r.seq),
                b.p(r.kind.as_str()),
                b.p(r.actor.as_str()),
                b.p(r.date.to_string()),
                b.p(r.payload.as_str()),
                b.p(r.prev_hash.as_str()),
                b.p(r.hash.as_str()),
            );
            b.part(sql);
        }
        if let Some(c) = &w.command_result {
            let sql = format!(
                "insert into command_log (key, request_hash, answer) values ({}, {}, {})",
                b.p(c.key),
                b.p(c.request_hash),
                b.p(c.answer)
            );
            b.part(sql);
        }
        if let Some(e) = b.error {
            return Err(StoreError::Database(format!("binding a value: {e}")));
        }
        if b.parts.is_empty() {
            return Ok(());
        }
        let select = updated.map_or_else(
            || "select 1::bigint".to_owned(),
            |u| format!("select count(*)::bigint from {u}"),
        );
        let sql = format!("with {} {select}", b.parts.join(", "));
        let done: i64 = sqlx::query_scalar_with(&sql, b.args)
            .fetch_one(&mut *self.0)
            .await
            .map_err(map_err)?;
        // Optimistic check on top of the row lock: the record moved on since it was read.
        if done != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    pub(crate) async fn insert_transfers(
        &mut self,
        transfers: &[Transfer],
    ) -> Result<(), StoreError> {
        // One multi-row statement per command (at most a handful of transfers).
        for chunk in transfers.chunks(50) {
            let mut sql = String::from(
                "insert into ledger_transfer (id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date) values ",
            );
            for i in 0..chunk.len() {
                let b = i * 9;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9
                ));
            }
            let values: Vec<rows::TransferValues> =
                chunk.iter().map(rows::TransferValues::of).collect();
            dispatch!(self, c => {
                let mut q = sqlx::query(&sql);
                for v in &values {
                    q = q.bind(&v.id).bind(&v.debit).bind(&v.credit).bind(v.amount).bind(v.code).bind(v.kind).bind(&v.pending).bind(v.application).bind(&v.date);
                }
                q.execute(c).await.map_err(map_err)?.rows_affected()
            });
        }
        Ok(())
    }

    pub(crate) async fn audit_head(
        &mut self,
        stream: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let row: Option<(i64, String)> = dispatch!(self, c => sqlx::query_as("select seq, hash from audit_log where stream = $1 order by seq desc limit 1").bind(stream).fetch_optional(c).await.map_err(map_err)?);
        Ok(row)
    }

    pub(crate) async fn append_audit(&mut self, r: &AuditRecord) -> Result<(), StoreError> {
        let d = r.date.to_string();
        dispatch!(self, c => sqlx::query("insert into audit_log (stream, seq, kind, actor, date, payload, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&r.stream).bind(r.seq).bind(&r.kind).bind(&r.actor).bind(&d).bind(&r.payload).bind(&r.prev_hash).bind(&r.hash)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    pub(crate) async fn registration(
        &mut self,
        provider: i64,
        kind: kmo_domain::ServiceKind,
    ) -> Result<Option<kmo_app::registry::Registration>, StoreError> {
        let row: Option<rows::RegistrationRow> = dispatch!(self, c => sqlx::query_as("select number, state, requested_on, registered_on, valid_until from provider_registration where provider_id = $1 and kind = $2")
            .bind(provider).bind(kind.code()).fetch_optional(c).await.map_err(map_err)?);
        row.map(rows::RegistrationRow::into_registration)
            .transpose()
    }

    pub(crate) async fn save_registration(
        &mut self,
        provider: i64,
        r: &kmo_app::registry::Registration,
    ) -> Result<(), StoreError> {
        let sql = "insert into provider_registration (number, provider_id, kind, state, requested_on, registered_on, valid_until) values ($1, $2, $3, $4, $5, $6, $7) \
                   on conflict (number) do update set state = excluded.state, requested_on = excluded.requested_on, \
                   registered_on = excluded.registered_on, valid_until = excluded.valid_until";
        let (number, requested, registered, until) = (
            r.number.to_string(),
            r.requested_on.to_string(),
            r.registered_on.map(|d| d.to_string()),
            r.valid_until.map(|d| d.to_string()),
        );
        dispatch!(self, c => sqlx::query(sql).bind(&number).bind(provider).bind(r.kind().code()).bind(r.state.code()).bind(&requested).bind(&registered).bind(&until)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    pub(crate) async fn insert_list_request(
        &mut self,
        r: &ListRequestRecord,
    ) -> Result<i64, StoreError> {
        let id: i64 = dispatch!(self, c => sqlx::query_scalar(
            "insert into list_request (key, provider_id, service_id, state, body) values ($1, $2, $3, $4, $5) returning id")
            .bind(&r.key).bind(r.provider).bind(r.service).bind(&r.state).bind(&r.body)
            .fetch_one(c).await.map_err(map_err)?);
        Ok(id)
    }

    pub(crate) async fn list_request(
        &mut self,
        key: &str,
    ) -> Result<Option<ListRequestRecord>, StoreError> {
        let row: Option<(i64, String, i64, i64, String, String)> = dispatch!(self, c => sqlx::query_as(
            "select id, key, provider_id, service_id, state, body from list_request where key = $1 for update")
            .bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row.map(list_request_record))
    }

    pub(crate) async fn update_list_request(
        &mut self,
        r: &ListRequestRecord,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("update list_request set state = $2, body = $3 where id = $1")
            .bind(r.id).bind(&r.state).bind(&r.body)
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn list_requests(
        &mut self,
        provider: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ListRequestRecord>, StoreError> {
        let rows: Vec<(i64, String, i64, i64, String, String)> = dispatch!(self, c => sqlx::query_as(
            "select id, key, provider_id, service_id, state, body from list_request \
             where $1::bigint is null or provider_id = $1 order by id desc limit $2")
            .bind(provider).bind(i64::from(limit)).fetch_all(c).await.map_err(map_err)?);
        Ok(rows.into_iter().map(list_request_record).collect())
    }

    pub(crate) async fn list_on_occupation_list(
        &mut self,
        provider: i64,
        service: i64,
    ) -> Result<bool, StoreError> {
        let n = dispatch!(self, c => sqlx::query(
            "update service set on_occupation_list = 1 where id = $1 and provider_id = $2 and listed = 1")
            .bind(service).bind(provider)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(n == 1)
    }

    pub(crate) async fn insert_confirmation(
        &mut self,
        application: i64,
        provider: i64,
        on: Date,
    ) -> Result<bool, StoreError> {
        let n = dispatch!(self, c => sqlx::query(
            "insert into application_confirmation (application_id, provider_id, confirmed_on) values ($1, $2, $3) \
             on conflict (application_id) do nothing")
            .bind(application).bind(provider).bind(on.to_string())
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(n == 1)
    }

    pub(crate) async fn confirmations(
        &mut self,
        provider: i64,
        application: Option<i64>,
    ) -> Result<Vec<(i64, Date)>, StoreError> {
        let rows: Vec<(i64, String)> = dispatch!(self, c => sqlx::query_as(
            "select application_id, confirmed_on from application_confirmation \
             where provider_id = $1 and ($2::bigint is null or application_id = $2)")
            .bind(provider).bind(application).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(|(id, on)| Ok((id, rows::date(&on)?)))
            .collect()
    }

    pub(crate) async fn save_calendar_feed(
        &mut self,
        user: i64,
        token_hash: &str,
        on: Date,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query(
            "insert into calendar_feed (user_id, token_hash, created_on) values ($1, $2, $3) \
             on conflict (user_id) do update set token_hash = excluded.token_hash, created_on = excluded.created_on")
            .bind(user).bind(token_hash).bind(on.to_string())
            .execute(c).await.map_err(map_err)?);
        Ok(())
    }

    pub(crate) async fn calendar_feed_user(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = dispatch!(self, c => sqlx::query_as(
            "select user_id from calendar_feed where token_hash = $1")
            .bind(token_hash).fetch_optional(c).await.map_err(map_err)?);
        Ok(row.map(|(id,)| id))
    }

    pub(crate) async fn draft(&mut self, key: &str) -> Result<Option<DraftRecord>, StoreError> {
        let row: Option<(String, i64, String, String)> = dispatch!(self, c => sqlx::query_as(if self.1 { "select key, enterprise_id, body, saved_on from application_draft where key = $1" } else { "select key, enterprise_id, body, saved_on from application_draft where key = $1 for update" })
            .bind(key).fetch_optional(c).await.map_err(map_err)?);
        row.map(|(key, enterprise, body, saved_on)| {
            Ok(DraftRecord {
                key,
                enterprise,
                body,
                saved_on: rows::date(&saved_on)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn save_draft(&mut self, d: &DraftRecord) -> Result<(), StoreError> {
        let sql = "insert into application_draft (key, enterprise_id, body, saved_on) values ($1, $2, $3, $4) \
                   on conflict (key) do update set enterprise_id = excluded.enterprise_id, body = excluded.body, saved_on = excluded.saved_on";
        let saved = d.saved_on.to_string();
        dispatch!(self, c => sqlx::query(sql).bind(&d.key).bind(d.enterprise).bind(&d.body).bind(&saved)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    pub(crate) async fn delete_draft(&mut self, key: &str) -> Result<bool, StoreError> {
        let n = dispatch!(self, c => sqlx::query("delete from application_draft where key = $1").bind(key)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(n == 1)
    }

    pub(crate) async fn payables_since_watermark(
        &mut self,
    ) -> Result<(i64, Vec<PayableCredit>, i64), StoreError> {
        let c = &mut *self.0;
        // SHARE ROW EXCLUSIVE waits for every transaction inserting transfers to end and keeps
        // new ones (and other payout runs) out until this one commits: no transfer with a seq
        // below the new watermark can commit after it.
        sqlx::query("lock table ledger_transfer in share row exclusive mode")
            .execute(&mut *c)
            .await
            .map_err(map_err)?;
        let (watermark, top): (i64, i64) = sqlx::query_as(
            "select payout_seq, (select coalesce(max(seq), 0) from ledger_transfer) from platform_state where id = 1 for update",
        )
        .fetch_one(&mut *c)
        .await
        .map_err(map_err)?;
        let rows: Vec<rows::SeqTransferRow> = sqlx::query_as(
            "select seq, id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date \
             from ledger_transfer where seq > $1 and (credit_account = 'refunds_payable' or credit_account like 'provider_payable:%') order by seq",
        )
        .bind(watermark)
        .fetch_all(c)
        .await
        .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(PayableCredit {
                seq: r.seq,
                transfer: r.transfer.into_transfer()?,
            });
        }
        Ok((watermark, out, top))
    }

    pub(crate) async fn set_payout_watermark(&mut self, seq: i64) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("update platform_state set payout_seq = $1 where id = 1").bind(seq)
            .execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }

    pub(crate) async fn command_result(
        &mut self,
        key: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String)> = dispatch!(self, c => sqlx::query_as("select request_hash, answer from command_log where key = $1").bind(key).fetch_optional(c).await.map_err(map_err)?);
        Ok(row)
    }

    pub(crate) async fn save_command_result(
        &mut self,
        key: &str,
        request_hash: &str,
        answer: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, c => sqlx::query("insert into command_log (key, request_hash, answer) values ($1, $2, $3)").bind(key).bind(request_hash).bind(answer).execute(c).await.map_err(map_err)?.rows_affected());
        Ok(())
    }
}

impl PgTx {
    pub(crate) async fn all_transfers(&mut self) -> Result<Vec<Transfer>, StoreError> {
        let rows: Vec<TransferRow> = dispatch!(self, c => sqlx::query_as("select id, debit_account, credit_account, amount_cents, code, kind, pending_id, application_id, date from ledger_transfer order by seq").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(TransferRow::into_transfer).collect()
    }

    pub(crate) async fn all_applications(
        &mut self,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let sql = format!("select {APP_COLUMNS} from application order by id");
        let rows: Vec<AppRow> =
            dispatch!(self, c => sqlx::query_as(&sql).fetch_all(c).await.map_err(map_err)?);
        rows.into_iter()
            .map(|r| {
                let key = r.key.clone();
                r.into_application().map(|a| (key, a))
            })
            .collect()
    }

    pub(crate) async fn all_enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        let rows: Vec<EnterpriseRow> = dispatch!(self, c => sqlx::query_as("select id, key, name, profile from enterprise order by id").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(EnterpriseRow::into_record).collect()
    }

    pub(crate) async fn all_enterprise_years(&mut self) -> Result<Vec<EnterpriseYear>, StoreError> {
        let rows: Vec<YearRow> = dispatch!(self, c => sqlx::query_as("select enterprise_id, year, size_lock, ceiling_granted_cents, ceiling_reserved_cents from enterprise_year order by enterprise_id, year").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(YearRow::into_year).collect()
    }

    pub(crate) async fn all_audit_records(&mut self) -> Result<Vec<AuditRecord>, StoreError> {
        let rows: Vec<AuditRow> = dispatch!(self, c => sqlx::query_as("select stream, seq, kind, actor, date, payload, prev_hash, hash from audit_log order by stream, seq").fetch_all(c).await.map_err(map_err)?);
        rows.into_iter().map(AuditRow::into_record).collect()
    }
}

/// The user behind a token and its mandates in one statement, straight on the pool (no BEGIN):
/// one row per mandate (or one row without a mandate).
pub(crate) async fn token_principal(
    pool: &sqlx::PgPool,
    token_hash: &str,
) -> Result<Option<(UserRecord, Vec<MandateRecord>)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: crate::rows::UserRow,
        m_id: Option<i64>,
        m_enterprise_id: Option<i64>,
        m_enterprise_key: Option<String>,
        m_scope: Option<String>,
        m_valid_from: Option<String>,
        m_valid_until: Option<String>,
        m_state: Option<String>,
        m_granted_by: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select u.id, u.email, u.name, u.password_hash, u.role, u.provider_id, u.created_on, \
         m.id as m_id, m.enterprise_id as m_enterprise_id, e.key as m_enterprise_key, m.scope as m_scope, \
         m.valid_from as m_valid_from, m.valid_until as m_valid_until, m.state as m_state, m.granted_by as m_granted_by \
         from api_token t join app_user u on u.id = t.user_id \
         left join mandate m on m.user_id = u.id left join enterprise e on e.id = m.enterprise_id \
         where t.token_hash = $1 and t.revoked = 0 order by m.id",
    )
    .bind(token_hash)
    .fetch_all(pool)
    .await
    .map_err(map_err)?;
    let mut user = None;
    let mut mandates = Vec::with_capacity(rows.len());
    for r in rows {
        if let (Some(id), Some(enterprise), Some(key), Some(scope), Some(from), Some(state)) = (
            r.m_id,
            r.m_enterprise_id,
            r.m_enterprise_key,
            r.m_scope,
            r.m_valid_from,
            r.m_state,
        ) {
            mandates.push(
                crate::rows::MandateRow {
                    id,
                    user_id: r.user.id,
                    enterprise_id: enterprise,
                    enterprise_key: key,
                    scope,
                    valid_from: from,
                    valid_until: r.m_valid_until,
                    state,
                    granted_by: r.m_granted_by,
                }
                .into_record()?,
            );
        }
        if user.is_none() {
            user = Some(r.user.into_record()?);
        }
    }
    Ok(user.map(|u| (u, mandates)))
}

#[derive(sqlx::FromRow)]
struct MoneyOutRow {
    seq: i64,
    transfer: String,
    application: Option<String>,
    amount_cents: i64,
    date: String,
}

impl MoneyOutRow {
    fn into_record(self) -> Result<MoneyOut, StoreError> {
        Ok(MoneyOut {
            seq: self.seq,
            transfer: self.transfer,
            application: self.application,
            amount_cents: self.amount_cents,
            date: crate::rows::date(&self.date)?,
        })
    }
}
