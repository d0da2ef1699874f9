//! Rules for client companies: onboarding with generated credentials, changes,
//! password resets, activation, credits and export.

use crate::activity;
use crate::auth::access::require_staff;
use crate::auth::{throttle, Caller};
use crate::domain::client::{self, derived_username};
use crate::domain::{
    BusinessType, Client, EmailAddress, LeadStatus, Password, Permission, PermissionSet, Role,
    Timestamp, User,
};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::{
    Batches, ClientChanges, ClientFilter, CreditEntry, CreditOutcome, NewClient, NewUser,
    StoreError,
};
use serde_json::{json, Value};

/// A client's fields as sent, still unparsed. `None`: not sent; `Some(None)`: null.
#[derive(Debug, Default)]
pub struct ClientInput {
    pub company_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_name: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub whatsapp_number: Option<Option<String>>,
    pub business_address: Option<Option<String>>,
    pub business_type: Option<Option<String>>,
    pub gst_number: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub lead_status: Option<String>,
    pub notes: Option<Option<String>>,
}

/// `r`'s value, or `None` with its error kept under `field`.
fn collect<T>(
    errors: &mut FieldErrors,
    field: &str,
    r: Result<T, crate::domain::ParseError>,
) -> Option<T> {
    r.map_err(|e| errors.insert(field.to_owned(), vec![e.0]))
        .ok()
}

/// Parse every sent field, collecting every field's error.
fn parse(input: ClientInput, region: &str) -> Result<ClientChanges, Error> {
    let mut errors = FieldErrors::new();
    // One of the listed values or null: unlike a text field, blank is not one
    // of them (the schema says so too; the fuzzer found blank accepted).
    let business_type = match input.business_type {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => collect(&mut errors, "businessType", BusinessType::parse(&s)).map(Some),
    };
    // An optional field: null or blank clears it; anything else must parse.
    let mut optional =
        |field: &str,
         v: Option<Option<String>>,
         f: &dyn Fn(&str) -> Result<String, crate::domain::ParseError>| {
            match v {
                None => None,
                Some(None) => Some(None),
                Some(Some(s)) if s.trim().is_empty() => Some(None),
                Some(Some(s)) => collect(&mut errors, field, f(&s)).map(Some),
            }
        };
    let changes = ClientChanges {
        contact_name: optional("contactName", input.contact_name, &|s| {
            client::text(s, 1, 100, false)
        }),
        phone_number: optional("phoneNumber", input.phone_number, &|s| {
            client::phone_number(s, region)
        }),
        whatsapp_number: optional("whatsappNumber", input.whatsapp_number, &|s| {
            client::phone_number(s, region)
        }),
        business_address: optional("businessAddress", input.business_address, &|s| {
            client::text(s, 1, 500, true)
        }),
        business_type,
        gst_number: optional("gstNumber", input.gst_number, &client::gstin),
        website: optional("website", input.website, &client::website),
        notes: optional("notes", input.notes, &|s| client::text(s, 1, 5000, true)),
        company_name: None,
        contact_email: None,
        lead_status: None,
    };
    let company_name = input
        .company_name
        .and_then(|s| collect(&mut errors, "companyName", client::text(&s, 1, 200, false)));
    let contact_email = input.contact_email.and_then(|s| {
        collect(
            &mut errors,
            "contactEmail",
            EmailAddress::parse(&s).map(EmailAddress::into_inner),
        )
    });
    let lead_status = input
        .lead_status
        .and_then(|s| collect(&mut errors, "leadStatus", LeadStatus::parse(&s)));
    if !errors.is_empty() {
        return Err(Error::fields(errors));
    }
    Ok(ClientChanges {
        company_name,
        contact_email,
        lead_status,
        ..changes
    })
}

/// What onboarding answers, once.
pub struct Onboarded {
    pub client: Client,
    pub owner: User,
    pub password: Password,
}

/// The owner's starting permissions: view, create and edit users, manage permissions.
pub fn owner_permissions() -> PermissionSet {
    PermissionSet::of(&[
        Permission::ViewUsers,
        Permission::CreateUsers,
        Permission::EditUsers,
        Permission::ManageUserPermissions,
    ])
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: ClientInput,
) -> Result<Onboarded, Error> {
    require_staff(caller, Permission::CreateCustomers)?;
    let mut missing = FieldErrors::new();
    for (field, sent) in [
        ("companyName", input.company_name.is_some()),
        ("contactEmail", input.contact_email.is_some()),
    ] {
        if !sent {
            missing.insert(field.to_owned(), vec!["is required".into()]);
        }
    }
    if !missing.is_empty() {
        return Err(Error::fields(missing));
    }
    let ch = parse(input, &state.settings.default_phone_region)?;
    let now = Timestamp::now();
    let new = NewClient {
        company_name: ch.company_name.unwrap_or_default(),
        contact_email: ch.contact_email.unwrap_or_default(),
        contact_name: ch.contact_name.flatten(),
        phone_number: ch.phone_number.flatten(),
        whatsapp_number: ch.whatsapp_number.flatten(),
        business_address: ch.business_address.flatten(),
        business_type: ch.business_type.flatten(),
        gst_number: ch.gst_number.flatten(),
        website: ch.website.flatten(),
        lead_status: ch.lead_status.unwrap_or(LeadStatus::Lead),
        notes: ch.notes.flatten(),
        now,
    };
    let password = Password::generate(16);
    let hash = state.passwords.hash(&password).await?;
    // A username taken by a concurrent create is retried with fresh digits.
    let mut attempt = 0u32;
    let (client, owner) = loop {
        let owner = NewUser {
            company_id: None,
            name: new
                .contact_name
                .clone()
                .unwrap_or_else(|| new.company_name.clone()),
            username: derived_username(&new.company_name, 3 + attempt / 4),
            email: Some(new.contact_email.clone()),
            role: Role::ClientAdmin,
            permissions: owner_permissions(),
            password_hash: hash.clone(),
            is_active: true,
            must_change_password: true,
            created_by: Some(caller.user.id),
            modules: None,
            now,
        };
        match state.store.create_client(&new, &owner).await {
            Ok(done) => break done,
            Err(StoreError::Conflict(f)) if f == "username" && attempt < 24 => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    let mut e = on_client(
        activity::entry("create", Some(&caller.user), &caller.meta),
        &client,
    );
    e.changes = activity::changes(
        &fields(&client)
            .into_iter()
            .map(|(k, v)| (k, Value::Null, v))
            .collect::<Vec<_>>(),
    );
    activity::record(state.store.as_ref(), e).await;
    Ok(Onboarded {
        client,
        owner,
        password,
    })
}

pub async fn get(state: &AppState, caller: &Caller, id: i64) -> Result<Client, Error> {
    require_staff(caller, Permission::ViewCustomers)?;
    find(state, id).await
}

async fn find(state: &AppState, id: i64) -> Result<Client, Error> {
    state
        .store
        .client_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: &ClientFilter,
) -> Result<(Vec<Client>, i64), Error> {
    require_staff(caller, Permission::ViewCustomers)?;
    Ok(state.store.list_clients(filter).await?)
}

pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: &ClientFilter,
) -> Result<Batches<Client>, Error> {
    require_staff(caller, Permission::ViewCustomers)?;
    let mut e = activity::entry("export", Some(&caller.user), &caller.meta);
    e.company_id = None;
    e.target_type = Some("clients".into());
    activity::record(state.store.as_ref(), e).await;
    Ok(state.store.export_clients(filter))
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: ClientInput,
) -> Result<Client, Error> {
    require_staff(caller, Permission::EditCustomers)?;
    let before = find(state, id).await?;
    let changes = parse(input, &state.settings.default_phone_region)?;
    let after = state
        .store
        .update_client(id, &changes, Timestamp::now())
        .await?;
    let mut e = on_client(
        activity::entry("update", Some(&caller.user), &caller.meta),
        &after,
    );
    e.changes = diff(&before, &after);
    if e.changes.is_some() {
        activity::record(state.store.as_ref(), e).await;
    }
    Ok(after)
}

/// New credentials for the client's owner; its old password and sessions end.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Onboarded, Error> {
    require_staff(caller, Permission::EditCustomers)?;
    let client = find(state, id).await?;
    let owner_id = client
        .owner_id
        .ok_or_else(|| Error::Conflict("This client has no owner account".into()))?;
    // Taking over the owner must not give the caller what it lacks.
    let owner = state
        .store
        .user_by_id(owner_id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))?;
    crate::users::check_may_manage(state, caller, &owner).await?;
    let policy = &state.settings.throttle;
    throttle::reset(
        state.throttle.as_ref(),
        policy,
        caller.user.id,
        owner_id,
        Timestamp::now(),
    )
    .await?;
    let password = Password::generate(16);
    let hash = state.passwords.hash(&password).await?;
    let now = Timestamp::now();
    state.store.set_password(owner_id, &hash, true, now).await?;
    state
        .store
        .revoke_user_sessions(owner_id, None, now)
        .await?;
    let owner = state
        .store
        .user_by_id(owner_id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))?;
    let mut e = activity::on_user(
        activity::entry("reset_password", Some(&caller.user), &caller.meta),
        &owner,
    );
    e.changes = activity::changes(&[("password", json!(null), json!("reset"))]);
    activity::record(state.store.as_ref(), e).await;
    Ok(Onboarded {
        client,
        owner,
        password,
    })
}

/// Activate or deactivate. Deactivating needs permission 23 as well as 22.
pub async fn toggle_status(state: &AppState, caller: &Caller, id: i64) -> Result<Client, Error> {
    require_staff(caller, Permission::EditCustomers)?;
    let before = find(state, id).await?;
    if before.is_active {
        require_staff(caller, Permission::DeleteCustomers)?;
    }
    let after = state
        .store
        .set_client_active(id, !before.is_active, Timestamp::now())
        .await?;
    let mut e = on_client(
        activity::entry("toggle_status", Some(&caller.user), &caller.meta),
        &after,
    );
    e.changes = activity::changes(&[("isActive", json!(before.is_active), json!(after.is_active))]);
    activity::record(state.store.as_ref(), e).await;
    Ok(after)
}

pub async fn adjust_credits(
    state: &AppState,
    caller: &Caller,
    id: i64,
    delta: i64,
    reason: &str,
) -> Result<CreditEntry, Error> {
    require_staff(caller, Permission::EditCustomers)?;
    let mut errors = FieldErrors::new();
    if delta == 0 || delta.unsigned_abs() > 1_000_000_000 {
        errors.insert(
            "delta".into(),
            vec!["must be a non-zero whole number between -1000000000 and 1000000000".into()],
        );
    }
    let reason = match client::text(reason, 1, 500, false) {
        Ok(r) => r,
        Err(e) => {
            errors.insert("reason".into(), vec![e.0]);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(Error::fields(errors));
    }
    let outcome = state
        .store
        .adjust_credits(id, delta, &reason, caller.user.id, Timestamp::now())
        .await?;
    let entry = match outcome {
        CreditOutcome::Applied(entry) => entry,
        CreditOutcome::Insufficient { balance } => {
            return Err(Error::Conflict(format!(
                "Insufficient credits: the balance is {balance}, so it cannot change by {delta}"
            )))
        }
        CreditOutcome::NotFound => return Err(Error::NotFound("Client not found".into())),
    };
    let mut e = activity::entry("adjust_credits", Some(&caller.user), &caller.meta);
    e.company_id = Some(id);
    e.target_type = Some("client".into());
    e.target_id = Some(id.to_string());
    e.changes = activity::changes(&[(
        "credits",
        json!(entry.balance_after - entry.delta),
        json!(entry.balance_after),
    )]);
    activity::record(state.store.as_ref(), e).await;
    Ok(entry)
}

/// A page of the ledger, its total, and the balance now.
pub async fn credits(
    state: &AppState,
    caller: &Caller,
    id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CreditEntry>, i64, i64), Error> {
    require_staff(caller, Permission::ViewCustomers)?;
    let client = find(state, id).await?;
    let (entries, total) = state.store.list_credits(id, limit, offset).await?;
    Ok((entries, total, client.credits))
}

fn on_client(mut e: crate::store::NewActivity, c: &Client) -> crate::store::NewActivity {
    e.company_id = Some(c.id);
    e.target_type = Some("client".into());
    e.target_id = Some(c.id.to_string());
    e.target_label = Some(format!("{} {}", c.account_number, c.company_name));
    e
}

/// The fields an activity entry compares, by their API names.
fn fields(c: &Client) -> Vec<(&'static str, Value)> {
    vec![
        ("companyName", json!(c.company_name)),
        ("contactEmail", json!(c.contact_email)),
        ("contactName", json!(c.contact_name)),
        ("phoneNumber", json!(c.phone_number)),
        ("whatsappNumber", json!(c.whatsapp_number)),
        ("businessAddress", json!(c.business_address)),
        (
            "businessType",
            json!(c.business_type.map(BusinessType::as_str)),
        ),
        ("gstNumber", json!(c.gst_number)),
        ("website", json!(c.website)),
        ("leadStatus", json!(c.lead_status.as_str())),
        ("notes", json!(c.notes)),
        ("accountNumber", json!(c.account_number)),
        ("username", json!(c.owner_username)),
    ]
}

fn diff(before: &Client, after: &Client) -> Option<Value> {
    let pairs: Vec<(&str, Value, Value)> = fields(before)
        .into_iter()
        .zip(fields(after))
        .map(|((k, a), (_, b))| (k, a, b))
        .collect();
    activity::changes(&pairs)
}

/// The message to hand the credentials over with (seed 001), and links that
/// open it in WhatsApp or an e-mail program.
pub struct Share {
    pub text: String,
    pub whatsapp_url: Option<String>,
    pub mailto_url: String,
}

pub fn share(client: &Client, username: &str, password: &Password, login_url: &str) -> Share {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let text = format!(
        "Your account is ready!\n\n\
         Company: {company}\n\
         Username: {username}\n\
         Password: {password}\n\
         Login URL: {login_url}\n\n\
         Instructions:\n\
         1. Go to the login page\n\
         2. Click the \"Client Login\" tab\n\
         3. Enter your username and password\n\
         4. Choose a new password when asked",
        company = client.company_name,
        password = password.expose(),
    );
    let encoded = utf8_percent_encode(&text, NON_ALPHANUMERIC).to_string();
    let whatsapp_url = client
        .whatsapp_number
        .as_deref()
        .map(|n| format!("https://wa.me/{}?text={encoded}", n.trim_start_matches('+')));
    let subject = utf8_percent_encode(
        &format!("Your {} account is ready", client.company_name),
        NON_ALPHANUMERIC,
    )
    .to_string();
    let mailto_url = format!(
        "mailto:{}?subject={subject}&body={encoded}",
        utf8_percent_encode(&client.contact_email, NON_ALPHANUMERIC)
    );
    Share {
        text,
        whatsapp_url,
        mailto_url,
    }
}
