//! Configuration from the environment (`MAESTRO_*`) or command-line flags. Defaults run on a
//! laptop with nothing else installed: SQLite in the current directory, 127.0.0.1:8888.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Registration {
    Open,
    Closed,
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
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "MAESTRO_LOG", default_value = "info")]
    pub log: String,
    /// Log format.
    #[arg(long, env = "MAESTRO_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

impl Settings {
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
        })
    }
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
    }
}
