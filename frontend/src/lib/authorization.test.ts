import { describe, expect, it } from 'vitest';
import { hasPermission, isStaff, policies } from './authorization';

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
