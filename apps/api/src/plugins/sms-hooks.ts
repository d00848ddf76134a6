/**
 * POST /api/hooks/sms/{SMS_CALLBACK_TOKEN}/delivery: Africa's Talking's delivery reports (form
 * fields id, status, phoneNumber, networkCode, failureReason). The token in the path is the only
 * credential AT can carry, so a wrong one (or none configured) answers exactly what an unknown path
 * does (404). A report for a message we do not know answers 200 and records nothing, so AT stops
 * retrying it. Form bodies are accepted on this route only: the app's parser refuses them (415)
 * elsewhere, and this plugin is encapsulated, so its parser does not leak to other routes.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { DELIVERY_STATUSES, recordDeliveryReport } from '../modules/sms';

const FORM = 'application/x-www-form-urlencoded';
/** A delivery report is a handful of short fields. */
const REPORT_BODY_LIMIT = 8 * 1024;

function tokenMatches(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const field = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  return typeof value === 'string' && value.length <= 500 && !value.includes('\u0000') ? value.trim() : undefined;
};

const smsHooks: FastifyPluginAsync = async (app) => {
  const { db, config } = app.services;
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: REPORT_BODY_LIMIT }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  // Not rate limited per address: AT's servers post every report from a few addresses; a wrong
  // token costs one comparison and no database work.
  app.post<{ Params: { token: string } }>('/api/hooks/sms/:token/delivery', { config: { rateLimit: false } }, async (req, reply) => {
    if (!tokenMatches(req.params.token, config.sms.callbackToken)) return reply.status(404).send({ error: 'Not found' });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = field(body, 'id');
    const status = field(body, 'status');
    if (!id || !status || !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
      return reply.status(400).send({ error: 'Expected form fields id and status (Sent, Submitted, Buffered, Rejected, Success, Failed)' });
    }
    const known = await recordDeliveryReport(db, {
      id,
      status,
      phoneNumber: field(body, 'phoneNumber'),
      networkCode: field(body, 'networkCode'),
      failureReason: field(body, 'failureReason'),
    });
    if (!known) req.log.info({ event: 'sms.delivery.unknown', providerMessageId: id }, 'delivery report for an unknown message');
    return reply.status(200).send({ received: true });
  });
};

export default smsHooks;
