//! The server's settings, layered: built-in defaults, then an optional TOML file, then `KMO_…`
//! environment variables (`__` separates nesting: `KMO_DATABASE__URL`, `KMO_SERVER__LISTEN`),
//! then the command line. One typed [`Settings`] comes out, validated before anything starts,
//! and is passed explicitly (never a global), so a test can build its own.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use kmo_domain::Iban;
use serde::{Deserialize, Serialize};

/// Everything `kmo serve` can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Folder of the embedded SQLite database and other data.
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    pub limits: LimitSettings,
    pub wallet: WalletSettings,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://…`; empty: `sqlite://<data_dir>/kmo.sqlite3`.
    pub url: String,
    /// Connections to PostgreSQL (SQLite has one writer).
    pub max_connections: u32,
    /// SQLite reader connections beside the writer, for pages and lookups (read transactions
    /// in WAL mode never wait for a write); 0 reads on the writer's connection.
    pub sqlite_readers: u32,
}

/// The URL may hold a password: it is never printed whole.
impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("sqlite_readers", &self.sqlite_readers)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address and port to listen on; port 0 picks a free port (the bound address is printed).
    pub listen: String,
    /// `pretty` (development) or `json` (production) log lines on standard error.
    pub log_format: LogFormat,
    /// How often the deadline tick runs inside the server, in seconds.
    pub tick_interval_seconds: u64,
    /// How long a request may take before it is answered 503, in seconds.
    pub request_timeout_seconds: u64,
    /// How long a browser session lasts, in hours.
    pub session_hours: u32,
    /// Mark session cookies `Secure` (behind HTTPS; off for http://localhost).
    pub secure_cookies: bool,
    /// When set, `/metrics` answers only a scraper sending `Authorization: Bearer <this>`
    /// (empty: anyone may read it, as on a private network).
    pub metrics_token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Largest request body accepted, in bytes.
    pub request_body_bytes_max: usize,
    /// Largest batch of cases in one `POST /api/v1/rules/evaluate`.
    pub rules_batch_max: usize,
    /// Failed logins per e-mail address per 15 minutes before logins are refused.
    pub login_failures_max: u32,
    /// Largest page of a list.
    pub page_size_max: u32,
    /// How long an answer kept under an `Idempotency-Key` is replayed, in hours (counted in
    /// whole days of the platform's calendar: an answer lives at least this long, and is
    /// purged by the tick after it).
    pub idempotency_hours: u32,
}

impl LimitSettings {
    /// The first day whose kept answers still count today.
    #[must_use]
    pub fn idempotency_not_before(&self, today: kmo_domain::Date) -> kmo_domain::Date {
        let days = i32::try_from(self.idempotency_hours.div_ceil(24)).unwrap_or(i32::MAX);
        today.add_days(-days).unwrap_or(kmo_domain::Date::EPOCH)
    }
}

/// The platform's bank account: where enterprises deposit their own share (the deposit
/// instructions and their EPC QR code show it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WalletSettings {
    /// The account's IBAN, with or without spaces (Belgian; both check digits are verified at
    /// start).
    pub iban: String,
    /// The beneficiary's name on a transfer to it (at most 70 characters, the EPC QR code's
    /// limit).
    pub name: String,
}

/// Longest beneficiary name an EPC QR code carries (EPC069-12).
pub const WALLET_NAME_CHARS_MAX: usize = 70;

/// The platform's bank account, checked: what [`WalletSettings`] becomes at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletAccount {
    iban: Iban,
    name: String,
}

impl WalletAccount {
    /// The IBAN (`Display` is the paper form in groups of four, `electronic()` the compact one).
    #[must_use]
    pub fn iban(&self) -> &Iban {
        &self.iban
    }

    /// The beneficiary's name, trimmed.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl WalletSettings {
    /// The account these settings name, or the setting that is wrong and why.
    pub fn account(&self) -> Result<WalletAccount, SettingsError> {
        let iban = Iban::parse(&self.iban).map_err(|e| SettingsError::Invalid {
            key: "wallet.iban".into(),
            message: format!("{:?} is not a valid Belgian IBAN: {e}", self.iban),
        })?;
        let name = self.name.trim();
        let invalid_name = |message: &str| SettingsError::Invalid {
            key: "wallet.name".into(),
            message: message.into(),
        };
        if name.is_empty() {
            return Err(invalid_name("must not be empty"));
        }
        if name.chars().count() > WALLET_NAME_CHARS_MAX {
            return Err(invalid_name("must be at most 70 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid_name("must be one line without control characters"));
        }
        Ok(WalletAccount {
            iban,
            name: name.to_owned(),
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("kmo-data"),
            database: DatabaseSettings::default(),
            server: ServerSettings::default(),
            limits: LimitSettings::default(),
            wallet: WalletSettings::default(),
        }
    }
}

impl Default for WalletSettings {
    fn default() -> Self {
        WalletSettings {
            iban: "BE10 0910 1234 5604".into(),
            name: "kmo-portefeuille VLAIO".into(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: String::new(),
            max_connections: 16,
            sqlite_readers: 4,
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: "127.0.0.1:8080".into(),
            log_format: LogFormat::Pretty,
            tick_interval_seconds: 60,
            request_timeout_seconds: 30,
            session_hours: 8,
            secure_cookies: false,
            metrics_token: String::new(),
        }
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            request_body_bytes_max: 256 * 1024,
            rules_batch_max: 1_000,
            login_failures_max: 10,
            page_size_max: 100,
            idempotency_hours: 24,
        }
    }
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file {path}: {message}")]
    File { path: String, message: String },
    #[error("setting {key}: {message}")]
    Invalid { key: String, message: String },
}

impl Settings {
    /// The defaults as a TOML document (`kmo config print-default`).
    #[must_use]
    pub fn default_toml() -> String {
        let body = toml::to_string(&Settings::default()).unwrap_or_default();
        format!(
            "# kmo-portefeuille settings: these are the defaults. Every key can also be set as an\n\
             # environment variable KMO_<SECTION>__<KEY>, e.g. KMO_DATABASE__URL, KMO_SERVER__LISTEN,\n\
             # KMO_DATA_DIR. An empty database.url means sqlite://<data_dir>/kmo.sqlite3.\n\
             # [wallet] is the platform's bank account for the enterprises' deposits.\n\n{body}"
        )
    }

    /// Layers the defaults, the TOML text (if any) and the environment (`KMO_…` variables).
    /// Environment variables that name no setting are ignored (other tools share the prefix);
    /// a TOML key that names no setting is an error (a typo must not pass silently).
    pub fn load(
        toml_text: Option<(&str, &str)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let mut table =
            toml::Table::try_from(Settings::default()).map_err(|e| SettingsError::Invalid {
                key: String::new(),
                message: e.to_string(),
            })?;
        if let Some((path, text)) = toml_text {
            let file: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| SettingsError::File {
                        path: path.to_owned(),
                        message: e.to_string(),
                    })?;
            merge(&mut table, file);
        }
        let known = known_keys(&table);
        let env: BTreeMap<String, String> = env.into_iter().collect();
        for (name, value) in &env {
            let Some(path) = name.strip_prefix("KMO_") else {
                continue;
            };
            let path: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
            let Some(kind) = known.get(&path) else {
                continue;
            };
            let key = path.join(".");
            let parsed = match kind {
                Kind::Integer => toml::Value::Integer(value.trim().parse().map_err(|_| {
                    SettingsError::Invalid {
                        key: name.clone(),
                        message: format!("{value:?} is not a whole number"),
                    }
                })?),
                Kind::Boolean => toml::Value::Boolean(match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(SettingsError::Invalid {
                            key: name.clone(),
                            message: format!("{value:?} is not true or false"),
                        });
                    }
                }),
                Kind::Text => toml::Value::String(value.clone()),
            };
            set(&mut table, &path, parsed).map_err(|message| SettingsError::Invalid {
                key: key.clone(),
                message,
            })?;
        }
        let settings: Settings =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| SettingsError::Invalid {
                    key: String::new(),
                    message: e.message().to_owned(),
                })?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key: &str, message: &str| SettingsError::Invalid {
            key: key.into(),
            message: message.into(),
        };
        if self.server.listen.parse::<SocketAddr>().is_err() {
            return Err(invalid(
                "server.listen",
                "must be ADDRESS:PORT, e.g. 127.0.0.1:8080",
            ));
        }
        if self.database.max_connections == 0 || self.database.max_connections > 512 {
            return Err(invalid("database.max_connections", "must be 1 to 512"));
        }
        if self.database.sqlite_readers > 64 {
            return Err(invalid("database.sqlite_readers", "must be 0 to 64"));
        }
        if !self.database.url.is_empty()
            && !self.database.url.starts_with("sqlite://")
            && !self.database.url.starts_with("postgres://")
            && !self.database.url.starts_with("postgresql://")
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self.server.tick_interval_seconds == 0 {
            return Err(invalid(
                "server.tick_interval_seconds",
                "must be at least 1",
            ));
        }
        if self.server.request_timeout_seconds == 0 {
            return Err(invalid(
                "server.request_timeout_seconds",
                "must be at least 1",
            ));
        }
        if self.limits.request_body_bytes_max < 1024 {
            return Err(invalid(
                "limits.request_body_bytes_max",
                "must be at least 1024",
            ));
        }
        if self.limits.rules_batch_max == 0 || self.limits.rules_batch_max > 100_000 {
            return Err(invalid("limits.rules_batch_max", "must be 1 to 100000"));
        }
        if self.server.session_hours == 0 || self.server.session_hours > 24 * 30 {
            return Err(invalid("server.session_hours", "must be 1 to 720"));
        }
        if self.limits.login_failures_max == 0 {
            return Err(invalid("limits.login_failures_max", "must be at least 1"));
        }
        if self.limits.page_size_max == 0 || self.limits.page_size_max > 1_000 {
            return Err(invalid("limits.page_size_max", "must be 1 to 1000"));
        }
        self.wallet.account()?;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Integer,
    Boolean,
    Text,
}

fn known_keys(table: &toml::Table) -> BTreeMap<Vec<String>, Kind> {
    fn walk(prefix: &[String], table: &toml::Table, out: &mut BTreeMap<Vec<String>, Kind>) {
        for (key, value) in table {
            let mut path = prefix.to_vec();
            path.push(key.clone());
            match value {
                toml::Value::Table(t) => walk(&path, t, out),
                toml::Value::Integer(_) => {
                    out.insert(path, Kind::Integer);
                }
                toml::Value::Boolean(_) => {
                    out.insert(path, Kind::Boolean);
                }
                _ => {
                    out.insert(path, Kind::Text);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&[], table, &mut out);
    out
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn set(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    match path {
        [] => Err("empty key".into()),
        [last] => {
            table.insert(last.clone(), value);
            Ok(())
        }
        [first, rest @ ..] => match table.get_mut(first) {
            Some(toml::Value::Table(inner)) => set(inner, rest, value),
            _ => Err(format!("{first} is not a section")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_printed_defaults_load_back_to_the_defaults() {
        let text = Settings::default_toml();
        let loaded = Settings::load(Some(("defaults.toml", &text)), env(&[])).unwrap();
        assert_eq!(loaded, Settings::default());
    }

    #[test]
    fn the_environment_overrides_the_file_and_the_file_the_defaults() {
        let file = "[server]\nlisten = \"0.0.0.0:9000\"\ntick_interval_seconds = 5\n";
        let loaded = Settings::load(
            Some(("kmo.toml", file)),
            env(&[
                ("KMO_SERVER__LISTEN", "127.0.0.1:0"),
                ("KMO_DATABASE__URL", "postgres://u:pw@h/db"),
                ("KMO_DATA_DIR", "/srv/kmo"),
                ("KMO_SERVER__SECURE_COOKIES", "true"),
                ("KMO_TEST_DATABASE_URL", "ignored: names no setting"),
            ]),
        )
        .unwrap();
        assert_eq!(loaded.server.listen, "127.0.0.1:0");
        assert_eq!(loaded.server.tick_interval_seconds, 5);
        assert_eq!(loaded.database.url, "postgres://u:pw@h/db");
        assert_eq!(loaded.data_dir, PathBuf::from("/srv/kmo"));
        assert!(loaded.server.secure_cookies);
        assert!(!format!("{loaded:?}").contains("pw"));
    }

    #[test]
    fn sqlite_readers_are_a_setting_with_a_bound() {
        let loaded = Settings::load(None, env(&[("KMO_DATABASE__SQLITE_READERS", "0")])).unwrap();
        assert_eq!(loaded.database.sqlite_readers, 0);
        assert_eq!(Settings::default().database.sqlite_readers, 4);
        let err = Settings::load(None, env(&[("KMO_DATABASE__SQLITE_READERS", "65")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.sqlite_readers"), "{err}");
    }

    #[test]
    fn a_misspelt_key_in_the_file_is_an_error() {
        let err =
            Settings::load(Some(("kmo.toml", "[server]\nlisen = \"x\"\n")), env(&[])).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }

    #[test]
    fn bad_values_name_their_setting() {
        let err = Settings::load(None, env(&[("KMO_SERVER__LISTEN", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("server.listen"), "{err}");
        let err =
            Settings::load(None, env(&[("KMO_LIMITS__RULES_BATCH_MAX", "many")])).unwrap_err();
        assert!(
            err.to_string().contains("KMO_LIMITS__RULES_BATCH_MAX"),
            "{err}"
        );
        let err = Settings::load(None, env(&[("KMO_DATABASE__URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().contains("database.url"), "{err}");
    }

    #[test]
    fn the_wallet_account_is_a_setting_checked_at_start() {
        let account = Settings::default().wallet.account().unwrap();
        assert_eq!(account.iban().to_string(), "BE10 0910 1234 5604");
        assert_eq!(account.name(), "kmo-portefeuille VLAIO");
        assert!(Settings::default_toml().contains("[wallet]\niban = \"BE10 0910 1234 5604\""));

        let file = "[wallet]\niban = \"be68539007547034\"\nname = \"Agentschap Innoveren\"\n";
        let loaded = Settings::load(Some(("kmo.toml", file)), env(&[])).unwrap();
        let account = loaded.wallet.account().unwrap();
        assert_eq!(account.iban().to_string(), "BE68 5390 0754 7034");
        assert_eq!(account.name(), "Agentschap Innoveren");
        let loaded = Settings::load(
            Some(("kmo.toml", file)),
            env(&[("KMO_WALLET__IBAN", "BE71 0961 2345 6769")]),
        )
        .unwrap();
        assert_eq!(loaded.wallet.iban, "BE71 0961 2345 6769");

        // A wrong check digit, a foreign account, an empty or overlong name: named at start.
        for (var, value, key) in [
            ("KMO_WALLET__IBAN", "BE10 0910 1234 5605", "wallet.iban"),
            ("KMO_WALLET__IBAN", "NL91 ABNA 0417 1643 00", "wallet.iban"),
            ("KMO_WALLET__NAME", " ", "wallet.name"),
            ("KMO_WALLET__NAME", &"x".repeat(71), "wallet.name"),
            ("KMO_WALLET__NAME", "twee\nregels", "wallet.name"),
        ] {
            let err = Settings::load(None, env(&[(var, value)])).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("setting {key}:")),
                "{err}"
            );
        }
        let err =
            Settings::load(None, env(&[("KMO_WALLET__IBAN", "BE10 0910 1234 5605")])).unwrap_err();
        assert!(err.to_string().contains("BE10 0910 1234 5605"), "{err}");
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://kmo:geheim@db:5432/kmo"),
            "postgres://kmo:***@db:5432/kmo"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
