/**
 * The procedure tiers that are not "needs a permission of the matrix", declared on purpose.
 * Deny by default: `security/access.test.ts` calls every procedure of the app router and fails
 * when one outside `PUBLIC_PROCEDURES` answers without a token, or when one outside
 * `SIGNED_IN_PROCEDURES` lets a signed-in user through without naming a permission
 * (`permissionProcedure`). Adding to either list is a security decision: say why beside it.
 */

/** Answer without a token. */
export const PUBLIC_PROCEDURES: ReadonlySet<string> = new Set([
  'health.check', // liveness for monitors and the web client
  'auth.register', // asks for a pending account; limited per address
  'auth.login', // limited per address, locked per account
  'auth.activate', // needs a single-use code an admin issued; limited per address, locked per account
]);

/**
 * Open to every signed-in staff member, whatever the role. An entry ending in `.*` covers a module
 * that decides access per record in its service.
 */
export const SIGNED_IN_PROCEDURES: readonly string[] = [
  'auth.me', // one's own account
  'auth.verify', // one's own token
  'auth.logout', // one's own sessions
  'auth.changePassword', // one's own password
  'auth.mfaSetup', // one's own two-step sign-in enrolment
  'auth.mfaEnable', // confirms one's own enrolment with a code
  'auth.mfaDisable', // needs one's password and a current code; failures count towards the lockout
  'auth.mfaRecoveryCodes', // needs one's password and a current code
  'users.assignable', // names of assignable staff; the service requires leads.write/tickets.update with scope all
  'activities.*', // a timeline entry is allowed when its lead or customer is (checked in the service)
];

export function isSignedInProcedure(path: string): boolean {
  return SIGNED_IN_PROCEDURES.some((entry) => (entry.endsWith('.*') ? path.startsWith(entry.slice(0, -1)) : path === entry));
}
