//! API tokens for machine clients (a municipality's case system): the scopes a token can
//! carry, and the administrator's form that issues one. A token is bound to one team; its
//! secret is shown once and stored only as a hash (`server::tokens`).

use serde::{Deserialize, Serialize};

use super::help::{FieldProblem, NAME_MAX, text};

/// What a token may do with its team's cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Read cases, their assessments and results.
    #[serde(rename = "cases:read")]
    CasesRead,
    /// Create cases and invite codes, erase cases.
    #[serde(rename = "cases:write")]
    CasesWrite,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::CasesRead, Scope::CasesWrite];

    /// The spelling on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CasesRead => "cases:read",
            Scope::CasesWrite => "cases:write",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Scopes as stored: their codes, space-separated, in order.
pub fn scopes_text(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stored scopes read back; an unknown code is an error naming it.
pub fn parse_scopes(text: &str) -> Result<Vec<Scope>, String> {
    text.split_whitespace()
        .map(|code| Scope::parse(code).ok_or_else(|| format!("unknown scope {code:?}")))
        .collect()
}

/// The longest a token may live: a year, so that a forgotten token does not live for ever.
pub const MAX_DAYS: u16 = 366;

/// The form that issues a token, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    pub team: String,
    pub scopes: Vec<String>,
    /// Days until it expires.
    pub days: String,
}

/// A checked token request.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenFields {
    pub name: String,
    pub team_id: i64,
    pub scopes: Vec<Scope>,
    pub days: u16,
}

impl TokenForm {
    /// The token to issue, or every problem by field. `teams` are the teams that exist.
    pub fn check(&self, teams: &[i64]) -> Result<TokenFields, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = text(&mut problems, "name", &self.name, NAME_MAX, true);
        let team_id = self.team.trim().parse::<i64>().ok();
        match team_id {
            Some(id) if teams.contains(&id) => {}
            Some(_) => problems.push(FieldProblem {
                field: "team",
                problem: "invalid",
            }),
            None => problems.push(FieldProblem {
                field: "team",
                problem: "missing",
            }),
        }
        let mut scopes = Vec::new();
        for code in &self.scopes {
            match Scope::parse(code.trim()) {
                Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
                Some(_) => {}
                None => problems.push(FieldProblem {
                    field: "scopes",
                    problem: "invalid",
                }),
            }
        }
        if scopes.is_empty() && !problems.iter().any(|p| p.field == "scopes") {
            problems.push(FieldProblem {
                field: "scopes",
                problem: "missing",
            });
        }
        scopes.sort();
        let days = match self.days.trim() {
            "" => {
                problems.push(FieldProblem {
                    field: "days",
                    problem: "missing",
                });
                0
            }
            typed => match typed.parse::<u16>() {
                Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
                _ => {
                    problems.push(FieldProblem {
                        field: "days",
                        problem: "invalid",
                    });
                    0
                }
            },
        };
        match (problems.is_empty(), team_id) {
            (true, Some(team_id)) => Ok(TokenFields {
                name,
                team_id,
                scopes,
                days,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, team: &str, scopes: &[&str], days: &str) -> TokenForm {
        TokenForm {
            name: name.into(),
            team: team.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            days: days.into(),
        }
    }

    fn codes(r: Result<TokenFields, Vec<FieldProblem>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(FieldProblem::code)
            .collect()
    }

    #[test]
    fn a_good_form_gives_the_token_to_issue() {
        let fields = form(
            "Case system",
            "3",
            &["cases:write", "cases:read", "cases:read"],
            "90",
        )
        .check(&[3]);
        assert_eq!(
            fields,
            Ok(TokenFields {
                name: "Case system".into(),
                team_id: 3,
                scopes: vec![Scope::CasesRead, Scope::CasesWrite],
                days: 90,
            })
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        assert_eq!(
            codes(form("", "", &[], "").check(&[3])),
            [
                "name_missing",
                "team_missing",
                "scopes_missing",
                "days_missing"
            ]
        );
        assert_eq!(
            codes(form("x", "4", &["cases:delete"], "0").check(&[3])),
            ["team_invalid", "scopes_invalid", "days_invalid"]
        );
        assert_eq!(
            codes(form("010190-1234", "3", &["cases:read"], "367").check(&[3])),
            ["name_cpr", "days_invalid"]
        );
    }

    #[test]
    fn scopes_are_stored_and_read_back() {
        let text = scopes_text(&[Scope::CasesWrite, Scope::CasesRead]);
        assert_eq!(text, "cases:read cases:write");
        assert_eq!(
            parse_scopes(&text),
            Ok(vec![Scope::CasesRead, Scope::CasesWrite])
        );
        assert!(parse_scopes("cases:read admin").is_err());
    }
}
