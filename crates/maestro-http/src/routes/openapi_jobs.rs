//! OpenAPI paths and schemas of background work: jobs, schedules and the live event stream.

use serde_json::{Map, Value, json};

use super::openapi::{json_body, ok, op, page_schema, responses};

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}})
}

fn query(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description})
}

fn paging() -> Vec<Value> {
    vec![
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}),
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}),
    ]
}

fn with_params(mut m: Map<String, Value>, params: Vec<Value>) -> Map<String, Value> {
    m.insert("parameters".into(), Value::Array(params));
    m
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn job_paths(paths: &mut Map<String, Value>) {
    let mut params = paging();
    params.push(query(
        "status",
        "queued, running, succeeded, failed or cancelled (comma-separated: any of)",
    ));
    params.push(query("module", "only jobs of this module"));
    params.push(query("schedule", "only jobs of this schedule"));
    let list = op(
        "Jobs",
        "Jobs the caller can read, newest first",
        responses(
            vec![("200", ok("A page of jobs", page_schema("Job")))],
            &[400, 401],
        ),
    );
    paths.insert(
        "/api/v1/jobs".into(),
        json!({"get": with_params(list, params)}),
    );
    let get = op(
        "Jobs",
        "A job with its progress, result, error and latest log lines",
        responses(
            vec![("200", ok("The job", reference("Job")))],
            &[400, 401, 404],
        ),
    );
    paths.insert(
        "/api/v1/jobs/{id}".into(),
        json!({"get": with_params(get, vec![id_param()])}),
    );
    let mut cancel = op(
        "Jobs",
        "Cancel a job: a queued one at once, a running one as soon as its worker hears",
        responses(
            vec![("200", ok("The job", reference("Job")))],
            &[400, 401, 403, 404, 409],
        ),
    );
    cancel.insert(
        "description".into(),
        json!("409 when the job is already over. Needs the write role on the job's owner."),
    );
    paths.insert(
        "/api/v1/jobs/{id}/cancel".into(),
        json!({"post": with_params(cancel, vec![id_param()])}),
    );
}

fn schedule_paths(paths: &mut Map<String, Value>) {
    let mut params = paging();
    params.push(query("q", "text in the name"));
    let list = op(
        "Schedules",
        "Schedules the caller can read, by name",
        responses(
            vec![("200", ok("A page of schedules", page_schema("Schedule")))],
            &[400, 401],
        ),
    );
    let mut create = op(
        "Schedules",
        "Create a schedule (owned by the caller, or by `team`)",
        responses(
            vec![("201", ok("The schedule", reference("Schedule")))],
            &[400, 401, 415],
        ),
    );
    create.insert("requestBody".into(), json_body(reference("ScheduleInput")));
    paths.insert(
        "/api/v1/schedules".into(),
        json!({"get": with_params(list, params), "post": create}),
    );
    let get = op(
        "Schedules",
        "A schedule",
        responses(
            vec![("200", ok("The schedule", reference("Schedule")))],
            &[400, 401, 404],
        ),
    );
    let mut patch = op(
        "Schedules",
        "Change a schedule (JSON merge patch; setting interval drops cron and the other way round)",
        responses(
            vec![("200", ok("The schedule", reference("Schedule")))],
            &[400, 401, 403, 404, 409, 415],
        ),
    );
    patch.insert("requestBody".into(), json_body(reference("ScheduleInput")));
    let delete = op(
        "Schedules",
        "Delete a schedule (its queued jobs are cancelled)",
        responses(
            vec![("204", json!({"description": "Deleted"}))],
            &[400, 401, 403, 404],
        ),
    );
    paths.insert(
        "/api/v1/schedules/{id}".into(),
        json!({
        "parameters": [id_param()], "get": get, "patch": patch, "delete": delete}),
    );
    let run = op(
        "Schedules",
        "Run a schedule now (not counted against max_executions)",
        responses(
            vec![("202", ok("The queued job", reference("Job")))],
            &[400, 401, 403, 404],
        ),
    );
    paths.insert(
        "/api/v1/schedules/{id}/run".into(),
        json!({"post": with_params(run, vec![id_param()])}),
    );
    let history = op(
        "Schedules",
        "Changes of a schedule, newest first",
        responses(
            vec![("200", ok("A page of changes", page_schema("Change")))],
            &[400, 401, 404],
        ),
    );
    let mut hp = paging();
    hp.push(id_param());
    paths.insert(
        "/api/v1/schedules/{id}/history".into(),
        json!({"get": with_params(history, hp)}),
    );
}

fn event_paths(paths: &mut Map<String, Value>) {
    let mut get = op(
        "Events",
        "Live events (Server-Sent Events)",
        responses(
            vec![(
                "200",
                json!({"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}),
            )],
            &[400, 401],
        ),
    );
    get.insert("description".into(), json!(
        "Authenticated by the bearer token or the web UI's session cookie. Each SSE event is named by its type \
         (`job.status`, `job.progress`, `schedule.run`, `schedule.created|updated|deleted`, `entity.created|updated|deleted|restored`) \
         and carries `{id, at, type, data}`; only events about what the caller may read are sent. The stream starts with a \
         `ready` event, sends keep-alive comments, and a `lagged` event `{missed}` when a slow client missed events."));
    paths.insert(
        "/api/v1/events".into(),
        json!({"get": with_params(get,
        vec![query("types", "comma-separated type prefixes to keep, e.g. job.,schedule.")])}),
    );
}

/// Adds the paths of jobs, schedules and events.
pub fn paths(paths: &mut Map<String, Value>) {
    job_paths(paths);
    schedule_paths(paths);
    event_paths(paths);
}

/// Adds the `Job`, `Schedule` and `ScheduleInput` schemas.
pub fn schemas(schemas: &mut Map<String, Value>) {
    let time = json!({"type": ["string", "null"], "format": "date-time"});
    let status = json!({"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]});
    schemas.insert("Job".into(), json!({"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "module": {"type": "string"}, "status": status,
        "progress": {"type": "integer", "minimum": 0, "maximum": 100}, "attempt": {"type": "integer"},
        "max_attempts": {"type": "integer"}, "schedule": {"type": ["string", "null"]},
        "owner": {"type": "object", "properties": {"kind": {"type": "string"}, "id": {"type": "string"}}},
        "params": {"type": "object"}, "result": {}, "error": {"type": ["string", "null"]},
        "cancel_requested": {"type": "boolean"}, "run_at": time, "scheduled_for": time, "lease_until": time,
        "created_at": time, "started_at": time, "finished_at": time, "updated_at": time,
        "logs": {"type": "array", "items": {"type": "object", "properties": {
            "at": time, "level": {"type": "string", "enum": ["info", "warn", "error"]}, "message": {"type": "string"}}}}}}));
    let input = json!({
        "name": {"type": "string", "minLength": 3, "maxLength": 120},
        "enabled": {"type": "boolean", "default": true},
        "module": {"type": "string", "default": "webhook", "description": "webhook, noop; discovery and report when available"},
        "interval": {"type": "object", "properties": {"every": {"type": "integer", "minimum": 1},
            "period": {"type": "string", "enum": ["seconds", "minutes", "hours", "days", "weeks"]}}},
        "cron": {"type": "string", "description": "five fields, or six with seconds first"},
        "timezone": {"type": "string", "default": "UTC", "description": "IANA zone of the cron expression"},
        "max_executions": {"type": "integer", "minimum": 0, "description": "0 = unlimited"},
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        "backoff_seconds": {"type": "integer", "minimum": 0, "maximum": 3600, "default": 5},
        "chain": {"type": "array", "maxItems": 20, "items": {"type": "object", "required": ["schedule"], "properties": {
            "schedule": {"type": "string"}, "delay_seconds": {"type": "integer", "minimum": 0, "maximum": 86400}}}},
        "run_immediately": {"type": "boolean", "description": "write-only: run once now"},
        "team": {"type": "string", "description": "creation only: the owning team (write role needed)"},
        "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], "default": "GET"},
        "url": {"type": "string", "format": "uri"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body": {"description": "JSON (sent as application/json) or text"},
        "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 300, "default": 30},
        "sleep_ms": {"type": "integer", "description": "noop module only"}});
    schemas.insert(
        "ScheduleInput".into(),
        json!({"type": "object", "properties": input}),
    );
    let mut read = input.as_object().cloned().unwrap_or_default();
    for (k, v) in [
        ("id", json!({"type": "string"})),
        ("run_count", json!({"type": "integer"})),
        ("last_run_at", time.clone()),
        ("last_status", json!({"type": ["string", "null"]})),
        ("last_error", json!({"type": ["string", "null"]})),
        ("last_job", json!({"type": ["string", "null"]})),
        ("next_run_at", time.clone()),
        (
            "owner",
            json!({"type": "object", "properties": {"kind": {"type": "string"}, "id": {"type": "string"}, "name": {"type": "string"}}}),
        ),
        ("created_at", time.clone()),
        ("updated_at", time),
    ] {
        read.insert(k.into(), v);
    }
    read.remove("run_immediately");
    read.remove("team");
    schemas.insert(
        "Schedule".into(),
        json!({"type": "object", "properties": read}),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn jobs_schedules_and_events_are_documented() {
        let (mut paths, mut schemas) = (serde_json::Map::new(), serde_json::Map::new());
        super::paths(&mut paths);
        super::schemas(&mut schemas);
        for p in [
            "/api/v1/jobs",
            "/api/v1/jobs/{id}",
            "/api/v1/jobs/{id}/cancel",
            "/api/v1/schedules",
            "/api/v1/schedules/{id}",
            "/api/v1/schedules/{id}/run",
            "/api/v1/schedules/{id}/history",
            "/api/v1/events",
        ] {
            assert!(paths[p].is_object(), "{p} is documented");
        }
        for s in ["Job", "Schedule", "ScheduleInput"] {
            assert!(schemas[s].is_object(), "{s} schema");
        }
    }
}
