//! The inventory kinds and their schema descriptions.

use super::{Field, application, infra, network, server};

/// A stored kind of entity. Applications and the 26 resource families share one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Server,
    Application,
    System,
    Client,
    Datacenter,
    Volume,
    Snapshot,
    Image,
    Network,
    Flavor,
    Service,
    Connection,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Server,
        Kind::Application,
        Kind::System,
        Kind::Client,
        Kind::Datacenter,
        Kind::Volume,
        Kind::Snapshot,
        Kind::Image,
        Kind::Network,
        Kind::Flavor,
        Kind::Service,
        Kind::Connection,
    ];

    pub fn as_str(self) -> &'static str {
        self.schema().name
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn schema(self) -> &'static KindSchema {
        match self {
            Kind::Server => &server::SERVER,
            Kind::Application => &application::APPLICATION,
            Kind::System => &infra::SYSTEM,
            Kind::Client => &infra::CLIENT,
            Kind::Datacenter => &infra::DATACENTER,
            Kind::Volume => &infra::VOLUME,
            Kind::Snapshot => &infra::SNAPSHOT,
            Kind::Image => &infra::IMAGE,
            Kind::Network => &network::NETWORK,
            Kind::Flavor => &infra::FLAVOR,
            Kind::Service => &infra::SERVICE,
            Kind::Connection => &infra::CONNECTION,
        }
    }

    /// Whether entities of this kind have a single `family` (stored as a column): the
    /// application model and networks. (Catalog services list several families.)
    pub fn has_family(self) -> bool {
        self.schema()
            .field("family")
            .is_some_and(|f| matches!(f.ty, super::Ty::Enum(_)))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything Maestro knows about one kind.
#[derive(Debug)]
pub struct KindSchema {
    pub kind: Kind,
    /// Singular machine name, stored in the database (`server`).
    pub name: &'static str,
    /// Singular label for people (`Server`).
    pub label: &'static str,
    pub fields: &'static [Field],
    /// Global kinds (the services catalog) are readable by every account and written by
    /// administrators; other kinds follow per-entity access.
    pub global: bool,
    pub doc: &'static str,
}

impl KindSchema {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Identifier fields whose values are checked for duplicates (hostname, IPs, provider id,
    /// application name): marked `warn_duplicate`, references excluded.
    pub fn identifier_fields(&self) -> impl Iterator<Item = &'static Field> {
        self.fields
            .iter()
            .filter(|f| f.warn_duplicate && !matches!(f.ty, super::Ty::Ref(_)))
    }

    /// Fields that are sortable and indexed, top level or nested (`os.base`).
    pub fn indexed_paths(&self) -> Vec<(String, &'static Field)> {
        let mut out = Vec::new();
        for f in self.fields {
            if f.indexed {
                out.push((f.name.to_owned(), f));
            }
            if let super::Ty::Object { fields, .. } = f.ty {
                for sub in fields.iter().filter(|s| s.indexed) {
                    out.push((format!("{}.{}", f.name, sub.name), sub));
                }
            }
        }
        out
    }

    /// Reference fields (top level and one level down in objects) with their dotted paths.
    pub fn ref_fields(&self) -> Vec<(String, &'static super::RefSpec)> {
        let mut out = Vec::new();
        for f in self.fields {
            match f.ty {
                super::Ty::Ref(spec) => out.push((f.name.to_owned(), spec)),
                super::Ty::Object { fields, .. } => {
                    for sub in fields {
                        if let super::Ty::Ref(spec) = sub.ty {
                            out.push((format!("{}.{}", f.name, sub.name), spec));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}
