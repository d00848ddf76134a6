/**
 * `pnpm mpesa:register-urls [--response-type Completed|Cancelled]`: registers
 * `${MPESA_PUBLIC_URL}/api/hooks/c2b/<MPESA_CALLBACK_TOKEN>/confirmation` and `/validation` with
 * Daraja for MPESA_SHORTCODE. ResponseType says what Safaricom does when the validation URL does
 * not answer: complete the payment (Completed, the default) or cancel it.
 */
import { closeMpesaClients, registerC2BUrls } from '../modules/mpesa';
import { openConfiguredDatabase } from './database';

const args = process.argv.slice(2);
let responseType: 'Completed' | 'Cancelled' = 'Completed';
for (let i = 0; i < args.length; i += 1) {
  const arg = args[i];
  const value = arg === '--response-type' ? args[(i += 1)] : arg?.startsWith('--response-type=') ? arg.slice(16) : undefined;
  if (value === 'Completed' || value === 'Cancelled') responseType = value;
  else {
    process.stderr.write(
      `mpesa:register-urls: unknown argument ${arg ?? ''}; usage: mpesa:register-urls [--response-type Completed|Cancelled]\n`,
    );
    process.exit(2);
  }
}

const { config, db } = await openConfiguredDatabase();
try {
  const result = await registerC2BUrls(config, db.db, responseType);
  const hide = (url: string) =>
    config.mpesa ? url.replace(config.mpesa.callbackToken, `${config.mpesa.callbackToken.slice(0, 4)}…`) : url;
  process.stdout.write(
    `registered with Daraja for shortcode ${result.shortcode} (ResponseType ${result.responseType}):\n` +
      `  confirmation ${hide(result.confirmationUrl)}\n  validation   ${hide(result.validationUrl)}\n` +
      `  answer: ${JSON.stringify(result.answer)}\n`,
  );
} catch (error) {
  process.stderr.write(`mpesa:register-urls: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await closeMpesaClients();
  await db.close();
}
