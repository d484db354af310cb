import type { Kysely } from 'kysely';
import { transaction } from './db.js';
import type { Database, NumberSequencesTable } from './schema.js';

export interface SequenceRow {
  sellerKey: string;
  kind: NumberSequencesTable['kind'];
  year: number;
  lastSeq: number;
  /** The printed number of the last document this service issued in the sequence, if any. */
  lastNumber: string | null;
}

/** A portal's numbering sequences with the last number each has given out, newest years first. */
export async function listSequences(db: Kysely<Database>, memberId: string): Promise<SequenceRow[]> {
  const rows = await db
    .selectFrom('number_sequences')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('year', 'desc')
    .orderBy('seller_key')
    .orderBy('kind')
    .execute();
  const out: SequenceRow[] = [];
  for (const r of rows) {
    const last = await db
      .selectFrom('documents')
      .select('number')
      .where('member_id', '=', memberId)
      .where('seller_key', '=', r.seller_key)
      .where('kind', '=', r.kind)
      .where('year', '=', r.year)
      .where('seq', '=', r.last_seq)
      .executeTakeFirst();
    out.push({ sellerKey: r.seller_key, kind: r.kind, year: r.year, lastSeq: r.last_seq, lastNumber: last?.number ?? null });
  }
  return out;
}

/** Seller keys (`INN/KPP`) a portal has numbered documents for, or set numbering for, with this INN. */
export async function sellerKeysOfInn(db: Kysely<Database>, memberId: string, inn: string): Promise<string[]> {
  const rows = await db
    .selectFrom('number_sequences')
    .select('seller_key')
    .distinct()
    .where('member_id', '=', memberId)
    .where('seller_key', 'like', `${inn}/%`)
    .execute();
  return rows.map((r) => r.seller_key).sort();
}

export type SetNextResult =
  | { kind: 'set'; previousLastSeq: number }
  | { kind: 'unchanged' }
  /** `next` is at or below a number already given out: numbers would repeat. */
  | { kind: 'refused'; lastSeq: number };

/**
 * Makes `next` the number the sequence gives out next (e.g. continuing the numbers 1C issued before the switch).
 * Only forwards: the conditional update never lowers `last_seq`, which always is at least the highest number
 * issued (numbers are reserved in the transaction that stores their document), so a document issued
 * concurrently can never be repeated and everything from `next` on stays gapless.
 */
export async function setNextNumber(
  db: Kysely<Database>,
  key: { memberId: string; sellerKey: string; kind: NumberSequencesTable['kind']; year: number },
  next: number,
): Promise<SetNextResult> {
  const target = next - 1;
  return transaction(db, async (trx) => {
    await trx
      .insertInto('number_sequences')
      .values({ member_id: key.memberId, seller_key: key.sellerKey, kind: key.kind, year: key.year, last_seq: 0 })
      .onConflict((oc) => oc.columns(['member_id', 'seller_key', 'kind', 'year']).doNothing())
      .execute();
    const before = await trx
      .selectFrom('number_sequences')
      .select('last_seq')
      .where('member_id', '=', key.memberId)
      .where('seller_key', '=', key.sellerKey)
      .where('kind', '=', key.kind)
      .where('year', '=', key.year)
      .executeTakeFirstOrThrow();
    if (before.last_seq === target) return { kind: 'unchanged' };
    const raised = await trx
      .updateTable('number_sequences')
      .set({ last_seq: target })
      .where('member_id', '=', key.memberId)
      .where('seller_key', '=', key.sellerKey)
      .where('kind', '=', key.kind)
      .where('year', '=', key.year)
      .where('last_seq', '<', target)
      .executeTakeFirst();
    return raised.numUpdatedRows > 0n ? { kind: 'set', previousLastSeq: before.last_seq } : { kind: 'refused', lastSeq: before.last_seq };
  });
}
