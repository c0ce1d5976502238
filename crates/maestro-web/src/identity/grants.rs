//! The grants being edited in the access dialog. The dialog is a server-rendered form: adding a
//! person or a team and removing a row re-render it with the pending list (kept in hidden
//! inputs), and nothing changes until *Save* sends the whole list to `Core::put_grants`.

use maestro_core::caller::{Principal, PrincipalKind};
use maestro_core::ports::AclRow;
use maestro_model::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::session::FormData;

/// One row of the dialog: a user or a team with a role.
#[derive(Debug, Clone)]
pub struct GrantRow {
    /// `user` or `team`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub role: String,
    pub error: Option<String>,
}

/// The owner as `Core::get_grants` describes it.
#[derive(Debug, Clone, Default)]
pub struct Owner {
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// Owner and rows of a `Core::get_grants` answer.
pub fn from_core(v: &Value) -> (Owner, Vec<GrantRow>) {
    let o = &v["owner"];
    let owner = Owner {
        kind: o["kind"].as_str().unwrap_or("").to_owned(),
        id: o["id"].as_str().unwrap_or("").to_owned(),
        name: o["name"].as_str().unwrap_or("?").to_owned(),
    };
    let rows = v["grants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let (kind, id) = ["user", "team"]
                .into_iter()
                .find_map(|k| g[k].as_str().map(|id| (k, id)))?;
            Some(GrantRow {
                kind: kind.to_owned(),
                id: id.to_owned(),
                name: g["name"].as_str().unwrap_or("?").to_owned(),
                role: g["role"].as_str().unwrap_or("read").to_owned(),
                error: None,
            })
        })
        .collect();
    (owner, rows)
}

/// The rows a submitted dialog holds (in order).
pub fn from_form(form: &FormData) -> Vec<GrantRow> {
    let kinds: Vec<&str> = form.all("grant_kind").collect();
    let ids: Vec<&str> = form.all("grant_id").collect();
    let names: Vec<&str> = form.all("grant_name").collect();
    let roles: Vec<&str> = form.all("grant_role").collect();
    kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(**k, "user" | "team"))
        .map(|(i, k)| GrantRow {
            kind: (*k).to_owned(),
            id: ids.get(i).copied().unwrap_or("").to_owned(),
            name: names.get(i).copied().unwrap_or("?").to_owned(),
            role: roles.get(i).copied().unwrap_or("read").to_owned(),
            error: None,
        })
        .collect()
}

/// The body of `Core::put_grants` for these rows.
pub fn body(rows: &[GrantRow]) -> Value {
    let grants: Vec<Value> = rows
        .iter()
        .map(|r| json!({r.kind.as_str(): r.id, "role": r.role}))
        .collect();
    json!({ "grants": grants })
}

/// Adds a principal or changes its role when it is already listed.
pub fn upsert(rows: &mut Vec<GrantRow>, kind: &str, id: &str, name: &str, role: &str) {
    match rows.iter_mut().find(|r| r.kind == kind && r.id == id) {
        Some(r) => r.role = role.to_owned(),
        None => rows.push(GrantRow {
            kind: kind.to_owned(),
            id: id.to_owned(),
            name: name.to_owned(),
            role: role.to_owned(),
            error: None,
        }),
    }
}

/// The ACL the core's rule reads: the owner (admin) and the grants.
pub fn acl(owner: &Owner, rows: &[GrantRow]) -> Vec<AclRow> {
    let principal = |kind: &str, id: &str| {
        Some(Principal {
            kind: PrincipalKind::parse(kind)?,
            id: Uuid::try_parse(id).ok()?,
        })
    };
    let mut out: Vec<AclRow> = principal(&owner.kind, &owner.id)
        .map(|p| AclRow {
            principal: p,
            role: Role::Admin,
            owner: true,
        })
        .into_iter()
        .collect();
    out.extend(rows.iter().filter_map(|r| {
        Some(AclRow {
            principal: principal(&r.kind, &r.id)?,
            role: Role::parse(&r.role)?,
            owner: false,
        })
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_the_form() {
        let (owner, rows) = from_core(&json!({
            "owner": {"kind": "user", "id": "018f0000-0000-7000-8000-000000000001", "name": "Ada"},
            "grants": [
                {"team": "018f0000-0000-7000-8000-000000000002", "name": "Ops", "role": "write"},
                {"user": "018f0000-0000-7000-8000-000000000003", "name": "Bo", "role": "read"}
            ]
        }));
        assert_eq!(owner.name, "Ada");
        let mut pairs = Vec::new();
        for r in &rows {
            for (k, v) in [
                ("grant_kind", &r.kind),
                ("grant_id", &r.id),
                ("grant_name", &r.name),
                ("grant_role", &r.role),
            ] {
                pairs.push((k.to_owned(), v.clone()));
            }
        }
        let mut back = from_form(&FormData { pairs });
        assert_eq!(back.len(), 2);
        upsert(&mut back, "user", &rows[1].id, "Bo", "admin");
        assert_eq!(back.len(), 2);
        assert_eq!(
            body(&back)["grants"][1],
            json!({"user": rows[1].id, "role": "admin"})
        );
        assert_eq!(acl(&owner, &back).len(), 3);
    }
}
