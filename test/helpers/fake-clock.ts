import { Clock } from '../../lib/index.js';

/** A clock tests move by hand: `app = createApp(..., { override: (b) => b.overrideProvider(Clock).useValue(clock) })`. */
export class FakeClock extends Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {
    super();
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
