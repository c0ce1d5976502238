//! OpenAPI paths of identity and sharing: the caller's account, API tokens, password reset,
//! accounts administration, teams and members, and grants on every collection.

use maestro_model::schema::Collection;
use serde_json::{Map, Value, json};

use super::openapi::{json_body, ok, op, page_schema, responses};

fn obj(props: Value) -> Value {
    json!({"type": "object", "properties": props})
}

fn id_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}})
}

fn no_content(what: &str) -> (&'static str, Value) {
    ("204", json!({"description": what}))
}

fn public(mut m: Map<String, Value>) -> Map<String, Value> {
    m.insert("security".into(), json!([]));
    m
}

fn me_paths(paths: &mut Map<String, Value>) {
    let user = json!({"$ref": "#/components/schemas/User"});
    let mut get = op(
        "Accounts",
        "The caller's account",
        responses(vec![("200", ok("The account", user.clone()))], &[401]),
    );
    let mut patch = op(
        "Accounts",
        "Update name, contact fields and theme (merge; null clears)",
        responses(vec![("200", ok("The account", user))], &[400, 401, 415]),
    );
    patch.insert("requestBody".into(), json_body(obj(json!({
        "name": {"type": "string"}, "fullname": {"type": "string"}, "phone": {"type": "string"}, "company": {"type": "string"},
        "job": {"type": "string"}, "country": {"type": "string"}, "city": {"type": "string"}, "address": {"type": "string"},
        "theme": {"type": "string", "enum": ["lotus", "gold", "wine", "blue", "dark", "green", "orange"]}}))));
    get.insert(
        "description".into(),
        json!("Includes the caller's teams and roles."),
    );
    paths.insert("/api/v1/me".into(), json!({"get": get, "patch": patch}));
    let mut pw = op(
        "Accounts",
        "Change the password (other sessions end)",
        responses(vec![no_content("Changed")], &[400, 401, 415]),
    );
    pw.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["current_password", "new_password"],
        "properties": {"current_password": {"type": "string"}, "new_password": {"type": "string", "minLength": 8}}})));
    paths.insert("/api/v1/me/password".into(), json!({"put": pw}));
    let mut avatar = op(
        "Accounts",
        "Upload an avatar (PNG, JPEG or WebP up to 5 MiB; stored as a 256 px PNG)",
        responses(
            vec![(
                "200",
                ok("The account", json!({"$ref": "#/components/schemas/User"})),
            )],
            &[400, 401, 413],
        ),
    );
    avatar.insert("requestBody".into(), json!({"required": true, "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}}));
    paths.insert("/api/v1/me/avatar".into(), json!({"put": avatar}));
    let token = obj(
        json!({"id": {"type": "string"}, "name": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": ["string", "null"]}, "last_used_at": {"type": ["string", "null"]}, "revoked_at": {"type": ["string", "null"]},
        "token": {"type": "string", "description": "Only in the answer to the creation."}}),
    );
    let list = op(
        "Accounts",
        "The caller's API tokens (without secrets)",
        responses(
            vec![(
                "200",
                ok(
                    "Tokens",
                    json!({"type": "object", "properties": {"items": {"type": "array", "items": token.clone()}}}),
                ),
            )],
            &[401],
        ),
    );
    let mut create = op(
        "Accounts",
        "Create an API token (its secret is shown once)",
        responses(
            vec![("201", ok("The token with its secret", token))],
            &[400, 401, 415],
        ),
    );
    create.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "maxLength": 100}, "expires_at": {"type": "string", "format": "date-time"}}})));
    paths.insert(
        "/api/v1/me/tokens".into(),
        json!({"get": list, "post": create}),
    );
    let revoke = op(
        "Accounts",
        "Revoke an API token",
        responses(vec![no_content("Revoked")], &[400, 401, 404]),
    );
    paths.insert(
        "/api/v1/me/tokens/{id}".into(),
        json!({"parameters": [id_param("id")], "delete": revoke}),
    );
}

fn auth_paths(paths: &mut Map<String, Value>) {
    let login = ok(
        "A fresh token",
        obj(
            json!({"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}),
        ),
    );
    paths.insert("/api/v1/auth/renew".into(), json!({"post": op("Accounts", "Extend the current session", responses(vec![("200", login)], &[400, 401]))}));
    let mut forgot = public(op(
        "Accounts",
        "E-mail a single-use reset link (always 202: existence is not revealed)",
        responses(
            vec![("202", json!({"description": "Accepted"}))],
            &[400, 415],
        ),
    ));
    forgot.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}})));
    paths.insert("/api/v1/auth/forgot".into(), json!({"post": forgot}));
    let mut reset = public(op(
        "Accounts",
        "Set a new password with a reset token (once; within an hour)",
        responses(
            vec![no_content("Password set; every session ended")],
            &[400, 415],
        ),
    ));
    reset.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["token", "password"], "properties": {"token": {"type": "string"}, "password": {"type": "string", "minLength": 8}}})));
    paths.insert("/api/v1/auth/reset".into(), json!({"post": reset}));
}

fn users_paths(paths: &mut Map<String, Value>) {
    let user = json!({"$ref": "#/components/schemas/User"});
    let mut list = op(
        "Administration",
        "Accounts: administrators list and search (q); anyone may look one up by exact e-mail",
        responses(
            vec![("200", ok("A page", page_schema("User")))],
            &[400, 401, 403],
        ),
    );
    list.insert("parameters".into(), json!([
        {"name": "q", "in": "query", "schema": {"type": "string"}}, {"name": "email", "in": "query", "schema": {"type": "string"}},
        {"name": "page", "in": "query", "schema": {"type": "integer"}}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}]));
    paths.insert("/api/v1/users".into(), json!({"get": list}));
    let get = op(
        "Administration",
        "An account (id and name for non-administrators)",
        responses(
            vec![("200", ok("The account", user.clone()))],
            &[400, 401, 404],
        ),
    );
    let mut patch = op(
        "Administration",
        "Promote, demote, disable, enable or rename an account (administrators)",
        responses(
            vec![("200", ok("The account", user))],
            &[400, 401, 403, 404, 409],
        ),
    );
    patch.insert("requestBody".into(), json_body(obj(json!({"admin": {"type": "boolean"}, "active": {"type": "boolean"}, "name": {"type": "string"}}))));
    paths.insert(
        "/api/v1/users/{id}".into(),
        json!({"parameters": [id_param("id")], "get": get, "patch": patch}),
    );
    let mut pw = op(
        "Administration",
        "Set an account's password (administrators; its sessions end)",
        responses(vec![no_content("Set")], &[400, 401, 403, 404]),
    );
    pw.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["password"], "properties": {"password": {"type": "string"}}})));
    paths.insert(
        "/api/v1/users/{id}/password".into(),
        json!({"parameters": [id_param("id")], "post": pw}),
    );
    let history = op(
        "Administration",
        "An account's history (administrators and oneself)",
        responses(
            vec![("200", ok("A page", page_schema("Change")))],
            &[400, 401, 404],
        ),
    );
    paths.insert(
        "/api/v1/users/{id}/history".into(),
        json!({"parameters": [id_param("id")], "get": history}),
    );
    let avatar = op(
        "Accounts",
        "An account's avatar",
        responses(
            vec![(
                "200",
                json!({"description": "PNG", "content": {"image/png": {}}}),
            )],
            &[401, 404],
        ),
    );
    paths.insert(
        "/api/v1/users/{id}/avatar".into(),
        json!({"parameters": [id_param("id")], "get": avatar}),
    );
}

fn team_paths(paths: &mut Map<String, Value>) {
    let team = obj(
        json!({"id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string"}, "url": {"type": "string"},
        "avatar": {"type": "string"}, "role": {"type": "string", "enum": ["read", "write", "admin"]}, "members": {"type": "array"}}),
    );
    let input = json_body(obj(
        json!({"name": {"type": "string", "minLength": 2, "maxLength": 100}, "email": {"type": "string"}, "url": {"type": "string"}}),
    ));
    let list = op(
        "Teams",
        "Teams the caller belongs to (administrators: all)",
        responses(
            vec![("200", ok("A page", json!({"type": "object"})))],
            &[400, 401],
        ),
    );
    let mut create = op(
        "Teams",
        "Create a team (its creator becomes its administrator)",
        responses(
            vec![("201", ok("The team", team.clone()))],
            &[400, 401, 415],
        ),
    );
    create.insert("requestBody".into(), input.clone());
    paths.insert("/api/v1/teams".into(), json!({"get": list, "post": create}));
    let get = op(
        "Teams",
        "A team with its members",
        responses(
            vec![("200", ok("The team", team.clone()))],
            &[400, 401, 404],
        ),
    );
    let mut patch = op(
        "Teams",
        "Rename or change contact fields (team administrators)",
        responses(vec![("200", ok("The team", team))], &[400, 401, 403, 404]),
    );
    patch.insert("requestBody".into(), input);
    let delete = op(
        "Teams",
        "Delete a team (its grants stop giving access)",
        responses(vec![no_content("Deleted")], &[400, 401, 403, 404]),
    );
    paths.insert(
        "/api/v1/teams/{id}".into(),
        json!({"parameters": [id_param("id")], "get": get, "patch": patch, "delete": delete}),
    );
    let member = obj(
        json!({"user": {"type": "string"}, "role": {"type": "string", "enum": ["read", "write", "admin"]}}),
    );
    let members = op(
        "Teams",
        "Members and their roles",
        responses(
            vec![("200", ok("Members", json!({"type": "object"})))],
            &[401, 404],
        ),
    );
    let mut add = op(
        "Teams",
        "Add a member or change their role (team administrators)",
        responses(
            vec![("200", ok("The member", member.clone()))],
            &[400, 401, 403, 404, 409],
        ),
    );
    add.insert("requestBody".into(), json_body(member));
    paths.insert(
        "/api/v1/teams/{id}/members".into(),
        json!({"parameters": [id_param("id")], "get": members, "post": add}),
    );
    let remove = op(
        "Teams",
        "Remove a member (team administrators, or the member leaving)",
        responses(vec![no_content("Removed")], &[400, 401, 403, 404, 409]),
    );
    paths.insert(
        "/api/v1/teams/{id}/members/{user}".into(),
        json!({"parameters": [id_param("id"), id_param("user")], "delete": remove}),
    );
    let history = op(
        "Teams",
        "Membership and profile history",
        responses(
            vec![("200", ok("A page", page_schema("Change")))],
            &[400, 401, 404],
        ),
    );
    paths.insert(
        "/api/v1/teams/{id}/history".into(),
        json!({"parameters": [id_param("id")], "get": history}),
    );
    let get_avatar = op(
        "Teams",
        "The team's avatar",
        responses(
            vec![(
                "200",
                json!({"description": "PNG", "content": {"image/png": {}}}),
            )],
            &[401, 404],
        ),
    );
    let put_avatar = op(
        "Teams",
        "Upload the team's avatar (team administrators)",
        responses(
            vec![("200", json!({"description": "The team"}))],
            &[400, 401, 403, 404, 413],
        ),
    );
    paths.insert(
        "/api/v1/teams/{id}/avatar".into(),
        json!({"parameters": [id_param("id")], "get": get_avatar, "put": put_avatar}),
    );
    let mut as_team = op(
        "Teams",
        "Create an entity owned by the team (write role in the team)",
        responses(
            vec![("201", json!({"description": "Created"}))],
            &[400, 401, 404, 413, 415],
        ),
    );
    as_team.insert("parameters".into(), json!([id_param("id"), {"name": "collection", "in": "path", "required": true, "schema": {"type": "string",
        "enum": Collection::ALL.iter().map(|c| c.segment()).collect::<Vec<_>>()}}]));
    as_team.insert("requestBody".into(), json_body(json!({"type": "object"})));
    paths.insert(
        "/api/v1/teams/{id}/{collection}".into(),
        json!({"post": as_team}),
    );
}

fn grant_paths(paths: &mut Map<String, Value>) {
    let grant = json!({"type": "object", "properties": {"user": {"type": "string"}, "team": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string", "enum": ["read", "write", "admin"]}}});
    let grants = obj(
        json!({"owner": {"type": "object"}, "grants": {"type": "array", "items": grant.clone()}}),
    );
    for coll in Collection::ALL {
        let tag = coll.label();
        let get = op(
            tag,
            "Owner and grants (read role)",
            responses(
                vec![("200", ok("Grants", grants.clone()))],
                &[400, 401, 404],
            ),
        );
        let mut put = op(
            tag,
            "Replace the grants (admin role); the owner always keeps admin",
            responses(
                vec![("200", ok("Grants", grants.clone()))],
                &[400, 401, 403, 404, 415],
            ),
        );
        put.insert("requestBody".into(), json_body(json!({"type": "object", "required": ["grants"], "properties": {"grants": {"type": "array", "items": grant.clone()}}})));
        paths.insert(
            format!("/api/v1/{}/{{id}}/grants", coll.segment()),
            json!({"parameters": [id_param("id")], "get": get, "put": put}),
        );
        let mut owner = op(
            tag,
            "Hand it to another owner (admin role): yourself or a team you can write to",
            responses(
                vec![("200", ok("Grants", grants.clone()))],
                &[400, 401, 403, 404, 415],
            ),
        );
        owner.insert(
            "requestBody".into(),
            json_body(json!({"type": "object", "properties": {"user": {"type": "string"}, "team": {"type": "string"}}})),
        );
        paths.insert(
            format!("/api/v1/{}/{{id}}/owner", coll.segment()),
            json!({"parameters": [id_param("id")], "put": owner}),
        );
    }
}

/// Adds every identity and sharing path.
pub fn paths(paths: &mut Map<String, Value>) {
    me_paths(paths);
    auth_paths(paths);
    users_paths(paths);
    team_paths(paths);
    grant_paths(paths);
}
