/**
 * Amount in words, 1C style: «Двадцать пять тысяч рублей 00 копеек».
 * Integer part in words (capitalised), kopecks as two digits; thousands are feminine, the noun form is
 * chosen by n % 100 (11–14 → genitive plural) and then n % 10. Works on integer kopecks only.
 */
import { AppError } from '../errors.js';

type Forms = readonly [one: string, few: string, many: string];

const UNITS_M = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const UNITS_F = ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const TEENS = [
  'десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать',
  'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать',
];
const TENS = [
  '', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто',
];
const HUNDREDS = [
  '', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот',
];

/** Scale words from 10^3 upwards, with the gender of their numerals. */
const SCALES: { forms: Forms; feminine: boolean }[] = [
  { forms: ['тысяча', 'тысячи', 'тысяч'], feminine: true },
  { forms: ['миллион', 'миллиона', 'миллионов'], feminine: false },
  { forms: ['миллиард', 'миллиарда', 'миллиардов'], feminine: false },
  { forms: ['триллион', 'триллиона', 'триллионов'], feminine: false },
];

const RUBLE: Forms = ['рубль', 'рубля', 'рублей'];
const KOPECK: Forms = ['копейка', 'копейки', 'копеек'];

/** Russian plural form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль. */
export function pluralRu(n: number, forms: Forms): string {
  const n100 = n % 100;
  const n10 = n % 10;
  if (n100 >= 11 && n100 <= 14) return forms[2];
  if (n10 === 1) return forms[0];
  if (n10 >= 2 && n10 <= 4) return forms[1];
  return forms[2];
}

/** Words for 1..999 (empty for 0). */
function triadWords(n: number, feminine: boolean): string[] {
  const words: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h) words.push(HUNDREDS[h] ?? '');
  if (rest >= 10 && rest < 20) {
    words.push(TEENS[rest - 10] ?? '');
  } else {
    const t = Math.floor(rest / 10);
    const u = rest % 10;
    if (t) words.push(TENS[t] ?? '');
    if (u) words.push((feminine ? UNITS_F : UNITS_M)[u] ?? '');
  }
  return words;
}

/** Cardinal number in words, masculine («двадцать один»), «ноль» for 0. */
export function integerInWords(n: number, feminine = false): string {
  if (n === 0) return 'ноль';
  const words: string[] = [];
  let rest = n;
  const triads: number[] = [];
  while (rest > 0) {
    triads.push(rest % 1000);
    rest = Math.floor(rest / 1000);
  }
  for (let i = triads.length - 1; i >= 0; i--) {
    const t = triads[i] ?? 0;
    if (t === 0) continue;
    if (i === 0) {
      words.push(...triadWords(t, feminine));
    } else {
      const scale = SCALES[i - 1];
      if (!scale) throw new AppError('AMOUNT_TOO_LARGE', 'Сумма слишком велика для записи прописью');
      words.push(...triadWords(t, scale.feminine), pluralRu(t, scale.forms));
    }
  }
  return words.join(' ');
}

/** 2500000 → «Двадцать пять тысяч рублей 00 копеек». */
export function amountInWords(kopecks: number): string {
  if (!Number.isSafeInteger(kopecks) || kopecks < 0) {
    throw new AppError(
      'INVALID_AMOUNT',
      `Сумма прописью: ожидалось неотрицательное целое число копеек, получено ${kopecks}`,
      { details: { kopecks } },
    );
  }
  const rubles = Math.floor(kopecks / 100);
  const kop = kopecks % 100;
  const kopText = `${String(kop).padStart(2, '0')} ${pluralRu(kop, KOPECK)}`;
  const text = `${integerInWords(rubles)} ${pluralRu(rubles, RUBLE)} ${kopText}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
