import { Button } from '@/components/ui/button';
import { LogoutButton } from '@/features/auth/components/logout-button';
import { errorMessage } from '@/lib/api/errors';
import { usePage } from '@/lib/use-page';

export function LoadErrorRoute({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  usePage('Error');
  return (
    <main className="full-page-center">
      <div className="card narrow" role="alert" data-testid="load-error">
        <h1 className="card__title">Your account could not be loaded</h1>
        <p>{errorMessage(error)}</p>
        <div className="form__actions">
          <LogoutButton />
          <Button onClick={onRetry}>Try again</Button>
        </div>
      </div>
    </main>
  );
}
