/**
 * A page as a list of PDF content operators, in top-down coordinates (y grows downwards from the top
 * edge, as the layout code thinks). Operators are written as text directly rather than through pdf-lib's
 * per-operator objects: a document has a few hundred of them and this is the hot path of rendering.
 */
import { deflateSync } from 'node:zlib';
import { PDFName, type PDFDocument, type PDFImage, type PDFRef } from 'pdf-lib';
import { fontMetrics, type EmbeddedFonts, type FontStyle } from './fonts.js';

/** A4 in points. */
export const A4 = { width: 595.28, height: 841.89 } as const;
export const MM = 72 / 25.4;

const FONT_KEY: Record<FontStyle, string> = { regular: 'F1', bold: 'F2' };

export interface TextStyle {
  font?: FontStyle;
  size: number;
  /** 0 = black … 1 = white. */
  gray?: number;
}

/** Two decimals are far below what a printer resolves and keep the stream short and stable. */
function num(n: number): string {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function num4(n: number): string {
  return String(Math.round(n * 10000) / 10000);
}

/**
 * Joins runs of the same column and length in consecutive rows into one rectangle: a third fewer
 * operators in the page stream, which is mostly QR modules on a QR-invoice.
 */
export function mergeRuns(
  runs: readonly { row: number; col: number; length: number }[],
): { row: number; col: number; length: number; height: number }[] {
  const out: { row: number; col: number; length: number; height: number }[] = [];
  const open = new Map<number, { row: number; col: number; length: number; height: number }>();
  for (const r of runs) {
    const key = r.col * 65536 + r.length;
    const rect = open.get(key);
    if (rect && rect.row + rect.height === r.row) rect.height++;
    else {
      const fresh = { row: r.row, col: r.col, length: r.length, height: 1 };
      open.set(key, fresh);
      out.push(fresh);
    }
  }
  return out;
}

export class PageCanvas {
  private readonly ops: string[] = [];
  private readonly images = new Map<string, PDFRef>();
  private fillGray = 0;
  private strokeGray = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly fonts: EmbeddedFonts,
  ) {}

  /** Text with its baseline at top-down `y`. The text must already be sanitised (fonts.sanitizeText). */
  text(s: string, x: number, y: number, style: TextStyle): void {
    if (s === '') return;
    if (s.includes('\n')) s = s.replace(/\n/g, ' '); // a line break inside a one-line field
    const font = style.font ?? 'regular';
    this.setFill(style.gray ?? 0);
    const hex = this.fonts[font].encodeText(s).toString();
    this.ops.push(`BT /${FONT_KEY[font]} ${num(style.size)} Tf ${num(x)} ${num(this.height - y)} Td ${hex} Tj ET`);
  }

  textRight(s: string, right: number, y: number, style: TextStyle): void {
    this.text(s, right - fontMetrics(style.font ?? 'regular').width(s, style.size), y, style);
  }

  textCenter(s: string, center: number, y: number, style: TextStyle): void {
    this.text(s, center - fontMetrics(style.font ?? 'regular').width(s, style.size) / 2, y, style);
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, gray = 0): void {
    this.setStroke(gray);
    this.ops.push(`${num(width)} w ${num(x1)} ${num(this.height - y1)} m ${num(x2)} ${num(this.height - y2)} l S`);
  }

  /** Rectangle with top-left corner (x, y). */
  rect(x: number, y: number, w: number, h: number, opts: { fill?: number; stroke?: number; gray?: number }): void {
    const box = `${num(x)} ${num(this.height - y - h)} ${num(w)} ${num(h)} re`;
    if (opts.fill !== undefined) {
      this.setFill(opts.fill);
      this.ops.push(`${box} f`);
    }
    if (opts.stroke !== undefined) {
      this.setStroke(opts.gray ?? 0);
      this.ops.push(`${num(opts.stroke)} w ${box} S`);
    }
  }

  /**
   * QR modules as black runs in a grid of `module`-point cells whose top-left corner is (x, y). The grid is
   * set up with one transformation so every rectangle has integer coordinates: no rounding seams between rows.
   */
  modules(x: number, y: number, module: number, runs: readonly { row: number; col: number; length: number }[]): void {
    if (runs.length === 0) return;
    this.setFill(0);
    const parts: string[] = [`q ${num4(module)} 0 0 ${num4(-module)} ${num(x)} ${num(this.height - y)} cm`];
    for (const r of mergeRuns(runs)) parts.push(`${r.col} ${r.row} ${r.length} ${r.height} re`);
    parts.push('f Q');
    this.ops.push(parts.join('\n'));
  }

  /** Image with top-left corner (x, y), scaled to w × h. */
  image(img: PDFImage, x: number, y: number, w: number, h: number): void {
    let key = [...this.images].find(([, ref]) => ref === img.ref)?.[0];
    if (key === undefined) {
      key = `Im${this.images.size + 1}`;
      this.images.set(key, img.ref);
    }
    this.ops.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(this.height - y - h)} cm /${key} Do Q`);
  }

  private setFill(gray: number): void {
    if (gray !== this.fillGray) {
      this.fillGray = gray;
      this.ops.push(`${num(gray)} g`);
    }
  }

  private setStroke(gray: number): void {
    if (gray !== this.strokeGray) {
      this.strokeGray = gray;
      this.ops.push(`${num(gray)} G`);
    }
  }

  /** Adds the page to the document with one compressed content stream and its resources. */
  writeTo(doc: PDFDocument): void {
    const page = doc.addPage([this.width, this.height]);
    const ctx = doc.context;
    const content = Buffer.from(this.ops.join('\n'), 'latin1');
    // Level 2: the stream is mostly repetitive QR rectangles; default level 6 costs 6× the time for 15 % fewer bytes.
    const stream = ctx.stream(deflateSync(content, { level: 2 }), { Filter: 'FlateDecode' });
    const xobjects: Record<string, PDFRef> = {};
    for (const [key, ref] of this.images) xobjects[key] = ref;
    const resources = ctx.obj({
      Font: { F1: this.fonts.regular.ref, F2: this.fonts.bold.ref },
      ...(this.images.size > 0 ? { XObject: xobjects } : {}),
    });
    page.node.set(PDFName.of('Resources'), resources);
    page.node.set(PDFName.of('Contents'), ctx.register(stream));
  }
}
