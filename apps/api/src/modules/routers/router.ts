/**
 * The routers module's procedures: the registry (admin writes, manager reads), the connection test,
 * the sync, and the per-subscription provisioning actions of technicians (retry, new password).
 */
import {
  createRouterInput,
  idInput,
  routerListSchema,
  routerOptionsSchema,
  routerSchema,
  routerSyncInput,
  routerSyncResultSchema,
  routerTestResultSchema,
  servicePasswordSchema,
  subscriptionSchema,
  updateRouterInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { conflict } from '../../lib/errors';
import { permissionProcedure } from '../../trpc/trpc';
import { getSubscription } from '../subscriptions';
import { enqueueProvisioning } from './jobs';
import { retryProvisioning, rotateServicePassword } from './provisioning';
import { RouterOsError } from './routeros-client';
import { createRouter, listRouterOptions, listRouters, testRouter, updateRouter } from './service';
import { syncRouter } from './sync';

const tags = ['routers'];

export const routersRouter = {
  list: permissionProcedure('routers.read')
    .meta({ openapi: { method: 'GET', path: '/routers', tags, protect: true, summary: 'List routers (never their passwords)' } })
    .input(z.object({}).optional())
    .output(routerListSchema)
    .query(({ ctx }) => listRouters(ctx.db)),

  /** For choosing the router of a subscription (names only). */
  options: permissionProcedure('subscriptions.provision')
    .meta({
      openapi: { method: 'GET', path: '/routers/options', tags, protect: true, summary: 'Router names, to choose one for a subscription' },
    })
    .input(z.object({}).optional())
    .output(routerOptionsSchema)
    .query(({ ctx }) => listRouterOptions(ctx.db)),

  create: permissionProcedure('routers.manage')
    .meta({ openapi: { method: 'POST', path: '/routers', tags, protect: true, summary: 'Register a router' }, successStatus: 201 })
    .input(createRouterInput)
    .output(routerSchema)
    .mutation(({ ctx, input }) => createRouter(ctx.db, ctx, input)),

  update: permissionProcedure('routers.manage')
    .meta({
      openapi: { method: 'PATCH', path: '/routers/{id}', tags, protect: true, summary: 'Change a router (a password given replaces it)' },
    })
    .input(updateRouterInput)
    .output(routerSchema)
    .mutation(({ ctx, input }) => updateRouter(ctx.db, ctx, input)),

  test: permissionProcedure('routers.manage')
    .meta({
      openapi: { method: 'POST', path: '/routers/{id}/test', tags, protect: true, summary: 'Connect and read identity and version' },
    })
    .input(idInput)
    .output(routerTestResultSchema)
    .mutation(({ ctx, input }) => testRouter(ctx.db, ctx, ctx.config, input.id)),

  sync: permissionProcedure('routers.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/routers/{id}/sync',
        tags,
        protect: true,
        summary: 'Compare the router’s accounts with the CRM; with apply: true, make the router match',
      },
    })
    .input(routerSyncInput)
    .output(routerSyncResultSchema)
    .mutation(async ({ ctx, input }) => {
      try {
        return await syncRouter(ctx.db, ctx, ctx.config, input);
      } catch (error) {
        if (error instanceof RouterOsError) throw conflict(`The router could not be read or changed: ${error.message}`);
        throw error;
      }
    }),
} satisfies TRPCRouterRecord;

export const provisioningRouter = {
  retry: permissionProcedure('subscriptions.provision')
    .meta({
      openapi: {
        method: 'POST',
        path: '/subscriptions/{id}/provision',
        tags: ['subscriptions'],
        protect: true,
        summary: 'Apply the subscription to its router now (answers with the outcome)',
      },
    })
    .input(idInput)
    .output(subscriptionSchema)
    .mutation(({ ctx, input }) => retryProvisioning(ctx.db, ctx, ctx.config, input.id, getSubscription)),

  newServicePassword: permissionProcedure('subscriptions.provision')
    .meta({
      openapi: {
        method: 'POST',
        path: '/subscriptions/{id}/service-password',
        tags: ['subscriptions'],
        protect: true,
        summary: 'Set a new service password, shown once, and send it to the router',
      },
    })
    .input(idInput)
    .output(servicePasswordSchema)
    .mutation(({ ctx, input }) => rotateServicePassword(ctx.db, ctx, input.id, enqueueProvisioning)),
} satisfies TRPCRouterRecord;
