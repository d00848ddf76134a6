/**
 * The routers module's face: the provisioning listener and job for `src/wiring.ts`, the one-time
 * reveal of a service password for the activation answer, and the RouterOS client for tools.
 */
export { provisionJob, provisionOnChange, enqueueProvisioning } from './jobs';
export { provisionSubscription, revealServicePasswordOnce, servicePasswordAad, type ProvisionOutcome } from './provisioning';
export { routerPasswordAad } from './service';
export { routerOsClient, RouterOsError, type RouterOsClient, type RouterOsConnection } from './routeros-client';
