import { describe, expect, it, vi } from 'vitest';

vi.mock('@mantine/notifications', () => ({ notifications: { show: vi.fn() } }));

const { applyServerErrors, formParse } = await import('./forms');

/** The shape of a tRPC validation error as the API's error formatter sends it. */
const validationError = (fieldErrors: Record<string, string[]>) => ({
  message: 'Invalid input',
  data: { code: 'BAD_REQUEST', fieldErrors },
});

describe('applyServerErrors', () => {
  it('puts each server field error on its field, focusing the first', () => {
    const setError = vi.fn();
    const placed = applyServerErrors(validationError({ password: ['This password is too common'], email: ['Taken'] }), setError, [
      'email',
      'password',
    ]);
    expect(placed).toBe(true);
    expect(setError).toHaveBeenCalledWith('password', { type: 'server', message: 'This password is too common' }, { shouldFocus: true });
    expect(setError).toHaveBeenCalledWith('email', { type: 'server', message: 'Taken' }, { shouldFocus: false });
    expect(setError).toHaveBeenCalledTimes(2);
  });

  it('sends errors of fields the form does not have, and other failures, to the form root', () => {
    const setError = vi.fn();
    applyServerErrors(validationError({ assigneeId: ['Not a staff member'] }), setError, ['name']);
    expect(setError).toHaveBeenCalledWith('root.server', { type: 'server', message: 'assigneeId: Not a staff member' });

    const conflict = vi.fn();
    expect(
      applyServerErrors({ message: 'A payment with this reference exists', data: { code: 'CONFLICT' } }, conflict, ['reference']),
    ).toBe(false);
    expect(conflict).toHaveBeenCalledWith('root.server', { type: 'server', message: 'A payment with this reference exists' });
  });

  it('says "Required" for an empty field unless the schema has its own words', () => {
    expect(formParse.error({ code: 'invalid_type', input: undefined })).toBe('Required');
    expect(formParse.error({ code: 'invalid_type', input: 'x' })).toBeUndefined();
    expect(formParse.error({ code: 'too_small', input: '' })).toBeUndefined();
  });
});
