import { describe, expect, it } from 'vitest';
import { initials } from './initials';

describe('initials', () => {
  it('takes the first and last words, upper-cased', () => {
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

  it('keeps a grapheme whole: a flag, a consonant with its vowel sign', () => {
    expect(initials('🇮🇳 India')).toBe('🇮🇳I');
    expect(initials('किरण शर्मा')).toBe('किश');
  });

  it('does not turn ß into SS', () => {
    expect(initials('ßeta')).toBe('ß');
  });
});
