/**
 * Flow layout: text measuring and wrapping, a cursor that moves down the page and opens new pages,
 * and a table whose rows wrap inside their cells and whose header is repeated on every page.
 */
import { PageCanvas, type TextStyle } from './canvas.js';
import { fontMetrics, type EmbeddedFonts, type FontStyle } from './fonts.js';

export function textWidth(s: string, style: TextStyle): number {
  return fontMetrics(style.font ?? 'regular').width(s, style.size);
}

/** Line advance for a font size; PT Sans needs about 1.2 em to keep Cyrillic capitals and descenders apart. */
export function lineHeight(size: number): number {
  return size * 1.22;
}

/** Breaks an over-long word into pieces that fit, at character boundaries. */
function breakWord(word: string, font: FontStyle, size: number, width: number): string[] {
  const m = fontMetrics(font);
  const out: string[] = [];
  let cur = '';
  for (const ch of word) {
    if (cur !== '' && m.width(cur + ch, size) > width) {
      out.push(cur);
      cur = ch;
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * Greedy word wrap on plain spaces (no-break spaces inside amounts keep them whole); explicit «\n»
 * starts a new line. Widths come from the cached advance table, so wrapping is cheap.
 */
export function wrapText(text: string, style: TextStyle, width: number): string[] {
  const font = style.font ?? 'regular';
  const m = fontMetrics(font);
  const size = style.size;
  const spaceW = m.width(' ', size);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const words = paragraph.split(' ').filter((w) => w !== '');
    let cur = '';
    let curW = 0;
    for (const word of words) {
      const w = m.width(word, size);
      if (cur === '' && w <= width) {
        cur = word;
        curW = w;
      } else if (cur !== '' && curW + spaceW + w <= width) {
        cur += ` ${word}`;
        curW += spaceW + w;
      } else {
        if (cur !== '') lines.push(cur);
        if (w <= width) {
          cur = word;
          curW = w;
        } else {
          const pieces = breakWord(word, font, size, width);
          cur = pieces.pop() ?? '';
          lines.push(...pieces);
          curW = m.width(cur, size);
        }
      }
    }
    lines.push(cur);
  }
  return lines;
}

export interface Frame {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The cursor of a multi-page document; `y` is the top-down position of the next thing to draw. */
export class Flow {
  readonly pages: PageCanvas[] = [];
  y: number;
  /** Called on every page after the first, before anything else is drawn on it (continuation caption). */
  onNewPage: ((flow: Flow) => void) | undefined;

  constructor(
    private readonly fonts: EmbeddedFonts,
    readonly frame: Frame,
    private readonly pageSize: { width: number; height: number },
  ) {
    this.pages.push(new PageCanvas(pageSize.width, pageSize.height, fonts));
    this.y = frame.top;
  }

  get canvas(): PageCanvas {
    const page = this.pages[this.pages.length - 1];
    if (page === undefined) throw new Error('Flow has no page');
    return page;
  }

  get width(): number {
    return this.frame.right - this.frame.left;
  }

  room(): number {
    return this.frame.bottom - this.y;
  }

  newPage(): void {
    this.pages.push(new PageCanvas(this.pageSize.width, this.pageSize.height, this.fonts));
    this.y = this.frame.top;
    this.onNewPage?.(this);
  }

  /** Opens a new page unless `height` still fits on this one. */
  ensure(height: number): void {
    if (this.y + height > this.frame.bottom && this.y > this.frame.top) this.newPage();
  }

  /** Draws wrapped lines at x, advancing the cursor; returns the number of lines. */
  paragraph(text: string, x: number, width: number, style: TextStyle, align: 'left' | 'right' = 'left'): number {
    const lines = wrapText(text, style, width);
    const lh = lineHeight(style.size);
    for (const line of lines) {
      this.ensure(lh);
      const baseline = this.y + style.size;
      if (align === 'right') this.canvas.textRight(line, x + width, baseline, style);
      else this.canvas.text(line, x, baseline, style);
      this.y += lh;
    }
    return lines.length;
  }
}

export interface Column {
  title: string;
  width: number;
  align: 'left' | 'right' | 'center';
}

export interface TableStyle {
  body: TextStyle;
  header: TextStyle;
  padX: number;
  padY: number;
  /** Gray level of the header background. */
  headerFill: number;
  inner: number;
  outer: number;
}

interface PreparedRow {
  cells: string[][];
  height: number;
}

function prepareRow(cells: string[], columns: Column[], style: TextStyle, t: TableStyle): PreparedRow {
  const wrapped = columns.map((col, i) => wrapText(cells[i] ?? '', style, col.width - 2 * t.padX));
  const lines = Math.max(1, ...wrapped.map((w) => w.length));
  return { cells: wrapped, height: lines * lineHeight(style.size) + 2 * t.padY };
}

function drawRow(flow: Flow, row: PreparedRow, columns: Column[], style: TextStyle, t: TableStyle): void {
  const c = flow.canvas;
  const top = flow.y;
  const lh = lineHeight(style.size);
  let x = flow.frame.left;
  columns.forEach((col, i) => {
    const lines = row.cells[i] ?? [];
    // Header titles are centred vertically; body cells start at the top like 1C prints them.
    const offset = style === t.header ? (row.height - 2 * t.padY - lines.length * lh) / 2 : 0;
    lines.forEach((line, k) => {
      const baseline = top + t.padY + offset + k * lh + style.size * 0.9;
      const align = style === t.header ? 'center' : col.align;
      if (align === 'right') c.textRight(line, x + col.width - t.padX, baseline, style);
      else if (align === 'center') c.textCenter(line, x + col.width / 2, baseline, style);
      else c.text(line, x + t.padX, baseline, style);
    });
    if (i > 0) c.line(x, top, x, top + row.height, t.inner);
    x += col.width;
  });
  flow.y += row.height;
}

/**
 * Draws a table that may run over several pages: the header is repeated at the top of every page and
 * each page's part gets its own thick outer border. `keepWithLast` is the height of whatever must follow
 * the last row on the same page (the totals), so the last row moves over with it instead of leaving the
 * totals alone on a page. A table of one row uses `keepWithOnly` instead: moving its only row would leave a
 * page with no rows at all, so only what must never be parted from it (the totals) is kept with it.
 */
export function drawTable(
  flow: Flow,
  columns: Column[],
  rows: string[][],
  t: TableStyle,
  keepWithLast = 0,
  keepWithOnly = keepWithLast,
): void {
  const header = prepareRow(
    columns.map((col) => col.title),
    columns,
    t.header,
    t,
  );
  const prepared = rows.map((r) => prepareRow(r, columns, t.body, t));
  const width = columns.reduce((s, col) => s + col.width, 0);
  let segmentTop = 0;

  const startSegment = () => {
    segmentTop = flow.y;
    flow.canvas.rect(flow.frame.left, flow.y, width, header.height, { fill: t.headerFill });
    drawRow(flow, header, columns, t.header, t);
    flow.canvas.line(flow.frame.left, flow.y, flow.frame.left + width, flow.y, t.inner * 1.5);
  };
  const endSegment = () => {
    flow.canvas.rect(flow.frame.left, segmentTop, width, flow.y - segmentTop, { stroke: t.outer });
  };

  const firstHeight = (prepared[0]?.height ?? 0) + (prepared.length === 1 ? keepWithOnly : 0);
  flow.ensure(header.height + firstHeight);
  startSegment();
  let firstInSegment = true;
  prepared.forEach((row, i) => {
    const isLast = i === prepared.length - 1;
    const need = row.height + (isLast ? (prepared.length === 1 ? keepWithOnly : keepWithLast) : 0);
    if (flow.y + need > flow.frame.bottom && !firstInSegment) {
      endSegment();
      flow.newPage();
      startSegment();
      firstInSegment = true;
    }
    if (!firstInSegment) flow.canvas.line(flow.frame.left, flow.y, flow.frame.left + width, flow.y, t.inner);
    drawRow(flow, row, columns, t.body, t);
    firstInSegment = false;
  });
  endSegment();
}
