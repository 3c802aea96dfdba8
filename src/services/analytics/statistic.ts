// A statistic that may be undefined on the data at hand (a ratio with a zero denominator, an AUC with one class):
// it is then null with a reason a researcher can act on, never NaN.
export interface Statistic {
  readonly value: number | null;
  /** Why value is null; null when it is defined. */
  readonly reason: string | null;
}

export const defined = (value: number): Statistic => ({ value, reason: null });
export const undefinedBecause = (reason: string): Statistic => ({ value: null, reason });

/** num / den, or null with `reason` when den is 0. */
export function ratio(num: number, den: number, reason: string): Statistic {
  return den === 0 ? undefinedBecause(reason) : defined(num / den);
}
