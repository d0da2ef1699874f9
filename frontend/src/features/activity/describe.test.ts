import { describe, expect, it } from 'vitest';
import { actionText, changeLines, targetPath, targetText } from './describe';

describe('activity descriptions', () => {
  it('links a client, a client user, and the clients list; nothing else', () => {
    expect(targetPath({ targetType: 'client', targetId: '7', companyId: 7 })).toBe('/clients/7');
    expect(targetPath({ targetType: 'user', targetId: '12', companyId: 7 })).toBe('/clients/7/users');
    expect(targetPath({ targetType: 'user', targetId: '1', companyId: null })).toBeNull();
    expect(targetPath({ targetType: 'clients', targetId: null, companyId: null })).toBe('/clients');
    expect(targetPath({ targetType: 'module', targetId: 'crm', companyId: null })).toBeNull();
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
});
