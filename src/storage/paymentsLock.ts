import { sql, type Transaction } from 'kysely';
import { transaction, type AppDatabase } from './db.js';
import type { Database } from './schema.js';

/**
 * An arbitrary constant naming our lock class, so the per-portal key (hash of the member id) cannot meet an
 * advisory lock some other code takes on the same database ('qrbp').
 */
const PAYMENTS_LOCK_CLASS = 0x71726270;

/**
 * Runs `fn` in one transaction that holds the portal's payments lock: whatever decides on the portal's invoices
 * (an import, a push, a manual match) reads them, decides and writes with no other instance doing the same in
 * between, so two statements imported at once on two instances cannot both pay one invoice from a stale view.
 *
 * PostgreSQL: a transaction-scoped advisory lock per portal (released by commit, rollback or a dead connection,
 * so a killed instance never leaves it held); portals do not wait for each other. SQLite: every transaction is
 * BEGIN IMMEDIATE, one writer across processes, which is the same guarantee already.
 */
export function withPaymentsLock<T>(app: AppDatabase, memberId: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return transaction(app, async (trx) => {
    if (app.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${PAYMENTS_LOCK_CLASS}, hashtext(${memberId}))`.execute(trx);
    return fn(trx);
  });
}
