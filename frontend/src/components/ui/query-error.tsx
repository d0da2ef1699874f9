import { errorMessage } from '@/lib/api/errors';
import { Button } from './button';

/** A request that failed: what failed, why, and a way to try again. */
export function QueryError({
  what,
  error,
  onRetry,
  retrying = false,
}: {
  /** What could not be loaded, e.g. "the clients". */
  what: string;
  error: unknown;
  onRetry: () => void;
  retrying?: boolean;
}) {
  return (
    <div className="callout callout--error" role="alert" data-testid="query-error">
      <div>
        <p className="callout__title">Could not load {what}</p>
        <p>{errorMessage(error)}</p>
      </div>
      <Button variant="secondary" loading={retrying} onClick={onRetry} data-testid="retry">
        Try again
      </Button>
    </div>
  );
}
