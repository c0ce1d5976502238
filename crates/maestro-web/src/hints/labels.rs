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
    label_fallback(name)
}

/// An error's field path as people read it: `cpu` → `CPU`, `storage[1].size` → `Storage 2 ›
/// Size`, `credentials.secret_access_key` → `Credentials › Secret access key`.
pub fn path_label(path: &str) -> String {
    let whole = label(path);
    if !path.contains(['.', '[']) || whole != label_fallback(path) {
        return whole;
    }
    path.split('.')
        .map(|seg| match seg.split_once('[') {
            Some((name, rest)) => {
                let n = rest
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .map_or(0, |i| i + 1);
                format!("{} {n}", label(name))
            }
            None => label(seg),
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

/// What [`label`] answers for a name it has no fixed label for.
fn label_fallback(name: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_paths_read_as_labels() {
        assert_eq!(path_label("cpu"), "CPU");
        assert_eq!(path_label("os.base"), "OS");
        assert_eq!(path_label("storage[1].size"), "Storage 2 › Size");
        assert_eq!(
            path_label("credentials.secret_access_key"),
            "Credentials › Secret access key"
        );
        assert_eq!(path_label("name"), "Name");
    }
}
