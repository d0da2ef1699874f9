import type { ReactNode } from 'react';
import { usePage } from '@/lib/use-page';

/**
 * A screen's title (its `h1` and the document title) with optional context
 * above it and actions beside it.
 */
export function PageHeader({
  title,
  documentTitle,
  eyebrow,
  actions,
  children,
}: {
  title: ReactNode;
  /** For the tab; defaults to `title` when that is text. */
  documentTitle?: string;
  eyebrow?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  usePage(documentTitle ?? (typeof title === 'string' ? title : 'Clientele'));
  return (
    <header className="page-header">
      <div className="page-header__text">
        {eyebrow && <div className="page-header__eyebrow">{eyebrow}</div>}
        <h1 className="page-title" data-testid="page-title">
          {title}
        </h1>
        {children}
      </div>
      {actions && <div className="page-header__actions">{actions}</div>}
    </header>
  );
}
