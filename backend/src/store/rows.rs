//! Rows read into domain values, the same for both databases. The column
//! lists live here once, beside the rows that read them.

use super::{StoreError, StoreResult};
use crate::domain::{
    AccountNumber, ActivityEntry, BusinessType, Client, CreditEntry, EmailAddress, Gstin,
    LeadStatus, ManagedUser, PermissionSet, PersonName, PhoneNumber, Role, Timestamp, User,
    Username, WebAddress,
};

/// The user columns, for `RETURNING` (unqualified) and for joins (as `u`).
pub const USER_RETURNING: &str = "id, company_id, name, username, email, role, permissions, \
     is_active, must_change_password, created_by, last_login, created_at, updated_at";
pub const USER_COLUMNS: &str = "u.id, u.company_id, u.name, u.username, u.email, u.role, \
     u.permissions, u.is_active, u.must_change_password, u.created_by, u.last_login, \
     u.created_at, u.updated_at";

/// The names of [`USER_COLUMNS`] and [`USER_RETURNING`], in their order.
pub const USER_COLUMN_NAMES: [&str; 13] = [
    "id",
    "company_id",
    "name",
    "username",
    "email",
    "role",
    "permissions",
    "is_active",
    "must_change_password",
    "created_by",
    "last_login",
    "created_at",
    "updated_at",
];

/// A user, read by position: from a row (`FromRow`) and, on SQLite's pages,
/// from a JSON array (docs/performance/sqlite.md). In both the fields are in
/// [`USER_COLUMNS`]' order, so the order of their declaration here matters.
#[derive(serde::Deserialize)]
pub struct UserRow {
    id: i64,
    company_id: Option<i64>,
    name: String,
    username: String,
    email: Option<String>,
    role: String,
    permissions: i64,
    #[serde(deserialize_with = "bool_or_int")]
    is_active: bool,
    #[serde(deserialize_with = "bool_or_int")]
    must_change_password: bool,
    created_by: Option<i64>,
    last_login: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    pub fn into_user(self) -> StoreResult<User> {
        let role = Role::parse(&self.role).map_err(|e| {
            StoreError::Other(anyhow::anyhow!("user {} has a bad role: {e}", self.id))
        })?;
        Ok(User {
            id: self.id,
            company_id: self.company_id,
            name: PersonName::from_trusted(self.name),
            username: Username::from_trusted(self.username),
            email: self.email.map(EmailAddress::from_trusted),
            role,
            permissions: PermissionSet::from_bits(self.permissions),
            is_active: self.is_active,
            must_change_password: self.must_change_password,
            created_by: self.created_by,
            last_login: self.last_login.map(Timestamp::from),
            created_at: Timestamp::from(self.created_at),
            updated_at: Timestamp::from(self.updated_at),
        })
    }
}

// Every query that reads a user selects [`USER_COLUMNS`] (or
// [`USER_RETURNING`], the same columns) first, so a user is read by position:
// finding each of its thirteen columns by name took 8% of the server's
// instructions for a page of 50 on PostgreSQL. Each value's type is still
// checked; debug builds (so `cargo test`) also check the names of the first
// thirteen columns of every query a test runs, and answer an error if they
// differ.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for UserRow
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        #[cfg(debug_assertions)]
        {
            use sqlx::Column;
            let names: Vec<&str> = row
                .columns()
                .iter()
                .take(USER_COLUMN_NAMES.len())
                .map(|c| c.name())
                .collect();
            if names != USER_COLUMN_NAMES {
                return Err(sqlx::Error::ColumnDecode {
                    index: format!("0..{}", USER_COLUMN_NAMES.len()),
                    source: format!("a user's columns are out of USER_COLUMNS' order: {names:?}")
                        .into(),
                });
            }
        }
        Ok(Self {
            id: row.try_get(0)?,
            company_id: row.try_get(1)?,
            name: row.try_get(2)?,
            username: row.try_get(3)?,
            email: row.try_get(4)?,
            role: row.try_get(5)?,
            permissions: row.try_get(6)?,
            is_active: row.try_get(7)?,
            must_change_password: row.try_get(8)?,
            created_by: row.try_get(9)?,
            last_login: row.try_get(10)?,
            created_at: row.try_get(11)?,
            updated_at: row.try_get(12)?,
        })
    }
}

/// A user's columns, then, where the query has it, its `modules`
/// (comma-separated), then, where it has them, two more columns read by
/// name: `company_active` and `extra` (see [`UserWithStatusRow`]).
pub struct ManagedUserRow {
    pub user: UserRow,
    /// Absent where the dialect reads the modules in a second query.
    pub modules: Option<String>,
}

// Looked up by position too: a column missing by name costs sqlx an error,
// with its message formatted, for every row of PostgreSQL's pages.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for ManagedUserRow
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        use sqlx::Column;
        let modules = match row.columns().get(USER_COLUMN_NAMES.len()) {
            Some(column) if column.name() == "modules" => row.try_get(USER_COLUMN_NAMES.len())?,
            _ => None,
        };
        Ok(Self {
            user: UserRow::from_row(row)?,
            modules,
        })
    }
}

impl ManagedUserRow {
    pub fn into_managed(self) -> StoreResult<ManagedUser> {
        Ok(ManagedUser {
            user: self.user.into_user()?,
            modules: split_modules(self.modules),
        })
    }
}

/// Module names, comma-separated (module names have no commas).
pub fn split_modules(modules: Option<String>) -> Vec<String> {
    modules
        .as_deref()
        .map(|m| m.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A user with its company's status and one more value (a session's status,
/// or the password hash).
#[derive(sqlx::FromRow)]
pub struct UserWithStatusRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub company_active: Option<bool>,
    pub extra: Option<String>,
}

pub const CLIENT_COLUMNS: &str = "c.id, c.account_number, c.company_name, c.contact_email, \
     c.contact_name, c.phone_number, c.whatsapp_number, c.business_address, c.business_type, \
     c.gst_number, c.website, c.lead_status, c.notes, c.credits, c.is_active, c.last_login, \
     c.created_at, c.updated_at, c.owner_id, o.username";
pub const CLIENT_FROM: &str = "FROM clients c LEFT JOIN users o ON o.id = c.owner_id";

/// Read by column position, in [`CLIENT_COLUMNS`]' order, like the one JSON
/// array per row of SQLite's export.
#[derive(serde::Deserialize)]
pub struct ClientRow {
    id: i64,
    account_number: String,
    company_name: String,
    contact_email: String,
    contact_name: Option<String>,
    phone_number: Option<String>,
    whatsapp_number: Option<String>,
    business_address: Option<String>,
    business_type: Option<String>,
    gst_number: Option<String>,
    website: Option<String>,
    lead_status: String,
    notes: Option<String>,
    credits: i64,
    #[serde(deserialize_with = "bool_or_int")]
    is_active: bool,
    last_login: Option<i64>,
    created_at: i64,
    updated_at: i64,
    owner_id: Option<i64>,
    /// The owner's `o.username`.
    owner_username: Option<String>,
}

// Every query of clients selects [`CLIENT_COLUMNS`], so a row is read by
// position, each value's type taken as the column's: finding each of the
// twenty columns by name, and checking its type, took over a quarter of the
// server's CPU in PostgreSQL's export of 100,000 clients.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for ClientRow
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get_unchecked(0)?,
            account_number: row.try_get_unchecked(1)?,
            company_name: row.try_get_unchecked(2)?,
            contact_email: row.try_get_unchecked(3)?,
            contact_name: row.try_get_unchecked(4)?,
            phone_number: row.try_get_unchecked(5)?,
            whatsapp_number: row.try_get_unchecked(6)?,
            business_address: row.try_get_unchecked(7)?,
            business_type: row.try_get_unchecked(8)?,
            gst_number: row.try_get_unchecked(9)?,
            website: row.try_get_unchecked(10)?,
            lead_status: row.try_get_unchecked(11)?,
            notes: row.try_get_unchecked(12)?,
            credits: row.try_get_unchecked(13)?,
            is_active: row.try_get_unchecked(14)?,
            last_login: row.try_get_unchecked(15)?,
            created_at: row.try_get_unchecked(16)?,
            updated_at: row.try_get_unchecked(17)?,
            owner_id: row.try_get_unchecked(18)?,
            owner_username: row.try_get_unchecked(19)?,
        })
    }
}

impl ClientRow {
    pub fn into_client(self) -> StoreResult<Client> {
        let bad =
            |what: &str| StoreError::Other(anyhow::anyhow!("client {} has a bad {what}", self.id));
        Ok(Client {
            business_type: self
                .business_type
                .as_deref()
                .map(BusinessType::parse)
                .transpose()
                .map_err(|_| bad("business type"))?,
            lead_status: LeadStatus::parse(&self.lead_status).map_err(|_| bad("lead status"))?,
            id: self.id,
            account_number: AccountNumber::from_trusted(self.account_number),
            company_name: self.company_name,
            contact_email: EmailAddress::from_trusted(self.contact_email),
            contact_name: self.contact_name,
            phone_number: self.phone_number.map(PhoneNumber::from_trusted),
            whatsapp_number: self.whatsapp_number.map(PhoneNumber::from_trusted),
            business_address: self.business_address,
            gst_number: self.gst_number.map(Gstin::from_trusted),
            website: self.website.map(WebAddress::from_trusted),
            notes: self.notes,
            credits: self.credits,
            is_active: self.is_active,
            last_login: self.last_login.map(Timestamp::from),
            created_at: Timestamp::from(self.created_at),
            updated_at: Timestamp::from(self.updated_at),
            owner_id: self.owner_id,
            owner_username: self.owner_username.map(Username::from_trusted),
        })
    }
}

/// A boolean as SQLite's JSON functions write it (0 or 1), or as JSON's own.
pub fn bool_or_int<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    // A visitor, not an untagged enum: that one buffers the value and builds
    // (and formats) an error for every integer before it tries the next
    // variant, two per user row, 7% of a page's instructions.
    struct BoolOrInt;
    impl serde::de::Visitor<'_> for BoolOrInt {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean or an integer")
        }
        fn visit_bool<E>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }
        fn visit_i64<E>(self, i: i64) -> Result<bool, E> {
            Ok(i != 0)
        }
        fn visit_u64<E: serde::de::Error>(self, i: u64) -> Result<bool, E> {
            // JSON's non-negative integers arrive here; as before, only those
            // an i64 holds.
            i64::try_from(i)
                .map(|i| i != 0)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(i), &self))
        }
    }
    d.deserialize_any(BoolOrInt)
}

pub const CREDIT_COLUMNS: &str =
    "id, client_id, delta, balance_after, reason, actor_id, created_at";

#[derive(sqlx::FromRow)]
pub struct CreditRow {
    id: i64,
    client_id: i64,
    delta: i64,
    balance_after: i64,
    reason: String,
    actor_id: Option<i64>,
    created_at: i64,
}

impl From<CreditRow> for CreditEntry {
    fn from(r: CreditRow) -> Self {
        Self {
            id: r.id,
            client_id: r.client_id,
            delta: r.delta,
            balance_after: r.balance_after,
            reason: r.reason,
            actor_id: r.actor_id,
            created_at: Timestamp::from(r.created_at),
        }
    }
}

pub const ACTIVITY_COLUMNS: &str = "id, at, actor_id, actor_username, company_id, action, \
     target_type, target_id, target_label, changes, ip, request_id";

#[derive(sqlx::FromRow)]
pub struct ActivityRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_username: Option<String>,
    company_id: Option<i64>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    target_label: Option<String>,
    changes: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
}

impl From<ActivityRow> for ActivityEntry {
    fn from(r: ActivityRow) -> Self {
        Self {
            id: r.id,
            at: Timestamp::from(r.at),
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            company_id: r.company_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target_label: r.target_label,
            changes: r.changes.and_then(|c| serde_json::from_str(&c).ok()),
            ip: r.ip,
            request_id: r.request_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i64,
    pub last_failure: i64,
    pub locked_until: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_columns_are_named_in_one_order() {
        let split = |list: &str| -> Vec<String> {
            list.split(',')
                .map(|c| c.trim().trim_start_matches("u.").to_owned())
                .collect()
        };
        assert_eq!(split(USER_COLUMNS), USER_COLUMN_NAMES);
        assert_eq!(split(USER_RETURNING), USER_COLUMN_NAMES);
    }

    #[derive(serde::Deserialize)]
    struct Flag(#[serde(deserialize_with = "bool_or_int")] bool);

    #[test]
    fn a_flag_reads_from_a_boolean_or_an_integer_only() {
        let read = |json: &str| serde_json::from_str::<Flag>(json).map(|f| f.0);
        // PostgreSQL's JSON has booleans, SQLite's integers.
        assert!(read("true").expect("a boolean"));
        assert!(!read("false").expect("a boolean"));
        assert!(read("1").expect("an integer"));
        assert!(!read("0").expect("an integer"));
        assert!(read("-1").expect("a negative integer"));
        for bad in ["\"1\"", "null", "1.5", "[]", "18446744073709551615"] {
            assert!(read(bad).is_err(), "{bad} is not a flag");
        }
    }
}
