//! SMTP delivery with lettre, configured like the original (`SMTP_*`): `SMTP_USESSL=true` uses
//! implicit TLS; otherwise STARTTLS is used when offered, unless `SMTP_IGNORE=true`, which sends
//! in plain text; credentials only when `SMTP_USERNAME` is set.

use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use maestro_core::ports::Mailer;

/// SMTP settings.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub sender: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Implicit TLS (SMTPS).
    pub use_ssl: bool,
    /// Never negotiate STARTTLS.
    pub ignore_tls: bool,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("sender", &self.sender)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("use_ssl", &self.use_ssl)
            .field("ignore_tls", &self.ignore_tls)
            .finish()
    }
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, String> {
        let sender: Mailbox = config
            .sender
            .parse()
            .map_err(|e| format!("SMTP_SENDER {:?} is not an address: {e}", config.sender))?;
        let tls_params = || {
            TlsParameters::new(config.host.clone()).map_err(|e| format!("TLS setup failed: {e}"))
        };
        let tls = if config.use_ssl {
            Tls::Wrapper(tls_params()?)
        } else if config.ignore_tls {
            Tls::None
        } else {
            Tls::Opportunistic(tls_params()?)
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let Some(user) = config.username.as_ref().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                config.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            sender,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &str, subject: &str, text: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.sender.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP delivery failed: {e}"))
    }
}
