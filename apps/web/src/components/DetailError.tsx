import { NotFoundPage } from '../pages/NotFoundPage';
import { ErrorState } from './states';

function isNotFound(error: unknown): boolean {
  if (!error || typeof error !== 'object' || !('data' in error)) return false;
  const data = error.data;
  return !!data && typeof data === 'object' && 'code' in data && (data.code === 'NOT_FOUND' || data.code === 'BAD_REQUEST');
}

/** A record that does not exist, or that the caller may not see (the API answers 404 for both). */
export function DetailError({ error, what, onRetry }: { error: unknown; what: string; onRetry: () => void }) {
  if (isNotFound(error)) return <NotFoundPage what={what} />;
  return <ErrorState error={error} onRetry={onRetry} />;
}
