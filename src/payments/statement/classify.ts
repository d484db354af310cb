/**
 * Which documents of a statement are payments to the landlord. Only an incoming payment — credited to one of
 * the landlord's own accounts (the sellers' bank details in the portal) from an account that is not theirs —
 * is a candidate for matching; everything else is skipped with a reason a user can read.
 */
import type { StatementTransaction } from './types.js';
import { normalizeAccount } from './values.js';

export interface OwnAccount {
  inn: string;
  account: string;
}

export type SkipReason = 'outgoing' | 'own_transfer' | 'bank_fee' | 'not_ours';

export type Classification =
  | { kind: 'incoming'; ownAccount: OwnAccount }
  | { kind: 'skipped'; reason: SkipReason; message: string };

/**
 * Accounts of the bank's own ledger rather than of a client (Bank of Russia chart of accounts 579-П): 706xx
 * income (commissions), 613xx deferred income, 474xx settlements of the bank. Money sent there is a fee.
 */
const BANK_LEDGER_PREFIXES = ['706', '613', '474'];
const FEE_WORDS = /комисс|плата за (?:обслуживание|ведение|пакет)|тариф/i;

function isBankFee(tx: StatementTransaction): boolean {
  return (
    tx.kind.toLowerCase() === 'банковский ордер' ||
    tx.operationCode === '17' ||
    BANK_LEDGER_PREFIXES.some((p) => tx.payee.account.startsWith(p)) ||
    FEE_WORDS.test(tx.purpose)
  );
}

export type Classifier = (tx: StatementTransaction) => Classification;

export function createClassifier(ownAccounts: readonly OwnAccount[]): Classifier {
  const own = new Map<string, OwnAccount>();
  for (const a of ownAccounts) {
    const account = normalizeAccount(a.account);
    if (account) own.set(account, { inn: a.inn, account });
  }
  return (tx) => {
    const payee = own.get(tx.payee.account);
    const payerIsOurs = own.has(tx.payer.account);
    if (payee && payerIsOurs) {
      return skipped('own_transfer', `Перевод между своими счетами (${tx.payer.account} → ${tx.payee.account})`);
    }
    if (payee) return { kind: 'incoming', ownAccount: payee };
    // Money leaving: the payer is ours, or the bank wrote it off the statement's account (ДатаСписано) — banks
    // do not always repeat the statement's account in ПлательщикСчет of their own orders.
    const leaving = payerIsOurs || (tx.debitedOn !== null && tx.creditedOn === null);
    if (leaving && isBankFee(tx)) return skipped('bank_fee', `Комиссия или списание банка (${tx.kind || 'документ'} № ${tx.number}), не оплата счёта`);
    if (leaving) return skipped('outgoing', `Исходящий платёж (списание${tx.payee.name ? ` в пользу «${tx.payee.name}»` : ''}), не оплата счёта`);
    return skipped(
      'not_ours',
      tx.payee.account
        ? `Получатель — счёт ${tx.payee.account}, которого нет в реквизитах продавцов портала`
        : 'В документе нет счёта получателя, поэтому нельзя понять, что это оплата на счёт продавца',
    );
  };
}

function skipped(reason: SkipReason, message: string): Classification {
  return { kind: 'skipped', reason, message };
}
