/** The typed API client: `import type` only, so no server code reaches the bundle. */
import type { AppRouter } from '@netflow/api';
import { MutationCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, type TRPCClientErrorLike, type TRPCLink } from '@trpc/client';
import { createTRPCContext, createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { observable } from '@trpc/server/observable';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { InvalidationKey } from './lib/invalidation';
import { endSession, getToken } from './lib/session';

/** Must not exceed the server's MAX_BATCH_SIZE (20). */
export const MAX_BATCH_ITEMS = 10;

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type ApiError = TRPCClientErrorLike<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function isUnauthorized(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'data' in error &&
    typeof error.data === 'object' &&
    error.data !== null &&
    'code' in error.data &&
    error.data.code === 'UNAUTHORIZED'
  );
}

export function makeQueryClient(onMutationSuccess?: (invalidates: readonly InvalidationKey[]) => void) {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // 4xx answers will not change on retry; network hiccups may.
        retry: (count, error) => count < 1 && !(error as { data?: { httpStatus?: number } }).data?.httpStatus,
        refetchOnWindowFocus: false,
      },
    },
    mutationCache: new MutationCache({
      // The one place a mutation's `meta.invalidates` is acted on (see lib/invalidation.ts). Not
      // awaited: the mutation reports success at once and the lists refresh behind it.
      onSuccess: (_data, _variables, _context, mutation) => {
        const keys = mutation.meta?.invalidates;
        if (keys?.length) onMutationSuccess?.(keys);
      },
    }),
  });
}

/** The query and tRPC clients, wired so that a mutation's `meta.invalidates` refreshes those routers. */
export function makeClients() {
  const trpcClient = makeTrpcClient();
  const queryClient = makeQueryClient((keys) => {
    for (const key of keys) void queryClient.invalidateQueries(options[key].pathFilter());
  });
  const options = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
  return { queryClient, trpcClient };
}

/**
 * Any UNAUTHORIZED answer to a request that carried a token means the session is over (logged out
 * elsewhere, password changed, disabled, expired): drop it, and the app shell sends the person to
 * sign-in with the reason. A failed sign-in (no token sent) is left to the sign-in form.
 */
const sessionLink: TRPCLink<AppRouter> = () => {
  return ({ next, op }) =>
    observable((observer) => {
      const hadToken = getToken() !== null;
      return next(op).subscribe({
        next: (value) => observer.next(value),
        error: (error) => {
          if (hadToken && isUnauthorized(error)) endSession('unauthorized');
          observer.error(error);
        },
        complete: () => observer.complete(),
      });
    });
};

export function makeTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      sessionLink,
      httpBatchLink({
        url: '/trpc',
        maxItems: MAX_BATCH_ITEMS,
        headers: () => {
          const token = getToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}
