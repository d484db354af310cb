import { describe, expect, it } from 'vitest';
import type { DocumentModel } from '../../src/documents/model.js';
import type { StoredDocument } from '../../src/storage/documents.js';
import { AppError } from '../../src/errors.js';
import { BitrixError } from '../../src/bitrix/errors.js';
import {
  emailActivityParams,
  emailOriginId,
  findEmailActivityParams,
  firstActivityId,
  isEmailSendError,
  SUBJECT_MAX,
  type EmailActivityInput,
} from '../../src/crm/emailActivity.js';
import { letterContext, letterFiles } from '../../src/robots/send_documents/documents.js';
import { mailClientOf } from '../../src/robots/send_documents/sources.js';
import { renderEmail } from '../../src/invoicing/email.js';
import { DEFAULT_EMAIL_TEMPLATE_DIR, loadEmailTemplate } from '../../src/invoicing/emailTemplates.js';

const input: EmailActivityInput = {
  dealId: 42,
  responsibleId: 3,
  client: { kind: 'company', id: 7 },
  recipients: ['office@arendator.ru', 'buh@landlord.ru'],
  subject: 'Счёт на оплату № 15 от 01.12.2026 — ООО «Арендодатель»',
  html: '<p>Добрый день!</p>',
  from: 'ООО «Арендодатель» <billing@landlord.ru>',
  attachments: [{ name: 'Счет №15 от 01.12.2026.pdf', content: new Uint8Array([37, 80, 68, 70]) }],
  originId: 'qrbill:abc',
  at: new Date('2026-12-01T09:00:00Z'),
};

describe('emailActivityParams', () => {
  const { fields } = emailActivityParams(input);

  it('is an outgoing, completed e-mail activity on the deal (all three, or nothing is sent)', () => {
    expect(fields).toMatchObject({
      OWNER_TYPE_ID: 2,
      OWNER_ID: 42,
      TYPE_ID: 4,
      DIRECTION: 2,
      COMPLETED: 'Y',
      RESPONSIBLE_ID: 3,
      DESCRIPTION: '<p>Добрый день!</p>',
      DESCRIPTION_TYPE: 3,
      START_TIME: '2026-12-01T09:00:00.000Z',
      ORIGIN_ID: 'qrbill:abc',
    });
  });

  it('records every recipient as a communication of the client card', () => {
    expect(fields.COMMUNICATIONS).toEqual([
      { VALUE: 'office@arendator.ru', ENTITY_ID: 7, ENTITY_TYPE_ID: 4 },
      { VALUE: 'buh@landlord.ru', ENTITY_ID: 7, ENTITY_TYPE_ID: 4 },
    ]);
    const contact = emailActivityParams({ ...input, client: { kind: 'contact', id: 9 } }).fields;
    expect(contact.COMMUNICATIONS).toContainEqual({ VALUE: 'office@arendator.ru', ENTITY_ID: 9, ENTITY_TYPE_ID: 3 });
  });

  it('attaches files as [name, base64] and sets the sender only when configured', () => {
    expect(fields.FILES).toEqual([{ fileData: ['Счет №15 от 01.12.2026.pdf', 'JVBERg=='] }]);
    expect(fields.SETTINGS).toEqual({ MESSAGE_FROM: 'ООО «Арендодатель» <billing@landlord.ru>', DISABLE_SENDING_MESSAGE_COPY: 'Y' });
    const { from: _from, ...withoutFrom } = input;
    expect(emailActivityParams(withoutFrom).fields.SETTINGS).toEqual({ DISABLE_SENDING_MESSAGE_COPY: 'Y' });
  });

  it('keeps the subject one line and within the column', () => {
    const long = emailActivityParams({ ...input, subject: `Счёт\r\n${'я'.repeat(400)}` }).fields.SUBJECT as string;
    expect(long.startsWith('Счёт я')).toBe(true);
    expect(long.length).toBe(SUBJECT_MAX);
  });

  it('refuses a letter the platform would reject', () => {
    const code = (i: EmailActivityInput) => {
      try {
        emailActivityParams(i);
      } catch (e) {
        return e instanceof AppError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code({ ...input, subject: ' \n ' })).toBe('EMAIL_SUBJECT_EMPTY');
    expect(code({ ...input, recipients: [] })).toBe('EMAIL_NO_RECIPIENTS');
    expect(code({ ...input, responsibleId: 0 })).toBe('EMAIL_NO_RESPONSIBLE');
  });
});

describe('finding the letter of a robot call again', () => {
  it('derives one stable marker per event token', () => {
    const a = emailOriginId('wf|A1|tok.sig');
    expect(a).toMatch(/^qrbill:[0-9a-f]{40}$/);
    expect(emailOriginId('wf|A1|tok.sig')).toBe(a);
    expect(emailOriginId('wf|A2|tok.sig')).not.toBe(a);
  });

  it('looks on the deal by the marker and reads the first id', () => {
    expect(findEmailActivityParams(42, 'qrbill:abc').filter).toEqual({ OWNER_TYPE_ID: 2, OWNER_ID: 42, ORIGIN_ID: 'qrbill:abc' });
    expect(firstActivityId([{ ID: '15' }, { ID: '16' }])).toBe(15);
    expect(firstActivityId([])).toBeUndefined();
    expect(firstActivityId(undefined)).toBeUndefined();
  });

  it('recognises the platform errors that mean «stored, not sent»', () => {
    expect(isEmailSendError(new BitrixError('', 'x', { description: 'Email send error. "From" is not found.' }))).toBe(true);
    expect(isEmailSendError(new BitrixError('', 'x', { description: 'Access denied.' }))).toBe(false);
    expect(isEmailSendError(new AppError('X', 'Email send error.'))).toBe(false);
  });
});

const seller = {
  name: 'ООО «Арендодатель»',
  inn: '7725088527',
  kpp: '772501001',
  phone: '+7 495 123-45-67',
  bank: { name: 'ПАО СБЕРБАНК', bic: '044525225', corrAccount: '30101810400000000225', account: '40702810138250123017' },
};

function model(kind: DocumentModel['kind'], extra: Partial<DocumentModel> = {}): DocumentModel {
  return {
    kind,
    number: kind === 'act' ? 'А-3' : '15',
    date: '2026-12-01',
    period: { from: '2026-12-01', to: '2026-12-31' },
    seller,
    buyer: { name: 'ООО «Арендатор»', inn: '7715034360', kpp: '771501001' },
    lines: [{ name: 'Аренда', quantity: 1, unit: 'мес.', price: '25000.00' }],
    vat: { mode: 'none' },
    ...(kind === 'qr_invoice' ? { qr: { mode: 'gost' as const } } : {}),
    ...extra,
  };
}

function row(id: number, m: DocumentModel, over: Partial<StoredDocument> = {}): StoredDocument {
  // The kind decides which states are possible; the fixtures only use states both kinds have.
  return ({
    id,
    member_id: 'm1',
    kind: m.kind === 'act' ? 'act' : 'invoice',
    doc_kind: m.kind,
    seller_key: '7725088527/772501001',
    year: 2026,
    seq: id,
    number: m.number,
    doc_date: m.date,
    due_date: m.kind === 'act' ? null : '2026-12-05',
    period_from: m.period?.from ?? null,
    period_to: m.period?.to ?? null,
    deal_id: 42,
    invoice_id: null,
    amount_kopecks: 2_500_000,
    vat_kopecks: 0,
    snapshot: m,
    state: 'issued',
    link_version: 1,
    idempotency_key: `k${id}`,
    created_by: 'tok',
    created_at: '2026-12-01T09:00:00.000Z',
    updated_at: '2026-12-01T09:00:00.000Z',
    ...over,
  }) as StoredDocument;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'none';
}

describe('letterFiles: what the letter attaches', () => {
  const inv = row(1, model('qr_invoice'));
  const act = row(2, model('act'));

  it('attaches what was asked, in that order, each once', () => {
    const l = letterFiles(['act', 'qr_invoice', 'invoice'], { invoice: inv, act });
    expect(l.files).toEqual(['act', 'qr_invoice', 'invoice']);
    expect(l.invoice?.row.id).toBe(1);
    expect(l.act?.model.number).toBe('А-3');
  });

  it('sends the invoice itself when a QR-invoice is asked of an invoice issued without QR', () => {
    const plain = row(1, model('invoice'));
    expect(letterFiles(['qr_invoice'], { invoice: plain, act: undefined }).files).toEqual(['invoice']);
    const noQr = row(1, model('qr_invoice', { qr: { mode: 'none' } }));
    expect(letterFiles(['qr_invoice', 'invoice'], { invoice: noQr, act: undefined }).files).toEqual(['invoice']);
  });

  it('tells the manager which robot to run first when a document is missing', () => {
    expect(code(() => letterFiles(['qr_invoice'], { invoice: undefined, act }))).toBe('INVOICE_NOT_ISSUED');
    expect(code(() => letterFiles(['act'], { invoice: inv, act: undefined }))).toBe('ACT_NOT_ISSUED');
    expect(code(() => letterFiles(['invoice'], { invoice: row(1, model('invoice'), { state: 'cancelled' }), act }))).toBe('INVOICE_CANCELLED');
    expect(() => letterFiles(['act'], { invoice: inv, act: undefined })).toThrow(/сначала запустите робот «QR-биллинг: выставить акт» \(generate_act\)/);
  });
});

describe('the letter the client reads', () => {
  const inv = row(1, model('qr_invoice'));
  const act = row(2, model('act'));
  const links = { qr_invoice: 'https://b.example.ru/d/qr', act: 'https://b.example.ru/d/act' };

  it('fills the invoice template from the stored invoice, seller from the snapshot, manager from the portal', async () => {
    const files = letterFiles(['qr_invoice'], { invoice: inv, act: undefined });
    const ctx = letterContext({ deal: { id: 42, title: 'Аренда, декабрь' }, clientName: 'Арендатор', managerName: 'Пётр Петров', ...files, links });
    expect(ctx.invoice).toEqual({
      number: '15',
      date: '2026-12-01',
      amount: '25\u00A0000,00',
      dueDate: '2026-12-05',
      qrUrl: 'https://b.example.ru/d/qr',
      period: 'декабрь 2026 г.',
    });
    expect(ctx.act).toBeUndefined();
    const mail = renderEmail(await loadEmailTemplate(DEFAULT_EMAIL_TEMPLATE_DIR, 'invoice'), ctx);
    expect(mail.subject).toBe('Счёт на оплату № 15 от 01.12.2026 — ООО «Арендодатель»');
    expect(mail.text).toContain('Сумма к оплате: 25\u00A0000,00 руб.');
    expect(mail.text).toContain('Счёт с QR-кодом для оплаты (PDF): https://b.example.ru/d/qr');
    expect(mail.text).toContain('Пётр Петров');
    expect(mail.text).toContain('Тел.: +7 495 123-45-67');
  });

  it('fills the act template and greets by the buyer name when the CRM card has none', async () => {
    const files = letterFiles(['act'], { invoice: undefined, act });
    const ctx = letterContext({ deal: { id: 42, title: '' }, clientName: ' ', managerName: '', ...files, links });
    expect(ctx.client.name).toBe('ООО «Арендатор»');
    const mail = renderEmail(await loadEmailTemplate(DEFAULT_EMAIL_TEMPLATE_DIR, 'act'), ctx);
    expect(mail.subject).toBe('Акт № А-3 от 01.12.2026 на подпись — ООО «Арендодатель»');
    expect(mail.text).toContain('(период: декабрь 2026 г.)');
    expect(mail.text).toContain('Акт № А-3 (PDF): https://b.example.ru/d/act');
  });
});

describe('mailClientOf', () => {
  const email = (v: string, t = 'WORK') => ({ VALUE: v, VALUE_TYPE: t });

  it('uses the company and its work e-mail first', () => {
    const c = mailClientOf({ ID: '7', TITLE: 'ООО «Арендатор»', EMAIL: [email('home@x.ru', 'HOME'), email('office@x.ru')] }, undefined);
    expect(c).toEqual({
      kind: 'company',
      id: 7,
      title: 'ООО «Арендатор»',
      emails: ['office@x.ru', 'home@x.ru'],
      emailOwner: { kind: 'company', id: 7 },
    });
  });

  it("writes to the company's contact person when the company has no e-mail", () => {
    const c = mailClientOf({ ID: '7', TITLE: 'ООО «Арендатор»' }, { ID: '9', NAME: 'Сергей', LAST_NAME: 'Сидоров', EMAIL: [email('s@x.ru')] });
    expect(c).toMatchObject({ kind: 'company', id: 7, emails: ['s@x.ru'], emailOwner: { kind: 'contact', id: 9 } });
  });

  it('uses a contact alone by full name, and nothing without a client', () => {
    const c = mailClientOf(undefined, { ID: '9', NAME: 'Сергей', LAST_NAME: 'Сидоров', SECOND_NAME: 'Петрович', EMAIL: [] });
    expect(c).toMatchObject({ kind: 'contact', title: 'Сидоров Сергей Петрович', emails: [], emailOwner: { kind: 'contact', id: 9 } });
    expect(mailClientOf(undefined, undefined)).toBeUndefined();
  });
});
