//! A connection's grants are the template of what it discovers (the original's "ACL
//! template"): copied onto each entity it creates, and — when they change — the change reaches
//! every entity it discovered before: a principal added or given another role gets that role,
//! one removed loses the grant the template gave it (a grant a person changed by hand on one
//! entity stays).

use std::collections::HashMap;

use maestro_model::EntityId;
use serde_json::json;
use uuid::Uuid;

use crate::caller::{Access, Principal};
use crate::inventory::{grants_json, same_grants};
use crate::ports::{AclRow, ChangeRecord, WriteBatch};
use crate::{Caller, Core, CoreResult};

/// Entities whose grants one write replaces.
const PER_WRITE: u32 = 500;

/// `rows` after the template moved from `old` to `new` (owner rows never change).
fn apply(rows: &[AclRow], old: &[AclRow], new: &[AclRow]) -> Vec<AclRow> {
    let role_in = |t: &[AclRow], p: &Principal| {
        t.iter()
            .find(|r| !r.owner && r.principal == *p)
            .map(|r| r.role)
    };
    let mut out: Vec<AclRow> = rows
        .iter()
        .filter(|r| {
            // A principal the template dropped loses the grant the template gave it.
            r.owner
                || role_in(new, &r.principal).is_some()
                || role_in(old, &r.principal) != Some(r.role)
        })
        .cloned()
        .collect();
    // Only what the template changed: a principal it kept as it was keeps, on each entity,
    // whatever a person made of it there.
    let changed = new
        .iter()
        .filter(|r| !r.owner && role_in(old, &r.principal) != Some(r.role));
    for t in changed {
        match out.iter_mut().find(|r| r.principal == t.principal) {
            Some(r) if r.owner => {}
            Some(r) => r.role = t.role,
            None => out.push(t.clone()),
        }
    }
    out
}

impl Core {
    /// Carries a change of `connection`'s grants (`old` → `new`) to what it discovered.
    pub(crate) async fn spread_connection_grants(
        &self,
        caller: &Caller,
        connection: EntityId,
        old: &[AclRow],
        new: &[AclRow],
        names: &HashMap<Uuid, String>,
    ) -> CoreResult<u64> {
        let mut after: Option<String> = None;
        let mut changed = 0;
        loop {
            let page = self
                .store
                .discovered_by(connection, after.as_deref(), PER_WRITE)
                .await?;
            let Some((last, _)) = page.last() else {
                return Ok(changed);
            };
            after = Some(last.clone());
            let ids: Vec<EntityId> = page.iter().map(|(_, id)| *id).collect();
            let mut acl: HashMap<EntityId, Vec<AclRow>> = HashMap::new();
            for (id, row) in self.store.acls(&ids).await? {
                acl.entry(id).or_default().push(row);
            }
            let kinds: HashMap<EntityId, &'static str> = self
                .store
                .summaries(&Access::All, &ids)
                .await?
                .into_iter()
                .map(|s| (s.id, s.kind.as_str()))
                .collect();
            let mut batch = WriteBatch::default();
            let now = self.now();
            for id in ids {
                let rows = acl.remove(&id).unwrap_or_default();
                let next = apply(&rows, old, new);
                let Some(kind) = kinds.get(&id).filter(|_| !same_grants(&rows, &next)) else {
                    continue;
                };
                batch.changes.push(ChangeRecord {
                    id: Uuid::now_v7(),
                    subject_kind: (*kind).into(),
                    subject_id: id.to_string(),
                    at: now,
                    actor_id: caller.user.map(|u| u.uuid()),
                    actor_name: caller.name.clone(),
                    source: caller.source.as_str().into(),
                    op: "grant".into(),
                    changes: json!([{"path": "grants", "old": grants_json(&rows, names), "new": grants_json(&next, names)}]),
                    context: Some(json!({"connection": connection, "reason": "the connection's grants changed"})),
                });
                batch.acl.push((id, next));
            }
            if !batch.acl.is_empty() {
                changed += batch.acl.len() as u64;
                self.store.write(batch).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::PrincipalKind;
    use maestro_model::Role;

    fn row(id: u128, role: Role, owner: bool) -> AclRow {
        AclRow {
            principal: Principal {
                kind: PrincipalKind::User,
                id: Uuid::from_u128(id),
            },
            role,
            owner,
        }
    }

    #[test]
    fn the_template_change_is_applied_and_hand_made_grants_stay() {
        let owner = row(1, Role::Admin, true);
        // Dave read by the template, Erin write by hand, Frank read by the template then raised
        // to write by hand.
        let rows = [
            owner.clone(),
            row(4, Role::Read, false),
            row(5, Role::Write, false),
            row(6, Role::Write, false),
        ];
        let old = [row(4, Role::Read, false), row(6, Role::Read, false)];
        // Dave and Frank leave the template, Gina joins it with write.
        let new = [row(7, Role::Write, false)];
        let next = apply(&rows, &old, &new);
        let got: Vec<(u128, Role)> = next
            .iter()
            .map(|r| (r.principal.id.as_u128(), r.role))
            .collect();
        assert_eq!(
            got,
            [
                (1, Role::Admin),
                (5, Role::Write),
                (6, Role::Write),
                (7, Role::Write)
            ]
        );
        // A role changed in the template reaches the entity.
        let raised = apply(&rows, &old, &[row(4, Role::Write, false)]);
        assert!(
            raised
                .iter()
                .any(|r| r.principal.id.as_u128() == 4 && r.role == Role::Write)
        );
        assert!(same_grants(&rows, &apply(&rows, &old, &old)));
    }
}
