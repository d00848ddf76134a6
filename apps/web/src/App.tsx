import { useQuery } from '@tanstack/react-query';
import { useTRPC } from './trpc';

export function App() {
  const trpc = useTRPC();
  const health = useQuery(trpc.health.check.queryOptions());
  return (
    <main>
      <h1>NetFlow CRM</h1>
      {health.isPending && <p>Checking the API…</p>}
      {health.isError && <p role="alert">The API is not answering: {health.error.message}</p>}
      {health.data && (
        <p>
          API {health.data.status} · version {health.data.version} · {health.data.database} database · up{' '}
          {health.data.uptimeSeconds}s
        </p>
      )}
    </main>
  );
}
