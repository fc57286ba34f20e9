//! The identity provider's settings, read with the rest of the configuration: a missing or
//! malformed value stops start-up with one sentence that names the variable.

use crate::domain::role::Role;
use crate::server::config::{ConfigError, Secret};

/// One row of the claim mapping: people whose role claim holds `group` get `role` (and
/// `team`, by name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRow {
    pub group: String,
    pub role: Role,
    pub team: Option<String>,
}

#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// The issuer, as the provider names itself (discovery is read from it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Shown on the sign-in button: "Sign in with <name>".
    pub name: String,
    /// The ID token claim that holds the person's groups or roles (a list, or one text).
    pub role_claim: String,
    /// The mapping, in order: the first row whose group the person has decides.
    pub roles: Vec<RoleRow>,
    pub scopes: Vec<String>,
}

impl OidcConfig {
    /// `None` when no identity provider is configured (`DIGIPARAT_OIDC_ISSUER` unset).
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Option<OidcConfig>, ConfigError> {
        const OTHERS: [&str; 6] = [
            "DIGIPARAT_OIDC_CLIENT_ID",
            "DIGIPARAT_OIDC_CLIENT_SECRET",
            "DIGIPARAT_OIDC_ROLES",
            "DIGIPARAT_OIDC_ROLE_CLAIM",
            "DIGIPARAT_OIDC_NAME",
            "DIGIPARAT_OIDC_SCOPES",
        ];
        let Some(issuer) = get("DIGIPARAT_OIDC_ISSUER") else {
            return match OTHERS.iter().find(|v| get(v).is_some()) {
                Some(var) => Err(ConfigError::Invalid {
                    var,
                    why: "it is set, but DIGIPARAT_OIDC_ISSUER is not (set both, or neither)"
                        .into(),
                }),
                None => Ok(None),
            };
        };
        let issuer = issuer.trim().to_owned();
        let host = issuer_host(&issuer).ok_or_else(|| ConfigError::Invalid {
            var: "DIGIPARAT_OIDC_ISSUER",
            why: format!(
                "{issuer:?} is not an https:// address (http:// only on this machine, 127.0.0.1 or localhost)"
            ),
        })?;
        let required = |var: &'static str| match get(var).map(|v| v.trim().to_owned()) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ConfigError::Invalid {
                var,
                why: "it is required when DIGIPARAT_OIDC_ISSUER is set".into(),
            }),
        };
        let client_id = required("DIGIPARAT_OIDC_CLIENT_ID")?;
        let client_secret = Secret::new(required("DIGIPARAT_OIDC_CLIENT_SECRET")?.into_bytes());
        let roles = parse_roles(&required("DIGIPARAT_OIDC_ROLES")?).map_err(|why| {
            ConfigError::Invalid {
                var: "DIGIPARAT_OIDC_ROLES",
                why,
            }
        })?;
        let role_claim = get("DIGIPARAT_OIDC_ROLE_CLAIM")
            .map(|c| c.trim().to_owned())
            .unwrap_or_else(|| "groups".into());
        if role_claim.is_empty() || role_claim.contains(char::is_whitespace) {
            return Err(ConfigError::Invalid {
                var: "DIGIPARAT_OIDC_ROLE_CLAIM",
                why: format!("{role_claim:?} is not a claim name such as groups or roles"),
            });
        }
        let name = get("DIGIPARAT_OIDC_NAME")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or(host);
        let scopes: Vec<String> = get("DIGIPARAT_OIDC_SCOPES")
            .unwrap_or_else(|| "openid profile".into())
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if !scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::Invalid {
                var: "DIGIPARAT_OIDC_SCOPES",
                why: "it must include openid".into(),
            });
        }
        Ok(Some(OidcConfig {
            issuer,
            client_id,
            client_secret,
            name,
            role_claim,
            roles,
            scopes,
        }))
    }

    /// The role and team name the person's groups map to: the first row that matches.
    pub fn grant(&self, groups: &[String]) -> Option<(Role, Option<&str>)> {
        self.roles
            .iter()
            .find(|row| groups.iter().any(|g| *g == row.group))
            .map(|row| (row.role, row.team.as_deref()))
    }

    /// The issuer's origin (`scheme://host[:port]`): forms may send people there (sign-out).
    pub fn origin(&self) -> &str {
        let after_scheme = self.issuer.find("://").map_or(0, |i| i + 3);
        let end = self.issuer[after_scheme..]
            .find('/')
            .map_or(self.issuer.len(), |i| after_scheme + i);
        &self.issuer[..end]
    }
}

/// The host of an https issuer, or of an http one on this machine.
fn issuer_host(issuer: &str) -> Option<String> {
    let (rest, local_only) = match issuer.strip_prefix("https://") {
        Some(rest) => (rest, false),
        None => (issuer.strip_prefix("http://")?, true),
    };
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let bad = host.is_empty() || issuer.contains(['?', '#', ' ', '"', '<', '>']);
    let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    (!bad && (!local_only || local)).then(|| host.to_owned())
}

/// `group=role[@team]; …`, e.g. `dp-caseworkers-north=caseworker@North; dp-managers=manager`.
pub fn parse_roles(text: &str) -> Result<Vec<RoleRow>, String> {
    let mut rows: Vec<RoleRow> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (group, target) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not group=role or group=role@team"))?;
        let group = group.trim();
        if group.is_empty() {
            return Err(format!("{part:?} names no group"));
        }
        let (role_text, team) = match target.split_once('@') {
            Some((r, t)) => (r.trim(), Some(t.trim().to_owned())),
            None => (target.trim(), None),
        };
        let role: Role = role_text.parse().map_err(|_| {
            format!("{role_text:?} in {part:?} is not a role (admin, manager or caseworker)")
        })?;
        match (role, &team) {
            (_, Some(t)) if t.is_empty() => return Err(format!("{part:?} names an empty team")),
            (Role::Caseworker, None) => {
                return Err(format!(
                    "{part:?}: a caseworker needs a team, as in {group}=caseworker@Team name"
                ));
            }
            (Role::Admin, Some(_)) => {
                return Err(format!("{part:?}: an administrator has no team"));
            }
            _ => {}
        }
        if rows.iter().any(|r| r.group == group) {
            return Err(format!("the group {group:?} is mapped twice"));
        }
        rows.push(RoleRow {
            group: group.to_owned(),
            role,
            team,
        });
    }
    if rows.is_empty() {
        return Err("it maps no group to a role".into());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Option<OidcConfig>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OidcConfig::from_lookup(&|k: &str| vars.get(k).cloned()).map_err(|e| e.to_string())
    }

    const GOOD: [(&str, &str); 4] = [
        (
            "DIGIPARAT_OIDC_ISSUER",
            "https://login.example.dk/tenant/v2.0",
        ),
        ("DIGIPARAT_OIDC_CLIENT_ID", "digiparat"),
        ("DIGIPARAT_OIDC_CLIENT_SECRET", "s3cret"),
        (
            "DIGIPARAT_OIDC_ROLES",
            "dp-cw-north = caseworker@North team; dp-boss=manager; dp-it=admin",
        ),
    ];

    #[test]
    fn a_whole_configuration_reads_and_maps_groups_in_order() -> Result<(), String> {
        let c = config(&GOOD)?.ok_or("no config")?;
        assert_eq!(c.name, "login.example.dk");
        assert_eq!(c.origin(), "https://login.example.dk");
        assert_eq!(c.role_claim, "groups");
        assert_eq!(c.scopes, ["openid", "profile"]);
        let groups = |g: &[&str]| g.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            c.grant(&groups(&["other", "dp-boss", "dp-cw-north"])),
            Some((Role::Caseworker, Some("North team"))),
            "the first row of the table decides, not the order of the claims"
        );
        assert_eq!(c.grant(&groups(&["dp-boss"])), Some((Role::Manager, None)));
        assert_eq!(c.grant(&groups(&["someone-else"])), None);
        assert!(!format!("{c:?}").contains("s3cret"), "the secret printed");
        assert_eq!(config(&[])?.map(|c| c.issuer), None);
        Ok(())
    }

    #[test]
    fn each_misconfiguration_names_its_variable() {
        let with = |var: &str, value: Option<&str>| {
            let mut vars: Vec<(&str, &str)> =
                GOOD.iter().copied().filter(|(k, _)| *k != var).collect();
            if let Some(v) = value {
                vars.push((var, v));
            }
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect();
            let lookup: HashMap<String, String> = vars.into_iter().collect();
            OidcConfig::from_lookup(&|k: &str| lookup.get(k).cloned())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let cases = [
            ("DIGIPARAT_OIDC_ISSUER", None, "DIGIPARAT_OIDC_CLIENT_ID"),
            (
                "DIGIPARAT_OIDC_ISSUER",
                Some("http://idp.example.dk"),
                "https://",
            ),
            (
                "DIGIPARAT_OIDC_CLIENT_ID",
                None,
                "DIGIPARAT_OIDC_CLIENT_ID is not valid: it is required",
            ),
            (
                "DIGIPARAT_OIDC_CLIENT_SECRET",
                Some(" "),
                "DIGIPARAT_OIDC_CLIENT_SECRET",
            ),
            ("DIGIPARAT_OIDC_ROLES", Some("dp=boss"), "not a role"),
            (
                "DIGIPARAT_OIDC_ROLES",
                Some("dp=caseworker"),
                "needs a team",
            ),
            ("DIGIPARAT_OIDC_ROLES", Some("dp=admin@North"), "no team"),
            (
                "DIGIPARAT_OIDC_ROLES",
                Some("a=manager;a=admin"),
                "mapped twice",
            ),
            ("DIGIPARAT_OIDC_ROLES", Some(";;"), "no group"),
            ("DIGIPARAT_OIDC_ROLES", Some("manager"), "group=role"),
            (
                "DIGIPARAT_OIDC_ROLE_CLAIM",
                Some("my groups"),
                "DIGIPARAT_OIDC_ROLE_CLAIM",
            ),
            ("DIGIPARAT_OIDC_SCOPES", Some("profile"), "openid"),
        ];
        for (var, value, needle) in cases {
            let message = with(var, value);
            assert!(
                message.contains(needle),
                "{var}={value:?}: {message:?} lacks {needle:?}"
            );
        }
        assert!(with("DIGIPARAT_OIDC_ISSUER", Some("http://127.0.0.1:4000")).is_empty());
    }
}
