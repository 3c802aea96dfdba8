// Ids in this system are UUIDs. A value that is not one is the caller's mistake (BAD_USER_INPUT naming the
// argument), found before it reaches SQL, where it would be a type error and so an internal one.
import { badInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `value` when it is a UUID; BAD_USER_INPUT naming `field` otherwise. */
export function requireUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw badInput(`${field} "${value.slice(0, 80)}" is not a valid id`, { field });
  return value;
}
