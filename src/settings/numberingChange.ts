/**
 * Setting the next document number (continuing the numbers 1C issued before the landlord switched), shared by
 * `qrbill numbering` and the settings page. Numbers only move forward: storage refuses a `next` at or below a
 * number already issued (src/storage/numbering.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { ValidationIssue } from '../errors.js';
import { sellerKeysOfInn, setNextNumber, type SetNextResult } from '../storage/numbering.js';
import type { NumberingChange } from './rules.js';

export type NumberingOutcome = { sellerKey: string; result: SetNextResult } | { issue: ValidationIssue };

export async function applyNumberingChange(db: Kysely<Database>, memberId: string, change: NumberingChange): Promise<NumberingOutcome> {
  const key = await resolveSellerKey(db, memberId, change.inn, change.kpp);
  if ('issue' in key) return key;
  const result = await setNextNumber(db, { memberId, sellerKey: key.key, kind: change.kind, year: change.year }, change.next);
  return { sellerKey: key.key, result };
}

/**
 * Sequences are kept per seller INN/KPP (a company's branches number on their own). A KPP left out is taken from
 * the sequences already there for the INN; an individual entrepreneur (12-digit INN) has none.
 */
async function resolveSellerKey(
  db: Kysely<Database>,
  memberId: string,
  inn: string,
  kpp: string | undefined,
): Promise<{ key: string } | { issue: ValidationIssue }> {
  if (inn.length === 12) return { key: `${inn}/` };
  if (kpp !== undefined && kpp !== '') return { key: `${inn}/${kpp}` };
  const known = await sellerKeysOfInn(db, memberId, inn);
  if (known.length === 1) return { key: known[0]! };
  if (known.length === 0) {
    return {
      issue: {
        path: 'seller_kpp',
        message: `по ИНН ${inn} ещё ничего не пронумеровано — укажите и КПП`,
        messageEn: `no documents numbered for INN ${inn} yet, so give its KPP too (seller_kpp=…)`,
      },
    };
  }
  const kpps = known.map((k) => k.split('/')[1]).join(', ');
  return {
    issue: {
      path: 'seller_kpp',
      message: `у ИНН ${inn} несколько КПП (${kpps}) — укажите нужный`,
      messageEn: `INN ${inn} numbers with several KPPs (${kpps}); say which with seller_kpp=…`,
    },
  };
}
