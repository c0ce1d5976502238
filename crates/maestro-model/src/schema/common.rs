//! Enums and field groups shared by several kinds (tags, auth methods, datacenter placement).

use super::Kind;
use super::ty::{Field, RefSpec, Ty, s};

/// The application model's families (the original's validator enum, 26 values).
pub const APPLICATION_FAMILIES: &[&str] = &[
    "Application",
    "Loadbalance",
    "Broker",
    "Database",
    "Serverless",
    "ApiGateway",
    "ContainerOrchestration",
    "ServiceMesh",
    "Cache",
    "CDN",
    "ObjectStorage",
    "Monitor",
    "Logs",
    "SMTP",
    "ServiceDiscovery",
    "VPN",
    "CI/CD",
    "DNS",
    "Repository",
    "Auth",
    "NAS",
    "AutoScaling",
    "AutoScalingPlan",
    "ServerlessLayer",
    "MachineLearning",
    "Corporate",
];

/// Families shown under `/resources`: all but Application, Database and Loadbalance.
pub const RESOURCE_FAMILIES: &[&str] = &[
    "Broker",
    "Serverless",
    "ApiGateway",
    "ContainerOrchestration",
    "ServiceMesh",
    "Cache",
    "CDN",
    "ObjectStorage",
    "Monitor",
    "Logs",
    "SMTP",
    "ServiceDiscovery",
    "VPN",
    "CI/CD",
    "DNS",
    "Repository",
    "Auth",
    "NAS",
    "AutoScaling",
    "AutoScalingPlan",
    "ServerlessLayer",
    "MachineLearning",
    "Corporate",
];

/// Network families as the original stored them.
pub const NETWORK_FAMILIES: &[&str] = &[
    "Vpc",
    "Subnet",
    "VpcPeering",
    "VpnGateways",
    "VpcEndpoint",
    "RouteTable",
    "NetworkInterfaces",
    "NatGateway",
    "NetworkAcl",
    "SecurityGroup",
    "Network",
    "Ports",
    "Firewall",
    "NetworkInterface",
    "PublicIpAddress",
    "RouteTables",
    "VirtualNetwork",
    "Router",
];

pub const SIZES: &[&str] = &[
    "nano", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge",
    "32xlarge",
];

/// Server and service run states (spelling kept from the original: stored data uses it).
pub const RUN_STATUS: &[&str] = &["Active", "Avaliable", "Stopped"];

pub const AUTH_TYPES: &[&str] = &["PKI", "AD", "LDAP", "Password", "SAML"];

/// `tags: [{key, value}]`
pub const TAGS: Field = Field::new(
    "tags",
    Ty::List {
        item: &Ty::Object {
            fields: &[s("key", 100).required().search(), s("value", 100).search()],
            open: false,
        },
        max: 200,
        unique_by: None,
    },
)
.search()
.doc("Free key/value labels.");

/// `auth: [{name, type, username, key}]` — how people log in to a server or datacenter.
pub const AUTH: Field = Field::new(
    "auth",
    Ty::List {
        item: &Ty::Object {
            fields: &[
                s("name", 100),
                Field::new("type", Ty::Enum(AUTH_TYPES)),
                s("username", 100),
                s("key", 100),
            ],
            open: false,
        },
        max: 100,
        unique_by: None,
    },
)
.doc("Authentication methods: PKI, AD, LDAP, Password or SAML.");

/// Provider ids such as an instance id; duplicates warn.
pub const UNIQUE_ID: Field = Field::new("unique_id", Ty::Scalar)
    .indexed()
    .search()
    .warn_duplicate()
    .doc("The provider's own id (instance id, volume id, ARN).");

pub const DESCRIPTION: Field = s("description", 800);

const LOCATED_IN: RefSpec = RefSpec {
    rel: "located_in",
    target: Kind::Datacenter,
    many: false,
    inverse: false,
    attrs: &[],
    attrs_with_id: &[Field::new("id", Ty::Str { min: 0, max: 36 })],
};

/// Placement: `{id (datacenter), name, provider, region, zone, type, instance, instance_id, …}`.
/// Open, because discovery records many provider-specific placement details.
pub const DATACENTERS: Field = Field::new(
    "datacenters",
    Ty::Object {
        fields: &[
            Field::new("id", Ty::Ref(&LOCATED_IN)).doc("The datacenter's id."),
            s("name", 100).doc("Datacenter name (filled in from the chosen datacenter)."),
            s("provider", 60).indexed(),
            s("region", 100).indexed(),
            Field::new("zone", Ty::Any).doc("A zone or a list of zones."),
            s("type", 30),
            s("instance", 100).indexed().doc("Instance type or flavor."),
            s("instance_id", 250).search(),
        ],
        open: true,
    },
)
.doc("Where it runs: datacenter, region, zone, instance type and provider details.");
