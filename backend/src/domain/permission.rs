use serde::Serialize;
use utoipa::ToSchema;

/// One entry of the fixed permission catalogue (seed 003).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PermissionInfo {
    /// The permission's id.
    pub id: u8,
    /// Its name, as the seed lists it.
    pub name: &'static str,
    /// What it allows.
    pub description: &'static str,
}

macro_rules! catalogue {
    ($($variant:ident = $id:literal, $name:literal, $desc:literal;)*) => {
        /// A permission of the fixed catalogue. Ids fit in one 64-bit mask.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Permission { $($variant = $id),* }

        pub const CATALOGUE: &[PermissionInfo] = &[
            $(PermissionInfo { id: $id, name: $name, description: $desc }),*
        ];

        impl Permission {
            pub fn from_id(id: i64) -> Option<Self> {
                match id { $($id => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

catalogue! {
    ViewUsers = 1, "View Users", "Can view user information";
    CreateUsers = 2, "Create Users", "Can create new users";
    EditUsers = 3, "Edit Users", "Can edit user information";
    DeleteUsers = 4, "Delete Users", "Can delete users";
    ManageUserPermissions = 5, "Manage User Permissions", "Can modify user permissions";
    ViewTickets = 10, "View Tickets", "Can view tickets";
    CreateTickets = 11, "Create Tickets", "Can create new tickets";
    EditTickets = 12, "Edit Tickets", "Can edit tickets";
    DeleteTickets = 13, "Delete Tickets", "Can delete tickets";
    CloseTickets = 14, "Close Tickets", "Can close tickets";
    ViewCustomers = 20, "View Customers", "Can view customer information";
    CreateCustomers = 21, "Create Customers", "Can create new customers";
    EditCustomers = 22, "Edit Customers", "Can edit customer information";
    DeleteCustomers = 23, "Delete Customers", "Can delete customers";
    ViewReports = 30, "View Reports", "Can view reports";
    ExportReports = 31, "Export Reports", "Can export reports";
    ViewMasterData = 40, "View Master Data", "Can view master data";
    EditMasterData = 41, "Edit Master Data", "Can edit master data";
    ViewActivityLogs = 50, "View Activity Logs", "Can view activity logs";
    SystemAdministration = 60, "System Administration", "Full system administration access";
}

impl Permission {
    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn info(self) -> &'static PermissionInfo {
        CATALOGUE
            .iter()
            .find(|p| p.id == self.id())
            .unwrap_or(&CATALOGUE[0])
    }
}

/// Ids that are not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission ids: {}", .0.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))]
pub struct UnknownPermissions(pub Vec<i64>);

/// A set of permissions, stored as a bit mask (bit n = permission n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PermissionSet(u64);

impl PermissionSet {
    pub fn empty() -> Self {
        Self(0)
    }

    pub fn all() -> Self {
        CATALOGUE.iter().fold(Self(0), |s, p| Self(s.0 | 1 << p.id))
    }

    pub fn from_ids(ids: &[i64]) -> Result<Self, UnknownPermissions> {
        let unknown: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| Permission::from_id(*id).is_none())
            .collect();
        if !unknown.is_empty() {
            return Err(UnknownPermissions(unknown));
        }
        Ok(ids.iter().fold(Self(0), |s, id| Self(s.0 | 1 << id)))
    }

    /// What a client's owner starts with: view, create and edit users,
    /// manage their permissions, and read its company's activity log.
    pub fn client_owner() -> Self {
        Self::of(&[
            Permission::ViewUsers,
            Permission::CreateUsers,
            Permission::EditUsers,
            Permission::ManageUserPermissions,
            Permission::ViewActivityLogs,
        ])
    }

    pub fn of(perms: &[Permission]) -> Self {
        perms.iter().fold(Self(0), |s, p| s.with(*p))
    }

    /// The stored mask. Unknown bits (never written by this code) are dropped.
    pub fn from_bits(bits: i64) -> Self {
        Self(bits as u64 & Self::all().0)
    }

    pub fn bits(self) -> i64 {
        self.0 as i64
    }

    pub fn with(self, p: Permission) -> Self {
        Self(self.0 | 1 << p.id())
    }

    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & (1 << p.id()) != 0
    }

    pub fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    /// Ids in ascending order.
    pub fn ids(self) -> Vec<u8> {
        CATALOGUE
            .iter()
            .map(|p| p.id)
            .filter(|id| self.0 & (1 << id) != 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_ids() {
        let s = PermissionSet::from_ids(&[3, 1, 60, 2]).unwrap();
        assert_eq!(s.ids(), vec![1, 2, 3, 60]);
        assert_eq!(PermissionSet::from_bits(s.bits()), s);
        assert!(s.contains(Permission::SystemAdministration));
    }

    #[test]
    fn unknown_ids_are_named() {
        assert_eq!(
            PermissionSet::from_ids(&[1, 6, 99, -1]).unwrap_err(),
            UnknownPermissions(vec![6, 99, -1])
        );
    }

    #[test]
    fn catalogue_is_the_seeds() {
        assert_eq!(CATALOGUE.len(), 20);
        assert_eq!(PermissionSet::all().ids().len(), 20);
        assert_eq!(
            Permission::ManageUserPermissions.info().name,
            "Manage User Permissions"
        );
    }

    #[test]
    fn subsets() {
        let small = PermissionSet::from_ids(&[1, 2]).unwrap();
        let big = PermissionSet::from_ids(&[1, 2, 3]).unwrap();
        assert!(small.is_subset_of(big));
        assert!(!big.is_subset_of(small));
    }
}
