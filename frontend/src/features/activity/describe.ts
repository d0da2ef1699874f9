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

/**
 * Where an entry's target lives in the app, if it has a page: a client, or a
 * client's user (shown on its client's Users tab).
 */
export function targetPath(entry: Pick<ActivityEntry, 'targetType' | 'targetId' | 'companyId'>): string | null {
  const id = entry.targetId;
  if (entry.targetType === 'client' && id && /^\d+$/.test(id)) return `/clients/${id}`;
  if (entry.targetType === 'user' && entry.companyId != null) return `/clients/${entry.companyId}/users`;
  if (entry.targetType === 'clients') return '/clients';
  return null;
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
