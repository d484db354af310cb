/**
 * Document numbers from a per-company template: `{seq}`, `{seq:N}` (zero-padded to N digits), `{yyyy}`,
 * `{yy}`, `{mm}`, plus literal letters, digits and `- / _ .`. The number is printed on the document and
 * goes into the QR `DocNo` field, which holds at most 15 characters; `|` would end the QR field early,
 * so literals are limited to a safe set.
 */
import { AppError } from '../errors.js';
import { isIsoDate } from '../documents/dates.js';

/** GOST R 56042 `DocNo` limit. */
export const MAX_DOCUMENT_NUMBER_LENGTH = 15;
/** Templates are checked for sequence numbers up to this many digits (999 999 documents). */
export const ASSUMED_MAX_SEQ_DIGITS = 6;

const TOKEN_RE = /\{([^{}]*)\}/g;
const LITERAL_RE = /^[0-9A-Za-zА-Яа-яЁё\-/_.]*$/u;

type Token = { kind: 'literal'; text: string } | { kind: 'seq'; pad: number } | { kind: 'yyyy' | 'yy' | 'mm' };

function templateError(message: string, template: string): AppError {
  return new AppError('INVALID_NUMBER_TEMPLATE', message, { details: { template } });
}

function tokenize(template: string): Token[] {
  if (typeof template !== 'string' || template.trim() === '') {
    throw templateError('Шаблон номера пуст. Пример шаблона: {seq} или СЧ-{yy}{mm}-{seq:4}.', String(template));
  }
  const tokens: Token[] = [];
  let last = 0;
  const pushLiteral = (text: string): void => {
    if (!text) return;
    if (!LITERAL_RE.test(text)) {
      throw templateError(
        `В шаблоне номера «${template}» недопустимые символы в «${text}». Можно использовать буквы, цифры и знаки - / _ .`,
        template,
      );
    }
    tokens.push({ kind: 'literal', text });
  };
  for (const m of template.matchAll(TOKEN_RE)) {
    pushLiteral(template.slice(last, m.index));
    const name = m[1] ?? '';
    const seq = /^seq(?::(\d{1,2}))?$/.exec(name);
    if (seq) {
      const pad = seq[1] === undefined ? 0 : Number(seq[1]);
      if (seq[1] !== undefined && (pad < 1 || pad > 10)) {
        throw templateError(`В шаблоне номера «${template}» ширина {seq:N} должна быть от 1 до 10.`, template);
      }
      tokens.push({ kind: 'seq', pad });
    } else if (name === 'yyyy' || name === 'yy' || name === 'mm') {
      tokens.push({ kind: name });
    } else {
      throw templateError(
        `В шаблоне номера «${template}» неизвестная подстановка {${name}}. Доступны {seq}, {seq:N}, {yyyy}, {yy}, {mm}.`,
        template,
      );
    }
    last = (m.index ?? 0) + m[0].length;
  }
  pushLiteral(template.slice(last));
  return tokens;
}

function render(tokens: Token[], seqText: (pad: number) => string, date: { yyyy: string; mm: string }): string {
  return tokens
    .map((t) => {
      switch (t.kind) {
        case 'literal':
          return t.text;
        case 'seq':
          return seqText(t.pad);
        case 'yyyy':
          return date.yyyy;
        case 'yy':
          return date.yyyy.slice(2);
        case 'mm':
          return date.mm;
      }
    })
    .join('');
}

/**
 * Checks a template when a company saves it: known placeholders only, `{seq}` present, safe literals,
 * and a number of at most 15 characters for sequence numbers up to 999 999. Throws AppError
 * INVALID_NUMBER_TEMPLATE with a message for the admin.
 */
export function validateNumberTemplate(template: string): void {
  const tokens = tokenize(template);
  if (!tokens.some((t) => t.kind === 'seq')) {
    throw templateError(
      `В шаблоне номера «${template}» нет порядкового номера {seq}: номера документов повторялись бы.`,
      template,
    );
  }
  const longest = render(tokens, (pad) => '9'.repeat(Math.max(pad, ASSUMED_MAX_SEQ_DIGITS)), { yyyy: '2026', mm: '12' });
  if (longest.length > MAX_DOCUMENT_NUMBER_LENGTH) {
    throw templateError(
      `Номер по шаблону «${template}» может получиться длиной ${longest.length} символов (например «${longest}»), ` +
        `а в QR-код помещается не больше ${MAX_DOCUMENT_NUMBER_LENGTH}. Сократите шаблон.`,
      template,
    );
  }
}

/**
 * «СЧ-{yy}{mm}-{seq:4}», seq 42, 2026-12-01 → «СЧ-2612-0042». A sequence longer than the padding is
 * printed in full. Throws AppError INVALID_NUMBER_TEMPLATE, INVALID_DOCUMENT_SEQ, INVALID_DATE or
 * DOCUMENT_NUMBER_TOO_LONG.
 */
export function formatDocumentNumber(template: string, v: { seq: number; date: string }): string {
  const tokens = tokenize(template);
  if (!Number.isSafeInteger(v.seq) || v.seq < 1) {
    throw new AppError('INVALID_DOCUMENT_SEQ', `Порядковый номер документа должен быть целым числом больше нуля, а не «${v.seq}».`, {
      details: { seq: v.seq },
    });
  }
  if (!isIsoDate(v.date)) {
    throw new AppError('INVALID_DATE', `Дата документа «${v.date}» должна быть в формате ГГГГ-ММ-ДД.`, { details: { date: v.date } });
  }
  const [yyyy = '', mm = ''] = v.date.split('-');
  const number = render(tokens, (pad) => String(v.seq).padStart(pad, '0'), { yyyy, mm });
  if (number.length > MAX_DOCUMENT_NUMBER_LENGTH) {
    throw new AppError(
      'DOCUMENT_NUMBER_TOO_LONG',
      `Номер документа «${number}» длиннее ${MAX_DOCUMENT_NUMBER_LENGTH} символов и не помещается в QR-код. Сократите шаблон номера.`,
      { details: { number, template } },
    );
  }
  return number;
}
