/** The tickets module's procedures: list, read, open, update (status, priority, assignee), comment. */
import {
  addTicketCommentInput,
  createTicketInput,
  idInput,
  listTicketsInput,
  ticketCommentSchema,
  ticketDetailSchema,
  ticketPageSchema,
  ticketSchema,
  updateTicketInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { addTicketComment, createTicket, getTicket, listTickets, updateTicket } from './service';

export const ticketsRouter = {
  list: permissionProcedure('tickets.read')
    .meta({
      openapi: { method: 'GET', path: '/tickets', tags: ['tickets'], protect: true, summary: 'List tickets (technicians: their own)' },
    })
    .input(listTicketsInput)
    .output(ticketPageSchema)
    .query(({ ctx, input }) => listTickets(ctx.db, ctx, input)),

  get: permissionProcedure('tickets.read')
    .meta({ openapi: { method: 'GET', path: '/tickets/{id}', tags: ['tickets'], protect: true, summary: 'A ticket with its comments' } })
    .input(idInput)
    .output(ticketDetailSchema)
    .query(({ ctx, input }) => getTicket(ctx.db, ctx, input.id)),

  create: permissionProcedure('tickets.create')
    .meta({
      openapi: { method: 'POST', path: '/tickets', tags: ['tickets'], protect: true, summary: 'Open a ticket' },
      successStatus: 201,
    })
    .input(createTicketInput)
    .output(ticketSchema)
    .mutation(({ ctx, input }) => createTicket(ctx.db, ctx, input)),

  update: permissionProcedure('tickets.update')
    .meta({
      openapi: { method: 'PATCH', path: '/tickets/{id}', tags: ['tickets'], protect: true, summary: 'Change status, priority or assignee' },
    })
    .input(updateTicketInput)
    .output(ticketSchema)
    .mutation(({ ctx, input }) => updateTicket(ctx.db, ctx, input)),

  addComment: permissionProcedure('tickets.comment')
    .meta({
      openapi: { method: 'POST', path: '/tickets/{id}/comments', tags: ['tickets'], protect: true, summary: 'Comment on a ticket' },
      successStatus: 201,
    })
    .input(addTicketCommentInput)
    .output(ticketCommentSchema)
    .mutation(({ ctx, input }) => addTicketComment(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
