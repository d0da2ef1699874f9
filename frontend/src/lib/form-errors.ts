import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError } from './api/errors';

/**
 * Put the API's per-field `details` (400 `{"error", "details": {field: [msg]}}`)
 * beside the form's fields, focusing the first. Answers the details of fields
 * the form does not have (to be shown elsewhere).
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
): Record<string, string[]> {
  if (!(error instanceof ApiError)) return {};
  const rest: Record<string, string[]> = {};
  let focused = false;
  for (const [field, messages] of Object.entries(error.details)) {
    if ((fields as readonly string[]).includes(field)) {
      setError(field as Path<T>, { type: 'server', message: messages.join('; ') }, { shouldFocus: !focused });
      focused = true;
    } else {
      rest[field] = messages;
    }
  }
  return rest;
}

/** A field's message as the field components take it. */
export function fieldErrors(message: string | undefined): string[] | undefined {
  return message ? [message] : undefined;
}
