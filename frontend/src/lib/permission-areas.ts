/** The permission catalogue's areas (seed 003), by id range. */
export const PERMISSION_AREAS = [
  { id: 'users', label: 'Users', from: 1, to: 9 },
  { id: 'tickets', label: 'Tickets', from: 10, to: 19 },
  { id: 'customers', label: 'Customers', from: 20, to: 29 },
  { id: 'reports', label: 'Reports', from: 30, to: 39 },
  { id: 'master-data', label: 'Master Data', from: 40, to: 49 },
  { id: 'activity', label: 'Activity Logs', from: 50, to: 59 },
  { id: 'system', label: 'System', from: 60, to: 69 },
] as const;

export type PermissionArea = (typeof PERMISSION_AREAS)[number];

export function areaOf(id: number): PermissionArea | null {
  return PERMISSION_AREAS.find((a) => id >= a.from && id <= a.to) ?? null;
}

/** Items (with an `id`) grouped by area, in catalogue order; empty areas left out. */
export function groupByArea<T extends { id: number }>(items: readonly T[]): { area: PermissionArea; items: T[] }[] {
  return PERMISSION_AREAS.map((area) => ({
    area,
    items: items.filter((item) => item.id >= area.from && item.id <= area.to).sort((a, b) => a.id - b.id),
  })).filter((group) => group.items.length > 0);
}
