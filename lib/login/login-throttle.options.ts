/** Brute-force defence for every password check. */
export interface LoginThrottleOptions {
  /** Consecutive failures on one account before it is locked. Default 5. */
  readonly accountThreshold?: number;
  /** First lockout; each further lockout within `backoffResetMs` doubles it. Default 60 s. */
  readonly lockoutMs?: number;
  /** Longest lockout. Default 15 min. */
  readonly maxLockoutMs?: number;
  /** Failures from one client address (IPv6: one /64) per window before it is locked. Default 100. */
  readonly addressThreshold?: number;
  /** Window in which failures are counted. Default 15 min. */
  readonly windowMs?: number;
  /** After this long without a lockout, back-off starts over. Default 24 h. */
  readonly backoffResetMs?: number;
}
