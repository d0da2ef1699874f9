use super::{ParseError, Permission, PermissionSet};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a user may act. Ordered from least to most powerful.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A client's ordinary user: its own company only.
    User,
    /// A client's owner: its own company only.
    ClientAdmin,
    /// The operator's staff: every client, by its permissions.
    Admin,
    /// Everything; holds every permission implicitly.
    SuperAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::ClientAdmin => "client_admin",
            Role::Admin => "admin",
            Role::SuperAdmin => "super_admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s {
            "user" => Ok(Role::User),
            "client_admin" => Ok(Role::ClientAdmin),
            "admin" => Ok(Role::Admin),
            "super_admin" => Ok(Role::SuperAdmin),
            _ => Err(ParseError::new(
                "must be one of user, client_admin, admin, super_admin",
            )),
        }
    }

    /// Operator staff act across every client; the others only inside their own.
    pub fn is_operator_staff(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }

    /// The permissions a user with this role and these granted permissions holds:
    /// everything for a super admin; System Administration (60) only for operator
    /// staff a super admin granted it to.
    pub fn effective(self, granted: PermissionSet) -> PermissionSet {
        match self {
            Role::SuperAdmin => PermissionSet::all(),
            Role::Admin => granted,
            Role::ClientAdmin | Role::User => PermissionSet::from_bits(
                granted.bits() & !PermissionSet::of(&[Permission::SystemAdministration]).bits(),
            ),
        }
    }

    /// Client-side roles belong to a company; operator staff to none.
    pub fn needs_company(self) -> bool {
        !self.is_operator_staff()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        for r in [Role::User, Role::ClientAdmin, Role::Admin, Role::SuperAdmin] {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::SuperAdmin > Role::Admin && Role::Admin > Role::ClientAdmin);
        assert!(Role::parse("technician").is_err());
    }

    #[test]
    fn super_admin_holds_everything_and_client_users_never_hold_60() {
        assert_eq!(
            Role::SuperAdmin.effective(PermissionSet::empty()),
            PermissionSet::all()
        );
        let with_60 = PermissionSet::from_ids(&[1, 60]).unwrap();
        assert_eq!(Role::Admin.effective(with_60).ids(), vec![1, 60]);
        assert_eq!(Role::ClientAdmin.effective(with_60).ids(), vec![1]);
        assert_eq!(Role::User.effective(with_60).ids(), vec![1]);
    }
}
