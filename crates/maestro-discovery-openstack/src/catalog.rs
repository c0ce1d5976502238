//! The token's service catalog: the public endpoint of a service in a region, the optional
//! `endpoint_url` override (a proxy or a public name for a catalog that advertises internal
//! hosts) and the API version each service's paths start from.

use maestro_discovery::ProviderError;
use reqwest::Url;
use serde::Deserialize;

/// One catalog entry as Keystone returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogService {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub endpoints: Vec<CatalogEndpoint>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogEndpoint {
    #[serde(default)]
    pub interface: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub region_id: Option<String>,
    pub url: String,
}

impl CatalogEndpoint {
    fn region(&self) -> Option<&str> {
        self.region_id.as_deref().or(self.region.as_deref())
    }
}

/// The services a task calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Compute,
    Network,
    Image,
    BlockStorage,
    LoadBalancer,
}

impl Service {
    /// Catalog types, preferred first.
    fn types(self) -> &'static [&'static str] {
        match self {
            Service::Compute => &["compute"],
            Service::Network => &["network"],
            Service::Image => &["image"],
            Service::BlockStorage => &["block-storage", "volumev3"],
            Service::LoadBalancer => &["load-balancer"],
        }
    }

    /// Short name used in permission messages.
    pub fn label(self) -> &'static str {
        match self {
            Service::Compute => "compute",
            Service::Network => "network",
            Service::Image => "image",
            Service::BlockStorage => "volume",
            Service::LoadBalancer => "load-balancer",
        }
    }

    /// The version segment the API paths start from, added when the catalog URL lacks it
    /// (Neutron, Glance and Octavia advertise unversioned roots; Nova and Cinder versioned ones).
    fn version(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Service::Compute => ("v2.1", &["v2", "v2.1"]),
            Service::Network => ("v2.0", &["v2.0"]),
            Service::Image => ("v2", &["v2"]),
            Service::BlockStorage => ("v3", &["v3"]),
            Service::LoadBalancer => ("v2", &["v2", "v2.0"]),
        }
    }
}

/// The catalog of one token.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: Vec<CatalogService>,
}

impl Catalog {
    pub fn new(services: Vec<CatalogService>) -> Self {
        Catalog { services }
    }

    /// Every region the catalog names, in order of first appearance.
    pub fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in self.services.iter().flat_map(|s| &s.endpoints) {
            if let Some(r) = e.region()
                && !out.iter().any(|o| o == r)
            {
                out.push(r.to_owned());
            }
        }
        out
    }

    /// The versioned base URL of `service` in `region` (public interface), ending with `/`.
    pub fn endpoint(
        &self,
        service: Service,
        region: &str,
        override_url: Option<&str>,
    ) -> Result<Url, ProviderError> {
        let found = service.types().iter().find_map(|t| {
            self.services
                .iter()
                .filter(|s| s.kind == *t)
                .flat_map(|s| &s.endpoints)
                .find(|e| e.interface == "public" && e.region() == Some(region))
        });
        let Some(ep) = found else {
            return Err(ProviderError::Other(format!(
                "the service catalog has no public {} endpoint in region {region:?} (regions: {})",
                service.types().join(" or "),
                self.regions().join(", ")
            )));
        };
        let mut url = Url::parse(&ep.url)
            .map_err(|e| ProviderError::Other(format!("bad catalog URL {:?}: {e}", ep.url)))?;
        if let Some(o) = override_url.map(str::trim).filter(|s| !s.is_empty()) {
            url = rewrite(&url, o)?;
        }
        Ok(versioned(url, service))
    }
}

/// Takes scheme and host from `override_url`, and its port when it names one (else the catalog's).
pub fn rewrite(url: &Url, override_url: &str) -> Result<Url, ProviderError> {
    let o = Url::parse(override_url)
        .map_err(|e| ProviderError::Other(format!("invalid endpoint_url {override_url:?}: {e}")))?;
    let mut out = url.clone();
    let port = o.port().or(url.port());
    let bad = || ProviderError::Other(format!("cannot apply endpoint_url {override_url:?}"));
    out.set_scheme(o.scheme()).map_err(|_| bad())?;
    out.set_host(o.host_str()).map_err(|_| bad())?;
    out.set_port(port).map_err(|_| bad())?;
    let prefix = o.path().trim_end_matches('/');
    if !prefix.is_empty() {
        out.set_path(&format!("{prefix}{}", url.path()));
    }
    Ok(out)
}

fn versioned(mut url: Url, service: Service) -> Url {
    let (add, known) = service.version();
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let has_version = segments.iter().any(|s| known.contains(&s.as_str()));
    let mut path = segments.join("/");
    if !has_version {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(add);
    }
    url.set_path(&format!("{path}/"));
    url.set_query(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let raw = include_str!("../fixtures/keystone-token-full-catalog.json");
        let v: serde_json::Value = serde_json::from_str(raw).unwrap();
        Catalog::new(serde_json::from_value(v["token"]["catalog"].clone()).unwrap())
    }

    #[test]
    fn picks_public_versioned_endpoints_of_the_region() {
        let c = catalog();
        assert_eq!(c.regions(), vec!["RegionOne".to_owned()]);
        let url = |s| c.endpoint(s, "RegionOne", None).unwrap().to_string();
        assert_eq!(
            url(Service::Compute),
            "http://23.253.248.171:8774/v2.1/a6944d763bf64ee6a275f1263fae0352/"
        );
        assert_eq!(url(Service::Network), "http://23.253.248.171:9696/v2.0/");
        assert_eq!(url(Service::Image), "http://23.253.248.171:9292/v2/");
        assert_eq!(
            url(Service::BlockStorage),
            "http://23.253.248.171:8776/v3/a6944d763bf64ee6a275f1263fae0352/"
        );
        assert_eq!(url(Service::LoadBalancer), "http://23.253.248.171:9876/v2/");
        let err = c.endpoint(Service::Compute, "RegionTwo", None).unwrap_err();
        assert!(err.to_string().contains("RegionOne"), "{err}");
    }

    #[test]
    fn endpoint_url_overrides_scheme_and_host() {
        let c = catalog();
        let url = c
            .endpoint(
                Service::Image,
                "RegionOne",
                Some("https://cloud.example.org"),
            )
            .unwrap();
        assert_eq!(url.as_str(), "https://cloud.example.org:9292/v2/");
        let url = c
            .endpoint(
                Service::Network,
                "RegionOne",
                Some("http://127.0.0.1:8080/proxy"),
            )
            .unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/proxy/v2.0/");
    }
}
