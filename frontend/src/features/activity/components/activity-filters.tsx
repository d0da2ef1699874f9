import { useEffect, useState, type ReactNode } from 'react';
import { FieldFrame } from '@/components/ui/field-frame';
import { useActorOptions } from '../api/search-actors';
import { actionText } from '../describe';
import { ACTIONS, TARGET_TYPES, type ActivityParams } from '../list-params';

type Filters = Omit<ActivityParams, 'page' | 'pageSize'>;

/** The actor: found by name among the users (with View Users), else typed as an id. */
function ActorField({ value, onChange, canSearch }: { value: number | null; onChange: (id: number | null) => void; canSearch: boolean }) {
  const [search, setSearch] = useState('');
  const [sent, setSent] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSent(search), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const options = useActorOptions(sent, canSearch);
  if (!canSearch) {
    return (
      <FieldFrame label="Actor id" name="actorId">
        {(control) => (
          <input
            className="field__input"
            inputMode="numeric"
            value={value ?? ''}
            onChange={(e) => {
              const digits = e.target.value.replace(/\D/g, '');
              onChange(digits ? Number(digits) : null);
            }}
            data-testid="filter-actor"
            {...control}
          />
        )}
      </FieldFrame>
    );
  }
  const list = options.data ?? [];
  return (
    <>
      <FieldFrame label="Find an actor" name="actorSearch">
        {(control) => (
          <input
            type="search"
            className="field__input"
            value={search}
            placeholder="Name or username"
            onChange={(e) => setSearch(e.target.value)}
            data-testid="filter-actor-search"
            {...control}
          />
        )}
      </FieldFrame>
      <FieldFrame label="Actor" name="actorId">
        {(control) => (
          <select
            className="field__input field__input--select"
            value={value ?? ''}
            onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)}
            data-testid="filter-actor"
            {...control}
          >
            <option value="">Anyone</option>
            {value !== null && !list.some((u) => u.id === value) && <option value={value}>User #{value}</option>}
            {list.map((u) => (
              <option key={u.id} value={u.id}>
                {u.username} ({u.name})
              </option>
            ))}
          </select>
        )}
      </FieldFrame>
    </>
  );
}

/** The log's filters: actor, action, client, target type and id, and a range of days. */
export function ActivityFilters({
  value,
  onChange,
  canSearchActors,
  clientFilter,
}: {
  value: Filters;
  onChange: (change: Partial<Filters>) => void;
  canSearchActors: boolean;
  /** The client filter, for staff (composed by the app). */
  clientFilter?: ReactNode;
}) {
  const [targetId, setTargetId] = useState(value.targetId);
  const [lastSeen, setLastSeen] = useState(value.targetId);
  if (value.targetId !== lastSeen) {
    setLastSeen(value.targetId);
    setTargetId(value.targetId);
  }
  useEffect(() => {
    if (targetId === value.targetId) return;
    const timer = setTimeout(() => onChange({ targetId }), 400);
    return () => clearTimeout(timer);
  }, [targetId, value.targetId, onChange]);

  return (
    <div className="filters" role="search" aria-label="Filter the activity log" data-testid="activity-filters">
      <div className="filters__group">
        <ActorField value={value.actorId} onChange={(actorId) => onChange({ actorId })} canSearch={canSearchActors} />
      </div>
      <div className="filters__group">
        <FieldFrame label="Action" name="action">
          {(control) => (
            <select
              className="field__input field__input--select"
              value={value.action}
              onChange={(e) => onChange({ action: e.target.value })}
              data-testid="filter-action"
              {...control}
            >
              <option value="">Any action</option>
              {!(ACTIONS as readonly string[]).includes(value.action) && value.action && <option value={value.action}>{value.action}</option>}
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a} — {actionText(a)}
                </option>
              ))}
            </select>
          )}
        </FieldFrame>
      </div>
      {clientFilter && <div className="filters__group">{clientFilter}</div>}
      <div className="filters__group filters__group--pair">
        <FieldFrame label="Target type" name="targetType">
          {(control) => (
            <select
              className="field__input field__input--select"
              value={value.targetType}
              onChange={(e) => onChange({ targetType: e.target.value })}
              data-testid="filter-target-type"
              {...control}
            >
              <option value="">Any</option>
              {!(TARGET_TYPES as readonly string[]).includes(value.targetType) && value.targetType && (
                <option value={value.targetType}>{value.targetType}</option>
              )}
              {TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </FieldFrame>
        <FieldFrame label="Target id" name="targetId">
          {(control) => (
            <input
              className="field__input"
              value={targetId}
              maxLength={100}
              onChange={(e) => setTargetId(e.target.value)}
              data-testid="filter-target-id"
              {...control}
            />
          )}
        </FieldFrame>
      </div>
      <div className="filters__group filters__group--pair">
        <FieldFrame label="From" name="from">
          {(control) => (
            <input type="date" className="field__input" value={value.from} max={value.to || undefined} onChange={(e) => onChange({ from: e.target.value })} data-testid="filter-from" {...control} />
          )}
        </FieldFrame>
        <FieldFrame label="To" name="to">
          {(control) => (
            <input type="date" className="field__input" value={value.to} min={value.from || undefined} onChange={(e) => onChange({ to: e.target.value })} data-testid="filter-to" {...control} />
          )}
        </FieldFrame>
      </div>
    </div>
  );
}
