import { describe, expect, it } from 'vitest';
import { DEFAULT_LADDER, parseLadder, stepKey, type LadderStep } from '../../src/overdue/ladder.js';
import { daysOverdue, planOverdueSteps, stepInstant, type PlannedInvoice } from '../../src/overdue/planner.js';

const MSK = 'Europe/Moscow';
// Due 10 March 2027; in Moscow (UTC+3 all year) the default steps are at 06:00 UTC on 7, 11, 13, 15 and 17 March.
const invoice = (over: Partial<PlannedInvoice> = {}): PlannedInvoice => ({
  dueDate: '2027-03-10',
  totalKopecks: 10_000_000,
  paidKopecks: 0,
  state: 'open',
  done: [],
  ...over,
});
const done = (...keys: string[]) => keys.map((key) => ({ key, at: new Date('2027-03-01T00:00:00Z') }));
const plan = (inv: PlannedInvoice, now: string, extra: { threshold?: number; ladder?: readonly LadderStep[]; tz?: string } = {}) =>
  planOverdueSteps(inv, extra.ladder ?? DEFAULT_LADDER, {
    now: new Date(now),
    timeZone: extra.tz ?? MSK,
    ...(extra.threshold === undefined ? {} : { pauseClientRemindersBelowKopecks: extra.threshold }),
  });
const keys = (xs: { key: string }[]) => xs.map((x) => x.key);

describe('step instants and days overdue', () => {
  it('put each step at its hour of the portal day', () => {
    expect(DEFAULT_LADDER.map((s) => stepInstant('2027-03-10', s, MSK).toISOString())).toEqual([
      '2027-03-07T06:00:00.000Z',
      '2027-03-11T06:00:00.000Z',
      '2027-03-13T06:00:00.000Z',
      '2027-03-15T06:00:00.000Z',
      '2027-03-17T06:00:00.000Z',
    ]);
  });

  it('keep 09:00 local across the Berlin summer-time switch (due 29 March 2027, clocks go forward on the 28th)', () => {
    expect(DEFAULT_LADDER.map((s) => stepInstant('2027-03-29', s, 'Europe/Berlin').toISOString())).toEqual([
      '2027-03-26T08:00:00.000Z',
      '2027-03-30T07:00:00.000Z',
      '2027-04-01T07:00:00.000Z',
      '2027-04-03T07:00:00.000Z',
      '2027-04-05T07:00:00.000Z',
    ]);
  });

  it.each([
    ['2027-03-10T20:59:00Z', MSK, 0], // 23:59 on the due day: not overdue
    ['2027-03-10T21:00:00Z', MSK, 1], // 00:00 the next day in Moscow
    ['2027-03-10T21:00:00Z', 'Europe/Berlin', 0], // still 22:00 on the due day in Berlin
    ['2027-03-10T23:00:00Z', 'Europe/Berlin', 1],
    ['2027-03-01T12:00:00Z', MSK, 0], // before the due date
    ['2027-04-09T12:00:00Z', MSK, 30],
  ])('at %s in %s: %i days overdue', (now, tz, days) => {
    expect(daysOverdue('2027-03-10', new Date(now), tz)).toBe(days);
  });
});

describe('overdue planner', () => {
  it('waits for the reminder before its moment, then sends it', () => {
    const before = plan(invoice(), '2027-03-07T05:59:00Z');
    expect(before.due).toEqual([]);
    expect(before.next).toMatchObject({ key: '-3:client_reminder', at: new Date('2027-03-07T06:00:00Z') });
    const at = plan(invoice(), '2027-03-07T06:00:00Z');
    expect(keys(at.due)).toEqual(['-3:client_reminder']);
    expect(at.next).toMatchObject({ key: '1:notify_manager', at: new Date('2027-03-11T06:00:00Z') });
  });

  it('does nothing on the due day itself', () => {
    const p = plan(invoice({ done: done('-3:client_reminder') }), '2027-03-10T20:00:00Z');
    expect(p).toMatchObject({ due: [], skipped: [], daysOverdue: 0 });
    expect(p.next?.key).toBe('1:notify_manager');
  });

  it('climbs one step at a time when the service runs through', () => {
    expect(keys(plan(invoice({ done: done('-3:client_reminder') }), '2027-03-11T06:00:00Z').due)).toEqual(['1:notify_manager']);
    expect(keys(plan(invoice({ done: done('-3:client_reminder', '1:notify_manager') }), '2027-03-13T07:00:00Z').due)).toEqual(['3:notify_head']);
    const last = plan(invoice({ done: done('-3:client_reminder', '1:notify_manager', '3:notify_head', '5:notify_accountants') }), '2027-03-17T06:00:00Z');
    expect(keys(last.due)).toEqual(['7:client_overdue_reminder']);
    expect(last.next).toBeNull();
    expect(last.daysOverdue).toBe(7);
  });

  it('after downtime fires each missed internal notification once, in order, and skips the stale reminder', () => {
    const p = plan(invoice(), '2027-03-16T12:00:00Z');
    expect(keys(p.due)).toEqual(['1:notify_manager', '3:notify_head', '5:notify_accountants']);
    expect(p.skipped).toEqual([
      { step: DEFAULT_LADDER[0], key: '-3:client_reminder', at: new Date('2027-03-07T06:00:00Z'), reason: 'late' },
    ]);
    expect(p.next?.key).toBe('7:client_overdue_reminder');
  });

  it('after a jump over the whole ladder sends a client reminder only if it is at most two days late', () => {
    const within = plan(invoice(), '2027-03-18T06:00:00Z');
    expect(keys(within.due)).toEqual(['1:notify_manager', '3:notify_head', '5:notify_accountants', '7:client_overdue_reminder']);
    expect(keys(within.skipped)).toEqual(['-3:client_reminder']);
    const beyond = plan(invoice(), '2027-03-25T06:00:00Z');
    expect(keys(beyond.due)).toEqual(['1:notify_manager', '3:notify_head', '5:notify_accountants']);
    expect(keys(beyond.skipped)).toEqual(['-3:client_reminder', '7:client_overdue_reminder']);
    expect(beyond.next).toBeNull();
  });

  it('counts the two days to the second', () => {
    expect(keys(plan(invoice(), '2027-03-09T06:00:00Z').due)).toEqual(['-3:client_reminder']);
    expect(keys(plan(invoice(), '2027-03-09T06:00:01Z').skipped)).toEqual(['-3:client_reminder']);
  });

  it('counts the two days on the portal clock across a summer-time switch (47 hours in Berlin in March)', () => {
    const berlin = invoice({ dueDate: '2027-03-29' });
    expect(keys(plan(berlin, '2027-03-28T07:00:00Z', { tz: 'Europe/Berlin' }).due)).toEqual(['-3:client_reminder']);
    expect(keys(plan(berlin, '2027-03-28T07:30:00Z', { tz: 'Europe/Berlin' }).skipped)).toEqual(['-3:client_reminder']);
  });

  it('stops at once when the invoice is paid or cancelled', () => {
    const half = done('-3:client_reminder', '1:notify_manager');
    for (const inv of [
      invoice({ done: half, state: 'paid', paidKopecks: 10_000_000 }),
      invoice({ done: half, state: 'cancelled' }),
      invoice({ done: half, paidKopecks: 10_000_000 }),
      invoice({ done: half, paidKopecks: 12_000_000 }),
    ]) {
      const p = plan(inv, '2027-03-20T06:00:00Z');
      expect(p).toMatchObject({ due: [], skipped: [], paused: [], next: null });
    }
  });

  it('skips what was already done, whatever the order it was recorded in', () => {
    const p = plan(invoice({ done: done('3:notify_head', '-3:client_reminder', '1:notify_manager') }), '2027-03-15T06:00:00Z');
    expect(keys(p.due)).toEqual(['5:notify_accountants']);
  });

  it('pauses client reminders while a partial payment leaves less than the threshold, but keeps telling the staff', () => {
    const partly = invoice({ paidKopecks: 9_500_000, done: done('-3:client_reminder') });
    const p = plan(partly, '2027-03-17T07:00:00Z', { threshold: 1_000_000 });
    expect(keys(p.due)).toEqual(['1:notify_manager', '3:notify_head', '5:notify_accountants']);
    expect(keys(p.paused)).toEqual(['7:client_overdue_reminder']);
    expect(p.skipped).toEqual([]);
    expect(p.remainderKopecks).toBe(500_000);
    // The paused reminder is not the next step either.
    expect(plan(partly, '2027-03-16T07:00:00Z', { threshold: 1_000_000 }).next).toBeNull();
    // Once too late it is recorded as skipped.
    expect(keys(plan(partly, '2027-03-20T07:00:00Z', { threshold: 1_000_000 }).skipped)).toEqual(['7:client_overdue_reminder']);
  });

  it('does not pause when the remainder is at or above the threshold, or nothing was paid', () => {
    const atThreshold = invoice({ paidKopecks: 9_000_000, done: done('-3:client_reminder', '1:notify_manager', '3:notify_head', '5:notify_accountants') });
    expect(keys(plan(atThreshold, '2027-03-17T07:00:00Z', { threshold: 1_000_000 }).due)).toEqual(['7:client_overdue_reminder']);
    const small = invoice({ totalKopecks: 50_000 });
    expect(keys(plan(small, '2027-03-07T06:00:00Z', { threshold: 1_000_000 }).due)).toEqual(['-3:client_reminder']);
    const noThreshold = invoice({ paidKopecks: 9_999_999 });
    expect(keys(plan(noThreshold, '2027-03-07T06:00:00Z').due)).toEqual(['-3:client_reminder']);
  });

  it('skips steps whose moment came before the invoice was issued', () => {
    const late = invoice({ issuedAt: new Date('2027-03-08T10:00:00Z') });
    const p = plan(late, '2027-03-08T10:00:00Z');
    expect(p.due).toEqual([]);
    expect(p.skipped).toMatchObject([{ key: '-3:client_reminder', reason: 'before_issue' }]);
  });

  it('orders steps of one day by hour, and by the ladder for the same hour', () => {
    const ladder = parseLadder([
      { day: 1, hour: '15:00', action: 'notify_head' },
      { day: 1, hour: '09:00', action: 'notify_accountants' },
      { day: 1, hour: '09:00', action: 'notify_manager' },
    ]);
    const p = plan(invoice(), '2027-03-11T13:00:00Z', { ladder });
    expect(keys(p.due)).toEqual(['1:notify_manager', '1:notify_accountants', '1:notify_head']);
    expect(keys(p.due)).toEqual(ladder.map(stepKey));
  });
});
