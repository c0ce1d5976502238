//! `maestro`: the cloud inventory and CMDB in one binary.

use anyhow::Context;
use clap::{Parser, Subcommand};
use maestro::config::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

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
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo inventory into an installation that has none.
    Demo,
    /// Print the version.
    Version,
}

fn init_logs(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
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
        Command::Serve { demo } => {
            init_logs(&settings);
            let core = maestro::open(&settings).await?;
            if demo {
                if core.inventory_is_empty().await? {
                    let n = core.load_demo().await?;
                    tracing::info!(entities = n, "demo inventory loaded");
                } else {
                    tracing::info!("inventory not empty; demo data not loaded");
                }
            }
            let addr = settings.listen_addr()?;
            let running = maestro::serve(core, addr, maestro::shutdown_signal()).await?;
            tracing::info!(
                address = %running.addr,
                database = %settings.database_url_redacted(),
                "maestro {} listening on http://{}",
                env!("CARGO_PKG_VERSION"),
                running.addr
            );
            running.task.await.context("server task failed")?
        }
    }
}
