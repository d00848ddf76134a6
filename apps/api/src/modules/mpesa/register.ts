/** Registers the C2B confirmation and validation URLs with Daraja (`pnpm mpesa:register-urls`). */
import type { Database } from '@netflow/db';
import type { Config } from '../../config';
import { darajaClientFor } from './clients';
import { callbackUrls } from './service';

export async function registerC2BUrls(config: Config, db: Database, responseType: 'Completed' | 'Cancelled' = 'Completed') {
  const client = darajaClientFor(config, db);
  if (!config.mpesa || !client) throw new Error('M-Pesa is not configured: set the MPESA_ variables (see .env.example)');
  const urls = callbackUrls(config.mpesa);
  const answer = await client.registerUrls({ confirmationUrl: urls.confirmation, validationUrl: urls.validation, responseType });
  return { shortcode: config.mpesa.shortcode, confirmationUrl: urls.confirmation, validationUrl: urls.validation, responseType, answer };
}
