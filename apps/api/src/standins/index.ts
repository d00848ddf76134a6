/** Loopback stand-ins for the external services (tests and local runs), one file each. */
export { startRouterOsStandIn, type RouterOsStandIn, type StandInFailure, type RecordedRequest } from './routeros';
export { startDevStandIns } from './dev';
export { startAfricasTalkingStandin, type AfricasTalkingStandin, type AtFailure } from './africastalking';
