import { isRouteErrorResponse, useRouteError } from 'react-router';
import { usePage } from '@/lib/use-page';

/** A screen that threw while rendering: say so instead of a blank page. */
export function RouteErrorPage() {
  const error = useRouteError();
  usePage('Error');
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Something went wrong.';
  return (
    <main className="full-page-center">
      <div className="card narrow" role="alert" data-testid="route-error">
        <h1 className="card__title">This screen failed to load</h1>
        <p>{message}</p>
        <p>
          <a href="/">Reload the dashboard</a>
        </p>
      </div>
    </main>
  );
}
