/** The health module's face: the API version and liveness answer (the server's health routes use them). */
export { API_VERSION, healthStatus } from './service';
