/**
 * The customers module's face: what other modules may use. Lead conversion opens the account
 * through `createCustomer`; timelines check that their customer exists.
 */
export { assertCustomerExists, createCustomer, toCustomer } from './service';
export { customersExport } from './export-route';
