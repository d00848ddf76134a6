/**
 * The activities module's face. Other modules only write to timelines; reading and staff notes go
 * through this module's own router.
 */
export { addActivities, addCustomerActivity, type ActivityKind, type TimelineEvent } from './timeline';
