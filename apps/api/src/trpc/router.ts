/** The app router only composes module routers; each module owns its procedures. */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { activitiesRouter } from '../modules/activities/router';
import { auditRouter } from '../modules/audit/router';
import { authRouter } from '../modules/auth/router';
import { customersRouter } from '../modules/customers/router';
import { dashboardRouter } from '../modules/dashboard/router';
import { healthRouter } from '../modules/health/router';
import { jobsRouter } from '../modules/jobs/router';
import { leadsRouter } from '../modules/leads/router';
import { mpesaRouter } from '../modules/mpesa/router';
import { paymentsRouter } from '../modules/payments/router';
import { plansRouter } from '../modules/plans/router';
import { provisioningRouter, routersRouter } from '../modules/routers/router';
import { smsRouter } from '../modules/sms/router';
import { subscriptionsRouter } from '../modules/subscriptions/router';
import { ticketsRouter } from '../modules/tickets/router';
import { usersRouter } from '../modules/users/router';
import { router } from './trpc';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  audit: auditRouter,
  leads: leadsRouter,
  customers: customersRouter,
  activities: activitiesRouter,
  plans: plansRouter,
  subscriptions: subscriptionsRouter,
  payments: paymentsRouter,
  tickets: ticketsRouter,
  dashboard: dashboardRouter,
  routers: routersRouter,
  provisioning: provisioningRouter,
  sms: smsRouter,
  mpesa: mpesaRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
