import { Button } from '@/components/ui/button';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage } from '@/lib/api/errors';
import { saveBlob } from '@/lib/download';
import { ExportCancelled, useExportClients } from '../api/export-clients';
import type { ClientExportQuery } from '../list-params';

const number = new Intl.NumberFormat();

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Export CSV of the list's current filters and sort: the rows stream in with a
 * running count (against the list's total when it is exact), can be cancelled,
 * and are saved as a file when complete.
 */
export function ExportButton({ query, expectedRows }: { query: ClientExportQuery; expectedRows: number | null }) {
  const exporter = useExportClients();
  const toast = useToast();
  const notify = useNotify();
  const running = exporter.isPending;

  const start = () => {
    exporter.mutate(query, {
      onSuccess: (file) => {
        saveBlob(file.blob, file.filename);
        toast({
          title: 'Export ready',
          description: `${number.format(file.rows)} ${file.rows === 1 ? 'client' : 'clients'} saved to ${file.filename}.`,
        });
      },
      onError: (error) => {
        if (error instanceof ExportCancelled) {
          toast({ title: 'Export cancelled', variant: 'info' });
          return;
        }
        notify({ variant: 'error', title: 'Export failed', message: errorMessage(error), retry: start });
      },
    });
  };

  const { rows, bytes } = exporter.progress;
  const max = expectedRows && expectedRows > 0 ? expectedRows : undefined;
  return (
    <div className="export">
      {running ? (
        <div className="export__progress" data-testid="export-progress">
          <div className="export__text">
            <span role="status" aria-live="polite" data-testid="export-status">
              Exporting… {number.format(rows)} {max ? `of ${number.format(max)} ` : ''}rows · {size(bytes)}
            </span>
            <progress
              className="export__bar"
              aria-label="Export progress"
              value={max ? Math.min(rows, max) : undefined}
              max={max}
            />
          </div>
          <Button variant="secondary" className="button--small" onClick={exporter.cancel} data-testid="export-cancel">
            Cancel
          </Button>
        </div>
      ) : (
        <Button variant="secondary" onClick={start} data-testid="export-csv">
          Export CSV
        </Button>
      )}
    </div>
  );
}
