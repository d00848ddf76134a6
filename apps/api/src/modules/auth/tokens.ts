/**
 * Access tokens: HS256 JWTs with the algorithm pinned, `iss`/`aud`/`exp` required. A `kid` names
 * the signing key so JWT_SECRET_PREVIOUS keeps verifying during a rotation. `iatMs` carries the
 * issue time in milliseconds, compared against the user's `sessionsValidAfter` so a logout or
 * password change revokes every token issued before it, even within the same second.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from '../../config';

export interface TokenClaims {
  userId: string;
  email: string;
  issuedAtMs: number;
  expiresAt: Date;
}

interface Key {
  kid: string;
  secret: Uint8Array;
}

const ALGORITHM = 'HS256';

/** A non-reversible key id: enough to pick the key, useless for guessing it. */
function keyId(secret: string): string {
  return createHash('sha256').update(`netflow-kid:${secret}`).digest('base64url').slice(0, 16);
}

function toKey(secret: string): Key {
  return { kid: keyId(secret), secret: new TextEncoder().encode(secret) };
}

export interface TokenService {
  sign(user: { id: string; email: string }, now?: Date): Promise<{ token: string; expiresAt: Date }>;
  /** Returns the claims of a valid token, or null for anything else. */
  verify(token: string): Promise<TokenClaims | null>;
}

export function createTokenService(jwt: Config['jwt']): TokenService {
  const current = toKey(jwt.secret);
  const keys = new Map<string, Key>([[current.kid, current]]);
  if (jwt.previousSecret) {
    const previous = toKey(jwt.previousSecret);
    keys.set(previous.kid, previous);
  }

  return {
    async sign(user, now = new Date()) {
      // Whole seconds, as `exp` carries them, so login and verify report the same instant.
      const expiresAt = new Date(Math.floor(now.getTime() / 1000 + jwt.expiresInSeconds) * 1000);
      const token = await new SignJWT({ userId: user.id, email: user.email, iatMs: now.getTime() })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: current.kid })
        .setSubject(user.id)
        .setIssuer(jwt.issuer)
        .setAudience(jwt.audience)
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .setJti(randomUUID())
        .sign(current.secret);
      return { token, expiresAt };
    },

    async verify(token) {
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== ALGORITHM || typeof header.kid !== 'string') return null;
        const key = keys.get(header.kid);
        if (!key) return null;
        const { payload } = await jwtVerify(token, key.secret, {
          algorithms: [ALGORITHM],
          issuer: jwt.issuer,
          audience: jwt.audience,
          requiredClaims: ['exp', 'iat', 'sub'],
        });
        const { sub, userId, email, iatMs, exp } = payload;
        if (typeof sub !== 'string' || userId !== sub || typeof email !== 'string') return null;
        if (typeof iatMs !== 'number' || typeof exp !== 'number') return null;
        return { userId: sub, email, issuedAtMs: iatMs, expiresAt: new Date(exp * 1000) };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError || error instanceof TypeError || error instanceof SyntaxError) {
          return null;
        }
        throw error;
      }
    },
  };
}
