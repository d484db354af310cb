import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_EMAIL_TEMPLATE_DIR, loadEmailTemplateFrom } from '../../src/invoicing/emailTemplates.js';
import { renderEmail } from '../../src/invoicing/email.js';

const ctx = { deal: { id: 1, title: 'Аренда' }, client: { name: 'ООО «Арендатор»' }, seller: { name: 'ООО «Арендодатель»' }, manager: { name: 'Пётр' } };

describe("a company's own e-mail templates", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qrbill-email-'));
    writeFileSync(path.join(dir, 'invoice.subject.hbs'), 'Наш счёт для {{client.name}}');
    writeFileSync(path.join(dir, 'invoice.body.hbs'), '<p>Свой текст</p>');
    writeFileSync(path.join(dir, 'rent_notice.subject.hbs'), 'Уведомление');
    writeFileSync(path.join(dir, 'rent_notice.body.hbs'), '<p>Новая ставка</p>');
    writeFileSync(path.join(dir, 'broken.subject.hbs'), '{{#if}}');
    writeFileSync(path.join(dir, 'broken.body.hbs'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = () => [dir, DEFAULT_EMAIL_TEMPLATE_DIR];

  it('override a built-in pair of the same name and add new ones; the rest stay built in', async () => {
    expect(renderEmail(await loadEmailTemplateFrom(dirs(), 'invoice'), ctx).subject).toBe('Наш счёт для ООО «Арендатор»');
    expect(renderEmail(await loadEmailTemplateFrom(dirs(), 'rent_notice'), ctx).html).toContain('Новая ставка');
    expect(renderEmail(await loadEmailTemplateFrom(dirs(), 'act'), ctx).subject).not.toBe('');
  });

  it('report a missing or broken template instead of falling back silently', async () => {
    await expect(loadEmailTemplateFrom(dirs(), 'nothing_here')).rejects.toMatchObject({ code: 'EMAIL_TEMPLATE_NOT_FOUND' });
    await expect(loadEmailTemplateFrom(dirs(), 'broken')).rejects.toMatchObject({ code: 'EMAIL_TEMPLATE_INVALID' });
    await expect(loadEmailTemplateFrom(dirs(), '../etc/passwd')).rejects.toMatchObject({ code: 'EMAIL_TEMPLATE_NOT_FOUND' });
  });
});
