import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parsePenaltySetting, penaltyAt, penaltyOn, type PenaltyInput } from '../../src/overdue/penalty.js';

const usual = parsePenaltySetting('{"ratePerDayPercent": 0.1, "capPercent": 10}');
// 100 000,00 due on 10 March 2027: 0.1 % a day is 100,00 a day.
const inv = (over: Partial<PenaltyInput> = {}): PenaltyInput => ({ totalKopecks: 10_000_000, dueDate: '2027-03-10', payments: [], ...over });

describe('penalty setting', () => {
  it('reads the issue example and the ways to turn it off', () => {
    expect(usual).toEqual({ ratePerDay: { units: 1n, scale: 1 }, cap: { units: 10n, scale: 0 } });
    expect(parsePenaltySetting({ ratePerDayPercent: '0,05' })).toEqual({ ratePerDay: { units: 5n, scale: 2 }, cap: null });
    for (const off of ['off', ' off ', '', null, undefined, false, 'null', 'false']) expect(parsePenaltySetting(off)).toBeNull();
  });

  it.each([
    ['{"ratePerDayPercent": 0}', 'penalty: ratePerDayPercent — ожидается число больше 0 и не больше 5, а не «0»'],
    ['{"ratePerDayPercent": 10}', 'не больше 5, а не «10»'],
    ['{"ratePerDayPercent": 0.1, "capPercent": 150}', 'penalty: capPercent — ожидается число больше 0 и не больше 100'],
    ['{"capPercent": 10}', 'penalty: ratePerDayPercent — ожидается число процентов'],
    ['{"ratePerDayPercent": 0.1, "cap": 10}', 'penalty: лишние поля cap'],
    ['on', 'penalty: ожидается {"ratePerDayPercent": 0.1, "capPercent": 10} или "off"'],
    ['[0.1]', 'penalty: ожидается {"ratePerDayPercent": 0.1, "capPercent": 10} или "off"'],
  ])('refuses %s', (input, message) => {
    let thrown: unknown;
    try {
      parsePenaltySetting(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as Error).message).toContain(message);
  });
});

describe('penalty', () => {
  it.each([
    ['on the due day', '2027-03-10', 0, 0],
    ['before it', '2027-03-01', 0, 0],
    ['the first day after it', '2027-03-11', 1, 10_000],
    ['ten days later', '2027-03-20', 10, 100_000],
    ['over a month end', '2027-04-02', 23, 230_000],
  ])('%s', (_name, asOf, days, kopecks) => {
    const p = penaltyOn(inv(), usual, asOf);
    expect(p).toMatchObject({ kopecks, daysOverdue: days, remainderKopecks: 10_000_000, capped: false });
  });

  it('follows partial payments on their dates, the payment day still counting', () => {
    const p = penaltyOn(inv({ payments: [{ date: '2027-03-15', amountKopecks: 4_000_000 }] }), usual, '2027-03-20');
    // 11–15 March on 100 000,00 (5 × 100,00), 16–20 March on 60 000,00 (5 × 60,00).
    expect(p.kopecks).toBe(80_000);
    expect(p.segments).toEqual([
      { from: '2027-03-11', to: '2027-03-15', days: 5, remainderKopecks: 10_000_000 },
      { from: '2027-03-16', to: '2027-03-20', days: 5, remainderKopecks: 6_000_000 },
    ]);
    expect(p.remainderKopecks).toBe(6_000_000);
  });

  it('counts a payment made on time from the start, and several payments in any order', () => {
    expect(penaltyOn(inv({ payments: [{ date: '2027-03-01', amountKopecks: 2_000_000 }] }), usual, '2027-03-12').kopecks).toBe(16_000);
    expect(penaltyOn(inv({ payments: [{ date: '2027-03-10', amountKopecks: 2_000_000 }] }), usual, '2027-03-12').kopecks).toBe(16_000);
    const p = penaltyOn(
      inv({
        payments: [
          { date: '2027-03-18', amountKopecks: 3_000_000 },
          { date: '2027-03-12', amountKopecks: 1_000_000 },
          { date: '2027-03-12', amountKopecks: 1_000_000 },
        ],
      }),
      usual,
      '2027-03-20',
    );
    // 11–12 on 100 000 (2 × 100), 13–18 on 80 000 (6 × 80), 19–20 on 50 000 (2 × 50).
    expect(p.kopecks).toBe(20_000 + 48_000 + 10_000);
    expect(p.segments.map((s) => [s.from, s.to, s.remainderKopecks])).toEqual([
      ['2027-03-11', '2027-03-12', 10_000_000],
      ['2027-03-13', '2027-03-18', 8_000_000],
      ['2027-03-19', '2027-03-20', 5_000_000],
    ]);
  });

  it('stops growing the day after the debt is paid in full', () => {
    const paid = inv({ payments: [{ date: '2027-03-15', amountKopecks: 10_000_000 }] });
    for (const asOf of ['2027-03-15', '2027-03-16', '2027-06-30']) {
      expect(penaltyOn(paid, usual, asOf)).toMatchObject({ kopecks: 50_000, daysOverdue: 5 });
    }
    expect(penaltyOn(paid, usual, '2027-03-16').remainderKopecks).toBe(0);
    expect(penaltyOn(inv({ payments: [{ date: '2027-03-15', amountKopecks: 11_000_000 }] }), usual, '2027-03-20').kopecks).toBe(50_000);
  });

  it('is capped at the share of the invoice amount, partial payments or not', () => {
    const steep = parsePenaltySetting({ ratePerDayPercent: 0.5, capPercent: 10 });
    expect(penaltyOn(inv(), steep, '2027-03-29')).toMatchObject({ kopecks: 950_000, capped: false });
    expect(penaltyOn(inv(), steep, '2027-03-30')).toMatchObject({ kopecks: 1_000_000, uncappedKopecks: 1_000_000, capped: false });
    expect(penaltyOn(inv(), steep, '2027-04-09')).toMatchObject({ kopecks: 1_000_000, uncappedKopecks: 1_500_000, capped: true });
    const partly = inv({ payments: [{ date: '2027-03-11', amountKopecks: 5_000_000 }] });
    // Half paid on the first overdue day: 500,00 + 29 × 250,00 stays under the 10 000,00 cap; 59 more days do not.
    expect(penaltyOn(partly, steep, '2027-04-09').kopecks).toBe(50_000 + 29 * 25_000);
    expect(penaltyOn(partly, steep, '2027-05-09')).toMatchObject({ kopecks: 1_000_000, capped: true });
    expect(penaltyOn(inv(), parsePenaltySetting({ ratePerDayPercent: 0.5 }), '2027-04-09').kopecks).toBe(1_500_000);
  });

  it('sums exactly and rounds once, half-up to the kopeck', () => {
    // 123,45 at 0.1 %: 12.345 kopecks a day.
    const small = inv({ totalKopecks: 12_345 });
    expect(penaltyOn(small, usual, '2027-03-11').kopecks).toBe(12);
    expect(penaltyOn(small, usual, '2027-03-12').kopecks).toBe(25); // 24.69
    expect(penaltyOn(small, usual, '2027-03-13').kopecks).toBe(37); // 37.035 (12 a day would give 36)
    const half = parsePenaltySetting({ ratePerDayPercent: 5 });
    expect(penaltyOn(inv({ totalKopecks: 10 }), half, '2027-03-11').kopecks).toBe(1); // 0.5 → 1
    // 0,10 with a 5 % cap: the cap of 0.5 kopeck rounds to 1 while 296 days owe 2.96 → 3.
    expect(penaltyOn(inv({ totalKopecks: 10 }), parsePenaltySetting({ ratePerDayPercent: 0.1, capPercent: 5 }), '2027-12-31')).toMatchObject({
      kopecks: 1,
      uncappedKopecks: 3,
      capped: true,
    });
  });

  it('reports the days and remainder but no penalty when the setting is off', () => {
    expect(penaltyOn(inv(), null, '2027-03-20')).toMatchObject({ kopecks: 0, daysOverdue: 10, remainderKopecks: 10_000_000 });
  });

  it('counts days in the portal time zone', () => {
    const instant = new Date('2027-03-10T21:30:00Z');
    expect(penaltyAt(inv(), usual, instant, 'Europe/Moscow')).toMatchObject({ kopecks: 10_000, daysOverdue: 1 }); // 00:30, 11 March
    expect(penaltyAt(inv(), usual, instant, 'Europe/Berlin')).toMatchObject({ kopecks: 0, daysOverdue: 0 }); // 22:30, 10 March
    // Across the Berlin switch to summer time (28 March) a day is still a day.
    const berlin = inv({ dueDate: '2027-03-27' });
    expect(penaltyAt(berlin, usual, new Date('2027-03-29T22:30:00Z'), 'Europe/Berlin')).toMatchObject({ daysOverdue: 3, kopecks: 30_000 });
  });

  it('refuses malformed input', () => {
    expect(() => penaltyOn(inv({ dueDate: '10.03.2027' }), usual, '2027-03-20')).toThrow(/Срок оплаты/);
    expect(() => penaltyOn(inv({ payments: [{ date: '2027-03-15', amountKopecks: 1.5 }] }), usual, '2027-03-20')).toThrow(/Платёж/);
    expect(() => penaltyOn(inv(), usual, '2027-02-30')).toThrow(/Дата расчёта/);
  });
});
