import { describe, expect, it } from 'vitest';
import { actionText, changeLines, changeRows, fieldLabel, NO_LINKS, targetPath, targetText } from './describe';

describe('activity descriptions', () => {
  it('links a target only to a page the reader may open', () => {
    const staff = { users: true, clients: true, company: null, modules: true };
    expect(targetPath({ targetType: 'client', targetId: '7', companyId: 7 }, staff)).toBe('/clients/7');
    expect(targetPath({ targetType: 'user', targetId: '12', companyId: 7 }, staff)).toBe('/users/12');
    expect(targetPath({ targetType: 'user', targetId: '12', companyId: 7 }, { ...staff, users: false })).toBe('/clients/7/users');
    expect(targetPath({ targetType: 'user', targetId: '1', companyId: null }, { ...staff, users: false })).toBeNull();
    expect(targetPath({ targetType: 'clients', targetId: null, companyId: null }, staff)).toBe('/clients');
    expect(targetPath({ targetType: 'module', targetId: 'crm', companyId: null }, staff)).toBe('/modules');
    expect(targetPath({ targetType: 'module', targetId: 'crm', companyId: null }, NO_LINKS)).toBeNull();
    // A client admin: its own company's workspace, never another client's page.
    const owner = { users: true, clients: false, company: 7, modules: false };
    expect(targetPath({ targetType: 'client', targetId: '7', companyId: 7 }, owner)).toBe('/company');
    expect(targetPath({ targetType: 'client', targetId: '8', companyId: 8 }, owner)).toBeNull();
  });

  it('words actions and targets', () => {
    expect(actionText('reset_password')).toBe('reset the password of');
    expect(actionText('brand_new_thing')).toBe('brand new thing');
    expect(targetText({ targetType: 'client', targetId: '7', targetLabel: 'ABC Store' })).toBe('ABC Store');
    expect(targetText({ targetType: 'user', targetId: '3', targetLabel: null })).toBe('user #3');
  });

  it('shows changes as from → to', () => {
    expect(changeLines({ name: { from: 'Ravi', to: 'Ravi Kumar' }, credits: { from: 0, to: 100 }, password: { from: null, to: '[redacted]' } })).toEqual([
      'name: Ravi → Ravi Kumar',
      'credits: 0 → 100',
      'password: — → [redacted]',
    ]);
    expect(changeLines(null)).toEqual([]);
  });

  it('shows changes as a before/after diff, secrets as redacted, lists as what came and went', () => {
    expect(
      changeRows({
        isActive: { from: true, to: false },
        permissions: { from: [1, 2], to: [1, 3, 5] },
        password: { from: '[redacted]', to: '[redacted]' },
        contactEmail: { from: null, to: 'a@b.co' },
      }),
    ).toEqual([
      { field: 'Active', from: 'yes', to: 'no', redacted: false, added: [], removed: [] },
      { field: 'Permissions', from: '1, 2', to: '1, 3, 5', redacted: false, added: ['3', '5'], removed: ['2'] },
      { field: 'Password', from: 'redacted', to: 'redacted', redacted: true, added: [], removed: [] },
      { field: 'Contact email', from: '—', to: 'a@b.co', redacted: false, added: [], removed: [] },
    ]);
    expect(fieldLabel('lead_status')).toBe('Lead status');
  });
});
