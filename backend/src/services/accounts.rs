//! Rules for creating operator accounts: the bootstrap super admin and
//! `clientele admin create`.

use crate::domain::{
    EmailAddress, NewUser, Password, PermissionSet, PersonName, Role, Timestamp, User, Username,
};
use crate::error::Error;
use crate::state::AppState;
use secrecy::SecretString;

/// What to create.
pub struct NewAdmin {
    pub email: Option<String>,
    pub name: String,
    pub username: Option<String>,
    /// `None`: generate one, to be shown once, and require a change at first login.
    pub password: Option<SecretString>,
    pub role: Role,
}

/// The account and, when it was generated, its one-time password.
pub struct CreatedAdmin {
    pub user: User,
    pub generated_password: Option<Password>,
}

pub async fn create_admin(state: &AppState, new: NewAdmin) -> Result<CreatedAdmin, Error> {
    if !new.role.is_operator_staff() {
        return Err(Error::field("role", "must be admin or super_admin"));
    }
    let email = new
        .email
        .as_deref()
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|e| Error::field("email", e.0))?;
    let username = match (&new.username, &email) {
        (Some(u), _) => u.clone(),
        (None, Some(e)) => Username::from_email(e.as_str()),
        (None, None) => "admin".to_owned(),
    };
    let username = Username::parse(&username).map_err(|e| Error::field("username", e.0))?;
    let name = PersonName::parse(&new.name).map_err(|e| Error::field("name", e.0))?;
    let (password, generated) = match new.password {
        Some(p) => (
            Password::parse(p).map_err(|e| Error::field("password", e.to_string()))?,
            false,
        ),
        None => (Password::generate(16), true),
    };
    let hash = state.passwords.hash(&password).await?;
    let user = state
        .store
        .users
        .create_user(
            &NewUser {
                company_id: None,
                name,
                username,
                email,
                role: new.role,
                permissions: PermissionSet::all(),
                is_active: true,
                must_change_password: generated,
                created_by: None,
                modules: None,
                now: Timestamp::now(),
            },
            &hash,
            None,
        )
        .await?;
    Ok(CreatedAdmin {
        user: user.user,
        generated_password: generated.then_some(password),
    })
}

/// Create the first super admin when there is none, from the settings.
pub async fn ensure_bootstrap_admin(state: &AppState) -> anyhow::Result<Option<CreatedAdmin>> {
    if state.store.users.has_super_admin().await? {
        return Ok(None);
    }
    let settings = &state.settings;
    let created = create_admin(
        state,
        NewAdmin {
            email: settings.admin_email.clone(),
            name: "Administrator".into(),
            username: None,
            password: settings.admin_password.clone(),
            role: Role::SuperAdmin,
        },
    )
    .await;
    match created {
        Ok(created) => Ok(Some(created)),
        // Another instance starting at the same moment created it first.
        Err(Error::Conflict(_)) if state.store.users.has_super_admin().await? => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "cannot create the first super admin: {e}{}",
            details(&e)
        )),
    }
}

fn details(e: &Error) -> String {
    match e {
        Error::Validation { details, .. } => format!(" {details:?}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Username;

    fn username_from_email(email: &str) -> String {
        Username::from_email(email)
    }

    #[test]
    fn usernames_from_any_address_are_valid() {
        assert_eq!(username_from_email("ops@example.com"), "ops");
        assert_eq!(username_from_email("x@example.com"), "x-admin");
        assert_eq!(username_from_email("ÿ@example.com"), "admin");
        assert_eq!(username_from_email("+tag.name@example.com"), "tag.name");
        for e in [
            "x@example.com",
            "ÿ@example.com",
            "__@example.com",
            &format!("{}@e.co", "a".repeat(80)),
        ] {
            assert!(Username::parse(&username_from_email(e)).is_ok(), "{e}");
        }
    }
}
