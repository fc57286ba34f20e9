//! Staff roles and what each may do. Every question is an exhaustive match, so a new
//! role cannot slip through a check that forgot it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Caseworker,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Caseworker];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Caseworker => "caseworker",
        }
    }

    /// Interviews and cases: caseworkers only (admins manage users but see no answers).
    pub fn can_run_interviews(self) -> bool {
        match self {
            Role::Caseworker => true,
            Role::Admin | Role::Manager => false,
        }
    }

    /// Aggregated statistics, never a single person.
    pub fn can_view_statistics(self) -> bool {
        match self {
            Role::Manager | Role::Admin => true,
            Role::Caseworker => false,
        }
    }

    pub fn can_manage_users(self) -> bool {
        match self {
            Role::Admin => true,
            Role::Manager | Role::Caseworker => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl std::fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a role (admin, manager or caseworker)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// For reading a stored role (a row's text column) straight into the type.
impl TryFrom<String> for Role {
    type Error = UnknownRole;
    fn try_from(s: String) -> Result<Role, UnknownRole> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_and_split_duties() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert_eq!(
            Role::ALL.iter().filter(|r| r.can_run_interviews()).count(),
            1
        );
        assert!(!Role::Admin.can_run_interviews(), "admins see no answers");
        assert!(!Role::Caseworker.can_view_statistics());
        assert!(Role::Admin.can_manage_users() && !Role::Manager.can_manage_users());
    }
}
