//! Administration: staff accounts (create, role and team, reset a password, disable),
//! teams, and the audit trail. Administrators manage people's access; they see no
//! answers. A new or reset password is generated, shown once, and must be changed.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub team: Option<String>,
    pub disabled: bool,
    /// May download person-level rows.
    pub may_export_rows: bool,
    /// Signs in through the identity provider (has no password here).
    pub external: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: Vec<UserRow>,
    pub teams: Vec<(i64, String)>,
    /// How staff sign in, when an identity provider is configured.
    pub sign_in: Option<SignInSettings>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignInSettings {
    /// The identity provider's name, as on the sign-in button.
    pub provider: String,
    /// Every local account may still sign in with a password (else: local administrators).
    pub local_for_everyone: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminUser {
    pub user: UserRow,
    pub team_id: Option<i64>,
    pub teams: Vec<(i64, String)>,
    /// A password just generated for the account, shown this once.
    pub new_password: Option<String>,
    pub is_self: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditRowView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<i64>,
    pub assessment_id: Option<i64>,
    pub address: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub case: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditView {
    pub query: AuditQuery,
    pub rows: Vec<AuditRowView>,
    /// A filter value that could not be read, by field name.
    pub error: Option<String>,
    pub limit: i64,
}

#[server(endpoint = "admin/load/overview")]
pub async fn load_admin() -> AppResult<AdminOverview> {
    server::overview().await
}

#[server(endpoint = "admin/load/user")]
pub async fn load_admin_user(id: i64) -> AppResult<AdminUser> {
    server::user(id).await
}

#[server(endpoint = "admin/load/audit")]
pub async fn load_audit(
    actor: Option<String>,
    action: Option<String>,
    case: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> AppResult<AuditView> {
    server::audit(AuditQuery {
        actor,
        action,
        case,
        from,
        until,
    })
    .await
}

#[cfg(feature = "ssr")]
pub use server::{create_team, create_user, reset_password, set_sign_in, update_user};

crate::api::server_side!(forms, pages);
