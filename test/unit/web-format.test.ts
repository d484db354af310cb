import { describe, expect, it } from 'vitest';
import { formatDate, formatMoney } from '../../src/web/format.js';
import { missingEnglish, translate } from '../../src/web/i18n/index.js';

describe('numbers and dates as people read them', () => {
  it('writes roubles the Russian way', () => {
    expect(formatMoney(2_500_000, 'ru')).toBe('25\u00a0000,00\u00a0₽');
    expect(formatMoney(123_456_789_01, 'ru')).toBe('123\u00a0456\u00a0789,01\u00a0₽');
    expect(formatMoney(5, 'ru')).toBe('0,05\u00a0₽');
    expect(formatMoney(-150, 'ru')).toBe('−1,50\u00a0₽');
    expect(formatMoney(2_500_000, 'en')).toBe('25,000.00\u00a0₽');
  });

  it('writes dates day first', () => {
    expect(formatDate('2026-12-07', 'ru')).toBe('07.12.2026');
    expect(formatDate(null, 'ru')).toBe('—');
  });
});

describe('the pages speak Russian and English', () => {
  it('has every Russian text in English too', () => {
    expect(missingEnglish()).toEqual([]);
  });

  it('fills in values', () => {
    expect(translate('ru', 'list.page', { page: 2, pages: 5 })).toBe('Страница 2 из 5');
    expect(translate('en', 'list.page', { page: 2, pages: 5 })).toBe('Page 2 of 5');
  });
});
