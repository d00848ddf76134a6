/** The one place where domain errors (lib/errors.ts) become tRPC errors. */
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { DomainError, type DomainErrorKind } from '../lib/errors';

const TRPC_CODE_OF: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid: 'BAD_REQUEST',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  too_many_requests: 'TOO_MANY_REQUESTS',
};

/** The tRPC error for a domain error (the domain error stays its cause, for field errors and logs). */
export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: TRPC_CODE_OF[error.kind], message: error.message, cause: error });
}

/** The domain error behind a tRPC error, if any. */
export function domainErrorOf(error: TRPCError): DomainError | undefined {
  return error.cause instanceof DomainError ? error.cause : undefined;
}
