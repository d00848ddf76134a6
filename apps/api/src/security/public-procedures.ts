/**
 * The only procedures that answer without a token. Deny by default: `security/access.test.ts`
 * calls every procedure of the app router anonymously and fails when one outside this list
 * answers. Adding a public procedure means adding it here, on purpose.
 */
export const PUBLIC_PROCEDURES: ReadonlySet<string> = new Set(['health.check', 'auth.register', 'auth.login']);
