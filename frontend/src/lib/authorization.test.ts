import { describe, expect, it } from 'vitest';
import type { User } from './api/client';
import {
  aboveReason,
  grantableRoles,
  hasPermission,
  isStaff,
  mayManage,
  permissionGrantBlock,
  permissionsEditBlock,
  policies,
  type Verdict,
} from './authorization';

const admin = (permissions: number[]) => ({ role: 'admin' as const, permissions });

describe('authorization', () => {
  it('gives a super admin every permission without listing them', () => {
    const superAdmin = { role: 'super_admin' as const, permissions: [] };
    expect(hasPermission(superAdmin, 60)).toBe(true);
    expect(policies.viewClients(superAdmin)).toBe(true);
    expect(policies.toggleClient(superAdmin, true)).toBe(true);
  });

  it('lets staff see clients only with permission 20', () => {
    expect(policies.viewClients(admin([20]))).toBe(true);
    expect(policies.viewClients(admin([1, 2]))).toBe(false);
  });

  it('never lets a client-side user manage clients, whatever it holds', () => {
    const owner = { role: 'client_admin' as const, permissions: [1, 2, 20, 21, 22, 23] };
    expect(isStaff(owner)).toBe(false);
    expect(policies.viewClients(owner)).toBe(false);
    expect(policies.createClients(owner)).toBe(false);
    expect(policies.viewUsers(owner)).toBe(true);
  });

  it('needs 23 as well as 22 to deactivate, and 22 alone to reactivate', () => {
    expect(policies.toggleClient(admin([20, 22]), true)).toBe(false);
    expect(policies.toggleClient(admin([20, 22]), false)).toBe(true);
    expect(policies.toggleClient(admin([20, 22, 23]), true)).toBe(true);
  });
});

const reason = (v: Verdict) => (v.ok ? null : v.reason);

const person = (id: number, role: User['role'], permissions: number[], companyId: number | null = null): User => ({
  id,
  role,
  permissions,
  companyId,
  name: `User ${id}`,
  username: `user${id}`,
  isActive: true,
  mustChangePassword: false,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('the permissions editor rules', () => {
  const root = person(1, 'super_admin', []);
  const limited = person(2, 'admin', [1, 2, 3, 5, 20]);
  const owner = person(10, 'client_admin', [1, 2, 3, 5, 50], 7);

  it('lets nobody grant what it does not hold', () => {
    expect(permissionGrantBlock(limited, 3, 'admin')).toBeNull();
    expect(permissionGrantBlock(limited, 50, 'user')).toMatch(/do not hold/);
    expect(permissionGrantBlock(owner, 50, 'user')).toBeNull();
    expect(permissionGrantBlock(owner, 20, 'user')).toMatch(/do not hold/);
    expect(permissionGrantBlock(root, 41, 'user')).toBeNull();
  });

  it('keeps 60 for a super admin to grant, and for staff only', () => {
    expect(permissionGrantBlock(root, 60, 'admin')).toBeNull();
    expect(permissionGrantBlock(root, 60, 'client_admin')).toMatch(/staff only/);
    const withSixty = person(3, 'admin', [60]);
    expect(permissionGrantBlock(withSixty, 60, 'admin')).toMatch(/Only a super admin/);
  });

  it('offers only roles not above the caller, staff roles from a super admin only', () => {
    expect(grantableRoles(root)).toEqual(['user', 'client_admin', 'admin', 'super_admin']);
    expect(grantableRoles(limited)).toEqual(['user', 'client_admin']);
    expect(grantableRoles(owner)).toEqual(['user', 'client_admin']);
    expect(grantableRoles(person(11, 'user', [1, 2]))).toEqual(['user']);
  });

  it('finds a user above the caller by role or by any permission the caller lacks', () => {
    expect(aboveReason(person(20, 'user', [1, 50]), limited)).toMatch(/permission 50/);
    expect(aboveReason(person(21, 'user', [1, 2]), limited)).toBeNull();
    expect(aboveReason(person(22, 'admin', []), owner)).toMatch(/role Admin/);
    // A super admin holds everything, so everyone is below it.
    expect(aboveReason(person(23, 'admin', [1, 2, 3, 4, 5, 60]), root)).toBeNull();
  });

  it('makes users above the caller, other staff, oneself and the owner read-only, with the reason', () => {
    expect(mayManage(limited, person(30, 'user', [1], 7))).toEqual({ ok: true });
    expect(reason(mayManage(limited, person(31, 'user', [50], 7)))).toMatch(/above you/);
    expect(reason(mayManage(limited, person(32, 'admin', [])))).toMatch(/Only a super admin/);
    expect(mayManage(root, person(32, 'admin', [1, 2]))).toEqual({ ok: true });
    expect(reason(mayManage(limited, limited))).toMatch(/your own account/);
    // The client's owner is above every other user of its client, for client-side callers.
    const coAdmin = person(12, 'client_admin', [1, 2, 3, 5, 50], 7);
    expect(reason(mayManage(coAdmin, owner, owner.id))).toMatch(/owner/);
    expect(mayManage(root, owner, owner.id)).toEqual({ ok: true });
    expect(mayManage(owner, person(13, 'user', [1], 7), owner.id)).toEqual({ ok: true });
  });

  it('opens the permissions of a user only with 5, never one\'s own', () => {
    expect(permissionsEditBlock(limited, person(40, 'user', [1], 7))).toBeNull();
    expect(permissionsEditBlock(person(41, 'admin', [1, 2, 3]), person(40, 'user', [1], 7))).toMatch(/Manage User Permissions/);
    expect(permissionsEditBlock(owner, owner)).toMatch(/your own permissions/);
  });
});
