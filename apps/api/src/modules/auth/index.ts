/**
 * The auth module's face: sign-in, account requests and activation, the caller's session and
 * password, password hashing and policy, and access tokens. Routers are registered in trpc/router.ts.
 */
export {
  activate,
  activationCodeHash,
  changePassword,
  getPublicUser,
  login,
  logout,
  newActivationCode,
  parseIdentifier,
  register,
  revocationInstant,
  toPublicUser,
  unknownIdentifierLabel,
  type AuthDeps,
} from './service';
export { burnVerification, hashPassword, HASH_OPTIONS, needsRehash, passwordWork, setHashCostForTests, verifyPassword } from './passwords';
export { passwordProblem, withPasswordPolicy } from './password-policy';
export { mfaEnabledFor, mfaRequiredFor, resetMfa } from './mfa';
export { createTokenService, type TokenClaims, type TokenService } from './tokens';
export { listenForUserChanges, UserCache, USERS_CHANNEL, type AuthRow } from './user-cache';
