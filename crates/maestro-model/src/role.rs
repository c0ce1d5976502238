//! Access levels: read < write < admin, numbered as the original (1, 3, 7) so stored grants and
//! clients of the original keep their meaning.

use serde::{Deserialize, Serialize};

/// What a principal may do with an entity (or within a team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Read,
    Write,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Read, Role::Write, Role::Admin];

    pub fn level(self) -> i16 {
        match self {
            Role::Read => 1,
            Role::Write => 3,
            Role::Admin => 7,
        }
    }

    pub fn from_level(level: i16) -> Option<Self> {
        match level {
            1 => Some(Role::Read),
            3 => Some(Role::Write),
            7 => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
