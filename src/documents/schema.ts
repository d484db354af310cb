/**
 * Validation of the JSON document model at the edge (CLI, robots, API). Structure only: the requisite
 * checksums live in requisites/validate.ts and run in `validateForIssue`, because a stored snapshot must
 * still parse after a checksum rule changes.
 */
import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { validateBuyer, validateSeller } from '../requisites/validate.js';
import { isIsoDate } from './dates.js';
import type { DocumentModel } from './model.js';
import { documentTotals } from './purpose.js';
import { documentRuleIssues, earlyActIssues, unprintableIssues } from './rules.js';

const PRICE_RE = /^\d{1,13}(\.\d{1,2})?$/;
const QUANTITY_RE = /^\d+(\.\d{1,3})?$/;
/**
 * Control characters would corrupt the PDF text layer and the QR payload. Line breaks are text: `\n`, and
 * `\r\n` as Bitrix24 stores multi-line CRM fields.
 */
const CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function text(max: number, what: string) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `${what}: поле не заполнено` : `${what}: ожидалась строка`) })
    .refine((s) => s.trim().length > 0, { message: `${what}: поле не заполнено`, abort: true })
    .refine((s) => s.length <= max, { message: `${what}: не длиннее ${max} символов` })
    .refine((s) => !CONTROL_RE.test(s), { message: `${what}: недопустимые управляющие символы` });
}

function optionalText(max: number, what: string) {
  return text(max, what).optional();
}

const isoDate = z
  .string({ error: 'Дата: ожидалась строка ГГГГ-ММ-ДД' })
  .refine(isIsoDate, { message: 'Дата должна быть реальной датой в формате ГГГГ-ММ-ДД' });

const price = z
  .string({ error: 'Цена: ожидалась строка вида «25000.00»' })
  .regex(PRICE_RE, { message: 'Цена: неотрицательное число не более чем с двумя знаками после точки, например 25000.00' });

const quantity = z
  .number({ error: 'Количество: ожидалось число' })
  .refine((q) => Number.isFinite(q) && q > 0, { message: 'Количество должно быть больше нуля', abort: true })
  .refine((q) => q <= 1e9, { message: 'Количество: не больше 1 000 000 000', abort: true })
  .refine((q) => QUANTITY_RE.test(String(q)), {
    message: 'Количество: не более трёх знаков после запятой',
  });

const bank = z.strictObject({
  name: text(160, 'Банк'),
  bic: text(9, 'БИК'),
  corrAccount: text(20, 'Корр. счёт'),
  account: text(20, 'Расчётный счёт'),
});

const seller = z.strictObject({
  name: text(160, 'Наименование'),
  inn: text(12, 'ИНН'),
  kpp: optionalText(9, 'КПП'),
  ogrn: optionalText(15, 'ОГРН'),
  address: optionalText(300, 'Адрес'),
  phone: optionalText(60, 'Телефон'),
  director: optionalText(100, 'Руководитель'),
  directorTitle: optionalText(100, 'Должность'),
  accountant: optionalText(100, 'Бухгалтер'),
  bank,
});

const buyer = z.strictObject({
  name: text(300, 'Наименование'),
  inn: optionalText(12, 'ИНН'),
  kpp: optionalText(9, 'КПП'),
  address: optionalText(300, 'Адрес'),
  director: optionalText(100, 'Подписант'),
  directorTitle: optionalText(100, 'Должность'),
});

const line = z.strictObject({
  name: text(1000, 'Наименование'),
  quantity,
  unit: text(20, 'Единица'),
  price,
});

const vat = z.strictObject({
  mode: z.enum(['none', 'included', 'on_top'], { error: 'Режим НДС: none, included или on_top' }),
  rate: z
    .union([z.literal(22), z.literal(10), z.literal(7), z.literal(5), z.literal(0)], {
      error: 'Ставка НДС: 22, 10, 7, 5 или 0',
    })
    .optional(),
});

const httpsUrl = z.string({ error: 'Ссылка: ожидалась строка' }).refine(
  (s) => {
    if (s.length > 2000 || /\s/.test(s)) return false;
    try {
      const u = new URL(s);
      return u.protocol === 'https:' && u.hostname.length > 0;
    } catch {
      return false;
    }
  },
  { message: 'Ссылка на оплату должна быть адресом https://…' },
);

const qr = z.strictObject({
  mode: z.enum(['gost', 'link', 'none'], { error: 'Режим QR: gost, link или none' }),
  link: httpsUrl.optional(),
});

/** data:image/png;base64,… / data:image/jpeg;base64,… or bare base64. */
const image = z
  .string({ error: 'Изображение: ожидалась строка base64' })
  .refine((s) => /^(data:image\/(png|jpe?g);base64,)?[A-Za-z0-9+/=\s]+$/.test(s) && s.length <= 4_000_000, {
    message: 'Изображение: PNG или JPEG в base64 (data:image/png;base64,…), не больше 3 МБ',
  });

const images = z.strictObject({ logo: image.optional(), signature: image.optional(), stamp: image.optional() });

const documentSchema = z
  .strictObject({
    kind: z.enum(['invoice', 'qr_invoice', 'act'], { error: 'Вид документа: invoice, qr_invoice или act' }),
    number: text(30, 'Номер'),
    date: isoDate,
    dueDate: isoDate.optional(),
    period: z.strictObject({ from: isoDate, to: isoDate }).optional(),
    seller,
    buyer,
    basis: optionalText(300, 'Основание'),
    lines: z
      .array(line, { error: 'Строки: ожидался список' })
      .min(1, { message: 'В документе должна быть хотя бы одна строка' })
      .max(1000, { message: 'Не больше 1000 строк в документе' }),
    vat,
    qr: qr.optional(),
    purpose: optionalText(210, 'Назначение платежа'),
    contract: optionalText(100, 'Договор'),
    images: images.optional(),
    allowEarly: z.boolean({ error: 'allowEarly: true или false' }).optional(),
  })
  .superRefine((doc, ctx) => {
    if (doc.vat.mode !== 'none' && doc.vat.rate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['vat', 'rate'], message: 'Укажите ставку НДС (22, 10, 7, 5 или 0)' });
    }
    if (doc.qr?.mode === 'link' && doc.qr.link === undefined) {
      ctx.addIssue({ code: 'custom', path: ['qr', 'link'], message: 'Для режима link нужна ссылка банка https://…' });
    }
    if (doc.qr && doc.qr.mode !== 'link' && doc.qr.link !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['qr', 'link'], message: 'Ссылка указывается только в режиме link' });
    }
    if (doc.kind === 'act') {
      if (!doc.period) {
        ctx.addIssue({ code: 'custom', path: ['period'], message: 'В акте нужен период оказания услуг' });
      }
      if (doc.qr && doc.qr.mode !== 'none') {
        ctx.addIssue({ code: 'custom', path: ['qr', 'mode'], message: 'В акте нет QR-кода для оплаты' });
      }
    }
    if (doc.period && isIsoDate(doc.period.from) && isIsoDate(doc.period.to) && doc.period.to < doc.period.from) {
      ctx.addIssue({ code: 'custom', path: ['period', 'to'], message: 'Конец периода раньше его начала' });
    }
    if (doc.dueDate && isIsoDate(doc.dueDate) && isIsoDate(doc.date) && doc.dueDate < doc.date) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'Срок оплаты раньше даты счёта' });
    }
    for (const issue of modelRuleIssues(doc as DocumentModel)) {
      ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
    }
  });

/**
 * The rules of rules.ts on a structurally valid document. Totals are only computed when every line
 * passed its own checks, so a bad price is reported once, at its line.
 */
function modelRuleIssues(doc: DocumentModel): ValidationIssue[] {
  let totals;
  try {
    totals = documentTotals(doc);
  } catch (err) {
    if (err instanceof ValidationError) return [...unprintableIssues(doc), ...earlyActIssues(doc)];
    throw err;
  }
  return documentRuleIssues(doc, totals);
}

/** ['lines', 2, 'price'] → «lines[2].price». */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Zod's own English text for a wrong type («Invalid input: expected object, received undefined»), said the
 * way the rest of the messages are: a missing field, or what was expected there.
 */
function typeMessage(issue: z.core.$ZodIssue): { message: string; messageEn?: string } {
  if (issue.code !== 'invalid_type' || !issue.message.startsWith('Invalid input')) return { message: issue.message };
  if (/received undefined$/.test(issue.message)) {
    return { message: 'Обязательное поле не заполнено', messageEn: 'Required field is missing' };
  }
  const what = issue.expected === 'object' ? 'объект { … }' : issue.expected === 'array' ? 'список [ … ]' : issue.expected;
  return { message: `Ожидался ${what}`, messageEn: issue.message.replace(/^Invalid input: /, '') };
}

function toIssues(error: z.ZodError): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One issue per key, so the message names the exact field to remove.
      for (const key of issue.keys) {
        issues.push({
          path: formatIssuePath([...issue.path, key]),
          message: 'Неизвестное поле',
          messageEn: 'Unknown field',
        });
      }
      continue;
    }
    issues.push({ path: formatIssuePath(issue.path) || '(document)', ...typeMessage(issue) });
  }
  return issues;
}

/**
 * Parses untrusted JSON into a DocumentModel; throws ValidationError listing every offending path.
 * A quantity in a JSON number keeps its decimal text, so the three-decimals rule is checked on `String(q)`.
 */
export function parseDocumentModel(input: unknown): DocumentModel {
  const result = documentSchema.safeParse(input);
  if (!result.success) throw new ValidationError(toIssues(result.error));
  return result.data as DocumentModel;
}

/**
 * Checks before a document is issued: the seller's own requisites must be valid (hard error),
 * the buyer's doubtful ones only produce warnings — a tenant's typo must not block billing.
 */
export function validateForIssue(model: DocumentModel): ValidationIssue[] {
  const errors = validateSeller(model.seller);
  if (errors.length > 0) throw new ValidationError(errors);
  return validateBuyer(model.buyer);
}
