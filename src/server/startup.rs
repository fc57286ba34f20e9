//! Builds the application from a configuration, binds it and runs it until a shutdown
//! signal. Used by `main.rs` and by the tests (port 0, fresh database).

use std::net::SocketAddr;
use std::sync::Arc;

use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

use crate::server::config::Config;
use crate::server::db::{self, DbError, Repository};
use crate::server::router::router;
use crate::server::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database {url}: {source}")]
    Database { url: String, source: DbError },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("cannot prepare sign-in: {0}")]
    Auth(#[from] crate::server::auth::AuthError),
    #[error("cannot prepare the session table: {0}")]
    Sessions(sqlx::Error),
    #[error("cannot read or make the secret for published statistics: {0}")]
    Disclosure(DbError),
    #[error("cannot set up sign-in through the identity provider: {0}")]
    Oidc(#[from] crate::server::oidc::OidcError),
    #[error("instruments/dr-1-vignettes.toml cannot be used: {0}")]
    Vignettes(String),
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    addr: SocketAddr,
    first_admin_password: Option<String>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        let repo =
            db::connect(&config.database_url)
                .await
                .map_err(|source| StartError::Database {
                    url: config.database_url.to_string(),
                    source,
                })?;
        Application::with_repository(config, repo).await
    }

    pub async fn with_repository(
        config: Config,
        db: Arc<dyn Repository>,
    ) -> Result<Application, StartError> {
        crate::domain::calibration::Vignettes::check_bundled().map_err(StartError::Vignettes)?;
        db.sessions()
            .migrate()
            .await
            .map_err(StartError::Sessions)?;
        let configured = config
            .admin_password
            .as_ref()
            .map(|p| String::from_utf8_lossy(p.expose()).into_owned());
        let first_admin_password =
            crate::server::auth::ensure_admin(db.as_ref(), configured.as_deref()).await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
        // Without DIGIPARAT_PUBLIC_URL, the address actually bound (port 0 resolved).
        let mut config = config;
        if config.public_url == format!("http://{}", config.bind) {
            config.public_url = format!("http://{addr}");
        }
        let leptos_options = LeptosOptions::builder()
            .output_name("digiparat")
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let health = Arc::new(crate::server::health::Health::new(
            db.storage_dir(),
            config.min_free_bytes,
        ));
        let disclosure = Arc::new(
            db.disclosure_secret()
                .await
                .map_err(StartError::Disclosure)?,
        );
        let api_rate = config.api_rate_per_minute;
        let oidc = match &config.oidc {
            Some(settings) => Some(Arc::new(crate::server::oidc::Oidc::new(
                settings.clone(),
                &config.public_url,
            )?)),
            None => None,
        };
        let state = AppState::new(crate::server::state::Parts {
            leptos_options: Arc::new(leptos_options),
            db,
            config: Arc::new(config),
            health,
            disclosure,
            pages: Arc::default(),
            api_limits: Arc::new(crate::server::tokens::Limiter::per_minute(api_rate)),
            oidc,
        });
        Ok(Application {
            listener,
            state,
            addr,
            first_admin_password,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The generated one-time password of the first administrator, when one was just created.
    pub fn first_admin_password(&self) -> Option<&str> {
        self.first_admin_password.as_deref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let retention = crate::server::retention::spawn_hourly(
            self.state.db.clone(),
            self.state.config.retention_months,
        );
        let watch = crate::server::health::spawn_watch(self.state.health.clone());
        if let Some(oidc) = self.state.oidc.clone() {
            tokio::spawn(crate::server::oidc::check_at_start(
                oidc,
                self.state.db.clone(),
            ));
        }
        let timeouts = self.state.config.timeouts;
        let served =
            crate::server::serve::serve(self.listener, router(self.state), timeouts, shutdown)
                .await
                .map_err(StartError::Serve);
        watch.abort();
        retention.abort();
        served
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
