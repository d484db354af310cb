/**
 * Validation of the parties of a document. The seller (the landlord's own requisites) is checked strictly:
 * every issue is an error and the caller refuses to save or render. The buyer comes from the CRM and is
 * checked leniently: the issues are warnings to show, never a reason to refuse.
 */
import type { ValidationIssue } from '../errors.js';
import {
  corrAccountPrefixFor,
  isInnFormat,
  isValidAccountForBic,
  isValidBic,
  isValidCorrAccountForBic,
  isValidInn,
  isValidKpp,
  isValidOgrn,
  isValidOgrnip,
  isZeroInn,
} from './checks.js';
import { MESSAGES, type MessageId } from './messages.js';

/** What is checked of a seller: its requisites and bank details (a document's SellerParty has these and more). */
export interface SellerRequisites {
  name: string;
  inn: string;
  kpp?: string;
  ogrn?: string;
  bank?: { name?: string; bic?: string; corrAccount?: string; account?: string };
}

/** What is checked of a buyer (a document's BuyerParty has these and more). */
export interface BuyerRequisites {
  name: string;
  inn?: string;
  kpp?: string;
}

type Issues = ValidationIssue[];

function add(issues: Issues, path: string, id: MessageId): void {
  const [message, messageEn] = MESSAGES[id];
  issues.push({ path, message, messageEn });
}

const present = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';

/** Length of a well-formed INN (10 organisation, 12 ИП / individual), 0 when absent or malformed. */
const innKind = (inn: string | undefined): number => (present(inn) && isInnFormat(inn) ? inn.length : 0);

function checkInn(issues: Issues, path: string, inn: string): void {
  if (!isInnFormat(inn)) add(issues, path, 'innFormat');
  else if (isZeroInn(inn)) add(issues, path, 'innZeros');
  else if (!isValidInn(inn)) add(issues, path, 'innChecksum');
}

function checkOgrn(issues: Issues, path: string, ogrn: string, innLength: number): void {
  const ip = innLength === 12 || (innLength === 0 && ogrn.length === 15);
  if (ip) {
    if (!/^\d{15}$/.test(ogrn)) add(issues, path, 'ogrnipFormat');
    else if (!/^[34]/.test(ogrn)) add(issues, path, 'ogrnipPrefix');
    else if (!isValidOgrnip(ogrn)) add(issues, path, 'ogrnipChecksum');
  } else if (!/^\d{13}$/.test(ogrn)) add(issues, path, 'ogrnFormat');
  else if (!/^[15]/.test(ogrn)) add(issues, path, 'ogrnPrefix');
  else if (!isValidOgrn(ogrn)) add(issues, path, 'ogrnChecksum');
}

function checkBank(issues: Issues, bank: SellerRequisites['bank'] | undefined): void {
  const p = 'seller.bank';
  if (!present(bank?.name)) add(issues, `${p}.name`, 'bankName');
  const bic = bank?.bic;
  const bicOk = present(bic) && isValidBic(bic);
  if (!present(bic)) add(issues, `${p}.bic`, 'bicRequired');
  else if (!bicOk) add(issues, `${p}.bic`, 'bicFormat');

  const accounts = [
    ['corrAccount', bank?.corrAccount, 'corr', isValidCorrAccountForBic],
    ['account', bank?.account, 'account', isValidAccountForBic],
  ] as const;
  for (const [key, value, kind, matches] of accounts) {
    const path = `${p}.${key}`;
    if (!present(value)) add(issues, path, `${kind}Required`);
    else if (!/^\d{20}$/.test(value)) add(issues, path, `${kind}Format`);
    // A prefix or key mismatch is only meaningful against a well-formed BIC; a bad BIC is reported once above.
    else if (bicOk && kind === 'corr' && !value.startsWith(corrAccountPrefixFor(bic))) add(issues, path, 'corrPrefix');
    else if (bicOk && !matches(value, bic)) add(issues, path, `${kind}Key`);
  }
}

/** Strict: each issue is an error. */
export function validateSeller(seller: SellerRequisites): ValidationIssue[] {
  const issues: Issues = [];
  if (!present(seller.name)) add(issues, 'seller.name', 'sellerName');
  if (!present(seller.inn)) add(issues, 'seller.inn', 'sellerInn');
  else checkInn(issues, 'seller.inn', seller.inn);
  const innLength = innKind(seller.inn);

  if (present(seller.kpp)) {
    if (innLength === 12) add(issues, 'seller.kpp', 'kppForIp');
    else if (!isValidKpp(seller.kpp)) add(issues, 'seller.kpp', 'kppFormat');
  } else if (innLength === 10) {
    add(issues, 'seller.kpp', 'kppRequired');
  }
  if (present(seller.ogrn)) checkOgrn(issues, 'seller.ogrn', seller.ogrn, innLength);
  checkBank(issues, seller.bank);
  return issues;
}

/** Lenient: returns warnings only; never refuse a document because of them. */
export function validateBuyer(buyer: BuyerRequisites): ValidationIssue[] {
  const issues: Issues = [];
  if (!present(buyer.name)) add(issues, 'buyer.name', 'buyerName');
  if (present(buyer.inn)) checkInn(issues, 'buyer.inn', buyer.inn);
  const innLength = innKind(buyer.inn);
  if (present(buyer.kpp)) {
    if (innLength === 12) add(issues, 'buyer.kpp', 'kppForIp');
    else if (!isValidKpp(buyer.kpp)) add(issues, 'buyer.kpp', 'kppFormat');
  } else if (innLength === 10) {
    add(issues, 'buyer.kpp', 'buyerKppMissing');
  }
  return issues;
}
