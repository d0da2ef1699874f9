import { ExportButton as CsvExportButton } from '@/components/ui/export-button';
import { useExportClients } from '../api/export-clients';
import type { ClientExportQuery } from '../list-params';

/** Export CSV of the clients list's current filters and sort (streamed, with progress and cancel). */
export function ExportButton({ query, expectedRows }: { query: ClientExportQuery; expectedRows: number | null }) {
  const exporter = useExportClients();
  return (
    <CsvExportButton
      start={(callbacks) => exporter.mutate(query, callbacks)}
      running={exporter.isPending}
      progress={exporter.progress}
      cancel={exporter.cancel}
      expectedRows={expectedRows}
      noun={['client', 'clients']}
    />
  );
}
