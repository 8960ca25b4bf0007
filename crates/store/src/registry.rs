//! The registry: organizations, users, memberships, API tokens, subjects and shops — the
//! rows others point to. These are put whole (import, admin): a put of the
//! same content changes nothing; a put of new content bumps `version`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;
use wangjian_domain::org::{Membership, Organization, Role, User};
use wangjian_domain::subject::{Shop, Subject};
use wangjian_domain::{Actor, OrgId, UserId};

use crate::schema::{self, Table};
use crate::schema::{from_row, get_by_id};
use crate::value::Val;
use crate::write::{json_of, put_versioned, Written};
use crate::{Store, StoreError};

/// An API token (for the server): only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Stable id.
    pub id: Uuid,
    /// Whose token.
    pub user: UserId,
    /// The organization it acts for.
    pub org: OrgId,
    /// SHA-256 (or another one-way hash) of the token; the token itself is never stored.
    pub token_hash: String,
    /// What it is for.
    pub label: String,
    /// When issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// What it may be used for (`read`, `write`, `ingest`); the server names them.
    #[serde(default)]
    pub scopes: Vec<String>,
}

const TOKEN_COLS: &str =
    "id, user_id, org_id, token_hash, label, created_at, expires_at, revoked_at, scopes";

fn token_from_row(r: &crate::backend::Row) -> Result<ApiToken, StoreError> {
    use crate::value::Kind;
    let cols = [
        ("id", Kind::Uuid),
        ("user", Kind::Uuid),
        ("org", Kind::Uuid),
        ("token_hash", Kind::Text),
        ("label", Kind::Text),
        ("created_at", Kind::Time),
        ("expires_at", Kind::Time),
        ("revoked_at", Kind::Time),
        ("scopes", Kind::Json),
    ];
    let mut m = serde_json::Map::new();
    for (i, (n, k)) in cols.iter().enumerate() {
        m.insert(n.to_string(), r.get(i, *k)?.into_json());
    }
    serde_json::from_value(Json::Object(m))
        .map_err(|e| StoreError::Corrupt(format!("api token: {e}")))
}

impl Store {
    async fn put<T: Serialize>(
        &self,
        table: &Table,
        id: Uuid,
        v: &T,
    ) -> Result<Written, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let w = put_versioned(&mut tx, table, id, json_of(v)?).await?;
        tx.commit().await?;
        Ok(w)
    }

    /// Puts an organization (its `version` is ignored: the store keeps count).
    pub async fn put_organization(&self, org: &Organization) -> Result<Written, StoreError> {
        self.put(&schema::ORGANIZATIONS, org.id.0, org).await
    }

    /// An organization by id.
    pub async fn organization(&self, id: OrgId) -> Result<Option<Organization>, StoreError> {
        get_by_id(&self.pool, &schema::ORGANIZATIONS, id.0).await
    }

    /// Finds an organization by id text, exact case prefix or exact name (CLI arguments
    /// and import files name organizations that way). `None` when nothing or more than
    /// one matches.
    pub async fn find_organization(&self, key: &str) -> Result<Option<Organization>, StoreError> {
        if let Ok(id) = Uuid::parse_str(key.trim()) {
            return self.organization(OrgId(id)).await;
        }
        let t = &schema::ORGANIZATIONS;
        let sql = format!(
            "SELECT {} FROM {} WHERE case_prefix = $1 OR name = $1 LIMIT 2",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(key.trim())]).await?;
        if rows.len() != 1 {
            return Ok(None);
        }
        rows.first().map(|r| from_row(t, r)).transpose()
    }

    /// Every organization, by name.
    pub async fn organizations(&self) -> Result<Vec<Organization>, StoreError> {
        let t = &schema::ORGANIZATIONS;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY name, id",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![]).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// Puts a user (the `version` is ignored). `login`, when given, is the unique sign-in
    /// name.
    pub async fn put_user(&self, user: &User, login: Option<&str>) -> Result<Written, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let w = put_versioned(&mut tx, &schema::USERS, user.id.0, json_of(user)?).await?;
        if let Some(l) = login {
            match tx
                .exec(
                    "UPDATE users SET login = $2 WHERE id = $1",
                    vec![Val::from(user.id.0), Val::from(l)],
                )
                .await
            {
                Err(e) if e.is_unique_violation() => {
                    return Err(StoreError::Duplicate(format!("login {l:?}")))
                }
                r => r?,
            };
        }
        tx.commit().await?;
        Ok(w)
    }

    /// A user by id.
    pub async fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        get_by_id(&self.pool, &schema::USERS, id.0).await
    }

    /// A user by sign-in name, with the stored password hash (for the server).
    pub async fn user_by_login(
        &self,
        login: &str,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let rows = self
            .pool
            .fetch(
                "SELECT id, password_hash FROM users WHERE login = $1",
                vec![Val::from(login)],
            )
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let id = row
            .uuid(0)?
            .ok_or_else(|| StoreError::Corrupt("user id".into()))?;
        let hash = row.text(1)?;
        Ok(self.user(UserId(id)).await?.map(|u| (u, hash)))
    }

    /// Sets (or clears) a user's password hash. The store never sees a password.
    pub async fn set_password_hash(
        &self,
        user: UserId,
        hash: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = self
            .pool
            .exec(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                vec![Val::from(user.0), Val::Text(hash.map(str::to_string))],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound {
                what: "user",
                id: user.to_string(),
            });
        }
        Ok(())
    }

    /// Grants a role; granting it again changes nothing. Returns true when new; a new
    /// grant appends `account.permission_changed` to the accounts' trail in the same
    /// transaction.
    pub async fn put_membership(&self, m: &Membership) -> Result<bool, StoreError> {
        let t = &schema::MEMBERSHIPS;
        let sql = format!("{} ON CONFLICT DO NOTHING", t.insert_sql(1));
        let mut tx = self.pool.begin_write().await?;
        let new = tx.exec(&sql, t.values(&json_of(m)?)?).await? == 1;
        if new {
            crate::accounts::permission_event(&mut tx, m, true).await?;
        }
        tx.commit().await?;
        Ok(new)
    }

    /// Revokes a role. Returns true when it was held.
    pub async fn delete_membership(&self, m: &Membership) -> Result<bool, StoreError> {
        let role = json_of(&m.role)?;
        let mut tx = self.pool.begin_write().await?;
        let n = tx
            .exec(
                "DELETE FROM memberships WHERE user_id = $1 AND org_id = $2 AND role = $3",
                vec![
                    Val::from(m.user.0),
                    Val::from(m.org.0),
                    Val::from(role.as_str().unwrap_or_default()),
                ],
            )
            .await?;
        if n == 1 {
            crate::accounts::permission_event(&mut tx, m, false).await?;
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    /// A user's memberships, in every organization.
    pub async fn memberships(&self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let t = &schema::MEMBERSHIPS;
        let sql = format!(
            "SELECT {} FROM {} WHERE user_id = $1 ORDER BY org_id, role",
            t.select_list(""),
            t.name
        );
        let rows = self.pool.fetch(&sql, vec![Val::from(user.0)]).await?;
        rows.iter().map(|r| from_row(t, r)).collect()
    }

    /// The actor `user` is when acting for `org`: their roles there. `None` when they
    /// hold none.
    pub async fn actor(&self, user: UserId, org: OrgId) -> Result<Option<Actor>, StoreError> {
        let roles: Vec<Role> = self
            .memberships(user)
            .await?
            .into_iter()
            .filter(|m| m.org == org)
            .map(|m| m.role)
            .collect();
        Ok((!roles.is_empty()).then_some(Actor { user, org, roles }))
    }

    /// Stores an API token.
    pub async fn put_api_token(&self, t: &ApiToken) -> Result<(), StoreError> {
        let n = self
            .pool
            .exec(
                &format!("INSERT INTO api_tokens ({TOKEN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                vec![
                    Val::from(t.id),
                    Val::from(t.user.0),
                    Val::from(t.org.0),
                    Val::from(t.token_hash.as_str()),
                    Val::from(t.label.as_str()),
                    Val::from(t.created_at),
                    Val::from(t.expires_at),
                    Val::from(t.revoked_at),
                    Val::Json(Some(json_of(&t.scopes)?)),
                ],
            )
            .await;
        match n {
            Err(e) if e.is_unique_violation() => Err(StoreError::Duplicate("API token".into())),
            r => r.map(|_| ()),
        }
    }

    /// The token with this hash, if any (revoked and expired ones too: the caller
    /// decides).
    pub async fn api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ApiToken>, StoreError> {
        let rows = self
            .pool
            .fetch(
                &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1"),
                vec![Val::from(token_hash)],
            )
            .await?;
        rows.first().map(token_from_row).transpose()
    }

    /// A token by id.
    pub async fn api_token(&self, id: Uuid) -> Result<Option<ApiToken>, StoreError> {
        let rows = self
            .pool
            .fetch(
                &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1"),
                vec![Val::from(id)],
            )
            .await?;
        rows.first().map(token_from_row).transpose()
    }

    /// The tokens a user made for an organization, newest first (revoked ones too).
    pub async fn api_tokens_of(
        &self,
        user: UserId,
        org: OrgId,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let rows = self
            .pool
            .fetch(
                &format!(
                    "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 AND org_id = $2 \
                     ORDER BY created_at DESC, id DESC"
                ),
                vec![Val::from(user.0), Val::from(org.0)],
            )
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes a token now. Returns true when it was live.
    pub async fn revoke_api_token(&self, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let n = self
            .pool
            .exec(
                "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                vec![Val::from(id), Val::from(at)],
            )
            .await?;
        Ok(n == 1)
    }

    /// Puts a market subject.
    pub async fn put_subject(&self, s: &Subject) -> Result<Written, StoreError> {
        match self.put(&schema::SUBJECTS, s.id.0, s).await {
            Err(e) if e.is_unique_violation() => Err(StoreError::Duplicate(format!(
                "subject identifier (another subject has the same credit code, id hash or domain as {})",
                s.id
            ))),
            r => r,
        }
    }

    /// A subject by id.
    pub async fn subject(
        &self,
        id: wangjian_domain::SubjectId,
    ) -> Result<Option<Subject>, StoreError> {
        get_by_id(&self.pool, &schema::SUBJECTS, id.0).await
    }

    /// Puts a shop. Use [`wangjian_domain::lead::shop_id_for`] for its id, so that listings imported for
    /// the same platform shop find it.
    pub async fn put_shop(&self, s: &Shop) -> Result<Written, StoreError> {
        self.put(&schema::SHOPS, s.id.0, s).await
    }

    /// A shop by id.
    pub async fn shop(&self, id: wangjian_domain::ShopId) -> Result<Option<Shop>, StoreError> {
        get_by_id(&self.pool, &schema::SHOPS, id.0).await
    }
}
