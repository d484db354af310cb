import { describe, expect, it } from 'vitest';
import { isEmailAddress, parseRecipients, resolveRecipients, type RecipientClient } from '../../src/crm/recipients.js';
import { sendSchema } from '../../src/robots/send_documents/definition.js';
import { propertyProblems } from '../../src/robots/framework/validateProperties.js';
import { findRobot } from '../../src/robots/registry.js';
import { errorOf as failure } from '../helpers/errors.js';

describe('isEmailAddress', () => {
  it.each(['client@example.ru', 'x.y+tag@mail.example.co.uk', 'бухгалтерия@пример.рф', 'A@B.RU'])('accepts %s', (s) => {
    expect(isEmailAddress(s)).toBe(true);
  });
  it.each(['', 'client', 'client@', '@example.ru', 'a@b', 'a@b.c', 'a@@b.ru', 'a b@c.ru', 'a@b..ru', 'a@.b.ru', 'a,b@c.ru', 'a@b.ru;'])(
    'refuses %j',
    (s) => {
      expect(isEmailAddress(s)).toBe(false);
    },
  );
});

describe('parseRecipients', () => {
  it('splits on commas, semicolons and line breaks and keeps each address once', () => {
    expect(parseRecipients(' a@x.ru, b@y.ru;\nA@X.RU ,, ')).toEqual({ valid: ['a@x.ru', 'b@y.ru'], invalid: [] });
  });

  it('takes the address out of «Name <address>» and mailto:', () => {
    expect(parseRecipients('Иван Петров <ivan@x.ru>, mailto:olga@x.ru').valid).toEqual(['ivan@x.ru', 'olga@x.ru']);
  });

  it('reports what is not an address, as typed', () => {
    expect(parseRecipients('a@x.ru, ivan at x.ru, b@y')).toEqual({ valid: ['a@x.ru'], invalid: ['ivan at x.ru', 'b@y'] });
  });

  it('treats nothing as no recipients', () => {
    expect(parseRecipients(undefined)).toEqual({ valid: [], invalid: [] });
    expect(parseRecipients(' , ; ')).toEqual({ valid: [], invalid: [] });
  });
});

describe('resolveRecipients', () => {
  const company: RecipientClient = { kind: 'company', title: 'ООО «Арендатор»', emails: ['office@arendator.ru', 'ceo@arendator.ru'] };
  const none = { ccAccountant: false, accountantEmails: [] };

  it("sends to the client's first e-mail by default", () => {
    expect(resolveRecipients({ to: undefined, client: company, ...none })).toEqual({ to: ['office@arendator.ru'], cc: [] });
  });

  it('skips a broken address in the card for a valid one', () => {
    const client = { ...company, emails: ['офис арендатора', 'office@arendator.ru'] };
    expect(resolveRecipients({ to: undefined, client, ...none }).to).toEqual(['office@arendator.ru']);
  });

  it('sends to the addresses typed in «Кому» instead', () => {
    expect(resolveRecipients({ to: 'a@x.ru, b@y.ru', client: company, ...none }).to).toEqual(['a@x.ru', 'b@y.ru']);
  });

  it('explains a wrong address in «Кому»', () => {
    const e = failure(() => resolveRecipients({ to: 'a@x.ru, ivan', client: company, ...none }));
    expect(e.code).toBe('EMAIL_RECIPIENT_INVALID');
    expect(e.message).toContain('«ivan»');
    expect(e.retryable).toBe(false);
  });

  it('tells the manager to fill in the client e-mail when the card has none', () => {
    const e = failure(() => resolveRecipients({ to: undefined, client: { ...company, emails: [] }, ...none }));
    expect(e.code).toBe('CLIENT_EMAIL_MISSING');
    expect(e.message).toMatch(/ООО «Арендатор».*не указан e-mail.*карточку компании/);
    const contact = failure(() => resolveRecipients({ to: '', client: { kind: 'contact', title: 'Смирнов', emails: ['нет'] }, ...none }));
    expect(contact.message).toMatch(/неверный e-mail.*«нет».*карточке контакта/);
  });

  it('asks for a client when the deal has none and no address is given', () => {
    expect(failure(() => resolveRecipients({ to: undefined, client: undefined, ...none })).code).toBe('DEAL_WITHOUT_CLIENT');
  });

  it('adds the accountants as copies, without repeating a recipient', () => {
    const r = resolveRecipients({
      to: 'buh@landlord.ru, client@x.ru',
      client: company,
      ccAccountant: true,
      accountantEmails: ['BUH@landlord.ru', 'chief@landlord.ru'],
    });
    expect(r).toEqual({ to: ['buh@landlord.ru', 'client@x.ru'], cc: ['chief@landlord.ru'] });
  });

  it('refuses the accountant copy when no accountant address is configured', () => {
    const e = failure(() => resolveRecipients({ to: undefined, client: company, ccAccountant: true, accountantEmails: [] }));
    expect(e.code).toBe('ACCOUNTANT_EMAIL_MISSING');
    expect(e.message).toMatch(/настройках/);
  });
});

describe('send_documents properties', () => {
  const robot = findRobot('send_documents')!;

  it('is registered, waits, and offers the documents as a multiple select', () => {
    expect(robot.useSubscription).toBe(true);
    expect(robot.properties.documents).toMatchObject({ type: 'select', multiple: true, default: 'qr_invoice' });
    expect(Object.keys(robot.properties.documents!.options!)).toEqual(['invoice', 'qr_invoice', 'act']);
    expect(Object.keys(robot.returnProperties)).toEqual(['activity_id', 'sent_to']);
  });

  it('defaults to the QR-invoice with the invoice letter, no copy', () => {
    expect(sendSchema.parse({})).toEqual({ documents: ['qr_invoice'], template: 'invoice', cc_accountant: false });
    expect(sendSchema.parse({ documents: '', template: '', to: '' })).toMatchObject({ documents: ['qr_invoice'], template: 'invoice' });
  });

  it('reads a multiple select as Bitrix24 sends it and picks the act letter for an act alone', () => {
    expect(sendSchema.parse({ documents: ['act', 'qr_invoice', 'act'], cc_accountant: 'Y' })).toMatchObject({
      documents: ['act', 'qr_invoice'],
      template: 'invoice',
      cc_accountant: true,
    });
    expect(sendSchema.parse({ documents: { 0: 'act' } })).toMatchObject({ documents: ['act'], template: 'act' });
    expect(sendSchema.parse({ documents: ['act'], template: 'payment_reminder' }).template).toBe('payment_reminder');
  });

  it('explains a bad template name, document or address before anything is sent', () => {
    expect(propertyProblems(robot, { template: '../secrets' })).toMatch(/«Шаблон письма» \(template\): имя шаблона письма/);
    expect(propertyProblems(robot, { template: 'Invoice' })).toMatch(/латинские строчные/);
    expect(propertyProblems(robot, { documents: ['receipt'] })).toMatch(/invoice, qr_invoice, act/);
    expect(propertyProblems(robot, { to: 'a@x.ru, ivan' })).toMatch(/«Кому \(e-mail\)» \(to\): не адрес e-mail: «ivan»/);
    expect(propertyProblems(robot, { to: 'a@x.ru; b@y.ru', template: 'my-letter_2' })).toBeUndefined();
  });
});
