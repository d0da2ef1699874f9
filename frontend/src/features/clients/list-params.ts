import type { paths } from '@/lib/api/schema';
import { PAGE_SIZES } from '@/components/ui/page-sizes';
import { isBusinessType, isLeadStatus, type BusinessType, type LeadStatus } from './labels';

export type ClientListQuery = NonNullable<paths['/api/clients']['get']['parameters']['query']>;
export type ClientSort = NonNullable<ClientListQuery['sort']>;
export type ClientExportQuery = Omit<ClientListQuery, 'limit' | 'offset'>;

/** The sortable columns, as the API names them. */
export const SORTABLE = ['companyName', 'accountNumber', 'lastLogin', 'createdAt'] as const;
export type SortField = (typeof SORTABLE)[number];

export const DEFAULT_SORT: ClientSort = '-createdAt';
const DEFAULT_PAGE_SIZE = 10;

/** The clients list as the URL holds it: search, filters, sort and page. */
export interface ClientListParams {
  search: string;
  status: '' | 'active' | 'inactive';
  businessType: '' | BusinessType;
  leadStatus: '' | LeadStatus;
  sort: ClientSort;
  /** 1-based. */
  page: number;
  pageSize: number;
}

function isSort(value: string | null): value is ClientSort {
  if (value === null) return false;
  const field = value.startsWith('-') ? value.slice(1) : value;
  return (SORTABLE as readonly string[]).includes(field);
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d{1,6}$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}

/** Read the list's state from the URL; anything unknown or malformed falls back to the default. */
export function readClientListParams(search: URLSearchParams): ClientListParams {
  const status = search.get('status');
  const businessType = search.get('businessType');
  const leadStatus = search.get('leadStatus');
  const sort = search.get('sort');
  const pageSize = positiveInt(search.get('pageSize'), DEFAULT_PAGE_SIZE);
  return {
    search: (search.get('search') ?? '').slice(0, 200),
    status: status === 'active' || status === 'inactive' ? status : '',
    businessType: isBusinessType(businessType) ? businessType : '',
    leadStatus: isLeadStatus(leadStatus) ? leadStatus : '',
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    page: positiveInt(search.get('page'), 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** The URL for a list state: defaults left out, so a plain `/clients` is the default list. */
export function writeClientListParams(params: ClientListParams): URLSearchParams {
  const out = new URLSearchParams();
  if (params.search.trim() !== '') out.set('search', params.search);
  if (params.status) out.set('status', params.status);
  if (params.businessType) out.set('businessType', params.businessType);
  if (params.leadStatus) out.set('leadStatus', params.leadStatus);
  if (params.sort !== DEFAULT_SORT) out.set('sort', params.sort);
  if (params.page !== 1) out.set('page', String(params.page));
  if (params.pageSize !== DEFAULT_PAGE_SIZE) out.set('pageSize', String(params.pageSize));
  return out;
}

/** The filters and sort, as the API takes them (the export takes exactly these). */
export function toExportQuery(params: ClientListParams): ClientExportQuery {
  const query: ClientExportQuery = { sort: params.sort };
  const search = params.search.trim();
  if (search !== '') query.search = search;
  if (params.status) query.isActive = params.status === 'active';
  if (params.businessType) query.businessType = params.businessType;
  if (params.leadStatus) query.leadStatus = params.leadStatus;
  return query;
}

/** The page's query: the filters and sort, and the page as limit and offset. */
export function toListQuery(params: ClientListParams): ClientListQuery {
  return { ...toExportQuery(params), limit: params.pageSize, offset: (params.page - 1) * params.pageSize };
}
