/**
 * Matching incoming payments to invoices. A Matcher indexes the portal's invoices once (by canonical number,
 * by sequence number, by buyer INN) so each payment costs a few map look-ups, and keeps the paid amounts in
 * memory: several payments of one statement add up exactly as they would one after another.
 *
 * Rules, in order (each decision's `reason` names the one that decided):
 *  1. a payment seen before (same bank-side id) is a duplicate;
 *  2. invoice numbers from the purpose (see references.ts). The payer's INN must be the buyer's INN: another
 *     INN paying someone's invoice goes to the manual queue with the invoice named (third-party payments are
 *     common and must be confirmed). Full amount → paid, less → partially_paid, more → overpaid (excess
 *     recorded); one payment naming several invoices of the tenant pays them oldest first;
 *  3. no recognisable number: the one open invoice of the payer's INN with exactly this (remaining) amount is
 *     paid; anything else is manual with the best candidates.
 */
import { formatMoney } from '../../documents/money.js';
import { formatDateShort, isIsoDate } from '../../documents/dates.js';
import { canonicalNumber, extractInvoiceReferences, normalizeNumberText, type InvoiceReference } from './references.js';
import type { Allocation, Candidate, IncomingPayment, MatchDecision, MatchRule, OpenInvoice } from './types.js';

export interface MatcherOptions {
  /** Numbering prefixes in use, e.g. «АР-2026-» for the template «АР-{yyyy}-{seq}» (see canonicalNumber). */
  prefixes?: readonly string[];
  /** Ids of payments already applied (earlier imports); a payment with one of them is a duplicate. */
  knownPaymentIds?: Iterable<string>;
}

interface InvoiceState {
  invoice: OpenInvoice;
  paid: number;
  cancelled: boolean;
  seqNumber: number;
}

const MAX_CANDIDATES = 5;

const rub = (kopecks: number) => `${formatMoney(kopecks)} ₽`;
// Every reason names dates; a statement has a few hundred distinct ones, each formatted once.
const datesRu = new Map<string, string>();
function dateRu(iso: string): string {
  let ru = datesRu.get(iso);
  if (ru === undefined) {
    ru = isIsoDate(iso) ? formatDateShort(iso) : iso;
    if (datesRu.size < 10_000) datesRu.set(iso, ru);
  }
  return ru;
}
const label = (s: InvoiceState) => `№ ${s.invoice.number} от ${dateRu(s.invoice.date)}`;
const remaining = (s: InvoiceState) => Math.max(0, s.invoice.totalKopecks - s.paid);
const isOpen = (s: InvoiceState) => !s.cancelled && remaining(s) > 0;

/** Oldest first: by date, then by sequence number, then by id — the order a tenant's debts are settled in. */
function oldestFirst(a: InvoiceState, b: InvoiceState): number {
  if (a.invoice.date !== b.invoice.date) return a.invoice.date < b.invoice.date ? -1 : 1;
  if (a.seqNumber !== b.seqNumber) return a.seqNumber - b.seqNumber;
  return String(a.invoice.id) < String(b.invoice.id) ? -1 : String(a.invoice.id) > String(b.invoice.id) ? 1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function candidate(s: InvoiceState): Candidate {
  const i = s.invoice;
  return {
    invoiceId: i.id,
    invoiceNumber: i.number,
    invoiceDate: i.date,
    buyerInn: i.buyerInn,
    dealId: i.dealId,
    totalKopecks: i.totalKopecks,
    remainingKopecks: remaining(s),
  };
}

function manual(rule: MatchRule, reason: string, candidates: InvoiceState[]): MatchDecision {
  return { result: 'manual', rule, allocations: [], excessKopecks: 0, reason, candidates: candidates.slice(0, MAX_CANDIDATES).map(candidate) };
}

export class Matcher {
  private readonly prefixes: string[];
  private readonly byId = new Map<string, InvoiceState>();
  private readonly byCanonical = new Map<string, InvoiceState[]>();
  private readonly bySeq = new Map<string, InvoiceState[]>();
  private readonly byInn = new Map<string, InvoiceState[]>();
  private readonly seenPayments: Set<string>;

  constructor(invoices: readonly OpenInvoice[], options: MatcherOptions = {}) {
    // Longest first, so «АР-2026-1» never cuts «АР-2026-15» short when both are prefixes in use.
    this.prefixes = [...new Set((options.prefixes ?? []).map(normalizeNumberText).filter(Boolean))].sort((a, b) => b.length - a.length);
    this.seenPayments = new Set(options.knownPaymentIds ?? []);
    for (const invoice of invoices) {
      const { canonical, seq } = canonicalNumber(invoice.number, this.prefixes);
      const state: InvoiceState = {
        invoice,
        paid: invoice.paidKopecks,
        cancelled: invoice.status === 'cancelled',
        seqNumber: seq === null ? Number.MAX_SAFE_INTEGER : Number(seq),
      };
      this.byId.set(String(invoice.id), state);
      push(this.byCanonical, canonical, state);
      if (seq !== null) push(this.bySeq, seq, state);
      if (invoice.buyerInn) push(this.byInn, invoice.buyerInn.trim(), state);
    }
    for (const list of this.byInn.values()) list.sort(oldestFirst);
  }

  /** The invoice as the matcher now sees it (paid amounts include the payments matched so far). */
  invoice(id: string | number): (OpenInvoice & { remainingKopecks: number }) | undefined {
    const s = this.byId.get(String(id));
    if (!s) return undefined;
    return { ...s.invoice, paidKopecks: s.paid, status: this.statusOf(s), remainingKopecks: remaining(s) };
  }

  /** Decides one payment and, when it pays something, records the allocation in memory. */
  match(payment: IncomingPayment): MatchDecision {
    if (this.seenPayments.has(payment.id)) {
      return { result: 'duplicate', rule: 'duplicate', allocations: [], excessKopecks: 0, reason: `Платёж п/п № ${payment.number} от ${dateRu(payment.date)} на ${rub(payment.amountKopecks)} уже учтён (он есть в ранее загруженной выписке)`, candidates: [] };
    }
    this.seenPayments.add(payment.id);
    const refs = extractInvoiceReferences(payment.purpose, this.prefixes);
    const named = this.resolve(refs);
    if (named.length > 0) return this.byNumber(payment, refs, named);
    const unknown = refs.filter((r) => r.afterInvoiceWord);
    if (unknown.length > 0) {
      const nums = unknown.map((r) => `№ ${r.text}`).join(', ');
      const suggestions = this.amountCandidates(payment);
      return manual(
        'unknown_number',
        `В назначении платежа указан счёт ${nums}, но среди неоплаченных счетов такого нет` +
          (suggestions.length ? `; по ИНН ${payment.payerInn} и сумме подходит ${suggestions.map(label).join(', ')} — проверьте и сопоставьте вручную` : '; сопоставьте платёж вручную'),
        suggestions.length ? suggestions : this.openOfInn(payment.payerInn),
      );
    }
    return this.byAmount(payment);
  }

  /**
   * A person's choice from the manual queue: pays the given invoices (oldest first) with the payment,
   * whoever the payer is. Unknown or closed invoices are left out.
   */
  settle(payment: IncomingPayment, invoiceIds: ReadonlyArray<string | number>): MatchDecision {
    this.seenPayments.add(payment.id);
    const chosen = invoiceIds.map((id) => this.byId.get(String(id))).filter((s): s is InvoiceState => s !== undefined && isOpen(s));
    if (chosen.length === 0) return manual('manual_choice', 'Выбранные счета не найдены среди неоплаченных', []);
    return this.allocate(payment, [...new Set(chosen)].sort(oldestFirst), 'manual_choice', 'сопоставлено вручную');
  }

  private statusOf(s: InvoiceState): OpenInvoice['status'] {
    if (s.cancelled) return 'cancelled';
    if (s.paid > s.invoice.totalKopecks) return 'overpaid';
    if (s.paid === s.invoice.totalKopecks && s.paid > 0) return 'paid';
    return s.paid > 0 ? 'partially_paid' : 'open';
  }

  /** For each reference the invoices it can mean: the exact number, or for a bare «15» every invoice with sequence 15. */
  private resolve(refs: InvoiceReference[]): Array<{ ref: InvoiceReference; invoices: InvoiceState[] }> {
    const out: Array<{ ref: InvoiceReference; invoices: InvoiceState[] }> = [];
    for (const ref of refs) {
      const exact = this.byCanonical.get(ref.canonical);
      const bySeq = ref.seq !== null && ref.afterInvoiceWord ? this.bySeq.get(ref.seq) : undefined;
      // Usually one list, or two naming the same invoice: merged without a Set unless they differ.
      let invoices = exact ?? bySeq ?? [];
      if (exact && bySeq && !(exact.length === 1 && bySeq.length === 1 && exact[0] === bySeq[0])) invoices = [...new Set([...exact, ...bySeq])];
      if (invoices.length > 0) out.push({ ref, invoices: [...invoices] });
    }
    return out;
  }

  private byNumber(payment: IncomingPayment, refs: InvoiceReference[], named: Array<{ ref: InvoiceReference; invoices: InvoiceState[] }>): MatchDecision {
    const inn = payment.payerInn.trim();
    const chosen: InvoiceState[] = [];
    const others: InvoiceState[] = [];
    for (const { ref, invoices } of named) {
      const ofPayer = inn ? invoices.filter((s) => s.invoice.buyerInn === inn) : [];
      if (ofPayer.length === 0) {
        others.push(...invoices);
        continue;
      }
      let pick = ofPayer;
      // «№ 15» may be the 1C-era 15 and АР-2026-15 of the same tenant: the open one, then the one of the date named.
      if (pick.length > 1 && pick.some(isOpen)) pick = pick.filter(isOpen);
      if (pick.length > 1 && ref.date) pick = pick.filter((s) => s.invoice.date === ref.date).length ? pick.filter((s) => s.invoice.date === ref.date) : pick;
      if (pick.length > 1) {
        return manual(
          'ambiguous_number',
          `Номеру «${ref.text}» из назначения платежа соответствуют несколько счетов покупателя с ИНН ${inn}: ${pick.sort(oldestFirst).map(label).join(', ')} — выберите счёт вручную`,
          pick,
        );
      }
      chosen.push(...pick);
    }
    if (others.length > 0) {
      const who = inn ? `с ИНН ${inn}${payment.payerName ? ` («${payment.payerName}»)` : ''}` : 'без ИНН';
      const buyers = [...new Set(others.map((s) => s.invoice.buyerInn || '—'))].join(', ');
      return manual(
        'third_party',
        `В назначении платежа указан счёт ${others.sort(oldestFirst).map(label).join(', ')}, но его покупатель — ИНН ${buyers}, а платёж пришёл от плательщика ${who}. ` +
          'Оплата за другое лицо: подтвердите сопоставление вручную',
        [...others, ...chosen],
      );
    }
    const unique = [...new Set(chosen)].sort(oldestFirst);
    const cancelled = unique.filter((s) => s.cancelled);
    const open = unique.filter(isOpen);
    if (open.length === 0) {
      if (cancelled.length === unique.length) {
        return manual('cancelled', `Счёт ${cancelled.map(label).join(', ')} из назначения платежа аннулирован — решите вручную, вернуть деньги или зачесть`, [...unique, ...this.openOfInn(inn)]);
      }
      const paid = unique.filter((s) => !s.cancelled);
      return manual(
        'already_paid',
        `Счёт ${paid.map(label).join(', ')} из назначения платежа уже оплачен полностью (${paid.map((s) => rub(s.paid)).join(', ')}); возможно, это повторная оплата — проверьте и решите вручную`,
        [...paid, ...this.openOfInn(inn)],
      );
    }
    const why = refs.length > 1 || open.length > 1 ? 'номера счетов найдены в назначении платежа' : 'номер счёта найден в назначении платежа';
    return this.allocate(payment, open, 'number', `${why}, ИНН плательщика ${inn} совпадает с ИНН покупателя`);
  }

  private byAmount(payment: IncomingPayment): MatchDecision {
    const inn = payment.payerInn.trim();
    const noNumber = 'Номер счёта в назначении платежа не найден';
    if (!inn) return manual('no_invoices', `${noNumber}, и в платеже нет ИНН плательщика — сопоставьте вручную`, this.amountCandidates(payment));
    const open = this.openOfInn(inn);
    if (open.length === 0) {
      return manual('no_invoices', `${noNumber}, и у покупателя с ИНН ${inn} нет неоплаченных счетов — сопоставьте вручную`, this.amountCandidates(payment));
    }
    const exact = open.filter((s) => remaining(s) === payment.amountKopecks);
    if (exact.length === 1) {
      const s = exact[0]!;
      return this.allocate(payment, [s], 'amount', `номер счёта в назначении платежа не найден, но у покупателя с ИНН ${inn} ровно один неоплаченный счёт на ${rub(payment.amountKopecks)}`);
    }
    if (exact.length > 1) {
      return manual('amount_ambiguous', `${noNumber}, а у покупателя с ИНН ${inn} несколько неоплаченных счетов на ${rub(payment.amountKopecks)}: ${exact.map(label).join(', ')} — выберите счёт вручную`, exact);
    }
    return manual(
      'no_amount_match',
      `${noNumber}, а ни один из неоплаченных счетов покупателя с ИНН ${inn} (${open.slice(0, MAX_CANDIDATES).map((s) => `${label(s)} — ${rub(remaining(s))}`).join(', ')}) не равен сумме платежа ${rub(payment.amountKopecks)} — сопоставьте вручную`,
      open,
    );
  }

  private openOfInn(inn: string): InvoiceState[] {
    return inn ? (this.byInn.get(inn) ?? []).filter(isOpen) : [];
  }

  /** Open invoices of the payer with exactly this amount left to pay. */
  private amountCandidates(payment: IncomingPayment): InvoiceState[] {
    return this.openOfInn(payment.payerInn.trim()).filter((s) => remaining(s) === payment.amountKopecks);
  }

  /** Pays `invoices` (already oldest first) in turn; what is left after the last one is the excess. */
  private allocate(payment: IncomingPayment, invoices: InvoiceState[], rule: MatchRule, why: string): MatchDecision {
    let left = payment.amountKopecks;
    const allocations: Allocation[] = [];
    for (const s of invoices) {
      if (left <= 0) break;
      const amount = Math.min(left, remaining(s));
      s.paid += amount;
      left -= amount;
      allocations.push({
        invoiceId: s.invoice.id,
        invoiceNumber: s.invoice.number,
        dealId: s.invoice.dealId,
        amountKopecks: amount,
        paidKopecks: s.paid,
        totalKopecks: s.invoice.totalKopecks,
        fullyPaid: s.paid >= s.invoice.totalKopecks,
      });
    }
    const unpaid = invoices.filter((s) => remaining(s) > 0);
    const result = left > 0 ? 'overpaid' : unpaid.length > 0 ? 'partially_paid' : 'paid';
    return { result, rule, allocations, excessKopecks: left, reason: this.describe(payment, invoices, allocations, left, why), candidates: [] };
  }

  private describe(payment: IncomingPayment, invoices: InvoiceState[], allocations: Allocation[], excess: number, why: string): string {
    const state = (s: InvoiceState, a: Allocation | undefined): string => {
      if (!a) return `${label(s)} — не хватило суммы, к оплате ${rub(remaining(s))}`;
      const earlier = a.paidKopecks - a.amountKopecks;
      const withEarlier = earlier > 0 ? ` (вместе с прежними оплатами ${rub(earlier)} — ${rub(a.paidKopecks)} из ${rub(a.totalKopecks)})` : '';
      if (a.fullyPaid) return `${label(s)} оплачен полностью: ${rub(a.amountKopecks)}${withEarlier}`;
      return `${label(s)} оплачен частично: ${rub(a.amountKopecks)}${withEarlier}, осталось ${rub(remaining(s))}`;
    };
    const lines = invoices.map((s) => state(s, allocations.find((a) => a.invoiceId === s.invoice.id)));
    const head = invoices.length > 1 ? `Платёж ${rub(payment.amountKopecks)} распределён по счетам от старого к новому (${why}): ` : `Счёт `;
    const body = invoices.length > 1 ? lines.join('; ') : `${lines[0] ?? ''} (${why})`;
    const tail = excess > 0 ? `. Переплата ${rub(excess)} учтена как аванс покупателя` : '';
    return `${head}${body}${tail}`;
  }
}
