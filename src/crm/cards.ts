import type { BitrixMultiField } from '../invoicing/bitrixTypes.js';

/** A CRM reference that is set: Bitrix24 writes "no link" as '', null or '0'. */
export function linkedId(v: unknown): string | undefined {
  return v !== undefined && v !== null && String(v) !== '' && String(v) !== '0' ? String(v) : undefined;
}

/** The e-mail addresses of a company or contact card, work addresses first (the documented default recipient). */
export function cardEmails(card: Record<string, unknown> | undefined): string[] {
  const list = Array.isArray(card?.EMAIL) ? (card!.EMAIL as BitrixMultiField[]) : [];
  const sorted = [...list].sort((a, b) => Number(b.VALUE_TYPE === 'WORK') - Number(a.VALUE_TYPE === 'WORK'));
  return sorted.map((e) => String(e.VALUE ?? '').trim()).filter(Boolean);
}

/** A person's name from the given fields in order, e.g. LAST_NAME NAME SECOND_NAME for a contact. */
export function personName(c: Record<string, unknown>, order: readonly string[] = ['LAST_NAME', 'NAME', 'SECOND_NAME']): string {
  return order
    .map((k) => c[k])
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    .map((x) => x.trim())
    .join(' ');
}
