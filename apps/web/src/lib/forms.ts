/**
 * Server validation errors onto form fields. The API's error shape carries
 * `data.fieldErrors: { field: string[] }` for Zod failures (the same schemas the forms use), and
 * a message for everything else (409 conflicts, 403 …), which goes to the form's root error.
 */
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { notifications } from '@mantine/notifications';
import { describeError } from '../components/states';

function fieldErrorsOf(error: unknown): Record<string, string[] | undefined> | null {
  if (!error || typeof error !== 'object' || !('data' in error)) return null;
  const data = error.data;
  if (!data || typeof data !== 'object' || !('fieldErrors' in data)) return null;
  const fieldErrors = data.fieldErrors;
  if (!fieldErrors || typeof fieldErrors !== 'object') return null;
  return fieldErrors as Record<string, string[] | undefined>;
}

/**
 * Puts each server field error on its field (when the form has it) and anything left over on the
 * form's root error. Returns true when at least one field got an error.
 */
export function applyServerErrors<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly string[]): boolean {
  const fieldErrors = fieldErrorsOf(error);
  let placed = false;
  const leftovers: string[] = [];
  if (fieldErrors) {
    for (const [field, messages] of Object.entries(fieldErrors)) {
      const message = messages?.[0];
      if (!message) continue;
      if (fields.includes(field)) {
        setError(field as Path<T>, { type: 'server', message }, { shouldFocus: !placed });
        placed = true;
      } else {
        leftovers.push(`${field}: ${message}`);
      }
    }
  }
  if (!placed || leftovers.length > 0) {
    setError('root.server', {
      type: 'server',
      message: leftovers.length > 0 ? leftovers.join('; ') : describeError(error),
    });
  }
  return placed;
}

export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'teal', title, message, autoClose: 4000 });
}

export function notifyError(error: unknown, title = 'That did not work') {
  notifications.show({ color: 'red', title, message: describeError(error), autoClose: 7000 });
}

/**
 * Parse options for the forms' zod resolver: a field left empty says "Required" rather than
 * zod's "expected number, received undefined". Messages written in the contracts still win.
 */
export const formParse = {
  error: (issue: { code?: string; input?: unknown }) =>
    issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null || issue.input === '') ? 'Required' : undefined,
};

/** For optional text fields whose schema rejects '': an empty box means "not given". */
export const emptyAsUndefined = { setValueAs: (v: unknown) => (v === '' ? undefined : v) };
