/**
 * Field rules shared by the forms, with the API's own messages
 * (backend/src/domain): the browser refuses exactly what the server would and
 * says it the same way. Each answers an error message, or null.
 */
export type Rule = (value: string) => string | null;

/** Characters as the API counts them: code points, not UTF-16 units. */
const length = (s: string) => Array.from(s).length;

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[^\P{Cc}\n\r\t]/u;

/** Trimmed text of `min..=max` characters without control characters (newlines allowed when `multiline`). */
export function textRule(min: number, max: number, multiline = false): Rule {
  return (input) => {
    const s = input.trim();
    const n = length(s);
    if (n < min) return min === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
    if (n > max) return `must be at most ${max} characters long`;
    if ((multiline ? CONTROL_BUT_LINES : CONTROL).test(s)) return 'must not contain control characters';
    return null;
  };
}

// The WHATWG (HTML5) e-mail address grammar, which the API's validator follows.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export const emailRule: Rule = (input) => {
  const s = input.trim().toLowerCase();
  if (s.length > 254) return 'must be at most 254 characters long';
  // A domain needs a dot: `someone@localhost` is not an address one can write to.
  const domain = s.slice(s.lastIndexOf('@') + 1);
  const dotted = s.includes('@') && domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.');
  if (!EMAIL.test(s) || !dotted) return 'must be a valid e-mail address';
  return null;
};

/** An optional field: blank is fine (it clears the field), anything else must pass `rule`. */
export function optional(rule: Rule): Rule {
  return (input) => (input.trim() === '' ? null : rule(input));
}

/** A username (backend/src/domain/username.rs): read in lower case, 3–64 of letters, digits, `.`, `_`, `-`. */
export const usernameRule: Rule = (input) => {
  const s = input.trim().toLowerCase();
  const n = length(s);
  if (n < 3 || n > 64) return 'must be 3 to 64 characters long';
  if (!/^[a-z0-9]/.test(s)) return 'must start with a letter or a digit';
  if (!/^[a-z0-9._-]+$/.test(s)) return "may hold only letters, digits, '.', '_' and '-'";
  return null;
};

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * The password policy's length (backend/src/domain/password.rs): 8–128
 * characters counted as code points, untrimmed. Whether it is too common is the
 * server's to say (its list has ten thousand entries).
 */
export const passwordLengthRule: Rule = (input) => {
  const n = length(input);
  if (n < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters long`;
  if (n > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters long`;
  return null;
};

/** Characters as the API counts them (code points). */
export function characterCount(input: string): number {
  return length(input);
}

/** A module's name (backend/src/domain/module.rs). */
export const moduleNameRule: Rule = (input) => {
  const s = input.trim();
  const n = length(s);
  if (n < 2 || n > 50 || !/^[a-z][a-z0-9_]*$/.test(s)) {
    return "must be 2 to 50 lower-case letters, digits or '_', starting with a letter";
  }
  return null;
};
