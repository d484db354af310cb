import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** How many payments wait for a person (the queue may be longer than the page shows). */
export async function manualQueueCount(db: Kysely<Database>, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('payments')
    .select((e) => e.fn.countAll<number>().as('n'))
    .where('member_id', '=', memberId)
    .where('result', '=', 'manual')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The payers' names of stored payments (an import's answer names the payer by INN only). */
export async function payerNames(db: Kysely<Database>, memberId: string, ids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('payments').select(['id', 'payer_name']).where('member_id', '=', memberId).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, r.payer_name);
  }
  return out;
}

/** An invoice's printed number, for the domain's match (which, like the CLI, takes the number). */
export async function invoiceNumberOf(db: Kysely<Database>, memberId: string, invoiceId: number): Promise<string | undefined> {
  const row = await db.selectFrom('documents').select('number').where('member_id', '=', memberId).where('kind', '=', 'invoice').where('id', '=', invoiceId).executeTakeFirst();
  return row?.number;
}
