//! Rules for product modules (seed 000): the catalogue, and each client's
//! active modules. A user's own modules are set through the user rules.

use crate::activity;
use crate::auth::access::{require, require_staff};
use crate::auth::Caller;
use crate::domain::{client, Module, ModuleName, Permission, Timestamp};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::StoreError;
use crate::users::client_in_scope;
use serde_json::json;

pub async fn catalogue(state: &AppState) -> Result<Vec<Module>, Error> {
    Ok(state.store.list_modules().await?)
}

/// Add a module to the catalogue: System Administration (60) only.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    name: &str,
    label: &str,
) -> Result<Module, Error> {
    require_staff(caller, Permission::SystemAdministration)?;
    let mut errors = FieldErrors::new();
    let name = ModuleName::parse(name)
        .map_err(|e| errors.insert("name".into(), vec![e.0]))
        .ok();
    let label = client::text(label, 1, 100, false)
        .map_err(|e| errors.insert("label".into(), vec![e.0]))
        .ok();
    let (Some(name), Some(label)) = (name, label) else {
        return Err(Error::fields(errors));
    };
    let module = Module {
        name: name.into_inner(),
        label,
        created_at: Timestamp::now(),
    };
    let module = state
        .store
        .create_module(&module)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                Error::Conflict("A module with this name already exists".into())
            }
            e => e.into(),
        })?;
    let mut e = activity::entry("create", Some(&caller.user), &caller.meta);
    e.target_type = Some("module".into());
    e.target_id = Some(module.name.clone());
    e.target_label = Some(module.label.clone());
    e.changes = activity::changes(&[("name", json!(null), json!(module.name))]);
    activity::record(state.store.as_ref(), e).await;
    Ok(module)
}

/// A client's active modules: operator staff with permission 20, or the
/// client's own users.
pub async fn of_client(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
) -> Result<Vec<String>, Error> {
    if caller.user.role.is_operator_staff() {
        require(caller, Permission::ViewCustomers)?;
    }
    client_in_scope(state, caller, client_id).await?;
    Ok(state.store.client_modules(client_id).await?)
}

/// Replace a client's active modules: operator staff with permission 22. Users
/// with a choice of their own keep only what is still active.
pub async fn set_for_client(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    names: &[String],
) -> Result<Vec<String>, Error> {
    require_staff(caller, Permission::EditCustomers)?;
    let catalogue: Vec<String> = state
        .store
        .list_modules()
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| !catalogue.contains(n))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Error::field(
            "modules",
            format!("not in the module catalogue: {}", unknown.join(", ")),
        ));
    }
    // Decided on the client as read, applied only if it is still so (else
    // read again), with the entry in the same transaction.
    for attempt in 0..50u32 {
        let client = state
            .store
            .client_by_id(client_id)
            .await?
            .ok_or_else(|| Error::NotFound("Client not found".into()))?;
        let before = of_client(state, caller, client_id).await?;
        let mut after: Vec<String> = names.to_vec();
        after.sort();
        after.dedup();
        let mut e = activity::entry("update_modules", Some(&caller.user), &caller.meta);
        e.company_id = Some(client_id);
        e.target_type = Some("client".into());
        e.target_id = Some(client_id.to_string());
        e.target_label = Some(client.company_name.clone());
        e.changes = activity::changes(&[("modules", json!(before), json!(after))]);
        let entry = e.changes.is_some().then_some(&e);
        match state
            .store
            .set_client_modules(client_id, names, Timestamp::now(), client.updated_at, entry)
            .await
        {
            Ok(after) => return Ok(after),
            Err(StoreError::Changed) => {
                use rand::Rng;
                let ms = rand::thread_rng().gen_range(0..=u64::from(attempt.min(10)) + 1);
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Conflict(
        "The client kept changing while this change was made; try again".into(),
    ))
}
