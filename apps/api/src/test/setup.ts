/**
 * Runs in every test worker before each test file: argon2 at its floor cost, so the suites time
 * behaviour rather than hashing (a file about the parameters switches back, see passwords.ts).
 */
import { setHashCostForTests } from '../modules/auth';

setHashCostForTests('test');
