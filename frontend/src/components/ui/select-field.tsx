import type { ReactNode, SelectHTMLAttributes } from 'react';
import { FieldFrame } from './field-frame';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'> {
  label: string;
  name: string;
  options: readonly SelectOption[];
  errors?: string[] | undefined;
  hint?: ReactNode;
}

/** A native select (keyboard and screen readers for free) with the field's label and messages. */
export function SelectField({ label, name, options, errors, hint, id, className, required, ...rest }: SelectFieldProps) {
  return (
    <FieldFrame label={label} name={name} id={id} errors={errors} hint={hint} className={className} required={required}>
      {(control) => (
        <select
          name={name}
          className="field__input field__input--select"
          data-testid={`input-${name}`}
          aria-required={required || undefined}
          {...control}
          {...rest}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}
