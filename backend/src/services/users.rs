//! Rules for users (seed 003's users-management, seed 000's client users):
//! who may see, create and change whom, and with which roles, permissions and
//! modules.
//!
//! Scope: operator staff act on every company; client-side users only on their
//! own, and anything outside a caller's scope is "not found". Nobody grants a
//! role or a permission above its own; only a super admin creates operator
//! staff; nobody changes a user above itself (docs/decisions/0024).

use super::activity;
use crate::auth::{throttle, Caller};
use crate::domain::{
    client::random_digits, EmailAddress, ManagedUser, ModuleName, NewActivity, NewUser, Password,
    PasswordHash, Permission, PermissionSet, PersonName, Role, Timestamp, User, UserChanges,
    UserDraft, UserText, Username,
};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::{Batches, StoreError, UserFilter, UserPage};
use serde_json::{json, Value};

fn not_found() -> Error {
    Error::NotFound("User not found".into())
}

fn client_not_found() -> Error {
    Error::NotFound("Client not found".into())
}

/// The user, if it exists and is inside the caller's scope.
async fn find_in_scope(state: &AppState, caller: &Caller, id: i64) -> Result<User, Error> {
    let user = state
        .store
        .users
        .user_by_id(id)
        .await?
        .ok_or_else(not_found)?;
    match caller.scope() {
        Some(company) if user.company_id != Some(company) => Err(not_found()),
        _ => Ok(user),
    }
}

/// The client must exist and be inside the caller's scope.
pub async fn client_in_scope(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
) -> Result<(), Error> {
    if caller.scope().is_some_and(|own| own != client_id) {
        return Err(client_not_found());
    }
    state
        .store
        .clients
        .client_by_id(client_id)
        .await?
        .map(|_| ())
        .ok_or_else(client_not_found)
}

/// May the caller change this user at all (beyond seeing it)? Nobody changes a
/// user above itself: one holding a role or any permission the caller lacks.
/// A client's owner is above every other user of its client (only the
/// operator's staff change it), and only a super admin changes other staff.
pub async fn check_may_manage(
    state: &AppState,
    caller: &Caller,
    target: &User,
) -> Result<(), Error> {
    if target.id == caller.user.id {
        return Ok(());
    }
    if target.role.is_operator_staff() && caller.user.role != Role::SuperAdmin {
        return Err(Error::Forbidden(
            "Only a super admin may change the operator's staff".into(),
        ));
    }
    if let Some(what) = target.above(&caller.user) {
        return Err(Error::Forbidden(format!(
            "You cannot change a user above you: it holds {what} that you do not"
        )));
    }
    if !caller.user.role.is_operator_staff() && is_owner(state, target).await? {
        return Err(Error::Forbidden(
            "You cannot change your client's owner, who is above every other user of the \
             client; the operator's staff can"
                .into(),
        ));
    }
    Ok(())
}

/// Does `user` own its client?
async fn is_owner(state: &AppState, user: &User) -> Result<bool, Error> {
    let Some(company) = user.company_id else {
        return Ok(false);
    };
    Ok(state
        .store
        .clients
        .client_by_id(company)
        .await?
        .is_some_and(|c| c.owner_id == Some(user.id)))
}

/// How many times a change decided on a user as read is tried again when the
/// user changed meanwhile (each try reads it again and decides again).
const TRIES: u32 = 50;

/// A short, growing, random pause before trying a change again, so that
/// callers racing for one row do not keep colliding in step.
pub async fn back_off(attempt: u32) {
    use rand::Rng;
    let ms = rand::thread_rng().gen_range(0..=u64::from(attempt.min(10)) + 1);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

fn changed_meanwhile() -> Error {
    Error::Conflict("The user kept changing while this change was made; try again".into())
}

/// A role the caller may give: never above its own; staff roles only from a super admin.
fn check_role_grant(caller: &Caller, role: Role) -> Result<(), Error> {
    if role.is_operator_staff() && caller.user.role != Role::SuperAdmin {
        return Err(Error::Forbidden(
            "Only a super admin may create or appoint the operator's staff".into(),
        ));
    }
    if role > caller.user.role {
        return Err(Error::Forbidden(format!(
            "You cannot give the role {} (above your own)",
            role.as_str()
        )));
    }
    Ok(())
}

/// Moving from `before` to `after` may touch only permissions the caller holds.
fn check_permission_change(
    caller: &Caller,
    before: PermissionSet,
    after: PermissionSet,
    role: Role,
) -> Result<(), Error> {
    let held = caller.user.effective_permissions().bits();
    let changed = before.bits() ^ after.bits();
    let beyond = PermissionSet::from_bits(changed & !held);
    if !beyond.ids().is_empty() {
        return Err(Error::Forbidden(format!(
            "You cannot grant or revoke permissions you do not hold: {}",
            join_ids(&beyond.ids())
        )));
    }
    if !role.is_operator_staff() && after.contains(Permission::SystemAdministration) {
        return Err(Error::field(
            "permissions",
            "permission 60 (System Administration) is for the operator's staff only",
        ));
    }
    Ok(())
}

fn join_ids(ids: &[u8]) -> String {
    ids.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

/// Permission ids sent to the permissions endpoints, parsed.
pub fn parse_permissions(ids: &[i64]) -> Result<PermissionSet, Error> {
    PermissionSet::from_ids(ids).map_err(|e| Error::field("permissions", e.to_string()))
}

/// The modules must all be active for the company (and staff have none).
async fn check_modules(
    state: &AppState,
    company: Option<i64>,
    modules: &Option<Option<Vec<ModuleName>>>,
) -> Result<(), Error> {
    let Some(Some(list)) = modules else {
        return Ok(());
    };
    let Some(company) = company else {
        return Err(Error::field(
            "modules",
            "the operator's staff have no modules",
        ));
    };
    let active = state.store.modules.client_modules(company).await?;
    let outside: Vec<&str> = list
        .iter()
        .map(ModuleName::as_str)
        .filter(|m| !active.iter().any(|a| a == m))
        .collect();
    if !outside.is_empty() {
        return Err(Error::field(
            "modules",
            format!("not active for this client: {}", outside.join(", ")),
        ));
    }
    Ok(())
}

pub fn conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(f) if f == "email" => {
            Error::Conflict("A user with this email already exists in this company".into())
        }
        e => e.into(),
    }
}

/// The company a new user goes to, from what was sent and who asks.
async fn company_for_new_user(
    state: &AppState,
    caller: &Caller,
    role: Role,
    sent: Option<Option<i64>>,
) -> Result<Option<i64>, Error> {
    if let Some(own) = caller.scope() {
        return match sent.flatten() {
            Some(id) if id != own => Err(client_not_found()),
            _ => Ok(Some(own)),
        };
    }
    match (role.needs_company(), sent.flatten()) {
        (true, None) => Err(Error::field(
            "companyId",
            "is required for client users (roles user and client_admin)",
        )),
        (true, Some(id)) => {
            client_in_scope(state, caller, id).await?;
            Ok(Some(id))
        }
        (false, Some(_)) => Err(Error::field(
            "companyId",
            "must be left out for the operator's staff (roles admin and super_admin)",
        )),
        (false, None) => Ok(None),
    }
}

/// A new user's fields, parsed: every field's error together with the
/// missing ones (`password` only where one is required) and a `createdBy`
/// that is not the caller's own id.
pub fn parse_new(
    caller: &Caller,
    text: UserText<'_>,
    created_by: Option<i64>,
    password_required: bool,
) -> Result<UserDraft, Error> {
    let mut errors = FieldErrors::new();
    for (field, sent) in [
        ("name", text.name.is_some()),
        ("username", text.username.is_some()),
        ("password", text.password.is_some() || !password_required),
    ] {
        if !sent {
            errors.insert(field.to_owned(), vec!["is required".into()]);
        }
    }
    if created_by.is_some_and(|id| id != caller.user.id) {
        errors.insert(
            "createdBy".into(),
            vec!["must be your own user id, or left out".into()],
        );
    }
    match UserDraft::parse(text) {
        Ok(draft) if errors.is_empty() => Ok(draft),
        Ok(_) => Err(Error::fields(errors)),
        Err(parse) => {
            for (field, msgs) in parse {
                errors.entry(field).or_default().extend(msgs);
            }
            Err(Error::fields(errors))
        }
    }
}

/// Check a new user against every rule (the caller's rights, the company,
/// permissions and modules) without writing anything: the user to create.
/// Uniqueness is left to the store.
pub async fn check_new(
    state: &AppState,
    caller: &Caller,
    draft: &UserDraft,
) -> Result<NewUser, Error> {
    let (Some(name), Some(username)) = (draft.name.clone(), draft.username.clone()) else {
        return Err(Error::field("name", "is required"));
    };
    let role = draft.role.unwrap_or(Role::User);
    check_role_grant(caller, role)?;
    let company = company_for_new_user(state, caller, role, draft.company_id).await?;
    let permissions = draft.permissions.unwrap_or_default();
    check_permission_change(caller, PermissionSet::empty(), permissions, role)?;
    check_modules(state, company, &draft.modules).await?;
    Ok(NewUser {
        company_id: company,
        name,
        username,
        email: draft.email.clone().flatten(),
        role,
        permissions,
        is_active: draft.is_active.unwrap_or(true),
        must_change_password: true,
        created_by: Some(caller.user.id),
        modules: draft.modules.clone().flatten(),
        now: Timestamp::now(),
    })
}

/// `POST /api/users-management`: a user with an admin-set password, which it must
/// change at first login.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    text: UserText<'_>,
    created_by: Option<i64>,
) -> Result<ManagedUser, Error> {
    caller.require(Permission::CreateUsers)?;
    let draft = parse_new(caller, text, created_by, true)?;
    let user = check_new(state, caller, &draft).await?;
    let password = draft
        .password
        .as_ref()
        .ok_or_else(|| Error::field("password", "is required"))?;
    let hash = state.passwords.hash(password).await?;
    let entry = created_entry(caller, &user);
    state
        .store
        .users
        .create_user(&user, &hash, Some(&entry))
        .await
        .map_err(conflict)
}

/// The activity entry about a user being created, written with it (the store
/// fills in the new user's id).
fn created_entry(caller: &Caller, user: &NewUser) -> NewActivity {
    let mut e = activity::entry("create", Some(&caller.user), &caller.meta);
    // The new user's company, not the caller's.
    e.company_id = user.company_id;
    e = activity::on_new_user(e, user.username.as_str(), user.company_id);
    let fields = fields_of(
        &user.name,
        &user.username,
        user.email.as_ref(),
        user.role,
        user.company_id,
        user.permissions,
        user.is_active,
    );
    e.changes = activity::changes(
        &fields
            .into_iter()
            .map(|(k, v)| (k, Value::Null, v))
            .collect::<Vec<_>>(),
    );
    e
}

pub async fn with_modules(state: &AppState, user: User) -> Result<ManagedUser, Error> {
    let mut map = state.store.users.modules_of_users(&[user.id]).await?;
    Ok(ManagedUser {
        modules: map.remove(&user.id).unwrap_or_default(),
        user,
    })
}

pub async fn get(state: &AppState, caller: &Caller, id: i64) -> Result<ManagedUser, Error> {
    caller.require(Permission::ViewUsers)?;
    let user = find_in_scope(state, caller, id).await?;
    with_modules(state, user).await
}

/// The filter confined to the caller's scope: a client-side caller asking for
/// another company gets an empty page (`None`).
fn scoped(caller: &Caller, mut filter: UserFilter) -> Option<UserFilter> {
    filter.company_id = caller.within_scope(filter.company_id)?;
    Some(filter)
}

/// A page of users with their modules, and what is known of the whole list.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: UserFilter,
) -> Result<UserPage, Error> {
    caller.require(Permission::ViewUsers)?;
    let Some(filter) = scoped(caller, filter) else {
        return Ok(UserPage {
            users: Vec::new(),
            total: 0,
            total_exact: true,
            has_more: false,
        });
    };
    Ok(state.store.users.list_users(&filter).await?)
}

pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: UserFilter,
) -> Result<Batches<User>, Error> {
    caller.require(Permission::ViewUsers)?;
    let mut e = activity::entry("export", Some(&caller.user), &caller.meta);
    e.target_type = Some("users".into());
    activity::record(state, e).await;
    Ok(match scoped(caller, filter) {
        Some(f) => state.store.users.export_users(&f),
        None => Box::pin(futures_util::stream::empty()),
    })
}

/// `PUT /api/users-management/{id}`: only the fields sent change. The change
/// is decided on the user as read and applied only if it is still so; if it
/// changed meanwhile, it is read and decided again (decision 0022).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    text: UserText<'_>,
) -> Result<ManagedUser, Error> {
    caller.require(Permission::EditUsers)?;
    // Not found before invalid, as for a read.
    find_in_scope(state, caller, id).await?;
    let draft = UserDraft::parse(text).map_err(Error::fields)?;
    let mut password_hash: Option<PasswordHash> = None;
    for attempt in 0..TRIES {
        let before = find_in_scope(state, caller, id).await?;
        let Some(mut changes) = plan_update(state, caller, &before, &draft).await? else {
            return with_modules(state, before).await;
        };
        if let (Some(pw), None) = (&draft.password, &password_hash) {
            let policy = &state.settings.throttle;
            let now = Timestamp::now();
            throttle::reset(state.throttle.as_ref(), policy, caller.user.id, id, now).await?;
            password_hash = Some(state.passwords.hash(pw).await?);
        }
        changes.password_hash = password_hash.clone();
        changes.unchanged_since = Some(before.updated_at);
        let before = with_modules(state, before).await?;
        let planned = planned_after(state, &before, &changes).await?;
        let mut e = activity::on_user(
            activity::entry("update", Some(&caller.user), &caller.meta),
            &planned.user,
        );
        e.company_id = planned.user.company_id.or(before.user.company_id);
        let mut pairs: Vec<(&str, Value, Value)> = fields(&before.user)
            .into_iter()
            .zip(fields(&planned.user))
            .map(|((k, a), (_, b))| (k, a, b))
            .collect();
        pairs.push(("modules", json!(before.modules), json!(planned.modules)));
        if changes.password_hash.is_some() {
            pairs.push(("password", json!("old"), json!("new")));
        }
        e.changes = activity::changes(&pairs);
        let entry = e.changes.is_some().then_some(&e);
        match state
            .store
            .users
            .update_user(id, &changes, Timestamp::now(), entry)
            .await
        {
            Ok(after) => return with_modules(state, after).await,
            Err(StoreError::Changed) => back_off(attempt).await,
            Err(e) => return Err(conflict(e)),
        }
    }
    Err(changed_meanwhile())
}

/// The changes `draft` makes to `before`, checked against every rule; `None`
/// when it changes nothing. The password's hash is left to the caller.
async fn plan_update(
    state: &AppState,
    caller: &Caller,
    before: &User,
    draft: &UserDraft,
) -> Result<Option<UserChanges>, Error> {
    check_may_manage(state, caller, before).await?;
    let own = before.id == caller.user.id;
    if own {
        let refused: Vec<&str> = [
            ("role", draft.role.is_some()),
            ("permissions", draft.permissions.is_some()),
            ("companyId", draft.company_id.is_some()),
            ("isActive", draft.is_active.is_some()),
            ("password", draft.password.is_some()),
        ]
        .into_iter()
        .filter(|(_, sent)| *sent)
        .map(|(f, _)| f)
        .collect();
        if !refused.is_empty() {
            return Err(Error::Forbidden(format!(
                "You cannot change your own {}; change your password at /api/auth/change-password",
                refused.join(", ")
            )));
        }
    }
    let role = draft.role.unwrap_or(before.role);
    if draft.role.is_some_and(|r| r != before.role) {
        check_role_grant(caller, role)?;
    }
    // The company after the change, checked like a new user's.
    let company = match draft.company_id {
        Some(sent) if sent != before.company_id => {
            if caller.scope().is_some() {
                return Err(client_not_found());
            }
            if is_owner(state, before).await? {
                return Err(Error::Conflict(
                    "This user owns its client and cannot move to another company".into(),
                ));
            }
            company_for_new_user(state, caller, role, Some(sent)).await?
        }
        _ => before.company_id,
    };
    if role.needs_company() != company.is_some() {
        return Err(Error::field(
            "companyId",
            if role.needs_company() {
                "is required for client users (roles user and client_admin)"
            } else {
                "must be empty for the operator's staff (roles admin and super_admin)"
            },
        ));
    }
    if let Some(perms) = draft.permissions {
        if perms != before.permissions {
            caller.require(Permission::ManageUserPermissions)?;
        }
        check_permission_change(caller, before.permissions, perms, role)?;
    } else if !role.is_operator_staff()
        && before
            .permissions
            .contains(Permission::SystemAdministration)
    {
        // A staff member turned client user loses 60.
        return Err(Error::field(
            "permissions",
            "permission 60 (System Administration) is for the operator's staff only; remove it too",
        ));
    }
    check_modules(state, company, &draft.modules).await?;
    let changes = UserChanges {
        name: draft.name.clone(),
        username: draft.username.clone(),
        email: draft.email.clone(),
        role: draft.role,
        permissions: draft.permissions,
        is_active: draft.is_active,
        company_id: (company != before.company_id).then_some(company),
        password_hash: None,
        modules: draft.modules.clone(),
        unchanged_since: None,
    };
    Ok((!changes.is_empty() || draft.password.is_some()).then_some(changes))
}

/// The user as `changes` will leave `before` (what the activity entry, written
/// with the change, says it became).
async fn planned_after(
    state: &AppState,
    before: &ManagedUser,
    changes: &UserChanges,
) -> Result<ManagedUser, Error> {
    let mut user = before.user.clone();
    if let Some(v) = &changes.name {
        user.name = v.clone();
    }
    if let Some(v) = &changes.username {
        user.username = v.clone();
    }
    if let Some(v) = &changes.email {
        user.email = v.clone();
    }
    if let Some(v) = changes.role {
        user.role = v;
    }
    if let Some(v) = changes.permissions {
        user.permissions = v;
    }
    if let Some(v) = changes.is_active {
        user.is_active = v;
    }
    if let Some(v) = changes.company_id {
        user.company_id = v;
    }
    let modules = match (&changes.modules, changes.company_id) {
        (Some(Some(list)), _) => list.iter().map(|m| m.as_str().to_owned()).collect(),
        (Some(None), _) | (None, Some(_)) => match user.company_id {
            Some(company) => state.store.modules.client_modules(company).await?,
            None => Vec::new(),
        },
        (None, None) => before.modules.clone(),
    };
    Ok(ManagedUser { user, modules })
}

/// What a permissions change did.
pub struct PermissionsChanged {
    pub user: User,
    pub added: PermissionSet,
}

pub async fn permissions(state: &AppState, caller: &Caller, id: i64) -> Result<User, Error> {
    caller.require(Permission::ViewUsers)?;
    find_in_scope(state, caller, id).await
}

/// Replace (`add == false`) or extend (`add == true`) a user's permissions:
/// decided on the user as read and applied only if it is still so (else read
/// and decided again), with its activity entry in the same transaction.
pub async fn change_permissions(
    state: &AppState,
    caller: &Caller,
    id: i64,
    ids: &[i64],
    updated_by: Option<i64>,
    add: bool,
) -> Result<PermissionsChanged, Error> {
    caller.require(Permission::ManageUserPermissions)?;
    for attempt in 0..TRIES {
        let before = find_in_scope(state, caller, id).await?;
        let sent = parse_permissions(ids)?;
        if updated_by.is_some_and(|u| u != caller.user.id) {
            return Err(Error::field(
                "updatedBy",
                "must be your own user id, or left out",
            ));
        }
        if before.id == caller.user.id {
            return Err(Error::Forbidden(
                "You cannot change your own permissions".into(),
            ));
        }
        check_may_manage(state, caller, &before).await?;
        let after_set = if add {
            before.permissions.union(sent)
        } else {
            sent
        };
        check_permission_change(caller, before.permissions, after_set, before.role)?;
        let added = PermissionSet::from_bits(after_set.bits() & !before.permissions.bits());
        if after_set == before.permissions {
            return Ok(PermissionsChanged {
                user: before,
                added,
            });
        }
        let action = if add {
            "add_permissions"
        } else {
            "update_permissions"
        };
        let mut e = activity::on_user(
            activity::entry(action, Some(&caller.user), &caller.meta),
            &before,
        );
        e.changes = activity::changes(&[(
            "permissions",
            json!(before.permissions.ids()),
            json!(after_set.ids()),
        )]);
        let changes = UserChanges {
            permissions: Some(after_set),
            unchanged_since: Some(before.updated_at),
            ..UserChanges::default()
        };
        match state
            .store
            .users
            .update_user(id, &changes, Timestamp::now(), Some(&e))
            .await
        {
            Ok(user) => return Ok(PermissionsChanged { user, added }),
            Err(StoreError::Changed) => back_off(attempt).await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(changed_meanwhile())
}

/// What a password reset answers, once.
pub struct PasswordReset {
    pub user: ManagedUser,
    pub password: Password,
}

/// `POST /api/users-management/{id}/reset-password`: a generated password,
/// answered once, which the user must change at its next login; its old
/// password and every session it has end. Permission 3, a user in scope and
/// not above the caller; one's own password is changed, not reset.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<PasswordReset, Error> {
    caller.require(Permission::EditUsers)?;
    let target = find_in_scope(state, caller, id).await?;
    if target.id == caller.user.id {
        return Err(Error::Forbidden(
            "You cannot reset your own password; change it at /api/auth/change-password".into(),
        ));
    }
    check_may_manage(state, caller, &target).await?;
    let policy = &state.settings.throttle;
    throttle::reset(
        state.throttle.as_ref(),
        policy,
        caller.user.id,
        id,
        Timestamp::now(),
    )
    .await?;
    let password = Password::generate(16);
    let hash = state.passwords.hash(&password).await?;
    let mut e = activity::on_user(
        activity::entry("reset_password", Some(&caller.user), &caller.meta),
        &target,
    );
    e.changes = activity::changes(&[("password", json!(null), json!("reset"))]);
    let changes = UserChanges {
        password_hash: Some(hash),
        ..UserChanges::default()
    };
    let user = state
        .store
        .users
        .update_user(id, &changes, Timestamp::now(), Some(&e))
        .await?;
    Ok(PasswordReset {
        user: with_modules(state, user).await?,
        password,
    })
}

/// What adding a user to a client answers, once.
pub struct ClientUserCreated {
    pub user: ManagedUser,
    pub password: Password,
}

/// Seed 000's "Add New User" for a client: a generated temporary password, all
/// the client's active modules, and a change of password at first login.
pub async fn create_client_user(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    name: &str,
    email: &str,
    role: Option<&str>,
) -> Result<ClientUserCreated, Error> {
    caller.require(Permission::CreateUsers)?;
    client_in_scope(state, caller, client_id).await?;
    let mut errors = FieldErrors::new();
    let name = PersonName::parse(name)
        .map_err(|e| errors.insert("name".into(), vec![e.0]))
        .ok();
    let email = EmailAddress::parse(email)
        .map_err(|e| errors.insert("email".into(), vec![e.0]))
        .ok();
    let role = match role.unwrap_or("user") {
        "user" => Some(Role::User),
        "client_admin" => Some(Role::ClientAdmin),
        _ => {
            errors.insert("role".into(), vec!["must be user or client_admin".into()]);
            None
        }
    };
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        return Err(Error::fields(errors));
    };
    check_role_grant(caller, role)?;
    let taken = state
        .store
        .users
        .taken_emails(Some(client_id), &[email.as_str().to_owned()])
        .await?;
    if !taken.is_empty() {
        return Err(Error::Conflict(
            "A user with this email already exists in this client".into(),
        ));
    }
    let permissions = match role {
        Role::ClientAdmin => PermissionSet::client_owner(),
        _ => PermissionSet::of(&[Permission::ViewUsers]),
    };
    let permissions =
        PermissionSet::from_bits(permissions.bits() & caller.user.effective_permissions().bits());
    let password = Password::generate(16);
    let hash = state.passwords.hash(&password).await?;
    let base: String = Username::from_email(email.as_str())
        .chars()
        .take(56)
        .collect();
    let mut attempt = 0u32;
    let user = loop {
        let username = if attempt == 0 {
            base.clone()
        } else {
            format!("{base}{}", random_digits(2 + attempt / 4))
        };
        let username = Username::parse(&username).map_err(|e| Error::field("email", e.0))?;
        let new = NewUser {
            company_id: Some(client_id),
            name: name.clone(),
            username,
            email: Some(email.clone()),
            role,
            permissions,
            is_active: true,
            must_change_password: true,
            created_by: Some(caller.user.id),
            modules: None,
            now: Timestamp::now(),
        };
        match state
            .store
            .users
            .create_user(&new, &hash, Some(&created_entry(caller, &new)))
            .await
        {
            Ok(u) => break u,
            Err(StoreError::Conflict(f)) if f == "username" && attempt < 24 => attempt += 1,
            Err(e) => return Err(conflict(e)),
        }
    };
    Ok(ClientUserCreated { user, password })
}

/// The fields an activity entry compares, by their API names.
pub fn fields(u: &User) -> Vec<(&'static str, Value)> {
    fields_of(
        &u.name,
        &u.username,
        u.email.as_ref(),
        u.role,
        u.company_id,
        u.permissions,
        u.is_active,
    )
}

fn fields_of(
    name: &PersonName,
    username: &Username,
    email: Option<&EmailAddress>,
    role: Role,
    company_id: Option<i64>,
    permissions: PermissionSet,
    is_active: bool,
) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!(name.as_str())),
        ("username", json!(username.as_str())),
        ("email", json!(email.map(EmailAddress::as_str))),
        ("role", json!(role.as_str())),
        ("companyId", json!(company_id)),
        ("permissions", json!(permissions.ids())),
        ("isActive", json!(is_active)),
    ]
}
