//! Staff sign-in through the municipality's identity provider: OpenID Connect's
//! authorization code flow with PKCE (the `openidconnect` crate). The provider's settings
//! come from discovery; the ID token's signature, issuer, audience, expiry and nonce are
//! checked before anything in it is believed. The mapping of its group claim to a role and
//! team is configuration (`config::OidcConfig`).

mod config;

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdToken, IdTokenFields, IssuerUrl, LanguageTag, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

pub use config::{OidcConfig, RoleRow, parse_roles};

/// The claims of the ID token beyond the standard ones: the configured group claim is read
/// from here.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResponse = StandardTokenResponse<Fields, CoreTokenType>;
type ProviderIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long the provider's discovery document and keys are kept before they are read again.
const METADATA_FOR: Duration = Duration::from_secs(15 * 60);

/// Why a sign-in through the provider failed. The person sees a plain page; the log says
/// which of these it was.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("cannot read the provider's discovery document at {issuer}: {why}")]
    Discovery { issuer: String, why: String },
    #[error("no sign-in was started in this browser session (or it was already finished)")]
    NotStarted,
    #[error("the state in the answer does not match the sign-in this browser started")]
    State,
    #[error("the provider answered with an error: {0}")]
    Provider(String),
    #[error("the provider's answer has no authorization code")]
    NoCode,
    #[error("exchanging the code at the token endpoint failed: {0}")]
    Exchange(String),
    #[error("the token endpoint returned no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the ID token has no {0} claim")]
    MissingClaim(&'static str),
}

/// A sign-in started in this browser session: what its answer must match.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Pending {
    state: String,
    nonce: String,
    verifier: String,
}

/// A person as the provider vouched for them, after every check.
#[derive(Clone, Debug)]
pub struct Verified {
    pub subject: String,
    /// `preferred_username`, else the subject.
    pub username: String,
    /// `name`, else the username.
    pub display_name: String,
    /// The values of the configured role claim.
    pub groups: Vec<String>,
    /// The ID token itself, kept in the session as the hint for signing out.
    pub id_token: String,
}

pub struct Oidc {
    pub config: OidcConfig,
    redirect: RedirectUrl,
    after_logout: String,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::RwLock<Option<(Instant, ProviderMetadataWithLogout)>>,
}

impl Oidc {
    /// `public_url`: this service's address; the provider sends people back to
    /// `<public_url>/auth/oidc/callback`.
    pub fn new(config: OidcConfig, public_url: &str) -> Result<Oidc, OidcError> {
        let broken = |why: String| OidcError::Discovery {
            issuer: config.issuer.clone(),
            why,
        };
        let redirect = RedirectUrl::new(format!("{public_url}/auth/oidc/callback"))
            .map_err(|e| broken(format!("the redirect address: {e}")))?;
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects would open the client to server-side request forgery.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| broken(format!("the HTTP client: {e}")))?;
        Ok(Oidc {
            config,
            redirect,
            after_logout: format!("{public_url}/"),
            http,
            metadata: tokio::sync::RwLock::new(None),
        })
    }

    /// The provider's discovery document and keys, read again after `METADATA_FOR` (keys
    /// rotate) or when `fresh`.
    pub async fn metadata(&self, fresh: bool) -> Result<ProviderMetadataWithLogout, OidcError> {
        if !fresh
            && let Some((at, metadata)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_FOR
        {
            return Ok(metadata.clone());
        }
        let issuer = self.config.issuer.clone();
        let url = IssuerUrl::new(issuer.clone()).map_err(|e| OidcError::Discovery {
            issuer: issuer.clone(),
            why: e.to_string(),
        })?;
        let metadata = ProviderMetadataWithLogout::discover_async(url, &self.http)
            .await
            .map_err(|e| OidcError::Discovery {
                issuer,
                why: error_chain(&e),
            })?;
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> OidcClient {
        Client::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                String::from_utf8_lossy(self.config.client_secret.expose()).into_owned(),
            )),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The address to send the person to, and what the answer must match.
    pub async fn begin(&self, lang: &str) -> Result<(String, Pending), OidcError> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_ui_locale(LanguageTag::new(lang.to_owned()));
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Checks the provider's answer against the sign-in this browser started, exchanges the
    /// code and verifies the ID token.
    pub async fn finish(
        &self,
        pending: Option<Pending>,
        answer: &Answer,
    ) -> Result<Verified, OidcError> {
        let pending = pending.ok_or(OidcError::NotStarted)?;
        if let Some(error) = &answer.error {
            let description = answer.error_description.as_deref().unwrap_or("");
            return Err(OidcError::Provider(format!("{error} {description}")));
        }
        let state_matches = answer.state.as_deref().is_some_and(|s| {
            use blake2::Digest;
            // Compared as hashes: the comparison takes as long wherever they differ.
            blake2::Blake2b512::digest(s) == blake2::Blake2b512::digest(&pending.state)
        });
        if !state_matches {
            return Err(OidcError::State);
        }
        let code = answer.code.clone().ok_or(OidcError::NoCode)?;
        let client = self.client(self.metadata(false).await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = response
            .extra_fields()
            .id_token()
            .ok_or(OidcError::NoIdToken)?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce))
            .map_err(|e| OidcError::IdToken(error_chain(&e)))?;
        let subject = claims.subject().as_str().to_owned();
        let username = claims
            .preferred_username()
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|| subject.clone());
        let display_name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|| username.clone());
        let groups = match claims.additional_claims().rest.get(&self.config.role_claim) {
            Some(serde_json::Value::Array(values)) => values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        if subject.is_empty() {
            return Err(OidcError::MissingClaim("sub"));
        }
        Ok(Verified {
            subject,
            username: clean_username(&username),
            display_name,
            groups,
            id_token: id_token.to_string(),
        })
    }

    /// Where to send a person who signs out, to end their session at the provider too
    /// (RP-initiated logout), when the provider offers it.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let metadata = self.metadata(false).await.ok()?;
        let end: EndSessionUrl = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let hint: ProviderIdToken = id_token.parse().ok()?;
        let after = PostLogoutRedirectUrl::new(self.after_logout.clone()).ok()?;
        Some(
            LogoutRequest::from(end)
                .set_id_token_hint(&hint)
                .set_client_id(ClientId::new(self.config.client_id.clone()))
                .set_post_logout_redirect_uri(after)
                .http_get_url()
                .to_string(),
        )
    }
}

/// The query of the provider's answer at `/auth/oidc/callback`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Answer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A username fit for this service: printable, at most 64 characters.
fn clean_username(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    if cleaned.trim().is_empty() {
        "user".into()
    } else {
        cleaned.trim().to_owned()
    }
}

/// An error and its causes on one line, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// At start-up, reads the provider's discovery document and checks that every team the
/// role mapping names exists, saying in the log what is wrong. Sign-in retries discovery,
/// so a provider that is down at start-up does not keep the service (or the local
/// administrator) out.
pub async fn check_at_start(
    oidc: std::sync::Arc<Oidc>,
    db: std::sync::Arc<dyn crate::server::db::Repository>,
) {
    match oidc.metadata(true).await {
        Ok(_) => tracing::info!(issuer = %oidc.config.issuer, "identity provider discovered"),
        Err(e) => {
            tracing::error!(error = %e, "identity provider: sign-in through it will fail until this is fixed")
        }
    }
    if let Ok(teams) = db.teams().await {
        for row in &oidc.config.roles {
            if let Some(team) = &row.team
                && !teams.iter().any(|t| &t.name == team)
            {
                tracing::error!(
                    group = %row.group,
                    team = %team,
                    "DIGIPARAT_OIDC_ROLES names a team that does not exist: create it at /admin"
                );
            }
        }
    }
}
