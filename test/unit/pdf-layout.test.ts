import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { fontMetrics, sanitizeText } from '../../src/documents/pdf/fonts.js';
import { textWidth, wrapText } from '../../src/documents/pdf/layout.js';
import { TtfSource, TtfSubset } from '../../src/documents/pdf/ttfSubset.js';

const style = { size: 9 };

describe('wrapText', () => {
  const text =
    'Арендная плата за офисное помещение № 104 на 2-м этаже здания по адресу г. Москва, ул. Дубининская, ' +
    'д. 57, стр. 1, период с 01.11.2026 по 30.11.2026';

  it('keeps every line within the width and loses no word', () => {
    const lines = wrapText(text, style, 150);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(textWidth(line, style)).toBeLessThanOrEqual(150);
    expect(lines.join(' ')).toBe(text);
  });

  it('returns one line when the text fits', () => {
    expect(wrapText('Итого:', style, 500)).toEqual(['Итого:']);
    expect(wrapText('', style, 100)).toEqual(['']);
  });

  it('never breaks an amount at its no-break spaces', () => {
    const lines = wrapText('на сумму 1\u00a0010\u00a0149,57 руб.', style, 60);
    expect(lines).toContain('1\u00a0010\u00a0149,57');
  });

  it('breaks a word longer than the width between characters, and honours line breaks', () => {
    const url = 'https://qr.nspk.ru/AS1000670LSS7DN18SJQDNP4B05KLJL2?type=01&bank=100000000111';
    const lines = wrapText(url, style, 100);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe(url);
    for (const line of lines) expect(textWidth(line, style)).toBeLessThanOrEqual(100);
    expect(wrapText('Поставщик\n(Исполнитель):', style, 500)).toEqual(['Поставщик', '(Исполнитель):']);
  });
});

describe('font metrics and text sanitising', () => {
  it('measures with the advance widths of the font', () => {
    const m = fontMetrics('regular');
    const glyph = m.font.glyphForCodePoint('Ж'.codePointAt(0) ?? 0);
    expect(m.width('ЖЖ', 10)).toBeCloseTo((2 * glyph.advanceWidth * 10) / m.unitsPerEm, 6);
    expect(fontMetrics('bold').width('Итого', 9)).toBeGreaterThan(m.width('Итого', 9));
  });

  it('replaces what PT Sans cannot draw and odd spaces', () => {
    expect(sanitizeText('Аренда 🏠\tофис')).toBe('Аренда ? офис');
    expect(sanitizeText('25\u202f000,00')).toBe('25\u00a0000,00');
    expect(sanitizeText('№ «Ёлка» — 5 ₽')).toBe('№ «Ёлка» — 5 ₽');
  });
});

describe('TtfSubset', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../templates/fonts/PTS55F.ttf', import.meta.url)));
  const original = fontkit.create(bytes);

  function subsetOf(text: string) {
    const subset = new TtfSubset(new TtfSource(bytes));
    const ids = [...text].map((ch) => subset.includeGlyph(original.glyphForCodePoint(ch.codePointAt(0) ?? 0)));
    return { ids, font: fontkit.create(subset.encode()) };
  }

  it('is a TrueType font another reader parses, with the same outlines and widths', () => {
    const text = 'Щ№«»A1';
    const { ids, font } = subsetOf(text);
    expect(font.numGlyphs).toBe(text.length + 1);
    [...text].forEach((ch, i) => {
      const src = original.glyphForCodePoint(ch.codePointAt(0) ?? 0);
      const dst = font.getGlyph(ids[i] ?? 0);
      expect(dst.advanceWidth).toBe(src.advanceWidth);
      expect(dst.path.bbox).toEqual(src.path.bbox);
      expect(dst.path.toSVG()).toBe(src.path.toSVG());
    });
  });

  it('brings the components of composite glyphs (ё, й) along and renumbers them', () => {
    const { ids, font } = subsetOf('ёй');
    // е + dieresis and и + breve are appended after the two requested glyphs
    expect(font.numGlyphs).toBe(1 + 2 + 4);
    ['ё', 'й'].forEach((ch, i) => {
      const src = original.glyphForCodePoint(ch.codePointAt(0) ?? 0);
      expect(font.getGlyph(ids[i] ?? 0).path.bbox).toEqual(src.path.bbox);
    });
  });

  it('drops the hinting programs, which roughly halves the glyph data', async () => {
    const text = 'Счет на оплату № 15 от 1 декабря 2026 г. АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ 0123456789';
    const ours = new TtfSubset(new TtfSource(bytes));
    const theirs = original.createSubset();
    for (const ch of text) {
      const g = original.glyphForCodePoint(ch.codePointAt(0) ?? 0);
      ours.includeGlyph(g);
      theirs.includeGlyph(g);
    }
    const reference = await new Promise<Uint8Array>((resolve, reject) => {
      const parts: Uint8Array[] = [];
      theirs
        .encodeStream()
        .on('data', (b: Uint8Array) => parts.push(b))
        .on('end', () => resolve(Buffer.concat(parts)));
      setTimeout(() => reject(new Error('fontkit subset did not finish')), 5000);
    });
    const size = ours.encode().length;
    expect(size).toBeLessThan(reference.length * 0.7);
    const parsed = fontkit.create(ours.encode()) as unknown as { directory: { tables: Record<string, unknown> } };
    const tables = Object.keys(parsed.directory.tables).sort();
    expect(tables).toEqual(['glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp']);
  });
});
