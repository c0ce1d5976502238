//! Team membership: who is in a team and with which role. Every change is in the team's
//! history; a team always keeps at least one administrator.

use maestro_model::query::PageRequest;
use maestro_model::{FieldError, Role, TeamId, UserId};
use serde_json::{Value, json};

use super::require_team_admin;
use crate::accounts::{as_object, reject_unknown};
use crate::{Caller, Core, CoreError, CoreResult, Page};

impl Core {
    /// A team's members, by name, a page at a time (`page`, `limit` as every list).
    pub async fn team_members(
        &self,
        caller: &Caller,
        id: TeamId,
        pairs: &[(String, String)],
    ) -> CoreResult<Page<Value>> {
        let mut errors = Vec::new();
        let page = PageRequest::parse(pairs, &mut errors);
        for (k, _) in pairs.iter().filter(|(k, _)| k != "page" && k != "limit") {
            errors.push(FieldError::new(k, "unknown parameter (use page, limit)"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        self.visible_team(caller, id).await?;
        let members = self.store.members(id).await?;
        let total = members.len() as u64;
        let skip = (u64::from(page.page) - 1).saturating_mul(u64::from(page.limit));
        let items: Vec<Value> = members
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(page.limit as usize)
            .map(|m| json!({"user": m.user, "name": m.name, "email": m.email, "role": m.role}))
            .collect();
        Ok(Page {
            items,
            total,
            page: page.page,
            limit: page.limit,
        })
    }

    /// Adds a member or changes their role: `{"user": "<id>", "role": "write"}` (team admins).
    pub async fn put_member(&self, caller: &Caller, id: TeamId, body: &Value) -> CoreResult<Value> {
        let (_, role) = self.visible_team(caller, id).await?;
        require_team_admin(role)?;
        let body = as_object(body)?;
        let mut errors = Vec::new();
        reject_unknown(body, &["user", "role"], &mut errors);
        let user: Option<UserId> = match body.get("user").and_then(Value::as_str).map(str::parse) {
            Some(Ok(u)) => Some(u),
            _ => {
                errors.push(FieldError::new("user", "must be an account id"));
                None
            }
        };
        let new_role = match body
            .get("role")
            .and_then(Value::as_str)
            .and_then(Role::parse)
        {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new("role", "must be read, write or admin"));
                None
            }
        };
        let (Some(user), Some(new_role)) = (user, new_role) else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let account = self.store.user(user).await?.filter(|u| u.active);
        let Some(account) = account else {
            return Err(CoreError::invalid("user", "no such account"));
        };
        let members = self.store.members(id).await?;
        let old = members.iter().find(|m| m.user == user).map(|m| m.role);
        if old == Some(new_role) {
            return Ok(
                json!({"user": user, "name": account.name, "email": account.email, "role": new_role}),
            );
        }
        if old == Some(Role::Admin) && members.iter().filter(|m| m.role == Role::Admin).count() <= 1
        {
            return Err(CoreError::Conflict(
                "a team needs at least one administrator".into(),
            ));
        }
        let change = self.team_change(
            caller,
            id,
            "grant",
            json!([{"path": format!("members.{user}"), "old": old, "new": new_role}]),
        );
        self.store
            .set_member(id, user, Some(new_role), &change)
            .await?;
        Ok(json!({"user": user, "name": account.name, "email": account.email, "role": new_role}))
    }

    /// Removes a member (team admins; members may also leave on their own).
    pub async fn remove_member(&self, caller: &Caller, id: TeamId, user: UserId) -> CoreResult<()> {
        let (_, role) = self.visible_team(caller, id).await?;
        if caller.user != Some(user) {
            require_team_admin(role)?;
        }
        let members = self.store.members(id).await?;
        let Some(member) = members.iter().find(|m| m.user == user) else {
            return Err(CoreError::not_found("member"));
        };
        if member.role == Role::Admin
            && members.iter().filter(|m| m.role == Role::Admin).count() <= 1
        {
            return Err(CoreError::Conflict(
                "a team needs at least one administrator".into(),
            ));
        }
        let change = self.team_change(
            caller,
            id,
            "grant",
            json!([{"path": format!("members.{user}"), "old": member.role, "new": null}]),
        );
        self.store.set_member(id, user, None, &change).await?;
        Ok(())
    }
}
