import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';

/** A screen the signed-in user may not use: say so, and why, instead of failing. */
export function ForbiddenRoute({ screen, needs }: { screen: string; needs: string }) {
  return (
    <div data-testid="forbidden-page">
      <PageHeader title={`You cannot open ${screen}`} documentTitle="Not allowed" />
      <div className="card narrow" role="alert">
        <p>{needs}</p>
        <p className="muted">Ask an administrator if you need it.</p>
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </div>
    </div>
  );
}
