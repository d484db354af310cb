/**
 * A portal with some billing history for the dashboard's tests: invoices issued by the robot on the sandbox
 * clock, payments as 1C pushes them, the overdue ladder walking day by day, and a lease billing itself.
 */
import { expect } from 'vitest';
import type { Harness } from '../helpers/harness.js';
import { atMoscow, runRobot } from '../integration/invoicing-kit.js';
import { openFrame, type FrameOpts, type Opened } from './webKit.js';
import { applyPushedPayment } from '../../src/payments/apply.js';
import { updatePortalSettings } from '../../src/settings/portalSettings.js';

export const LANDLORD_ACCOUNT = '40702810138250123017';
export const TENANT = { payerInn: '5027123457', payerName: 'ООО «Арендатор»', payerAccount: '40702810801300012345' };
export const SOLE_TRADER = { payerInn: '771234567859', payerName: 'ИП Смирнов Пётр Иванович', payerAccount: '40802810838000012345' };
export type Payer = typeof TENANT;

/** The month's period for generate_invoice (`2026-11` → 01.11–30.11). */
export function monthPeriod(ym: string): { period_from: string; period_to: string } {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { period_from: `${ym}-01`, period_to: `${ym}-${String(last).padStart(2, '0')}` };
}

/** The portal's penalty (0.1 % a day, cap 10 %) and an accountant for the ladder. */
export async function billingSettings(h: Harness): Promise<void> {
  await updatePortalSettings(h.database.db, h.sandbox.memberId, { accountantUserIds: [h.seed.users.accountant], penalty: { ratePerDayPercent: 0.1, capPercent: 10 } });
}

/** generate_invoice for a deal and month, due in 5 days; the robot's answer. */
export async function invoiceFor(h: Harness, dealId: number, ym: string): Promise<Record<string, unknown>> {
  const answer = (await runRobot(h, 'generate_invoice', dealId, { due_days: '5', ...monthPeriod(ym) })).answer;
  expect(answer.status, String(answer.error_text ?? '')).toBe('ok');
  return answer;
}

/** A payment pushed by 1C naming the invoice in its purpose. */
export async function pay(h: Harness, date: string, number: string, amountKopecks: number, payer: Payer, invoiceNumber: unknown): Promise<void> {
  await applyPushedPayment(h.server.deps, h.sandbox.memberId, {
    date, number, amountKopecks, ...payer, payeeAccount: LANDLORD_ACCOUNT, purpose: `Оплата по счету № ${String(invoiceNumber)}`,
  });
}

/** Walks the sandbox clock over these days at 09:05 Moscow, maintenance (the ladder, the leases) each day. */
export async function walkDays(h: Harness, days: readonly string[]): Promise<void> {
  for (const day of days) await atMoscow(h, `${day}T09:05:00`);
}

/**
 * The frame POST as a user opens the app, which must open (303 to the first page) even right after the robots and the
 * scheduler spent the portal's request budget that the frame check shares.
 */
export async function openFrameAsUser(h: Harness, opts: FrameOpts = {}): Promise<Opened> {
  const opened = await openFrame(h, opts);
  expect(opened.status).toBe(303);
  return opened;
}
