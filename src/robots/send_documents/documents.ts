import type { DocumentModel } from '../../documents/model.js';
import type { StoredDocument } from '../../storage/documents.js';
import type { LinkFile } from '../../documents/links.js';
import type { EmailContext, LetterDocument } from '../../invoicing/email.js';
import type { SendableDocument } from './definition.js';
import { AppError } from '../../errors.js';
import { formatMoney } from '../../documents/money.js';
import { periodLabel } from '../../invoicing/period.js';

/** An issued document as the letter uses it: the stored row and its immutable snapshot. */
export interface IssuedDocument {
  row: StoredDocument;
  model: DocumentModel;
}

export function issued(row: StoredDocument): IssuedDocument {
  return { row, model: row.snapshot };
}

/** Whether the invoice was issued with a payment QR (a QR-invoice whose QR mode is not «none»). */
export function hasQr(model: DocumentModel): boolean {
  return model.kind === 'qr_invoice' && !!model.qr && model.qr.mode !== 'none';
}

export interface LetterFiles {
  invoice: IssuedDocument | undefined;
  act: IssuedDocument | undefined;
  /** PDFs to attach, in the order asked, each once. */
  files: Exclude<LinkFile, 'qr_png'>[];
}

/**
 * What the letter carries, from the deal's latest invoice and act. A document not issued yet stops the
 * robot with what to run first; a QR-invoice asked of an invoice issued without QR sends the invoice
 * itself (the portal may have QR switched off), rather than no letter at all.
 */
export function letterFiles(
  wanted: readonly SendableDocument[],
  latest: { invoice: StoredDocument | undefined; act: StoredDocument | undefined },
): LetterFiles {
  const wantsInvoice = wanted.some((d) => d !== 'act');
  const wantsAct = wanted.includes('act');
  let invoice: IssuedDocument | undefined;
  let act: IssuedDocument | undefined;
  if (wantsInvoice) {
    if (!latest.invoice) {
      throw new AppError(
        'INVOICE_NOT_ISSUED',
        'По сделке ещё не выставлен счёт: сначала запустите робот «QR-биллинг: выставить счёт» (generate_invoice), затем отправку документов.',
      );
    }
    if (latest.invoice.state === 'cancelled') {
      throw new AppError(
        'INVOICE_CANCELLED',
        `Последний счёт сделки № ${latest.invoice.number} аннулирован: выставьте новый счёт роботом «QR-биллинг: выставить счёт».`,
      );
    }
    invoice = issued(latest.invoice);
  }
  if (wantsAct) {
    if (!latest.act) {
      throw new AppError(
        'ACT_NOT_ISSUED',
        'По сделке ещё не выставлен акт: сначала запустите робот «QR-биллинг: выставить акт» (generate_act), затем отправку документов.',
      );
    }
    act = issued(latest.act);
  }
  const files: LetterFiles['files'] = [];
  for (const d of wanted) {
    const file = d === 'qr_invoice' && invoice && !hasQr(invoice.model) ? 'invoice' : d;
    if (!files.includes(file)) files.push(file);
  }
  return { invoice, act, files };
}

/**
 * A template that prints the act (or the invoice) unconditionally must get one: the built-in `act`
 * letter with only an invoice would go out as «Акт № от …». Stops the robot before anything is sent.
 */
export function checkTemplateFits(name: string, requires: readonly LetterDocument[], letter: Pick<LetterFiles, 'invoice' | 'act'>): void {
  if (requires.includes('act') && !letter.act) {
    throw new AppError(
      'EMAIL_TEMPLATE_MISMATCH',
      `Шаблон письма «${name}» рассчитан на акт, а в параметре робота «Документы» акт не выбран: добавьте «Акт» в документы или выберите шаблон для счёта (invoice, payment_reminder).`,
      { details: { template: name, missing: 'act' } },
    );
  }
  if (requires.includes('invoice') && !letter.invoice) {
    throw new AppError(
      'EMAIL_TEMPLATE_MISMATCH',
      `Шаблон письма «${name}» рассчитан на счёт, а в параметре робота «Документы» счёт не выбран: добавьте счёт в документы или выберите шаблон act.`,
      { details: { template: name, missing: 'invoice' } },
    );
  }
}

const periodText = (row: StoredDocument) => (row.period_from && row.period_to ? periodLabel(row.period_from, row.period_to) : undefined);

/**
 * The values the e-mail templates see. The seller is taken from the snapshot (what the documents say),
 * the client's name from the CRM card (how the manager addresses them), falling back to the buyer.
 */
export function letterContext(input: {
  deal: { id: number; title: string };
  clientName: string | undefined;
  managerName: string;
  invoice: IssuedDocument | undefined;
  act: IssuedDocument | undefined;
  links: Partial<Record<LinkFile, string>>;
}): EmailContext {
  const main = input.invoice ?? input.act;
  if (!main) throw new AppError('NOTHING_TO_SEND', 'Не выбран ни один документ для отправки.');
  const seller = main.model.seller;
  const ctx: EmailContext = {
    deal: { id: input.deal.id, title: input.deal.title },
    client: { name: input.clientName?.trim() || main.model.buyer.name },
    seller: { name: seller.name, ...(seller.phone ? { phone: seller.phone } : {}) },
    manager: { name: input.managerName },
  };
  if (input.invoice) {
    const { row } = input.invoice;
    const period = periodText(row);
    const qrUrl = input.links.qr_invoice;
    ctx.invoice = {
      number: row.number,
      date: row.doc_date,
      amount: formatMoney(row.amount_kopecks),
      ...(row.due_date ? { dueDate: row.due_date } : {}),
      ...(input.links.invoice ? { url: input.links.invoice } : {}),
      ...(qrUrl ? { qrUrl } : {}),
      ...(period ? { period } : {}),
    };
  }
  if (input.act) {
    const { row } = input.act;
    const period = periodText(row);
    ctx.act = {
      number: row.number,
      date: row.doc_date,
      ...(input.links.act ? { url: input.links.act } : {}),
      ...(period ? { period } : {}),
    };
  }
  return ctx;
}
