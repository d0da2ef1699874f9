import { Link } from 'react-router';
import { formatDateTime } from '@/lib/format';
import type { ActivityEntry } from '../api/list-activity';
import { actionText, changeRows, NO_LINKS, targetPath, targetText, type TargetLinks } from '../describe';

/** `{field: {from, to}}` as a small before/after table; secrets say only that they changed. */
export function ChangesDiff({ changes, limit }: { changes: unknown; limit?: number }) {
  const rows = changeRows(changes);
  if (rows.length === 0) return null;
  const shown = limit ? rows.slice(0, limit) : rows;
  return (
    <table className="diff" data-testid="activity-diff">
      <caption className="visually-hidden">Changes</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((row) => (
          <tr key={row.field} data-testid="diff-row">
            <th scope="row">{row.field}</th>
            {row.redacted ? (
              <td colSpan={2}>
                <span className="badge badge--redacted" data-testid="diff-redacted">
                  Secret: changed, value redacted
                </span>
              </td>
            ) : (
              <>
                <td className="diff__from" data-testid="diff-from">
                  <del>{row.from}</del>
                  {row.removed.length > 0 && <span className="diff__delta"> (−{row.removed.join(', ')})</span>}
                </td>
                <td className="diff__to" data-testid="diff-to">
                  <ins>{row.to}</ins>
                  {row.added.length > 0 && <span className="diff__delta"> (+{row.added.join(', ')})</span>}
                </td>
              </>
            )}
          </tr>
        ))}
        {limit && rows.length > limit && (
          <tr>
            <td colSpan={3} className="muted">
              and {rows.length - limit} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/**
 * Log entries, newest first: when, who did what to which target (linked when
 * the reader may open its page), and the changes as a before/after diff.
 */
export function ActivityList({
  entries,
  showChanges = true,
  links = NO_LINKS,
  actorHref,
}: {
  entries: ActivityEntry[];
  showChanges?: boolean;
  links?: TargetLinks;
  /** Where the actor's name leads (e.g. the log filtered by it). */
  actorHref?: (actorId: number) => string;
}) {
  return (
    <ol className="activity" data-testid="activity-list">
      {entries.map((entry) => {
        const path = targetPath(entry, links);
        const target = targetText(entry);
        const failed = entry.action === 'login_failed';
        const actor = entry.actorUsername ?? 'Someone';
        return (
          <li key={entry.id} className={`activity__item${failed ? ' activity__item--failed' : ''}`} data-testid="activity-entry" data-action={entry.action}>
            <div className="activity__line">
              {failed ? (
                // Nobody is signed in to act: the entry names the account that was tried.
                <>
                  <span className="activity__action">Failed sign-in</span> for{' '}
                  <span className="activity__actor">{entry.targetLabel ?? 'an unknown account'}</span>
                </>
              ) : (
                <>
                  {actorHref && entry.actorId != null ? (
                    <Link to={actorHref(entry.actorId)} className="activity__actor" data-testid="activity-actor" title={`Entries by ${actor}`}>
                      {actor}
                    </Link>
                  ) : (
                    <span className="activity__actor" data-testid="activity-actor">
                      {actor}
                    </span>
                  )}{' '}
                  <span className="activity__action">{actionText(entry.action)}</span>
                </>
              )}
              {target && !['login', 'login_failed', 'logout'].includes(entry.action) && (
                <>
                  {' '}
                  {path ? (
                    <Link to={path} className="activity__target" data-testid="activity-target">
                      {target}
                    </Link>
                  ) : (
                    <span className="activity__target">{target}</span>
                  )}
                </>
              )}
            </div>
            <time className="activity__time muted" dateTime={entry.at}>
              {formatDateTime(entry.at)}
            </time>
            {showChanges && <ChangesDiff changes={entry.changes} />}
          </li>
        );
      })}
    </ol>
  );
}
