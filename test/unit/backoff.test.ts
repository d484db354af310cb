import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/jobs/backoff.js';

const base = { baseMs: 1_000, capMs: 60_000 };
const fixed = (r: number) => () => r;

describe('backoffDelayMs (full jitter)', () => {
  it('never retries sooner than baseMs', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      expect(backoffDelayMs(attempt, { ...base, random: fixed(0) })).toBe(1_000);
    }
  });

  it('doubles the longest possible delay with each attempt until the cap', () => {
    const longest = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelayMs(a, { ...base, random: fixed(1) }));
    expect(longest).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('stays at the cap for absurd attempt numbers', () => {
    expect(backoffDelayMs(5_000, { ...base, random: fixed(1) })).toBe(60_000);
    expect(backoffDelayMs(5_000, { ...base, random: fixed(0.5) })).toBe(30_500);
  });

  it('spreads delays uniformly between the floor and the current ceiling', () => {
    expect(backoffDelayMs(3, { ...base, random: fixed(0.5) })).toBe(4_500);
    expect(backoffDelayMs(3, { ...base, random: fixed(0.25) })).toBe(2_750);
  });

  it('keeps any random source within [baseMs, capMs]', () => {
    let seed = 42;
    const lcg = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 1; attempt <= 40; attempt++) {
      const d = backoffDelayMs(attempt, { ...base, random: lcg });
      expect(d).toBeGreaterThanOrEqual(1_000);
      expect(d).toBeLessThanOrEqual(Math.min(60_000, 1_000 * 2 ** attempt));
    }
  });
});

describe('backoffDelayMs (decorrelated jitter)', () => {
  it('grows from the previous delay up to three times it, capped', () => {
    const opts = { ...base, jitter: 'decorrelated' as const };
    expect(backoffDelayMs(1, { ...opts, random: fixed(1) })).toBe(3_000);
    expect(backoffDelayMs(2, { ...opts, random: fixed(1), previousMs: 3_000 })).toBe(9_000);
    expect(backoffDelayMs(3, { ...opts, random: fixed(1), previousMs: 50_000 })).toBe(60_000);
    expect(backoffDelayMs(3, { ...opts, random: fixed(0), previousMs: 50_000 })).toBe(1_000);
  });
});
