import { describe, expect, it } from 'vitest';
import { initials } from './initials';

describe('initials', () => {
  it('takes the first and last words', () => {
    expect(initials('Grace Brewster Hopper')).toBe('GH');
    expect(initials('  ada  ')).toBe('A');
  });

  it('answers ? for a blank name', () => {
    expect(initials('   ')).toBe('?');
  });

  it('keeps a letter outside the BMP whole', () => {
    // U+1D49C MATHEMATICAL SCRIPT CAPITAL A is two UTF-16 units.
    expect(initials('𝒜lice 𝒵ed')).toBe('𝒜𝒵');
    expect(initials('😀')).toBe('😀');
  });
});
