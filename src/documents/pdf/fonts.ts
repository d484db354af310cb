/**
 * PT Sans (ParaType Free Font License, templates/fonts/PT-Sans-LICENSE.txt), embedded as subsets.
 *
 * Parsing a TrueType file and shaping text with fontkit dominate the render time, so:
 * - each font file is read and parsed once per process and the parsed object is reused by every document;
 * - subsets are built by ttfSubset.ts from glyphs prepared once, not re-encoded by fontkit per document;
 * - text is mapped to glyphs through the cmap only. Full OpenType shaping (GSUB/GPOS) buys nothing for
 *   Cyrillic and Latin business text, and pdf-lib ignores GPOS positions anyway, so what we measure is
 *   exactly what is drawn; it also keeps ligatures out, which keeps copy-paste and pdftotext exact.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import { AppError } from '../../errors.js';
import { TtfSource, TtfSubset } from './ttfSubset.js';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type FontkitFont = ReturnType<Fontkit['create']>;
type FontkitGlyph = ReturnType<FontkitFont['glyphForCodePoint']>;

/**
 * fontkit (≈ 11 MB resident) is required on the first font parsed, not when this module loads: the document rules
 * import `unprintableChars` from here, and a process that never checks or draws a document should not carry it.
 * Its package is CommonJS, so a synchronous require keeps `isPrintable` synchronous.
 */
let fontkitModule: Fontkit | undefined;
const fontkit = (): Fontkit => (fontkitModule ??= createRequire(import.meta.url)('@pdf-lib/fontkit') as Fontkit);

export type FontStyle = 'regular' | 'bold';

const FONT_FILES: Record<FontStyle, string> = {
  regular: 'PTS55F.ttf',
  bold: 'PTS75F.ttf',
};

/** src/documents/pdf → project root; the same depth holds for dist/documents/pdf. */
const FONT_DIR = new URL('../../../templates/fonts/', import.meta.url);

/** Metrics of one font: advance widths per code point, cached in a flat table for the BMP. */
export class FontMetrics {
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  private readonly advances = new Float64Array(0x10000).fill(-1);
  private readonly glyphs = new Map<number, FontkitGlyph>();

  constructor(readonly font: FontkitFont) {
    this.unitsPerEm = font.unitsPerEm;
    this.ascent = font.ascent;
    this.descent = font.descent;
  }

  has(cp: number): boolean {
    return this.font.hasGlyphForCodePoint(cp);
  }

  glyph(cp: number): FontkitGlyph {
    let g = this.glyphs.get(cp);
    if (g === undefined) {
      g = memoizeDecode(this.font.glyphForCodePoint(cp));
      this.glyphs.set(cp, g);
    }
    return g;
  }

  glyphById(id: number, codePoints?: number[]): FontkitGlyph {
    return memoizeDecode(this.font.getGlyph(id, codePoints));
  }

  /** Width of `text` at `size` points, in points. */
  width(text: string, size: number): number {
    let units = 0;
    for (let i = 0; i < text.length; i++) {
      const cp = text.charCodeAt(i);
      let adv = this.advances[cp] ?? -1;
      if (adv < 0) {
        adv = this.glyph(cp).advanceWidth;
        this.advances[cp] = adv;
      }
      units += adv;
    }
    return (units * size) / this.unitsPerEm;
  }
}

const memoized = new WeakSet<object>();

/**
 * The subsetter decodes every glyph's outline again for every document only to learn whether it is a
 * composite. Glyph objects are shared per process, so decode each once. Safe because nothing here asks
 * fontkit for glyph paths (the only code that would transform the decoded points).
 */
function memoizeDecode(glyph: FontkitGlyph): FontkitGlyph {
  if (memoized.has(glyph)) return glyph;
  const g = glyph as unknown as { _decode: () => unknown };
  const decode = g._decode;
  let decoded: unknown;
  let done = false;
  g._decode = function memoDecode(this: unknown) {
    if (!done) {
      decoded = decode.call(this);
      done = true;
    }
    return decoded;
  };
  memoized.add(glyph);
  return glyph;
}

/**
 * A fontkit font whose `layout` is a plain cmap lookup through the shared glyph cache. It inherits
 * everything else (subsetting, tables) from the parsed font, so pdf-lib's subset embedder works unchanged.
 */
function cmapOnlyFont(metrics: FontMetrics, source: TtfSource): FontkitFont {
  const fast = Object.create(metrics.font) as FontkitFont;
  const layout = (text: string) => {
    const glyphs: FontkitGlyph[] = new Array(text.length);
    for (let i = 0; i < text.length; i++) glyphs[i] = metrics.glyph(text.charCodeAt(i));
    return { glyphs } as unknown as ReturnType<FontkitFont['layout']>;
  };
  Object.defineProperty(fast, 'layout', { value: layout });
  Object.defineProperty(fast, 'getGlyph', {
    value: (id: number, codePoints?: number[]) => metrics.glyphById(id, codePoints),
  });
  Object.defineProperty(fast, 'createSubset', { value: () => new TtfSubset(source) });
  return fast;
}

interface LoadedFont {
  bytes: Uint8Array;
  metrics: FontMetrics;
  fast: FontkitFont;
}

let loaded: Record<FontStyle, LoadedFont> | undefined;

function loadFont(style: FontStyle): LoadedFont {
  const url = new URL(FONT_FILES[style], FONT_DIR);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch (err) {
    throw new AppError('FONT_MISSING', `Не найден шрифт ${FONT_FILES[style]} в templates/fonts`, { cause: err });
  }
  const metrics = new FontMetrics(fontkit().create(bytes) as unknown as FontkitFont);
  return { bytes, metrics, fast: cmapOnlyFont(metrics, new TtfSource(bytes)) };
}

function fonts(): Record<FontStyle, LoadedFont> {
  loaded ??= { regular: loadFont('regular'), bold: loadFont('bold') };
  return loaded;
}

export function fontMetrics(style: FontStyle): FontMetrics {
  return fonts()[style].metrics;
}

/** Hands pdf-lib the already parsed font for the bytes it was given instead of parsing them again. */
const cachedFontkit: Fontkit = {
  create(buffer: Uint8Array): FontkitFont {
    const all = fonts();
    for (const style of ['regular', 'bold'] as const) if (all[style].bytes === buffer) return all[style].fast;
    return fontkit().create(buffer) as unknown as FontkitFont;
  },
};

export interface EmbeddedFonts {
  regular: PDFFont;
  bold: PDFFont;
}

/**
 * Embeds both fonts as subsets. `subsetTag` (six capital letters) prefixes the PostScript names as the
 * PDF spec asks for subsets («ABCDEF+PTSans-Regular»); the caller derives it from the document so the
 * output stays deterministic, where pdf-lib would append a pseudo-random suffix instead.
 */
export async function embedFonts(doc: PDFDocument, subsetTag: string): Promise<EmbeddedFonts> {
  const all = fonts();
  doc.registerFontkit(cachedFontkit);
  const name = (style: FontStyle, shift: number) =>
    `${[...subsetTag].map((c) => String.fromCharCode(65 + ((c.charCodeAt(0) - 65 + shift) % 26))).join('')}+${
      all[style].metrics.font.postscriptName
    }`;
  const regular = await doc.embedFont(all.regular.bytes, { subset: true, customName: name('regular', 0) });
  const bold = await doc.embedFont(all.bold.bytes, { subset: true, customName: name('bold', 7) });
  return { regular, bold };
}

const SPACE_LIKE = /[\t\u2000-\u200A\u202F\u205F\u3000]/g;
const SPACE_LIKE_ONE = /^[\t\u2000-\u200A\u202F\u205F\u3000]$/;
const supported = new Int8Array(0x10000);

/** Whether both document fonts have a glyph for the code point (odd spaces count: they print as spaces). */
export function isPrintable(cp: number): boolean {
  if (cp < 0x10000) {
    const known = supported[cp] ?? 0;
    if (known !== 0) return known === 1;
  }
  const ok =
    SPACE_LIKE_ONE.test(String.fromCodePoint(cp)) ||
    (cp >= 0x20 && cp !== 0x7f && fontMetrics('regular').has(cp) && fontMetrics('bold').has(cp));
  if (cp < 0x10000) supported[cp] = ok ? 1 : -1;
  return ok;
}

/**
 * The characters of `text` the document fonts cannot print (emoji, CJK, control characters), each once, in
 * order. Line breaks (`\n`, `\r\n` from the CRM) are layout, not characters.
 */
export function unprintableChars(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x0a || cp === 0x0d) continue;
    if (!isPrintable(cp)) found.add(ch);
  }
  return [...found];
}

/**
 * Text as the font can draw it: `\r\n` and a lone `\r` become the `\n` the wrapper breaks on, odd spaces
 * become no-break/plain spaces, and anything PT Sans has no glyph for becomes «?» rather than a blank box.
 * Documents with such text are refused before drawing (documents/rules.ts); «?» is the last resort for
 * text that does not come from the document.
 */
export function sanitizeText(text: string): string {
  const s = text.replace(/\r\n?/g, '\n').replace(SPACE_LIKE, (c) => (c === '\t' ? ' ' : '\u00A0'));
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    out += cp === 0x0a || isPrintable(cp) ? ch : '?';
  }
  return out;
}
