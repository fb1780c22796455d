//! The real `kmo` binary, run as a user runs it: arguments, standard input, exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn kmo(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmo"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn public_vectors() -> Vec<u8> {
    let dir = std::env::var_os("KMO_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    std::fs::read(dir.join("spec/vectors/public.jsonl")).unwrap()
}

#[test]
fn eval_check_passes_every_public_vector() {
    let out = kmo(&["rules", "eval", "--check"], &public_vectors());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.ends_with("vectors: 70 passed, 0 failed\n"),
        "{stdout}"
    );
}

#[test]
fn eval_answers_each_line_in_order_and_exits_0_despite_bad_cases() {
    let vectors = String::from_utf8(public_vectors()).unwrap();
    let cases: String = vectors
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["case"].to_string() + "\n")
        .collect();
    let input = format!("{cases}\nnot json at all\n");
    let out = kmo(&["rules", "eval", "--threads", "2"], input.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let answers: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 71);
    assert_eq!(answers[0]["id"], "TC-01");
    assert_eq!(answers[70]["decision"], "error");
}

#[test]
fn eval_exits_2_when_the_input_is_not_json_at_all() {
    let out = kmo(&["rules", "eval"], b"hello\nworld\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
}

#[test]
fn explain_speaks_dutch_by_default_and_english_on_request() {
    let vectors = String::from_utf8(public_vectors()).unwrap();
    let tc13 = vectors.lines().find(|l| l.contains("\"TC-13\"")).unwrap();
    let nl = String::from_utf8(kmo(&["rules", "explain"], tc13.as_bytes()).stdout).unwrap();
    assert!(
        nl.contains("KOMT IN AANMERKING") && nl.contains("€ 285,00"),
        "{nl}"
    );
    let en = String::from_utf8(kmo(&["rules", "explain", "--lang", "en"], tc13.as_bytes()).stdout)
        .unwrap();
    assert!(en.contains("ELIGIBLE") && en.contains("catering"), "{en}");
    let bad = kmo(&["rules", "explain"], b"{\"submitted_on\": \"2024-02-30\"}");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8(bad.stderr)
            .unwrap()
            .contains("submitted_on")
    );
}

#[test]
fn show_prints_the_rule_set_of_a_date_and_refuses_a_date_before_2016() {
    let out = kmo(
        &["rules", "show", "--date", "2019-11-30", "--lang", "en"],
        b"",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.starts_with("R2016") && text.contains("40.00 %"),
        "{text}"
    );
    let out = kmo(&["rules", "show", "--date", "2015-01-01"], b"");
    assert!(!out.status.success());
    let out = kmo(&["rules", "show", "--date", "2015-02-30"], b"");
    assert!(!out.status.success());
    let all = String::from_utf8(kmo(&["rules", "show", "--all"], b"").stdout).unwrap();
    assert_eq!(all.lines().count(), 8, "{all}");
}

/// Several `kmo` processes submit for one enterprise at once: the ceiling holds to the cent, on
/// SQLite and (when configured; required in CI) on PostgreSQL.
#[test]
fn racing_processes_never_exceed_a_ceiling() {
    let mut urls: Vec<Option<String>> = vec![None];
    match std::env::var("KMO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => urls.push(Some(url)),
        _ => assert!(
            std::env::var("KMO_REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "KMO_REQUIRE_POSTGRES=1 but KMO_TEST_DATABASE_URL is not set"
        ),
    }
    for url in urls {
        let mut args: Vec<&str> = Vec::new();
        if let Some(u) = &url {
            args.extend(["--database-url", u]);
        }
        args.extend(["bench", "race", "--processes", "4", "--submissions", "6"]);
        let out = kmo(&args, b"");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(v["subsidy_cents"], 750_000, "{v}");
        assert_eq!(v["accepted"], 3, "{v}");
        assert_eq!(v["rejected_ceiling_exhausted"], 21, "{v}");
        assert_eq!(v["ledger_check"], "ok");
    }
}

/// `GET path` over plain HTTP/1.1; returns the status line and the body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[test]
fn serve_on_port_zero_prints_its_address_creates_its_data_dir_and_stops_on_sigterm() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("kmo-serve-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmo"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .env_remove("KMO_DATABASE__URL")
        .env("KMO_SERVER__LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("kmo serve: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(!addr.ends_with(":0"), "{addr}");
    let (status, body) = http_get(&addr, "/healthz");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"ok\""), "{body}");
    let (status, body) = http_get(&addr, "/readyz");
    assert!(status.contains("200"), "{status} {body}");
    assert!(dir.join("kmo.sqlite3").exists());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.lines()
            .any(|l| l.starts_with('{') && l.contains("shutting down")),
        "JSON logs with the shutdown line expected: {logs}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_print_default_is_loadable_toml_and_a_bad_setting_is_named() {
    let out = kmo(&["config", "print-default"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[database]") && text.contains("listen = \"127.0.0.1:8080\""));
    let out = Command::new(env!("CARGO_BIN_EXE_kmo"))
        .args(["serve"])
        .env("KMO_SERVER__LISTEN", "nowhere")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("server.listen"), "{err}");
    // The platform's bank account is a setting, checked before anything starts.
    assert!(
        text.contains(
            "[wallet]\niban = \"BE10 0910 1234 5604\"\nname = \"kmo-portefeuille VLAIO\""
        ),
        "{text}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kmo"))
        .args(["serve"])
        .env("KMO_WALLET__IBAN", "BE10 0910 1234 5605")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wallet.iban"), "{err}");
}

#[test]
fn user_add_reads_the_password_from_stdin_and_names_a_bad_field() {
    let dir = std::env::temp_dir().join(format!("kmo-user-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.to_str().unwrap();
    let out = kmo(
        &[
            "user",
            "add",
            "--email",
            "Staff@Vlaio.be",
            "--name",
            "Staff",
            "--role",
            "agency",
            "--data-dir",
            data,
        ],
        b"een-lang-wachtwoord\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"email\":\"staff@vlaio.be\""), "{text}");
    let out = kmo(
        &[
            "user",
            "add",
            "--email",
            "b@vlaio.be",
            "--name",
            "B",
            "--role",
            "agency",
            "--data-dir",
            data,
        ],
        b"kort\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn migrate_creates_a_new_sqlite_file_where_the_url_says_and_names_a_missing_folder() {
    let dir = std::env::temp_dir().join(format!("kmo-migrate-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let migrate = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_kmo"))
            .args(["migrate", "--database-url", url])
            .env_remove("KMO_DATABASE__URL")
            .output()
            .unwrap()
    };
    for (file, tail) in [("new.sqlite3", ""), ("rwc.sqlite3", "?mode=rwc")] {
        let path = dir.join(file);
        let out = migrate(&format!("sqlite://{}{tail}", path.display()));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(path.exists(), "{file}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("migration(s) applied"));
    }
    // mode=rw: the file must exist.
    let out = migrate(&format!(
        "sqlite://{}?mode=rw",
        dir.join("rw.sqlite3").display()
    ));
    assert!(!out.status.success());
    assert!(!dir.join("rw.sqlite3").exists());
    let out = migrate(&format!(
        "sqlite://{}?mode=rw",
        dir.join("new.sqlite3").display()
    ));
    assert!(out.status.success());
    // A missing folder: an error naming it, nothing created.
    let folder = dir.join("geen-map");
    let out = migrate(&format!(
        "sqlite://{}",
        folder.join("new.sqlite3").display()
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("the folder {} does not exist", folder.display())),
        "{err}"
    );
    assert!(!folder.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
