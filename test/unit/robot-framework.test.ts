import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROBOTS } from '../../src/robots/registry.js';
import { robotRegistrationParams } from '../../src/robots/framework/registration.js';
import { parseRobotCall, parseDocumentId } from '../../src/robots/framework/parseCall.js';
import { propertyProblems } from '../../src/robots/framework/validateProperties.js';
import { many, optional, portalDate, userId, yesNo } from '../../src/robots/framework/props.js';
import type { AnyRobot } from '../../src/robots/framework/types.js';

describe('robot registry', () => {
  it('registers every robot with explicit USE_SUBSCRIPTION, bilingual names and status/error_text', () => {
    const codes = new Set<string>();
    for (const robot of ROBOTS) {
      expect(robot.code).toMatch(/^[a-zA-Z0-9._-]+$/);
      expect(codes.has(robot.code)).toBe(false);
      codes.add(robot.code);
      const p = robotRegistrationParams(robot, { publicUrl: 'https://b.example.ru', authUserId: 1 });
      expect(p.HANDLER).toBe(`https://b.example.ru/bitrix/robots/${robot.code}`);
      expect(['Y', 'N']).toContain(p.USE_SUBSCRIPTION);
      expect(p.NAME.ru).toBeTruthy();
      expect(p.NAME.en).toBeTruthy();
      expect(p.RETURN_PROPERTIES).toHaveProperty('status');
      expect(p.RETURN_PROPERTIES).toHaveProperty('error_text');
      for (const key of [...Object.keys(p.PROPERTIES), ...Object.keys(p.RETURN_PROPERTIES)]) {
        expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
    expect(codes.has('ping')).toBe(true);
  });
});

describe('robot call parsing', () => {
  it('splits document ids of deals, smart invoices and smart processes', () => {
    expect(parseDocumentId(['crm', 'CCrmDocumentDeal', 'DEAL_123'])).toMatchObject({ entity: 'DEAL', id: 123 });
    expect(parseDocumentId(['crm', 'x', 'SMART_INVOICE_3'])).toMatchObject({ entity: 'SMART_INVOICE', id: 3 });
    expect(parseDocumentId(['crm', 'x', 'DYNAMIC_147_1'])).toMatchObject({ entity: 'DYNAMIC_147', id: 1 });
    expect(() => parseDocumentId(['crm', 'x'])).toThrow(/document_id/);
  });

  it('reads the documented payload fields', () => {
    const c = parseRobotCall({
      workflow_id: 'wf',
      event_token: 'wf|A1|tok.sig',
      document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_7'],
      document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
      properties: { message: 'hi' },
      use_subscription: 'Y',
      auth: { user_id: '5' },
    });
    expect(c).toMatchObject({ eventToken: 'wf|A1|tok.sig', useSubscription: true, userId: 5, properties: { message: 'hi' } });
    expect(() => parseRobotCall({})).toThrow(/event_token/);
  });
});

describe('property converters', () => {
  const schema = z.object({
    flag: yesNo(false),
    due: optional(portalDate),
    who: optional(userId),
    docs: many(z.enum(['invoice', 'act'])),
  });
  const robot = {
    properties: { due: { name: { ru: 'Срок оплаты', en: 'Due' }, type: 'date' } },
    schema,
  } as unknown as AnyRobot;

  it('treats empty strings as unset and converts portal formats', () => {
    expect(schema.parse({ flag: '', due: '', who: '', docs: '' })).toEqual({ flag: false, docs: [] });
    expect(schema.parse({ flag: 'Y', due: '05.12.2026', who: 'user_12', docs: ['invoice', 'act'] })).toEqual({
      flag: true,
      due: '2026-12-05',
      who: 12,
      docs: ['invoice', 'act'],
    });
    expect(schema.parse({ due: '2026-12-05T00:00:00+03:00', docs: { 0: 'act' } })).toMatchObject({ due: '2026-12-05', docs: ['act'] });
  });

  it('reads single-digit day and month as portals may render them', () => {
    expect(schema.parse({ due: '1.2.2027', docs: '' })).toMatchObject({ due: '2027-02-01' });
  });

  it('explains problems in Russian, also for the generic checks', async () => {
    const { generateInvoice } = await import('../../src/robots/generate_invoice/index.js');
    const problems = propertyProblems(generateInvoice, { document_kind: 'pdf', due_days: '400', period_from: 'завтра', period_to: '' })!;
    expect(problems).toContain('«Документ» (document_kind): допустимые значения: qr_invoice, invoice');
    expect(problems).toContain('(due_days): не больше 365');
    expect(problems).toContain('«завтра» — не дата');
    expect(problems).not.toMatch(/Invalid|expected/);
  });

  it('names the offending property by its Russian label', () => {
    expect(propertyProblems(robot, { due: '31.02.2026' })).toContain('«Срок оплаты» (due)');
    expect(propertyProblems(robot, { flag: 'maybe' })).toContain('flag');
    expect(propertyProblems(robot, { flag: 'N' })).toBeUndefined();
  });
});

describe('deal user fields', () => {
  it('keep FIELD_NAME within 20 characters with the UF_CRM_ prefix (the strictest documented limit)', async () => {
    const { DEAL_USER_FIELDS, ufName } = await import('../../src/crm/dealFields.js');
    for (const f of DEAL_USER_FIELDS) {
      expect(ufName(f.fieldName).length, f.fieldName).toBeLessThanOrEqual(20);
      expect(f.fieldName).toMatch(/^[A-Z0-9_]+$/);
    }
  });
});
