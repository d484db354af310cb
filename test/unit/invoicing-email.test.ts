import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { compileEmailTemplate, htmlToText, renderEmail, type EmailContext } from '../../src/invoicing/email.js';
import { BUILTIN_EMAIL_TEMPLATES, DEFAULT_EMAIL_TEMPLATE_DIR, loadEmailTemplate } from '../../src/invoicing/emailTemplates.js';

const NBSP = '\u00A0';

const ctx: EmailContext = {
  deal: { id: 1842, title: 'Аренда офиса 12, декабрь 2026' },
  client: { name: 'ООО «Ромашка»' },
  seller: { name: 'ООО «Арендодатель»', phone: '+7 495 123-45-67' },
  invoice: {
    number: 'СЧ-2612-0042',
    date: '2026-11-25',
    amount: `25${NBSP}000,00`,
    dueDate: '2026-12-05',
    url: 'https://billing.example.ru/d/inv-42.pdf?t=a&s=b',
    qrUrl: 'https://billing.example.ru/d/qr-42.pdf',
    period: 'декабрь 2026 г.',
  },
  act: { number: 'А-0042', date: '2026-12-31', url: 'https://billing.example.ru/d/act-42.pdf', period: 'декабрь 2026 г.' },
  manager: { name: 'Анна Петрова' },
};

async function render(name: string, c: EmailContext = ctx) {
  return renderEmail(await loadEmailTemplate(DEFAULT_EMAIL_TEMPLATE_DIR, name), c);
}

describe('built-in e-mail templates', () => {
  it('invoice: number and date in the subject; amount, due date, period and both links in the body', async () => {
    const mail = await render('invoice');
    expect(mail.subject).toBe('Счёт на оплату № СЧ-2612-0042 от 25.11.2026 — ООО «Арендодатель»');
    expect(mail.text).toContain(`Сумма к оплате: 25${NBSP}000,00 руб.`);
    expect(mail.text).toContain('Оплатить не позднее: 05.12.2026');
    expect(mail.text).toContain('Период: декабрь 2026 г.');
    expect(mail.html).toContain('href="https://billing.example.ru/d/inv-42.pdf?t&#x3D;a&amp;s&#x3D;b"');
    expect(mail.text).toContain('Счёт на оплату (PDF): https://billing.example.ru/d/inv-42.pdf?t=a&s=b');
    expect(mail.text).toContain('Счёт с QR-кодом для оплаты (PDF): https://billing.example.ru/d/qr-42.pdf');
    expect(mail.text).toMatch(/С уважением,\nАнна Петрова\nООО «Арендодатель»\nТел\.: \+7 495 123-45-67$/);
  });

  it('act: asks to sign and return the original, links the act', async () => {
    const mail = await render('act');
    expect(mail.subject).toBe('Акт № А-0042 от 31.12.2026 на подпись — ООО «Арендодатель»');
    expect(mail.text).toContain('акт об оказании услуг № А-0042 от 31.12.2026 (период: декабрь 2026 г.)');
    expect(mail.text).toMatch(/подписать его.*вернуть нам один подписанный оригинал/);
    expect(mail.text).toContain('Акт № А-0042 (PDF): https://billing.example.ru/d/act-42.pdf');
  });

  it('payment reminder: amount and due date, polite about payments already on their way', async () => {
    const mail = await render('payment_reminder');
    expect(mail.subject).toBe('Напоминание об оплате счёта № СЧ-2612-0042 от 25.11.2026');
    expect(mail.text).toContain(`Сумма к оплате: 25${NBSP}000,00 руб.`);
    expect(mail.text).toContain('Срок оплаты: до 05.12.2026');
    expect(mail.text).toContain('Если вы уже оплатили счёт, пожалуйста, не обращайте внимания на это письмо');
  });

  it.each(BUILTIN_EMAIL_TEMPLATES)('%s escapes «<script>» from CRM data in the HTML body', async (name) => {
    const evil = '<script>alert("x")</script>';
    const mail = await render(name, {
      ...ctx,
      client: { name: `ООО ${evil}` },
      seller: { name: `Арендодатель ${evil}` },
      manager: { name: evil },
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // The plain-text part shows the name as written, as text.
    expect(mail.text).toContain(evil);
  });

  it.each(BUILTIN_EMAIL_TEMPLATES)('%s renders with only the required fields, leaving no placeholders', async (name) => {
    const minimal: EmailContext = {
      deal: { id: 1, title: 'Сделка' },
      client: { name: 'Иван Иванов' },
      seller: { name: 'ИП Сидоров П.А.' },
      manager: { name: '' },
      invoice: { number: '17', date: '2026-11-25', amount: '100,00' },
      act: { number: '17', date: '2026-11-30' },
    };
    const mail = await render(name, minimal);
    expect(mail.subject).toContain('17');
    expect(mail.html).not.toMatch(/\{\{|\}\}|undefined|null/);
    expect(mail.html).not.toContain('href');
    expect(mail.text).not.toContain('Тел.');
    expect(mail.text).toMatch(/С уважением,\nИП Сидоров П\.А\.$/);
  });
});

describe('what a letter needs', () => {
  it('the built-in templates need the document they print; values inside {{#if}} are optional', async () => {
    const requires = async (name: string) => (await loadEmailTemplate(DEFAULT_EMAIL_TEMPLATE_DIR, name)).requires;
    expect(await requires('invoice')).toEqual(['invoice']);
    expect(await requires('payment_reminder')).toEqual(['invoice']);
    expect(await requires('act')).toEqual(['act']);
    expect(compileEmailTemplate('Документы по сделке {{deal.title}}', '{{#if act}}Акт № {{act.number}}{{/if}}').requires).toEqual([]);
  });

  it('the invoice letter mentions the QR only when the QR-invoice is linked, and links an act sent with it', async () => {
    const { qrUrl: _qr, ...plain } = ctx.invoice!;
    const withoutQr = await render('invoice', { ...ctx, invoice: plain, act: undefined });
    expect(withoutQr.text).not.toContain('QR');
    expect(withoutQr.text).toContain('Оплатить счёт можно по реквизитам, указанным в нём. В назначении платежа');
    expect(withoutQr.text).not.toContain('Акт');
    const withQr = await render('invoice', { ...ctx, act: undefined });
    expect(withQr.text).toContain('указанным в нём, или отсканировав QR-код в мобильном приложении вашего банка.');
    const withAct = await render('invoice');
    expect(withAct.text).toContain('Акт № А-0042 от 31.12.2026 (PDF): https://billing.example.ru/d/act-42.pdf');
    expect(withAct.text).toContain('Акт просим подписать и вернуть нам один подписанный оригинал.');
    for (const mail of [withoutQr, withQr, withAct]) expect(mail.html).not.toMatch(/undefined|\[object/);
  });
});

describe('renderEmail', () => {
  it('keeps the subject plain text on one line and prints missing values as nothing', () => {
    const tpl = compileEmailTemplate('Счёт {{invoice.number}} для {{client.name}}{{missing.value}}', '<p>{{client.name}}</p>');
    const mail = renderEmail(tpl, { ...ctx, client: { name: 'A & B\r\nBcc: x@example.com' } });
    expect(mail.subject).toBe('Счёт СЧ-2612-0042 для A & B Bcc: x@example.com');
    expect(mail.html).toBe('<p>A &amp; B\r\nBcc: x@example.com</p>');
  });

  it('prints ISO dates as dd.mm.yyyy and leaves ready-made text alone', () => {
    const tpl = compileEmailTemplate('{{invoice.date}}|{{invoice.dueDate}}|{{act.date}}', '');
    const mail = renderEmail(tpl, {
      ...ctx,
      invoice: { number: '1', date: '2026-11-25', amount: '1,00', dueDate: '5 декабря 2026 г.' },
      act: { number: '1', date: '31.12.2026' },
    });
    expect(mail.subject).toBe('25.11.2026|5 декабря 2026 г.|31.12.2026');
  });
});

describe('htmlToText', () => {
  it('breaks lines at block tags, keeps link targets, decodes entities, keeps no-break spaces', () => {
    const html =
      '<p>Добрый\n   день!</p><table><tr><td>Сумма:</td><td>25&nbsp;000,00</td></tr><tr><td>Срок:</td><td>05.12.2026</td></tr></table>' +
      '<ul><li><a href="https://x.ru/?a=1&amp;b=2">Счёт</a></li><li><a href="https://x.ru/q">https://x.ru/q</a></li></ul>' +
      '<p>С уважением,<br>\nАнна</p>';
    expect(htmlToText(html)).toBe(
      `Добрый день!\n\nСумма: 25${NBSP}000,00\nСрок: 05.12.2026\n\n• Счёт: https://x.ru/?a=1&b=2\n• https://x.ru/q\n\nС уважением,\nАнна`,
    );
  });
});

describe('loadEmailTemplate', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'email-tpl-'));
    await writeFile(join(dir, 'custom.subject.hbs'), 'Счёт {{invoice.number}}');
    await writeFile(join(dir, 'custom.body.hbs'), '<p>{{client.name}}</p>');
    await writeFile(join(dir, 'halfway.subject.hbs'), 'Только тема');
    await writeFile(join(dir, 'broken.subject.hbs'), 'Счёт');
    await writeFile(join(dir, 'broken.body.hbs'), '<p>{{#if client.name}}без закрытия</p>');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function codeOf(name: string): Promise<string> {
    try {
      await loadEmailTemplate(dir, name);
    } catch (e) {
      if (e instanceof AppError) return e.code;
      throw e;
    }
    return 'loaded';
  }

  it('loads a company template from another directory', async () => {
    const mail = renderEmail(await loadEmailTemplate(dir, 'custom'), ctx);
    expect(mail).toEqual({ subject: 'Счёт СЧ-2612-0042', html: '<p>ООО «Ромашка»</p>', text: 'ООО «Ромашка»' });
  });

  it.each([
    { name: 'missing', code: 'EMAIL_TEMPLATE_NOT_FOUND' },
    { name: 'halfway', code: 'EMAIL_TEMPLATE_NOT_FOUND' },
    { name: '../invoice', code: 'EMAIL_TEMPLATE_NOT_FOUND' },
    { name: 'Invoice', code: 'EMAIL_TEMPLATE_NOT_FOUND' },
    { name: '', code: 'EMAIL_TEMPLATE_NOT_FOUND' },
    { name: 'broken', code: 'EMAIL_TEMPLATE_INVALID' },
  ])('«$name» → $code', async ({ name, code }) => {
    expect(await codeOf(name)).toBe(code);
  });
});
