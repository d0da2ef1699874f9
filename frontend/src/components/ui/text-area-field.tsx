import type { ReactNode, TextareaHTMLAttributes } from 'react';
import { FieldFrame } from './field-frame';

export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'> {
  label: string;
  name: string;
  errors?: string[] | undefined;
  hint?: ReactNode;
}

export function TextAreaField({ label, name, errors, hint, id, className, required, ...rest }: TextAreaFieldProps) {
  return (
    <FieldFrame label={label} name={name} id={id} errors={errors} hint={hint} className={className} required={required}>
      {(control) => (
        <textarea
          name={name}
          className="field__input field__input--textarea"
          data-testid={`input-${name}`}
          aria-required={required || undefined}
          rows={3}
          {...control}
          {...rest}
        />
      )}
    </FieldFrame>
  );
}
