/** The payments module's procedures: list, record, assign an unmatched payment (with suggestions), reverse, move. */
import {
  assignPaymentInput,
  customerPaymentsSchema,
  idInput,
  idSchema,
  listPaymentsInput,
  movePaymentInput,
  paymentSuggestionSchema,
  paymentPageSchema,
  paymentSchema,
  recordedPaymentSchema,
  recordPaymentInput,
  reversePaymentInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { permissionProcedure } from '../../trpc/trpc';
import {
  assignPayment,
  customerPayments,
  getPayment,
  listPayments,
  movePayment,
  recordPayment,
  reversePayment,
  suggestCustomers,
} from './service';

export const paymentsRouter = {
  list: permissionProcedure('payments.read')
    .meta({ openapi: { method: 'GET', path: '/payments', tags: ['payments'], protect: true, summary: 'List payments' } })
    .input(listPaymentsInput)
    .output(paymentPageSchema)
    .query(({ ctx, input }) => listPayments(ctx.db, input)),

  get: permissionProcedure('payments.read')
    .meta({ openapi: { method: 'GET', path: '/payments/{id}', tags: ['payments'], protect: true, summary: 'One payment' } })
    .input(idInput)
    .output(paymentSchema)
    .query(({ ctx, input }) => getPayment(ctx.db, input.id)),

  record: permissionProcedure('payments.record')
    .meta({
      openapi: {
        method: 'POST',
        path: '/payments',
        tags: ['payments'],
        protect: true,
        summary:
          'Record a payment (matched by account number or customer; unknown accounts are kept unmatched); `outcome` says whether it renewed, was credited or is unmatched',
      },
      successStatus: 201,
    })
    .input(recordPaymentInput)
    .output(recordedPaymentSchema)
    .mutation(({ ctx, input }) => recordPayment(ctx.db, ctx, input)),

  assign: permissionProcedure('payments.assign')
    .meta({
      openapi: {
        method: 'POST',
        path: '/payments/{id}/assign',
        tags: ['payments'],
        protect: true,
        summary: 'Assign an unmatched payment to a customer and apply it',
      },
    })
    .input(assignPaymentInput)
    .output(recordedPaymentSchema)
    .mutation(({ ctx, input }) => assignPayment(ctx.db, ctx, input)),

  reverse: permissionProcedure('payments.reverse')
    .meta({
      openapi: {
        method: 'POST',
        path: '/payments/{id}/reverse',
        tags: ['payments'],
        protect: true,
        summary: 'Reverse a payment and undo its effect',
      },
    })
    .input(reversePaymentInput)
    .output(paymentSchema)
    .mutation(({ ctx, input }) => reversePayment(ctx.db, ctx, input)),

  ofCustomer: permissionProcedure('payments.lookup')
    .meta({
      openapi: {
        method: 'GET',
        path: '/customers/{customerId}/payments',
        tags: ['payments'],
        protect: true,
        summary: "One customer's payments (read-only), with unmatched payments from the customer's phone",
      },
    })
    .input(z.object({ customerId: idSchema }))
    .output(customerPaymentsSchema)
    .query(({ ctx, input }) => customerPayments(ctx.db, input.customerId)),

  suggestions: permissionProcedure('payments.assign')
    .meta({
      openapi: {
        method: 'GET',
        path: '/payments/{id}/suggestions',
        tags: ['payments'],
        protect: true,
        summary: "Customers an unmatched payment probably belongs to (payer's phone, near-miss account number)",
      },
    })
    .input(idInput)
    .output(z.array(paymentSuggestionSchema))
    .query(({ ctx, input }) => suggestCustomers(ctx.db, input.id)),

  move: permissionProcedure('payments.move')
    .meta({
      openapi: {
        method: 'POST',
        path: '/payments/{id}/move',
        tags: ['payments'],
        protect: true,
        summary: 'Move an applied payment to another customer: undone on the first, applied to the second, same reference',
      },
    })
    .input(movePaymentInput)
    .output(recordedPaymentSchema)
    .mutation(({ ctx, input }) => movePayment(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
