/** The words for what the server did with a recorded payment (the dialog and its toast say the same). */
import type { RecordedPayment } from '@netflow/contracts';
import { formatDate, formatMoney } from '../../lib/format';

/**
 * What the server did with the money, in words, from the answer's `outcome` (never guessed from the
 * payment alone): "Renewed until 30 Dec 2026", "Credited Ksh 2,500; Ksh 1,000 short of a renewal".
 */
export function describeOutcome(p: RecordedPayment): string {
  const amount = formatMoney(p.amountCents);
  const o = p.outcome;
  switch (o.kind) {
    case 'renewed': {
      const periods = o.periods > 1 ? ` (${o.periods} periods)` : '';
      const restored = o.reactivated ? '; service restored' : '';
      const left = o.balanceCents > 0 ? `; ${formatMoney(o.balanceCents)} kept as credit` : '';
      return `Renewed ${o.planName} until ${formatDate(o.expiresAt)}${periods}${restored}${left}.`;
    }
    case 'credited': {
      const credited = `Credited ${amount}`;
      if (o.shortOfRenewalCents === null) return `${credited} to the balance; there is no subscription to renew.`;
      if (o.awaitingActivation) {
        return o.shortOfRenewalCents > 0
          ? `${credited}; ${formatMoney(o.shortOfRenewalCents)} short of the first period.`
          : `${credited}; it pays for the first period when the subscription is activated.`;
      }
      return o.shortOfRenewalCents > 0 ? `${credited}; ${formatMoney(o.shortOfRenewalCents)} short of a renewal.` : `${credited}.`;
    }
    case 'unmatched':
      return `${amount} kept as unmatched: no customer has the account number “${p.accountReference ?? ''}”.`;
  }
}
