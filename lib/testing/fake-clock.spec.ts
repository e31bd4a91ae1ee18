import { Clock } from '../clock/clock.js';
import { FAKE_CLOCK_START, FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('is a Clock that starts at the same instant in every run unless told otherwise', () => {
    expect(new FakeClock()).toBeInstanceOf(Clock);
    expect(new FakeClock().now()).toBe(FAKE_CLOCK_START);
    expect(new Date(FAKE_CLOCK_START).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new FakeClock(1234).now()).toBe(1234);
    expect(new FakeClock(new Date('2030-05-01T12:00:00Z')).now()).toBe(Date.UTC(2030, 4, 1, 12));
  });

  it('stands still until moved, forward or back', () => {
    const clock = new FakeClock();
    expect(clock.now()).toBe(clock.now());
    clock.advance(60_000);
    expect(clock.now()).toBe(FAKE_CLOCK_START + 60_000);
    clock.advance(-1_000);
    expect(clock.now()).toBe(FAKE_CLOCK_START + 59_000);
    clock.set(new Date('2027-01-01T00:00:00Z'));
    expect(clock.now()).toBe(Date.UTC(2027, 0, 1));
    clock.set(5);
    expect(clock.now()).toBe(5);
  });

  it.each([NaN, Infinity, new Date('not a date')])('refuses %p with a TypeError that says what it takes', (bad) => {
    const clock = new FakeClock();
    expect(() => new FakeClock(bad)).toThrow(TypeError);
    expect(() => clock.set(bad)).toThrow(/ms since the epoch or a valid Date/);
    if (typeof bad === 'number') expect(() => clock.advance(bad)).toThrow(/finite number of milliseconds/);
    expect(clock.now()).toBe(FAKE_CLOCK_START);
  });
});
