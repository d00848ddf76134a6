/** The subscriptions module's procedures: list, create, and the status actions with their REST twins. */
import {
  activatedSubscriptionSchema,
  activateSubscriptionInput,
  createSubscriptionInput,
  idInput,
  listSubscriptionsInput,
  subscriptionActionInput,
  subscriptionPageSchema,
  subscriptionQueueInput,
  subscriptionQueuePageSchema,
  subscriptionSchema,
  type Permission,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { revealServicePasswordOnce } from '../routers';
import { listSubscriptionQueue } from './queue';
import { addSubscription, changeSubscriptionStatus, getSubscription, listSubscriptions, type SubscriptionAction } from './service';

const ACTION_SUMMARY: Record<SubscriptionAction, string> = {
  activate: 'Activate (provision) a pending subscription',
  suspend: 'Suspend an active subscription',
  restore: 'Restore a suspended subscription',
  cancel: 'Cancel a subscription',
};

const ACTION_PERMISSION: Record<SubscriptionAction, Permission> = {
  activate: 'subscriptions.provision',
  suspend: 'subscriptions.suspend',
  restore: 'subscriptions.restore',
  cancel: 'subscriptions.cancel',
};

function statusAction(action: SubscriptionAction) {
  return permissionProcedure(ACTION_PERMISSION[action])
    .meta({
      openapi: {
        method: 'POST',
        path: `/subscriptions/{id}/${action}`,
        tags: ['subscriptions'],
        protect: true,
        summary: ACTION_SUMMARY[action],
      },
    })
    .input(subscriptionActionInput)
    .output(subscriptionSchema)
    .mutation(({ ctx, input }) => changeSubscriptionStatus(ctx.db, ctx, { ...input, action }));
}

export const subscriptionsRouter = {
  list: permissionProcedure('subscriptions.read')
    .meta({ openapi: { method: 'GET', path: '/subscriptions', tags: ['subscriptions'], protect: true, summary: 'List subscriptions' } })
    .input(listSubscriptionsInput)
    .output(subscriptionPageSchema)
    .query(({ ctx, input }) => listSubscriptions(ctx.db, input)),

  queue: permissionProcedure('subscriptions.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/subscriptions/queue/{view}',
        tags: ['subscriptions'],
        protect: true,
        summary: 'A working list: expiring (7 days), lapsed (in grace / expired), suspended, pending installation',
      },
    })
    .input(subscriptionQueueInput)
    .output(subscriptionQueuePageSchema)
    .query(({ ctx, input }) => listSubscriptionQueue(ctx.db, input)),

  get: permissionProcedure('subscriptions.read')
    .meta({ openapi: { method: 'GET', path: '/subscriptions/{id}', tags: ['subscriptions'], protect: true, summary: 'One subscription' } })
    .input(idInput)
    .output(subscriptionSchema)
    .query(({ ctx, input }) => getSubscription(ctx.db, input.id)),

  create: permissionProcedure('subscriptions.create')
    .meta({
      openapi: { method: 'POST', path: '/subscriptions', tags: ['subscriptions'], protect: true, summary: 'Create a pending subscription' },
      successStatus: 201,
    })
    .input(createSubscriptionInput)
    .output(subscriptionSchema)
    .mutation(({ ctx, input }) => addSubscription(ctx.db, ctx, input)),

  // Activation may choose the router, and answers (this once) with the generated service password.
  activate: permissionProcedure(ACTION_PERMISSION.activate)
    .meta({
      openapi: {
        method: 'POST',
        path: '/subscriptions/{id}/activate',
        tags: ['subscriptions'],
        protect: true,
        summary: ACTION_SUMMARY.activate,
      },
    })
    .input(activateSubscriptionInput)
    .output(activatedSubscriptionSchema)
    .mutation(async ({ ctx, input }) => {
      const subscription = await changeSubscriptionStatus(ctx.db, ctx, { ...input, action: 'activate' });
      return { ...subscription, servicePassword: await revealServicePasswordOnce(ctx.db, ctx, subscription.id) };
    }),
  suspend: statusAction('suspend'),
  restore: statusAction('restore'),
  cancel: statusAction('cancel'),
} satisfies TRPCRouterRecord;
