//! Real protocol peers started by tests: moto (AWS APIs and S3) and an aiosmtpd SMTP sink.
//! Each runs on a free port and is stopped when dropped. When a peer cannot be started the
//! test is skipped with a message — unless `MAESTRO_TEST_REQUIRE_PEERS=1` (CI).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn required() -> bool {
    std::env::var("MAESTRO_TEST_REQUIRE_PEERS").is_ok_and(|v| v == "1" || v == "true")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for_port(port: u16, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn start(what: &str, cmd: &mut Command, port: u16) -> Option<Child> {
    match cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(mut child) => {
            if wait_for_port(port, &mut child) {
                Some(child)
            } else {
                let _ = child.kill();
                assert!(
                    !required(),
                    "{what} did not start (MAESTRO_TEST_REQUIRE_PEERS=1)"
                );
                eprintln!("{what} did not start: skipping");
                None
            }
        }
        Err(e) => {
            assert!(
                !required(),
                "{what} is not installed (MAESTRO_TEST_REQUIRE_PEERS=1): {e}"
            );
            eprintln!("{what} is not installed ({e}): skipping");
            None
        }
    }
}

/// moto's server: every AWS API (and S3) on one endpoint.
pub struct Moto {
    pub endpoint: String,
    child: Child,
}

impl Moto {
    pub fn start() -> Option<Self> {
        let port = free_port();
        let mut cmd = Command::new("moto_server");
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false");
        let child = start("moto_server", &mut cmd, port)?;
        Some(Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        })
    }

    /// Creates a bucket (moto accepts unsigned requests).
    pub async fn create_bucket(&self, name: &str) {
        let res = reqwest::Client::new()
            .put(format!("{}/{name}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(res.status().is_success(), "create bucket: {}", res.status());
    }

    /// Reads an object as the `testing` account (moto checks who asks, not the signature).
    pub async fn get_object(&self, bucket: &str, key: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}/{bucket}/{key}", self.endpoint))
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
            )
            .send()
            .await
            .expect("get object")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SMTP server that writes every message it receives into a maildir.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl SmtpSink {
    pub fn start() -> Option<Self> {
        let port = free_port();
        let dir = tempfile::tempdir().expect("maildir");
        let maildir: PathBuf = dir.path().join("mail");
        let mut cmd = Command::new("python3");
        cmd.args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir);
        let child = start("aiosmtpd (pip install aiosmtpd)", &mut cmd, port)?;
        Some(Self { port, dir, child })
    }

    /// Messages received so far (raw RFC 5322 text).
    pub fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let mut out: Vec<String> = std::fs::read_dir(new)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Waits until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > deadline {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
