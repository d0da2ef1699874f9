import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Link } from 'react-router';
import { useNotify } from '@/components/ui/use-notify';
import type { User } from '@/lib/api/client';
import { errorMessage, isEndedSession } from '@/lib/api/errors';
import { useLogout } from '../api/logout';
import { initials } from '../initials';
import { ROLE_LABELS } from '../labels';

/** The header's account menu (Radix DropdownMenu): who is signed in, profile, sign out. */
export function UserMenu({ user }: { user: User }) {
  const notify = useNotify();
  const logout = useLogout({
    onError: (error) => {
      if (isEndedSession(error, false)) return;
      notify({
        variant: 'info',
        title: 'Signed out',
        message: `You are signed out on this device, but the server could not be told: ${errorMessage(error)}`,
      });
    },
  });
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="user-menu__trigger" aria-label={`Account menu for ${user.name}`} data-testid="user-menu">
        <span className="avatar avatar--small" aria-hidden="true">
          {initials(user.name)}
        </span>
        <span className="user-menu__name">{user.name}</span>
        <span className="user-menu__chevron" aria-hidden="true">
          ▾
        </span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
          <DropdownMenu.Label className="menu__label">
            <span className="menu__label-name">{user.name}</span>
            <span className="muted">
              @{user.username} · {ROLE_LABELS[user.role]}
            </span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="menu__separator" />
          <DropdownMenu.Item className="menu__item" asChild>
            <Link to="/profile">Profile</Link>
          </DropdownMenu.Item>
          <DropdownMenu.Item
            className="menu__item"
            disabled={logout.isPending}
            onSelect={() => logout.mutate()}
            data-testid="logout"
          >
            Sign out
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
