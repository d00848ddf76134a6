/**
 * Expiry reminders: every hour from 08:00 to 20:00 Nairobi time (05–17 UTC), so nobody is texted at
 * night; each run queues what is due, and the event key keeps it to one per expiry date.
 */
import { defineSchedule } from '../jobs';
import { queueReminders } from './listeners';

export const smsReminderSchedule = defineSchedule({
  name: 'sms.reminders',
  cron: '0 5-17 * * *',
  async run(ctx) {
    const { queued } = await queueReminders(ctx.db, ctx.config.sms, new Date());
    if (queued > 0) ctx.log.info({ event: 'sms.reminders', queued }, 'expiry reminders queued');
  },
});
