/**
 * Domain errors: what a service throws when a request cannot be done (not found, forbidden,
 * conflict, invalid input …). They know nothing of tRPC or HTTP; `trpc/errors.ts` turns them into
 * tRPC codes and `HTTP_STATUS_OF` into HTTP statuses, in one place each.
 */
export type DomainErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'too_many_requests';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Per-field messages of an `invalid` error, shaped like a schema validation failure. */
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const HTTP_STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
};

export const FORBIDDEN_MESSAGE = 'You do not have permission to do this';
export const AUTHENTICATION_REQUIRED_MESSAGE = 'Authentication required';

/** 404 "<what> not found" — also for records the caller may not see. */
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = FORBIDDEN_MESSAGE) => new DomainError('forbidden', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const invalid = (message: string) => new DomainError('invalid', message);
export const unauthenticated = (message = AUTHENTICATION_REQUIRED_MESSAGE) => new DomainError('unauthenticated', message);
/** A 400 naming one field, shaped like an input validation failure (fieldErrors, no echo of the value). */
export const fieldError = (field: string, message: string) => new DomainError('invalid', 'Invalid input', { [field]: [message] });

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
