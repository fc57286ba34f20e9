//! Typed configuration from the environment, with defaults that run out of the box.
//! Bad values stop start-up with one sentence that names the variable.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A secret that never prints itself (Debug and Display are redacted).
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, ConfigError> {
        let url = url.trim();
        if url.starts_with("sqlite:") {
            Ok(DatabaseUrl::Sqlite(url.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else {
            Err(ConfigError::Invalid {
                var: "DATABASE_URL",
                why: "it must start with sqlite:// or postgres://".into(),
            })
        }
    }
}

/// Redacts a password in `postgres://user:password@host` so the URL can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(u) => f.write_str(u),
            DatabaseUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &u[scheme_end + 3..at];
                    let user = userinfo.split(':').next().unwrap_or("");
                    write!(f, "{}{user}:***{}", &u[..scheme_end + 3], &u[at..])
                }
                _ => f.write_str(u),
            },
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub log_level: String,
    pub session_secret: Secret,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    /// The first administrator's password on a new installation; generated when unset.
    pub admin_password: Option<Secret>,
    /// Mark cookies `Secure` (set when the service is reached over HTTPS).
    pub secure_cookies: bool,
    /// Months without activity after which a case's identifying data is deleted.
    pub retention_months: u32,
    /// Statistics hide every count of fewer people than this (k).
    pub min_cell: u64,
    /// The fairness monitor flags a group whose share of analogue differs from everyone
    /// else's by more than this many percentage points (and beyond chance).
    pub fairness_margin_points: u64,
    /// Calibration results are shown per named caseworker only when at least this many
    /// caseworkers of the team took part.
    pub calibration_min_people: u64,
    /// Below this much free space in the SQLite data folder, writes pause and `/healthz`
    /// answers 503 (0: never).
    pub min_free_bytes: u64,
    /// How long a client may take to send a request's headers, and to stay idle.
    pub timeouts: crate::server::serve::Timeouts,
    /// How long a request body may stall between two pieces.
    pub body_timeout: std::time::Duration,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` headers name the client.
    pub trusted_proxies: crate::server::client::TrustedProxies,
    /// The address recipients are sent to (printed on invite slips), without a trailing `/`.
    pub public_url: String,
    /// Calls per minute one API token may make (a burst of as many, then evenly).
    pub api_rate_per_minute: u32,
    /// Staff sign-in through the municipality's identity provider, when configured.
    pub oidc: Option<crate::server::oidc::OidcConfig>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not valid: {why}")]
    Invalid { var: &'static str, why: String },
    #[error("cannot use the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `get`, so tests can pass their own values.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let data_dir = PathBuf::from(get("DIGIPARAT_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(format!("sqlite://{}/digiparat.db", data_dir.display())),
        };
        let bind_text = get("DIGIPARAT_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| ConfigError::Invalid {
            var: "DIGIPARAT_ADDR",
            why: format!("{bind_text:?} is not an address like 127.0.0.1:3000"),
        })?;
        let log_level = get("DIGIPARAT_LOG").unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err() {
            return Err(ConfigError::Invalid {
                var: "DIGIPARAT_LOG",
                why: format!("{log_level:?} is not a log filter such as info or digiparat=debug"),
            });
        }
        let session_secret = match get("DIGIPARAT_SESSION_SECRET") {
            Some(s) if s.len() >= 32 => Secret(s.into_bytes()),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "DIGIPARAT_SESSION_SECRET",
                    why: "it must be at least 32 characters long".into(),
                });
            }
            None => load_or_create_secret(&data_dir)?,
        };
        let site_root =
            PathBuf::from(get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));
        let admin_password = match get("DIGIPARAT_ADMIN_PASSWORD") {
            Some(p) if p.chars().count() >= 12 => Some(Secret(p.into_bytes())),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "DIGIPARAT_ADMIN_PASSWORD",
                    why: "it must be at least 12 characters long".into(),
                });
            }
            None => None,
        };
        let secure_cookies = match get("DIGIPARAT_SECURE_COOKIES").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "DIGIPARAT_SECURE_COOKIES",
                    why: format!("{other:?} is not true or false"),
                });
            }
        };
        let retention_months = bounded(&get, "DIGIPARAT_RETENTION_MONTHS", 24, 1..=120, "months")?;
        let retention_months = u32::try_from(retention_months).unwrap_or(24);
        let min_cell = bounded(&get, "DIGIPARAT_MIN_CELL", 10, 2..=1000, "people")?;
        let fairness_margin_points = bounded(
            &get,
            "DIGIPARAT_FAIRNESS_MARGIN_POINTS",
            10,
            1..=50,
            "percentage points",
        )?;
        let calibration_min_people = bounded(
            &get,
            "DIGIPARAT_CALIBRATION_MIN_PEOPLE",
            5,
            3..=100,
            "caseworkers",
        )?;
        let min_free_bytes = bounded(
            &get,
            "DIGIPARAT_MIN_FREE_MB",
            64,
            0..=1_000_000,
            "megabytes",
        )? * 1_000_000;
        let seconds = |var, default, max| {
            bounded(&get, var, default, 1..=max, "seconds").map(std::time::Duration::from_secs)
        };
        let timeouts = crate::server::serve::Timeouts {
            header: seconds("DIGIPARAT_HEADER_TIMEOUT_SECS", 10, 600)?,
            idle: seconds("DIGIPARAT_IDLE_TIMEOUT_SECS", 60, 3600)?,
        };
        let body_timeout = seconds("DIGIPARAT_BODY_TIMEOUT_SECS", 30, 3600)?;
        let api_rate_per_minute = u32::try_from(bounded(
            &get,
            "DIGIPARAT_API_RATE_PER_MINUTE",
            600,
            1..=1_000_000,
            "calls per minute",
        )?)
        .unwrap_or(600);
        let public_url = match get("DIGIPARAT_PUBLIC_URL") {
            None => format!("http://{bind}"),
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_owned();
                let rest = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"))
                    .unwrap_or("");
                if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '"', '<', '>']) {
                    return Err(ConfigError::Invalid {
                        var: "DIGIPARAT_PUBLIC_URL",
                        why: format!("{url:?} is not an address like https://digiparat.example.dk"),
                    });
                }
                url
            }
        };
        let trusted_proxies = match get("DIGIPARAT_TRUSTED_PROXIES") {
            None => crate::server::client::TrustedProxies::default(),
            Some(text) => crate::server::client::TrustedProxies::parse(&text).map_err(|why| {
                ConfigError::Invalid {
                    var: "DIGIPARAT_TRUSTED_PROXIES",
                    why,
                }
            })?,
        };
        let oidc = crate::server::oidc::OidcConfig::from_lookup(&get)?;
        Ok(Config {
            oidc,
            min_cell,
            fairness_margin_points,
            calibration_min_people,
            min_free_bytes,
            timeouts,
            body_timeout,
            trusted_proxies,
            public_url,
            api_rate_per_minute,
            retention_months,
            database_url,
            bind,
            log_level,
            session_secret,
            data_dir,
            site_root,
            admin_password,
            secure_cookies,
        })
    }
}

/// A whole number from `range` in the variable `var`, or `default` when it is unset.
fn bounded(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
    unit: &str,
) -> Result<u64, ConfigError> {
    let Some(text) = get(var) else {
        return Ok(default);
    };
    match text.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            var,
            why: format!(
                "{text:?} is not a number of {unit} from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

/// Keeps a generated secret in `data_dir/session.key` (owner-readable only) so sessions
/// survive restarts without anyone having to configure a secret.
fn load_or_create_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    let err = |source| ConfigError::DataDir {
        path: data_dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(err)?;
    let path = data_dir.join("session.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(bytes) = hex::decode(text.trim())
            && bytes.len() >= 32
        {
            return Ok(Secret(bytes));
        }
        return Err(ConfigError::Invalid {
            var: "DIGIPARAT_SESSION_SECRET",
            why: format!(
                "it is unset and {} is damaged; delete that file to make a new one",
                path.display()
            ),
        });
    }
    let bytes: [u8; 64] = rand::random();
    write_private(&path, hex::encode(bytes).as_bytes()).map_err(err)?;
    Ok(Secret(bytes.to_vec()))
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_out_of_the_box_and_keep_the_secret() -> Result<(), ConfigError> {
        let dir = tempfile::tempdir().map_err(|source| ConfigError::DataDir {
            path: "tmp".into(),
            source,
        })?;
        let data = dir.path().join("data");
        let data_s = data.to_string_lossy().into_owned();
        let first = config(&[("DIGIPARAT_DATA_DIR", &data_s)])?;
        assert_eq!(first.bind.to_string(), "127.0.0.1:3000");
        assert!(
            matches!(first.database_url, DatabaseUrl::Sqlite(ref u) if u.ends_with("data/digiparat.db"))
        );
        let second = config(&[("DIGIPARAT_DATA_DIR", &data_s)])?;
        assert_eq!(
            first.session_secret.expose(),
            second.session_secret.expose()
        );
        assert_eq!(format!("{:?}", first.session_secret), "Secret(***)");
        Ok(())
    }

    #[test]
    fn bad_values_name_the_variable() {
        let secret = (
            "DIGIPARAT_SESSION_SECRET",
            "0123456789abcdef0123456789abcdef",
        );
        // Each bad value is refused with an error that names its variable.
        let cases = [
            ("DATABASE_URL", "mysql://x"),
            ("DIGIPARAT_ADDR", "localhost"),
            ("DIGIPARAT_LOG", "info,[[["),
            ("DIGIPARAT_SESSION_SECRET", "short"),
            ("DIGIPARAT_ADMIN_PASSWORD", "short"),
            ("DIGIPARAT_SECURE_COOKIES", "yes please"),
            ("DIGIPARAT_RETENTION_MONTHS", "0"),
            ("DIGIPARAT_MIN_CELL", "1"),
            ("DIGIPARAT_MIN_FREE_MB", "-1"),
            ("DIGIPARAT_PUBLIC_URL", "digiparat.example.dk/x"),
            ("DIGIPARAT_TRUSTED_PROXIES", "10.0.0.0/8 nginx"),
            ("DIGIPARAT_HEADER_TIMEOUT_SECS", "0"),
            ("DIGIPARAT_IDLE_TIMEOUT_SECS", "soon"),
            ("DIGIPARAT_BODY_TIMEOUT_SECS", "99999"),
        ];
        for (k, v) in cases {
            let vars = if k == secret.0 {
                vec![(k, v)]
            } else {
                vec![(k, v), secret]
            };
            match config(&vars) {
                Err(e) => assert!(e.to_string().contains(k), "{e}"),
                Ok(_) => panic!("{k}={v} was accepted"),
            }
        }
    }

    #[test]
    fn postgres_password_is_not_displayed() -> Result<(), ConfigError> {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db:5432/digiparat")?;
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/digiparat");
        Ok(())
    }
}
