import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;
type Row = Record<string, unknown>;

/** Rows per statement: powers of two up to this, so a table gets at most log2(MAX_CHUNK) + 1 distinct statements. */
const MAX_CHUNK = 64;

interface Shape {
  sql: string;
  /** Where each parameter of `sql` comes from: [row index, column], or a constant the query builder bound. */
  params: Array<[number, string] | { constant: unknown }>;
}

/**
 * A multi-row insert on the hot path (robot calls and their jobs, one statement per group commit) whose SQL kysely
 * builds once per row count instead of per call: building the query tree cost as much as SQLite's work on the rows.
 * The statement is compiled from marker rows, so each parameter is traced back to its row and column (or is a
 * constant of the query) whatever order kysely binds them in. A batch runs in chunks of power-of-two sizes, which
 * bounds the distinct statements (and SQLite's cache of prepared ones) whatever the batch sizes. Results are the
 * rows RETURNING gives, chunk after chunk.
 */
export class BulkInsert<R extends Row> {
  /** Per dialect (its adapter), per row count. */
  private readonly shapes = new WeakMap<object, Map<number, Shape>>();

  constructor(
    private readonly columns: ReadonlyArray<keyof R & string>,
    private readonly build: (db: Db, rows: R[]) => Compilable,
  ) {}

  async run<Out = unknown>(db: Db, rows: R[]): Promise<Out[]> {
    const out: Out[] = [];
    for (let i = 0; i < rows.length; ) {
      let size = MAX_CHUNK;
      while (size > rows.length - i) size >>= 1;
      const shape = this.shape(db, size);
      const chunk = rows.slice(i, i + size);
      const parameters = shape.params.map((p) => ('constant' in p ? p.constant : chunk[p[0]]![p[1]]));
      const result = await db.executeQuery<Out>(CompiledQuery.raw(shape.sql, parameters));
      out.push(...result.rows);
      i += size;
    }
    return out;
  }

  private shape(db: Db, size: number): Shape {
    const adapter = db.getExecutor().adapter;
    let bySize = this.shapes.get(adapter);
    if (!bySize) this.shapes.set(adapter, (bySize = new Map()));
    let shape = bySize.get(size);
    if (!shape) {
      const markers = new Map<string, [number, string]>();
      const rows = Array.from({ length: size }, (_, row) =>
        Object.fromEntries(
          this.columns.map((column) => {
            const marker = `\u0000${row}\u0000${column}`;
            markers.set(marker, [row, column]);
            return [column, marker];
          }),
        ) as R,
      );
      const compiled = this.build(db, rows).compile();
      const params = compiled.parameters.map((p) => (typeof p === 'string' && markers.get(p)) || { constant: p });
      shape = { sql: compiled.sql, params };
      bySize.set(size, shape);
    }
    return shape;
  }
}
