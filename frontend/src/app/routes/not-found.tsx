import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';

/** Any URL the app does not know. */
export function NotFoundRoute({ what = 'page' }: { what?: string }) {
  return (
    <div data-testid="not-found-page">
      <PageHeader title={`This ${what} does not exist`} documentTitle="Not found" />
      <div className="card narrow">
        <p>
          Nothing is at <code>{window.location.pathname}</code>. It may have been mistyped, or the link may be out of
          date.
        </p>
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </div>
    </div>
  );
}
