import type { Schemas } from '@/lib/api/client';

export type BusinessType = Schemas['BusinessType'];
export type LeadStatus = Schemas['LeadStatus'];

export const BUSINESS_TYPE_LABELS: Record<BusinessType, string> = {
  retail: 'Retail',
  wholesale: 'Wholesale',
  restaurant: 'Restaurant',
  hotel: 'Hotel',
  services: 'Services',
  other: 'Other',
};

export const LEAD_STATUS_LABELS: Record<LeadStatus, string> = {
  lead: 'Lead',
  qualified: 'Qualified',
  customer: 'Customer',
  closed: 'Closed',
};

export const BUSINESS_TYPES = Object.keys(BUSINESS_TYPE_LABELS) as BusinessType[];
export const LEAD_STATUSES = Object.keys(LEAD_STATUS_LABELS) as LeadStatus[];

export function isBusinessType(value: unknown): value is BusinessType {
  return typeof value === 'string' && value in BUSINESS_TYPE_LABELS;
}

export function isLeadStatus(value: unknown): value is LeadStatus {
  return typeof value === 'string' && value in LEAD_STATUS_LABELS;
}
