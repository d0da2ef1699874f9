import type { User } from '@/lib/api/client';
import { policies } from '@/lib/authorization';

export type ClientTabId = 'details' | 'users' | 'modules' | 'credits' | 'activity';

export interface ClientTab {
  id: ClientTabId;
  label: string;
  /** Beyond seeing the client (which every tab needs). */
  allowed: (user: User) => boolean;
  /** What the tab needs, said when the user lacks it. */
  needs?: string;
}

/** `/clients/:id/:tab`; the first is `/clients/:id`'s. */
export const CLIENT_TABS = [
  { id: 'details', label: 'Details', allowed: () => true },
  { id: 'users', label: 'Users', allowed: policies.viewUsers, needs: 'the View Users permission' },
  { id: 'modules', label: 'Modules', allowed: () => true },
  { id: 'credits', label: 'Credits', allowed: () => true },
  { id: 'activity', label: 'Activity', allowed: policies.viewActivity, needs: 'the View Activity Logs permission' },
] as const satisfies readonly [ClientTab, ...ClientTab[]];
