//! The binary itself: `version`, and `serve` with no configuration creating its SQLite file,
//! answering, and stopping cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_maestro");

#[test]
fn version_prints_the_version() {
    let out = Command::new(BIN).arg("version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("maestro {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn serve_creates_sqlite_in_the_data_dir_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MAESTRO_DATA_DIR", dir.path())
        .env("MAESTRO_PORT", "0")
        .env("MAESTRO_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(addr) = v["fields"]["address"].as_str()
            {
                let _ = tx.send(addr.to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server address in the logs");
    assert!(dir.path().join("maestro.db").exists());
    let ready: serde_json::Value = reqwest::get(format!("http://{addr}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["database"], "sqlite");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[test]
fn migrate_and_demo_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("MAESTRO_DATA_DIR", dir.path())
            .env("MAESTRO_LOG", "warn")
            .env_remove("MAESTRO_SECRET_KEY")
            .output()
            .unwrap()
    };
    assert!(run(&["migrate"]).status.success());
    let demo = run(&["demo"]);
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    assert!(String::from_utf8_lossy(&demo.stdout).contains("demo entities"));
    // A second load refuses: the inventory is no longer empty.
    assert!(!run(&["demo"]).status.success());
    // Without the key its secrets were sealed with, the database is refused, with the remedy,
    // and no new key is left in the way of the real one.
    let key = dir.path().join("secret.key");
    assert!(key.exists());
    std::fs::remove_file(&key).unwrap();
    let refused = run(&["demo"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("put its secret.key back"), "{err}");
    assert!(!key.exists(), "no key file made for nothing");
}

#[test]
fn admin_commands_create_accounts_and_reset_passwords() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let cmd = |args: &[&str]| {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("MAESTRO_DATA_DIR", dir.path())
            .env("MAESTRO_LOG", "warn")
            .env_remove("MAESTRO_ADMIN_PASSWORD");
        c
    };
    // The password from standard input.
    let mut child = cmd(&[
        "admin",
        "create-user",
        "--name",
        "Ops Lead",
        "--email",
        "ops@example.com",
        "--admin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from-standard-input\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(administrator)"));
    // A weak password is refused with the reason.
    let out = cmd(&[
        "admin",
        "reset-password",
        "--email",
        "ops@example.com",
        "--password",
        "weak",
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    let out = cmd(&[
        "admin",
        "reset-password",
        "--email",
        "ops@example.com",
        "--password",
        "a-strong-new-one",
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cmd(&[
        "admin",
        "reset-password",
        "--email",
        "nobody@example.com",
        "--password",
        "a-strong-new-one",
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
}
