import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_LADDER, parseLadder, stepKey } from '../../src/overdue/ladder.js';

function problems(input: unknown): string {
  try {
    parseLadder(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('expected the ladder to be refused');
}

describe('escalation ladder setting', () => {
  it('has the issue default: −3 reminder, +1 manager, +3 head, +5 accountants, +7 second reminder, at 09:00', () => {
    expect(DEFAULT_LADDER.map((s) => `${s.day} ${s.hour} ${s.action}`)).toEqual([
      '-3 09:00 client_reminder',
      '1 09:00 notify_manager',
      '3 09:00 notify_head',
      '5 09:00 notify_accountants',
      '7 09:00 client_overdue_reminder',
    ]);
    expect(parseLadder(JSON.stringify(DEFAULT_LADDER))).toEqual(DEFAULT_LADDER);
  });

  it('fills the hour, pads it and sorts the steps by day and hour', () => {
    expect(
      parseLadder('[{"day": 3, "action": "notify_head"}, {"day": 1, "hour": "14:30", "action": "notify_manager"}, {"day": 1, "hour": "8:05", "action": "notify_accountants"}, {"day": -1, "action": "client_reminder"}]'),
    ).toEqual([
      { day: -1, hour: '09:00', action: 'client_reminder' },
      { day: 1, hour: '08:05', action: 'notify_accountants' },
      { day: 1, hour: '14:30', action: 'notify_manager' },
      { day: 3, hour: '09:00', action: 'notify_head' },
    ]);
  });

  it('allows the same action on different days and different actions on one day', () => {
    const l = parseLadder([
      { day: 1, action: 'notify_manager' },
      { day: 1, action: 'notify_head' },
      { day: 10, action: 'notify_manager' },
    ]);
    expect(l.map(stepKey)).toEqual(['1:notify_manager', '1:notify_head', '10:notify_manager']);
    expect(parseLadder([])).toEqual([]);
  });

  it.each([
    ['not JSON', '[{day: 1}]', 'escalation: не JSON'],
    ['not a list', { day: 1 }, 'escalation: ожидается список шагов'],
    ['a day missing', [{ action: 'notify_head' }], 'escalation[0] (шаг 1): day — ожидается целое число дней от срока оплаты'],
    ['a fractional day', [{ day: 1.5, action: 'notify_head' }], 'escalation[0] (шаг 1): day — ожидается целое число'],
    ['too early', [{ day: -31, action: 'client_reminder' }], 'day — не раньше чем за 30 дней до срока (-30)'],
    ['too late', [{ day: 61, action: 'notify_head' }], 'day — не позже 60 дней после срока'],
    ['a bad hour', [{ day: 1, hour: '24:00', action: 'notify_head' }], 'hour — ожидается время ЧЧ:ММ, например 09:00'],
    ['an hour as a number', [{ day: 1, hour: 9, action: 'notify_head' }], 'hour — ожидается время ЧЧ:ММ'],
    ['an unknown action', [{ day: 1, action: 'call_client' }], 'action — одно из: client_reminder, notify_manager, notify_head, notify_accountants, client_overdue_reminder'],
    ['a reminder «до срока» after it', [{ day: 2, action: 'client_reminder' }], 'client_reminder) бывает в день срока или раньше (day ≤ 0), а не 2'],
    ['a notification on the due day', [{ day: 0, action: 'notify_manager' }], 'уведомление ответственному (notify_manager) бывает только после срока (day ≥ 1)'],
    ['an overdue reminder before it', [{ day: -1, action: 'client_overdue_reminder' }], '(client_overdue_reminder) бывает только после срока'],
    [
      'a repeated step',
      [{ day: 1, action: 'notify_head' }, { day: 3, action: 'notify_head' }, { day: 1, hour: '12:00', action: 'notify_head' }],
      'escalation[2] (шаг 3): повторяет шаг 1: notify_head в день 1',
    ],
  ])('refuses %s', (_name, input, message) => {
    expect(problems(input)).toContain(message);
  });
});
