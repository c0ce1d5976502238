//! Who is asking and on whose behalf: the caller of a service, the principals its access is
//! computed from, and the actor and source recorded in the change history.

use maestro_model::{Role, TeamId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a change came from, as recorded in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Api,
    Ui,
    Discovery,
    Job,
    System,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Ui => "ui",
            Source::Discovery => "discovery",
            Source::Job => "job",
            Source::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "api" => Source::Api,
            "ui" => Source::Ui,
            "discovery" => Source::Discovery,
            "job" => Source::Job,
            "system" => Source::System,
            _ => return None,
        })
    }
}

/// What kind of principal owns an entity or holds a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    User,
    Team,
    /// Maestro itself (seed data, demo data).
    System,
    /// A discovery connection.
    Connection,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Team => "team",
            PrincipalKind::System => "system",
            PrincipalKind::Connection => "connection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "user" => PrincipalKind::User,
            "team" => PrincipalKind::Team,
            "system" => PrincipalKind::System,
            "connection" => PrincipalKind::Connection,
            _ => return None,
        })
    }
}

/// A user, team, connection or Maestro itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub id: Uuid,
}

impl Principal {
    pub const SYSTEM: Principal = Principal {
        kind: PrincipalKind::System,
        id: Uuid::nil(),
    };

    pub fn user(id: UserId) -> Self {
        Self {
            kind: PrincipalKind::User,
            id: id.uuid(),
        }
    }

    pub fn team(id: TeamId) -> Self {
        Self {
            kind: PrincipalKind::Team,
            id: id.uuid(),
        }
    }
}

/// What the storage layer needs to scope a query to what the caller may see.
#[derive(Debug, Clone)]
pub enum Access {
    /// Administrators and Maestro itself see everything.
    All,
    /// A user: their own id plus their teams with their membership role. A grant to a team
    /// gives a member at most their own role in that team.
    Member {
        user: Uuid,
        teams: Vec<(Uuid, Role)>,
    },
}

impl Access {
    /// Principal ids whose grants of at least `min` give the caller `min` (None = everything).
    pub fn principals_for(&self, min: Role) -> Option<Vec<Uuid>> {
        match self {
            Access::All => None,
            Access::Member { user, teams } => {
                let mut ids = vec![*user];
                ids.extend(teams.iter().filter(|(_, r)| *r >= min).map(|(t, _)| *t));
                Some(ids)
            }
        }
    }
}

/// The identity a service call runs as.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The acting person (None for Maestro itself, a job or a discovery run).
    pub user: Option<UserId>,
    /// Shown in the history.
    pub name: String,
    pub admin: bool,
    pub teams: Vec<(TeamId, Role)>,
    pub source: Source,
    /// Extra history context (e.g. the connection and sync run of a discovery change).
    pub context: Option<serde_json::Value>,
    /// When set, what this caller creates is owned by this team (checked on use: the caller
    /// must be able to write to it).
    pub acting_team: Option<TeamId>,
}

impl Caller {
    /// Maestro itself: sees everything; used for seeding and demo data.
    pub fn system(source: Source) -> Self {
        Self {
            user: None,
            name: "Maestro".into(),
            admin: true,
            teams: Vec::new(),
            source,
            context: None,
            acting_team: None,
        }
    }

    /// Maestro carrying out what `person` asked for, on things they may hold no role on
    /// themselves (the schedule of a connection task they switched off): Maestro's access, the
    /// person's id, name and source in the history.
    pub fn system_for(person: &Caller) -> Self {
        Self {
            user: person.user,
            name: person.name.clone(),
            ..Self::system(person.source)
        }
    }

    pub fn access(&self) -> Access {
        match (self.admin, self.user) {
            (true, _) => Access::All,
            // A non-administrator without a user sees only what is shared with nobody: nothing.
            (false, None) => Access::Member {
                user: uuid::Uuid::nil(),
                teams: Vec::new(),
            },
            (false, Some(user)) => Access::Member {
                user: user.uuid(),
                teams: self.teams.iter().map(|(t, r)| (t.uuid(), *r)).collect(),
            },
        }
    }

    /// The principal that owns what this caller creates.
    pub fn owner(&self) -> Principal {
        match (self.acting_team, self.user) {
            (Some(t), _) => Principal::team(t),
            (None, Some(u)) => Principal::user(u),
            (None, None) => Principal::SYSTEM,
        }
    }

    /// The caller's role in a team (administrators: admin everywhere).
    pub fn team_role(&self, team: TeamId) -> Option<Role> {
        if self.admin {
            return Some(Role::Admin);
        }
        self.teams.iter().find(|(t, _)| *t == team).map(|(_, r)| *r)
    }

    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }
}
