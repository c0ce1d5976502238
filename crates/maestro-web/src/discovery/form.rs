//! The connection form: its fields as text (from a stored connection or as submitted), the JSON
//! the inventory checks, and the merge patch of an edit. Credentials are write-only: they are
//! read from the submitted form only, never put back into a page, and an edit that leaves them
//! empty does not touch the stored ones.

use maestro_model::FieldError;
use serde_json::{Map, Value, json};

use crate::session::FormData;

/// Credential keys per provider; their inputs are `aws.<key>` and `os.<key>`.
const AWS_KEYS: [&str; 5] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "role_arn",
    "external_id",
];
const OS_PASSWORD: [&str; 3] = ["username", "password", "domain_name"];
const OS_APPLICATION: [&str; 2] = ["application_credential_id", "application_credential_secret"];

/// The top-level fields the form manages (an edit patches only these, and `tags`).
const MANAGED: [&str; 10] = [
    "name",
    "provider",
    "datacenter",
    "status",
    "regions",
    "endpoint_url",
    "auth_url",
    "project_id",
    "user_domain_id",
    "api_version",
];

/// Every non-secret field of the form, as text.
#[derive(Debug, Clone, Default)]
pub struct ConnectionForm {
    pub name: String,
    /// `aws` or `openstack`.
    pub provider: String,
    /// The datacenter's id.
    pub datacenter: String,
    pub status: String,
    /// AWS regions, picked from the `regions` setting.
    pub aws_regions: Vec<String>,
    /// OpenStack regions, comma-separated.
    pub os_regions: String,
    pub endpoint_url: String,
    pub auth_url: String,
    pub project_id: String,
    pub user_domain_id: String,
    pub api_version: String,
    /// OpenStack login: `password` or `application` (credential).
    pub os_auth: String,
    pub errors: Vec<FieldError>,
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

impl ConnectionForm {
    /// A new connection's defaults.
    pub fn blank(datacenter: &str) -> Self {
        Self {
            provider: "aws".into(),
            status: "enabled".into(),
            datacenter: datacenter.to_owned(),
            api_version: "3".into(),
            user_domain_id: "default".into(),
            os_auth: "password".into(),
            ..Self::default()
        }
    }

    /// The form of a stored connection (its `GET` JSON, which has no credentials).
    pub fn from_json(c: &Value) -> Self {
        let provider = text(&c["provider"]);
        let regions = strings(&c["regions"]);
        Self {
            name: text(&c["name"]),
            datacenter: c["datacenter"]["id"]
                .as_str()
                .map_or_else(|| text(&c["datacenter"]), str::to_owned),
            status: text(&c["status"]),
            os_regions: if provider == "openstack" {
                regions.join(", ")
            } else {
                String::new()
            },
            aws_regions: if provider == "aws" {
                regions
            } else {
                Vec::new()
            },
            endpoint_url: text(&c["endpoint_url"]),
            auth_url: text(&c["auth_url"]),
            project_id: text(&c["project_id"]),
            user_domain_id: text(&c["user_domain_id"]),
            api_version: text(&c["api_version"]),
            os_auth: "password".into(),
            provider,
            errors: Vec::new(),
        }
    }

    /// The form as submitted.
    pub fn from_form(f: &FormData) -> Self {
        let g = |k: &str| f.get(k).trim().to_owned();
        let provider = g("provider");
        // Each provider's section has its own endpoint input.
        let endpoint = if provider == "openstack" {
            g("os_endpoint_url")
        } else {
            g("aws_endpoint_url")
        };
        Self {
            name: g("name"),
            provider,
            datacenter: g("datacenter"),
            status: g("status"),
            aws_regions: f
                .all("aws_regions")
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            os_regions: g("os_regions"),
            endpoint_url: endpoint,
            auth_url: g("auth_url"),
            project_id: g("project_id"),
            user_domain_id: g("user_domain_id"),
            api_version: g("api_version"),
            os_auth: if g("os_auth") == "application" {
                "application".into()
            } else {
                "password".into()
            },
            errors: Vec::new(),
        }
    }

    /// The error reported for `field` (or one of its items, `regions[0]`).
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('['))
            })
            .map(|e| e.message.as_str())
    }

    /// Whether the inventory refused the credentials (the section then opens).
    pub fn credentials_error(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.field.starts_with("credentials"))
    }

    pub fn is_aws(&self) -> bool {
        self.provider != "openstack"
    }

    pub fn region_chosen(&self, name: &str) -> bool {
        self.aws_regions.iter().any(|r| r == name)
    }

    /// The non-secret fields as the inventory stores them (empty ones left out).
    pub fn desired(&self) -> Map<String, Value> {
        let mut out = Map::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                out.insert(k.to_owned(), json!(v));
            }
        };
        put("name", &self.name);
        put("provider", &self.provider);
        put("datacenter", &self.datacenter);
        put("status", &self.status);
        put("endpoint_url", &self.endpoint_url);
        if !self.is_aws() {
            put("auth_url", &self.auth_url);
            put("project_id", &self.project_id);
            put("user_domain_id", &self.user_domain_id);
            put("api_version", &self.api_version);
        }
        let regions: Vec<String> = if self.is_aws() {
            self.aws_regions.clone()
        } else {
            self.os_regions
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if !regions.is_empty() {
            out.insert("regions".into(), json!(regions));
        }
        out
    }

    /// The credentials typed for the chosen provider, or None when every input is empty.
    pub fn credentials(&self, f: &FormData) -> Option<Value> {
        let keys: &[&str] = match (self.is_aws(), self.os_auth.as_str()) {
            (true, _) => &AWS_KEYS,
            (false, "application") => &OS_APPLICATION,
            (false, _) => &OS_PASSWORD,
        };
        let prefix = if self.is_aws() { "aws" } else { "os" };
        let creds: Map<String, Value> = keys
            .iter()
            .filter_map(|k| {
                let v = f.get(&format!("{prefix}.{k}")).trim();
                (!v.is_empty()).then(|| ((*k).to_owned(), json!(v)))
            })
            .collect();
        (!creds.is_empty()).then_some(Value::Object(creds))
    }

    /// The merge patch from `current` (the stored connection) to this form: changed managed
    /// fields, `null` for those emptied or not used by the chosen provider.
    pub fn patch(&self, current: &Value) -> Map<String, Value> {
        let desired = self.desired();
        let mut out = Map::new();
        for k in MANAGED {
            let now = match (k, &current[k]) {
                ("datacenter", Value::Object(o)) => o.get("id").cloned().unwrap_or(Value::Null),
                (_, v) => v.clone(),
            };
            match desired.get(k) {
                Some(v) if *v != now => {
                    out.insert(k.into(), v.clone());
                }
                None if !now.is_null() => {
                    out.insert(k.into(), Value::Null);
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
