import * as Dialog from '@radix-ui/react-dialog';
import { Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { LoadingBlock } from '@/components/ui/loading-block';
import { UserMenu } from '@/features/auth/components/user-menu';
import { useCurrentUser } from '../current-user';
import { NAV_ITEMS } from '../navigation';
import { Brand } from './brand';

function SidebarNav({ onNavigate }: { onNavigate?: () => void }) {
  const user = useCurrentUser();
  return (
    <nav aria-label="Main" className="sidebar__nav">
      <ul>
        {NAV_ITEMS.filter((item) => item.allowed(user)).map((item) => (
          <li key={item.to}>
            <NavLink
              to={item.to}
              end={item.end}
              className="sidebar__link"
              onClick={onNavigate}
              data-testid={`nav-${item.label.toLowerCase().replace(/\s+/g, '-')}`}
            >
              {item.icon}
              <span>{item.label}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * The signed-in frame: a sidebar of the sections this user may use (a menu
 * sheet at phone width), a header with the account menu, and the screen.
 */
export function AppShell() {
  const user = useCurrentUser();
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  // The screen, not its tab: `/clients/5/users` and `/clients/5/credits` are one screen.
  const screen = pathname.split('/').slice(0, 3).join('/');
  const main = useRef<HTMLElement>(null);
  const firstScreen = useRef(screen);

  // On a new screen, start at its top with focus there (not on first load, nor when a tab
  // changes, where focus stays on the tab). No scroll restoration: it would keep positions
  // in sessionStorage, which holds the refresh token only.
  useEffect(() => {
    if (screen === firstScreen.current) return;
    firstScreen.current = '';
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [screen]);

  return (
    <div className="app-shell" data-testid="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar__brand">
          <Brand />
        </div>
        <SidebarNav />
      </aside>
      <div className="app-shell__body">
        <header className="app-header">
          <Dialog.Root open={menuOpen} onOpenChange={setMenuOpen}>
            <Dialog.Trigger className="icon-button app-header__menu" aria-label="Open navigation" data-testid="nav-toggle">
              <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
              </svg>
            </Dialog.Trigger>
            <Dialog.Portal>
              <Dialog.Overlay className="overlay" />
              <Dialog.Content className="sheet" aria-describedby={undefined} data-testid="nav-sheet">
                <div className="sheet__header">
                  <Dialog.Title asChild>
                    <span>
                      <Brand />
                    </span>
                  </Dialog.Title>
                  <Dialog.Close className="icon-button" aria-label="Close navigation">
                    ×
                  </Dialog.Close>
                </div>
                <SidebarNav onNavigate={() => setMenuOpen(false)} />
              </Dialog.Content>
            </Dialog.Portal>
          </Dialog.Root>
          <span className="app-header__brand">
            <Brand />
          </span>
          <div className="app-header__right">
            <UserMenu user={user} />
          </div>
        </header>
        <main id="main" ref={main} tabIndex={-1} className="content">
          <Suspense fallback={<LoadingBlock label="Loading the page" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
