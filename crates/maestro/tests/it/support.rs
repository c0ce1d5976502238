//! Small helpers shared by the inventory tests: reading list answers, problems and histories.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, id};

/// GETs a list, asserting 200 and the list envelope; returns the whole answer.
pub async fn list(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get(token, path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    for key in ["items", "total", "page", "limit"] {
        assert!(body.get(key).is_some(), "{key} missing in {body}");
    }
    body
}

/// One task of a discovery connection as `GET /connections/{id}/tasks` lists it.
pub async fn task_status(app: &TestApp, token: &str, connection: &str, task: &str) -> Value {
    let tasks = list(
        app,
        token,
        &format!("/api/v1/connections/{connection}/tasks"),
    )
    .await;
    tasks["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["task"] == task)
        .unwrap_or_else(|| panic!("no task {task} in {tasks}"))
        .clone()
}

/// The `name` of every item of a list answer, in order.
pub fn names_of(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Names of `/api/v1/{coll}?{query}` sorted by name (every match on one page), checking that
/// `total` agrees with the items.
pub async fn names(app: &TestApp, token: &str, coll: &str, query: String) -> Vec<String> {
    let sep = if query.is_empty() { "" } else { "&" };
    let body = list(
        app,
        token,
        &format!("/api/v1/{coll}?{query}{sep}sort=name&limit=500"),
    )
    .await;
    let out = names_of(&body);
    assert_eq!(body["total"], out.len(), "total of {coll}?{query}");
    out
}

/// Sends a GET expected to be refused as invalid: asserts 400 and `application/problem+json`,
/// and returns the problem.
pub async fn bad_request(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = res.status();
    let ctype = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::BAD_REQUEST, "GET {path}: {body}");
    assert_eq!(ctype, "application/problem+json", "GET {path}");
    assert_eq!(body["status"], 400, "{body}");
    body
}

/// Creates an entity (asserting 201) and returns its id.
pub async fn create_id(app: &TestApp, token: &str, coll: &str, body: Value) -> String {
    id(&app.create(token, coll, body).await)
}

/// The `field` of every entry of a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
/// The history items of an entity (asserting 200), newest first.
pub async fn history(app: &TestApp, token: &str, coll: &str, id: &str) -> Vec<Value> {
    let body = list(
        app,
        token,
        &format!("/api/v1/{coll}/{id}/history?limit=500"),
    )
    .await;
    body["items"].as_array().expect("items").clone()
}

/// The ops of a history, newest first.
pub fn ops(history: &[Value]) -> Vec<String> {
    history
        .iter()
        .map(|h| h["op"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The ids of a reference list (`[{id, name, …}]`).
pub fn ref_ids(refs: &Value) -> Vec<String> {
    refs.as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /{coll}/{id}/relations`, asserting 200.
pub async fn relations(app: &TestApp, token: &str, coll: &str, id: &str) -> Value {
    let (status, body) = app
        .get(token, &format!("/api/v1/{coll}/{id}/relations"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `(name, rel)` of one side of a relations answer, sorted.
pub fn peers(side: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = side
        .as_array()
        .expect("relation list")
        .iter()
        .map(|r| {
            let name = r["name"].as_str().unwrap_or_default().to_owned();
            (name, r["rel"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    out.sort();
    out
}

/// Owned `(name, rel)` pairs, to compare with [`peers`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// A datacenter and an AWS connection `prod` (us-east-1) placing what it finds there:
/// (datacenter, connection).
pub async fn aws_connection(app: &TestApp, token: &str) -> (Value, Value) {
    let dc = app
        .create(
            token,
            "datacenters",
            json!({"name": "AWS", "provider": "AWS"}),
        )
        .await;
    let conn = app.create(token, "connections", json!({"name": "prod", "provider": "aws", "datacenter": id(&dc), "regions": ["us-east-1"],
        "credentials": {"access_key_id": "AKIA", "secret_access_key": "s"}})).await;
    (dc, conn)
}
