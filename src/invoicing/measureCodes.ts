/**
 * Our printed unit names → OKEI codes (ОК 015-94), the `measureCode` Bitrix24 product rows take.
 * The platform names the unit itself from the code (b24restdocs:
 * api-reference/crm/universal/product-rows/crm-item-productrow-set.md — measureName is computed and a
 * sent one ignored), using the portal's catalog of units (api-reference/catalog/measure/index.md), so a
 * unit is written by its code or not at all. Names are compared without case, dots and spaces.
 */
const CODES: ReadonlyArray<readonly [number, readonly string[]]> = [
  [796, ['шт', 'штука', 'штук']],
  [6, ['м', 'метр']],
  [55, ['м²', 'м2', 'кв.м', 'квм', 'метр квадратный']],
  [113, ['м³', 'м3', 'куб.м', 'кубм']],
  [112, ['л', 'литр']],
  [163, ['г', 'грамм']],
  [166, ['кг', 'килограмм']],
  [356, ['ч', 'час']],
  [359, ['сут', 'сутки', 'дн', 'день']],
  [362, ['мес', 'месяц']],
  [364, ['кварт', 'квартал']],
  [366, ['год']],
  [876, ['усл.ед', 'услед', 'условная единица']],
];

const key = (name: string) => name.toLowerCase().replace(/[\s.]+/g, '');

const BY_NAME = new Map<string, number>(CODES.flatMap(([code, names]) => names.map((n) => [key(n), code] as const)));

/** OKEI code of a printed unit name, or undefined for a unit we do not know (the row is then written without one). */
export function measureCodeOf(unit: string): number | undefined {
  return BY_NAME.get(key(unit));
}
