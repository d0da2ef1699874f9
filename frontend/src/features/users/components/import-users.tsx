import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { Button } from '@/components/ui/button';
import { useNotify } from '@/components/ui/use-notify';
import { useToast } from '@/components/ui/use-toast';
import { errorMessage } from '@/lib/api/errors';
import { saveBlob } from '@/lib/download';
import { ImportRefused, useImportUsers, type ImportReport } from '../api/import-users';
import { keepRows, passwordsCsv, rowKind, rowReasons, sampleCsv, summarize, type RowKind } from '../import-report';

const MAX_BYTES = 1024 * 1024;
const number = new Intl.NumberFormat();

const KIND_LABELS: Record<RowKind, string> = { valid: 'Valid', created: 'Created', duplicate: 'Duplicate', invalid: 'Invalid' };
const KIND_BADGE: Record<RowKind, string> = { valid: 'active', created: 'active', duplicate: 'pending', invalid: 'inactive' };

/** Seconds since `running` turned true, ticking. */
function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  const [wasRunning, setWasRunning] = useState(running);
  if (running !== wasRunning) {
    setWasRunning(running);
    if (running) setSeconds(0);
  }
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}

/** Each row of a report: its line, username, outcome and reasons. */
function ReportTable({ report, showPasswords = false }: { report: ImportReport; showPasswords?: boolean }) {
  const order: Record<RowKind, number> = { invalid: 0, duplicate: 1, valid: 2, created: 3 };
  const rows = [...report.rows].sort((a, b) => order[rowKind(a)] - order[rowKind(b)] || a.line - b.line);
  return (
    <div className="table-wrap" role="region" aria-label="Rows of the file" tabIndex={0} data-testid="import-rows">
      <table className="table table--compact">
        <caption className="visually-hidden">Rows of the file</caption>
        <thead>
          <tr>
            <th scope="col" className={showPasswords ? 'hide-narrow' : undefined}>
              Line
            </th>
            <th scope="col">Username</th>
            <th scope="col" className="hide-narrow">
              Outcome
            </th>
            <th scope="col">{showPasswords ? 'One-time password' : 'Reasons'}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const kind = rowKind(row);
            const reasons = rowReasons(row);
            return (
              <tr key={row.line} data-testid="import-row" data-kind={kind}>
                <td className={showPasswords ? 'numeric hide-narrow' : 'numeric'}>{row.line}</td>
                <td>
                  <span className="mono">{row.username || '—'}</span>
                  {!showPasswords && (
                    <span className="show-narrow cell-badges">
                      <span className={`badge badge--${KIND_BADGE[kind]}`}>{KIND_LABELS[kind]}</span>
                    </span>
                  )}
                </td>
                <td className="hide-narrow">
                  <span className={`badge badge--${KIND_BADGE[kind]}`}>{KIND_LABELS[kind]}</span>
                </td>
                <td>
                  {showPasswords ? (
                    <code data-testid="import-password">{row.password ?? '—'}</code>
                  ) : reasons.length ? (
                    <ul className="plain-list" data-testid="import-reasons">
                      {reasons.map((r) => (
                        <li key={r}>{r}</li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Summary({ report }: { report: ImportReport }) {
  const s = summarize(report);
  const items = report.dryRun
    ? [
        ['Rows', s.total],
        ['Valid', s.valid],
        ['Invalid', s.invalid],
        ['Duplicates', s.duplicates],
      ]
    : [
        ['Rows', s.total],
        ['Created', s.created],
        ['Invalid', s.invalid],
        ['Duplicates', s.duplicates],
      ];
  return (
    <dl className="import-summary" data-testid="import-summary">
      {items.map(([label, value]) => (
        <div key={label} className="import-summary__item" data-testid={`import-count-${String(label).toLowerCase()}`}>
          <dt>{label}</dt>
          <dd>{number.format(Number(value))}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Import users from a CSV file: a dry run first (every row checked, nothing
 * written), then the import of the valid rows with a progress indicator, and a
 * final report with the one-time passwords, to download once.
 */
export function ImportUsers({ staff, onDone }: { staff: boolean; onDone: () => void }) {
  const fileId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [checked, setChecked] = useState<ImportReport | null>(null);
  const [final, setFinal] = useState<ImportReport | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const importer = useImportUsers();
  const notify = useNotify();
  const toast = useToast();
  const importing = importer.isPending && !importer.variables.dryRun;
  const checking = importer.isPending && importer.variables.dryRun;
  const elapsed = useElapsed(importing);

  const dryRun = (text: string) => {
    setChecked(null);
    importer.mutate(
      { csv: text, dryRun: true },
      {
        onSuccess: setChecked,
        onError: (error) => {
          if (error instanceof ImportRefused && error.report) setChecked(error.report);
          setFileError(error instanceof ImportRefused && Object.keys(error.details).length ? Object.values(error.details).flat().join('; ') : null);
          notify({ variant: 'error', title: 'The file cannot be checked', message: errorMessage(error), details: error instanceof ImportRefused ? error.details : {} });
        },
      },
    );
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    setFinal(null);
    setChecked(null);
    setFileError(null);
    if (!chosen) return;
    if (chosen.size > MAX_BYTES) {
      setFile(null);
      setFileError('The file is larger than 1 MiB: split it into several imports.');
      return;
    }
    const text = await chosen.text();
    setFile({ name: chosen.name, text });
    dryRun(text);
  };

  const summary = checked ? summarize(checked) : null;
  const importable = summary?.validLines ?? [];
  const allValid = summary !== null && summary.invalid === 0 && summary.duplicates === 0;

  const runImport = () => {
    if (!file || !checked) return;
    const csv = allValid ? file.text : keepRows(file.text, importable);
    importer.mutate(
      { csv, dryRun: false },
      {
        onSuccess: (report) => {
          setFinal(report);
          setChecked(null);
          toast({ title: `${number.format(report.created)} users imported` });
        },
        onError: (error) => {
          if (error instanceof ImportRefused && error.report) setChecked(error.report);
          notify({ variant: 'error', title: 'Nothing was imported', message: errorMessage(error), retry: runImport });
        },
      },
    );
  };

  const reset = () => {
    setFile(null);
    setChecked(null);
    setFinal(null);
    setFileError(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  if (final) {
    return (
      <section aria-labelledby="import-final-title" data-testid="import-final">
        <h2 id="import-final-title" className="card__title">
          Imported: {number.format(final.created)} users
        </h2>
        <div className="callout callout--warning" role="note">
          <p className="callout__title">One-time passwords, shown once</p>
          <p>Each user must change its password at first sign-in. Download them now: they cannot be shown again.</p>
          <p className="small">
            In the file, a password that begins with = + - or @ is written with a leading <code>'</code> so that spreadsheets do not
            run it as a formula; the <code>'</code> is not part of the password.
          </p>
        </div>
        <Summary report={final} />
        <div className="form__actions form__actions--start">
          <Button
            onClick={() => saveBlob(new Blob([passwordsCsv(final.rows, `${window.location.origin}/login`)], { type: 'text/csv;charset=utf-8' }), 'imported-users-passwords.csv')}
            data-testid="download-passwords"
          >
            Download the passwords (CSV)
          </Button>
          <Button variant="secondary" onClick={reset}>
            Import another file
          </Button>
          <Button variant="secondary" onClick={onDone} data-testid="import-done">
            Go to the users
          </Button>
        </div>
        <ReportTable report={final} showPasswords />
      </section>
    );
  }

  return (
    <div className="import" data-testid="import-users">
      <section aria-labelledby="import-file-title" className="import__step">
        <h2 id="import-file-title" className="card__title">
          1. Choose a CSV file
        </h2>
        <p className="muted section-lead">
          A header row and one user per row. Columns: <code>name</code> and <code>username</code> (required), <code>email</code>,{' '}
          <code>role</code> (default <code>user</code>), <code>permissions</code> (ids separated by spaces or <code>;</code>)
          {staff ? (
            <>
              , <code>companyId</code> (the client of a client user)
            </>
          ) : null}
          . At most 1,000 rows and 1 MiB. Every user gets a generated password and must change it at first sign-in.
        </p>
        <div className="import__file">
          <label htmlFor={fileId} className="field__label">
            CSV file
          </label>
          <input
            ref={fileInput}
            id={fileId}
            type="file"
            accept=".csv,text/csv"
            className="field__input"
            onChange={(e) => void choose(e)}
            disabled={importer.isPending}
            aria-describedby={fileError ? `${fileId}-error` : undefined}
            data-testid="import-file"
          />
          {fileError && (
            <p id={`${fileId}-error`} className="field__errors" role="alert" data-testid="import-file-error">
              {fileError}
            </p>
          )}
          <Button
            variant="ghost"
            className="button--small"
            onClick={() => saveBlob(new Blob([sampleCsv(staff)], { type: 'text/csv;charset=utf-8' }), 'users-sample.csv')}
            data-testid="import-sample"
          >
            Download a sample CSV
          </Button>
        </div>
      </section>
      {checking && (
        <p className="muted" role="status" data-testid="import-checking">
          Checking every row of {file?.name}…
        </p>
      )}
      {checked && summary && (
        <section aria-labelledby="import-check-title" className="import__step" data-testid="import-dry-run">
          <h2 id="import-check-title" className="card__title">
            2. Check the report{checked.dryRun ? ' (dry run: nothing written yet)' : ' (nothing was written)'}
          </h2>
          <Summary report={checked} />
          {importing ? (
            <div className="import__progress" data-testid="import-progress">
              <span role="status" aria-live="polite">
                Importing {number.format(allValid ? summary.total : importable.length)} users… {elapsed} s
              </span>
              <progress className="export__bar" aria-label="Import progress" />
              <p className="muted small">Each user's password is hashed before anything is written; a large file takes a while.</p>
            </div>
          ) : (
            <div className="form__actions form__actions--start">
              {importable.length > 0 && (
                <Button onClick={runImport} data-testid="import-run">
                  {allValid
                    ? `Import ${number.format(importable.length)} users`
                    : `Import the ${number.format(importable.length)} valid rows, skip the ${number.format(summary.invalid + summary.duplicates)} others`}
                </Button>
              )}
              <Button variant="secondary" onClick={reset}>
                Choose another file
              </Button>
            </div>
          )}
          <ReportTable report={checked} />
        </section>
      )}
    </div>
  );
}
