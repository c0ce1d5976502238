//! Configuration from the environment (`MAESTRO_*`) or command-line flags. Defaults run on a
//! laptop with nothing else installed: SQLite in the current directory, 127.0.0.1:8888.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Registration {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Upload {
    Local,
    S3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "MAESTRO_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, env = "MAESTRO_PORT", default_value_t = 8888)]
    pub port: u16,
    /// Directory for the SQLite file, uploads and generated secrets.
    #[arg(long, env = "MAESTRO_DATA_DIR", default_value = ".")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://path or postgres://user@host/db (default: SQLite in the data dir).
    #[arg(long, env = "MAESTRO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Maximum PostgreSQL connections per process.
    #[arg(long, env = "MAESTRO_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,
    /// Session lifetime: seconds, or a number with s, m, h or d.
    #[arg(long, env = "MAESTRO_SESSION_TTL", default_value = "24h")]
    pub session_ttl: String,
    /// Whether anyone may register (the first account always can).
    #[arg(long, env = "MAESTRO_REGISTRATION", value_enum, default_value = "open")]
    pub registration: Registration,
    /// Maestro's public URL: links in e-mails are built from it.
    #[arg(
        long,
        env = "MAESTRO_PUBLIC_URL",
        default_value = "http://127.0.0.1:8888"
    )]
    pub public_url: String,
    /// Where uploads (avatars) are kept: local (under the data dir) or s3.
    #[arg(long, env = "MAESTRO_UPLOAD", value_enum, default_value = "local")]
    pub upload: Upload,
    /// S3 bucket for uploads (MAESTRO_UPLOAD=s3; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "MAESTRO_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// S3 region.
    #[arg(long, env = "MAESTRO_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// S3-compatible endpoint (e.g. http://127.0.0.1:5055), default AWS.
    #[arg(long, env = "MAESTRO_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// S3 access key id (default: AWS_ACCESS_KEY_ID).
    #[arg(long, env = "MAESTRO_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    /// S3 secret access key (default: AWS_SECRET_ACCESS_KEY).
    #[arg(long, env = "MAESTRO_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
    /// 64 hex characters (32 bytes) sealing secrets at rest (connection credentials). Default: a
    /// key generated once into MAESTRO_DATA_DIR/secret.key — set it explicitly when several
    /// machines share one PostgreSQL database.
    #[arg(long, env = "MAESTRO_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// SMTP server for password reset e-mails (unset: no e-mail is sent).
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "SMTP_PORT", default_value_t = 25)]
    pub smtp_port: u16,
    /// Sender address of Maestro's e-mails.
    #[arg(long, env = "SMTP_SENDER", default_value = "maestro@localhost")]
    pub smtp_sender: String,
    #[arg(long, env = "SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// Implicit TLS (SMTPS).
    #[arg(long, env = "SMTP_USESSL", default_value_t = false, action = clap::ArgAction::Set)]
    pub smtp_usessl: bool,
    /// Do not use STARTTLS even when the server offers it.
    #[arg(long, env = "SMTP_IGNORE", default_value_t = false, action = clap::ArgAction::Set)]
    pub smtp_ignore: bool,
    /// Web UI theme: lotus, gold, wine, blue, dark, green or orange (each user may pick another).
    #[arg(long, env = "MAESTRO_THEME", default_value = "lotus")]
    pub theme: maestro_web::Theme,
    /// Logo shown by the web UI: a .png, .jpg, .webp, .gif or .svg file (default: Maestro's).
    #[arg(long, env = "MAESTRO_LOGO")]
    pub logo: Option<PathBuf>,
    /// Job workers in this process (`serve` and `worker`); 0 runs none.
    #[arg(long, env = "MAESTRO_WORKERS", default_value_t = 1)]
    pub workers: usize,
    /// Jobs each worker runs at once.
    #[arg(long, env = "MAESTRO_WORKER_CONCURRENCY", default_value_t = 8)]
    pub worker_concurrency: usize,
    /// Whether this process competes to run the scheduler (one process at a time does).
    #[arg(long, env = "MAESTRO_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set)]
    pub scheduler: bool,
    /// How long a worker holds a job without a heartbeat (a dead worker's job runs again after it).
    #[arg(long, env = "MAESTRO_JOB_LEASE", default_value = "30s")]
    pub job_lease: String,
    /// How long the scheduler's leadership lasts without renewal (takeover time if it dies).
    #[arg(long, env = "MAESTRO_SCHEDULER_LEASE", default_value = "15s")]
    pub scheduler_lease: String,
    /// How often idle workers look for due jobs (they are also woken when jobs are queued).
    #[arg(long, env = "MAESTRO_JOB_POLL", default_value = "1s")]
    pub job_poll: String,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "MAESTRO_LOG", default_value = "info")]
    pub log: String,
    /// Log format.
    #[arg(long, env = "MAESTRO_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

impl Settings {
    /// Settings from command-line style arguments (plus the environment), for tools and tests:
    /// `Settings::parse_args(["maestro", "--port", "0"])`.
    pub fn parse_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            settings: Settings,
        }
        <Wrapper as clap::Parser>::try_parse_from(args).map(|w| w.settings)
    }

    /// The database URL, defaulting to `maestro.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => format!("sqlite://{}", self.data_dir.join("maestro.db").display()),
        }
    }

    /// The database URL without credentials, for logs.
    pub fn database_url_redacted(&self) -> String {
        let url = self.database_url();
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}://***@{}", &url[..scheme], &url[at + 1..])
            }
            _ => url,
        }
    }

    pub fn listen_addr(&self) -> anyhow::Result<SocketAddr> {
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{host}:{}", self.port).parse().with_context(|| {
            format!(
                "MAESTRO_HOST/MAESTRO_PORT do not form an address: {host}:{}",
                self.port
            )
        })
    }

    pub fn session_ttl(&self) -> anyhow::Result<chrono::Duration> {
        parse_duration(&self.session_ttl).context("MAESTRO_SESSION_TTL")
    }

    pub fn core_config(&self) -> anyhow::Result<maestro_core::CoreConfig> {
        Ok(maestro_core::CoreConfig {
            session_ttl: self.session_ttl()?,
            registration_open: self.registration == Registration::Open,
            public_url: self.public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The web UI's options: theme, logo, and secure cookies when the public URL is https.
    pub fn ui(&self) -> maestro_web::UiOptions {
        maestro_web::UiOptions {
            theme: self.theme,
            logo: self.logo.clone().filter(|p| !p.as_os_str().is_empty()),
            secure_cookies: self.public_url.trim().starts_with("https://"),
        }
    }

    /// The SMTP settings, when an SMTP host is configured.
    pub fn smtp(&self) -> Option<maestro_adapters::mail::SmtpConfig> {
        let host = self.smtp_host.as_ref().filter(|h| !h.trim().is_empty())?;
        Some(maestro_adapters::mail::SmtpConfig {
            host: host.trim().to_owned(),
            port: self.smtp_port,
            sender: self.smtp_sender.clone(),
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            use_ssl: self.smtp_usessl,
            ignore_tls: self.smtp_ignore,
        })
    }

    /// The key sealing secrets: MAESTRO_SECRET_KEY, or `secret.key` in the data directory, or
    /// a new random key with the path to save it at once the database accepted it
    /// ([`Settings::save_secret_key`]) — a database whose secrets were sealed with a lost key
    /// refuses it, and no useless key file is left behind.
    pub fn secret_key(&self) -> anyhow::Result<(String, Option<PathBuf>)> {
        if let Some(key) = self.secret_key.as_ref().filter(|k| !k.trim().is_empty()) {
            return Ok((key.trim().to_owned(), None));
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(key) => Ok((key.trim().to_owned(), None)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((maestro_core::secrets::SecretBox::generate_key(), Some(path)))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Writes a new key file, readable by its owner only.
    pub fn save_secret_key(path: &Path, key: &str) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        let mut file = options
            .open(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        file.write_all(key.as_bytes())?;
        Ok(())
    }

    /// Upload storage.
    pub fn blobs(&self) -> anyhow::Result<maestro_adapters::blobs::Blobs> {
        let blobs = match self.upload {
            Upload::Local => maestro_adapters::blobs::Blobs::local(&self.data_dir.join("uploads")),
            Upload::S3 => {
                let bucket = self
                    .s3_bucket
                    .clone()
                    .filter(|b| !b.is_empty())
                    .context("MAESTRO_UPLOAD=s3 needs MAESTRO_S3_BUCKET")?;
                maestro_adapters::blobs::Blobs::s3(&maestro_adapters::blobs::S3Config {
                    bucket,
                    region: self.s3_region.clone(),
                    endpoint: self.s3_endpoint.clone(),
                    access_key_id: self.s3_access_key_id.clone(),
                    secret_access_key: self.s3_secret_access_key.clone(),
                })
            }
        };
        blobs.map_err(|e| anyhow::anyhow!(e))
    }
}

impl Settings {
    /// Timings and concurrency of workers and the scheduler.
    pub fn jobs_config(&self) -> anyhow::Result<maestro_core::jobs::JobsConfig> {
        let ms = |v: &str, name: &str| parse_millis(v).with_context(|| name.to_owned());
        Ok(maestro_core::jobs::JobsConfig {
            job_lease: ms(&self.job_lease, "MAESTRO_JOB_LEASE")?,
            poll: ms(&self.job_poll, "MAESTRO_JOB_POLL")?,
            scheduler_lease: ms(&self.scheduler_lease, "MAESTRO_SCHEDULER_LEASE")?,
            concurrency: self.worker_concurrency.max(1),
        })
    }
}

/// Parses a duration with milliseconds allowed: `500ms`, or anything [`parse_duration`] takes.
pub fn parse_millis(s: &str) -> anyhow::Result<std::time::Duration> {
    let t = s.trim();
    if let Some(n) = t.strip_suffix("ms") {
        let n: u64 = n
            .trim()
            .parse()
            .with_context(|| format!("{s:?} is not a duration"))?;
        anyhow::ensure!(n > 0, "duration must be positive");
        return Ok(std::time::Duration::from_millis(n));
    }
    Ok(parse_duration(t)?.to_std()?)
}

/// Parses `90`, `90s`, `15m`, `24h`, `7d`.
pub fn parse_duration(s: &str) -> anyhow::Result<chrono::Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a duration"))?;
    let d = match unit {
        "" | "s" => chrono::Duration::seconds(n),
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        other => bail!("unknown duration unit {other:?} (use s, m, h or d)"),
    };
    if d <= chrono::Duration::zero() {
        bail!("duration must be positive");
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("24h").unwrap(), chrono::Duration::hours(24));
        assert_eq!(parse_duration("90").unwrap(), chrono::Duration::seconds(90));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("3w").is_err());
        assert_eq!(
            parse_millis("250ms").unwrap(),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            parse_millis("2s").unwrap(),
            std::time::Duration::from_secs(2)
        );
        assert!(parse_millis("0ms").is_err());
    }
}
