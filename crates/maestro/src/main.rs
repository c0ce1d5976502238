//! `maestro`: the cloud inventory and CMDB in one binary.

use anyhow::Context;
use clap::{Parser, Subcommand};
use maestro::config::{LogFormat, Settings};
use maestro_core::SystemClock;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than the system allocator: writes build and drop many small JSON values
/// (bulk creation 15-20 % faster), and `maestro-bench` measures Maestro with this allocator, so
/// its figures are this binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "maestro", version, about = "Cloud inventory and CMDB")]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API and web UI (the default).
    Serve {
        /// Load the demo inventory first if the installation has none.
        #[arg(long)]
        demo: bool,
    },
    /// Run job workers and a scheduler candidate, without the HTTP server.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo inventory into an installation that has none.
    Demo,
    /// Account administration for a locked-out installation.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the version.
    Version,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account (the password is read from --password, MAESTRO_ADMIN_PASSWORD or stdin).
    CreateUser {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, env = "MAESTRO_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set an account's password and end its sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "MAESTRO_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// The password from the flag, or the first line of standard input.
fn password_or_stdin(password: Option<String>) -> anyhow::Result<String> {
    if let Some(p) = password {
        return Ok(p);
    }
    eprintln!("password (read from standard input):");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!line.is_empty(), "no password given");
    Ok(line)
}

fn init_logs(settings: &Settings) {
    // PostgreSQL's notices ("index … does not exist, skipping" from the idempotent schema
    // statements of every start) are noise at info; a filter naming the target still shows them.
    let mut filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    if !settings.log.contains("sqlx") {
        filter = filter.add_directive("sqlx::postgres::notice=warn".parse().expect("a directive"));
    }
    // The AWS SDK's debug and trace events print the resolved identity and endpoint parameters,
    // access key ids among them: credentials stay out of the logs unless a filter names the
    // SDK's targets on purpose.
    if !settings.log.contains("aws_") {
        for target in [
            "aws_smithy_runtime",
            "aws_smithy_runtime_api",
            "aws_sigv4",
            "aws_runtime",
            "aws_config",
        ] {
            filter = filter.add_directive(format!("{target}=info").parse().expect("a directive"));
        }
    }
    // Colours only on a terminal: a log file or a collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi);
    match settings.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Version => {
            println!("maestro {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Migrate => {
            init_logs(&settings);
            maestro::open(&settings).await?;
            tracing::info!(database = %settings.database_url_redacted(), "migrations applied");
            Ok(())
        }
        Command::Demo => {
            init_logs(&settings);
            let core = maestro::open(&settings).await?;
            let n = core
                .load_demo()
                .await
                .context("cannot load the demo inventory")?;
            println!("loaded {n} demo entities; sign in as an administrator to see them");
            Ok(())
        }
        Command::Admin { command } => {
            init_logs(&settings);
            let core = maestro::open(&settings).await?;
            match command {
                AdminCommand::CreateUser {
                    name,
                    email,
                    password,
                    admin,
                } => {
                    let password = password_or_stdin(password)?;
                    let user = core
                        .cli_create_user(&name, &email, &password, admin)
                        .await
                        .map_err(cli_error)?;
                    println!(
                        "created {} <{}>{}",
                        user["name"].as_str().unwrap_or_default(),
                        user["email"].as_str().unwrap_or_default(),
                        if user["admin"] == true {
                            " (administrator)"
                        } else {
                            ""
                        }
                    );
                }
                AdminCommand::ResetPassword { email, password } => {
                    let password = password_or_stdin(password)?;
                    core.cli_reset_password(&email, &password)
                        .await
                        .map_err(cli_error)?;
                    println!("password of {email} reset; its sessions have ended");
                }
            }
            Ok(())
        }
        Command::Serve { demo } => {
            init_logs(&settings);
            let services =
                maestro::open_services(&settings, std::sync::Arc::new(SystemClock)).await?;
            let core = &services.core;
            if demo {
                if core.inventory_is_empty().await? {
                    let n = core.load_demo().await?;
                    tracing::info!(entities = n, "demo inventory loaded");
                } else {
                    tracing::info!("inventory not empty; demo data not loaded");
                }
            }
            let addr = settings.listen_addr()?;
            let running =
                maestro::serve_with(services, addr, &settings, maestro::shutdown_signal()).await?;
            tracing::info!(
                address = %running.addr,
                database = %settings.database_url_redacted(),
                "maestro {} listening on http://{}",
                env!("CARGO_PKG_VERSION"),
                running.addr
            );
            running.task.await.context("server task failed")?
        }
        Command::Worker => {
            init_logs(&settings);
            let services =
                maestro::open_services(&settings, std::sync::Arc::new(SystemClock)).await?;
            if settings.workers == 0 {
                tracing::warn!("MAESTRO_WORKERS is 0: this process runs no jobs");
            }
            let background =
                maestro::Background::start(&services.jobs, settings.workers, settings.scheduler);
            tracing::info!(
                database = %settings.database_url_redacted(),
                workers = settings.workers,
                "maestro {} worker running",
                env!("CARGO_PKG_VERSION")
            );
            maestro::shutdown_signal().await;
            background.stop().await;
            Ok(())
        }
    }
}

/// Turns a domain error into a readable command-line error.
fn cli_error(e: maestro_core::CoreError) -> anyhow::Error {
    match e {
        maestro_core::CoreError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}
