// Helpers for the production-shape checks: reading docker-compose.yml as Compose
// reads it (YAML with merge keys, then variable interpolation), .env files,
// README's tables, the Dockerfile, .dockerignore and nginx's configuration.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const read = (relative) => readFileSync(path.join(ROOT, relative), 'utf8');

// --- .env files -----------------------------------------------------------------------

/** `NAME=value` lines of an .env file, in order (comments and blank lines skipped). */
export function parseEnvFile(text) {
  const vars = new Map();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`line ${i + 1} is not NAME=value: ${raw}`);
    if (vars.has(m[1])) throw new Error(`${m[1]} is set twice`);
    vars.set(m[1], m[2]);
  }
  return vars;
}

// --- Compose's interpolation --------------------------------------------------------------

/**
 * Interpolate one string the way Compose does: `$$` is a literal `$`; `$NAME`,
 * `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`,
 * `${NAME?error}`, `${NAME:+replacement}`, `${NAME+replacement}`, nested in the
 * default, error or replacement. `env` is a Map; every name looked up is added
 * to `seen`. A required variable that is missing throws.
 */
export function interpolate(text, env, seen = new Set()) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      // Find the matching brace, counting nested ${...}.
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === '$' && text[j + 1] === '{') {
          depth += 1;
          j += 2;
          continue;
        }
        if (text[j] === '}') depth -= 1;
        j += 1;
      }
      if (depth !== 0) throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
      out += expand(text.slice(i + 2, j - 1), env, seen);
      i = j;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (m) {
      seen.add(m[0]);
      out += env.get(m[0]) ?? '';
      i += 1 + m[0].length;
      continue;
    }
    out += '$';
    i += 1;
  }
  return out;
}

function expand(inner, env, seen) {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(inner);
  if (!m) throw new Error(`invalid interpolation \${${inner}}`);
  const [, name, op, rest = ''] = m;
  seen.add(name);
  const value = env.get(name);
  const set = value !== undefined;
  const setNonEmpty = set && value !== '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return setNonEmpty ? value : interpolate(rest, env, seen);
    case '-':
      return set ? value : interpolate(rest, env, seen);
    case ':?':
    case '?':
      if (op === ':?' ? setNonEmpty : set) return value;
      throw new RequiredVariableError(name, interpolate(rest, env, seen));
    case ':+':
      return setNonEmpty ? interpolate(rest, env, seen) : '';
    case '+':
      return set ? interpolate(rest, env, seen) : '';
    default:
      throw new Error(`invalid interpolation \${${inner}}`);
  }
}

export class RequiredVariableError extends Error {
  constructor(name, message) {
    super(`required variable ${name} is missing a value: ${message}`);
    this.variable = name;
  }
}

/** Interpolate every string value (not keys) of a parsed document. */
export function interpolateDeep(value, env, seen = new Set()) {
  if (typeof value === 'string') return interpolate(value, env, seen);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env, seen));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env, seen)]),
    );
  }
  return value;
}

/** docker-compose.yml parsed (merge keys applied), before interpolation. */
export function composeRaw(text = read('docker-compose.yml')) {
  return parseYaml(text, { merge: true, maxAliasCount: 1000 });
}

/**
 * docker-compose.yml as Compose reads it with these variables, and the names of
 * every variable it looked up.
 */
export function composeWith(env, text) {
  const seen = new Set();
  const doc = interpolateDeep(composeRaw(text), env, seen);
  return { doc, seen };
}

/** Every variable docker-compose.yml reads, whatever their values. */
export function composeVariables(text) {
  // Read from the text of every value rather than by interpolating: a default
  // is looked at only when its variable is empty, and a nested one would hide.
  const names = new Set();
  const collect = (value) => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
        // `$$NAME` is a literal: skip it.
        if (value[m.index - 1] !== '$') names.add(m[1]);
      }
    } else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(composeRaw(text));
  return names;
}

// --- README --------------------------------------------------------------------------

/** The lines of README.md's `## <title>` section. */
export function readmeSection(title, text = read('README.md')) {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The `NAME`s in the first column of the tables of a README section whose header's first cell is `header`. */
export function readmeTableNames(title, header, text) {
  const names = new Set();
  let inTable = false;
  for (const line of readmeSection(title, text)) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const first = line.split('|')[1].trim();
    if (first === header) {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(first)) continue;
    const m = /^`([A-Z][A-Z0-9_]*)`$/.exec(first);
    if (m) names.add(m[1]);
  }
  return names;
}

// --- Dockerfile ------------------------------------------------------------------------

/**
 * The Dockerfile's stages: `{name, from, instructions: [{op, args}]}`, with
 * line continuations joined and comments dropped; `global` holds the ARGs
 * before the first FROM.
 */
export function parseDockerfile(text = read('Dockerfile')) {
  const logical = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (current === '' && /^\s*#/.test(line)) continue;
    if (current !== '' && /^\s*#/.test(line)) continue; // comment inside a continuation
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  const global = [];
  const stages = [];
  for (const line of logical) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f[1], name: f[2] ?? null, instructions: [] });
    } else if (stages.length === 0) {
      global.push({ op, args });
    } else {
      stages.at(-1).instructions.push({ op, args });
    }
  }
  return { global, stages };
}

/** An image reference with the Dockerfile's global ARG defaults substituted. */
export function resolveArgs(text, global) {
  const defaults = new Map(
    global
      .filter((i) => i.op === 'ARG')
      .map((i) => i.args.split('='))
      .map(([k, ...v]) => [k.trim(), v.join('=').trim()]),
  );
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, b) =>
    defaults.get(a ?? b) ?? '',
  );
}

/** `ENV a=b c=d` (or `ENV a b`) as pairs. */
export function envPairs(args) {
  const pairs = [];
  if (!args.includes('=')) {
    const [k, ...v] = args.split(/\s+/);
    return [[k, v.join(' ')]];
  }
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    pairs.push([m[1], m[2].replace(/^"|"$/g, '')]);
  }
  return pairs;
}

/** A COPY's flags, sources and destination. */
export function parseCopy(args) {
  const words = args.split(/\s+/);
  const flags = {};
  while (words[0]?.startsWith('--')) {
    const [k, v] = words.shift().slice(2).split('=');
    flags[k] = v ?? true;
  }
  return { flags, sources: words.slice(0, -1), dest: words.at(-1) };
}

// --- .dockerignore ----------------------------------------------------------------------

/**
 * Whether .dockerignore leaves `relative` out of the build context: patterns in
 * order, the last that matches the path or one of its parents wins, `!` lets a
 * path back in, `*` stays within one path part and `**` spans any number.
 */
export function dockerignored(patterns, relative) {
  const parts = relative.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = globToRegExp(pattern);
    if (candidates.some((c) => re.test(c))) ignored = !negate;
  }
  return ignored;
}

export function dockerignorePatterns(text = read('.dockerignore')) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

// --- nginx's configuration ----------------------------------------------------------------

/**
 * nginx's configuration as a tree of directives: `{name, args, block}` where
 * `block` is a list of directives or null. Quotes are kept off the arguments.
 */
export function parseNginx(text) {
  const tokens = [];
  // A word may hold `${name}` (nginx's, or a template's placeholder).
  const re =
    /#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([{};])|((?:\$\{[^}]*\}|[^\s{};'"#])(?:\$\{[^}]*\}|[^\s{};])*)/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('#')) continue;
    if (m[1] !== undefined) tokens.push({ word: m[1] });
    else if (m[2] !== undefined) tokens.push({ word: m[2] });
    else if (m[3] !== undefined) tokens.push({ punct: m[3] });
    else tokens.push({ word: m[4] });
  }
  let pos = 0;
  const block = (closing) => {
    const list = [];
    let words = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.punct === ';') {
        list.push({ name: words[0], args: words.slice(1), block: null });
        words = [];
      } else if (t.punct === '{') {
        const inner = block(true);
        list.push({ name: words[0], args: words.slice(1), block: inner });
        words = [];
      } else if (t.punct === '}') {
        if (!closing || words.length) throw new Error('unbalanced } in the nginx configuration');
        return list;
      } else words.push(t.word);
    }
    if (closing || words.length) throw new Error('unterminated block in the nginx configuration');
    return list;
  };
  return block(false);
}

/** The directives named `name` directly in `list`. */
export const directives = (list, name) => list.filter((d) => d.name === name);
/** The one directive named `name` directly in `list` (or undefined). */
export const directive = (list, name) => directives(list, name)[0];
