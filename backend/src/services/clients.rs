//! Rules for client companies: onboarding with generated credentials, changes,
//! password resets, activation, credits and export.

use super::{activity, users};
use crate::auth::{throttle, Caller};
use crate::domain::client::{self, derived_username};
use crate::domain::{
    BusinessType, Client, ClientChanges, CreditEntry, CreditOutcome, EmailAddress, Gstin,
    LeadStatus, NewActivity, NewClient, NewUser, Password, Permission, PermissionSet, PersonName,
    PhoneNumber, Role, SyncState, Timestamp, User, Username, WebAddress,
};
use crate::error::{Error, FieldErrors};
use crate::state::AppState;
use crate::store::{Batches, ClientFilter, StoreError};
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

/// An optional field as sent: null or blank clears it; anything else must
/// parse (its error kept under `field`).
fn optional<T>(
    errors: &mut FieldErrors,
    field: &str,
    sent: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, crate::domain::ParseError>,
) -> Option<Option<T>> {
    match sent {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) if s.trim().is_empty() => Some(None),
        Some(Some(s)) => collect(errors, field, parse(&s)).map(Some),
    }
}

/// Parse every sent field, collecting every field's error.
fn parse(input: ClientInput, region: &str) -> Result<ClientChanges, Error> {
    let mut errors = FieldErrors::new();
    let e = &mut errors;
    // One of the listed values or null: unlike a text field, blank is not one
    // of them (the schema says so too; the fuzzer found blank accepted).
    let business_type = match input.business_type {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => collect(e, "businessType", BusinessType::parse(&s)).map(Some),
    };
    let changes = ClientChanges {
        contact_name: optional(e, "contactName", input.contact_name, |s| {
            client::text(s, 1, 100, false)
        }),
        phone_number: optional(e, "phoneNumber", input.phone_number, |s| {
            PhoneNumber::parse(s, region)
        }),
        whatsapp_number: optional(e, "whatsappNumber", input.whatsapp_number, |s| {
            PhoneNumber::parse(s, region)
        }),
        business_address: optional(e, "businessAddress", input.business_address, |s| {
            client::text(s, 1, 500, true)
        }),
        business_type,
        gst_number: optional(e, "gstNumber", input.gst_number, Gstin::parse),
        website: optional(e, "website", input.website, WebAddress::parse),
        notes: optional(e, "notes", input.notes, |s| client::text(s, 1, 5000, true)),
        company_name: input
            .company_name
            .and_then(|s| collect(e, "companyName", client::text(&s, 1, 200, false))),
        contact_email: input
            .contact_email
            .and_then(|s| collect(e, "contactEmail", EmailAddress::parse(&s))),
        lead_status: input
            .lead_status
            .and_then(|s| collect(e, "leadStatus", LeadStatus::parse(&s))),
    };
    if !errors.is_empty() {
        return Err(Error::fields(errors));
    }
    Ok(changes)
}

/// What onboarding answers, once.
pub struct Onboarded {
    pub client: Client,
    pub owner: User,
    pub password: Password,
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: ClientInput,
) -> Result<Onboarded, Error> {
    caller.require_staff(Permission::CreateCustomers)?;
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
    let (Some(company_name), Some(contact_email)) = (ch.company_name, ch.contact_email) else {
        return Err(Error::field("companyName", "is required"));
    };
    let new = NewClient {
        company_name,
        contact_email,
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
        // The contact's name, or the company's as far as a person's name goes.
        let name = match &new.contact_name {
            Some(name) => name.clone(),
            None => new.company_name.chars().take(100).collect(),
        };
        let owner = NewUser {
            company_id: None,
            name: PersonName::parse(&name).map_err(|e| Error::field("contactName", e.0))?,
            username: Username::parse(&derived_username(&new.company_name, 3 + attempt / 4))
                .map_err(|e| Error::field("companyName", e.0))?,
            email: Some(new.contact_email.clone()),
            role: Role::ClientAdmin,
            permissions: PermissionSet::client_owner(),
            is_active: true,
            must_change_password: true,
            created_by: Some(caller.user.id),
            modules: None,
            now,
        };
        match state.store.clients.create_client(&new, &owner, &hash).await {
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
    activity::record(state, e).await;
    Ok(Onboarded {
        client,
        owner,
        password,
    })
}

/// Reading a client: the operator's staff with permission 20, or a
/// `client_admin` of that very client (its own company's record and ledger,
/// read only); another company is not found.
fn may_read(caller: &Caller, id: i64) -> Result<(), Error> {
    if caller.user.role == Role::ClientAdmin {
        return match caller.scope() {
            Some(own) if own == id => Ok(()),
            _ => Err(Error::NotFound("Client not found".into())),
        };
    }
    caller.require_staff(Permission::ViewCustomers)
}

pub async fn get(state: &AppState, caller: &Caller, id: i64) -> Result<Client, Error> {
    may_read(caller, id)?;
    find(state, id).await
}

/// A client and, for the operator's staff, its own database's sync state.
pub async fn get_with_sync(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<(Client, Option<SyncState>), Error> {
    let client = get(state, caller, id).await?;
    let sync = match caller.scope() {
        None => Some(state.store.outbox.sync_state(id).await?),
        Some(_) => None,
    };
    Ok((client, sync))
}

async fn find(state: &AppState, id: i64) -> Result<Client, Error> {
    state
        .store
        .clients
        .client_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))
}

pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: &ClientFilter,
) -> Result<(Vec<Client>, i64), Error> {
    caller.require_staff(Permission::ViewCustomers)?;
    Ok(state.store.clients.list_clients(filter).await?)
}

pub async fn export(
    state: &AppState,
    caller: &Caller,
    filter: &ClientFilter,
) -> Result<Batches<Client>, Error> {
    caller.require_staff(Permission::ViewCustomers)?;
    let mut e = activity::entry("export", Some(&caller.user), &caller.meta);
    e.company_id = None;
    e.target_type = Some("clients".into());
    activity::record(state, e).await;
    Ok(state.store.clients.export_clients(filter))
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: ClientInput,
) -> Result<Client, Error> {
    caller.require_staff(Permission::EditCustomers)?;
    let before = find(state, id).await?;
    let changes = parse(input, &state.settings.default_phone_region)?;
    let after = state
        .store
        .clients
        .update_client(id, &changes, Timestamp::now())
        .await?;
    let mut e = on_client(
        activity::entry("update", Some(&caller.user), &caller.meta),
        &after,
    );
    e.changes = diff(&before, &after);
    if e.changes.is_some() {
        activity::record(state, e).await;
    }
    Ok(after)
}

/// New credentials for the client's owner; its old password and sessions end.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Onboarded, Error> {
    caller.require_staff(Permission::EditCustomers)?;
    let client = find(state, id).await?;
    let owner_id = client
        .owner_id
        .ok_or_else(|| Error::Conflict("This client has no owner account".into()))?;
    // Taking over the owner must not give the caller what it lacks.
    let owner = state
        .store
        .users
        .user_by_id(owner_id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))?;
    users::check_may_manage(state, caller, &owner).await?;
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
    state
        .store
        .users
        .set_password(owner_id, &hash, true, now)
        .await?;
    state
        .store
        .sessions
        .revoke_user_sessions(owner_id, None, now)
        .await?;
    let owner = state
        .store
        .users
        .user_by_id(owner_id)
        .await?
        .ok_or_else(|| Error::NotFound("Client not found".into()))?;
    let mut e = activity::on_user(
        activity::entry("reset_password", Some(&caller.user), &caller.meta),
        &owner,
    );
    e.changes = activity::changes(&[("password", json!(null), json!("reset"))]);
    activity::record(state, e).await;
    Ok(Onboarded {
        client,
        owner,
        password,
    })
}

/// Activate or deactivate. Deactivating needs permission 23 as well as 22.
pub async fn toggle_status(state: &AppState, caller: &Caller, id: i64) -> Result<Client, Error> {
    caller.require_staff(Permission::EditCustomers)?;
    let before = find(state, id).await?;
    if before.is_active {
        caller.require_staff(Permission::DeleteCustomers)?;
    }
    let after = state
        .store
        .clients
        .set_client_active(id, !before.is_active, Timestamp::now())
        .await?;
    let mut e = on_client(
        activity::entry("toggle_status", Some(&caller.user), &caller.meta),
        &after,
    );
    e.changes = activity::changes(&[("isActive", json!(before.is_active), json!(after.is_active))]);
    activity::record(state, e).await;
    Ok(after)
}

pub async fn adjust_credits(
    state: &AppState,
    caller: &Caller,
    id: i64,
    delta: i64,
    reason: &str,
) -> Result<CreditEntry, Error> {
    caller.require_staff(Permission::EditCustomers)?;
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
        .clients
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
    let client = find(state, id).await?;
    let mut e = on_client(
        activity::entry("adjust_credits", Some(&caller.user), &caller.meta),
        &client,
    );
    e.changes = activity::changes(&[(
        "credits",
        json!(entry.balance_after - entry.delta),
        json!(entry.balance_after),
    )]);
    activity::record(state, e).await;
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
    may_read(caller, id)?;
    let client = find(state, id).await?;
    let (entries, total) = state.store.clients.list_credits(id, limit, offset).await?;
    Ok((entries, total, client.credits))
}

fn on_client(mut e: NewActivity, c: &Client) -> NewActivity {
    e.company_id = Some(c.id);
    e.target_type = Some("client".into());
    e.target_id = Some(c.id.to_string());
    e.target_label = Some(format!("{} {}", c.account_number.as_str(), c.company_name));
    e
}

/// The fields an activity entry compares, by their API names.
fn fields(c: &Client) -> Vec<(&'static str, Value)> {
    vec![
        ("companyName", json!(c.company_name)),
        ("contactEmail", json!(c.contact_email.as_str())),
        ("contactName", json!(c.contact_name)),
        ("phoneNumber", json!(text(&c.phone_number))),
        ("whatsappNumber", json!(text(&c.whatsapp_number))),
        ("businessAddress", json!(c.business_address)),
        (
            "businessType",
            json!(c.business_type.map(BusinessType::as_str)),
        ),
        ("gstNumber", json!(text(&c.gst_number))),
        ("website", json!(text(&c.website))),
        ("leadStatus", json!(c.lead_status.as_str())),
        ("notes", json!(c.notes)),
        ("accountNumber", json!(c.account_number.as_str())),
        (
            "username",
            json!(c.owner_username.as_ref().map(Username::as_str)),
        ),
    ]
}

fn text<T: AsRef<str>>(v: &Option<T>) -> Option<&str> {
    v.as_ref().map(AsRef::as_ref)
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
        .as_ref()
        .map(|n| format!("https://wa.me/{}?text={encoded}", n.digits()));
    let subject = utf8_percent_encode(
        &format!("Your {} account is ready", client.company_name),
        NON_ALPHANUMERIC,
    )
    .to_string();
    let mailto_url = format!(
        "mailto:{}?subject={subject}&body={encoded}",
        utf8_percent_encode(client.contact_email.as_str(), NON_ALPHANUMERIC)
    );
    Share {
        text,
        whatsapp_url,
        mailto_url,
    }
}
