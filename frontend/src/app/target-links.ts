import type { TargetLinks } from '@/features/activity/describe';
import type { User } from '@/lib/api/client';
import { isStaff, policies } from '@/lib/authorization';

/** The pages an activity entry's target may link to, for this reader. */
export function targetLinks(user: User): TargetLinks {
  return {
    users: policies.viewUsers(user),
    clients: policies.viewClients(user),
    company: policies.viewOwnCompany(user) ? (user.companyId ?? null) : null,
    modules: isStaff(user),
  };
}
