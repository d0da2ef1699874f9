//! Rules for users (seed 003's users-management, seed 000's client users):
//! who may see, create and change whom, and with which roles, permissions and
//! modules.
//!
//! Scope: operator staff act on every company; client-side users only on their
//! own, and anything outside a caller's scope is "not found". Nobody grants a
//! role or a permission above its own; only a super admin creates operator staff.

use crate::activity;
use crate::auth::access::require;
use crate::auth::{throttle, Caller};
use crate::domain::{
    EmailAddress, ModuleName, Password, Permission, PermissionSet, PersonName, Role, Timestamp,
    User, Username,
};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::{Batches, NewActivity, NewUser, StoreError, UserChanges, UserFilter};
use secrecy::SecretString;
use serde_json::{json, Value};

/// A user's fields as sent, still unparsed. `None`: not sent; `Some(None)`: null.
#[derive(Debug, Default)]
pub struct UserInput {
    pub name: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub company_id: Option<Option<i64>>,
    pub is_active: Option<bool>,
    pub permissions: Option<Vec<i64>>,
    pub modules: Option<Option<Vec<String>>>,
    /// Seed 003 lets the caller name itself as the creator; nobody else.
    pub created_by: Option<i64>,
}

pub use crate::domain::ManagedUser;

fn not_found() -> Error {
    Error::NotFound("User not found".into())
}

fn client_not_found() -> Error {
    Error::NotFound("Client not found".into())
}

/// The company a client-side caller is confined to; `None` for operator staff.
pub fn own_company(caller: &Caller) -> Option<i64> {
    if caller.user.role.is_operator_staff() {
        None
    } else {
        // A client-side user without a company sees nothing: company 0 never exists.
        Some(caller.user.company_id.unwrap_or(0))
    }
}

/// The user, if it exists and is inside the caller's scope.
async fn find_in_scope(state: &AppState, caller: &Caller, id: i64) -> Result<User, Error> {
    let user = state.store.user_by_id(id).await?.ok_or_else(not_found)?;
    match own_company(caller) {
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
    if let Some(own) = own_company(caller) {
        if own != client_id {
            return Err(client_not_found());
        }
    }
    state
        .store
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
    let held = caller.user.effective_permissions();
    let lacking = PermissionSet::from_bits(target.effective_permissions().bits() & !held.bits());
    if target.role > caller.user.role || !lacking.ids().is_empty() {
        let mut what = Vec::new();
        if target.role > caller.user.role {
            what.push(format!("the role {}", target.role.as_str()));
        }
        if !lacking.ids().is_empty() {
            what.push(format!("permissions {}", join_ids(&lacking.ids())));
        }
        return Err(Error::Forbidden(format!(
            "You cannot change a user above you: it holds {} that you do not",
            what.join(" and ")
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
        .client_by_id(company)
        .await?
        .is_some_and(|c| c.owner_id == Some(user.id)))
}

/// How many times a change decided on a user as read is tried again when the
/// user changed meanwhile (each try reads it again and decides again).
const TRIES: u32 = 50;

/// A short, growing, random pause before trying a change again, so that
/// callers racing for one row do not keep colliding in step.
async fn back_off(attempt: u32) {
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

pub fn parse_permissions(ids: &[i64]) -> Result<PermissionSet, Error> {
    PermissionSet::from_ids(ids).map_err(|e| {
        Error::field(
            "permissions",
            format!(
                "unknown permission ids: {}",
                e.0.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// Parsed, well-formed fields (not yet checked against the caller or the store).
#[derive(Default)]
struct Parsed {
    name: Option<String>,
    username: Option<String>,
    password: Option<Password>,
    email: Option<Option<String>>,
    role: Option<Role>,
    permissions: Option<PermissionSet>,
    modules: Option<Option<Vec<String>>>,
}

fn parse_fields(input: &UserInput, errors: &mut FieldErrors) -> Parsed {
    let mut p = Parsed::default();
    let mut fail = |field: &str, msg: String| {
        errors.entry(field.to_owned()).or_default().push(msg);
    };
    if let Some(n) = &input.name {
        match PersonName::parse(n) {
            Ok(n) => p.name = Some(n.into_inner()),
            Err(e) => fail("name", e.0),
        }
    }
    if let Some(u) = &input.username {
        match Username::parse(u) {
            Ok(u) => p.username = Some(u.into_inner()),
            Err(e) => fail("username", e.0),
        }
    }
    if let Some(pw) = &input.password {
        match Password::parse(pw.clone()) {
            Ok(pw) => p.password = Some(pw),
            Err(e) => fail("password", e.to_string()),
        }
    }
    match &input.email {
        None => {}
        Some(None) => p.email = Some(None),
        Some(Some(e)) if e.trim().is_empty() => p.email = Some(None),
        Some(Some(e)) => match EmailAddress::parse(e) {
            Ok(e) => p.email = Some(Some(e.into_inner())),
            Err(err) => fail("email", err.0),
        },
    }
    if let Some(r) = &input.role {
        match Role::parse(r) {
            Ok(r) => p.role = Some(r),
            Err(e) => fail("role", e.0),
        }
    }
    if let Some(ids) = &input.permissions {
        match parse_permissions(ids) {
            Ok(set) => p.permissions = Some(set),
            Err(Error::Validation { details, .. }) => {
                for (f, msgs) in details {
                    for m in msgs {
                        fail(&f, m);
                    }
                }
            }
            Err(_) => {}
        }
    }
    match &input.modules {
        None => {}
        Some(None) => p.modules = Some(None),
        Some(Some(list)) => {
            let mut names = Vec::new();
            for m in list {
                match ModuleName::parse(m) {
                    Ok(n) if !names.contains(&n.as_str().to_owned()) => names.push(n.into_inner()),
                    Ok(_) => {}
                    Err(e) => fail("modules", format!("{m:?} {}", e.0)),
                }
            }
            names.sort();
            p.modules = Some(Some(names));
        }
    }
    p
}

/// The modules must all be active for the company (and staff have none).
async fn check_modules(
    state: &AppState,
    company: Option<i64>,
    modules: &Option<Option<Vec<String>>>,
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
    let active = state.store.client_modules(company).await?;
    let outside: Vec<&str> = list
        .iter()
        .filter(|m| !active.contains(m))
        .map(String::as_str)
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
    if let Some(own) = own_company(caller) {
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

/// A new user checked against every rule, waiting for its password hash.
pub struct Prepared {
    pub user: NewUser,
    /// The password sent, if any.
    pub password: Option<Password>,
}

/// Check a new user's fields against every rule (the caller's rights, the
/// company, permissions and modules) without writing anything. Uniqueness is
/// left to the store.
pub async fn prepare(
    state: &AppState,
    caller: &Caller,
    input: &UserInput,
    password_required: bool,
) -> Result<Prepared, Error> {
    let mut errors = FieldErrors::new();
    for (field, sent) in [
        ("name", input.name.is_some()),
        ("username", input.username.is_some()),
        ("password", input.password.is_some() || !password_required),
    ] {
        if !sent {
            errors.insert(field.to_owned(), vec!["is required".into()]);
        }
    }
    if input.created_by.is_some_and(|id| id != caller.user.id) {
        errors.insert(
            "createdBy".into(),
            vec!["must be your own user id, or left out".into()],
        );
    }
    let p = parse_fields(input, &mut errors);
    if !errors.is_empty() {
        return Err(Error::fields(errors));
    }
    let role = p.role.unwrap_or(Role::User);
    check_role_grant(caller, role)?;
    let company = company_for_new_user(state, caller, role, input.company_id).await?;
    let permissions = p.permissions.unwrap_or_default();
    check_permission_change(caller, PermissionSet::empty(), permissions, role)?;
    check_modules(state, company, &p.modules).await?;
    Ok(Prepared {
        user: NewUser {
            company_id: company,
            name: p.name.unwrap_or_default(),
            username: p.username.unwrap_or_default(),
            email: p.email.flatten(),
            role,
            permissions,
            password_hash: String::new(),
            is_active: input.is_active.unwrap_or(true),
            must_change_password: true,
            created_by: Some(caller.user.id),
            modules: p.modules.flatten(),
            now: Timestamp::now(),
        },
        password: p.password,
    })
}

/// `POST /api/users-management`: a user with an admin-set password, which it must
/// change at first login.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: UserInput,
) -> Result<ManagedUser, Error> {
    require(caller, Permission::CreateUsers)?;
    let Prepared { mut user, password } = prepare(state, caller, &input, true).await?;
    let password = password.ok_or_else(|| Error::field("password", "is required"))?;
    user.password_hash = state.passwords.hash(&password).await?;
    let entry = created_entry(caller, &user);
    state
        .store
        .create_user(&user, Some(&entry))
        .await
        .map_err(conflict)
}

/// The activity entry about a user being created, written with it (the store
/// fills in the new user's id).
fn created_entry(caller: &Caller, user: &NewUser) -> NewActivity {
    let mut e = activity::entry("create", Some(&caller.user), &caller.meta);
    // The new user's company, not the caller's.
    e.company_id = user.company_id;
    e = activity::on_new_user(e, &user.username, user.company_id);
    let fields = fields_of(
        &user.name,
        &user.username,
        user.email.as_deref(),
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
    let mut map = state.store.modules_of_users(&[user.id]).await?;
    Ok(ManagedUser {
        modules: map.remove(&user.id).unwrap_or_default(),
        user,
    })
}

pub async fn get(state: &AppState, caller: &Caller, id: i64) -> Result<ManagedUser, Error> {
    require(caller, Permission::ViewUsers)?;
    let user = find_in_scope(state, caller, id).await?;
    with_modules(state, user).await
}

/// The filter, confined to the caller's scope: a client-side caller asking for
/// another company gets an empty page (`None`).
pub fn scoped(caller: &Caller, mut filter: UserFilter) -> Option<UserFilter> {
    if let Some(own) = own_company(caller) {
        if filter.company_id.is_some_and(|c| c != own) {
            return None;
        }
        filter.company_id = Some(own);
    }
    Some(filter)
}

/// A page of users with their modules, and what is known of the whole list.
pub struct ManagedPage {
    pub users: Vec<ManagedUser>,
    pub total: i64,
    pub total_exact: bool,
    pub has_more: bool,
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: UserFilter,
) -> Result<ManagedPage, Error> {
    require(caller, Permission::ViewUsers)?;
    let Some(filter) = scoped(caller, filter) else {
        let empty = ManagedPage {
            users: Vec::new(),
            total: 0,
            total_exact: true,
            has_more: false,
        };
        return Ok(empty);
    };
    let page = state.store.list_users(&filter).await?;
    Ok(ManagedPage {
        users: page.users,
        total: page.total,
        total_exact: page.total_exact,
        has_more: page.has_more,
    })
}

pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: UserFilter,
) -> Result<Batches<User>, Error> {
    require(caller, Permission::ViewUsers)?;
    let mut e = activity::entry("export", Some(&caller.user), &caller.meta);
    e.target_type = Some("users".into());
    activity::record(state.store.as_ref(), e).await;
    Ok(match scoped(caller, filter) {
        Some(f) => state.store.export_users(&f),
        None => Box::pin(futures_util::stream::empty()),
    })
}

/// `PUT /api/users-management/{id}`: only the fields sent change. The change
/// is decided on the user as read and applied only if it is still so; if it
/// changed meanwhile, it is read and decided again.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: UserInput,
) -> Result<ManagedUser, Error> {
    require(caller, Permission::EditUsers)?;
    let mut errors = FieldErrors::new();
    let p = parse_fields(&input, &mut errors);
    let mut password_hash: Option<String> = None;
    for attempt in 0..TRIES {
        let before = find_in_scope(state, caller, id).await?;
        if !errors.is_empty() {
            return Err(Error::fields(errors));
        }
        let Some(mut changes) = plan_update(state, caller, &before, &input, &p).await? else {
            return with_modules(state, before).await;
        };
        if let (Some(pw), None) = (&p.password, &password_hash) {
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

/// The changes `input` makes to `before`, checked against every rule; `None`
/// when it changes nothing. The password's hash is left to the caller.
async fn plan_update(
    state: &AppState,
    caller: &Caller,
    before: &User,
    input: &UserInput,
    p: &Parsed,
) -> Result<Option<UserChanges>, Error> {
    check_may_manage(state, caller, before).await?;
    let own = before.id == caller.user.id;
    if own {
        let refused: Vec<&str> = [
            ("role", input.role.is_some()),
            ("permissions", input.permissions.is_some()),
            ("companyId", input.company_id.is_some()),
            ("isActive", input.is_active.is_some()),
            ("password", input.password.is_some()),
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
    let role = p.role.unwrap_or(before.role);
    if p.role.is_some_and(|r| r != before.role) {
        check_role_grant(caller, role)?;
    }
    // The company after the change, checked like a new user's.
    let company = match input.company_id {
        Some(sent) if sent != before.company_id => {
            if own_company(caller).is_some() {
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
    if let Some(perms) = p.permissions {
        if perms != before.permissions {
            require(caller, Permission::ManageUserPermissions)?;
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
    check_modules(state, company, &p.modules).await?;
    let changes = UserChanges {
        name: p.name.clone(),
        username: p.username.clone(),
        email: p.email.clone(),
        role: p.role,
        permissions: p.permissions,
        is_active: input.is_active,
        company_id: (company != before.company_id).then_some(company),
        password_hash: None,
        modules: p.modules.clone(),
        unchanged_since: None,
    };
    Ok((!changes.is_empty() || p.password.is_some()).then_some(changes))
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
        (Some(Some(list)), _) => list.clone(),
        (Some(None), _) | (None, Some(_)) => match user.company_id {
            Some(company) => state.store.client_modules(company).await?,
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
    require(caller, Permission::ViewUsers)?;
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
    require(caller, Permission::ManageUserPermissions)?;
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
    require(caller, Permission::CreateUsers)?;
    client_in_scope(state, caller, client_id).await?;
    let mut errors = FieldErrors::new();
    let name = PersonName::parse(name)
        .map(PersonName::into_inner)
        .map_err(|e| errors.insert("name".into(), vec![e.0]))
        .ok();
    let email = EmailAddress::parse(email)
        .map(EmailAddress::into_inner)
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
    if !state
        .store
        .taken_emails(Some(client_id), std::slice::from_ref(&email))
        .await?
        .is_empty()
    {
        return Err(Error::Conflict(
            "A user with this email already exists in this client".into(),
        ));
    }
    let permissions = match role {
        Role::ClientAdmin => crate::clients::owner_permissions(),
        _ => PermissionSet::of(&[Permission::ViewUsers]),
    };
    let permissions =
        PermissionSet::from_bits(permissions.bits() & caller.user.effective_permissions().bits());
    let password = Password::generate(16);
    let hash = state.passwords.hash(&password).await?;
    let base: String = crate::accounts::username_from_email(&email)
        .chars()
        .take(56)
        .collect();
    let mut attempt = 0u32;
    let user = loop {
        let username = if attempt == 0 {
            base.clone()
        } else {
            format!(
                "{base}{}",
                crate::domain::client::random_digits(2 + attempt / 4)
            )
        };
        let new = NewUser {
            company_id: Some(client_id),
            name: name.clone(),
            username,
            email: Some(email.clone()),
            role,
            permissions,
            password_hash: hash.clone(),
            is_active: true,
            must_change_password: true,
            created_by: Some(caller.user.id),
            modules: None,
            now: Timestamp::now(),
        };
        match state
            .store
            .create_user(&new, Some(&created_entry(caller, &new)))
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
        u.email.as_deref(),
        u.role,
        u.company_id,
        u.permissions,
        u.is_active,
    )
}

fn fields_of(
    name: &str,
    username: &str,
    email: Option<&str>,
    role: Role,
    company_id: Option<i64>,
    permissions: PermissionSet,
    is_active: bool,
) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!(name)),
        ("username", json!(username)),
        ("email", json!(email)),
        ("role", json!(role.as_str())),
        ("companyId", json!(company_id)),
        ("permissions", json!(permissions.ids())),
        ("isActive", json!(is_active)),
    ]
}
