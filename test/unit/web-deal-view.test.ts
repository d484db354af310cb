/** Who may act on a deal from its tab, and what the tab says of an invoice (pure parts of the deal tab). */
import { describe, expect, it } from 'vitest';
import { mayActOnDeal } from '../../src/web/deal/access.js';
import { dealTabView, type DealTabInput } from '../../src/web/deal/view.js';
import { DEFAULT_LADDER } from '../../src/overdue/ladder.js';
import type { DealDocument } from '../../src/storage/dealTab.js';

const invoice = (over: Partial<DealDocument> = {}): DealDocument => ({
  id: 1, kind: 'invoice', docKind: 'qr_invoice', number: '7', date: '2026-11-25', dueDate: '2026-11-30', periodFrom: '2026-12-01', periodTo: '2026-12-31',
  invoiceId: null, amountKopecks: 2_500_000, state: 'issued', linkVersion: 1, hasQr: true, responsibleId: 2, updatedAt: '2026-11-25T06:00:00.000Z', ...over,
});
const input = (over: Partial<DealTabInput> = {}): DealTabInput => ({
  documents: [invoice()], allocations: [], steps: [], lease: undefined, ladder: DEFAULT_LADDER, pauseClientRemindersBelowKopecks: 0,
  now: new Date('2026-12-02T07:00:00Z'), zone: 'Europe/Moscow', link: (d, f) => `/d/${d.id}/${f}`, canAct: true, ...over,
});

describe('deal tab', () => {
  it('lets the responsible manager, admins and the app\'s accountants act, nobody else', () => {
    const deal = { id: 5, title: 'Аренда', responsibleId: 2 };
    expect(mayActOnDeal({ userId: 2, admin: false }, deal, [])).toBe(true);
    expect(mayActOnDeal({ userId: 1, admin: true }, deal, [])).toBe(true);
    expect(mayActOnDeal({ userId: 4, admin: false }, deal, [4])).toBe(true);
    expect(mayActOnDeal({ userId: 3, admin: false }, deal, [4])).toBe(false);
    // The deal could not be read: only those who need no deal to be allowed.
    expect(mayActOnDeal({ userId: 2, admin: false }, undefined, [])).toBe(false);
    expect(mayActOnDeal({ userId: 0, admin: false }, { ...deal, responsibleId: 0 }, [])).toBe(false);
  });

  it('shows an open invoice past its due date as overdue, with what is left after a partial payment', () => {
    const v = dealTabView(input({ allocations: [{ paymentId: 9, invoiceId: 1, payDate: '2026-12-01', number: '41', payerName: 'ООО', amountKopecks: 1_000_000, paymentKopecks: 1_000_000, matchedBy: 'auto' }] }));
    expect(v.invoices[0]).toMatchObject({ shownState: 'overdue', daysOverdue: 2, paidKopecks: 1_000_000, remainderKopecks: 1_500_000 });
    expect(v.invoices[0]!.links.map((l) => l.file)).toEqual(['qr_invoice', 'invoice']);
    expect(v.invoices[0]!.ladder?.next?.action).toBe('notify_manager'); // due but not carried out yet
    expect(v.payments[0]).toMatchObject({ invoiceNumber: '7', amountKopecks: 1_000_000 });
  });

  it('leaves a paid or cancelled invoice out of the ladder, and offers no re-send of a cancelled one', () => {
    const v = dealTabView(input({ documents: [invoice({ state: 'paid' }), invoice({ id: 2, state: 'cancelled', hasQr: false, docKind: 'invoice' })] }));
    expect(v.invoices.map((i) => [i.shownState, i.ladder, i.canResend])).toEqual([['paid', null, true], ['cancelled', null, false]]);
    expect(v.invoices[1]!.links.map((l) => l.file)).toEqual(['invoice']);
    expect(dealTabView(input({ documents: [] })).empty).toBe(true);
  });
});
