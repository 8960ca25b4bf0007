//! Who acts: a user acting for one organization, as the [`policy`](crate::policy) sees them
//! ([`Member`]). The server resolves its callers from sessions and tokens; the command line
//! (`--as LOGIN [--org ORG]`) and future workers resolve them here, from the store.

use wangjian_domain::UserId;

use crate::error::AppError;
use crate::policy::Member;
use crate::App;

impl App {
    /// The member `login` acting for `org` (a case prefix, name or id), or for their only
    /// organization when `org` is `None`.
    pub async fn member_by_login(
        &self,
        login: &str,
        org: Option<&str>,
    ) -> Result<Member, AppError> {
        let store = self.store();
        let login = login.trim();
        let (user, _) = store
            .user_by_login(login)
            .await?
            .ok_or_else(|| AppError::invalid("--as", format!("no user with login {login:?}")))?;
        let org =
            match org {
                Some(key) => store.find_organization(key).await?.ok_or_else(|| {
                    AppError::invalid("--org", format!("no organization {key:?}"))
                })?,
                None => {
                    let mut orgs: Vec<_> = store
                        .memberships(user.id)
                        .await?
                        .iter()
                        .map(|m| m.org)
                        .collect();
                    orgs.dedup();
                    let id = match orgs.as_slice() {
                        [one] => *one,
                        [] => {
                            return Err(AppError::invalid(
                                "--as",
                                format!("{login} belongs to no organization"),
                            ))
                        }
                        _ => {
                            return Err(AppError::invalid(
                                "--org",
                                format!("{login} belongs to several organizations: name one"),
                            ))
                        }
                    };
                    store.organization(id).await?.ok_or_else(|| {
                        AppError::Unavailable(format!("organization {id} is gone"))
                    })?
                }
            };
        self.member(user.id, &org).await?.ok_or_else(|| {
            AppError::invalid("--as", format!("{login} holds no role in {}", org.name))
        })
    }

    /// The member `user` acting for `org`, or `None` when they hold no role there.
    pub async fn member(
        &self,
        user: UserId,
        org: &wangjian_domain::Organization,
    ) -> Result<Option<Member>, AppError> {
        Ok(self.store().actor(user, org.id).await?.map(|actor| Member {
            actor,
            org_kind: org.kind.clone(),
            region: org.region.clone(),
        }))
    }
}
