import { Clock } from '../clock/clock.js';

/** Where a `FakeClock` starts unless told otherwise: 2026-01-01T00:00:00Z, the same in every run. */
export const FAKE_CLOCK_START = Date.UTC(2026, 0, 1);

/**
 * A `Clock` that stands still until the test moves it, so expiry, lockouts and timeouts are tested
 * without sleeping. Put it in place of the app's clock:
 *
 * ```ts
 * const clock = new FakeClock();
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(Clock).useValue(clock)
 *   .compile();
 * clock.advance(15 * 60_000); // a quarter of an hour later
 * ```
 */
export class FakeClock extends Clock {
  private current: number;

  /** @param start ms since the epoch, or a `Date`; default {@link FAKE_CLOCK_START}. */
  constructor(start: number | Date = FAKE_CLOCK_START) {
    super();
    this.current = FakeClock.toMs(start, 'start');
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward (or back, with a negative value) by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new TypeError(`FakeClock.advance() takes a finite number of milliseconds, got ${String(ms)}.`);
    this.current += ms;
  }

  /** Sets the clock to `time` (ms since the epoch, or a `Date`). */
  set(time: number | Date): void {
    this.current = FakeClock.toMs(time, 'set()');
  }

  private static toMs(time: number | Date, what: string): number {
    const ms = time instanceof Date ? time.getTime() : time;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new TypeError(`FakeClock ${what} takes ms since the epoch or a valid Date, got ${String(time)}.`);
    }
    return ms;
  }
}
