/**
 * A small TrueType subsetter for the fonts embedded in documents, used in place of fontkit's.
 *
 * fontkit re-decodes and re-encodes the font tables through its generic struct codec for every document,
 * which was half of the render time. Here the source font is parsed once per process and each glyph is
 * prepared once (hinting instructions removed, composite references noted); a subset is then a concatenation
 * of prepared glyphs plus five small tables.
 *
 * Hinting is dropped on purpose: PDF viewers and printers render documents at resolutions where TrueType
 * instructions do nothing useful, and PT Sans carries about half of its glyph bytes as instructions.
 * The output has the tables a PDF CIDFontType2 program needs (glyf, head, hhea, hmtx, loca, maxp);
 * characters are mapped by the PDF itself (Identity CID→GID), so no cmap is needed.
 */
import { AppError } from '../../errors.js';

interface TableRecord {
  offset: number;
  length: number;
}

/** Flags of a composite glyph component (OpenType `glyf` spec). */
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
const WE_HAVE_INSTRUCTIONS = 0x0100;

interface PreparedGlyph {
  /** Glyph data without instructions; component ids still refer to the source font. */
  data: Uint8Array;
  /** For composites: byte positions of component glyph ids in `data` and the ids found there. */
  components: { pos: number; id: number }[];
}

export class TtfSource {
  private readonly view: DataView;
  private readonly tables = new Map<string, TableRecord>();
  readonly numGlyphs: number;
  private readonly loca: Uint32Array;
  private readonly advances: Uint16Array;
  private readonly lsbs: Int16Array;
  private readonly prepared = new Map<number, PreparedGlyph>();

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const numTables = this.view.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + i * 16;
      const tag = String.fromCharCode(...bytes.subarray(rec, rec + 4));
      this.tables.set(tag, { offset: this.view.getUint32(rec + 8), length: this.view.getUint32(rec + 12) });
    }
    for (const tag of ['glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp']) {
      if (!this.tables.has(tag)) throw new AppError('FONT_UNSUPPORTED', `В шрифте нет таблицы ${tag} (нужен TrueType)`);
    }
    this.numGlyphs = this.view.getUint16(this.table('maxp').offset + 4);
    const longLoca = this.view.getInt16(this.table('head').offset + 50) === 1;
    const locaAt = this.table('loca').offset;
    this.loca = new Uint32Array(this.numGlyphs + 1);
    for (let i = 0; i <= this.numGlyphs; i++) {
      this.loca[i] = longLoca ? this.view.getUint32(locaAt + 4 * i) : this.view.getUint16(locaAt + 2 * i) * 2;
    }
    const numberOfHMetrics = this.view.getUint16(this.table('hhea').offset + 34);
    const hmtxAt = this.table('hmtx').offset;
    this.advances = new Uint16Array(this.numGlyphs);
    this.lsbs = new Int16Array(this.numGlyphs);
    let lastAdvance = 0;
    for (let i = 0; i < this.numGlyphs; i++) {
      if (i < numberOfHMetrics) {
        lastAdvance = this.view.getUint16(hmtxAt + 4 * i);
        this.lsbs[i] = this.view.getInt16(hmtxAt + 4 * i + 2);
      } else {
        this.lsbs[i] = this.view.getInt16(hmtxAt + 4 * numberOfHMetrics + 2 * (i - numberOfHMetrics));
      }
      this.advances[i] = lastAdvance;
    }
  }

  table(tag: string): TableRecord {
    const t = this.tables.get(tag);
    if (!t) throw new AppError('FONT_UNSUPPORTED', `В шрифте нет таблицы ${tag}`);
    return t;
  }

  tableBytes(tag: string): Uint8Array {
    const t = this.table(tag);
    return this.bytes.subarray(t.offset, t.offset + t.length);
  }

  advance(id: number): number {
    return this.advances[id] ?? 0;
  }

  lsb(id: number): number {
    return this.lsbs[id] ?? 0;
  }

  glyph(id: number): PreparedGlyph {
    let g = this.prepared.get(id);
    if (!g) {
      g = this.prepare(id);
      this.prepared.set(id, g);
    }
    return g;
  }

  private prepare(id: number): PreparedGlyph {
    if (id < 0 || id >= this.numGlyphs) return { data: new Uint8Array(0), components: [] };
    const start = this.table('glyf').offset + (this.loca[id] ?? 0);
    const end = this.table('glyf').offset + (this.loca[id + 1] ?? 0);
    if (end <= start) return { data: new Uint8Array(0), components: [] };
    const src = this.bytes.subarray(start, end);
    const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const contours = v.getInt16(0);
    if (contours >= 0) {
      // header(10) endPts(2n) instructionLength(2) instructions(len) flags+coordinates
      const lenAt = 10 + 2 * contours;
      const insLen = v.getUint16(lenAt);
      const data = new Uint8Array(src.length - insLen);
      data.set(src.subarray(0, lenAt), 0);
      // instructionLength is left as 0 by the fresh buffer
      data.set(src.subarray(lenAt + 2 + insLen), lenAt + 2);
      return { data, components: [] };
    }
    const data = new Uint8Array(src);
    const dv = new DataView(data.buffer);
    const components: { pos: number; id: number }[] = [];
    let pos = 10;
    let flags: number;
    do {
      flags = dv.getUint16(pos);
      dv.setUint16(pos, flags & ~WE_HAVE_INSTRUCTIONS);
      components.push({ pos: pos + 2, id: dv.getUint16(pos + 2) });
      pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      if (flags & WE_HAVE_A_SCALE) pos += 2;
      else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) pos += 4;
      else if (flags & WE_HAVE_A_TWO_BY_TWO) pos += 8;
    } while (flags & MORE_COMPONENTS);
    return { data: data.subarray(0, pos), components };
  }
}

function checksum(data: Uint8Array): number {
  let sum = 0;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
  if (whole < data.length) {
    let last = 0;
    for (let i = whole; i < whole + 4; i++) last = (last << 8) | (data[i] ?? 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

/** The subset interface pdf-lib's CustomFontSubsetEmbedder uses: includeGlyph, encodeStream, cff. */
export class TtfSubset {
  readonly cff = false;
  private readonly glyphs: number[] = [];
  private readonly mapping = new Map<number, number>();

  constructor(private readonly source: TtfSource) {
    this.includeGlyph(0); // .notdef stays glyph 0
  }

  includeGlyph(glyph: number | { id: number }): number {
    const id = typeof glyph === 'number' ? glyph : glyph.id;
    let mapped = this.mapping.get(id);
    if (mapped === undefined) {
      mapped = this.glyphs.length;
      this.glyphs.push(id);
      this.mapping.set(id, mapped);
    }
    return mapped;
  }

  encode(): Uint8Array {
    const src = this.source;
    const parts: Uint8Array[] = [];
    const offsets: number[] = [];
    let size = 0;
    // Components of composites are appended while iterating, as fontkit does.
    for (let i = 0; i < this.glyphs.length; i++) {
      const g = src.glyph(this.glyphs[i] ?? 0);
      let data = g.data;
      if (g.components.length > 0) {
        data = new Uint8Array(g.data);
        const dv = new DataView(data.buffer);
        for (const c of g.components) dv.setUint16(c.pos, this.includeGlyph(c.id));
      }
      offsets.push(size);
      parts.push(data);
      size += data.length;
    }
    offsets.push(size);
    const n = this.glyphs.length;

    const glyf = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      glyf.set(p, at);
      at += p.length;
    }
    const loca = new Uint8Array(4 * (n + 1));
    const locaView = new DataView(loca.buffer);
    offsets.forEach((o, i) => locaView.setUint32(4 * i, o));
    const hmtx = new Uint8Array(4 * n);
    const hmtxView = new DataView(hmtx.buffer);
    this.glyphs.forEach((id, i) => {
      hmtxView.setUint16(4 * i, src.advance(id));
      hmtxView.setInt16(4 * i + 2, src.lsb(id));
    });
    const head = new Uint8Array(src.tableBytes('head'));
    const headView = new DataView(head.buffer);
    headView.setUint32(8, 0); // checkSumAdjustment, set below
    headView.setInt16(50, 1); // long loca offsets
    const hhea = new Uint8Array(src.tableBytes('hhea'));
    new DataView(hhea.buffer).setUint16(34, n);
    const maxp = new Uint8Array(src.tableBytes('maxp'));
    new DataView(maxp.buffer).setUint16(4, n);

    const tables: [string, Uint8Array][] = [
      ['glyf', glyf],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', loca],
      ['maxp', maxp],
    ];
    const dirSize = 12 + 16 * tables.length;
    let total = dirSize;
    for (const [, t] of tables) total += (t.length + 3) & ~3;
    const out = new Uint8Array(total);
    const ov = new DataView(out.buffer);
    ov.setUint32(0, 0x00010000);
    ov.setUint16(4, tables.length);
    const entrySelector = Math.floor(Math.log2(tables.length));
    ov.setUint16(6, 16 * 2 ** entrySelector);
    ov.setUint16(8, entrySelector);
    ov.setUint16(10, 16 * tables.length - 16 * 2 ** entrySelector);
    let offset = dirSize;
    let headOffset = 0;
    tables.forEach(([tag, data], i) => {
      const rec = 12 + 16 * i;
      for (let k = 0; k < 4; k++) out[rec + k] = tag.charCodeAt(k);
      ov.setUint32(rec + 4, checksum(data));
      ov.setUint32(rec + 8, offset);
      ov.setUint32(rec + 12, data.length);
      out.set(data, offset);
      if (tag === 'head') headOffset = offset;
      offset += (data.length + 3) & ~3;
    });
    ov.setUint32(headOffset + 8, (0xb1b0afba - checksum(out)) >>> 0);
    return out;
  }

  /** pdf-lib subscribes to 'data'/'end' right after this call returns, so emit on the next microtask. */
  encodeStream(): { on(event: string, fn: (arg?: unknown) => void): unknown } {
    const handlers = new Map<string, (arg?: unknown) => void>();
    const stream = {
      on(event: string, fn: (arg?: unknown) => void) {
        handlers.set(event, fn);
        return stream;
      },
    };
    queueMicrotask(() => {
      try {
        const bytes = this.encode();
        handlers.get('data')?.(bytes);
        handlers.get('end')?.();
      } catch (err) {
        handlers.get('error')?.(err);
      }
    });
    return stream;
  }
}
