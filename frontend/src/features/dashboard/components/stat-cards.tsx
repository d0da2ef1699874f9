import { Link } from 'react-router';
import { formatNumber } from '@/lib/format';
import type { Stats } from '../api/get-stats';

function StatCard({
  label,
  value,
  detail,
  to,
  tone,
  testId,
}: {
  label: string;
  value: number;
  detail?: string;
  to?: string;
  tone?: 'warning';
  testId: string;
}) {
  const body = (
    <>
      <span className="stat__label">{label}</span>
      <span className="stat__value" data-testid={`${testId}-value`}>
        {formatNumber(value)}
      </span>
      {detail && <span className="stat__detail">{detail}</span>}
    </>
  );
  const className = ['stat', tone ? `stat--${tone}` : null].filter(Boolean).join(' ');
  return (
    <li className={className} data-testid={testId}>
      {to ? (
        <Link to={to} className="stat__link">
          {body}
        </Link>
      ) : (
        <div className="stat__link">{body}</div>
      )}
    </li>
  );
}

/** The headline figures the caller may see: clients, users, today's logins. */
export function StatCards({ stats, clientsLink }: { stats: Stats; clientsLink: boolean }) {
  const { clients, users, logins } = stats;
  if (!clients && !users && !logins) return null;
  return (
    <ul className="stats" aria-label="Figures">
      {clients && (
        <>
          <StatCard
            label="Active clients"
            value={clients.active}
            detail={`of ${formatNumber(clients.total)} in all`}
            to={clientsLink ? '/clients?status=active' : undefined}
            testId="stat-active-clients"
          />
          <StatCard
            label="Inactive clients"
            value={clients.inactive}
            to={clientsLink ? '/clients?status=inactive' : undefined}
            testId="stat-inactive-clients"
          />
        </>
      )}
      {users && (
        <StatCard label="Users" value={users.total} detail={`${formatNumber(users.active)} active`} testId="stat-users" />
      )}
      {logins && (
        <>
          <StatCard label="Logins today" value={logins.today} detail="UTC day" testId="stat-logins-today" />
          <StatCard
            label="Failed logins today"
            value={logins.failedToday}
            tone={logins.failedToday > 0 ? 'warning' : undefined}
            detail="UTC day"
            testId="stat-failed-logins-today"
          />
        </>
      )}
    </ul>
  );
}
