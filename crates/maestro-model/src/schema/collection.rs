//! API collections: the URL segments of the inventory and the kind (and families) each shows.
//! `/applications`, `/databases`, `/loadbalancers` and `/resources` are views of one kind.

use super::{Kind, RESOURCE_FAMILIES};

/// Which families of the application model a collection shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyScope {
    /// Not the application model.
    None,
    /// Exactly this family.
    One(&'static str),
    /// Every family but Application, Database and Loadbalance.
    Resources,
}

impl FamilyScope {
    pub fn contains(self, family: Option<&str>) -> bool {
        match (self, family) {
            (FamilyScope::None, _) => true,
            (FamilyScope::One(f), Some(g)) => f == g,
            (FamilyScope::Resources, Some(g)) => RESOURCE_FAMILIES.contains(&g),
            _ => false,
        }
    }

    pub fn families(self) -> &'static [&'static str] {
        match self {
            FamilyScope::None => &[],
            FamilyScope::One("Application") => &["Application"],
            FamilyScope::One("Database") => &["Database"],
            FamilyScope::One("Loadbalance") => &["Loadbalance"],
            FamilyScope::One(_) => &[],
            FamilyScope::Resources => RESOURCE_FAMILIES,
        }
    }
}

/// A collection of the REST API (`/api/v1/<segment>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collection {
    Servers,
    Applications,
    Databases,
    Loadbalancers,
    Resources,
    Systems,
    Clients,
    Datacenters,
    Volumes,
    Snapshots,
    Images,
    Networks,
    Flavors,
    Services,
    Connections,
}

impl Collection {
    pub const ALL: [Collection; 15] = [
        Collection::Servers,
        Collection::Applications,
        Collection::Databases,
        Collection::Loadbalancers,
        Collection::Resources,
        Collection::Systems,
        Collection::Clients,
        Collection::Datacenters,
        Collection::Volumes,
        Collection::Snapshots,
        Collection::Images,
        Collection::Networks,
        Collection::Flavors,
        Collection::Services,
        Collection::Connections,
    ];

    pub fn segment(self) -> &'static str {
        match self {
            Collection::Servers => "servers",
            Collection::Applications => "applications",
            Collection::Databases => "databases",
            Collection::Loadbalancers => "loadbalancers",
            Collection::Resources => "resources",
            Collection::Systems => "systems",
            Collection::Clients => "clients",
            Collection::Datacenters => "datacenters",
            Collection::Volumes => "volumes",
            Collection::Snapshots => "snapshots",
            Collection::Images => "images",
            Collection::Networks => "networks",
            Collection::Flavors => "flavors",
            Collection::Services => "services",
            Collection::Connections => "connections",
        }
    }

    pub fn parse(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.segment() == segment)
    }

    /// Human label, plural (`Load balancers`).
    pub fn label(self) -> &'static str {
        match self {
            Collection::Servers => "Servers",
            Collection::Applications => "Applications",
            Collection::Databases => "Databases",
            Collection::Loadbalancers => "Load balancers",
            Collection::Resources => "Resources",
            Collection::Systems => "Systems",
            Collection::Clients => "Clients",
            Collection::Datacenters => "Datacenters",
            Collection::Volumes => "Volumes",
            Collection::Snapshots => "Snapshots",
            Collection::Images => "Images",
            Collection::Networks => "Networks",
            Collection::Flavors => "Flavors",
            Collection::Services => "Services catalog",
            Collection::Connections => "Connections",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Collection::Servers => Kind::Server,
            Collection::Applications
            | Collection::Databases
            | Collection::Loadbalancers
            | Collection::Resources => Kind::Application,
            Collection::Systems => Kind::System,
            Collection::Clients => Kind::Client,
            Collection::Datacenters => Kind::Datacenter,
            Collection::Volumes => Kind::Volume,
            Collection::Snapshots => Kind::Snapshot,
            Collection::Images => Kind::Image,
            Collection::Networks => Kind::Network,
            Collection::Flavors => Kind::Flavor,
            Collection::Services => Kind::Service,
            Collection::Connections => Kind::Connection,
        }
    }

    pub fn family_scope(self) -> FamilyScope {
        match self {
            Collection::Applications => FamilyScope::One("Application"),
            Collection::Databases => FamilyScope::One("Database"),
            Collection::Loadbalancers => FamilyScope::One("Loadbalance"),
            Collection::Resources => FamilyScope::Resources,
            _ => FamilyScope::None,
        }
    }

    /// The collection an entity of `kind` and `family` is shown in.
    pub fn of(kind: Kind, family: Option<&str>) -> Collection {
        match (kind, family) {
            (Kind::Application, Some("Application")) => Collection::Applications,
            (Kind::Application, Some("Database")) => Collection::Databases,
            (Kind::Application, Some("Loadbalance")) => Collection::Loadbalancers,
            (Kind::Application, _) => Collection::Resources,
            (k, _) => Self::ALL
                .into_iter()
                .find(|c| c.kind() == k)
                .unwrap_or(Collection::Resources),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_lands_in_the_collection_that_shows_it() {
        for c in Collection::ALL {
            let fam = c.family_scope().families().first().copied();
            assert_eq!(Collection::of(c.kind(), fam), c);
            assert_eq!(Collection::parse(c.segment()), Some(c));
        }
    }
}
