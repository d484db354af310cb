import type { Kysely } from 'kysely';
import type { Database, OverdueStepRow } from './schema.js';

/** The steps recorded for these invoices. */
export async function stepsOf(db: Kysely<Database>, memberId: string, invoiceIds: number[]): Promise<OverdueStepRow[]> {
  if (!invoiceIds.length) return [];
  const out: OverdueStepRow[] = [];
  for (let i = 0; i < invoiceIds.length; i += 500) {
    out.push(...(await db.selectFrom('overdue_steps').selectAll().where('member_id', '=', memberId).where('invoice_id', 'in', invoiceIds.slice(i, i + 500)).execute()));
  }
  return out;
}

/**
 * Claims a step of an invoice: true for exactly one caller, across instances and restarts. Run in the transaction
 * that enqueues the work, so a claim without its job never commits.
 */
export async function claimStep(
  db: Kysely<Database>,
  s: { memberId: string; invoiceId: number; stepKey: string; status: 'claimed' | 'skipped'; detail?: string; dueAt: Date; now: Date },
): Promise<boolean> {
  const at = s.now.toISOString();
  const row = await db
    .insertInto('overdue_steps')
    .values({ invoice_id: s.invoiceId, step_key: s.stepKey, member_id: s.memberId, status: s.status, detail: s.detail ?? null, due_at: s.dueAt.toISOString(), created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['invoice_id', 'step_key']).doNothing())
    .returning('step_key')
    .executeTakeFirst();
  return row !== undefined;
}

export async function finishStep(db: Kysely<Database>, invoiceId: number, stepKey: string, status: 'done' | 'skipped', detail: string, now: Date): Promise<void> {
  await db
    .updateTable('overdue_steps')
    .set({ status, detail, updated_at: now.toISOString() })
    .where('invoice_id', '=', invoiceId)
    .where('step_key', '=', stepKey)
    .execute();
}
