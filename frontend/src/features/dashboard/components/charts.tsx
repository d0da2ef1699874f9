import { useId, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '@/lib/format';
import type { Schemas } from '@/lib/api/client';
import { shortDate } from '../chart-labels';

type WeekCount = Schemas['WeekCount'];
type DayCount = Schemas['DayCount'];

const PRIMARY = '#2f5bea';
const DANGER = '#c62f3b';

/**
 * A chart with a title, a summary for screen readers, and its figures as a
 * table one click away (the drawing itself is hidden from assistive tech).
 */
function ChartCard({
  title,
  summary,
  table,
  children,
  testId,
}: {
  title: string;
  summary: string;
  table: ReactNode;
  children: ReactNode;
  testId: string;
}) {
  const titleId = useId();
  return (
    <section className="card chart" aria-labelledby={titleId} data-testid={testId}>
      <h2 id={titleId} className="card__title">
        {title}
      </h2>
      <p className="visually-hidden">{summary}</p>
      <div className="chart__plot" aria-hidden="true">
        {children}
      </div>
      <details className="chart__table">
        <summary>Show the figures</summary>
        {table}
      </details>
    </section>
  );
}

export function NewClientsChart({ weeks }: { weeks: WeekCount[] }) {
  const data = weeks.map((w) => ({ label: shortDate(w.weekStart), count: w.count }));
  const total = weeks.reduce((sum, w) => sum + w.count, 0);
  return (
    <ChartCard
      title="New clients per week"
      summary={`${formatNumber(total)} new clients in the last ${weeks.length} weeks.`}
      testId="chart-new-clients"
      table={
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Week from</th>
              <th scope="col" className="numeric">
                New clients
              </th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.weekStart}>
                <td>{shortDate(w.weekStart)}</td>
                <td className="numeric">{formatNumber(w.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e7f0" />
          <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#5b6578' }} interval="preserveStartEnd" />
          <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: '#5b6578' }} />
          <Tooltip cursor={{ fill: 'rgb(47 91 234 / 8%)' }} formatter={(v) => [formatNumber(Number(v)), 'New clients']} />
          <Bar dataKey="count" name="New clients" fill={PRIMARY} radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function LoginsChart({ days }: { days: DayCount[] }) {
  const data = days.map((d) => ({ label: shortDate(d.date), count: d.count, failed: d.failed }));
  const total = days.reduce((sum, d) => sum + d.count, 0);
  const failed = days.reduce((sum, d) => sum + d.failed, 0);
  return (
    <ChartCard
      title="Logins per day"
      summary={`${formatNumber(total)} logins and ${formatNumber(failed)} failed logins in the last ${days.length} days.`}
      testId="chart-logins"
      table={
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col" className="numeric">
                Logins
              </th>
              <th scope="col" className="numeric">
                Failed
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}>
                <td>{shortDate(d.date)}</td>
                <td className="numeric">{formatNumber(d.count)}</td>
                <td className="numeric">{formatNumber(d.failed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e7f0" />
          <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#5b6578' }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12, fill: '#5b6578' }} />
          <Tooltip cursor={{ fill: 'rgb(47 91 234 / 8%)' }} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Bar dataKey="count" name="Logins" stackId="logins" fill={PRIMARY} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="logins" fill={DANGER} radius={[4, 4, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
