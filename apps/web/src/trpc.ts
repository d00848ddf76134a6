/** The typed API client: `import type` only, so no server code reaches the bundle. */
import type { AppRouter } from '@netflow/api';
import { QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

/** Must not exceed the server's MAX_BATCH_SIZE. */
export const MAX_BATCH_ITEMS = 10;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { staleTime: 15_000, retry: 1, refetchOnWindowFocus: false } },
  });
}

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: '/trpc', maxItems: MAX_BATCH_ITEMS })],
  });
}
