import { Injectable } from '@nestjs/common';

/**
 * The time source for every expiry, lockout and timeout. Tests replace it with
 * `overrideProvider(Clock).useValue(...)` instead of sleeping.
 */
export abstract class Clock {
  /** Milliseconds since the Unix epoch. */
  abstract now(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
