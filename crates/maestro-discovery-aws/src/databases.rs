//! `dbs-list`: RDS instances → Databases (family Database, provider "RDS (AWS)").

use aws_sdk_rds::types::DbInstance;
use maestro_discovery::{Observation, ProviderError};
use maestro_model::schema::Collection;

use crate::emit::{Emitter, J, Obs, capitalize, list, placement};
use crate::pages::{listing, next};

/// Statuses of a database that is gone or broken (reference §3.3). Unlike the original, a
/// stopped database stays active with its status `Stopped`, like a stopped EC2 instance: it is
/// still there (and billed for its storage), and a first sync must record it.
const INACTIVE: &[&str] = &[
    "failed",
    "deleting",
    "inaccessible-encryption-credentials",
    "incompatible-network",
];

pub(crate) async fn run(
    client: &aws_sdk_rds::Client,
    region: &str,
    page_size: i32,
    out: &mut Emitter<'_>,
) -> Result<(), ProviderError> {
    listing(
        "rds:DescribeDBInstances",
        |token| {
            client
                .describe_db_instances()
                .set_marker(token)
                .max_records(page_size.clamp(20, 100))
                .send()
        },
        |page| {
            let obs = page.db_instances().iter().filter_map(|d| map(d, region));
            (obs.collect(), next(page.marker()))
        },
        out,
    )
    .await
}

/// Maps one RDS instance; `None` without an identifier.
pub(crate) fn map(db: &DbInstance, region: &str) -> Option<Observation> {
    let ident = db.db_instance_identifier().filter(|s| !s.is_empty())?;
    let id = db
        .db_instance_arn()
        .filter(|s| !s.is_empty())
        .unwrap_or(ident);
    let status = db.db_instance_status().unwrap_or_default();
    let endpoint = db.endpoint();
    let role = J::new()
        .put("dbname", db.db_name())
        .put("endpoint", endpoint.and_then(|e| e.address()))
        .put(
            "port",
            endpoint.and_then(|e| e.port()).or(db.db_instance_port()),
        )
        .put("version", db.engine_version())
        .put("class", db.db_instance_class())
        .put("allocated_storage", db.allocated_storage())
        .put("max_allocated_storage", db.max_allocated_storage())
        .put("storage_type", db.storage_type())
        .put("iops", db.iops())
        .put("storage_encrypted", db.storage_encrypted())
        .put("kms_key_id", db.kms_key_id())
        .put("multi_az", db.multi_az())
        .put("publicly_accessible", db.publicly_accessible())
        .put("backup_window", db.preferred_backup_window())
        .put("backup_retention", db.backup_retention_period())
        .put("maintenance_window", db.preferred_maintenance_window())
        .put("cluster_name", db.db_cluster_identifier())
        .put(
            "read_replica_source",
            db.read_replica_source_db_instance_identifier(),
        )
        .put("read_replicas", db.read_replica_db_instance_identifiers())
        .put("license_model", db.license_model())
        .put("deletion_protection", db.deletion_protection())
        .put("master_username", db.master_username())
        .put("arn", db.db_instance_arn())
        .put("resource_id", db.dbi_resource_id())
        .put("created_time", db.instance_create_time())
        .put(
            "security_groups",
            list(db.vpc_security_groups(), |g| {
                J::new()
                    .put("id", g.vpc_security_group_id())
                    .put("status", g.status())
                    .done()
            }),
        )
        .done();
    let subnets = db.db_subnet_group();
    let datacenters = placement(region)
        .put("zone", db.availability_zone())
        .put("secondary_zone", db.secondary_availability_zone())
        .put("instance", db.db_instance_class())
        .put("vpc_id", subnets.and_then(|s| s.vpc_id()))
        .put(
            "subnet_group",
            subnets.and_then(|s| s.db_subnet_group_name()),
        )
        .done();
    Some(
        Obs::app(Collection::Databases, id, "Database", "RDS (AWS)")
            .name(Some(ident), 3, 150)
            .text("engine", db.engine(), 100)
            .text("status", Some(capitalize(status).as_str()), 60)
            .active(!INACTIVE.contains(&status))
            .put("role", role)
            .put("datacenters", datacenters)
            .tags(
                db.tag_list()
                    .iter()
                    .map(|t| (t.key().unwrap_or(""), t.value())),
            )
            .done(),
    )
}
