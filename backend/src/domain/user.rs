use super::{EmailAddress, ModuleName, PermissionSet, PersonName, Role, Timestamp, Username};

/// A person who logs in: operator staff (no company) or a client's user.
/// The password hash never leaves the store, so it is not here.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub company_id: Option<i64>,
    pub name: PersonName,
    pub username: Username,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub permissions: PermissionSet,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user with its modules, as the users endpoints answer it.
#[derive(Debug, Clone)]
pub struct ManagedUser {
    pub user: User,
    /// Its own choice, or else all its client's active modules, by name;
    /// always empty for the operator's staff.
    pub modules: Vec<String>,
}

impl User {
    /// What this user may do: its grants, or everything for a super admin.
    pub fn effective_permissions(&self) -> PermissionSet {
        self.role.effective(self.permissions)
    }

    /// Why this user is above `caller`, who may therefore not change it: it
    /// holds a role or permissions the caller lacks. (A client's owner is
    /// above every other user of its client too; the rules know who owns.)
    pub fn above(&self, caller: &User) -> Option<String> {
        let held = caller.effective_permissions();
        let lacking =
            PermissionSet::from_bits(self.effective_permissions().bits() & !held.bits()).ids();
        let mut what = Vec::new();
        if self.role > caller.role {
            what.push(format!("the role {}", self.role.as_str()));
        }
        if !lacking.is_empty() {
            let ids: Vec<String> = lacking.iter().map(u8::to_string).collect();
            what.push(format!("permissions {}", ids.join(", ")));
        }
        (!what.is_empty()).then(|| what.join(" and "))
    }
}

/// An argon2id hash in PHC form. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// A hash made by the password service, or read back from the store.
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash([hidden])")
    }
}

/// A user to insert. Every field is already parsed and checked; its password
/// hash travels beside it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub company_id: Option<i64>,
    pub name: PersonName,
    pub username: Username,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub permissions: PermissionSet,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_by: Option<i64>,
    /// `None`: all its client's active modules; otherwise exactly these (each
    /// one active for the client).
    pub modules: Option<Vec<ModuleName>>,
    pub now: Timestamp,
}

/// Changes to a user: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<PersonName>,
    pub username: Option<Username>,
    /// `Some(None)` clears it.
    pub email: Option<Option<EmailAddress>>,
    pub role: Option<Role>,
    pub permissions: Option<PermissionSet>,
    pub is_active: Option<bool>,
    /// `Some(None)` makes the user operator staff.
    pub company_id: Option<Option<i64>>,
    /// A new password hash: the user must change it at its next login, and every
    /// session it has ends.
    pub password_hash: Option<PasswordHash>,
    /// `Some(None)`: back to all its client's active modules; `Some(Some(list))`:
    /// exactly these.
    pub modules: Option<Option<Vec<ModuleName>>>,
    /// Apply only if the user is still as it was at this `updated_at` (else
    /// the store answers that it changed): the changes were decided on what
    /// was read then (decision 0022).
    pub unchanged_since: Option<Timestamp>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.username.is_none()
            && self.email.is_none()
            && self.role.is_none()
            && self.permissions.is_none()
            && self.is_active.is_none()
            && self.company_id.is_none()
            && self.password_hash.is_none()
            && self.modules.is_none()
    }
}

/// Profile changes a user may make to itself. `None` leaves a field as it is;
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<PersonName>,
    pub email: Option<Option<EmailAddress>>,
}

/// A user's fields as sent (JSON or a CSV row), still text: `None` not sent,
/// `Some(None)` null.
#[derive(Debug, Default)]
pub struct UserText<'a> {
    pub name: Option<&'a str>,
    pub username: Option<&'a str>,
    pub password: Option<secrecy::SecretString>,
    pub email: Option<Option<&'a str>>,
    pub role: Option<&'a str>,
    pub company_id: Option<Option<i64>>,
    pub is_active: Option<bool>,
    pub permissions: Option<&'a [i64]>,
    pub modules: Option<Option<&'a [String]>>,
}

/// A user's fields as asked for, each parsed: what a create or an update
/// sends. `None` not sent, `Some(None)` null (cleared).
#[derive(Debug, Clone, Default)]
pub struct UserDraft {
    pub name: Option<PersonName>,
    pub username: Option<Username>,
    pub password: Option<super::Password>,
    pub email: Option<Option<EmailAddress>>,
    pub role: Option<Role>,
    pub company_id: Option<Option<i64>>,
    pub is_active: Option<bool>,
    pub permissions: Option<PermissionSet>,
    /// Sorted, without repeats.
    pub modules: Option<Option<Vec<ModuleName>>>,
}

impl UserDraft {
    /// Parse every field sent, collecting every field's errors.
    pub fn parse(text: UserText<'_>) -> Result<Self, super::FieldErrors> {
        let mut errors = super::FieldErrors::new();
        let mut fail = |field: &str, msg: String| {
            errors.entry(field.to_owned()).or_default().push(msg);
        };
        let mut draft = UserDraft {
            company_id: text.company_id,
            is_active: text.is_active,
            ..UserDraft::default()
        };
        if let Some(n) = text.name {
            match PersonName::parse(n) {
                Ok(n) => draft.name = Some(n),
                Err(e) => fail("name", e.0),
            }
        }
        if let Some(u) = text.username {
            match Username::parse(u) {
                Ok(u) => draft.username = Some(u),
                Err(e) => fail("username", e.0),
            }
        }
        if let Some(pw) = text.password {
            match super::Password::parse(pw) {
                Ok(pw) => draft.password = Some(pw),
                Err(e) => fail("password", e.to_string()),
            }
        }
        match text.email {
            None => {}
            Some(None) => draft.email = Some(None),
            Some(Some(e)) if e.trim().is_empty() => draft.email = Some(None),
            Some(Some(e)) => match EmailAddress::parse(e) {
                Ok(e) => draft.email = Some(Some(e)),
                Err(err) => fail("email", err.0),
            },
        }
        if let Some(r) = text.role {
            match Role::parse(r) {
                Ok(r) => draft.role = Some(r),
                Err(e) => fail("role", e.0),
            }
        }
        if let Some(ids) = text.permissions {
            match PermissionSet::from_ids(ids) {
                Ok(set) => draft.permissions = Some(set),
                Err(e) => fail("permissions", e.to_string()),
            }
        }
        match text.modules {
            None => {}
            Some(None) => draft.modules = Some(None),
            Some(Some(list)) => {
                let mut names: Vec<ModuleName> = Vec::new();
                for m in list {
                    match ModuleName::parse(m) {
                        Ok(n) if !names.contains(&n) => names.push(n),
                        Ok(_) => {}
                        Err(e) => fail("modules", format!("{m:?} {}", e.0)),
                    }
                }
                names.sort();
                draft.modules = Some(Some(names));
            }
        }
        if errors.is_empty() {
            Ok(draft)
        } else {
            Err(errors)
        }
    }
}
