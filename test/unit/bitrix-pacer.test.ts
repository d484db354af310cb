import { describe, expect, it } from 'vitest';
import {
  gcraFull,
  gcraLevel,
  gcraParams,
  gcraReserve,
  gcraWaitMs,
  LeakyBucket,
  MAX_QUEUE_MS,
  PacerRegistry,
  type BucketConfig,
  type PacerDeps,
} from '../../src/bitrix/pacer.js';

/** Virtual time: `sleep` records the wait and moves the clock, so no real time passes. */
function virtualTime(): PacerDeps & { t: number; slept: number[] } {
  const v = {
    t: 1_000_000,
    slept: [] as number[],
    now: () => v.t,
    sleep: async (ms: number) => {
      v.slept.push(ms);
      v.t += ms;
    },
  };
  return v;
}

/** The portal's side of the bucket: what Bitrix24 would count for requests sent at the given instants. */
function portalAccepts(sendTimes: number[], drainPerSec: number, burst: number): boolean {
  let level = 0;
  let at = sendTimes[0] ?? 0;
  for (const t of sendTimes) {
    level = Math.max(0, level - ((t - at) / 1000) * drainPerSec);
    at = t;
    level += 1;
    if (level > burst + 1e-9) return false;
  }
  return true;
}

describe('LeakyBucket', () => {
  it('lets a full burst through at once and then spaces requests at the drain rate', () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 2, burst: 50 }, time);
    const waits = Array.from({ length: 60 }, () => bucket.reserve());
    expect(waits.slice(0, 50).every((w) => w === 0)).toBe(true);
    // 51st waits for one slot to drain (0.5 s at 2/s), each later one half a second more.
    expect(waits.slice(50)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
    const sendTimes = waits.map((w) => time.t + w);
    expect(portalAccepts(sendTimes, 2, 50)).toBe(true);
    // Without the wait the portal would have refused some of them.
    expect(portalAccepts(waits.map(() => time.t), 2, 50)).toBe(false);
  });

  it('refills as time passes', async () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 2, burst: 50 }, time);
    for (let i = 0; i < 50; i++) await bucket.acquire();
    expect(time.slept).toEqual([]);
    time.t += 10_000; // 20 slots drained
    for (let i = 0; i < 20; i++) await bucket.acquire();
    expect(time.slept).toEqual([]);
    await bucket.acquire();
    expect(time.slept).toEqual([500]);
  });

  it('uses Enterprise limits when configured', () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 5, burst: 250 }, time);
    const waits = Array.from({ length: 252 }, () => bucket.reserve());
    expect(waits.filter((w) => w > 0)).toEqual([200, 400]);
  });

  it('treats the bucket as full after the portal reported QUERY_LIMIT_EXCEEDED', () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 2, burst: 50 }, time);
    bucket.reserve();
    bucket.markFull();
    expect(bucket.reserve()).toBe(500);
  });

  it('keeps promises made to queued callers when marked full', () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 2, burst: 50 }, time);
    for (let i = 0; i < 55; i++) bucket.reserve();
    bucket.markFull();
    // Five callers are already queued beyond the burst; the next one comes after them.
    expect(bucket.reserve()).toBe(3000);
  });

  it('falls back to the standard plan for nonsense settings', () => {
    const time = virtualTime();
    const bucket = new LeakyBucket({ drainPerSec: 0, burst: Number.NaN }, time);
    expect(bucket.settings).toEqual({ drainPerSec: 2, burst: 50 });
  });
});

describe('PacerRegistry', () => {
  it('gives every client of a portal the same bucket and portals separate ones', () => {
    const time = virtualTime();
    const registry = new PacerRegistry(time);
    const a1 = registry.forPortal('a', { drainPerSec: 2, burst: 1 });
    const a2 = registry.forPortal('a', { drainPerSec: 2, burst: 1 });
    const b = registry.forPortal('b', { drainPerSec: 2, burst: 1 });
    expect(a1.reserve()).toBe(0);
    expect(a2.reserve()).toBe(500);
    expect(b.reserve()).toBe(0);
  });

  it('applies a changed plan from the portal row', () => {
    const time = virtualTime();
    const registry = new PacerRegistry(time);
    registry.forPortal('a', { drainPerSec: 2, burst: 50 });
    expect(registry.forPortal('a', { drainPerSec: 5, burst: 250 }).settings).toEqual({ drainPerSec: 5, burst: 250 });
  });
});

/** Send times of requests arriving at `arrivals`, paced by GCRA state kept in one number (as the database does). */
function paceWithGcra(arrivals: number[], config: BucketConfig): number[] {
  const p = gcraParams(config);
  let tat = 0; // a new portal row
  return arrivals.map((now) => {
    tat = gcraReserve(tat, now, p);
    return now + gcraWaitMs(tat, now, p);
  });
}

describe('GCRA (the bucket as one number, as stored in the portal row)', () => {
  it('derives interval and tolerance from the plan', () => {
    expect(gcraParams({ drainPerSec: 2, burst: 50 })).toMatchObject({ intervalMs: 500, toleranceMs: 25_000 });
    expect(gcraParams({ drainPerSec: 5, burst: 250 })).toMatchObject({ intervalMs: 200, toleranceMs: 50_000 });
    expect(gcraParams({ drainPerSec: -1, burst: 0 })).toMatchObject({ intervalMs: 500, toleranceMs: 25_000 });
  });

  it('lets a burst through and then spaces requests at the drain rate', () => {
    const t0 = Date.parse('2026-11-15T09:00:00Z');
    const sent = paceWithGcra(Array.from({ length: 55 }, () => t0), { drainPerSec: 2, burst: 50 });
    expect(sent.slice(0, 50).every((t) => t === t0)).toBe(true);
    expect(sent.slice(50).map((t) => t - t0)).toEqual([500, 1000, 1500, 2000, 2500]);
  });

  it('waits exactly as long as the portal bucket needs: never overflowing it, never a millisecond longer', () => {
    // Bursts, a lull that drains part of the bucket, and a trickle, on the standard and Enterprise plans.
    const arrivals = [
      ...Array.from({ length: 70 }, () => 0),
      ...Array.from({ length: 40 }, (_, i) => 60_000 + i * 10),
      ...Array.from({ length: 30 }, (_, i) => 61_000 + i * 700),
      ...Array.from({ length: 300 }, () => 200_000),
    ].map((t) => 1_000_000 + t);
    for (const plan of [
      { drainPerSec: 2, burst: 50 },
      { drainPerSec: 5, burst: 250 },
    ]) {
      const sent = paceWithGcra(arrivals, plan);
      expect(portalAccepts(sent, plan.drainPerSec, plan.burst)).toBe(true);
      const waited = sent.map((t, i) => i).filter((i) => sent[i]! > arrivals[i]!);
      expect(waited.length).toBeGreaterThan(20);
      for (const i of waited) {
        const earlier = sent.map((t, j) => (j === i ? t - 1 : t));
        expect(portalAccepts(earlier, plan.drainPerSec, plan.burst)).toBe(false);
      }
    }
  });

  it('rounds fractional intervals without adding a millisecond of float noise', () => {
    const sent = paceWithGcra(Array.from({ length: 9 }, () => 0), { drainPerSec: 3, burst: 3 });
    expect(sent).toEqual([0, 0, 0, 334, 667, 1000, 1334, 1667, 2000]);
  });

  it('counts the bucket as full after QUERY_LIMIT_EXCEEDED, keeping slots already promised', () => {
    const p = gcraParams({ drainPerSec: 2, burst: 50 });
    const now = 5_000_000;
    const full = gcraFull(0, now, p);
    expect(gcraLevel(full, now, p)).toBe(50);
    expect(gcraWaitMs(gcraReserve(full, now, p), now, p)).toBe(500);
    const queued = now + 55 * p.intervalMs; // 5 callers already waiting beyond the burst
    expect(gcraFull(queued, now, p)).toBe(queued);
  });

  it('does not stall callers for a day when the stored time is a day ahead (a clock that jumped back)', () => {
    const p = gcraParams({ drainPerSec: 2, burst: 50 });
    const now = 5_000_000;
    const tat = gcraReserve(now + 86_400_000, now, p);
    expect(gcraWaitMs(tat, now, p)).toBe(MAX_QUEUE_MS + p.intervalMs);
    expect(gcraFull(now + 86_400_000, now, p)).toBe(now + p.toleranceMs + MAX_QUEUE_MS);
  });
});
