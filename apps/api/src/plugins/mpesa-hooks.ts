/**
 * The public webhooks Daraja posts to (not tRPC: Daraja sends its own raw JSON, with no bearer).
 * Daraja refuses callback URLs containing "mpesa", "safaricom", "sql", "query", "exec" or "cmd",
 * hence /api/hooks/…. The path carries MPESA_CALLBACK_TOKEN: a wrong token answers exactly like
 * any unknown path (404), compared in constant time. Then the source address (request.ip, after
 * TRUST_PROXY) must be in MPESA_ALLOWED_IPS when that is set (403), and the body must have
 * Daraja's shape (400). None of those records anything. Without M-Pesa configured the routes do
 * not exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { c2bCallbackSchema, stkCallbackSchema } from '@netflow/contracts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import type { MpesaConfig } from '../config';
import { systemActor } from '../lib/actor';
import { isDomainError } from '../lib/errors';
import { C2B_ACCEPTED, closeMpesaClients, confirmC2B, handleStkCallback, validateC2B } from '../modules/mpesa';

/** Daraja's bodies are a few hundred bytes. */
export const HOOK_BODY_LIMIT_BYTES = 16 * 1024;
/**
 * Per client address per minute, apart from the global limit: Safaricom posts from a handful of
 * addresses, and a busy paybill must not be throttled by the limit meant for browsers.
 */
export const HOOK_REQUESTS_PER_MINUTE = 3_000;

const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' } as const;

function allowList(mpesa: MpesaConfig): BlockList | null {
  if (mpesa.allowedIps.length === 0) return null;
  const list = new BlockList();
  for (const entry of mpesa.allowedIps) {
    const [address = '', bits] = entry.split('/');
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

const mpesaHooks: FastifyPluginAsync = async (app) => {
  const { config, db } = app.services;
  const mpesa = config.mpesa;
  app.addHook('onClose', async () => closeMpesaClients());
  if (!mpesa) return;
  const expected = digest(mpesa.callbackToken);
  const allowed = allowList(mpesa);

  /** Token, then source: both before the body is parsed, so neither a probe nor a stranger costs a parse. */
  const guard = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    // Hashing first makes the comparison constant-time whatever the length typed.
    if (!timingSafeEqual(digest(req.params.token), expected)) {
      req.log.info({ event: 'mpesa.hook_wrong_token' }, 'M-Pesa hook with a wrong token');
      return reply.callNotFound();
    }
    if (allowed) {
      const ip = req.ip.startsWith('::ffff:') && isIPv4(req.ip.slice(7)) ? req.ip.slice(7) : req.ip;
      if (!allowed.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6')) {
        req.log.warn({ event: 'mpesa.hook_source_refused', ip }, 'M-Pesa hook from an address not in MPESA_ALLOWED_IPS');
        return reply.status(403).send({ error: 'Forbidden' });
      }
    }
    return undefined;
  };

  function parse<T extends z.ZodType>(schema: T, req: FastifyRequest, reply: FastifyReply): z.output<T> | null {
    const parsed = schema.safeParse(req.body);
    if (parsed.success) return parsed.data;
    // Field names only: the body carries payer names and phone numbers.
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))];
    req.log.warn({ event: 'mpesa.hook_malformed', fields }, 'malformed M-Pesa callback');
    void reply.status(400).send({ error: 'Malformed body' });
    return null;
  }

  /** A body of the right shape whose content cannot be a payment (amount 0, success without a receipt): 400. */
  const malformed = (req: FastifyRequest, reply: FastifyReply) => (error: unknown) => {
    if (!isDomainError(error) || error.kind !== 'invalid') throw error;
    req.log.warn({ event: 'mpesa.hook_malformed', reason: error.message }, 'malformed M-Pesa callback');
    void reply.status(400).send({ error: 'Malformed body' });
    return null;
  };

  const actorOf = (req: FastifyRequest) => systemActor('mpesa', { requestId: req.id, ip: req.ip, log: req.log });
  const routeOptions = {
    bodyLimit: HOOK_BODY_LIMIT_BYTES,
    onRequest: guard,
    config: { rateLimit: { max: HOOK_REQUESTS_PER_MINUTE, timeWindow: '1 minute' } },
  };

  app.post<{ Params: { token: string } }>('/api/hooks/c2b/:token/validation', routeOptions, async (req, reply) => {
    const body = parse(c2bCallbackSchema, req, reply);
    if (!body) return reply;
    const answer = await validateC2B(db, mpesa, body);
    req.log.info({ event: 'mpesa.c2b_validation', transId: body.TransID, result: answer.ResultCode }, 'C2B validation');
    return answer.ResultCode === C2B_ACCEPTED.ResultCode ? C2B_ACCEPTED : answer;
  });

  app.post<{ Params: { token: string } }>('/api/hooks/c2b/:token/confirmation', routeOptions, async (req, reply) => {
    const body = parse(c2bCallbackSchema, req, reply);
    if (!body) return reply;
    const outcome = await confirmC2B(db, actorOf(req), body).catch(malformed(req, reply));
    if (!outcome) return reply;
    req.log.info(
      {
        event: 'mpesa.c2b_confirmation',
        transId: body.TransID,
        paymentId: outcome.paymentId,
        status: outcome.status,
        duplicate: outcome.duplicate,
      },
      outcome.duplicate ? 'C2B confirmation already recorded' : 'C2B confirmation recorded',
    );
    return ACCEPTED;
  });

  app.post<{ Params: { token: string } }>('/api/hooks/stk/:token/result', routeOptions, async (req, reply) => {
    const body = parse(stkCallbackSchema, req, reply);
    if (!body) return reply;
    const status = await handleStkCallback(db, actorOf(req), body).catch(malformed(req, reply));
    if (!status) return reply;
    req.log.info({ event: 'mpesa.stk_callback', checkoutRequestId: body.Body.stkCallback.CheckoutRequestID, status }, 'STK callback');
    return ACCEPTED;
  });
};

export default fp(mpesaHooks, { name: 'mpesa-hooks', dependencies: ['errors', 'rate-limits'] });
