//! OpenAPI paths of discovery: syncing a connection, its tasks, and the providers' tasks.

use serde_json::{Map, Value, json};

use super::openapi::{json_body, ok, op, responses};

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}})
}

fn task_schema() -> Value {
    json!({"type": "object", "properties": {
        "task": {"type": "string"}, "label": {"type": "string"},
        "permissions": {"type": "array", "items": {"type": "string"}},
        "default_interval": {"type": "object", "properties": {"every": {"type": "integer"}, "period": {"type": "string"}}},
        "enabled": {"type": "boolean"},
        "state": {"type": "string", "enum": ["never", "running", "success", "warning", "error"]},
        "message": {"type": ["string", "null"]}, "permission": {"type": ["string", "null"], "description": "The permission a failed task lacks"},
        "counts": {"type": "object", "description": "observed, created, updated, unchanged, reactivated, deactivated, skipped, regions"},
        "started_at": {"type": ["string", "null"], "format": "date-time"}, "finished_at": {"type": ["string", "null"], "format": "date-time"},
        "duration_ms": {"type": ["integer", "null"]}, "schedule": {"type": ["string", "null"], "description": "The schedule running this task"}}})
}

/// Adds the discovery paths.
pub fn paths(paths: &mut Map<String, Value>) {
    let tag = "Connections";
    let mut sync = op(
        tag,
        "Sync now: queues a discovery job (or returns the one already queued or running)",
        responses(
            vec![(
                "202",
                ok(
                    "The job",
                    json!({"type": "object", "properties": {
            "job": {"type": "object"}, "queued": {"type": "boolean", "description": "false: a sync of this connection was already queued or running"}}}),
                ),
            )],
            &[400, 401, 403, 404],
        ),
    );
    sync.insert("requestBody".into(), json!({"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "task": {"type": "string", "description": "One task (default: every enabled task)"}}}}}}));
    paths.insert(
        "/api/v1/connections/{id}/sync".into(),
        json!({"parameters": [id_param()], "post": sync}),
    );
    let tasks = op(
        tag,
        "The connection's tasks: status of the last run, switch, schedule",
        responses(
            vec![(
                "200",
                ok(
                    "Tasks",
                    json!({"type": "object", "properties": {"items": {"type": "array", "items": task_schema()}}}),
                ),
            )],
            &[400, 401, 404],
        ),
    );
    paths.insert(
        "/api/v1/connections/{id}/tasks".into(),
        json!({"parameters": [id_param()], "get": tasks}),
    );
    let mut toggle = op(
        tag,
        "Enable or disable a task (and its schedule)",
        responses(
            vec![("200", ok("Tasks", json!({"type": "object"})))],
            &[400, 401, 403, 404, 415],
        ),
    );
    toggle.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}})));
    paths.insert(
        "/api/v1/connections/{id}/tasks/{task}".into(),
        json!({"parameters": [id_param(), {"name": "task", "in": "path", "required": true, "schema": {"type": "string"}}], "patch": toggle}),
    );
    let providers = op(
        tag,
        "Discovery providers, their tasks and the permissions they need (AWS: a read-only IAM policy)",
        responses(
            vec![(
                "200",
                ok(
                    "Providers",
                    json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
            "provider": {"type": "string"},
            "tasks": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "label": {"type": "string"},
                "permissions": {"type": "array", "items": {"type": "string"}},
                "default_every_seconds": {"type": "integer", "description": "The built-in interval"},
                "default_interval": {"type": "object", "description": "The interval new schedules get: scheduler_options.discovery_intervals, else the built-in one"}}}},
            "iam_policy": {"type": ["object", "null"]}}}}}}),
                ),
            )],
            &[401],
        ),
    );
    paths.insert(
        "/api/v1/discovery/providers".into(),
        json!({"get": providers}),
    );
}
