/** Loopback stand-ins for the external services (tests and local runs), one file each. */
export { startAfricasTalkingStandin, type AfricasTalkingStandin, type AtFailure } from './africastalking';
