import { useEffect } from 'react';

/**
 * Name the current screen: sets the document title and shows `path` in the
 * address bar (without adding history entries; the screens follow the session).
 */
export function usePage(title: string, path: string): void {
  useEffect(() => {
    document.title = `${title} · Clientele`;
    if (window.location.pathname !== path) {
      window.history.replaceState(window.history.state, '', path);
    }
  }, [title, path]);
}
