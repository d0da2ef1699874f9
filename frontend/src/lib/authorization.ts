import type { Schemas, User } from './api/client';

/**
 * What the signed-in user may do, from its role and permissions (PRODUCT.md §1,
 * docs/decisions/0024). The API decides; these only keep the screens from
 * offering what it would refuse, and say why.
 */
export const Permission = {
  ViewUsers: 1,
  CreateUsers: 2,
  EditUsers: 3,
  DeleteUsers: 4,
  ManageUserPermissions: 5,
  ViewCustomers: 20,
  CreateCustomers: 21,
  EditCustomers: 22,
  DeleteCustomers: 23,
  ViewActivityLogs: 50,
  SystemAdministration: 60,
} as const;

export type PermissionId = (typeof Permission)[keyof typeof Permission];
export type Role = Schemas['Role'];

/** Every permission of the fixed catalogue (seed 003). */
export const ALL_PERMISSIONS: readonly number[] = [1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 20, 21, 22, 23, 30, 31, 40, 41, 50, 60];

/** Roles from least to most powerful, as the API orders them. */
export const ROLES: readonly Role[] = ['user', 'client_admin', 'admin', 'super_admin'];

const rank = (role: Role) => ROLES.indexOf(role);

type Subject = Pick<User, 'role' | 'permissions'>;

/** The operator's own staff: no company, every client by their permissions. */
export function isStaff(user: Pick<User, 'role'>): boolean {
  return user.role === 'super_admin' || user.role === 'admin';
}

/**
 * What a user holds: everything for a super admin; its grants otherwise, but
 * System Administration (60) only for staff (backend `Role::effective`).
 */
export function effectivePermissions(user: Subject): Set<number> {
  if (user.role === 'super_admin') return new Set(ALL_PERMISSIONS);
  const held = new Set(user.permissions);
  if (!isStaff(user)) held.delete(Permission.SystemAdministration);
  return held;
}

/** A super admin holds every permission implicitly. */
export function hasPermission(user: Subject, permission: number): boolean {
  return effectivePermissions(user).has(permission);
}

/** A user as the rules need to see it. */
export interface Target {
  id: number;
  role: Role;
  permissions: number[];
}

/**
 * Why `target` is above `caller` (and so out of its reach), or null: it holds
 * a higher role, or permissions the caller lacks (backend `User::above`).
 */
export function aboveReason(target: Subject, caller: Subject): string | null {
  const held = effectivePermissions(caller);
  const lacking = [...effectivePermissions(target)].filter((p) => !held.has(p)).sort((a, b) => a - b);
  const what: string[] = [];
  if (rank(target.role) > rank(caller.role)) what.push(`the role ${ROLE_NAMES[target.role]}`);
  if (lacking.length > 0) what.push(`${lacking.length === 1 ? 'permission' : 'permissions'} ${lacking.join(', ')}`);
  return what.length > 0 ? `It holds ${what.join(' and ')}, which you do not.` : null;
}

export const ROLE_NAMES: Record<Role, string> = {
  super_admin: 'Super admin',
  admin: 'Admin',
  client_admin: 'Client admin',
  user: 'User',
};

export type Verdict = { ok: true } | { ok: false; reason: string };
const yes: Verdict = { ok: true };
const no = (reason: string): Verdict => ({ ok: false, reason });

/**
 * May `caller` change `target` at all (its details, status, password, modules,
 * permissions)? Mirrors the API's `check_may_manage`: only a super admin changes
 * other staff; nobody changes a user above itself; a client's owner is above
 * every other user of its client (only staff change it). `ownerId` is the
 * target's client's owner, when known. One's own account is managed at the
 * profile, not here.
 */
export function mayManage(caller: User, target: Target, ownerId?: number | null): Verdict {
  if (target.id === caller.id) {
    return no('This is your own account: change your details and password on your profile.');
  }
  if (isStaff(target) && caller.role !== 'super_admin') {
    return no("Only a super admin may change the operator's staff.");
  }
  const above = aboveReason(target, caller);
  if (above) return no(`This user is above you and read-only for you. ${above}`);
  if (!isStaff(caller) && ownerId != null && target.id === ownerId) {
    return no("This is your client's owner, who is above every other user of the client; only the operator's staff can change it.");
  }
  return yes;
}

/** The roles `caller` may give: none above its own; staff roles only from a super admin. */
export function grantableRoles(caller: Pick<User, 'role'>): Role[] {
  return ROLES.filter((role) => {
    if (isStaff({ role }) && caller.role !== 'super_admin') return false;
    return rank(role) <= rank(caller.role);
  });
}

/**
 * Why `caller` may not grant or revoke `permission` for a user of `targetRole`,
 * or null when it may (backend `check_permission_change`).
 */
export function permissionGrantBlock(caller: Subject, permission: number, targetRole: Role): string | null {
  if (permission === Permission.SystemAdministration) {
    if (caller.role !== 'super_admin') return 'Only a super admin grants System Administration.';
    if (!isStaff({ role: targetRole })) return "System Administration is for the operator's staff only.";
  }
  if (!hasPermission(caller, permission)) return 'You do not hold this permission, so you cannot grant or revoke it.';
  return null;
}

/**
 * Why the permissions of `target` cannot be changed by `caller` at all, or null:
 * Manage User Permissions (5) is needed, never one's own, never a user above.
 */
export function permissionsEditBlock(caller: User, target: Target, ownerId?: number | null): string | null {
  if (target.id === caller.id) return 'You cannot change your own permissions.';
  if (!hasPermission(caller, Permission.ManageUserPermissions)) {
    return 'Changing permissions needs the Manage User Permissions permission (5).';
  }
  const manage = mayManage(caller, target, ownerId);
  return manage.ok ? null : manage.reason;
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
  /** A client's own client admin reads its company, its modules and its credits (read only). */
  viewOwnCompany: (u: Pick<User, 'role' | 'companyId'>) => u.role === 'client_admin' && u.companyId != null,
  viewUsers: (u: Subject) => hasPermission(u, Permission.ViewUsers),
  createUsers: (u: Subject) => hasPermission(u, Permission.CreateUsers),
  editUsers: (u: Subject) => hasPermission(u, Permission.EditUsers),
  managePermissions: (u: Subject) => hasPermission(u, Permission.ManageUserPermissions),
  viewActivity: (u: Subject) => hasPermission(u, Permission.ViewActivityLogs),
  /** Adding to the module catalogue: staff holding System Administration. */
  createModules: (u: Subject) => isStaff(u) && hasPermission(u, Permission.SystemAdministration),
} satisfies Record<string, (u: never, ...args: never[]) => boolean>;
