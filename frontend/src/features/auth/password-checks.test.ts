import { describe, expect, it } from 'vitest';
import { passwordChecks } from './password-checks';

const states = (password: string, current = 'old-password', refusal: string | null = null) =>
  Object.fromEntries(passwordChecks(password, current, refusal).map((c) => [c.id, c.state]));

describe('the password rules shown as they are typed', () => {
  it('counts characters as code points, as the API does', () => {
    expect(states('')).toEqual({ min: 'pending', max: 'pending', differs: 'pending', common: 'pending' });
    expect(states('short')).toMatchObject({ min: 'bad', max: 'ok' });
    // Eight emoji are sixteen UTF-16 units but eight characters.
    expect(states('😀'.repeat(7))).toMatchObject({ min: 'bad' });
    expect(states('😀'.repeat(8))).toMatchObject({ min: 'ok' });
    expect(states('x'.repeat(129))).toMatchObject({ max: 'bad' });
  });

  it('leaves "common" to the server and shows its message for the password it refused', () => {
    expect(states('old-password')).toMatchObject({ differs: 'bad' });
    const refused = passwordChecks('password1', 'x', 'is one of the most common passwords; choose another');
    const common = refused.find((c) => c.id === 'common');
    expect(common?.state).toBe('bad');
    expect(common?.label).toMatch(/most common/);
  });
});
