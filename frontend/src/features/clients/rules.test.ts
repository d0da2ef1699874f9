import { describe, expect, it } from 'vitest';
import { emailRule, gstinCheckChar, gstinRule, optional, phoneRule, textRule, websiteRule } from './rules';

describe('textRule', () => {
  const name = textRule(1, 200);
  it('trims, and counts characters as the API does', () => {
    expect(name('  ABC  ')).toBeNull();
    expect(name('   ')).toBe('must not be empty');
    expect(name('x'.repeat(200))).toBeNull();
    expect(name('x'.repeat(201))).toBe('must be at most 200 characters long');
    // 200 emoji are 400 UTF-16 units but 200 characters.
    expect(name('😀'.repeat(200))).toBeNull();
  });

  it('refuses control characters, and newlines unless multiline', () => {
    expect(name('a\nb')).toBe('must not contain control characters');
    expect(textRule(1, 500, true)('12 MG Road\nBengaluru')).toBeNull();
    expect(textRule(1, 500, true)('a\u0000b')).toBe('must not contain control characters');
  });
});

describe('emailRule', () => {
  it('accepts addresses and refuses what the API refuses', () => {
    expect(emailRule(' ABC@Store.com ')).toBeNull();
    for (const bad of ['', 'abc', 'abc@', '@store.com', 'a b@store.com', 'abc@localhost', 'abc@.com']) {
      expect(emailRule(bad), bad).toBe('must be a valid e-mail address');
    }
    expect(emailRule(`${'a'.repeat(250)}@x.io`)).toBe('must be at most 254 characters long');
  });
});

describe('phoneRule', () => {
  const india = phoneRule('IN');
  it('reads a number without + in the default region', () => {
    expect(india('7093635305')).toBeNull();
    expect(india('+91 70936 35305')).toBeNull();
    expect(phoneRule('US')('(415) 555-2671')).toBeNull();
  });

  it('refuses what is not a valid number', () => {
    for (const bad of ['12345', 'not a number', '', '+1 415 555 267']) {
      expect(india(bad), bad).toBe('must be a valid phone number, e.g. +917093635305');
    }
  });
});

describe('gstinRule', () => {
  it('checks shape, state code and check character, like the API', () => {
    expect(gstinRule('27aapfu0939f1zv')).toBeNull();
    expect(gstinRule('29ABCDE1234F1ZW')).toBeNull();
    expect(gstinRule('27AAPFU0939F1ZA')).toBe('has a wrong check character');
    expect(gstinRule('27AAPFU0939F1Z')).toBe('must be a 15-character GSTIN like 27AAPFU0939F1ZV');
    expect(gstinRule('00AAPFU0939F1ZV')).toBe('must start with a valid state code (01–38, 97, 99)');
    expect(gstinRule('27AAPF10939F1ZV')).toBe('must be a 15-character GSTIN like 27AAPFU0939F1ZV');
  });

  it('computes the check character (Luhn mod 36)', () => {
    expect(gstinCheckChar('27AAPFU0939F1Z')).toBe('V');
  });
});

describe('websiteRule', () => {
  it('takes http(s) URLs with a host and nothing else', () => {
    expect(websiteRule('https://abc.store')).toBeNull();
    for (const bad of ['ftp://x.com', 'javascript:alert(1)', 'abc.store', 'http://']) {
      expect(websiteRule(bad), bad).toBe('must be an http:// or https:// URL');
    }
    expect(websiteRule('https://u:p@x.com')).toBe('must not contain credentials');
  });
});

describe('optional', () => {
  it('lets a blank value through and checks anything else', () => {
    expect(optional(gstinRule)('  ')).toBeNull();
    expect(optional(gstinRule)('nope')).not.toBeNull();
  });
});
