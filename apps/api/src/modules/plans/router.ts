/** The plans module's procedures: the catalogue (read by every role) and its management. */
import { createPlanInput, listPlansInput, planPageSchema, planSchema, updatePlanInput } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { createPlan, listPlans, updatePlan } from './service';

export const plansRouter = {
  list: permissionProcedure('plans.read')
    .meta({ openapi: { method: 'GET', path: '/plans', tags: ['plans'], protect: true, summary: 'List plans' } })
    .input(listPlansInput)
    .output(planPageSchema)
    .query(({ ctx, input }) => listPlans(ctx.db, input)),

  create: permissionProcedure('plans.manage')
    .meta({
      openapi: { method: 'POST', path: '/plans', tags: ['plans'], protect: true, summary: 'Create a plan' },
      successStatus: 201,
    })
    .input(createPlanInput)
    .output(planSchema)
    .mutation(({ ctx, input }) => createPlan(ctx.db, ctx, input)),

  update: permissionProcedure('plans.manage')
    .meta({ openapi: { method: 'PATCH', path: '/plans/{id}', tags: ['plans'], protect: true, summary: 'Change a plan' } })
    .input(updatePlanInput)
    .output(planSchema)
    .mutation(({ ctx, input }) => updatePlan(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
