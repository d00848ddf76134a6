/**
 * Domain events, delivered inside the transaction of the change that raised them.
 *
 * Billing code says what happened to a service or a payment (`emitEvent(tx, actor, event)`); the
 * integrations (router provisioning, SMS) listen and enqueue their jobs on the same transaction, so
 * a job exists exactly when its cause committed, and the billing code knows nothing of routers or
 * SMS. Listeners are registered once per process by `src/wiring.ts` (server, CLI and the test
 * harness all call `wireListeners()`), never by domain modules themselves, so there is no import
 * cycle between billing and the integrations.
 */
import type { Database } from '@netflow/db';
import type { Actor } from './actor';

export type EventActor = Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>;

/** What happened to a subscription's service (what a router and the customer need to hear about). */
export type ServiceChangeKind = 'activated' | 'renewed' | 'restored' | 'suspended' | 'cancelled';

export type DomainEvent =
  | {
      type: 'subscription.changed';
      subscriptionId: string;
      customerId: string;
      change: ServiceChangeKind;
      /** Who caused it: staff action, a payment's renewal, the expiry sweep, a payment's reversal. */
      cause: 'staff' | 'payment' | 'expiry' | 'reversal';
      /** The service's expiry after the change (ISO), when it has one. */
      expiresAt: string | null;
      paymentId?: string;
    }
  | {
      type: 'payment.applied';
      paymentId: string;
      customerId: string;
      amountCents: number;
      reference: string;
      /** The renewal it bought, if any. */
      renewedUntil: string | null;
      balanceCents: number;
    };

export type EventType = DomainEvent['type'];
type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;
type Listener<T extends EventType> = (tx: Database, actor: EventActor, event: EventOf<T>) => Promise<void>;

const listeners = new Map<EventType, Map<string, Listener<EventType>>>();

/**
 * Registers `listener` under `name` for events of `type`. Registering the same name again replaces
 * it (so wiring is idempotent: the test harness wires once per file in one process).
 */
export function onEvent<T extends EventType>(type: T, name: string, listener: Listener<T>): void {
  const forType = listeners.get(type) ?? new Map<string, Listener<EventType>>();
  forType.set(name, listener as unknown as Listener<EventType>);
  listeners.set(type, forType);
}

/** Runs every listener of the event's type, in registration order, on the caller's transaction. */
export async function emitEvent(tx: Database, actor: EventActor, event: DomainEvent): Promise<void> {
  const forType = listeners.get(event.type);
  if (!forType) return;
  for (const listener of forType.values()) await listener(tx, actor, event);
}

/** Names of the listeners registered for `type` (for tests and the start-up log). */
export function listenersOf(type: EventType): string[] {
  return [...(listeners.get(type)?.keys() ?? [])];
}
