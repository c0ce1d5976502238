//! The OpenAPI 3.1 document, generated from the schema registry and the route table, so every
//! kind, field, limit and enum documented is the one the server enforces.

use std::sync::OnceLock;

use axum::Json;
use maestro_model::schema::{self, Collection, Field, KindSchema, Ty};
use serde_json::{Map, Value, json};

pub async fn document() -> Json<Value> {
    static DOC: OnceLock<Value> = OnceLock::new();
    Json(DOC.get_or_init(build).clone())
}

pub(crate) fn problem_ref() -> Value {
    json!({"$ref": "#/components/schemas/Problem"})
}

fn problem_responses(codes: &[u16]) -> Map<String, Value> {
    let mut m = Map::new();
    for c in codes {
        let description = match c {
            400 => "Invalid input (every bad field is listed)",
            401 => "Missing, invalid or expired token",
            403 => "The caller may read this but not do that",
            404 => "Not found, or not readable by the caller",
            409 => "Conflict with the current state",
            413 => "Body too large",
            415 => "Body is not application/json",
            429 => "Too many attempts",
            _ => "Error",
        };
        m.insert(
            c.to_string(),
            json!({"description": description, "content": {"application/problem+json": {"schema": problem_ref()}}}),
        );
    }
    m
}

fn ty_schema(ty: &Ty, read: bool) -> Value {
    match ty {
        Ty::Str { min, max } => {
            let mut s = json!({"type": "string", "maxLength": max});
            if *min > 0 {
                s["minLength"] = json!(min);
            }
            s
        }
        Ty::Ip => json!({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
        Ty::Email => json!({"type": "string", "format": "email"}),
        Ty::Url => json!({"type": "string", "format": "uri"}),
        Ty::DateTime => json!({"type": "string", "format": "date-time"}),
        Ty::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Ty::Num {
            min,
            max,
            above_min,
        } => {
            if *above_min {
                json!({"type": "number", "exclusiveMinimum": min, "maximum": max})
            } else {
                json!({"type": "number", "minimum": min, "maximum": max})
            }
        }
        Ty::Bool => json!({"type": "boolean"}),
        Ty::Enum(values) => json!({"type": "string", "enum": values}),
        Ty::Scalar => json!({"oneOf": [{"type": "string", "maxLength": 250}, {"type": "number"}]}),
        Ty::Object { fields, open } => object_schema(fields, *open, read, None),
        Ty::AnyObject => json!({"type": "object", "additionalProperties": true}),
        Ty::Any => json!({}),
        Ty::List { item, max, .. } => {
            json!({"type": "array", "items": ty_schema(item, read), "maxItems": max})
        }
        Ty::Ref(spec) => {
            let mut props = Map::new();
            props.insert("id".into(), json!({"type": "string", "format": "uuid"}));
            for a in spec.attrs {
                props.insert(a.name.into(), ty_schema(&a.ty, read));
            }
            if read {
                props.insert("name".into(), json!({"type": "string", "readOnly": true}));
                props.insert("kind".into(), json!({"type": "string", "readOnly": true}));
                props.insert(
                    "collection".into(),
                    json!({"type": "string", "readOnly": true}),
                );
                props.insert("family".into(), json!({"type": "string", "readOnly": true}));
            }
            let item = json!({"type": "object", "properties": props, "required": ["id"], "additionalProperties": false});
            let target = format!(
                "Reference to a {}",
                spec.target.schema().label.to_lowercase()
            );
            if spec.many {
                json!({"type": "array", "description": format!("{target}; items may also be plain id strings"), "items": item})
            } else if read {
                json!({"description": target, "oneOf": [item, {"type": "string", "format": "uuid"}]})
            } else {
                json!({"description": target, "type": "string", "format": "uuid"})
            }
        }
    }
}

fn field_schema(f: &Field, read: bool) -> Value {
    let mut s = ty_schema(&f.ty, read);
    let mut doc = f.doc.to_owned();
    if let Some(fams) = f.families {
        doc = format!("{doc} Only for families: {}.", fams.join(", "))
            .trim()
            .to_owned();
    }
    if let Some(d) = f.default {
        s["default"] = json!(d);
    }
    if !doc.is_empty()
        && let Value::Object(m) = &mut s
    {
        m.entry("description").or_insert(json!(doc));
    }
    s
}

fn object_schema(
    fields: &[Field],
    open: bool,
    read: bool,
    extra: Option<Map<String, Value>>,
) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in fields {
        props.insert(f.name.into(), field_schema(f, read));
        if f.required && !read {
            required.push(f.name);
        }
    }
    if let Some(extra) = extra {
        props.extend(extra);
    }
    let mut s = json!({"type": "object", "properties": props, "additionalProperties": open});
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

fn kind_schemas(ks: &KindSchema) -> (Value, Value) {
    let meta: Map<String, Value> = json!({
        "id": {"type": "string", "format": "uuid", "readOnly": true},
        "kind": {"type": "string", "readOnly": true, "enum": [ks.name]},
        "active": {"type": "boolean", "readOnly": true},
        "owner": {"type": "object", "readOnly": true, "properties": {
            "kind": {"type": "string", "enum": ["user", "team", "system", "connection"]},
            "id": {"type": "string"}, "name": {"type": "string"}}},
        "created_at": {"type": "string", "format": "date-time", "readOnly": true},
        "updated_at": {"type": "string", "format": "date-time", "readOnly": true},
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let mut read = object_schema(ks.fields, false, true, Some(meta));
    read["description"] = json!(ks.doc);
    let mut input = object_schema(ks.fields, false, false, None);
    input["description"] = json!(format!(
        "{} Unknown fields are rejected; read-only fields (id, kind, active, owner, created_at, updated_at) are ignored.",
        ks.doc
    ));
    (read, input)
}

fn list_params(ks: &KindSchema) -> Vec<Value> {
    let mut params = vec![
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}}),
        json!({"name": "limit", "in": "query", "description": "Items per page; values above 500 are clamped to 500.",
               "schema": {"type": "integer", "minimum": 1, "default": 50}}),
        json!({"name": "sort", "in": "query", "description": "Comma-separated sortable fields (name, created_at, updated_at and indexed fields); prefix with - for descending. Default -updated_at.",
               "schema": {"type": "string"}}),
        json!({"name": "q", "in": "query", "description": "Free-text search over names, hostnames, IPs, tags and provider ids; every word must match.",
               "schema": {"type": "string"}}),
        json!({"name": "active", "in": "query", "description": "true (default) lists active entities, false deleted ones, all both.",
               "schema": {"type": "string", "enum": ["true", "false", "all"]}}),
    ];
    for (path, field) in ks.indexed_paths() {
        params.push(json!({
            "name": path,
            "in": "query",
            "description": format!("Filter on {path}. Any field can be filtered by dotted path; add an operator as {path}[op] with op one of eq, ne, gt, gte, lt, lte, contains, in (comma-separated), exists."),
            "schema": if field.ty.is_numeric() { json!({"type": "number"}) } else { json!({"type": "string"}) },
        }));
    }
    params
}

pub(crate) fn page_schema(item: &str) -> Value {
    json!({"type": "object", "required": ["items", "total", "page", "limit"], "properties": {
        "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "total": {"type": "integer"}, "page": {"type": "integer"}, "limit": {"type": "integer"}}})
}

pub(crate) fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

pub(crate) fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

pub(crate) fn op(tag: &str, summary: &str, responses: Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("tags".into(), json!([tag]));
    m.insert("summary".into(), json!(summary));
    m.insert("responses".into(), Value::Object(responses));
    m
}

pub(crate) fn responses(pairs: Vec<(&str, Value)>, errors: &[u16]) -> Map<String, Value> {
    let mut m: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    m.extend(problem_responses(errors));
    m
}

fn collection_paths(paths: &mut Map<String, Value>, coll: Collection) {
    let ks = coll.kind().schema();
    let label = ks.label;
    let tag = coll.label();
    let seg = coll.segment();
    let read_ref = json!({"$ref": format!("#/components/schemas/{label}")});
    let written = json!({"allOf": [read_ref.clone(), {"type": "object", "properties": {"warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}}}}]});
    let input_ref = json!({"$ref": format!("#/components/schemas/{label}Input")});
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});

    let mut list = op(
        tag,
        &format!("List {}", tag.to_lowercase()),
        responses(vec![("200", ok("A page", page_schema(label)))], &[400, 401]),
    );
    list.insert("parameters".into(), Value::Array(list_params(ks)));
    let mut create = op(
        tag,
        &format!("Create in {seg}"),
        responses(
            vec![(
                "201",
                ok(
                    "Created; Location names it. Duplicate hostnames/IPs are warned about, not refused.",
                    written.clone(),
                ),
            )],
            &[400, 401, 403, 413, 415],
        ),
    );
    create.insert("requestBody".into(), json_body(input_ref.clone()));
    paths.insert(
        format!("/api/v1/{seg}"),
        json!({"get": list, "post": create}),
    );

    let get = op(
        tag,
        "Read one",
        responses(
            vec![("200", ok("The entity", read_ref.clone()))],
            &[400, 401, 404],
        ),
    );
    let mut patch = op(
        tag,
        "Update (JSON merge patch: only the fields sent change, null removes)",
        responses(
            vec![("200", ok("Updated", written.clone()))],
            &[400, 401, 403, 404, 409, 413, 415],
        ),
    );
    patch.insert(
        "requestBody".into(),
        json!({"required": true, "content": {
            "application/merge-patch+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}}}}),
    );
    let delete = op(
        tag,
        "Delete (soft: becomes inactive; relations are removed)",
        responses(
            vec![("204", json!({"description": "Deleted"}))],
            &[400, 401, 403, 404],
        ),
    );
    paths.insert(
        format!("/api/v1/{seg}/{{id}}"),
        json!({"parameters": [id_param.clone()], "get": get, "patch": patch, "delete": delete}),
    );
    let restore = op(
        tag,
        "Restore a deleted entity",
        responses(
            vec![("200", ok("Restored", written))],
            &[400, 401, 403, 404],
        ),
    );
    paths.insert(
        format!("/api/v1/{seg}/{{id}}/restore"),
        json!({"parameters": [id_param.clone()], "post": restore}),
    );
    let history = history_op(tag, "Change history, newest first");
    paths.insert(
        format!("/api/v1/{seg}/{{id}}/history"),
        json!({"parameters": [id_param.clone()], "get": history}),
    );
    let mut relations = op(
        tag,
        "Related entities in both directions: each relation's first `limit` entries (500 unless \
         fewer are asked) and its total; with `side` (and `rel`), the pages of that side",
        responses(
            vec![(
                "200",
                ok(
                    "Relations, or with `side` a page of them",
                    json!({"oneOf": [{"$ref": "#/components/schemas/Relations"}, page_schema("Related")]}),
                ),
            )],
            &[400, 401, 404],
        ),
    );
    relations.insert(
        "parameters".into(),
        json!([
        {"name": "side", "in": "query", "schema": {"type": "string", "enum": ["outgoing", "incoming"]}},
        {"name": "rel", "in": "query", "description": "One relation of that side (needs side)", "schema": {"type": "string"}},
        {"name": "page", "in": "query", "description": "Needs side", "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "description": "Entries per relation, or per page with side", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}]),
    );
    paths.insert(
        format!("/api/v1/{seg}/{{id}}/relations"),
        json!({"parameters": [id_param], "get": relations}),
    );
}

fn account_paths(paths: &mut Map<String, Value>) {
    let creds = json!({"type": "object", "required": ["email", "password"], "additionalProperties": false,
        "properties": {"email": {"type": "string", "format": "email"}, "password": {"type": "string"}}});
    let mut register = op(
        "Accounts",
        "Register (the first account becomes an administrator)",
        responses(
            vec![(
                "201",
                ok("The account", json!({"$ref": "#/components/schemas/User"})),
            )],
            &[400, 403, 409, 415],
        ),
    );
    register.insert("security".into(), json!([]));
    register.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["name", "email", "password"], "additionalProperties": false,
        "properties": {"name": {"type": "string", "minLength": 2, "maxLength": 100}, "email": {"type": "string", "format": "email"},
                       "password": {"type": "string", "minLength": 8, "maxLength": 256}}})));
    paths.insert("/api/v1/auth/register".into(), json!({"post": register}));
    let mut login = op(
        "Accounts",
        "Log in",
        responses(
            vec![(
                "200",
                ok(
                    "A session token",
                    json!({"type": "object", "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
            "user": {"$ref": "#/components/schemas/User"}}}),
                ),
            )],
            &[400, 401, 415, 429],
        ),
    );
    login.insert("security".into(), json!([]));
    login.insert("requestBody".into(), json_body(creds));
    paths.insert("/api/v1/auth/login".into(), json!({"post": login}));
    let logout = op(
        "Accounts",
        "End the current session",
        responses(vec![("204", json!({"description": "Logged out"}))], &[401]),
    );
    paths.insert("/api/v1/auth/logout".into(), json!({"post": logout}));
}

/// A paged history (`page`, `limit`), as every history route answers it.
fn history_op(tag: &str, summary: &str) -> Map<String, Value> {
    let mut history = op(
        tag,
        summary,
        responses(
            vec![("200", ok("A page of changes", page_schema("Change")))],
            &[400, 401, 404],
        ),
    );
    history.insert(
        "parameters".into(),
        json!([
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}]),
    );
    history
}

fn settings_paths(paths: &mut Map<String, Value>) {
    let setting = json!({"type": "object", "properties": {"key": {"type": "string"}, "value": {}}});
    let list = op(
        "Settings",
        "All settings (option lists, regions and zones)",
        responses(
            vec![(
                "200",
                ok(
                    "Settings",
                    json!({"type": "object", "properties": {"items": {"type": "array", "items": setting.clone()}}}),
                ),
            )],
            &[401],
        ),
    );
    paths.insert("/api/v1/settings".into(), json!({"get": list}));
    let key = json!({"name": "key", "in": "path", "required": true, "schema": {"type": "string"}});
    let get = op(
        "Settings",
        "One setting",
        responses(
            vec![("200", ok("The setting", setting.clone()))],
            &[401, 404],
        ),
    );
    let mut put = op(
        "Settings",
        "Replace a setting's value (administrators)",
        responses(
            vec![("200", ok("The setting", setting))],
            &[400, 401, 403, 404, 415],
        ),
    );
    put.insert(
        "requestBody".into(),
        json_body(json!({"type": "object", "required": ["value"], "properties": {"value": {}}})),
    );
    paths.insert(
        "/api/v1/settings/{key}".into(),
        json!({"parameters": [key.clone()], "get": get, "put": put}),
    );
    let history = history_op("Settings", "A setting's change history, newest first");
    paths.insert(
        "/api/v1/settings/{key}/history".into(),
        json!({"parameters": [key], "get": history}),
    );
}

fn meta_paths(paths: &mut Map<String, Value>) {
    let dashboard = op(
        "Operations",
        "Totals per collection, newest servers and applications, duplicate hostnames and IPs",
        responses(
            vec![(
                "200",
                ok(
                    "Dashboard",
                    json!({"type": "object", "properties": {
            "totals": {"type": "object", "additionalProperties": {"type": "integer"}},
            "servers": {"type": "array", "items": {"$ref": "#/components/schemas/Server"}},
            "applications": {"type": "array", "items": {"$ref": "#/components/schemas/Application"}},
            "duplicates": {"type": "array", "items": {"type": "object"}}}}),
                ),
            )],
            &[401],
        ),
    );
    paths.insert("/api/v1/dashboard".into(), json!({"get": dashboard}));
    for (path, summary) in [
        ("/api/v1/version", "Version and storage backend"),
        ("/api/v1/openapi.json", "This document"),
        ("/healthz", "Liveness"),
        ("/readyz", "Readiness: the database answers"),
    ] {
        let mut get = op(
            "Operations",
            summary,
            responses(vec![("200", ok("OK", json!({"type": "object"})))], &[]),
        );
        get.insert("security".into(), json!([]));
        if path == "/readyz" {
            get["responses"]["503"] = json!({"description": "The database is unreachable", "content": {"application/problem+json": {"schema": problem_ref()}}});
        }
        paths.insert(path.into(), json!({"get": get}));
    }
}

/// Gives every operation an `operationId` from its method and path (`GET
/// /api/v1/servers/{id}/history` → `getServersByIdHistory`), unique as they are, so client
/// generators name their functions.
fn name_operations(paths: &mut Map<String, Value>) {
    for (path, item) in paths.iter_mut() {
        let mut name = String::new();
        for seg in path
            .trim_start_matches("/api/v1")
            .split(['/', '-', '_', '.'])
        {
            let (seg, by) = match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => (param, "By"),
                None => (seg, ""),
            };
            let mut chars = seg.chars();
            if let Some(first) = chars.next() {
                name.push_str(by);
                name.extend(first.to_uppercase());
                name.push_str(chars.as_str());
            }
        }
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            if let Some(op) = op.as_object_mut().filter(|_| method != "parameters") {
                op.entry("operationId")
                    .or_insert_with(|| json!(format!("{method}{name}")));
            }
        }
    }
}

fn build() -> Value {
    let mut paths = Map::new();
    account_paths(&mut paths);
    for coll in Collection::ALL {
        collection_paths(&mut paths, coll);
    }
    settings_paths(&mut paths);
    meta_paths(&mut paths);
    super::openapi_identity::paths(&mut paths);
    super::openapi_discovery::paths(&mut paths);
    super::openapi_jobs::paths(&mut paths);
    name_operations(&mut paths);

    let mut schemas = Map::new();
    for ks in schema::all() {
        let (read, input) = kind_schemas(ks);
        schemas.insert(ks.label.into(), read);
        schemas.insert(format!("{}Input", ks.label), input);
    }
    schemas.insert("Problem".into(), json!({"type": "object", "required": ["title", "status"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}}}}));
    schemas.insert("Warning".into(), json!({"type": "object", "properties": {
        "field": {"type": "string"}, "value": {}, "message": {"type": "string"},
        "matches": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}}));
    schemas.insert("Change".into(), json!({"type": "object", "properties": {
        "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "object", "properties": {"id": {"type": ["string", "null"]}, "name": {"type": "string"}}},
        "source": {"type": "string", "enum": ["api", "ui", "discovery", "job", "system"]},
        "op": {"type": "string", "enum": ["create", "update", "delete", "restore", "grant", "owner"]},
        "changes": {"type": "array", "items": {"type": "object", "properties": {"path": {"type": "string"}, "old": {}, "new": {}}}},
        "context": {"type": "object"}}}));
    let related = json!({"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
        "collection": {"type": "string"}, "family": {"type": "string"}, "rel": {"type": "string"}, "attrs": {"type": "object"}}});
    let totals = json!({"type": "object", "description": "Readable entries per relation name",
        "additionalProperties": {"type": "integer"}});
    schemas.insert("Relations".into(), json!({"type": "object", "properties": {
        "outgoing": {"type": "array", "items": related.clone()}, "incoming": {"type": "array", "items": related.clone()},
        "totals": {"type": "object", "properties": {"outgoing": totals.clone(), "incoming": totals}}}}));
    schemas.insert("Related".into(), related);
    super::openapi_jobs::schemas(&mut schemas);
    schemas.insert("User".into(), json!({"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string"}, "admin": {"type": "boolean"},
        "active": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}}}));

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Maestro API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Cloud inventory and CMDB. Lists answer {items, total, page, limit}; errors are RFC 9457 problem+json.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_and_kind_is_documented() {
        let doc = build();
        for c in Collection::ALL {
            assert!(doc["paths"][format!("/api/v1/{}", c.segment())]["get"].is_object());
            assert!(
                doc["paths"][format!("/api/v1/{}/{{id}}/history", c.segment())]["get"].is_object()
            );
        }
        assert_eq!(
            doc["components"]["schemas"]["ServerInput"]["properties"]["cpu"]["exclusiveMinimum"],
            json!(0.0)
        );
        assert_eq!(
            doc["components"]["schemas"]["ApplicationInput"]["properties"]["family"]["enum"]
                .as_array()
                .unwrap()
                .len(),
            26
        );
        for p in [
            "/api/v1/me",
            "/api/v1/me/password",
            "/api/v1/me/avatar",
            "/api/v1/me/tokens",
            "/api/v1/me/tokens/{id}",
            "/api/v1/auth/renew",
            "/api/v1/auth/forgot",
            "/api/v1/auth/reset",
            "/api/v1/users",
            "/api/v1/users/{id}",
            "/api/v1/users/{id}/password",
            "/api/v1/users/{id}/history",
            "/api/v1/users/{id}/avatar",
            "/api/v1/teams",
            "/api/v1/teams/{id}",
            "/api/v1/teams/{id}/members",
            "/api/v1/teams/{id}/members/{user}",
            "/api/v1/teams/{id}/history",
            "/api/v1/teams/{id}/avatar",
            "/api/v1/teams/{id}/{collection}",
            "/api/v1/servers/{id}/grants",
            "/api/v1/dashboard",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} is documented");
        }
        assert!(doc["paths"]["/api/v1/me"]["patch"].is_object());
        // Every operation is named, once.
        let mut ids = std::collections::HashSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for (method, op) in item.as_object().unwrap() {
                if method != "parameters" {
                    let id = op["operationId"].as_str().unwrap().to_owned();
                    assert!(ids.insert(id.clone()), "{id} twice");
                }
            }
        }
        assert!(ids.contains("getServersByIdHistory"), "{ids:?}");
    }
}
