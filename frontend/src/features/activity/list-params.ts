import { PAGE_SIZES } from '@/components/ui/page-sizes';
import type { ActivityQuery } from './api/list-activity';

export type ActivityExportQuery = Omit<ActivityQuery, 'limit' | 'offset'>;

/** The actions the log records (PRODUCT.md §1), for the filter. */
export const ACTIONS = [
  'create',
  'update',
  'update_permissions',
  'add_permissions',
  'reset_password',
  'toggle_status',
  'update_modules',
  'adjust_credits',
  'import',
  'export',
  'login',
  'login_failed',
  'logout',
  'change_password',
] as const;

/** What an entry may be about. */
export const TARGET_TYPES = ['user', 'client', 'module', 'users', 'clients', 'activity'] as const;

const DEFAULT_PAGE_SIZE = 25;

/** The log's filters as the URL holds them; dates are days (YYYY-MM-DD), both ends included. */
export interface ActivityParams {
  actorId: number | null;
  action: string;
  companyId: number | null;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
  page: number;
  pageSize: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function id(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? n : null;
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d{1,6}$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}

function day(value: string | null): string {
  return value && DAY.test(value) && !Number.isNaN(new Date(`${value}T00:00:00`).getTime()) ? value : '';
}

export function readActivityParams(search: URLSearchParams): ActivityParams {
  const pageSize = positiveInt(search.get('pageSize'), DEFAULT_PAGE_SIZE);
  return {
    actorId: id(search.get('actorId')),
    action: (search.get('action') ?? '').slice(0, 100),
    companyId: id(search.get('companyId')),
    targetType: (search.get('targetType') ?? '').slice(0, 100),
    targetId: (search.get('targetId') ?? '').slice(0, 100),
    from: day(search.get('from')),
    to: day(search.get('to')),
    page: positiveInt(search.get('page'), 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

export function writeActivityParams(params: ActivityParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.actorId !== null) out.set('actorId', String(params.actorId));
  if (params.action) out.set('action', params.action);
  if (params.companyId !== null) out.set('companyId', String(params.companyId));
  if (params.targetType) out.set('targetType', params.targetType);
  if (params.targetId.trim()) out.set('targetId', params.targetId.trim());
  if (params.from) out.set('from', params.from);
  if (params.to) out.set('to', params.to);
  if (params.page !== 1) out.set('page', String(params.page));
  if (params.pageSize !== DEFAULT_PAGE_SIZE) out.set('pageSize', String(params.pageSize));
  return out;
}

/** A day's start in the reader's time zone, as RFC 3339 (UTC). */
function startOf(dayText: string, plusDays = 0): string {
  const d = new Date(`${dayText}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

/** The filters as the API takes them: `from` inclusive, `to` exclusive (the day after the last one). */
export function toActivityExportQuery(params: ActivityParams): ActivityExportQuery {
  const query: ActivityExportQuery = {};
  if (params.actorId !== null) query.actorId = params.actorId;
  if (params.action) query.action = params.action;
  if (params.companyId !== null) query.companyId = params.companyId;
  if (params.targetType) query.targetType = params.targetType;
  if (params.targetId.trim()) query.targetId = params.targetId.trim();
  if (params.from) query.from = startOf(params.from);
  if (params.to) query.to = startOf(params.to, 1);
  return query;
}

export function toActivityQuery(params: ActivityParams): ActivityQuery {
  return { ...toActivityExportQuery(params), limit: params.pageSize, offset: (params.page - 1) * params.pageSize };
}

export function isFiltered(params: ActivityParams): boolean {
  return (
    params.actorId !== null ||
    params.action !== '' ||
    params.companyId !== null ||
    params.targetType !== '' ||
    params.targetId.trim() !== '' ||
    params.from !== '' ||
    params.to !== ''
  );
}
