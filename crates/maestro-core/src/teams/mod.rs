//! Teams: named groups of accounts with a role each (read, write, admin). Entities can be owned
//! by a team and shared with one; a member gets at most their own role through the team.

mod members;

use maestro_model::query::PageRequest;
use maestro_model::validate::{NOT_ONE_LINE, is_one_line};
use maestro_model::{FieldError, Role, TeamId};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::accounts::{as_object, reject_unknown};
use crate::ports::{ChangeRecord, TeamRecord};
use crate::{Caller, Core, CoreError, CoreResult, Page};

/// Contact fields a team keeps besides its name.
const TEAM_FIELDS: &[&str] = &["name", "email", "url"];

pub(crate) fn team_view(t: &TeamRecord, role: Option<Role>) -> Value {
    let mut v = json!({"id": t.id, "name": t.name, "active": t.active});
    if let Value::Object(m) = &mut v {
        for (k, val) in &t.profile {
            m.insert(k.clone(), val.clone());
        }
        if let Some(r) = role {
            m.insert("role".into(), json!(r));
        }
        m.insert("created_at".into(), json!(t.created_at));
        m.insert("updated_at".into(), json!(t.updated_at));
    }
    v
}

/// Validates team fields into (name, profile).
fn read_fields(
    body: &Map<String, Value>,
    errors: &mut Vec<FieldError>,
    profile: &mut Map<String, Value>,
    name: &mut String,
) {
    reject_unknown(body, TEAM_FIELDS, errors);
    for (k, v) in body {
        match (k.as_str(), v) {
            ("name", Value::String(n)) if !is_one_line(n) => {
                errors.push(FieldError::new("name", NOT_ONE_LINE))
            }
            ("name", Value::String(n)) if (2..=100).contains(&n.trim().chars().count()) => {
                *name = n.trim().to_owned()
            }
            ("name", _) => errors.push(FieldError::new("name", "must be 2 to 100 characters")),
            ("email", Value::Null) | ("url", Value::Null) => {
                profile.remove(k);
            }
            ("email", Value::String(e))
                if e.contains('@') && e.len() <= 254 && !e.contains(' ') =>
            {
                profile.insert("email".into(), json!(e.trim()));
            }
            ("email", _) => errors.push(FieldError::new("email", "must be an e-mail address")),
            ("url", Value::String(u))
                if (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 500 =>
            {
                profile.insert("url".into(), json!(u));
            }
            ("url", _) => errors.push(FieldError::new("url", "must be an http(s) URL")),
            _ => {}
        }
    }
}

impl Core {
    pub(crate) fn team_change(
        &self,
        caller: &Caller,
        team: TeamId,
        op: &str,
        changes: Value,
    ) -> ChangeRecord {
        ChangeRecord {
            id: Uuid::now_v7(),
            subject_kind: "team".into(),
            subject_id: team.to_string(),
            at: self.now(),
            actor_id: caller.user.map(|u| u.uuid()),
            actor_name: caller.name.clone(),
            source: caller.source.as_str().into(),
            op: op.into(),
            changes,
            context: None,
        }
    }

    /// Creates a team; its creator becomes its administrator.
    pub async fn create_team(&self, caller: &Caller, body: &Value) -> CoreResult<Value> {
        let user = caller
            .user
            .ok_or_else(|| CoreError::Forbidden("only accounts create teams".into()))?;
        let body = as_object(body)?;
        let mut errors = Vec::new();
        let (mut name, mut profile) = (String::new(), Map::new());
        read_fields(body, &mut errors, &mut profile, &mut name);
        if name.is_empty() && !errors.iter().any(|e| e.field == "name") {
            errors.push(FieldError::new("name", "is required"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let now = self.now();
        let team = TeamRecord {
            id: TeamId::new(),
            name,
            profile,
            active: true,
            created_at: now,
            updated_at: now,
        };
        let view = team_view(&team, Some(Role::Admin));
        let changes: Vec<Value> = view
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| TEAM_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| json!({"path": k, "old": null, "new": v}))
            .chain([json!({"path": format!("members.{user}"), "old": null, "new": "admin"})])
            .collect();
        let change = self.team_change(caller, team.id, "create", Value::Array(changes));
        self.store.insert_team(&team, user, &change).await?;
        Ok(view)
    }

    /// Teams the caller belongs to (administrators: all teams, or theirs with `?mine=true`).
    pub async fn list_teams(
        &self,
        caller: &Caller,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        for (k, _) in pairs {
            if !matches!(k.as_str(), "page" | "limit" | "q" | "mine") {
                errors.push(FieldError::new(
                    k,
                    "unknown parameter; use q, mine, page or limit",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let member = if caller.admin && get("mine") != Some("true") {
            None
        } else {
            caller.user
        };
        if member.is_none() && !caller.admin {
            return Ok(Page {
                items: vec![],
                total: 0,
                page: page.page,
                limit: page.limit,
            });
        }
        let (teams, total) = self.store.list_teams(member, get("q"), page).await?;
        Ok(Page {
            items: teams
                .iter()
                .map(|t| team_view(t, caller.team_role(t.id)))
                .collect(),
            total,
            page: page.page,
            limit: page.limit,
        })
    }

    /// A team the caller belongs to (404 otherwise, so team names do not leak).
    pub(crate) async fn visible_team(
        &self,
        caller: &Caller,
        id: TeamId,
    ) -> CoreResult<(TeamRecord, Role)> {
        let team = self.store.team(id).await?.filter(|t| t.active);
        match (team, caller.team_role(id)) {
            (Some(t), Some(role)) => Ok((t, role)),
            _ => Err(CoreError::not_found(format!("team {id}"))),
        }
    }

    pub async fn get_team(&self, caller: &Caller, id: TeamId) -> CoreResult<Value> {
        let (team, role) = self.visible_team(caller, id).await?;
        let mut view = team_view(&team, Some(role));
        let members = self.store.members(id).await?;
        view["members"] = json!(
            members
                .iter()
                .map(|m| json!({"user": m.user, "name": m.name, "email": m.email, "role": m.role}))
                .collect::<Vec<_>>()
        );
        Ok(view)
    }

    /// Renames a team or changes its contact fields (team administrators).
    pub async fn update_team(
        &self,
        caller: &Caller,
        id: TeamId,
        body: &Value,
    ) -> CoreResult<Value> {
        let (mut team, role) = self.visible_team(caller, id).await?;
        require_team_admin(role)?;
        let body = as_object(body)?;
        let before = team_view(&team, None);
        let mut errors = Vec::new();
        let body: Map<String, Value> = body
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "id" | "active" | "role" | "created_at" | "updated_at" | "members" | "avatar"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        read_fields(&body, &mut errors, &mut team.profile, &mut team.name);
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let after = team_view(&team, None);
        let changes = maestro_model::diff::diff(
            before.as_object().unwrap_or(&Map::new()),
            after.as_object().unwrap_or(&Map::new()),
        );
        if !changes.is_empty() {
            team.updated_at = self.now();
            let change = self.team_change(
                caller,
                id,
                "update",
                serde_json::to_value(changes).unwrap_or_default(),
            );
            self.store.update_team(&team, &change).await?;
        }
        Ok(team_view(&team, Some(role)))
    }

    /// Deletes a team (team administrators): its grants stop giving access; members stay accounts.
    pub async fn delete_team(&self, caller: &Caller, id: TeamId) -> CoreResult<()> {
        let (mut team, role) = self.visible_team(caller, id).await?;
        require_team_admin(role)?;
        // What the team owns would be left to nobody (only installation administrators would
        // see it, and its schedules would keep running): it goes to another owner first.
        let (entities, schedules) = self.store.owned_count(id.uuid()).await?;
        if entities + schedules > 0 {
            let mut owned = Vec::new();
            if entities > 0 {
                owned.push(format!(
                    "{entities} entit{}",
                    if entities == 1 { "y" } else { "ies" }
                ));
            }
            if schedules > 0 {
                owned.push(format!(
                    "{schedules} schedule{}",
                    if schedules == 1 { "" } else { "s" }
                ));
            }
            let todo = match (entities > 0, schedules > 0) {
                (true, true) => {
                    "give the entities another owner (or delete them) and delete the schedules"
                }
                (true, false) if entities == 1 => "give it another owner or delete it",
                (true, false) => "give them another owner or delete them",
                _ if schedules == 1 => "delete it",
                _ => "delete them",
            };
            let find = if entities > 0 {
                format!(
                    " (list them with ?owner.id={id} on each collection; PUT …/{{id}}/owner \
                     hands one over, or “Hand it over” under Edit access)"
                )
            } else {
                String::new()
            };
            return Err(CoreError::Conflict(format!(
                "the team still owns {}: {todo} first{find}",
                owned.join(" and ")
            )));
        }
        team.active = false;
        team.updated_at = self.now();
        let change = self.team_change(
            caller,
            id,
            "delete",
            json!([{"path": "active", "old": true, "new": false}]),
        );
        self.store.update_team(&team, &change).await?;
        Ok(())
    }

    /// `PUT /teams/{id}/avatar` (team administrators).
    pub async fn set_team_avatar(
        &self,
        caller: &Caller,
        id: TeamId,
        bytes: &[u8],
    ) -> CoreResult<Value> {
        let (mut team, role) = self.visible_team(caller, id).await?;
        require_team_admin(role)?;
        self.store_avatar(&format!("avatars/teams/{id}.png"), bytes)
            .await?;
        team.updated_at = self.now();
        let url = format!(
            "/api/v1/teams/{id}/avatar?v={}",
            team.updated_at.timestamp()
        );
        let old = team
            .profile
            .insert("avatar".into(), json!(url))
            .unwrap_or(Value::Null);
        let change = self.team_change(
            caller,
            id,
            "update",
            json!([{"path": "avatar", "old": old, "new": url}]),
        );
        self.store.update_team(&team, &change).await?;
        Ok(team_view(&team, Some(role)))
    }

    pub async fn team_avatar(&self, caller: &Caller, id: TeamId) -> CoreResult<Vec<u8>> {
        self.visible_team(caller, id).await?;
        self.read_blob(&format!("avatars/teams/{id}.png")).await
    }
}

pub(crate) fn require_team_admin(role: Role) -> CoreResult<()> {
    if role == Role::Admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "only the team's administrators can do that".into(),
        ))
    }
}

impl Core {
    /// A team's history (membership and profile changes), for its members.
    pub async fn team_history(
        &self,
        caller: &Caller,
        id: TeamId,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        self.visible_team(caller, id).await?;
        self.subject_history("team", &id.to_string(), pairs).await
    }
}
