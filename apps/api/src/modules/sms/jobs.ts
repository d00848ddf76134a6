/** The `sms.send` queue: one job per message (singleton key `sms:<messageId>`), retried with backoff. */
import { z } from 'zod';
import { defineJob } from '../jobs';
import { createSmsProvider } from './providers';
import { sendMessage } from './send';

export const smsSendJob = defineJob({
  name: 'sms.send',
  schema: z.object({ messageId: z.uuid() }),
  // 30 s, 1 min, 2 min, 4 min, 8 min: a gateway outage of a quarter of an hour costs no message.
  retryLimit: 5,
  retryDelaySeconds: 30,
  retryBackoff: true,
  async run(data, ctx) {
    await sendMessage(ctx.db, data.messageId, {
      provider: createSmsProvider(ctx.config.sms, ctx.log),
      sms: ctx.config.sms,
      lastAttempt: ctx.lastAttempt,
      log: ctx.log,
    });
  },
});
