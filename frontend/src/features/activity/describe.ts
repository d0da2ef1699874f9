import type { ActivityEntry } from './api/list-activity';

const ACTIONS: Record<string, string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  update_permissions: 'changed the permissions of',
  add_permissions: 'added permissions to',
  reset_password: 'reset the password of',
  toggle_status: 'changed the status of',
  login: 'signed in',
  login_failed: 'failed to sign in',
  export: 'exported',
  import: 'imported',
  adjust_credits: 'adjusted the credits of',
  update_modules: 'changed the modules of',
  refresh_reuse: 'reused a refresh token of',
  change_password: 'changed the password of',
  logout: 'signed out',
};

/** What an entry did, in words: "created", "reset the password of". */
export function actionText(action: string): string {
  return ACTIONS[action] ?? action.replace(/_/g, ' ');
}

/** Which pages the reader may open, for linking an entry's target. */
export interface TargetLinks {
  /** The users screens (View Users). */
  users: boolean;
  /** The clients screens (staff with View Customers). */
  clients: boolean;
  /** The reader's own company, for a client admin (its workspace at `/company`). */
  company: number | null;
  /** The module catalogue. */
  modules: boolean;
}

export const NO_LINKS: TargetLinks = { users: false, clients: false, company: null, modules: false };

/**
 * Where an entry's target lives in the app, if it has a page the reader may
 * open: a user's page, a client's page (or a client admin's own company), the
 * lists, or the module catalogue.
 */
export function targetPath(
  entry: Pick<ActivityEntry, 'targetType' | 'targetId' | 'companyId'>,
  links: TargetLinks,
): string | null {
  const id = entry.targetId && /^\d+$/.test(entry.targetId) ? entry.targetId : null;
  switch (entry.targetType) {
    case 'user':
      if (id && links.users) return `/users/${id}`;
      if (entry.companyId != null && links.clients) return `/clients/${entry.companyId}/users`;
      return null;
    case 'client':
      if (id && links.clients) return `/clients/${id}`;
      if (id && links.company !== null && String(links.company) === id) return '/company';
      return null;
    case 'clients':
      return links.clients ? '/clients' : null;
    case 'users':
      return links.users ? '/users' : null;
    case 'module':
      return links.modules ? '/modules' : null;
    default:
      return null;
  }
}

/** What the target is called: its label, else its kind and id. */
export function targetText(entry: Pick<ActivityEntry, 'targetType' | 'targetId' | 'targetLabel'>): string | null {
  if (entry.targetLabel) return entry.targetLabel;
  if (entry.targetType === 'clients') return 'the clients';
  if (entry.targetType === 'users') return 'the users';
  if (entry.targetType && entry.targetId) return `${entry.targetType} #${entry.targetId}`;
  return entry.targetType ?? null;
}

/** `{field: {from, to}}` as lines "field: from → to". */
export function changeLines(changes: unknown): string[] {
  if (!changes || typeof changes !== 'object') return [];
  return Object.entries(changes as Record<string, unknown>).map(([field, change]) => {
    if (change && typeof change === 'object' && ('from' in change || 'to' in change)) {
      const { from, to } = change as { from?: unknown; to?: unknown };
      return `${field}: ${show(from)} → ${show(to)}`;
    }
    return `${field}: ${show(change)}`;
  });
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** One changed field, ready to show as a before/after diff. */
export interface ChangeRow {
  field: string;
  from: string;
  to: string;
  /** A secret: only that it changed is known. */
  redacted: boolean;
  /** For lists (permissions, modules): what came and went. */
  added: string[];
  removed: string[];
}

const REDACTED = '[redacted]';

const FIELD_LABELS: Record<string, string> = {
  isActive: 'Active',
  companyId: 'Client',
  mustChangePassword: 'Must change password',
  permissions: 'Permissions',
  modules: 'Modules',
  name: 'Name',
  username: 'Username',
  email: 'E-mail',
  role: 'Role',
  password: 'Password',
  credits: 'Credits',
};

/** A field's name for people: `isActive` → "Active", `contactEmail` → "Contact email". */
export function fieldLabel(field: string): string {
  if (FIELD_LABELS[field]) return FIELD_LABELS[field];
  const words = field.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (Array.isArray(value)) return value.length ? value.map((v) => show(v)).join(', ') : 'none';
  return show(value);
}

/** `{field: {from, to}}` as rows of a before/after diff, secrets marked as redacted. */
export function changeRows(changes: unknown): ChangeRow[] {
  if (!changes || typeof changes !== 'object') return [];
  return Object.entries(changes as Record<string, unknown>).map(([field, change]) => {
    const pair = change && typeof change === 'object' && ('from' in change || 'to' in change);
    const from = pair ? (change as { from?: unknown }).from : undefined;
    const to = pair ? (change as { to?: unknown }).to : change;
    const redacted = from === REDACTED || to === REDACTED;
    let added: string[] = [];
    let removed: string[] = [];
    if (Array.isArray(from) || Array.isArray(to)) {
      const before = (Array.isArray(from) ? from : []).map((v) => show(v));
      const after = (Array.isArray(to) ? to : []).map((v) => show(v));
      added = after.filter((v) => !before.includes(v));
      removed = before.filter((v) => !after.includes(v));
    }
    return {
      field: fieldLabel(field),
      from: redacted ? 'redacted' : showValue(from),
      to: redacted ? 'redacted' : showValue(to),
      redacted,
      added,
      removed,
    };
  });
}
