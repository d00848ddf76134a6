/** Staff side of M-Pesa: start an STK push for a customer and watch it resolve. */
import { stkPushIdInput, stkPushInput, stkPushSchema, stkPushStartedSchema } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { systemActor } from '../../lib/actor';
import { permissionProcedure } from '../../trpc/trpc';
import { darajaClientFor } from './clients';
import { getStkPush, startStkPush } from './service';

export const mpesaRouter = {
  stkPush: permissionProcedure('payments.record')
    .meta({
      openapi: {
        method: 'POST',
        path: '/payments/stk-push',
        tags: ['payments'],
        protect: true,
        summary: 'Ask the customer’s phone for an M-Pesa payment (STK push); poll its status until paid or failed',
      },
      successStatus: 202,
    })
    .input(stkPushInput)
    .output(stkPushStartedSchema)
    .mutation(({ ctx, input }) =>
      startStkPush(ctx.db, ctx, { mpesa: ctx.config.mpesa, daraja: darajaClientFor(ctx.config, ctx.db) }, input),
    ),

  stkStatus: permissionProcedure('payments.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/payments/stk-push/{checkoutRequestId}',
        tags: ['payments'],
        protect: true,
        summary: 'Status of an STK push: pending, paid or failed, with a message for staff',
      },
    })
    .input(stkPushIdInput)
    .output(stkPushSchema)
    .query(({ ctx, input }) =>
      // A status query that finds the push paid records the payment as M-Pesa did it, not as this reader.
      getStkPush(
        ctx.db,
        systemActor('mpesa', { requestId: ctx.requestId, ip: ctx.ip, log: ctx.log }),
        { mpesa: ctx.config.mpesa, daraja: darajaClientFor(ctx.config, ctx.db) },
        input.checkoutRequestId,
      ),
    ),
} satisfies TRPCRouterRecord;
