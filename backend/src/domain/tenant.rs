//! Each client's own database (seed 000, docs/decisions/0027): what it holds
//! of the client's users, the changes waiting to reach it, and how far it is
//! behind.

use super::Timestamp;

/// A user as a client's own database holds it: seed 000's `core.users` row
/// and its `core.user_modules` rows. Times are epoch milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUser {
    pub user_id: i64,
    /// The user's login name.
    pub user_name: String,
    pub role: String,
    /// The user is active, and so is its client.
    pub is_active: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// One row per module active for the client, by name: whether the user
    /// may use it.
    pub modules: Vec<(String, bool)>,
}

/// What an outbox row asks of a client's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// Create the database (when missing), migrate it, and bring every user
    /// in line.
    Provision,
    /// Bring one user in line (added, changed, moved away).
    User,
    /// Bring every user of the client in line (its modules or its status
    /// changed).
    AllUsers,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Provision => "provision",
            OutboxKind::User => "user",
            OutboxKind::AllUsers => "all_users",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "provision" => Some(OutboxKind::Provision),
            "user" => Some(OutboxKind::User),
            "all_users" => Some(OutboxKind::AllUsers),
            _ => None,
        }
    }
}

/// A change waiting to reach a client's database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub client_id: i64,
    pub kind: OutboxKind,
    pub user_id: Option<i64>,
    pub created_at: Timestamp,
}

/// Where a client's database stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    /// Not created yet.
    Provisioning,
    /// Every change has reached it.
    InSync,
    /// Changes are waiting, none has failed.
    Pending,
    /// The last attempt failed; it is tried again.
    Failing,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Provisioning => "provisioning",
            SyncStatus::InSync => "in_sync",
            SyncStatus::Pending => "pending",
            SyncStatus::Failing => "failing",
        }
    }
}

/// A client database's sync state, as the main database knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub status: SyncStatus,
    /// Changes not applied yet.
    pub pending: i64,
    /// Why the last attempt failed (no secrets).
    pub last_error: Option<String>,
    pub last_applied_at: Option<Timestamp>,
    /// The client database's last migration (0: not provisioned).
    pub schema_version: i64,
    /// Attempts failed in a row.
    pub failures: i64,
}

/// How a user differs between the main database and a client's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// In the main database, not in the client's.
    Missing,
    /// In the client's database, not (or no longer) the client's user.
    Extra,
    /// In both, with fields that differ.
    Different,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Missing => "missing",
            DriftKind::Extra => "extra",
            DriftKind::Different => "different",
        }
    }
}

/// One user's drift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub user_id: i64,
    pub kind: DriftKind,
    /// For `Different`: the fields that differ (`userName`, `role`,
    /// `isActive`, `createdAt`, `updatedAt`, `modules`).
    pub fields: Vec<&'static str>,
}

/// The differences between what the main database says a client's users are
/// and what its own database holds, by user id.
pub fn drift(expected: &[TenantUser], found: &[TenantUser]) -> Vec<Drift> {
    use std::collections::BTreeMap;
    let expected: BTreeMap<i64, &TenantUser> = expected.iter().map(|u| (u.user_id, u)).collect();
    let found: BTreeMap<i64, &TenantUser> = found.iter().map(|u| (u.user_id, u)).collect();
    let mut out = Vec::new();
    for (id, want) in &expected {
        match found.get(id) {
            None => out.push(Drift {
                user_id: *id,
                kind: DriftKind::Missing,
                fields: Vec::new(),
            }),
            Some(have) => {
                let fields: Vec<&'static str> = [
                    ("userName", want.user_name != have.user_name),
                    ("role", want.role != have.role),
                    ("isActive", want.is_active != have.is_active),
                    ("createdAt", want.created_at != have.created_at),
                    ("updatedAt", want.updated_at != have.updated_at),
                    ("modules", want.modules != have.modules),
                ]
                .into_iter()
                .filter(|(_, differs)| *differs)
                .map(|(f, _)| f)
                .collect();
                if !fields.is_empty() {
                    out.push(Drift {
                        user_id: *id,
                        kind: DriftKind::Different,
                        fields,
                    });
                }
            }
        }
    }
    for id in found.keys().filter(|id| !expected.contains_key(id)) {
        out.push(Drift {
            user_id: *id,
            kind: DriftKind::Extra,
            fields: Vec::new(),
        });
    }
    out.sort_by_key(|d| d.user_id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, name: &str, modules: &[(&str, bool)]) -> TenantUser {
        TenantUser {
            user_id: id,
            user_name: name.into(),
            role: "user".into(),
            is_active: true,
            created_at: 1,
            updated_at: 2,
            modules: modules.iter().map(|(m, e)| ((*m).into(), *e)).collect(),
        }
    }

    #[test]
    fn drift_names_missing_extra_and_different_fields() {
        let expected = [
            user(1, "a", &[("crm", true)]),
            user(2, "b", &[]),
            user(3, "c", &[]),
        ];
        let mut renamed = user(2, "bee", &[]);
        renamed.is_active = false;
        let found = [user(1, "a", &[("crm", true)]), renamed, user(4, "d", &[])];
        let d = drift(&expected, &found);
        assert_eq!(
            d,
            vec![
                Drift {
                    user_id: 2,
                    kind: DriftKind::Different,
                    fields: vec!["userName", "isActive"]
                },
                Drift {
                    user_id: 3,
                    kind: DriftKind::Missing,
                    fields: vec![]
                },
                Drift {
                    user_id: 4,
                    kind: DriftKind::Extra,
                    fields: vec![]
                },
            ]
        );
        assert!(drift(&expected, &expected).is_empty());
    }
}
