import qs from 'qs';
import { describe, expect, it } from 'vitest';
import {
  encodeBatchCommands,
  isIdempotentBatch,
  parseBatchResult,
  type BatchCommands,
} from '../../src/bitrix/batch.js';
import { BitrixError } from '../../src/bitrix/errors.js';
import { isIdempotentMethod } from '../../src/bitrix/idempotency.js';
import { backoffDelay } from '../../src/bitrix/retry.js';

/** What PHP's parse_url + parse_str would make of one command (qs parses the same bracket syntax). */
function asPortalSees(cmd: string): { method: string; params: Record<string, unknown> } {
  const q = cmd.indexOf('?');
  return q < 0
    ? { method: cmd, params: {} }
    : { method: cmd.slice(0, q), params: qs.parse(cmd.slice(q + 1), { depth: 20, arrayLimit: 1000 }) };
}

describe('encodeBatchCommands', () => {
  it('writes nested params as PHP bracket keys and keeps $result references intact', () => {
    const cmd = encodeBatchCommands({
      company: { method: 'crm.company.add', params: { fields: { TITLE: 'ООО «Ромашка» & Co', PHONE: [{ VALUE: '+7 999', VALUE_TYPE: 'WORK' }] } } },
      deal: {
        method: 'crm.deal.add',
        params: { fields: { TITLE: 'Аренда #12', COMPANY_ID: '$result[company]', OPPORTUNITY: 1500.5 } },
      },
      rows: {
        method: 'crm.deal.productrows.set',
        params: { id: '$result[deal]', rows: [{ PRODUCT_NAME: 'Аренда', PRICE: 1500.5, QUANTITY: 1 }] },
      },
      ref: { method: 'crm.contact.list', params: { filter: { ID: '$result[list][0][ID]' }, select: ['ID', 'NAME'] } },
      plain: { method: 'user.current' },
    });
    expect(cmd.plain).toBe('user.current');
    expect(cmd.deal).toMatch(/^crm\.deal\.add\?fields\[TITLE\]=/);
    // '#' and '&' inside values must not cut the command short.
    expect(cmd.deal).not.toMatch(/#|&Co/);

    expect(asPortalSees(cmd.company!)).toEqual({
      method: 'crm.company.add',
      params: { fields: { TITLE: 'ООО «Ромашка» & Co', PHONE: [{ VALUE: '+7 999', VALUE_TYPE: 'WORK' }] } },
    });
    expect(asPortalSees(cmd.deal!).params).toEqual({
      fields: { TITLE: 'Аренда #12', COMPANY_ID: '$result[company]', OPPORTUNITY: '1500.5' },
    });
    expect(asPortalSees(cmd.rows!).params).toEqual({
      id: '$result[deal]',
      rows: [{ PRODUCT_NAME: 'Аренда', PRICE: '1500.5', QUANTITY: '1' }],
    });
    expect(asPortalSees(cmd.ref!).params).toEqual({ filter: { ID: '$result[list][0][ID]' }, select: ['ID', 'NAME'] });
  });

  it('refuses more than 50 commands before anything is sent', () => {
    const cmds: BatchCommands = {};
    for (let i = 0; i < 51; i++) cmds[`c${i}`] = { method: 'crm.deal.get', params: { id: i } };
    expect(() => encodeBatchCommands(cmds)).toThrow(BitrixError);
    try {
      encodeBatchCommands(cmds);
    } catch (err) {
      expect((err as BitrixError).code).toBe('BATCH_TOO_LARGE');
    }
    delete cmds.c50;
    expect(Object.keys(encodeBatchCommands(cmds))).toHaveLength(50);
  });
});

describe('parseBatchResult', () => {
  it('separates results from per-command errors', () => {
    const r = parseBatchResult({
      result: { a: { ID: '1' }, list: [{ ID: '5' }] },
      result_error: { b: { error: 'NOT_FOUND', error_description: 'Not found' } },
      result_total: { list: 120 },
      result_next: { list: 50 },
      result_time: {},
    });
    expect(r.result).toEqual({ a: { ID: '1' }, list: [{ ID: '5' }] });
    expect(r.errors).toEqual({ b: { error: 'NOT_FOUND', error_description: 'Not found' } });
    expect(r.total).toEqual({ list: 120 });
    expect(r.next).toEqual({ list: 50 });
  });

  it('reads PHP empty arrays as empty maps', () => {
    expect(parseBatchResult({ result: [], result_error: [], result_total: [], result_next: [] })).toEqual({
      result: {},
      errors: {},
      total: {},
      next: {},
    });
  });
});

describe('idempotency', () => {
  it.each([
    ['crm.deal.get', true],
    ['crm.deal.list', true],
    ['crm.deal.fields', true],
    ['crm.deal.userfield.list', true],
    ['user.current', true],
    ['bizproc.robot.list', true],
    ['bizproc.event.send', true],
    ['CRM.DEAL.GET', true],
    ['crm.deal.add', false],
    ['crm.deal.update', false],
    ['crm.deal.productrows.set', false],
    ['crm.deal.delete', false],
    ['bizproc.robot.add', false],
    ['im.notify.system.add', false],
    ['disk.folder.uploadfile', false],
    ['crm.timeline.comment.add', false],
  ])('%s → %s', (method, expected) => {
    expect(isIdempotentMethod(method)).toBe(expected);
  });

  it('treats a batch with any create as not repeatable', () => {
    expect(isIdempotentBatch({ a: { method: 'crm.deal.get' }, b: { method: 'crm.deal.list' } })).toBe(true);
    expect(isIdempotentBatch({ a: { method: 'crm.deal.get' }, b: { method: 'crm.deal.add' } })).toBe(false);
  });
});

describe('backoffDelay', () => {
  const policy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 5000 };
  it('grows exponentially, stays within jitter bounds and is capped', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(2, policy, () => 1)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3000);
    expect(backoffDelay(10, policy, () => 1)).toBe(5000);
  });
});
