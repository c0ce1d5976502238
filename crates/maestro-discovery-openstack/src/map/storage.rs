//! Cinder volumes and snapshots, Glance images.

use maestro_discovery::{Observation, ObservedRef, ProviderError};
use maestro_model::schema::{Collection, Kind};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{
    as_f64, datacenters, fit_name, number, observation, parse, put, put_num, put_str, tags,
};

/// A Cinder volume (`GET /volumes/detail`). Attachments become `servers` references.
pub fn observe_volume(item: Value, region: &str) -> Result<Observation, ProviderError> {
    #[derive(Deserialize)]
    struct Volume {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        size: Value,
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        attachments: Vec<Attachment>,
        #[serde(default)]
        availability_zone: Option<String>,
        #[serde(default)]
        encrypted: Option<bool>,
        #[serde(default)]
        bootable: Value,
        #[serde(default)]
        multiattach: Option<bool>,
        #[serde(default)]
        volume_type: Option<String>,
        #[serde(default)]
        snapshot_id: Option<String>,
        #[serde(default)]
        source_volid: Option<String>,
        #[serde(default)]
        metadata: Map<String, Value>,
        #[serde(default)]
        volume_image_metadata: Map<String, Value>,
        #[serde(default, rename = "os-vol-tenant-attr:tenant_id")]
        project_id: Option<String>,
        #[serde(default, rename = "os-vol-host-attr:host")]
        host: Option<String>,
        #[serde(default)]
        created_at: Option<String>,
    }
    #[derive(Deserialize)]
    struct Attachment {
        #[serde(default)]
        server_id: Option<String>,
        #[serde(default)]
        attachment_id: Option<String>,
        #[serde(default)]
        device: Option<String>,
        #[serde(default)]
        attached_at: Option<String>,
    }
    let v: Volume = parse("volume", item)?;
    let status = v.status.as_deref().unwrap_or("").to_lowercase();
    let mut f = Map::new();
    f.insert(
        "name".into(),
        fit_name(Kind::Volume, v.name.as_deref(), &v.id, "volume").into(),
    );
    f.insert(
        "size".into(),
        number(as_f64(&v.size).unwrap_or(0.0).max(0.0)),
    );
    put_str(&mut f, "volume_id", Some(&v.id), 100);
    f.insert("status".into(), volume_status(&status).into());
    put_str(&mut f, "state", Some(&status), 60);
    if let Some(e) = v.encrypted {
        f.insert("encrypted".into(), e.into());
    }
    put_str(&mut f, "volume_type", v.volume_type.as_deref(), 60);
    put_str(&mut f, "snapshot_id", v.snapshot_id.as_deref(), 100);
    put_str(&mut f, "source_volume_id", v.source_volid.as_deref(), 100);
    put_str(&mut f, "project_id", v.project_id.as_deref(), 100);
    put_str(&mut f, "host", v.host.as_deref(), 250);
    let image_id = v
        .volume_image_metadata
        .get("image_id")
        .and_then(Value::as_str);
    put_str(&mut f, "image_id", image_id, 100);
    let attachments: Vec<Value> = v
        .attachments
        .iter()
        .map(|a| {
            json!({ "server_id": a.server_id, "attachment_id": a.attachment_id,
                    "device": a.device, "attached_at": a.attached_at })
        })
        .collect();
    let first_attach = v.attachments.iter().find_map(|a| a.attached_at.as_deref());
    put_str(&mut f, "attach_time", first_attach, 40);
    f.insert("attachments".into(), Value::Array(attachments));
    put(
        &mut f,
        "tags",
        tags(&Value::Null, &v.metadata).unwrap_or(Value::Null),
    );
    let bootable = match &v.bootable {
        Value::String(s) => Value::Bool(s.eq_ignore_ascii_case("true")),
        other => other.clone(),
    };
    f.insert(
        "datacenters".into(),
        datacenters(
            region,
            json!({ "zone": v.availability_zone, "bootable": bootable,
                    "multiattach": v.multiattach, "created_at": v.created_at }),
        ),
    );
    let mut obs = observation(Collection::Volumes, &v.id, f);
    for server in v.attachments.iter().filter_map(|a| a.server_id.as_deref()) {
        if !obs.refs.iter().any(|r| r.provider_id == server) {
            obs.refs.push(ObservedRef {
                field: "servers".into(),
                provider_id: server.to_owned(),
            });
        }
    }
    obs.active = !matches!(status.as_str(), "deleting" | "deleted");
    Ok(obs)
}

/// Cinder status → the volume `status` enum (`Avaliable` spelled as the registry has it).
pub fn volume_status(status: &str) -> &'static str {
    match status {
        "available" => "Avaliable",
        "deleting" | "deleted" => "Deleted",
        s if s.starts_with("error") => "Error",
        _ => "Active",
    }
}

/// A Cinder snapshot (`GET /snapshots/detail`).
pub fn observe_snapshot(item: Value, region: &str) -> Result<Observation, ProviderError> {
    #[derive(Deserialize)]
    struct Snapshot {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        size: Value,
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        volume_id: Option<String>,
        #[serde(default)]
        created_at: Option<String>,
        #[serde(default)]
        metadata: Map<String, Value>,
        #[serde(default, rename = "os-extended-snapshot-attributes:progress")]
        progress: Option<String>,
        #[serde(default, rename = "os-extended-snapshot-attributes:project_id")]
        project_id: Option<String>,
    }
    let s: Snapshot = parse("snapshot", item)?;
    let mut f = Map::new();
    f.insert(
        "name".into(),
        fit_name(Kind::Snapshot, s.name.as_deref(), &s.id, "snapshot").into(),
    );
    put_str(&mut f, "snapshot_id", Some(&s.id), 100);
    put_str(&mut f, "volume_id", s.volume_id.as_deref(), 100);
    put_num(&mut f, "size", as_f64(&s.size));
    put_str(&mut f, "status", s.status.as_deref(), 60);
    put_str(&mut f, "progress", s.progress.as_deref(), 20);
    put_str(&mut f, "description", s.description.as_deref(), 300);
    put_str(&mut f, "project_id", s.project_id.as_deref(), 100);
    put_str(&mut f, "start_time", s.created_at.as_deref(), 40);
    put(
        &mut f,
        "tags",
        tags(&Value::Null, &s.metadata).unwrap_or(Value::Null),
    );
    f.insert("datacenters".into(), datacenters(region, json!({})));
    let mut obs = observation(Collection::Snapshots, &s.id, f);
    let status = s.status.unwrap_or_default().to_lowercase();
    obs.active = !matches!(status.as_str(), "deleting" | "deleted");
    Ok(obs)
}

/// A Glance image (`GET /v2/images`). `size` is in GB, like volumes.
pub fn observe_image(item: Value, region: &str) -> Result<Observation, ProviderError> {
    #[derive(Deserialize)]
    struct Image {
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        status: Option<String>,
        #[serde(default)]
        visibility: Option<String>,
        #[serde(default)]
        disk_format: Option<String>,
        #[serde(default)]
        container_format: Option<String>,
        #[serde(default)]
        size: Value,
        #[serde(default)]
        min_disk: Value,
        #[serde(default)]
        min_ram: Value,
        #[serde(default)]
        owner: Option<String>,
        #[serde(default)]
        protected: Option<bool>,
        #[serde(default)]
        os_distro: Option<String>,
        #[serde(default)]
        hypervisor_type: Option<String>,
        #[serde(default)]
        tags: Value,
        #[serde(default)]
        created_at: Option<String>,
    }
    let i: Image = parse("image", item)?;
    let status = i.status.clone().unwrap_or_default().to_lowercase();
    let mut f = Map::new();
    f.insert(
        "name".into(),
        fit_name(Kind::Image, i.name.as_deref(), &i.id, "image").into(),
    );
    put_str(&mut f, "status", Some(&status), 60);
    put_str(&mut f, "image_type", i.disk_format.as_deref(), 60);
    put_str(&mut f, "type", i.container_format.as_deref(), 60);
    put_str(&mut f, "distribution", i.os_distro.as_deref(), 100);
    put_str(&mut f, "hypervisor", i.hypervisor_type.as_deref(), 60);
    put_str(&mut f, "region", Some(region), 100);
    if let Some(v) = i.visibility.as_deref() {
        f.insert("public".into(), (v == "public").into());
    }
    put_num(&mut f, "min_disk_size", as_f64(&i.min_disk));
    let gb = as_f64(&i.size).map(|b| (b / 1_073_741_824.0 * 1000.0).round() / 1000.0);
    put_num(&mut f, "size", gb);
    put(
        &mut f,
        "tags",
        tags(&i.tags, &Map::new()).unwrap_or(Value::Null),
    );
    f.insert(
        "datacenters".into(),
        datacenters(
            region,
            json!({ "owner": i.owner, "visibility": i.visibility, "protected": i.protected,
                    "min_ram": i.min_ram, "size_bytes": i.size, "created_at": i.created_at }),
        ),
    );
    let mut obs = observation(Collection::Images, &i.id, f);
    obs.active = !matches!(status.as_str(), "killed" | "deleted" | "pending_delete");
    Ok(obs)
}
