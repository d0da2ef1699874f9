import { useEffect, useState } from 'react';
import { BUSINESS_TYPE_LABELS, BUSINESS_TYPES, LEAD_STATUS_LABELS, LEAD_STATUSES } from '../labels';
import type { ClientListParams } from '../list-params';

type Filters = Pick<ClientListParams, 'search' | 'status' | 'businessType' | 'leadStatus'>;

/** Search (sent 300 ms after the last key) and the API's filters: status, business type, lead status. */
export function ClientsToolbar({ value, onChange }: { value: Filters; onChange: (next: Partial<Filters>) => void }) {
  const [search, setSearch] = useState(value.search);

  // The URL changed from elsewhere (back button, a link): show its search.
  const [lastSeen, setLastSeen] = useState(value.search);
  if (value.search !== lastSeen) {
    setLastSeen(value.search);
    setSearch(value.search);
  }

  useEffect(() => {
    if (search === value.search) return;
    const timer = setTimeout(() => onChange({ search }), 300);
    return () => clearTimeout(timer);
  }, [search, value.search, onChange]);

  return (
    <div className="toolbar" role="search" aria-label="Search and filter clients">
      <div className="toolbar__search">
        <label htmlFor="clients-search" className="visually-hidden">
          Search clients
        </label>
        <input
          id="clients-search"
          type="search"
          className="field__input"
          placeholder="Search company, e-mail, account, owner…"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ search });
          }}
          data-testid="clients-search"
        />
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="clients-filter-status">
          Status
        </label>
        <select
          id="clients-filter-status"
          className="field__input field__input--select"
          value={value.status}
          onChange={(e) => onChange({ status: e.target.value as Filters['status'] })}
          data-testid="filter-status"
        >
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="clients-filter-business-type">
          Business type
        </label>
        <select
          id="clients-filter-business-type"
          className="field__input field__input--select"
          value={value.businessType}
          onChange={(e) => onChange({ businessType: e.target.value as Filters['businessType'] })}
          data-testid="filter-business-type"
        >
          <option value="">All</option>
          {BUSINESS_TYPES.map((t) => (
            <option key={t} value={t}>
              {BUSINESS_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="clients-filter-lead-status">
          Lead status
        </label>
        <select
          id="clients-filter-lead-status"
          className="field__input field__input--select"
          value={value.leadStatus}
          onChange={(e) => onChange({ leadStatus: e.target.value as Filters['leadStatus'] })}
          data-testid="filter-lead-status"
        >
          <option value="">All</option>
          {LEAD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {LEAD_STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
