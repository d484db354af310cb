import type { DocumentModel } from '../../documents/model.js';
import { parseDocumentModel } from '../../documents/schema.js';
import { renderDocument } from '../../documents/render.js';
import { AppError, ValidationError, type ValidationIssue } from '../../errors.js';

/** Where in Bitrix24 a manager fixes what a model path comes from. */
const SOURCES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^seller\.bank\b/, () => 'банковские реквизиты вашей компании (CRM → «Мои компании» → «Реквизиты»)'],
  [/^seller\b/, () => 'реквизиты вашей компании (CRM → «Мои компании» → «Реквизиты»)'],
  [/^buyer\b/, () => 'реквизиты клиента (карточка компании или контакта → «Реквизиты»)'],
  [/^lines\[(\d+)\]/, (m) => `товары сделки, строка ${Number(m[1]) + 1}`],
  [/^lines\b/, () => 'товары сделки'],
  [/^basis\b/, () => 'поле сделки «Основание (договор)»'],
  [/^period\b/, () => 'период (параметры робота или поля сделки «Период с» / «Период по»)'],
  [/^dueDate\b/, () => 'срок оплаты (параметры робота)'],
];

function whereToFix(path: string): string {
  for (const [re, label] of SOURCES) {
    const m = re.exec(path);
    if (m) return label(m);
  }
  return path;
}

/**
 * Structural limits (lengths, dates) checked before a number is spent on the document. A violation
 * is the portal's data, so the message says where in Bitrix24 to fix it rather than a model path.
 * Seller problems carry a SELLER_ code, which also drops the cached seller so the fix is seen at once.
 */
export function checkModelBeforeNumbering(model: DocumentModel): void {
  try {
    parseDocumentModel({ ...model, number: 'X' });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const issues: ValidationIssue[] = err.issues;
    const seller = issues.some((i) => i.path.startsWith('seller'));
    throw new AppError(
      seller ? 'SELLER_REQUISITES_INVALID' : 'DOCUMENT_DATA_INVALID',
      `Документ не сформирован, исправьте данные и запустите робот снова: ${issues.map((i) => `${whereToFix(i.path)} — ${i.message}`).join('; ')}`,
      { cause: err, details: { issues: issues.map((i) => i.path) } },
    );
  }
}

/** QR fields that come from the seller's requisites and bank details. */
const SELLER_QR_FIELDS = new Set(['Name', 'PersonalAcc', 'BankName', 'BIC', 'CorrespAcc', 'PayeeINN', 'KPP']);

/**
 * Draws the document with a stand-in number before the real one is reserved. Some limits only show
 * when the document is drawn (the QR's 300-byte block of payee and bank names); failing here keeps
 * the sequence gapless, and no unprintable snapshot is stored for a rerun to return again and again.
 */
export async function checkRendersBeforeNumbering(model: DocumentModel, standInNumber: string): Promise<void> {
  try {
    await renderDocument({ ...model, number: standInNumber });
  } catch (err) {
    if (err instanceof AppError && err.code.startsWith('QR_') && SELLER_QR_FIELDS.has(String(err.details?.field))) {
      // SELLER_: the robots drop the cached seller, so the shortened name is seen at the next run.
      throw new AppError(`SELLER_${err.code}`, `${err.message} (CRM → «Мои компании» → «Реквизиты»)`, {
        cause: err,
        ...(err.details ? { details: err.details } : {}),
      });
    }
    throw err;
  }
}
