import { useEffect, useState } from 'react';
import { FieldFrame } from '@/components/ui/field-frame';
import { useClientOptions } from '../api/search-clients';

/**
 * The client a user belongs to. Staff who may list clients (permission 20)
 * search and pick one by name; others type its id.
 */
export function ClientField({
  value,
  onChange,
  canList,
  errors,
  disabled,
  required,
  label = 'Client',
  hint,
  allowNone = false,
  testId = 'input-companyId',
}: {
  value: string;
  onChange: (id: string) => void;
  canList: boolean;
  errors?: string[] | undefined;
  disabled?: boolean;
  required?: boolean;
  label?: string;
  hint?: string;
  /** Offer "Every client" (a filter) rather than insisting on one. */
  allowNone?: boolean;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const [sent, setSent] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSent(search), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const options = useClientOptions(sent, { enabled: canList && !disabled });

  if (!canList) {
    return (
      <FieldFrame label={`${label} id`} name="companyId" errors={errors} hint={hint ?? 'The number of the client (its page is /clients/<id>).'} required={required}>
        {(control) => (
          <input
            className="field__input"
            inputMode="numeric"
            value={value}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value.replace(/\D/g, ''))}
            data-testid={testId}
            {...control}
          />
        )}
      </FieldFrame>
    );
  }

  const list = options.data ?? [];
  const selectedMissing = value !== '' && !list.some((c) => String(c.id) === value);
  return (
    <div className="client-field">
      <FieldFrame label={`Find a ${label.toLowerCase()}`} name="companySearch" hint="Type part of its name or account number.">
        {(control) => (
          <input
            type="search"
            className="field__input"
            value={search}
            disabled={disabled}
            onChange={(e) => setSearch(e.target.value)}
            maxLength={200}
            data-testid={`${testId}-search`}
            {...control}
          />
        )}
      </FieldFrame>
      <FieldFrame label={label} name="companyId" errors={errors} hint={hint} required={required}>
        {(control) => (
          <select
            className="field__input field__input--select"
            value={value}
            disabled={disabled}
            onChange={(e) => onChange(e.target.value)}
            aria-busy={options.isFetching || undefined}
            data-testid={testId}
            {...control}
          >
            <option value="">{allowNone ? 'Every client' : options.isPending ? 'Loading clients…' : 'Choose a client'}</option>
            {selectedMissing && <option value={value}>Client #{value}</option>}
            {list.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.companyName} ({c.accountNumber}){c.isActive ? '' : ' — inactive'}
              </option>
            ))}
          </select>
        )}
      </FieldFrame>
    </div>
  );
}
