/**
 * Who gets a client e-mail: addresses typed into a robot property, the client's e-mail from the CRM
 * card, the accountants from the portal settings. Pure: the callers load the inputs.
 */
import { AppError } from '../errors.js';

/**
 * A practical address check (what mail servers accept, not all of RFC 5322): one `@`, no spaces or
 * separators, a dotted domain; letters of any script, so `бухгалтерия@пример.рф` passes.
 */
const LOCAL = String.raw`[^\s@<>()[\]\\,;:"]+`;
const LABEL_CHAR = String.raw`[^\s@<>()[\]\\,;:".]`;
const EMAIL_RE = new RegExp(`^${LOCAL}@(?:${LABEL_CHAR}+\\.)+${LABEL_CHAR}{2,}$`, 'u');

export function isEmailAddress(s: string): boolean {
  return s.length <= 254 && EMAIL_RE.test(s) && !s.includes('..');
}

export interface ParsedRecipients {
  /** Valid addresses in the order given, each once (compared case-insensitively). */
  valid: string[];
  /** Entries that are not addresses, as typed. */
  invalid: string[];
}

/**
 * `a@x.ru, b@y.ru` → both. Separators: comma, semicolon, line breaks. A pasted `Имя <a@x.ru>` keeps
 * the address; a `mailto:` prefix is dropped.
 */
export function parseRecipients(text: string | undefined): ParsedRecipients {
  const valid: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of (text ?? '').split(/[,;\n\r]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const angle = /<([^<>]*)>\s*$/.exec(entry);
    const address = (angle ? angle[1]! : entry).trim().replace(/^mailto:/i, '');
    if (!isEmailAddress(address)) {
      invalid.push(entry);
      continue;
    }
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    valid.push(address);
  }
  return { valid, invalid };
}

export interface RecipientClient {
  kind: 'company' | 'contact';
  title: string;
  /** The card's e-mails, work ones first. */
  emails: string[];
}

export interface ResolvedRecipients {
  to: string[];
  /** Copies (accountants), none of them repeated from `to`. */
  cc: string[];
}

const quoted = (xs: string[]) => xs.map((x) => `«${x}»`).join(', ');

/**
 * The robot's recipients: the addresses given in «Кому», else the client's first valid e-mail; plus
 * the accountants when asked. Throws AppError with a message telling the manager what to fill in.
 */
export function resolveRecipients(input: {
  to: string | undefined;
  client: RecipientClient | undefined;
  ccAccountant: boolean;
  accountantEmails: string[];
}): ResolvedRecipients {
  let to: string[];
  const given = parseRecipients(input.to);
  if (given.invalid.length) {
    throw new AppError(
      'EMAIL_RECIPIENT_INVALID',
      `Неверный адрес e-mail в параметре робота «Кому»: ${quoted(given.invalid)}. Укажите адреса через запятую, например client@example.ru.`,
      { details: { invalid: given.invalid.length } },
    );
  }
  if (given.valid.length) {
    to = given.valid;
  } else {
    const client = input.client;
    if (!client) {
      throw new AppError(
        'DEAL_WITHOUT_CLIENT',
        'В сделке не указан клиент: выберите компанию или контакт в карточке сделки или укажите адрес в параметре робота «Кому».',
      );
    }
    const first = client.emails.map((e) => e.trim()).find(isEmailAddress);
    if (!first) {
      const card = client.kind === 'company' ? 'компании' : 'контакта';
      const bad = client.emails.filter((e) => e.trim());
      throw new AppError(
        'CLIENT_EMAIL_MISSING',
        bad.length
          ? `У клиента «${client.title}» указан неверный e-mail (${quoted(bad)}): исправьте его в карточке ${card} или укажите адрес в параметре робота «Кому».`
          : `У клиента «${client.title}» не указан e-mail: добавьте рабочий e-mail в карточку ${card} или укажите адрес в параметре робота «Кому».`,
      );
    }
    to = [first];
  }
  let cc: string[] = [];
  if (input.ccAccountant) {
    const accountants = parseRecipients(input.accountantEmails.join(',')).valid;
    if (!accountants.length) {
      throw new AppError(
        'ACCOUNTANT_EMAIL_MISSING',
        'Включена копия бухгалтерии, но в настройках приложения не указан e-mail бухгалтерии: добавьте его в настройках или выключите параметр «Копия бухгалтерии».',
      );
    }
    const inTo = new Set(to.map((x) => x.toLowerCase()));
    cc = accountants.filter((a) => !inTo.has(a.toLowerCase()));
  }
  return { to, cc };
}
