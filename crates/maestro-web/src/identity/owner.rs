//! Who owns a new entity: the create forms offer the signed-in user and the teams they can
//! write to. Created for a team (`Caller::acting_team`, as `POST /api/v1/teams/{id}/{collection}`
//! does), the entity belongs to the team and its members get their team role on it.

use maestro_core::{Caller, Core};
use maestro_model::FieldError;

use crate::error::WebResult;
use crate::session::FormData;

/// The form field naming the owner (empty: the signed-in user; else a team id).
pub const FIELD: &str = "owner";

/// One choice of the "Owner" select.
#[derive(Debug, Clone)]
pub struct OwnerChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The caller and the teams they can write to; empty when there is no team to choose.
pub async fn choices(core: &Core, caller: &Caller, selected: &str) -> WebResult<Vec<OwnerChoice>> {
    let pairs = [
        ("mine".to_owned(), "true".to_owned()),
        ("limit".to_owned(), "200".to_owned()),
    ];
    let teams: Vec<OwnerChoice> = core
        .list_teams(caller, &pairs)
        .await?
        .items
        .iter()
        .filter(|t| matches!(t["role"].as_str(), Some("write" | "admin")))
        .map(|t| {
            let value = t["id"].as_str().unwrap_or_default().to_owned();
            OwnerChoice {
                selected: value == selected,
                label: format!("Team {}", t["name"].as_str().unwrap_or("?")),
                value,
            }
        })
        .collect();
    if teams.is_empty() {
        return Ok(teams);
    }
    let mut out = vec![OwnerChoice {
        value: String::new(),
        label: format!("Me ({})", caller.name),
        selected: selected.is_empty(),
    }];
    out.extend(teams);
    Ok(out)
}

/// The caller acting for the team the form chose (unchanged when it chose the user).
pub fn acting(caller: &Caller, form: &FormData) -> Result<Caller, FieldError> {
    let raw = form.get(FIELD).trim();
    let mut c = caller.clone();
    if !raw.is_empty() {
        let team = raw
            .parse()
            .map_err(|_| FieldError::new(FIELD, "choose yourself or one of your teams"))?;
        c.acting_team = Some(team);
    }
    Ok(c)
}
