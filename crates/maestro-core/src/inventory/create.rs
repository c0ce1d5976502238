//! Creating entities: one at a time (the API and the UI) or many in one write (demo data,
//! imports, discovery, benchmarks) — the same validation, references, duplicate warnings and
//! history either way.

use std::collections::HashMap;

use maestro_model::diff::created_value;
use maestro_model::schema::{Collection, Kind};
use maestro_model::search::search_text;
use maestro_model::validate::compose;
use maestro_model::{EntityId, Role};
use serde_json::Value;

use super::{
    Written, change, entity_name, prepare, refs, same_account, summary, warnings, write_error,
};
use crate::accounts::as_object;
use crate::ports::{AclRow, EntityRecord, EntityWrite, RelationRow, WriteBatch};
use crate::{Caller, Core, CoreError, CoreResult};

/// One entity of a bulk creation: its id and the duplicate warnings it raised.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: EntityId,
    pub warnings: Vec<Value>,
}

/// A creation ready to be written (warnings are filled by the caller: one by one or in bulk).
struct Prepared {
    record: EntityRecord,
    batch: WriteBatch,
    rows: Vec<RelationRow>,
    warnings: Vec<Value>,
}

impl Core {
    /// Creates an entity in `coll` owned by the caller (or the team it acts for).
    pub async fn create_entity(
        &self,
        caller: &Caller,
        coll: Collection,
        body: &Value,
    ) -> CoreResult<Written> {
        let owner_name = self.owner_name(caller, coll).await?;
        let mut p = self.prepare_create(caller, coll, body, &owner_name).await?;
        let access = caller.access();
        p.warnings = warnings::duplicates(self, &access, &p.record, None).await?;
        let account = same_account::warnings(self, &access, &p.record, &p.batch.secrets).await?;
        p.warnings.extend(account);
        self.store.write(p.batch).await.map_err(write_error)?;
        self.announce("created", &p.record).await;
        Ok(Written {
            entity: super::entity_view(&p.record, &p.rows),
            warnings: p.warnings,
        })
    }

    /// Creates many entities of one collection in a single write: all or none. An invalid item
    /// is reported with its index (`[3].cpu`). References must point at existing entities.
    /// Answers each new entity's id and warnings, in order, as bulk APIs do: not its whole
    /// document (building 500 views cost a tenth of Maestro's CPU in a bulk load).
    pub async fn create_entities(
        &self,
        caller: &Caller,
        coll: Collection,
        bodies: &[Value],
    ) -> CoreResult<Vec<Created>> {
        let owner_name = self.owner_name(caller, coll).await?;
        let mut prepared = Vec::with_capacity(bodies.len());
        for (i, body) in bodies.iter().enumerate() {
            let p = self
                .prepare_create(caller, coll, body, &owner_name)
                .await
                .map_err(|e| match e {
                    CoreError::Invalid(errors) => CoreError::Invalid(
                        errors
                            .into_iter()
                            .map(|mut f| {
                                f.field = format!("[{i}].{}", f.field);
                                f
                            })
                            .collect(),
                    ),
                    other => other,
                })?;
            prepared.push(p);
        }
        let records: Vec<&EntityRecord> = prepared.iter().map(|p| &p.record).collect();
        let warnings = warnings::duplicates_many(self, &caller.access(), &records).await?;
        let mut batch = WriteBatch::default();
        for (p, w) in prepared.iter_mut().zip(warnings) {
            batch.append(std::mem::take(&mut p.batch));
            p.warnings = w;
        }
        let written = self.store.write(batch).await.map_err(write_error)?;
        let created: Vec<_> = prepared.iter().map(|p| ("created", &p.record)).collect();
        self.announce_all(&created, Some(&written)).await;
        Ok(prepared
            .into_iter()
            .map(|p| Created {
                id: p.record.id,
                warnings: p.warnings,
            })
            .collect())
    }

    /// Who owns what `caller` creates in `coll`, by name (checked: a team must be writable).
    async fn owner_name(&self, caller: &Caller, coll: Collection) -> CoreResult<String> {
        let schema = coll.kind().schema();
        if schema.global && !caller.admin {
            return Err(CoreError::Forbidden(format!(
                "only administrators can change the {}",
                coll.label().to_lowercase()
            )));
        }
        if let Some(team) = caller.acting_team {
            match caller.team_role(team) {
                // A team is hidden from outsiders; its read members are told why.
                None => return Err(CoreError::not_found(format!("team {team}"))),
                Some(role) if role < Role::Write => {
                    return Err(CoreError::Forbidden(
                        "you need the write role in this team to create for it".into(),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(match (schema.global, caller.acting_team) {
            (true, _) => "Maestro".to_owned(),
            // Administrators may create for any team — one that exists.
            (false, Some(team)) => self
                .store
                .team(team)
                .await?
                .filter(|t| t.active)
                .map(|t| t.name)
                .ok_or_else(|| CoreError::not_found(format!("team {team}")))?,
            (false, None) => caller.name.clone(),
        })
    }

    async fn prepare_create(
        &self,
        caller: &Caller,
        coll: Collection,
        body: &Value,
        owner_name: &str,
    ) -> CoreResult<Prepared> {
        let kind = coll.kind();
        let schema = kind.schema();
        let mut doc = as_object(body)?.clone();
        let family = prepare::family_for_create(coll, &mut doc)?;
        // A connection's credentials are checked apart from the schema; a form gets both
        // checks' errors at once rather than the credentials' after fixing the rest.
        let raw = (kind == Kind::Connection).then(|| doc.clone());
        let validated = match prepare::validate_new(kind, family.as_deref(), doc) {
            Err(CoreError::Invalid(mut errors)) => {
                if let Some(raw) = &raw
                    && let Err(CoreError::Invalid(more)) =
                        super::secrets::check_credentials(kind, raw, raw, Some("are required"))
                {
                    // A field the schema already refused (regions that are not a list) is
                    // reported once.
                    let more: Vec<_> = more
                        .into_iter()
                        .filter(|m| !errors.iter().any(|e| e.field == m.field))
                        .collect();
                    errors.extend(more);
                }
                return Err(CoreError::Invalid(errors));
            }
            other => other?,
        };
        super::secrets::check_credentials(
            kind,
            &validated.data,
            &validated.secrets,
            Some("are required"),
        )?;
        let access = caller.access();
        let id = EntityId::new();
        let secret_write = self.seal_secrets(id, &validated.secrets, &[], true).await?;
        let mut peers = refs::check_targets(self, &access, id, &validated.refs).await?;
        let now = self.now();
        let owner = if schema.global {
            crate::Principal::SYSTEM
        } else {
            caller.owner()
        };
        let record = EntityRecord {
            id,
            kind,
            family,
            name: entity_name(&validated.data),
            active: true,
            owner: owner.clone(),
            owner_name: Some(owner_name.to_owned()),
            revision: 1,
            created_at: now,
            updated_at: now,
            search: search_text(schema, &validated.data),
            data: validated.data.clone(),
            discovery: None,
        };
        peers.insert(id, summary(&record));
        let edits = refs::plan_edits(id, &[], &validated.refs);
        let mut changes = created_value(compose(&validated.data, &validated.refs));
        if let Value::Array(list) = &mut changes {
            list.extend(secret_write.changes);
        }
        let (peer_changes, touched) =
            refs::counterpart_changes(self, caller, id, &edits, &peers, now).await?;
        refs::require_write_on_peers(self, caller, &peer_changes).await?;
        let rows = refs::rows_after(id, &[], &edits, &HashMap::from_iter(peers));
        let mut batch = WriteBatch {
            entities: vec![EntityWrite {
                record: record.clone(),
                expected_revision: None,
            }],
            touched,
            relations: edits,
            acl: vec![(
                id,
                vec![AclRow {
                    principal: owner,
                    role: Role::Admin,
                    owner: true,
                }],
            )],
            changes: vec![change(caller, &record, "create", changes)],
            secrets: secret_write.sealed,
            pending: Vec::new(),
            resolved: Vec::new(),
        };
        batch.changes.extend(peer_changes);
        Ok(Prepared {
            record,
            batch,
            rows,
            warnings: Vec::new(),
        })
    }
}
