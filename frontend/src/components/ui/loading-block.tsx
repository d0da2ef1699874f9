import { Spinner } from './spinner';

/** A request in flight, in place of the content it will bring. */
export function LoadingBlock({ label }: { label: string }) {
  return (
    <div className="loading-block" data-testid="loading">
      <Spinner label={label} />
      <span className="muted" aria-hidden="true">
        {label}…
      </span>
    </div>
  );
}
