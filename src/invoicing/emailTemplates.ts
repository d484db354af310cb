/**
 * Reads an e-mail template pair from disk. Kept apart from email.ts so the rendering stays pure.
 * The name becomes part of a file path, hence the strict pattern: no `..`, no slashes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { checkEmailTemplateSyntax, compileEmailTemplate, type EmailTemplate } from './email.js';

const NAME_RE = /^[a-z0-9_-]+$/;

/** `templates/email/` of this package, from both `src/invoicing` and `dist/invoicing`. */
export const DEFAULT_EMAIL_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/email/', import.meta.url));

/** The template names shipped with the service. */
export const BUILTIN_EMAIL_TEMPLATES = ['invoice', 'act', 'payment_reminder', 'payment_overdue'] as const;

async function readPart(dir: string, name: string, part: 'subject' | 'body'): Promise<string> {
  const file = join(dir, `${name}.${part}.hbs`);
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new AppError('EMAIL_TEMPLATE_NOT_FOUND', `Шаблон письма «${name}» не найден (нет файла ${name}.${part}.hbs).`, {
        cause,
        details: { name, file },
      });
    }
    throw new AppError('EMAIL_TEMPLATE_READ_FAILED', `Не удалось прочитать шаблон письма «${name}».`, {
      cause,
      retryable: true,
      details: { name, file },
    });
  }
}

/**
 * Loads and compiles `<dir>/<name>.subject.hbs` and `<dir>/<name>.body.hbs`. Throws AppError
 * EMAIL_TEMPLATE_NOT_FOUND (bad name or missing file), EMAIL_TEMPLATE_INVALID (syntax error) or
 * EMAIL_TEMPLATE_READ_FAILED (I/O, retryable).
 */
export async function loadEmailTemplate(dir: string, name: string): Promise<EmailTemplate> {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new AppError(
      'EMAIL_TEMPLATE_NOT_FOUND',
      `Шаблон письма «${String(name)}» не найден: имя может содержать только латинские строчные буквы, цифры, «_» и «-».`,
      { details: { name } },
    );
  }
  const [subject, body] = await Promise.all([readPart(dir, name, 'subject'), readPart(dir, name, 'body')]);
  for (const [part, source] of [
    ['subject', subject],
    ['body', body],
  ] as const) {
    try {
      checkEmailTemplateSyntax(source);
    } catch (cause) {
      throw new AppError('EMAIL_TEMPLATE_INVALID', `В шаблоне письма «${name}» (${part}) ошибка синтаксиса.`, {
        cause,
        details: { name, part, error: cause instanceof Error ? cause.message : String(cause) },
      });
    }
  }
  return compileEmailTemplate(subject, body);
}

/**
 * The first of `dirs` that holds the pair wins: a company's own folder (EMAIL_TEMPLATES_DIR) overrides
 * or adds templates without touching the ones shipped with the service.
 */
export async function loadEmailTemplateFrom(dirs: readonly string[], name: string): Promise<EmailTemplate> {
  let lastMissing: unknown;
  for (const dir of dirs) {
    try {
      return await loadEmailTemplate(dir, name);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'EMAIL_TEMPLATE_NOT_FOUND' || !err.details?.file) throw err;
      lastMissing = err;
    }
  }
  // The manager reads this in error_text: say which names exist rather than which file was missing.
  throw new AppError(
    'EMAIL_TEMPLATE_NOT_FOUND',
    `Шаблон письма «${name}» не найден. Встроенные шаблоны: ${BUILTIN_EMAIL_TEMPLATES.join(', ')}; ` +
      'свои шаблоны (пара <имя>.subject.hbs и <имя>.body.hbs) кладутся в папку EMAIL_TEMPLATES_DIR сервиса.',
    { ...(lastMissing ? { cause: lastMissing } : {}), details: { name } },
  );
}

/** The template folders in the order they win: a company's own folder (EMAIL_TEMPLATES_DIR), then the shipped one. */
export const emailTemplateDirs = (customDir: string | undefined): string[] => (customDir ? [customDir, DEFAULT_EMAIL_TEMPLATE_DIR] : [DEFAULT_EMAIL_TEMPLATE_DIR]);

/**
 * The template a portal's letter uses: its own wording saved on the settings page wins over the files, so an
 * admin can change a letter without access to the server.
 */
export async function loadPortalEmailTemplate(
  overrides: Readonly<Record<string, { subject: string; body: string }>>,
  dirs: readonly string[],
  name: string,
): Promise<EmailTemplate> {
  const own = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
  return own ? compileEmailTemplate(own.subject, own.body) : loadEmailTemplateFrom(dirs, name);
}

/** The source text of a template as the files have it (what the settings page starts editing from). */
export async function readEmailTemplateSource(dirs: readonly string[], name: string): Promise<{ subject: string; body: string } | undefined> {
  if (!NAME_RE.test(name)) return undefined;
  for (const dir of dirs) {
    try {
      return { subject: await readPart(dir, name, 'subject'), body: await readPart(dir, name, 'body') };
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'EMAIL_TEMPLATE_NOT_FOUND') throw err;
    }
  }
  return undefined;
}
