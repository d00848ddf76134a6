/**
 * Recognises PostgreSQL errors by SQLSTATE on both engines. Drizzle wraps driver errors
 * (DrizzleQueryError → cause), postgres.js names the constraint `constraint_name`, PGlite `constraint`.
 */
interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

function* errorChain(error: unknown): Generator<PgErrorLike> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    yield current;
    current = (current as PgErrorLike).cause;
  }
}

/** True when `error` is a unique violation (23505), optionally of the named constraint/index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (const e of errorChain(error)) {
    if (e.code === '23505') {
      if (!constraint) return true;
      return e.constraint === constraint || e.constraint_name === constraint;
    }
  }
  return false;
}
