/** The plans module's face: the catalogue as other modules and jobs may use it. */
export { listPlans, toPlan } from './service';
