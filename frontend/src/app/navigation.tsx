import type { ReactNode } from 'react';
import type { User } from '@/lib/api/client';
import { isStaff, policies } from '@/lib/authorization';

export interface NavItem {
  to: string;
  label: string;
  /** Match the path exactly (the dashboard), not as a prefix. */
  end?: boolean;
  icon: ReactNode;
  allowed: (user: User) => boolean;
}

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
    <path d={d} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);

/** The sidebar's sections; each shows only to those its screen serves. */
export const NAV_ITEMS: readonly NavItem[] = [
  {
    to: '/',
    label: 'Dashboard',
    end: true,
    icon: icon('M4 13h6V4H4zM14 20h6v-9h-6zM4 20h6v-3H4zM14 7h6V4h-6z'),
    allowed: () => true,
  },
  {
    to: '/clients',
    label: 'Clients',
    icon: icon('M3 21V7l6-4 6 4v14M15 11h6v10M7 9h4M7 13h4M7 17h4'),
    allowed: policies.viewClients,
  },
  {
    to: '/company',
    label: 'My company',
    icon: icon('M3 21h18M5 21V9l7-5 7 5v12M9 21v-6h6v6'),
    allowed: policies.viewOwnCompany,
  },
  {
    to: '/users',
    label: 'Users',
    icon: icon('M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M17 11a3 3 0 1 0 0-6M22 20a5 5 0 0 0-4-5'),
    allowed: policies.viewUsers,
  },
  {
    to: '/activity',
    label: 'Activity',
    icon: icon('M3 12h4l3-8 4 16 3-8h4'),
    allowed: policies.viewActivity,
  },
  {
    to: '/modules',
    label: 'Modules',
    icon: icon('M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z'),
    allowed: isStaff,
  },
  {
    to: '/profile',
    label: 'Profile',
    icon: icon('M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0'),
    allowed: () => true,
  },
];
