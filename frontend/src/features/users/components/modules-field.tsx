import { useId } from 'react';
import { useCompanyModules } from '../api/get-company-modules';

/**
 * A client user's modules: all its client's active modules (the API's
 * default), or a choice among them.
 */
export function ModulesField({
  companyId,
  mode,
  modules,
  onChange,
  disabled,
  errors,
  legendHidden = false,
}: {
  companyId: number | null;
  mode: 'all' | 'chosen';
  modules: readonly string[];
  onChange: (next: { mode: 'all' | 'chosen'; modules: string[] }) => void;
  disabled?: boolean;
  errors?: string[] | undefined;
  /** The section around it already says "Modules". */
  legendHidden?: boolean;
}) {
  const id = useId();
  const active = useCompanyModules(companyId);
  const available = active.data ?? [];
  return (
    <fieldset className="form__section modules-field" data-testid="modules-field">
      <legend className={legendHidden ? 'visually-hidden' : 'form__legend'}>Modules</legend>
      {companyId === null ? (
        <p className="muted small">Choose the client first: a user's modules are among its client's active ones.</p>
      ) : active.isError ? (
        <p className="muted small">The client's modules cannot be listed for you; the user gets all its client's active modules.</p>
      ) : (
        <>
          <label className="radio-row">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={mode === 'all'}
              disabled={disabled}
              onChange={() => onChange({ mode: 'all', modules: [...modules] })}
              data-testid="modules-all"
            />
            <span>All the client's active modules{available.length ? ` (${available.join(', ')})` : ''}</span>
          </label>
          <label className="radio-row">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={mode === 'chosen'}
              disabled={disabled}
              onChange={() => onChange({ mode: 'chosen', modules: modules.filter((m) => available.includes(m)) })}
              data-testid="modules-chosen"
            />
            <span>Only these:</span>
          </label>
          {active.isPending ? (
            <p className="muted small">Loading the client's modules…</p>
          ) : available.length === 0 ? (
            <p className="muted small">The client has no active module.</p>
          ) : (
            <ul className="check-list" aria-label="Modules">
              {available.map((name) => (
                <li key={name}>
                  <label className="check-row">
                    <input
                      type="checkbox"
                      checked={mode === 'chosen' ? modules.includes(name) : true}
                      disabled={disabled || mode !== 'chosen'}
                      onChange={(e) =>
                        onChange({
                          mode: 'chosen',
                          modules: e.target.checked ? [...modules, name] : modules.filter((m) => m !== name),
                        })
                      }
                      data-testid={`module-${name}`}
                    />
                    <span className="mono">{name}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {errors && errors.length > 0 && (
        <ul className="field__errors" data-testid="field-error-modules">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
