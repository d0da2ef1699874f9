import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Rule } from '@/lib/field-rules';

/** The API's rules for a client's fields (backend/src/domain/client.rs), beside the shared ones. */
export { emailRule, optional, textRule, type Rule } from '@/lib/field-rules';

/** A phone number libphonenumber (the API's library, in JS) calls valid; without `+`, read in `region`. */
export function phoneRule(region: string): Rule {
  return (input) => {
    const bad = 'must be a valid phone number, e.g. +917093635305';
    const s = input.trim();
    if (s === '' || new TextEncoder().encode(s).length > 32) return bad;
    const number = parsePhoneNumberFromString(s, region as CountryCode);
    return number?.isValid() ? null : bad;
  };
}

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The check character of a GSTIN's first 14 characters (Luhn mod 36). */
export function gstinCheckChar(first14: string): string | null {
  let sum = 0;
  for (let i = 0; i < first14.length; i += 1) {
    const value = GSTIN_CHARS.indexOf(first14[i]!);
    if (value < 0) return null;
    const product = value * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return GSTIN_CHARS[(36 - (sum % 36)) % 36]!;
}

const GSTIN_SHAPE = /^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z][0-9A-Z][0-9A-Z]$/;

/** An Indian GSTIN: state code, PAN, entity number, a character, and the check character. */
export const gstinRule: Rule = (input) => {
  const s = input.trim().toUpperCase();
  if (!GSTIN_SHAPE.test(s)) return 'must be a 15-character GSTIN like 27AAPFU0939F1ZV';
  const state = Number(s.slice(0, 2));
  if (!((state >= 1 && state <= 38) || state === 97 || state === 99)) {
    return 'must start with a valid state code (01–38, 97, 99)';
  }
  if (gstinCheckChar(s.slice(0, 14)) !== s[14]) return 'has a wrong check character';
  return null;
};

/** An http(s) URL with a host and no credentials, at most 2,048 characters. */
export const websiteRule: Rule = (input) => {
  const s = input.trim();
  if (s.length > 2048) return 'must be at most 2048 characters long';
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return 'must be an http:// or https:// URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return null;
};

