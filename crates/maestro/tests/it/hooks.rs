//! Helpers of the jobs, schedules and events tests: a local HTTP server that records webhook
//! calls (and answers as told), polling with a deadline, `maestro` processes, an SSE reader.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::harness::TestApp;

pub const BIN: &str = env!("CARGO_BIN_EXE_maestro");

/// Like `backends!`, for tests that start their own app(s): `name("sqlite")` and
/// `name("postgres")` (which returns early when PostgreSQL is unavailable).
#[macro_export]
macro_rules! backends_by_name {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name("sqlite").await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name("postgres").await;
                }
            }
        )*
    };
}

/// One request the hook received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Hit {
    pub fn job(&self) -> String {
        self.headers
            .get("x-maestro-job")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// How the hook answers its n-th request (0-based): a status after a delay.
pub type Reply = Arc<dyn Fn(usize) -> (u16, Duration) + Send + Sync>;

/// A webhook receiver on a free port; stops when dropped.
pub struct Hook {
    pub url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hook {
    /// Answers 200 at once.
    pub async fn ok() -> Self {
        Self::start(Arc::new(|_| (200, Duration::ZERO))).await
    }

    pub async fn start(reply: Reply) -> Self {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let (h, r) = (hits.clone(), reply.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (hits, reply) = (h.clone(), r.clone());
                async move {
                    let n = {
                        let mut hits = hits.lock().unwrap();
                        hits.push(Hit {
                            at: Utc::now(),
                            method: method.to_string(),
                            path: uri.path().to_owned(),
                            headers,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        });
                        hits.len() - 1
                    };
                    let (status, delay) = reply(n);
                    tokio::time::sleep(delay).await;
                    (StatusCode::from_u16(status).unwrap(), "answer")
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, hits, task }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }

    /// Waits until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Hit> {
        eventually(within, &format!("{n} webhook calls"), || async {
            let hits = self.hits();
            (hits.len() >= n).then_some(hits)
        })
        .await
    }
}

/// Polls `check` every 50 ms until it gives a value; panics after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `GET` that must answer 200.
pub async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get(token, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// Waits until a job reaches `status`; returns it.
pub async fn job_in(
    app: &TestApp,
    token: &str,
    job: &str,
    status: &str,
    within: Duration,
) -> Value {
    eventually(within, &format!("job {job} {status}"), || async {
        let j = get_ok(app, token, &format!("/api/v1/jobs/{job}")).await;
        (j["status"] == status).then_some(j)
    })
    .await
}

/// A `maestro` process, killed (SIGKILL) when dropped.
pub struct Proc {
    pub child: Child,
    /// The HTTP address, for `serve`.
    pub addr: Option<String>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Starts `maestro <command>` with `env`; for `serve`, waits for its address.
    pub fn start(command: &str, env: &[(&str, String)]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg(command)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MAESTRO_PORT", "0")
            .env("MAESTRO_LOG_FORMAT", "json")
            .env("MAESTRO_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start maestro");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if let Some(addr) = v["fields"]["address"].as_str() {
                        let _ = tx.send(addr.to_owned());
                    } else if v["fields"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("worker running"))
                    {
                        let _ = tx.send(String::new());
                    }
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("maestro started");
        Self {
            child,
            addr: (!addr.is_empty()).then_some(addr),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no cleanup.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }
}

/// Reads Server-Sent Events from a response: `(event name, data)` pairs.
pub struct SseReader {
    res: reqwest::Response,
    buf: String,
}

impl SseReader {
    pub async fn open(app: &TestApp, token: &str, query: &str) -> Self {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/events{query}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("events");
        Self::from_response(res).await
    }

    /// Takes an open response and waits for the `ready` event.
    pub async fn from_response(res: reqwest::Response) -> Self {
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut r = Self {
            res,
            buf: String::new(),
        };
        let first = r.next(Duration::from_secs(10)).await.expect("ready event");
        assert_eq!(first.0, "ready");
        r
    }

    /// The next event within `within` (keep-alive comments skipped), None on timeout.
    pub async fn next(&mut self, within: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() && name == "message" {
                    continue;
                }
                return Some((name, serde_json::from_str(&data).unwrap_or(Value::Null)));
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Reads until an event satisfies `want`; returns it (panics after `within`).
    pub async fn until(
        &mut self,
        within: Duration,
        what: &str,
        want: impl Fn(&str, &Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some((name, data)) if want(&name, &data) => return data,
                Some(_) => {}
                None => panic!("no {what} event within {within:?}"),
            }
        }
    }

    /// Every event arriving within `within`.
    pub async fn drain(&mut self, within: Duration) -> Vec<(String, Value)> {
        let deadline = Instant::now() + within;
        let mut out = Vec::new();
        while let Some(e) = self
            .next(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            out.push(e);
        }
        out
    }
}
