//! The fake's HTTP handling: Keystone tokens, version documents, token checks, injected faults
//! and paginated listings in each service's style.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::listing::{Links, list};
use super::{
    APP_CRED_ID, APP_CRED_SECRET, FakeState, PASSWORD, PROJECT_ID, USER_ID, USERNAME, data,
};

pub fn router(state: Arc<FakeState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(
    State(st): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    let target = match query.as_str() {
        "" => path.clone(),
        q => format!("{path}?{q}"),
    };
    st.log
        .lock()
        .expect("log")
        .push(format!("{method} {target}"));
    if let Some(r) = fault(&st, &path, &target) {
        return r;
    }
    if method == Method::POST && path.trim_end_matches('/') == "/identity/v3/auth/tokens" {
        return auth(&st, &body);
    }
    if method != Method::GET {
        return not_found(&path);
    }
    let (prefix, rest) = match path[1..].find('/') {
        Some(i) => (&path[..i + 1], &path[i + 1..]),
        None => (path.as_str(), ""),
    };
    if let Some(doc) = data::discovery(&st.base, prefix, rest) {
        return json_response(StatusCode::OK, doc);
    }
    let token = headers.get("x-auth-token").and_then(|v| v.to_str().ok());
    if token != Some(st.token.as_str()) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"code": 401, "title": "Unauthorized",
                             "message": "The request you have made requires authentication."}}),
        );
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let listing = match (prefix, segs.as_slice()) {
        ("/compute", ["v2.1", _, "servers", "detail"]) => ("servers", "servers", Links::WhenFull),
        ("/compute", ["v2.1", _, "flavors", "detail"]) => ("flavors", "flavors", Links::WhenFull),
        ("/compute", ["v2.1", _, "flavors", id]) => return show(&st, "flavors", "flavor", id),
        ("/image", ["v2", "images"]) => ("images", "images", Links::Glance),
        ("/volume", ["v3", _, "volumes", "detail"]) => ("volumes", "volumes", Links::WhenFull),
        ("/volume", ["v3", _, "snapshots", "detail"]) => {
            ("snapshots", "snapshots", Links::WhenFull)
        }
        ("/network", ["v2.0", "networks"]) => ("networks", "networks", Links::WhenMore),
        ("/network", ["v2.0", "subnets"]) => ("subnets", "subnets", Links::WhenMore),
        ("/network", ["v2.0", "ports"]) => ("ports", "ports", Links::WhenMore),
        ("/network", ["v2.0", "routers"]) => ("routers", "routers", Links::WhenMore),
        ("/network", ["v2.0", "security-groups"]) => {
            ("security_groups", "security_groups", Links::WhenMore)
        }
        ("/load-balancer", ["v2", "lbaas", "loadbalancers"]) => {
            ("loadbalancers", "loadbalancers", Links::WhenMore)
        }
        ("/load-balancer", ["v2", "lbaas", "listeners"]) => {
            ("listeners", "listeners", Links::WhenMore)
        }
        ("/load-balancer", ["v2", "lbaas", "pools"]) => ("pools", "pools", Links::WhenMore),
        ("/load-balancer", ["v2", "lbaas", "pools", pool, "members"]) => {
            let q = format!("pool_id={pool}&{query}");
            return list(&st, &path, &q, "members", "members", Links::WhenMore);
        }
        _ => return not_found(&path),
    };
    list(&st, &path, &query, listing.0, listing.1, listing.2)
}

fn not_found(path: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"itemNotFound": {"code": 404, "message": format!("{path} not found")}}),
    )
}

fn fault(st: &FakeState, path: &str, target: &str) -> Option<Response> {
    let mut faults = st.faults.lock().expect("faults");
    let f = faults
        .iter_mut()
        .find(|f| target.contains(&f.fragment) && f.remaining != Some(0))?;
    if let Some(n) = f.remaining.as_mut() {
        *n -= 1;
    }
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let policy = format!("policy for {}", f.fragment);
    let msg = format!("Policy doesn't allow {policy} to be performed.");
    Some(match status.as_u16() {
        403 if path.starts_with("/network") => json_response(
            status,
            json!({"NeutronError": {"type": "HTTPForbidden", "message": msg, "detail": ""}}),
        ),
        403 if path.starts_with("/load-balancer") => json_response(
            status,
            json!({"faultcode": "Client", "faultstring": msg, "debuginfo": null}),
        ),
        403 if path.starts_with("/image") => {
            (status, format!("403 Forbidden\n\n{msg}\n\n")).into_response()
        }
        403 => json_response(status, json!({"forbidden": {"code": 403, "message": msg}})),
        429 | 503 => {
            let body = json!({"message": "Rate limit exceeded", "code": status.as_u16()});
            (
                status,
                [("retry-after", "0"), ("content-type", "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        _ => json_response(
            status,
            json!({"error": {"code": status.as_u16(), "message": "injected failure"}}),
        ),
    })
}

fn auth(st: &FakeState, body: &[u8]) -> Response {
    let refuse = || {
        json_response(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"code": 401, "title": "Unauthorized",
                             "message": "The request you have made requires authentication."}}),
        )
    };
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": 400, "message": "bad JSON"}}),
        );
    };
    let auth = &req["auth"];
    let identity = &auth["identity"];
    let methods = identity["methods"].as_array().cloned().unwrap_or_default();
    let ok = if methods.contains(&json!("application_credential")) {
        let ac = &identity["application_credential"];
        ac["id"] == APP_CRED_ID && ac["secret"] == APP_CRED_SECRET
    } else if methods.contains(&json!("password")) {
        let user = &identity["password"]["user"];
        let by_id = user["id"] == USER_ID;
        let domain = &user["domain"];
        let by_name =
            user["name"] == USERNAME && (domain["id"] == "default" || domain["name"] == "Default");
        let project = &auth["scope"]["project"];
        let scoped = project["id"] == PROJECT_ID || project["name"] == "admin";
        (by_id || by_name) && user["password"] == PASSWORD && scoped
    } else {
        false
    };
    if !ok {
        return refuse();
    }
    let mut rsp = json_response(StatusCode::CREATED, data::token(&st.base));
    rsp.headers_mut().insert(
        "x-subject-token",
        st.token.parse().expect("token is a header value"),
    );
    rsp
}

fn show(st: &FakeState, collection: &str, key: &str, id: &str) -> Response {
    let data = st.data.lock().expect("data");
    let found = data
        .get(collection)
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .cloned();
    match found {
        Some(item) => json_response(StatusCode::OK, json!({ key: item })),
        None => not_found(id),
    }
}
