//! How field names and relations read for people.

/// A field or path segment as people read it.
pub fn label(name: &str) -> String {
    let fixed = match name {
        "os.base" => "OS",
        "os.dist" => "Distribution",
        "datacenters.provider" => "Provider",
        "datacenters.name" => "Datacenter",
        "datacenters.region" => "Region",
        "datacenters.instance" => "Instance type",
        "ipv4_private" => "Private IPv4",
        "ipv4_public" => "Public IPv4",
        "os" => "Operating system",
        "cpu" => "CPU",
        "memory" => "Memory (GB)",
        "size" => "Size",
        "ftype" => "File system",
        "lvm" => "LVM",
        "pv" => "LVM physical volume",
        "vg" => "LVM volume group",
        "dns_public" => "Public DNS",
        "dns_private" => "Private DNS",
        "unique_id" => "Unique id",
        "crs_version" => "CRS version",
        "asm_groups" => "ASM groups",
        "pdbs" => "PDBs (pluggable databases)",
        "deps" => "Depends on",
        "own" => "Managed by provider (1)",
        "datacenters" => "Datacenter",
        "id" => "Id",
        "vcpus" => "vCPUs",
        "api_name" => "API name",
        "kms_key_id" => "KMS key id",
        "iops" => "IOPS",
        "url" => "URL",
        "auth_url" => "Auth URL",
        "endpoint_url" => "Endpoint URL",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a relation reads from one side: (outgoing, incoming).
pub fn relation_label(rel: &str) -> (&'static str, &'static str) {
    match rel {
        "depends_on" => ("Depends on", "Depended on by"),
        "hosted_on" => ("Deployed on", "Runs"),
        "targets" => ("Sends traffic to", "Load balanced by"),
        "contains" => ("Contains", "Member of"),
        "entry" => ("Entry points", "Entry point of"),
        "serves" => ("Serves", "Served by"),
        "attached_to" => ("Attached to", "Has volumes"),
        "located_in" => ("Located in", "Hosts"),
        "discovers" => ("Discovers", "Discovered by"),
        _ => ("Related to", "Related from"),
    }
}
