import type { paths } from '@/lib/api/schema';
import { PAGE_SIZES } from '@/components/ui/page-sizes';
import { ALL_PERMISSIONS, ROLES, type Role } from '@/lib/authorization';

export type UserListQuery = NonNullable<paths['/api/users-management']['get']['parameters']['query']>;
export type UserSort = NonNullable<UserListQuery['sort']>;
export type UserExportQuery = Omit<UserListQuery, 'limit' | 'offset'>;
type PermissionFilter = NonNullable<UserListQuery['permission']>;

/** The sortable columns, as the API names them. */
export const SORTABLE = ['name', 'username', 'lastLogin', 'createdAt'] as const;
export type SortField = (typeof SORTABLE)[number];

export const DEFAULT_SORT: UserSort = '-createdAt';
const DEFAULT_PAGE_SIZE = 10;

/** The users list as the URL holds it: search, filters, sort and page. */
export interface UserListParams {
  search: string;
  role: '' | Role;
  /** A client's id, or null for every company. */
  companyId: number | null;
  status: '' | 'active' | 'inactive';
  permission: PermissionFilter | null;
  sort: UserSort;
  /** 1-based. */
  page: number;
  pageSize: number;
}

function isSort(value: string | null): value is UserSort {
  if (value === null) return false;
  const field = value.startsWith('-') ? value.slice(1) : value;
  return (SORTABLE as readonly string[]).includes(field);
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d{1,6}$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}

function id(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? n : null;
}

/** Read the list's state from the URL; anything unknown or malformed falls back to the default. */
export function readUserListParams(search: URLSearchParams): UserListParams {
  const role = search.get('role');
  const status = search.get('status');
  const sort = search.get('sort');
  const permission = id(search.get('permission'));
  const pageSize = positiveInt(search.get('pageSize'), DEFAULT_PAGE_SIZE);
  return {
    search: (search.get('search') ?? '').slice(0, 200),
    role: (ROLES as readonly string[]).includes(role ?? '') ? (role as Role) : '',
    companyId: id(search.get('companyId')),
    status: status === 'active' || status === 'inactive' ? status : '',
    permission: permission !== null && ALL_PERMISSIONS.includes(permission) ? (permission as PermissionFilter) : null,
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    page: positiveInt(search.get('page'), 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** The URL for a list state: defaults left out, so a plain `/users` is the default list. */
export function writeUserListParams(params: UserListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.search.trim() !== '') out.set('search', params.search);
  if (params.role) out.set('role', params.role);
  if (params.companyId !== null) out.set('companyId', String(params.companyId));
  if (params.status) out.set('status', params.status);
  if (params.permission !== null) out.set('permission', String(params.permission));
  if (params.sort !== DEFAULT_SORT) out.set('sort', params.sort);
  if (params.page !== 1) out.set('page', String(params.page));
  if (params.pageSize !== DEFAULT_PAGE_SIZE) out.set('pageSize', String(params.pageSize));
  return out;
}

/** The filters and sort, as the API takes them (the export takes exactly these). */
export function toExportQuery(params: UserListParams): UserExportQuery {
  const query: UserExportQuery = { sort: params.sort };
  const search = params.search.trim();
  if (search !== '') query.search = search;
  if (params.role) query.role = params.role;
  if (params.companyId !== null) query.companyId = params.companyId;
  if (params.status) query.isActive = params.status === 'active';
  if (params.permission !== null) query.permission = params.permission;
  return query;
}

/** The page's query: the filters and sort, and the page as limit and offset. */
export function toListQuery(params: UserListParams): UserListQuery {
  return { ...toExportQuery(params), limit: params.pageSize, offset: (params.page - 1) * params.pageSize };
}

/** Whether any search or filter narrows the list. */
export function isFiltered(params: UserListParams): boolean {
  return params.search.trim() !== '' || params.role !== '' || params.companyId !== null || params.status !== '' || params.permission !== null;
}
