//! Background work in a process: the event bus (relayed across processes on PostgreSQL), the
//! jobs service, and the workers and scheduler candidate `serve` and `worker` run until shutdown.

use std::sync::Arc;

use anyhow::Context;
use maestro_core::discovery::{Discovery, DiscoveryService};
use maestro_core::jobs::scheduler::Scheduler;
use maestro_core::jobs::worker::Worker;
use maestro_core::jobs::{Bus, Jobs};
use maestro_core::{Clock, Core};
use tokio::task::JoinHandle;

use crate::Settings;

/// Everything a process serves from: the domain services and the jobs service over them.
#[derive(Clone)]
pub struct Services {
    pub core: Core,
    pub jobs: Jobs,
    pub discovery: DiscoveryService,
}

/// Opens the database (migrations, seeds), wires live events and builds the jobs service.
pub async fn open_services(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Services> {
    let (core, db) = crate::open_db(settings, clock).await?;
    let bus = Bus::default();
    db.relay_events(&bus)
        .await
        .context("cannot listen for events from other processes")?;
    let core = core.with_events(Arc::new(bus.clone()));
    let jobs = Jobs::new(core.clone(), Arc::new(db), bus, settings.jobs_config()?);
    let providers: Vec<Arc<dyn maestro_discovery::Provider>> = vec![
        Arc::new(maestro_discovery_aws::AwsProvider::new()),
        Arc::new(maestro_discovery_openstack::OpenStackProvider::new()),
    ];
    let discovery = DiscoveryService::new(Discovery::new(core.clone(), providers), jobs.clone());
    Ok(Services {
        core,
        jobs,
        discovery,
    })
}

/// The workers and the scheduler candidate running in this process.
pub struct Background {
    jobs: Jobs,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Starts `workers` workers, and a scheduler candidate when `scheduler` is set.
    pub fn start(jobs: &Jobs, workers: usize, scheduler: bool) -> Self {
        let mut tasks = Vec::new();
        for _ in 0..workers {
            let worker = Worker::new(jobs.clone());
            tasks.push(tokio::spawn(worker.run(jobs.closed())));
        }
        if scheduler {
            let s = Scheduler::new(jobs.clone());
            tasks.push(tokio::spawn(s.run(jobs.closed())));
        }
        if workers > 0 || scheduler {
            tracing::info!(workers, scheduler, "background work started");
        }
        Self {
            jobs: jobs.clone(),
            tasks,
        }
    }

    /// Stops everything and waits for running jobs to finish or be given back.
    pub async fn stop(self) {
        self.jobs.shut_down();
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
