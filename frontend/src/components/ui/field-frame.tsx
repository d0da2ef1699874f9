import { useId, type ReactNode } from 'react';

export interface FieldFrameProps {
  label: string;
  name: string;
  id?: string | undefined;
  errors?: string[] | undefined;
  hint?: ReactNode;
  required?: boolean | undefined;
  className?: string | undefined;
  /** Renders the control with the ids and aria attributes it must carry. */
  children: (control: { id: string; 'aria-invalid': true | undefined; 'aria-describedby': string | undefined }) => ReactNode;
}

/** Label, hint and error messages around one control, wired up for assistive tech. */
export function FieldFrame({ label, name, id, errors, hint, required, className, children }: FieldFrameProps) {
  const autoId = useId();
  const controlId = id ?? `${name}-${autoId}`;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const invalid = errors !== undefined && errors.length > 0;
  const describedBy = [hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', invalid ? 'field--invalid' : null, className].filter(Boolean).join(' ')}>
      <span className="field__label-row">
        <label className="field__label" htmlFor={controlId}>
          {label}
        </label>
        {/* Outside the label, so the control's name stays the label's text. */}
        {required && (
          <span className="field__required" aria-hidden="true">
            *
          </span>
        )}
      </span>
      {children({ id: controlId, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {invalid && (
        <ul id={errorId} className="field__errors" data-testid={`field-error-${name}`}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
