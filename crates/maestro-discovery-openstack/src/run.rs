//! Running a task: which listings it pages through, how each record is mapped, and handing every
//! page to the sink as soon as it is mapped (memory stays flat whatever the number of resources).

use std::collections::HashMap;

use maestro_discovery::{Observation, ObservationSink, ProviderError, TaskStats};
use reqwest::Url;
use serde_json::Value;

use crate::api::Api;
use crate::catalog::Service;
use crate::map::compute::{FlavorSize, NovaServer};
use crate::map::flavor::observe_flavor;
use crate::map::loadbalancer::{Lb, Part, PoolView, server_of_member};
use crate::map::network::{NetKind, observe as observe_net};
use crate::map::storage::{observe_image, observe_snapshot, observe_volume};
use crate::pager::Pager;
use crate::tasks::Task;

/// Nova microversion with embedded flavor details (vcpus, ram, original_name).
const NOVA_MICROVERSION: &[(&str, &str)] = &[
    ("openstack-api-version", "compute 2.47"),
    ("x-openstack-nova-api-version", "2.47"),
];

/// A task run: the session, the sink and the counts.
pub struct Run<'a> {
    pub api: &'a Api,
    pub sink: &'a mut dyn ObservationSink,
    pub limit: u32,
    pub stats: TaskStats,
}

type MapFn = fn(Value, &str) -> Result<Observation, ProviderError>;

fn join(base: &Url, path: &str) -> Result<Url, ProviderError> {
    base.join(path)
        .map_err(|e| ProviderError::Other(format!("cannot build {path} from {base}: {e}")))
}

/// Every page of a small sub-listing (a load balancer's listeners, pools, members).
async fn all(
    api: &Api,
    limit: u32,
    url: Url,
    key: &'static str,
    act: String,
) -> Result<Vec<Value>, ProviderError> {
    let mut pager = Pager::new(api, url, key, act, limit);
    let mut out = Vec::new();
    while let Some(items) = pager.next().await? {
        out.extend(items);
    }
    Ok(out)
}

fn action(service: Service, policy: &str) -> String {
    format!("{}: {policy}", service.label())
}

impl Run<'_> {
    pub async fn task(&mut self, task: Task) -> Result<(), ProviderError> {
        match task {
            Task::Servers => self.servers().await,
            Task::Loadbalancers => self.loadbalancers().await,
            Task::Volumes => {
                let policy = "volume:get_all";
                self.simple(
                    Service::BlockStorage,
                    "volumes/detail",
                    "volumes",
                    policy,
                    observe_volume,
                )
                .await
            }
            Task::Snapshots => {
                let (path, policy) = ("snapshots/detail", "volume:get_all_snapshots");
                self.simple(
                    Service::BlockStorage,
                    path,
                    "snapshots",
                    policy,
                    observe_snapshot,
                )
                .await
            }
            Task::Images => {
                self.simple(
                    Service::Image,
                    "images",
                    "images",
                    "get_images",
                    observe_image,
                )
                .await
            }
            Task::Flavors => {
                let (path, policy) = ("flavors/detail?is_public=None", "GET /flavors/detail");
                self.simple(Service::Compute, path, "flavors", policy, observe_flavor)
                    .await
            }
            Task::SecurityGroups => self.network(NetKind::SecurityGroup).await,
            Task::Networks => {
                for kind in [
                    NetKind::Network,
                    NetKind::Subnet,
                    NetKind::Port,
                    NetKind::Router,
                ] {
                    self.network(kind).await?;
                }
                Ok(())
            }
        }
    }

    async fn send(&mut self, page: Vec<Observation>) -> Result<(), ProviderError> {
        if page.is_empty() {
            return Ok(());
        }
        self.stats.observed += page.len() as u64;
        self.stats.pages += 1;
        self.sink
            .accept(page)
            .await
            .map_err(|e| ProviderError::Other(format!("the sink refused a page: {e}")))
    }

    async fn simple(
        &mut self,
        service: Service,
        path: &str,
        key: &'static str,
        policy: &str,
        map: MapFn,
    ) -> Result<(), ProviderError> {
        let api = self.api;
        let url = join(&api.endpoint(service)?, path)?;
        let mut pager = Pager::new(api, url, key, action(service, policy), self.limit);
        while let Some(items) = pager.next().await? {
            let page = items
                .into_iter()
                .map(|i| map(i, api.region()))
                .collect::<Result<Vec<_>, _>>()?;
            self.send(page).await?;
        }
        Ok(())
    }

    async fn network(&mut self, kind: NetKind) -> Result<(), ProviderError> {
        let api = self.api;
        let (path, key, policy) = kind.listing();
        let url = join(&api.endpoint(Service::Network)?, path)?;
        let mut pager = Pager::new(api, url, key, action(Service::Network, policy), self.limit);
        while let Some(items) = pager.next().await? {
            let page = items
                .into_iter()
                .map(|i| observe_net(kind, i, api.region()))
                .collect::<Result<Vec<_>, _>>()?;
            self.send(page).await?;
        }
        Ok(())
    }

    async fn servers(&mut self) -> Result<(), ProviderError> {
        let api = self.api;
        let base = api.endpoint(Service::Compute)?;
        let policy = action(Service::Compute, "os_compute_api:servers:detail");
        let mut pager = Pager::new(
            api,
            join(&base, "servers/detail")?,
            "servers",
            policy,
            self.limit,
        )
        .headers(NOVA_MICROVERSION);
        // Flavors looked up by id (servers listed before microversion 2.47): a handful per cloud.
        let mut flavors: HashMap<String, Option<FlavorSize>> = HashMap::new();
        while let Some(items) = pager.next().await? {
            let mut page = Vec::with_capacity(items.len());
            for item in items {
                let server = NovaServer::parse(item)?;
                let mut size = FlavorSize::from_value(&server.flavor);
                if size.is_none()
                    && let Some(id) = server.flavor_id()
                {
                    if !flavors.contains_key(id) {
                        let url = join(&base, &format!("flavors/{id}"))?;
                        let act = action(Service::Compute, "GET /flavors/{id}");
                        let found = api.get_opt(&url, &[], &act).await?;
                        let fl =
                            found.and_then(|v| v.get("flavor").and_then(FlavorSize::from_value));
                        flavors.insert(id.to_owned(), fl);
                    }
                    size = flavors.get(id).cloned().flatten();
                }
                page.push(server.observe(api.region(), size.as_ref()));
            }
            self.send(page).await?;
        }
        Ok(())
    }

    async fn loadbalancers(&mut self) -> Result<(), ProviderError> {
        let api = self.api;
        let base = api.endpoint(Service::LoadBalancer)?;
        let lb_action =
            |p: &str| action(Service::LoadBalancer, &format!("os_load-balancer_api:{p}"));
        let url = join(&base, "lbaas/loadbalancers")?;
        let mut pager = Pager::new(
            api,
            url,
            "loadbalancers",
            lb_action("loadbalancer:get_all"),
            self.limit,
        );
        let mut network: Option<Url> = None;
        let limit = self.limit;
        while let Some(items) = pager.next().await? {
            let mut page = Vec::with_capacity(items.len());
            for item in items {
                let lb = Lb::parse(item)?;
                let filter = |path: &str| -> Result<Url, ProviderError> {
                    let mut u = join(&base, path)?;
                    u.query_pairs_mut().append_pair("loadbalancer_id", &lb.id);
                    Ok(u)
                };
                let listeners = all(
                    api,
                    limit,
                    filter("lbaas/listeners")?,
                    "listeners",
                    lb_action("listener:get_all"),
                )
                .await?
                .into_iter()
                .map(|v| Part::parse("listener", v))
                .collect::<Result<Vec<_>, _>>()?;
                let mut pools = Vec::new();
                let mut targets: Vec<String> = Vec::new();
                for raw in all(
                    api,
                    limit,
                    filter("lbaas/pools")?,
                    "pools",
                    lb_action("pool:get_all"),
                )
                .await?
                {
                    let pool = Part::parse("pool", raw)?;
                    let url = join(&base, &format!("lbaas/pools/{}/members", pool.id))?;
                    let act = lb_action("member:get_all");
                    let mut members = Vec::new();
                    for m in all(api, limit, url, "members", act).await? {
                        let member = Part::parse("member", m)?;
                        if let Some(addr) = member.address.as_deref() {
                            let net = match &network {
                                Some(n) => n.clone(),
                                None => network.insert(api.endpoint(Service::Network)?).clone(),
                            };
                            let mut u = join(&net, "ports")?;
                            u.query_pairs_mut()
                                .append_pair("fixed_ips", &format!("ip_address={addr}"));
                            let ports =
                                all(api, limit, u, "ports", action(Service::Network, "get_port"))
                                    .await?;
                            if let Some(server) = server_of_member(&member, &ports)
                                && !targets.contains(&server)
                            {
                                targets.push(server);
                            }
                        }
                        members.push(member);
                    }
                    pools.push(PoolView { pool, members });
                }
                page.push(lb.observe(api.region(), &listeners, &pools, &targets));
            }
            self.send(page).await?;
        }
        Ok(())
    }
}
