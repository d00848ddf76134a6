/**
 * Secrets at rest (TOTP secrets, router passwords): AES-256-GCM under APP_ENCRYPTION_KEY.
 *
 * A sealed value reads `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id (first
 * 8 hex digits of the key's SHA-256) says which key sealed it, so after a rotation values sealed
 * under a previous key still open (APP_ENCRYPTION_KEY_PREVIOUS) until `pnpm secrets:rotate`
 * re-seals them under the current one. `aad` binds a value to its place (e.g. `totp:<userId>`), so
 * a sealed value copied into another row or column does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

interface Key {
  id: string;
  bytes: Buffer;
}

export interface EncryptionKeys {
  key: string;
  previousKeys: string[];
}

export class SecretOpenError extends Error {
  override name = 'SecretOpenError';
}

function deriveKey(material: string): Key {
  const digest = createHash('sha256').update(material, 'utf8').digest();
  // The AES key is a separate hash of the material, so the published key id reveals nothing of it.
  const bytes = createHash('sha256').update('netflow-secrets-v1\0').update(material, 'utf8').digest();
  return { id: digest.subarray(0, 4).toString('hex'), bytes };
}

export interface SecretBox {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plain: string, aad: string): string;
  /** Throws SecretOpenError when the value was tampered with, sealed for another place or under an unknown key. */
  open(sealed: string, aad: string): string;
  /** True when `sealed` was made with a key other than the current one (a rotation should re-seal it). */
  isStale(sealed: string): boolean;
}

export function createSecretBox(keys: EncryptionKeys): SecretBox {
  const current = deriveKey(keys.key);
  const byId = new Map<string, Key>([[current.id, current]]);
  for (const material of keys.previousKeys) {
    const key = deriveKey(material);
    if (!byId.has(key.id)) byId.set(key.id, key);
  }
  return {
    currentKeyId: current.id,
    seal(plain, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return ['v1', current.id, ...parts].join('.');
    },
    open(sealed, aad) {
      const [version, keyId, iv, tag, ciphertext, ...rest] = sealed.split('.');
      if (version !== 'v1' || !keyId || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
        throw new SecretOpenError('not a sealed secret');
      }
      const key = byId.get(keyId);
      if (!key) throw new SecretOpenError(`sealed under an unknown key (${keyId}); is APP_ENCRYPTION_KEY_PREVIOUS missing it?`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretOpenError('the sealed secret does not open here (tampered, or sealed for another record)');
      }
    },
    isStale(sealed) {
      return sealed.split('.')[1] !== current.id;
    },
  };
}

let box: SecretBox | undefined;

/** Called once at start-up (server, CLI, test harness) with `config.encryption`. */
export function useEncryptionKeys(keys: EncryptionKeys): void {
  box = createSecretBox(keys);
}

/** The process's secret box; services seal and open through it. */
export function secretBox(): SecretBox {
  if (!box) throw new Error('encryption keys not configured: call useEncryptionKeys(config.encryption) at start-up');
  return box;
}
