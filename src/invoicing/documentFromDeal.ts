import type { DocumentKind, DocumentModel, QrSpec, VatSpec } from '../documents/model.js';
import type { ValidationIssue } from '../errors.js';
import { AppError, ValidationError } from '../errors.js';
import { validateForIssue } from '../documents/schema.js';
import type { BitrixProductRow, BitrixRequisite, BitrixBankDetail } from './bitrixTypes.js';
import type { SellerCompanyInfo } from './parties.js';
import { buyerFromRequisite, pickBankDetail, pickRequisite, sellerFromRequisite } from './parties.js';
import { linesFromProductRows } from './productRows.js';
import { isInnFormat, isValidInn, isZeroInn } from '../requisites/checks.js';

/**
 * Turns what the portal holds about a deal into a document model (without its number, which is
 * reserved only once everything here has passed). Pure: the robots load the inputs.
 */
export interface DocumentFromDealInput {
  kind: DocumentKind;
  date: string;
  dueDate?: string;
  period: { from: string; to: string };
  rows: BitrixProductRow[];
  client: { kind: 'company' | 'contact'; title: string } | undefined;
  clientRequisites: BitrixRequisite[];
  linkedClientRequisiteId: string | undefined;
  seller: {
    requisite: BitrixRequisite | undefined;
    bankDetails: BitrixBankDetail[];
    linkedBankDetailId: string | undefined;
    company: SellerCompanyInfo;
  };
  vatOverride?: VatSpec;
  qr?: QrSpec;
  basis?: string;
  contract?: string;
}

export interface DocumentFromDeal {
  model: DocumentModel;
  /** Russian, for the manager (timeline, return value): doubtful client requisites, skipped rows. */
  warnings: string[];
}

function issuesText(issues: ValidationIssue[]): string {
  return issues.map((i) => i.message).join('; ');
}

/**
 * The buyer's INN is what the client's accountant books the invoice by, and it goes into the QR as
 * PayerINN: a company (or ИП) client must have one, and a wrong one is a typo to fix, not a warning.
 * Other buyer details (KPP, address) only warn.
 */
function checkClientInn(name: string, inn: string | undefined, kind: 'company' | 'contact'): void {
  const card = kind === 'company' ? 'карточке компании' : 'карточке контакта';
  if (!inn) {
    if (kind === 'contact') return;
    throw new AppError(
      'CLIENT_REQUISITES_INCOMPLETE',
      `В реквизитах клиента «${name}» не указан ИНН: откройте карточку компании → «Реквизиты», укажите ИНН (и КПП для организации) и запустите робот снова.`,
    );
  }
  if (!isValidInn(inn)) {
    const why = !isInnFormat(inn)
      ? 'ИНН должен состоять из 10 или 12 цифр'
      : isZeroInn(inn)
        ? 'ИНН не может состоять из одних нулей'
        : 'не сходится контрольное число';
    throw new AppError(
      'CLIENT_REQUISITES_INVALID',
      `В реквизитах клиента «${name}» неверный ИНН ${inn} (${why}): исправьте его в ${card} → «Реквизиты» и запустите робот снова.`,
      { details: { inn } },
    );
  }
}

export function documentFromDeal(input: DocumentFromDealInput): DocumentFromDeal {
  if (!input.client) {
    throw new AppError(
      'DEAL_WITHOUT_CLIENT',
      'В сделке не указан клиент: выберите компанию или контакт в карточке сделки и запустите робот снова.',
    );
  }
  const clientRq = pickRequisite(input.clientRequisites, input.linkedClientRequisiteId);
  if (input.client.kind === 'company' && !clientRq) {
    // A company is billed by its legal requisites; without them the tenant's accountant cannot book the invoice.
    throw new AppError(
      'CLIENT_REQUISITES_MISSING',
      `У клиента «${input.client.title}» не заполнены реквизиты: откройте карточку компании → «Реквизиты», укажите наименование, ИНН и КПП и запустите робот снова.`,
    );
  }
  const sellerBank = pickBankDetail(input.seller.bankDetails, input.seller.linkedBankDetailId);
  const seller = sellerFromRequisite(input.seller.requisite, sellerBank, input.seller.company);
  const buyer = buyerFromRequisite(clientRq, { kind: input.client.kind, title: input.client.title });
  checkClientInn(buyer.name, buyer.inn, input.client.kind);
  const { lines, vat, warnings } = linesFromProductRows(input.rows, input.vatOverride ? { vatOverride: input.vatOverride } : {});

  const model: DocumentModel = {
    kind: input.kind,
    number: '',
    date: input.date,
    ...(input.dueDate && input.kind !== 'act' ? { dueDate: input.dueDate } : {}),
    period: input.period,
    seller,
    buyer,
    ...(input.basis ? { basis: input.basis } : {}),
    lines,
    vat,
    ...(input.kind === 'qr_invoice' ? { qr: input.qr ?? { mode: 'gost' } } : {}),
    ...(input.contract ? { contract: input.contract } : {}),
  };
  let buyerWarnings: ValidationIssue[];
  try {
    buyerWarnings = validateForIssue(model);
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new AppError(
        'SELLER_REQUISITES_INVALID',
        `Реквизиты вашей компании «${seller.name}» содержат ошибки: ${issuesText(err.issues)}. Исправьте их в CRM → «Мои компании» → «Реквизиты» и запустите робот снова.`,
        { cause: err, details: { issues: err.issues.map((i) => i.path) } },
      );
    }
    throw err;
  }
  const missing = [
    ...(seller.address ? [] : ['У вашей компании в реквизитах не указан юридический адрес (CRM → «Мои компании» → «Реквизиты» → «Адрес»).']),
    ...(buyer.address || input.client.kind === 'contact' ? [] : [`У клиента «${buyer.name}» в реквизитах не указан адрес.`]),
  ];
  return {
    model,
    warnings: [...warnings, ...missing, ...buyerWarnings.map((w) => `Реквизиты клиента: ${w.message}`)],
  };
}
