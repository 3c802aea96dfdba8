// Deterministic DICOM UIDs in the 2.25 (UUID-derived) arc: "2.25." + a 128-bit integer in decimal. The integer is a
// hash of the dataset seed and the object's identity, so the same seed always yields the same UIDs.
import { hashKey } from './random.js';

export function deterministicUid(...key: readonly (number | string)[]): string {
  let value = 0n;
  for (let word = 0; word < 4; word++) value = (value << 32n) | BigInt(hashKey('uid', word, ...key));
  // Leading zeros are not allowed in a UID component; zero itself is, but a non-zero top bit keeps lengths uniform.
  value |= 1n << 127n;
  return `2.25.${value.toString()}`;
}
