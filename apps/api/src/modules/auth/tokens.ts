/**
 * Access tokens: HS256 JWTs (jsonwebtoken) with the algorithm pinned and `iss`/`aud`/`exp`/`iat`/`sub`
 * required. A `kid` names the signing key so JWT_SECRET_PREVIOUS keeps verifying during a rotation.
 * `iatMs` carries the issue time in milliseconds, compared against the user's `sessionsValidAfter`
 * so a logout or password change revokes every token issued before it, even within the same second.
 */
import { createHash, createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config';

export interface TokenClaims {
  userId: string;
  email: string;
  issuedAtMs: number;
  expiresAt: Date;
}

interface Key {
  kid: string;
  /**
   * The secret as a KeyObject made once: given a string, jsonwebtoken first tries
   * `createPublicKey` on it (which throws for an HMAC secret) and then builds a secret key, on every
   * sign and verify: measured at 9 % of the API's CPU under an authenticated load (`bench:profile`).
   */
  secret: KeyObject;
}

const ALGORITHM = 'HS256';
/**
 * User ids are UUIDs. A validly signed token naming anything else (a secret leaked to a tool that
 * signs odd subjects) must be refused here, not reach a uuid column and fail there with a 500.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A non-reversible key id: enough to pick the key, useless for guessing it. */
function keyId(secret: string): string {
  return createHash('sha256').update(`netflow-kid:${secret}`).digest('base64url').slice(0, 16);
}

function toKey(secret: string): Key {
  return { kid: keyId(secret), secret: createSecretKey(Buffer.from(secret, 'utf8')) };
}

export interface TokenService {
  sign(user: { id: string; email: string }, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** Returns the claims of a valid token, or null for anything else. */
  verify(token: string): Promise<TokenClaims | null>;
}

export function createTokenService(config: Config['jwt']): TokenService {
  const current = toKey(config.secret);
  const keys = new Map<string, Key>([[current.kid, current]]);
  if (config.previousSecret) {
    const previous = toKey(config.previousSecret);
    keys.set(previous.kid, previous);
  }

  function verifySync(token: string): TokenClaims | null {
    // The header is read unverified only to choose the key; the signature check below covers it.
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || decoded.header.alg !== ALGORITHM || typeof decoded.header.kid !== 'string') return null;
    const key = keys.get(decoded.header.kid);
    if (!key) return null;
    const payload = jwt.verify(token, key.secret, {
      algorithms: [ALGORITHM],
      issuer: config.issuer,
      audience: config.audience,
    });
    // jsonwebtoken accepts a token without `exp` (or `iat`); we do not.
    if (typeof payload !== 'object') return null;
    const { sub, userId, email, iatMs, exp, iat } = payload as Record<string, unknown>;
    if (typeof exp !== 'number' || typeof iat !== 'number') return null;
    if (typeof sub !== 'string' || !UUID.test(sub) || userId !== sub || typeof email !== 'string') return null;
    if (typeof iatMs !== 'number' || !Number.isFinite(iatMs)) return null;
    return { userId: sub, email, issuedAtMs: iatMs, expiresAt: new Date(exp * 1000) };
  }

  return {
    async sign(user, now = new Date()) {
      // Whole seconds, as `exp` carries them, so login and verify report the same instant.
      const expiresAt = new Date(Math.floor(now.getTime() / 1000 + config.expiresInSeconds) * 1000);
      const token = jwt.sign(
        {
          userId: user.id,
          email: user.email,
          iatMs: now.getTime(),
          iat: Math.floor(now.getTime() / 1000),
          exp: Math.floor(expiresAt.getTime() / 1000),
        },
        current.secret,
        {
          algorithm: ALGORITHM,
          keyid: current.kid,
          subject: user.id,
          issuer: config.issuer,
          audience: config.audience,
          jwtid: randomUUID(),
        },
      );
      return { token, expiresAt };
    },

    async verify(token) {
      try {
        return verifySync(token);
      } catch (error) {
        // Any malformed, forged, expired or mis-addressed token: refused, never a 500.
        if (error instanceof jwt.JsonWebTokenError || error instanceof TypeError || error instanceof SyntaxError) return null;
        throw error;
      }
    },
  };
}
