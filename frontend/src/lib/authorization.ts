import type { User } from './api/client';

/**
 * What the signed-in user may do, from its role and permissions (PRODUCT.md §1).
 * The API decides; these only keep the screens from offering what it would refuse.
 */
export const Permission = {
  ViewUsers: 1,
  CreateUsers: 2,
  EditUsers: 3,
  ManageUserPermissions: 5,
  ViewCustomers: 20,
  CreateCustomers: 21,
  EditCustomers: 22,
  DeleteCustomers: 23,
  ViewActivityLogs: 50,
  SystemAdministration: 60,
} as const;

export type PermissionId = (typeof Permission)[keyof typeof Permission];

type Subject = Pick<User, 'role' | 'permissions'>;

/** A super admin holds every permission implicitly. */
export function hasPermission(user: Subject, permission: PermissionId): boolean {
  return user.role === 'super_admin' || user.permissions.includes(permission);
}

/** The operator's own staff: the only ones who manage clients. */
export function isStaff(user: Subject): boolean {
  return user.role === 'super_admin' || user.role === 'admin';
}

/** One entry per thing a screen may offer; each mirrors the API's rule for it. */
export const policies = {
  viewClients: (u: Subject) => isStaff(u) && hasPermission(u, Permission.ViewCustomers),
  createClients: (u: Subject) => isStaff(u) && hasPermission(u, Permission.CreateCustomers),
  editClients: (u: Subject) => isStaff(u) && hasPermission(u, Permission.EditCustomers),
  /** Reactivating needs 22; deactivating 22 and 23. */
  toggleClient: (u: Subject, isActive: boolean) =>
    isStaff(u) &&
    hasPermission(u, Permission.EditCustomers) &&
    (!isActive || hasPermission(u, Permission.DeleteCustomers)),
  viewUsers: (u: Subject) => hasPermission(u, Permission.ViewUsers),
  createUsers: (u: Subject) => hasPermission(u, Permission.CreateUsers),
  viewActivity: (u: Subject) => hasPermission(u, Permission.ViewActivityLogs),
} satisfies Record<string, (u: Subject, ...args: never[]) => boolean>;
