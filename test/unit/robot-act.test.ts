import { describe, expect, it } from 'vitest';
import type { DocumentModel } from '../../src/documents/model.js';
import { AppError } from '../../src/errors.js';
import { parseDocumentModel } from '../../src/documents/schema.js';
import { billedInvoiceFor, chooseActPeriod, previousMonth, type InvoiceRef } from '../../src/robots/generate_act/period.js';
import { actModelFromInvoice } from '../../src/robots/generate_act/model.js';
import { isActStateAdvance } from '../../src/robots/generate_act/state.js';
import { actIdempotencyKey } from '../../src/robots/generate_act/index.js';
import { actSchema } from '../../src/robots/generate_act/definition.js';
import { propertyProblems } from '../../src/robots/framework/validateProperties.js';
import { findRobot } from '../../src/robots/registry.js';

const MSK = 'Europe/Moscow';
const VVO = 'Asia/Vladivostok';

describe('previousMonth: the elapsed calendar month in the portal time zone', () => {
  it.each([
    { now: '2026-12-15T09:00:00Z', tz: MSK, from: '2026-11-01', to: '2026-11-30', why: 'mid-December' },
    { now: '2026-11-30T21:00:00Z', tz: MSK, from: '2026-11-01', to: '2026-11-30', why: 'already 1 Dec in Moscow' },
    { now: '2026-11-30T21:00:00Z', tz: 'UTC', from: '2026-10-01', to: '2026-10-31', why: 'still 30 Nov in UTC' },
    { now: '2026-12-31T14:00:00Z', tz: VVO, from: '2026-12-01', to: '2026-12-31', why: 'new year in Vladivostok' },
    { now: '2027-01-10T09:00:00Z', tz: MSK, from: '2026-12-01', to: '2026-12-31', why: 'January → December of last year' },
    { now: '2028-03-01T09:00:00Z', tz: MSK, from: '2028-02-01', to: '2028-02-29', why: 'leap February' },
    { now: '2027-03-01T09:00:00Z', tz: MSK, from: '2027-02-01', to: '2027-02-28', why: 'common February' },
  ])('$now in $tz → $from..$to ($why)', ({ now, tz, from, to }) => {
    expect(previousMonth(new Date(now), tz)).toEqual({ from, to });
  });

  it('refuses an unknown time zone with a readable error', () => {
    expect(() => previousMonth(new Date('2026-12-15T09:00:00Z'), 'Mars/Olympus')).toThrow(AppError);
  });
});

const invoice = (id: number, from: string | null, to: string | null, state = 'issued'): InvoiceRef => ({
  id,
  state,
  period_from: from,
  period_to: to,
});

describe('chooseActPeriod', () => {
  const base = {
    explicit: undefined,
    requestedInvoice: undefined,
    lastInvoice: undefined,
    dealPeriod: undefined,
    now: new Date('2026-12-15T09:00:00Z'),
    timeZone: MSK,
  };
  const nov = { from: '2026-11-01', to: '2026-11-30' };
  const oct = { from: '2026-10-01', to: '2026-10-31' };
  const q3 = { from: '2026-07-01', to: '2026-09-30' };

  it('takes the robot dates over everything else', () => {
    const r = chooseActPeriod({ ...base, explicit: q3, requestedInvoice: invoice(1, oct.from, oct.to), dealPeriod: nov });
    expect(r).toEqual({ period: q3, source: 'explicit' });
  });

  it('takes the named invoice period, then the last invoice period', () => {
    expect(chooseActPeriod({ ...base, requestedInvoice: invoice(1, oct.from, oct.to), lastInvoice: invoice(2, nov.from, nov.to) }))
      .toEqual({ period: oct, source: 'invoice' });
    expect(chooseActPeriod({ ...base, lastInvoice: invoice(2, q3.from, q3.to), dealPeriod: nov })).toEqual({ period: q3, source: 'invoice' });
  });

  it('falls back to the deal period, then the previous month', () => {
    expect(chooseActPeriod({ ...base, dealPeriod: q3 })).toEqual({ period: q3, source: 'deal' });
    expect(chooseActPeriod(base)).toEqual({ period: nov, source: 'previous_month' });
  });

  it('ignores a cancelled last invoice and one without a period', () => {
    expect(chooseActPeriod({ ...base, lastInvoice: invoice(2, q3.from, q3.to, 'cancelled'), dealPeriod: oct }).period).toEqual(oct);
    expect(chooseActPeriod({ ...base, lastInvoice: invoice(2, null, null) }).period).toEqual(nov);
  });
});

describe('billedInvoiceFor: whose lines the act repeats', () => {
  const nov = { from: '2026-11-01', to: '2026-11-30' };
  it('uses the invoice named by the robot whatever its period', () => {
    const named = invoice(1, '2026-10-01', '2026-10-31');
    expect(billedInvoiceFor({ requestedInvoice: named, lastInvoice: invoice(2, nov.from, nov.to), period: nov })).toBe(named);
  });

  it('uses the last invoice only when it is for the act period and not cancelled', () => {
    const last = invoice(2, nov.from, nov.to);
    expect(billedInvoiceFor({ requestedInvoice: undefined, lastInvoice: last, period: nov })).toBe(last);
    expect(billedInvoiceFor({ requestedInvoice: undefined, lastInvoice: last, period: { from: '2026-11-01', to: '2026-11-15' } })).toBeUndefined();
    expect(billedInvoiceFor({ requestedInvoice: undefined, lastInvoice: invoice(2, nov.from, nov.to, 'cancelled'), period: nov })).toBeUndefined();
    expect(billedInvoiceFor({ requestedInvoice: undefined, lastInvoice: undefined, period: nov })).toBeUndefined();
  });
});

const qrInvoice: DocumentModel = {
  kind: 'qr_invoice',
  number: 'АР-15',
  date: '2026-11-01',
  dueDate: '2026-11-05',
  period: { from: '2026-11-01', to: '2026-11-30' },
  seller: {
    name: 'ООО «Арендодатель»',
    inn: '7725088527',
    kpp: '772501001',
    ogrn: '1027739552642',
    director: 'Иванов И.И.',
    bank: { name: 'ПАО СБЕРБАНК г. Москва', bic: '044525225', corrAccount: '30101810400000000225', account: '40702810138250123017' },
  },
  buyer: { name: 'ООО «Арендатор»', inn: '7715034360', kpp: '771501001', director: 'Сидоров С.С.' },
  basis: 'Договор аренды № 7 от 01.02.2025',
  lines: [{ name: 'Арендная плата за ноябрь 2026 г.', quantity: 1, unit: 'мес.', price: '25000.00' }],
  vat: { mode: 'included', rate: 22 },
  qr: { mode: 'gost' },
  contract: '7',
};

describe('actModelFromInvoice', () => {
  const act = actModelFromInvoice(qrInvoice, { date: '2026-12-01', period: { from: '2026-11-01', to: '2026-11-30' } });

  it('states what was billed: same parties, basis, lines and VAT', () => {
    expect(act).toMatchObject({
      kind: 'act',
      date: '2026-12-01',
      period: { from: '2026-11-01', to: '2026-11-30' },
      seller: qrInvoice.seller,
      buyer: qrInvoice.buyer,
      basis: qrInvoice.basis,
      lines: qrInvoice.lines,
      vat: qrInvoice.vat,
    });
  });

  it('drops what only an invoice carries, so the act passes the document checks', () => {
    expect(act).not.toHaveProperty('dueDate');
    expect(act).not.toHaveProperty('qr');
    expect(act).not.toHaveProperty('contract');
    expect(() => parseDocumentModel({ ...act, number: '1' })).not.toThrow();
  });
});

describe('act states', () => {
  it('only move forward: a late «sent» does not undo «signed original received»', () => {
    expect(isActStateAdvance('issued', 'sent')).toBe(true);
    expect(isActStateAdvance('sent', 'signed_original_received')).toBe(true);
    expect(isActStateAdvance('issued', 'signed_original_received')).toBe(true);
    expect(isActStateAdvance('signed_original_received', 'sent')).toBe(false);
    expect(isActStateAdvance('sent', 'sent')).toBe(false);
  });
});

describe('generate_act properties', () => {
  const robot = findRobot('generate_act')!;

  it('is registered and waits for its answer', () => {
    expect(robot.useSubscription).toBe(true);
    expect(Object.keys(robot.returnProperties)).toEqual(['act_id', 'act_number', 'act_date', 'act_url', 'act_state']);
  });

  it('offers «Выставить досрочно» (allow_early), off by default, described in Russian', () => {
    expect(robot.properties.allow_early).toMatchObject({
      name: { ru: 'Выставить досрочно' },
      type: 'select',
      options: { Y: 'Да', N: 'Нет' },
      default: 'N',
    });
    expect(robot.properties.allow_early?.description?.ru).toContain('не раньше последнего дня периода');
  });

  it('reads portal values: both dates or none, Y/N, invoice id', () => {
    expect(actSchema.parse({ period_from: '01.11.2026', period_to: '30.11.2026', invoice_id: '12', signed_original_received: 'Y', allow_early: 'Y' }))
      .toEqual({ period_from: '2026-11-01', period_to: '2026-11-30', invoice_id: 12, signed_original_received: true, allow_early: true });
    expect(actSchema.parse({ period_from: '', period_to: '', invoice_id: '' })).toEqual({ signed_original_received: false, allow_early: false });
    expect(propertyProblems(robot, { period_from: '2026-11-01' })).toMatch(/обе даты/);
    expect(propertyProblems(robot, { period_from: '2026-11-30', period_to: '2026-11-01' })).toMatch(/раньше/);
  });

  it('keys the act by portal, deal and period, so a rerun returns the same act', () => {
    expect(actIdempotencyKey('m1', 7, { from: '2026-11-01', to: '2026-11-30' })).toBe('act:m1:7:2026-11-01:2026-11-30');
  });
});
