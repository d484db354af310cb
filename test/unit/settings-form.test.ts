import { describe, expect, it } from 'vitest';
import { issueToField, settingsPatchFromForm } from '../../src/web/settings/form.js';
import { parseNumberingChange, timeZoneIssues } from '../../src/settings/rules.js';

describe('settings form', () => {
  it('turns the text of the inputs into the values the CLI would give', () => {
    expect(
      settingsPatchFromForm({
        dueDays: ' 10 ',
        bankPaymentLink: '',
        'vatOverride.mode': 'on_top',
        'vatOverride.rate': '10',
        accountantEmails: 'a@x.ru, b@x.ru;c@x.ru',
        accountantUserIds: '4, 7',
        'penalty.mode': 'on',
        'penalty.ratePerDayPercent': '0,1',
        'penalty.capPercent': '',
        'escalation.present': '1',
        'escalation.1.day': '5',
        'escalation.1.action': 'notify_head',
        'escalation.0.day': '-3',
        'escalation.0.hour': '10:00',
        'escalation.0.action': 'client_reminder',
      }),
    ).toEqual({
      dueDays: 10,
      bankPaymentLink: undefined,
      vatOverride: { mode: 'on_top', rate: 10 },
      accountantEmails: ['a@x.ru', 'b@x.ru', 'c@x.ru'],
      accountantUserIds: [4, 7],
      penalty: { ratePerDayPercent: 0.1 },
      escalation: [
        { day: -3, hour: '10:00', action: 'client_reminder' },
        { day: 5, hour: undefined, action: 'notify_head' },
      ],
    });
    expect(settingsPatchFromForm({ 'vatOverride.mode': '', 'penalty.mode': 'off' })).toEqual({ vatOverride: undefined, penalty: 'off' });
    // Leaves only what the form sent: another section's settings stay as they are.
    expect(settingsPatchFromForm({ emailFrom: 'billing@x.ru' })).toEqual({ emailFrom: 'billing@x.ru' });
  });

  it('puts an issue on the input it is about', () => {
    const patch = { accountantEmails: ['a@x.ru', 'nope'] };
    expect(issueToField({ path: 'accountantEmails.1', message: 'неверный адрес e-mail' }, patch)).toEqual({ path: 'accountantEmails', message: '«nope»: неверный адрес e-mail' });
    expect(issueToField({ path: 'escalation.2', message: 'повторяет шаг 1' }, {}).path).toBe('escalation.2.action');
    expect(issueToField({ path: 'vatOverride.rate', message: 'x' }, {}).path).toBe('vatOverride.rate');
  });
});

describe('settings rules shared with the CLI', () => {
  it('checks time zones and numbering changes', () => {
    expect(timeZoneIssues('Europe/Moscow')).toEqual([]);
    expect(timeZoneIssues('Moscow')[0]!.path).toBe('tz');
    expect(parseNumberingChange({ seller_inn: '7704123450', seller_kpp: '770401001', kind: 'act', year: '2026', next: '17' })).toEqual({
      change: { inn: '7704123450', kpp: '770401001', kind: 'act', year: 2026, next: 17 },
    });
    const bad = parseNumberingChange({ seller_inn: '123', kind: 'bill', year: '26', next: '0', seller_kpp: 'x' });
    expect('issues' in bad && bad.issues.map((i) => i.path)).toEqual(['seller_inn', 'kind', 'year', 'next', 'seller_kpp']);
  });
});
