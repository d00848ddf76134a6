/** The app router only composes module routers; each module owns its procedures. */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { healthRouter } from '../modules/health/router';
import { router } from './trpc';

export const appRouter = router({
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
