import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretOpenError } from './secrets';

const keyA = 'a-key-for-secrets-at-rest-that-is-long-enough-000';
const keyB = 'b-key-for-secrets-at-rest-that-is-long-enough-111';

describe('secret box (AES-256-GCM under APP_ENCRYPTION_KEY)', () => {
  it('seals to an opaque value that opens only with the same key and place', () => {
    const box = createSecretBox({ key: keyA, previousKeys: [] });
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed.startsWith(`v1.${box.currentKeyId}.`)).toBe(true);
    expect(box.open(sealed, 'totp:user-1')).toBe('JBSWY3DPEHPK3PXP');
    // Same plaintext twice: different ciphertexts (random IV).
    expect(box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1')).not.toBe(sealed);
    expect(() => box.open(sealed, 'totp:user-2')).toThrow(SecretOpenError);
    expect(() => createSecretBox({ key: keyB, previousKeys: [] }).open(sealed, 'totp:user-1')).toThrow(/unknown key/);
  });

  it('refuses a tampered value', () => {
    const box = createSecretBox({ key: keyA, previousKeys: [] });
    const parts = box.seal('router-password', 'router:1').split('.');
    const ct = Buffer.from(parts[4] ?? '', 'base64url');
    ct.writeUInt8(ct.readUInt8(0) ^ 1, 0);
    parts[4] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'router:1')).toThrow(SecretOpenError);
    expect(() => box.open('plain-text', 'router:1')).toThrow(/not a sealed secret/);
  });

  it('opens values sealed under a previous key after a rotation and marks them stale', () => {
    const old = createSecretBox({ key: keyA, previousKeys: [] });
    const sealed = old.seal('s3cret', 'router:1');
    const rotated = createSecretBox({ key: keyB, previousKeys: [keyA] });
    expect(rotated.open(sealed, 'router:1')).toBe('s3cret');
    expect(rotated.isStale(sealed)).toBe(true);
    const resealed = rotated.seal(rotated.open(sealed, 'router:1'), 'router:1');
    expect(rotated.isStale(resealed)).toBe(false);
    expect(createSecretBox({ key: keyB, previousKeys: [] }).open(resealed, 'router:1')).toBe('s3cret');
  });
});
