import type { Schemas } from '@/lib/api/client';

type Role = Schemas['Role'];

export const ROLE_LABELS: Record<Role, string> = {
  super_admin: 'Super admin',
  admin: 'Admin',
  client_admin: 'Client admin',
  user: 'User',
};

/**
 * The fixed permission catalogue (PRODUCT.md). Replace with the API's catalogue
 * endpoint once the OpenAPI document has it.
 */
export const PERMISSION_NAMES: Readonly<Record<number, string>> = {
  1: 'View Users',
  2: 'Create Users',
  3: 'Edit Users',
  4: 'Delete Users',
  5: 'Manage User Permissions',
  10: 'View Tickets',
  11: 'Create Tickets',
  12: 'Edit Tickets',
  13: 'Delete Tickets',
  14: 'Close Tickets',
  20: 'View Customers',
  21: 'Create Customers',
  22: 'Edit Customers',
  23: 'Delete Customers',
  30: 'View Reports',
  31: 'Export Reports',
  40: 'View Master Data',
  41: 'Edit Master Data',
  50: 'View Activity Logs',
  60: 'System Administration',
};

export function permissionName(id: number): string {
  return PERMISSION_NAMES[id] ?? `Permission ${id}`;
}
