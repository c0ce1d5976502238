//! Sharing: who besides the owner may read, write or administer an entity. The owner always
//! keeps admin outside the list; replacing the list is an admin's act and is recorded.

use std::collections::{HashMap, HashSet};

use maestro_model::schema::{Collection, Kind};
use maestro_model::{EntityId, FieldError, Role};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::as_object;
use crate::caller::{Principal, PrincipalKind};
use crate::ports::{AclRow, ChangeRecord, WriteBatch};
use crate::{Caller, Core, CoreError, CoreResult};

/// Whether two ACLs grant the same roles to the same principals, in any order.
pub(crate) fn same_grants(a: &[AclRow], b: &[AclRow]) -> bool {
    let key = |r: &AclRow| (r.principal.id, r.role, r.owner);
    let mut a: Vec<_> = a.iter().map(key).collect();
    let mut b: Vec<_> = b.iter().map(key).collect();
    a.sort();
    b.sort();
    a == b
}

/// The kinds every account shares (the services catalog) are neither shared nor handed over
/// one entity at a time.
pub(super) fn not_global(coll: Collection) -> CoreResult<()> {
    if coll.kind().schema().global {
        return Err(CoreError::BadRequest(format!(
            "the {} is shared with every account",
            coll.label().to_lowercase()
        )));
    }
    Ok(())
}

pub(crate) fn grants_json(rows: &[AclRow], names: &HashMap<Uuid, String>) -> Vec<Value> {
    let mut out: Vec<Value> = rows
        .iter()
        .filter(|r| !r.owner)
        .map(|r| {
            json!({
                r.principal.kind.as_str(): r.principal.id,
                "name": names.get(&r.principal.id),
                "role": r.role,
            })
        })
        .collect();
    out.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    out
}

impl Core {
    async fn principal_names(&self, rows: &[AclRow]) -> CoreResult<HashMap<Uuid, String>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.principal.id).collect();
        Ok(self
            .store
            .principals(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect())
    }

    async fn grants_view(&self, rows: &[AclRow]) -> CoreResult<Value> {
        // A deleted team gives no access any more (teams are not restored): not listed.
        let ids: Vec<Uuid> = rows.iter().map(|r| r.principal.id).collect();
        let gone: HashSet<Uuid> = self
            .store
            .principals(&ids)
            .await?
            .into_iter()
            .filter(|p| p.kind == PrincipalKind::Team && !p.active)
            .map(|p| p.id)
            .collect();
        let rows: Vec<AclRow> = rows
            .iter()
            .filter(|r| r.owner || !gone.contains(&r.principal.id))
            .cloned()
            .collect();
        let rows = &rows[..];
        let names = self.principal_names(rows).await?;
        let owner = rows.iter().find(|r| r.owner).map(|r| {
            let name = match r.principal.kind {
                PrincipalKind::System => Some("Maestro".to_owned()),
                _ => names.get(&r.principal.id).cloned(),
            };
            json!({"kind": r.principal.kind.as_str(), "id": r.principal.id, "name": name})
        });
        Ok(json!({"owner": owner, "grants": grants_json(rows, &names)}))
    }

    /// `GET /{collection}/{id}/grants`: the owner and the grants (anyone who can read it).
    pub async fn get_grants(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
    ) -> CoreResult<Value> {
        self.readable(caller, coll, id).await?;
        let rows = self.store.acl(id).await?;
        self.grants_view(&rows).await
    }

    /// `PUT /{collection}/{id}/grants {"grants": [{"user"|"team": id, "role"}]}` (admin role):
    /// replaces every grant but the owner's.
    pub async fn put_grants(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        body: &Value,
    ) -> CoreResult<Value> {
        not_global(coll)?;
        let rec = self.writable(caller, coll, id, Role::Admin).await?;
        let body = as_object(body)?;
        let mut errors = Vec::new();
        for k in body.keys().filter(|k| *k != "grants" && *k != "owner") {
            errors.push(FieldError::new(k, "unknown field"));
        }
        let Some(items) = body.get("grants").and_then(Value::as_array) else {
            errors.push(FieldError::new(
                "grants",
                "must be a list of {\"user\" or \"team\": id, \"role\"}",
            ));
            return Err(CoreError::Invalid(errors));
        };
        let old_rows = self.store.acl(id).await?;
        let owner = old_rows
            .iter()
            .find(|r| r.owner)
            .cloned()
            .unwrap_or(AclRow {
                principal: rec.owner.clone(),
                role: Role::Admin,
                owner: true,
            });
        let mut wanted: Vec<AclRow> = Vec::new();
        let mut seen = HashSet::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("grants[{i}]");
            let Some(obj) = item.as_object() else {
                errors.push(FieldError::new(&path, "must be an object"));
                continue;
            };
            let principal = match (obj.get("user"), obj.get("team")) {
                (Some(u), None) => {
                    u.as_str()
                        .and_then(|s| Uuid::try_parse(s).ok())
                        .map(|id| Principal {
                            kind: PrincipalKind::User,
                            id,
                        })
                }
                (None, Some(t)) => {
                    t.as_str()
                        .and_then(|s| Uuid::try_parse(s).ok())
                        .map(|id| Principal {
                            kind: PrincipalKind::Team,
                            id,
                        })
                }
                _ => None,
            };
            let role = obj
                .get("role")
                .and_then(Value::as_str)
                .and_then(Role::parse);
            for k in obj
                .keys()
                .filter(|k| !matches!(k.as_str(), "user" | "team" | "role" | "name"))
            {
                errors.push(FieldError::new(format!("{path}.{k}"), "unknown field"));
            }
            match (principal, role) {
                (None, _) => errors.push(FieldError::new(
                    &path,
                    "needs exactly one of \"user\" or \"team\" with an id",
                )),
                (_, None) => errors.push(FieldError::new(
                    format!("{path}.role"),
                    "must be read, write or admin",
                )),
                (Some(p), Some(role)) => {
                    if p == owner.principal {
                        continue; // the owner keeps admin whatever is sent
                    }
                    if !seen.insert(p.id) {
                        errors.push(FieldError::new(&path, "this principal is listed twice"));
                        continue;
                    }
                    wanted.push(AclRow {
                        principal: p,
                        role,
                        owner: false,
                    });
                }
            }
        }
        let ids: Vec<Uuid> = wanted.iter().map(|r| r.principal.id).collect();
        let known: HashMap<Uuid, (PrincipalKind, bool)> = self
            .store
            .principals(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.kind, p.active)))
            .collect();
        // A team the caller does not belong to is not theirs to share with (nor to learn the
        // name of): new grants to it answer as for an unknown team. Grants already there stay.
        let visible_team = |id: Uuid| {
            caller.admin
                || caller.teams.iter().any(|(t, _)| t.uuid() == id)
                || old_rows.iter().any(|r| r.principal.id == id)
        };
        for (i, row) in wanted.iter().enumerate() {
            let found = matches!(known.get(&row.principal.id), Some((kind, true)) if *kind == row.principal.kind);
            let message = match row.principal.kind {
                PrincipalKind::Team if !(found && visible_team(row.principal.id)) => {
                    "no such team among yours (share with a team you belong to)"
                }
                _ if !found => match row.principal.kind {
                    PrincipalKind::User => "no such user",
                    _ => "no such principal",
                },
                _ => continue,
            };
            errors.push(FieldError::new(format!("grants[{i}]"), message));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let mut new_rows = vec![owner];
        new_rows.extend(wanted);
        if !same_grants(&old_rows, &new_rows) {
            let names = self
                .principal_names(&[old_rows.clone(), new_rows.clone()].concat())
                .await?;
            let change = ChangeRecord {
                id: Uuid::now_v7(),
                subject_kind: rec.kind.as_str().into(),
                subject_id: id.to_string(),
                at: self.now(),
                actor_id: caller.user.map(|u| u.uuid()),
                actor_name: caller.name.clone(),
                source: caller.source.as_str().into(),
                op: "grant".into(),
                changes: json!([{"path": "grants", "old": grants_json(&old_rows, &names), "new": grants_json(&new_rows, &names)}]),
                context: None,
            };
            let batch = WriteBatch {
                acl: vec![(id, new_rows.clone())],
                changes: vec![change],
                ..Default::default()
            };
            self.store.write(batch).await?;
            if rec.kind == Kind::Connection {
                self.spread_connection_grants(caller, id, &old_rows, &new_rows, &names)
                    .await?;
            }
        }
        self.grants_view(&new_rows).await
    }
}
