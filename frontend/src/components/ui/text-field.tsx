import type { InputHTMLAttributes, ReactNode } from 'react';
import { FieldFrame } from './field-frame';

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'name'> {
  label: string;
  name: string;
  /** Messages for this field, e.g. from the API's `details`. */
  errors?: string[] | undefined;
  hint?: ReactNode;
}

/** A labelled input with its hint and error messages wired up for assistive tech. */
export function TextField({ label, name, errors, hint, id, className, required, ...rest }: TextFieldProps) {
  return (
    <FieldFrame label={label} name={name} id={id} errors={errors} hint={hint} className={className} required={required}>
      {(control) => (
        <input
          name={name}
          className="field__input"
          data-testid={`input-${name}`}
          aria-required={required || undefined}
          {...control}
          {...rest}
        />
      )}
    </FieldFrame>
  );
}
