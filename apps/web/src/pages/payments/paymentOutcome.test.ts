import type { RecordedPayment } from '@netflow/contracts';
import { describe, expect, it } from 'vitest';
import { describeOutcome } from './paymentOutcome';

const payment = (amountCents: number, outcome: RecordedPayment['outcome']) =>
  ({ amountCents, accountReference: 'NF-000101', outcome }) as RecordedPayment;
const SUB = '00000000-0000-4000-8000-000000000001';
const ksh = (s: string) => s.replace(/\u00a0/g, ' ');

describe('describeOutcome', () => {
  it('says a renewal and its date, never a renewal for money that only went to the balance', () => {
    const renewed = describeOutcome(
      payment(350_000, {
        kind: 'renewed',
        subscriptionId: SUB,
        planName: 'Home 10',
        periods: 1,
        expiresAt: '2026-12-30T09:00:00.000Z',
        reactivated: false,
        balanceCents: 0,
      }),
    );
    expect(renewed).toBe('Renewed Home 10 until 30 Dec 2026.');

    const credited = describeOutcome(
      payment(250_000, {
        kind: 'credited',
        creditedCents: 250_000,
        balanceCents: 250_000,
        subscriptionId: SUB,
        shortOfRenewalCents: 100_000,
        awaitingActivation: false,
      }),
    );
    expect(ksh(credited)).toMatch(/^Credited Ksh 2,500; Ksh 1,000 short of a renewal\.$/);
    expect(credited).not.toMatch(/renewed/i);
  });

  it('covers leftovers, restored service, pending subscriptions, no subscription and unmatched money', () => {
    expect(
      ksh(
        describeOutcome(
          payment(750_000, {
            kind: 'renewed',
            subscriptionId: SUB,
            planName: 'Home 10',
            periods: 2,
            expiresAt: '2027-01-29T09:00:00.000Z',
            reactivated: true,
            balanceCents: 50_000,
          }),
        ),
      ),
    ).toBe('Renewed Home 10 until 29 Jan 2027 (2 periods); service restored; Ksh 500 kept as credit.');
    const pending = (short: number) =>
      ksh(
        describeOutcome(
          payment(350_000, {
            kind: 'credited',
            creditedCents: 350_000,
            balanceCents: 350_000 - short,
            subscriptionId: SUB,
            shortOfRenewalCents: short,
            awaitingActivation: true,
          }),
        ),
      );
    expect(pending(0)).toBe('Credited Ksh 3,500; it pays for the first period when the subscription is activated.');
    expect(pending(100_000)).toBe('Credited Ksh 3,500; Ksh 1,000 short of the first period.');
    expect(
      ksh(
        describeOutcome(
          payment(1_000, {
            kind: 'credited',
            creditedCents: 1_000,
            balanceCents: 1_000,
            subscriptionId: null,
            shortOfRenewalCents: null,
            awaitingActivation: false,
          }),
        ),
      ),
    ).toBe('Credited Ksh 10 to the balance; there is no subscription to renew.');
    expect(ksh(describeOutcome(payment(1_000, { kind: 'unmatched' })))).toBe(
      'Ksh 10 kept as unmatched: no customer has the account number “NF-000101”.',
    );
  });
});
