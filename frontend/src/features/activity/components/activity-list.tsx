import { Link } from 'react-router';
import { formatDateTime } from '@/lib/format';
import type { ActivityEntry } from '../api/list-activity';
import { actionText, changeLines, targetPath, targetText } from '../describe';

/** Log entries, newest first: who did what to which target (linked when it has a page), and what changed. */
export function ActivityList({ entries, showChanges = true }: { entries: ActivityEntry[]; showChanges?: boolean }) {
  return (
    <ol className="activity" data-testid="activity-list">
      {entries.map((entry) => {
        const path = targetPath(entry);
        const target = targetText(entry);
        const changes = showChanges ? changeLines(entry.changes) : [];
        const failed = entry.action === 'login_failed';
        return (
          <li key={entry.id} className={`activity__item${failed ? ' activity__item--failed' : ''}`} data-testid="activity-entry">
            <div className="activity__line">
              {failed ? (
                // Nobody is signed in to act: the entry names the account that was tried.
                <>
                  <span className="activity__action">Failed sign-in</span> for{' '}
                  <span className="activity__actor">{entry.targetLabel ?? 'an unknown account'}</span>
                </>
              ) : (
                <>
                  <span className="activity__actor">{entry.actorUsername ?? 'Someone'}</span>{' '}
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
            {changes.length > 0 && (
              <ul className="activity__changes">
                {changes.slice(0, 6).map((line) => (
                  <li key={line}>{line}</li>
                ))}
                {changes.length > 6 && <li className="muted">and {changes.length - 6} more</li>}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
