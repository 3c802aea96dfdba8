// Keyed pseudonyms: the same identifier always maps to the same value under one secret, and cannot be reversed
// or recomputed without it. PatientID and DICOM UIDs are replaced at the door; the originals are never stored.
import { createHmac } from 'node:crypto';

export function patientKey(secret: string, patientId: string): string {
  return createHmac('sha256', secret).update(`patient:${patientId}`).digest('hex');
}

/** A valid DICOM UID (2.25 = UUID-derived root) derived from the original UID by a keyed HMAC. */
export function pseudonymousUid(secret: string, uid: string): string {
  const digest = createHmac('sha256', secret).update(`uid:${uid}`).digest();
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
}
