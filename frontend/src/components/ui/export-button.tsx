import { errorMessage } from '@/lib/api/errors';
import { saveBlob } from '@/lib/download';
import { ExportCancelled, type ExportedFile, type ExportProgress } from '@/lib/csv-export';
import { Button } from './button';
import { useNotify } from './use-notify';
import { useToast } from './use-toast';

const number = new Intl.NumberFormat();

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}


/**
 * Export CSV of a list's current filters: the rows stream in with a running
 * count (against the list's total when it is exact), can be cancelled, and are
 * saved as a file when complete.
 */
export function ExportButton({
  start,
  running,
  progress,
  cancel,
  expectedRows,
  noun,
  label = 'Export CSV',
}: {
  /** Starts the export; calls back with the file or the failure. */
  start: (callbacks: { onSuccess: (file: ExportedFile) => void; onError: (error: Error) => void }) => void;
  running: boolean;
  progress: ExportProgress;
  cancel: () => void;
  expectedRows: number | null;
  /** Singular and plural of what a row is: ['client', 'clients']. */
  noun: readonly [string, string];
  label?: string;
}) {
  const toast = useToast();
  const notify = useNotify();

  const run = () => {
    start({
      onSuccess: (file) => {
        saveBlob(file.blob, file.filename);
        toast({
          title: 'Export ready',
          description: `${number.format(file.rows)} ${file.rows === 1 ? noun[0] : noun[1]} saved to ${file.filename}.`,
        });
      },
      onError: (error) => {
        if (error instanceof ExportCancelled) {
          toast({ title: 'Export cancelled', variant: 'info' });
          return;
        }
        notify({ variant: 'error', title: 'Export failed', message: errorMessage(error), retry: run });
      },
    });
  };

  const { rows, bytes } = progress;
  const max = expectedRows && expectedRows > 0 ? expectedRows : undefined;
  return (
    <div className="export">
      {running ? (
        <div className="export__progress" data-testid="export-progress">
          <div className="export__text">
            <span role="status" aria-live="polite" data-testid="export-status">
              Exporting… {number.format(rows)} {max ? `of ${number.format(max)} ` : ''}rows · {size(bytes)}
            </span>
            <progress className="export__bar" aria-label="Export progress" value={max ? Math.min(rows, max) : undefined} max={max} />
          </div>
          <Button variant="secondary" className="button--small" onClick={cancel} data-testid="export-cancel">
            Cancel
          </Button>
        </div>
      ) : (
        <Button variant="secondary" onClick={run} data-testid="export-csv">
          {label}
        </Button>
      )}
    </div>
  );
}
