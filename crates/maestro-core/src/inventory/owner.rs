//! Handing an entity to another owner: an account or a team. The owner always has admin; the
//! previous owner keeps only what a grant or a team gives them. How a team that is to be
//! deleted gives away what it owns.

use maestro_model::schema::Collection;
use maestro_model::{EntityId, FieldError, Role};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::as_object;
use crate::caller::{Principal, PrincipalKind};
use crate::ports::{AclRow, EntityWrite, WriteBatch};
use crate::{Caller, Core, CoreError, CoreResult};

impl Core {
    /// `PUT /{collection}/{id}/owner {"user"|"team": id}` (admin role on the entity). Anyone may
    /// hand an entity to themselves or to a team they can write to; administrators to any
    /// active account or team.
    pub async fn put_owner(
        &self,
        caller: &Caller,
        coll: Collection,
        id: EntityId,
        body: &Value,
    ) -> CoreResult<Value> {
        super::grants::not_global(coll)?;
        let rec = self.writable(caller, coll, id, Role::Admin).await?;
        let wanted = new_owner(as_object(body)?)?;
        let allowed = caller.admin
            || match wanted.kind {
                PrincipalKind::User => caller.user.is_some_and(|u| u.uuid() == wanted.id),
                PrincipalKind::Team => caller
                    .teams
                    .iter()
                    .any(|(t, r)| t.uuid() == wanted.id && *r >= Role::Write),
                PrincipalKind::System | PrincipalKind::Connection => false,
            };
        // The new owner (checked) and the old one (named in the history), read together.
        let found = self.store.principals(&[wanted.id, rec.owner.id]).await?;
        let known = found
            .iter()
            .find(|p| p.id == wanted.id && p.kind == wanted.kind && p.active);
        let (Some(new), true) = (known, allowed) else {
            return Err(CoreError::invalid(
                wanted.kind.as_str(),
                "must be yourself, a team you can write to, or (for administrators) any active \
                 account or team",
            ));
        };
        if rec.owner == wanted {
            return self.get_grants(caller, coll, id).await;
        }
        let old_rows = self.store.acl(id).await?;
        let mut rows: Vec<AclRow> = old_rows
            .iter()
            .filter(|r| !r.owner && r.principal != wanted)
            .cloned()
            .collect();
        rows.insert(
            0,
            AclRow {
                principal: wanted.clone(),
                role: Role::Admin,
                owner: true,
            },
        );
        let old_name = found
            .iter()
            .find(|p| p.id == rec.owner.id)
            .map(|p| p.name.as_str());
        let describe = |p: &Principal, name: Option<&str>| json!({"kind": p.kind.as_str(), "id": p.id, "name": name});
        let changes = json!([{"path": "owner",
            "old": describe(&rec.owner, old_name),
            "new": describe(&wanted, Some(&new.name))}]);
        let mut record = rec.clone();
        record.owner = wanted;
        record.updated_at = self.now().max(rec.updated_at);
        record.revision = rec.revision + 1;
        let change = super::change(caller, &record, "owner", changes);
        let batch = WriteBatch {
            entities: vec![EntityWrite {
                record,
                expected_revision: Some(rec.revision),
            }],
            acl: vec![(id, rows)],
            changes: vec![change],
            ..Default::default()
        };
        self.store.write(batch).await?;
        self.get_grants(caller, coll, id).await
    }
}

/// `{"user": id}` or `{"team": id}`.
fn new_owner(body: &serde_json::Map<String, Value>) -> CoreResult<Principal> {
    let id = |v: &Value| v.as_str().and_then(|s| Uuid::try_parse(s).ok());
    let owner = match (body.get("user"), body.get("team"), body.len()) {
        (Some(u), None, 1) => id(u).map(|id| Principal {
            kind: PrincipalKind::User,
            id,
        }),
        (None, Some(t), 1) => id(t).map(|id| Principal {
            kind: PrincipalKind::Team,
            id,
        }),
        _ => None,
    };
    owner.ok_or_else(|| {
        CoreError::Invalid(vec![FieldError::new(
            "owner",
            "send exactly one of {\"user\": id} or {\"team\": id}",
        )])
    })
}
