// Authenticated encryption of original DICOM UIDs (AES-256-GCM). The key is derived with HKDF from a server
// secret and a purpose, so the linkage table, job parameters and pseudonyms never share a key. The associated
// data binds each ciphertext to the row it belongs to: a ciphertext copied to another row does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors.js';

export type SealPurpose = 'linkage' | 'job-params';

export function sealKey(secret: string, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'spinegraph-dicomweb', `spinegraph:${purpose}:v1`, 32));
}

/** base64 of iv(12) | tag(16) | ciphertext. */
export function sealUid(key: Buffer, uid: string, associated: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(uid, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function openUid(key: Buffer, sealed: string, associated: string): string {
  const bytes = Buffer.from(sealed, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new AppError('INTERNAL_SERVER_ERROR', 'A sealed UID does not open with this server key (key changed, or the row was altered)', {
      cause: e,
    });
  }
}
