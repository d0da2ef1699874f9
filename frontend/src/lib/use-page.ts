import { useEffect } from 'react';

/** Name the current screen in the browser's tab: "<title> · Clientele". */
export function usePage(title: string): void {
  useEffect(() => {
    document.title = `${title} · Clientele`;
  }, [title]);
}
