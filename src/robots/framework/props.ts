import { z } from 'zod';

/**
 * Converters for robot property values. Bitrix24 sends every scalar as a string and an empty or
 * unset value as '' (b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md, «handler»), so "optional" means "'' or absent".
 */
const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

export const optional = <T extends z.ZodType>(s: T) => z.preprocess(emptyToUndefined, s.optional());

/** `Y`/`N` (also 1/0, true/false as some portals render bool fields). */
export const yesNo = (def: boolean) =>
  z.preprocess(
    (v) => {
      if (v === '' || v === undefined || v === null) return def;
      const s = String(v).trim().toLowerCase();
      if (['y', '1', 'true', 'yes', 'да'].includes(s)) return true;
      if (['n', '0', 'false', 'no', 'нет'].includes(s)) return false;
      return v;
    },
    z.boolean({ error: 'ожидается Y (да) или N (нет)' }),
  );

export const positiveInt = z.coerce
  .number({ error: 'ожидается целое число' })
  .int('ожидается целое число')
  .min(0, 'число не может быть отрицательным');

/**
 * A date as a portal renders it: `2026-12-01`, `01.12.2026` (also `1.12.2026`) or `2026-12-01T00:00:00+03:00`.
 * Normalised to YYYY-MM-DD (the calendar date as written, no time zone shift).
 */
export const portalDate = z.string().transform((v, ctx) => {
  const s = v.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s);
  let y: string | undefined, mo: string | undefined, d: string | undefined;
  if (m) [, y, mo, d] = m;
  else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s.*)?$/.exec(s))) {
    [, d, mo, y] = m;
    d = d!.padStart(2, '0');
    mo = mo!.padStart(2, '0');
  }
  const iso = `${y}-${mo}-${d}`;
  const t = new Date(`${iso}T00:00:00Z`);
  if (!y || Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso) {
    ctx.addIssue({ code: 'custom', message: `«${v}» — не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)` });
    return z.NEVER;
  }
  return iso;
});

/** `user_12`, `12` → 12. */
export const userId = z.string().transform((v, ctx) => {
  const m = /^(?:user_)?(\d+)$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `«${v}» — не сотрудник (ожидается user_<ID>)` });
    return z.NEVER;
  }
  return Number(m[1]);
});

/** A multiple property arrives as `properties[x][0..n]` (an array) or a single string. */
export const many = <T extends z.ZodType>(s: T) =>
  z.preprocess((v) => {
    if (v === '' || v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.filter((x) => x !== '');
    if (typeof v === 'object') return Object.values(v as object).filter((x) => x !== '');
    return String(v)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  }, z.array(s));
