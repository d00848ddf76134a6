/** The subscriptions module's face: what other modules may use. */
export { createSubscription } from './service';
